"""Keras's weight initializers, drawing from torch's random generator.

An initializer is called as ``initializer(shape, dtype)`` and returns a tensor.
``get('glorot_uniform')`` (or ``'GlorotUniform'``) gives an instance; a callable is
used as is. ``torch.manual_seed`` / ``seqlab.set_seed`` make draws repeatable.

Fans follow Keras: for a 2-D shape ``(fan_in, fan_out)``; for a convolution
kernel ``(k, in, out)`` both are multiplied by the receptive field ``k``.
Variance scaling draws with variance ``scale / n`` (``n`` = fan_in, fan_out or
their mean) from a normal truncated at two standard deviations (its standard
deviation corrected by 0.8796...), a plain normal, or a uniform on
``[-sqrt(3 scale / n), +sqrt(3 scale / n)]``.
"""
from __future__ import annotations

import math

import torch

_TRUNCATION_CORRECTION = 0.87962566103423978  # std of a unit normal truncated at +-2


class Initializer:
    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return torch.zeros(shape, dtype=dtype)


class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return torch.ones(shape, dtype=dtype)


class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return torch.full(shape, float(self.value), dtype=dtype)


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None):
        return torch.empty(shape, dtype=dtype).uniform_(self.minval, self.maxval,
                                                        generator=_generator(self.seed))


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        return torch.empty(shape, dtype=dtype).normal_(self.mean, self.stddev,
                                                       generator=_generator(self.seed))


class TruncatedNormal(Initializer):
    """Normal draws, those beyond two standard deviations drawn again."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None):
        return _truncated_normal(shape, dtype, self.mean, self.stddev, _generator(self.seed))


class VarianceScaling(Initializer):
    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be > 0, got {scale!r}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', "
                             f"got {mode!r}")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform", "normal"):
            raise ValueError(f"VarianceScaling: distribution must be 'truncated_normal', "
                             f"'untruncated_normal' or 'uniform', got {distribution!r}")
        self.scale, self.mode, self.seed = scale, mode, seed
        self.distribution = "truncated_normal" if distribution == "normal" else distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, fan)
        generator = _generator(self.seed)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return torch.empty(shape, dtype=dtype).uniform_(-limit, limit, generator=generator)
        if self.distribution == "untruncated_normal":
            return torch.empty(shape, dtype=dtype).normal_(0.0, math.sqrt(variance),
                                                           generator=generator)
        stddev = math.sqrt(variance) / _TRUNCATION_CORRECTION
        return _truncated_normal(shape, dtype, 0.0, stddev, generator)


class GlorotUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "uniform", seed)


class GlorotNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)


class HeNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed)


class HeUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "uniform", seed)


class LecunNormal(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed)


class LecunUniform(VarianceScaling):
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "uniform", seed)


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix: Q of the QR decomposition of a normal draw, signs fixed
    by diag(R) so the result is uniformly distributed; shape[:-1] is flattened into rows."""

    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype=None):
        rows, cols = math.prod(shape[:-1]), shape[-1]
        draw = torch.empty(max(rows, cols), min(rows, cols), dtype=torch.float64)
        draw.normal_(0.0, 1.0, generator=_generator(self.seed))
        q, r = torch.linalg.qr(draw)
        q = q * torch.sign(torch.diagonal(r))
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).to(dtype or torch.get_default_dtype())


class Identity(Initializer):
    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ValueError(f"Identity initializer needs a 2-D shape, got {tuple(shape)}")
        return self.gain * torch.eye(*shape, dtype=dtype)


_NAMES = {
    "zeros": Zeros, "ones": Ones, "constant": Constant,
    "uniform": RandomUniform, "random_uniform": RandomUniform,
    "normal": RandomNormal, "random_normal": RandomNormal,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform,
    "orthogonal": Orthogonal, "identity": Identity,
}


def get(identifier):
    """An initializer from a Keras name (``'glorot_uniform'`` or ``'GlorotUniform'``),
    an instance, or any callable ``(shape, dtype) -> tensor``."""
    if isinstance(identifier, str):
        key = identifier if identifier in _NAMES else _snake(identifier)
        if key in _NAMES:
            return _NAMES[key]()
        raise ValueError(f"Unknown initializer {identifier!r}; use a callable or one of: "
                         f"{', '.join(sorted(_NAMES))}")
    if callable(identifier):
        return identifier
    raise TypeError(f"An initializer must be a name or a callable (shape, dtype) -> tensor, "
                    f"got {identifier!r}")


def fans(shape) -> tuple[float, float]:
    """Keras's (fan_in, fan_out) of a weight shape."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = math.prod(shape[:-2])
    return float(shape[-2] * receptive), float(shape[-1] * receptive)


def _truncated_normal(shape, dtype, mean, stddev, generator):
    values = torch.empty(shape, dtype=dtype).normal_(0.0, 1.0, generator=generator)
    outside = values.abs() > 2.0
    while outside.any():  # redraw the tails: a normal truncated at +-2 standard deviations
        values[outside] = torch.empty(int(outside.sum()), dtype=values.dtype).normal_(
            0.0, 1.0, generator=generator)
        outside = values.abs() > 2.0
    return values * stddev + mean


def _generator(seed):
    if seed is None:
        return None
    return torch.Generator().manual_seed(int(seed))


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
