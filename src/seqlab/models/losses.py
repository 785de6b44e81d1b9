"""Keras 3 losses on torch tensors.

A loss turns labels ``y_true`` and predictions ``y_pred`` into one scalar in three steps:

1. **Alignment.** ``y_pred`` becomes a float tensor; ``y_true`` (NumPy array, list or
   tensor of any dtype) is cast to ``y_pred``'s dtype (to int64 class indices for the
   sparse loss). Their ranks are aligned by Keras's ``squeeze_or_expand_to_same_rank``:
   when the ranks differ by one and the longer shape ends in 1, ``(N,)`` is expanded to
   ``(N, 1)``, otherwise that trailing 1 is squeezed; so labels ``(N,)`` fit predictions
   ``(N, 1)``, and ``(N, T)`` fit ``(N, T, 1)``.
2. **Element-wise losses** (``elementwise``): the formula, then, as in Keras, a mean (or
   for KL divergence, cosine similarity and the categorical cross-entropies a sum) over
   the last axis: ``(N, 1)`` predictions give ``(N,)``; sequence outputs ``(N, T, C)``
   give ``(N, T)``.
3. **Reduction** ``"sum_over_batch_size"`` (Keras's default)::

       loss = sum_i w_i * l_i / n        n = number of loss elements (not sum_i w_i)

   so ``sample_weight=[1, 0]`` on two samples halves the loss instead of returning the
   first sample's. Weights are aligned to the losses with the same rank rule, then a
   weight per sample ``(N,)`` applies to every time step of an ``(N, T)`` loss.
   ``"sum"``, ``"mean"`` (same as the default), ``"mean_with_sample_weight"``
   (``/ sum w``) and ``None``/``"none"`` (no reduction) are accepted too.

Probabilities are clipped to ``[eps, 1 - eps]`` with ``eps = 1e-7`` as in Keras's torch
backend; ``from_logits=True`` uses log-sigmoid / log-softmax forms that equal the same
formulas without clipping. Differences from Keras, each deliberate:

- Shapes that cannot pair (one-hot labels for the sparse loss, class indices for the
  categorical one, a mismatched batch, a label index out of range) raise a ValueError that
  names the shapes and the fix; Keras broadcasts some of them silently (MSE of ``(N, 1)``
  against ``(N, 3)``) or fails deep inside the backend.
- A 1-D ``y_pred`` of a loss that averages the last axis is read as one value per sample
  (``(N,)`` as ``(N, 1)``); Keras averages it to a single number, after which per-sample
  weights cannot apply. Unweighted results are identical.
- Per-sample weights ``(N,)`` broadcast over the time axis of ``(N, T)`` losses; Keras 3
  multiplies them with trailing-axis broadcasting, which fails (or misaligns when
  ``T == N``).
- ``SparseCategoricalCrossentropy(ignore_class=k)`` always averages over the entries that
  are not ignored (Keras's general path); Keras's torch fast path (tensors, no weights)
  divides by all entries.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch
import torch.nn.functional as F

from ._reduction import (  # noqa: F401 (re-exported: part of this module's API)
    EPSILON,
    REDUCTIONS,
    align_weights,
    as_labels,
    as_predictions,
    check_same_batch,
    paired_tensors,
    reduce_weighted,
    _shape,
    squeeze_or_expand_to_same_rank,
)

__all__ = [
    "EPSILON", "Loss", "LossFunctionWrapper", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "MeanSquaredError", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Huber", "KLDivergence",
    "Hinge", "Poisson", "CosineSimilarity", "LogCosh", "get", "squeeze_or_expand_to_same_rank",
    "paired_tensors", "reduce_weighted", "align_weights",
]

# ------------------------------------------------------------------------------ base

class Loss:
    """Base class: ``__call__`` = ``elementwise`` then ``reduce_weighted``.

    Subclasses implement ``call(y_true, y_pred)`` on the prepared tensors and may override
    ``prepare`` (conversion and shape checks) or ``_values_and_mask``."""

    default_name = "loss"
    config_keys = ()

    def __init__(self, reduction="sum_over_batch_size", name=None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(self).__name__} got reduction={reduction!r}; use one "
                             f"of {REDUCTIONS}")
        self.reduction = reduction
        self.name = name or self.default_name

    def __call__(self, y_true, y_pred, sample_weight=None):
        values, mask = self._values_and_mask(y_true, y_pred)
        return reduce_weighted(values, sample_weight, mask, self.reduction)

    def elementwise(self, y_true, y_pred):
        """The unreduced losses, e.g. ``(N,)``, or ``(N, T)`` for sequence outputs."""
        return self._values_and_mask(y_true, y_pred)[0]

    def _values_and_mask(self, y_true, y_pred):
        return self.call(*self.prepare(y_true, y_pred)), None

    def prepare(self, y_true, y_pred):
        return paired_tensors(self.name, y_true, y_pred)

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def get_config(self):
        config = {"name": self.name, "reduction": self.reduction}
        config.update({key: getattr(self, key) for key in self.config_keys})
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class LossFunctionWrapper(Loss):
    """A function ``fn(y_true, y_pred)`` returning per-sample losses (or a scalar), with
    Keras's conversion, rank alignment and reduction around it. Named ``fn.__name__``."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None):
        super().__init__(reduction, name or getattr(fn, "__name__", type(fn).__name__))
        self.fn = fn

    def prepare(self, y_true, y_pred):
        y_pred = as_predictions(y_pred)
        y_true = as_labels(y_true, y_pred).to(y_pred.dtype)
        check_same_batch(self.name, y_true, y_pred)
        return squeeze_or_expand_to_same_rank(y_true, y_pred)

    def call(self, y_true, y_pred):
        values = self.fn(y_true, y_pred)
        return values if isinstance(values, torch.Tensor) else torch.as_tensor(
            np.asarray(values), dtype=y_pred.dtype, device=y_pred.device)

    def get_config(self):
        return {**super().get_config(), "fn": getattr(self.fn, "__qualname__", repr(self.fn))}


class _LastAxisMean(Loss):
    """``l = mean over the last axis of pointwise(y_true, y_pred)``."""

    def call(self, y_true, y_pred):
        return self.pointwise(y_true, y_pred).mean(dim=-1)


# ---------------------------------------------------------------------- cross-entropy

class BinaryCrossentropy(Loss):
    """Binary cross-entropy, averaged over ``axis`` (the last by default)::

        y' = y (1 - s) + s / 2                              (label_smoothing s)
        p  = clip(y_pred, eps, 1 - eps)                     (probabilities)
        l  = -(y' log p + (1 - y') log(1 - p))
        l  = max(x, 0) - x y' + log(1 + exp(-|x|))          (from_logits, x = y_pred)

    >>> round(float(BinaryCrossentropy()([1, 0], [0.9, 0.2])), 5)  # mean(-ln .9, -ln .8)
    0.16425
    """

    default_name = "binary_crossentropy"
    config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name=None):
        super().__init__(reduction, name)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def prepare(self, y_true, y_pred):
        y_true, y_pred = paired_tensors(self.name, y_true, y_pred,
                                        sparse_name="sparse_categorical_crossentropy")
        self.check_labels(y_true)
        return y_true, y_pred

    def check_labels(self, y_true, classes=None):
        """ValueError listing the labels found outside [0, 1] (class indices 0..5 or -1/1
        labels would otherwise train silently towards nonsense)."""
        y_true = torch.as_tensor(y_true)
        outside = (y_true < 0) | (y_true > 1)
        if outside.any():
            found = _some_values(y_true[outside])
            raise ValueError(
                f"{self.name} needs labels in [0, 1] (0/1 classes or probabilities), but the "
                f"labels include {found}: for class indices 0..K-1 use "
                "sparse_categorical_crossentropy with a Dense(K, activation='softmax') output; "
                "for -1/1 labels map them to 0/1 first")

    def call(self, y_true, y_pred):
        if self.label_smoothing:
            y_true = y_true * (1.0 - self.label_smoothing) + 0.5 * self.label_smoothing
        if self.from_logits:
            losses = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
        else:
            p = y_pred.clamp(EPSILON, 1.0 - EPSILON)
            losses = -(y_true * torch.log(p) + (1.0 - y_true) * torch.log(1.0 - p))
        return losses.mean(dim=self.axis)


def _log_probabilities(y_pred, from_logits, axis):
    """``log_softmax(x)``, or ``log(clip(p / sum(p), eps, 1 - eps))`` as Keras does."""
    if from_logits:
        return torch.log_softmax(y_pred, dim=axis)
    p = y_pred / y_pred.sum(dim=axis, keepdim=True)
    return torch.log(p.clamp(EPSILON, 1.0 - EPSILON))


class CategoricalCrossentropy(Loss):
    """Cross-entropy against one-hot (or soft) labels, summed over the class ``axis``::

        y' = y (1 - s) + s / C                              (label_smoothing s, C classes)
        l  = -sum_c y'_c log q_c,   q = clip(p / sum(p), eps, 1 - eps)  or  softmax(x)

    Labels of class indices raise an error pointing to SparseCategoricalCrossentropy.
    """

    default_name = "categorical_crossentropy"
    config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name=None):
        super().__init__(reduction, name)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def prepare(self, y_true, y_pred):
        y_true, y_pred = paired_tensors(self.name, y_true, y_pred, per_sample=False,
                                        sparse_name="sparse_categorical_crossentropy")
        if y_pred.ndim and y_pred.shape[self.axis] == 1:
            warnings.warn(f"{self.name} got y_pred of shape {_shape(y_pred)}, one class: "
                          "the loss is always 0; use binary_crossentropy for two classes",
                          stacklevel=3)
        return y_true, y_pred

    def call(self, y_true, y_pred):
        if self.label_smoothing:
            classes = y_pred.shape[self.axis]
            y_true = y_true * (1.0 - self.label_smoothing) + self.label_smoothing / classes
        log_q = _log_probabilities(y_pred, self.from_logits, self.axis)
        return -(y_true * log_q).sum(dim=self.axis)


class SparseCategoricalCrossentropy(Loss):
    """Cross-entropy against integer class indices; y_pred's last axis holds the classes::

        l = -log q[y],   q = clip(p / sum(p), eps, 1 - eps)  or  softmax(x)

    Labels ``(N,)`` or ``(N, 1)`` for ``(N, C)`` predictions; ``(N, T)`` for ``(N, T, C)``.
    Entries equal to ``ignore_class`` get loss 0 and leave the divisor of the reduction.
    """

    default_name = "sparse_categorical_crossentropy"
    config_keys = ("from_logits", "ignore_class")

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name=None):
        super().__init__(reduction, name)
        self.from_logits = from_logits
        self.ignore_class = ignore_class

    def prepare(self, y_true, y_pred):
        y_pred = as_predictions(y_pred)
        y_true = as_labels(y_true, y_pred)
        check_same_batch(self.name, y_true, y_pred)
        if y_pred.ndim == 0:
            raise ValueError(f"{self.name} needs y_pred with a class axis, got a scalar")
        expected, classes = _shape(y_pred)[:-1], y_pred.shape[-1]
        if _shape(y_true) == _shape(y_pred) and classes > 1:
            raise ValueError(
                f"{self.name}: labels of shape {_shape(y_true)} look one-hot: use "
                f"categorical_crossentropy, or pass class indices of shape {expected}")
        if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
            y_true = y_true.squeeze(-1)
        if _shape(y_true) != expected:
            raise ValueError(
                f"{self.name} needs class indices of shape {expected} (y_pred's shape "
                f"{_shape(y_pred)} without the class axis), got labels of shape "
                f"{_shape(y_true)}")
        return self._class_indices(y_true, classes), y_pred

    def check_labels(self, y_true, classes):
        """ValueError listing the labels that are not class indices in [0, classes)."""
        self._class_indices(torch.as_tensor(y_true), classes)

    def _class_indices(self, y_true, classes):
        if y_true.is_floating_point():
            fractional = y_true != torch.round(y_true)
            if fractional.any():
                raise ValueError(f"{self.name} needs integer class indices, got labels "
                                 f"{_some_values(y_true[fractional])}")
        labels = y_true.long()
        kept = self._kept(labels)
        outside = ((labels < 0) | (labels >= classes)) & kept
        if outside.any():
            bad = labels[outside]
            fix = ("mark padding with ignore_class" if bool((bad < 0).any())
                   else "give the output layer max(label) + 1 units")
            raise ValueError(
                f"{self.name} got labels {_some_values(bad)} but y_pred has {classes} "
                f"classes: labels must be in [0, {classes - 1}]; {fix}")
        return labels

    def _kept(self, labels):
        if self.ignore_class is None:
            return torch.ones_like(labels, dtype=torch.bool)
        return labels != self.ignore_class

    def _values_and_mask(self, y_true, y_pred):
        labels, y_pred = self.prepare(y_true, y_pred)
        kept = self._kept(labels)
        log_q = _log_probabilities(y_pred, self.from_logits, -1)
        index = torch.where(kept, labels, torch.zeros_like(labels)).unsqueeze(-1)
        losses = -log_q.gather(-1, index).squeeze(-1)
        if self.ignore_class is None:
            return losses, None
        return torch.where(kept, losses, torch.zeros_like(losses)), kept


# ------------------------------------------------------------------------ regression

class MeanSquaredError(_LastAxisMean):
    """``l = mean((y_true - y_pred)^2)`` over the last axis."""

    default_name = "mean_squared_error"

    def pointwise(self, y_true, y_pred):
        return (y_true - y_pred) ** 2


class MeanAbsoluteError(_LastAxisMean):
    """``l = mean(|y_true - y_pred|)`` over the last axis."""

    default_name = "mean_absolute_error"

    def pointwise(self, y_true, y_pred):
        return (y_true - y_pred).abs()


class MeanAbsolutePercentageError(_LastAxisMean):
    """``l = 100 * mean(|y_true - y_pred| / max(|y_true|, eps))`` over the last axis."""

    default_name = "mean_absolute_percentage_error"

    def pointwise(self, y_true, y_pred):
        return 100.0 * (y_true - y_pred).abs() / y_true.abs().clamp(min=EPSILON)


class MeanSquaredLogarithmicError(_LastAxisMean):
    """``l = mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2)``."""

    default_name = "mean_squared_logarithmic_error"

    def pointwise(self, y_true, y_pred):
        return (torch.log1p(y_pred.clamp(min=EPSILON))
                - torch.log1p(y_true.clamp(min=EPSILON))) ** 2


class Huber(_LastAxisMean):
    """With ``e = y_pred - y_true``: ``e^2 / 2`` where ``|e| <= delta``, else
    ``delta |e| - delta^2 / 2``; averaged over the last axis."""

    default_name = "huber_loss"
    config_keys = ("delta",)

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name=None):
        super().__init__(reduction, name)
        self.delta = delta

    def pointwise(self, y_true, y_pred):
        error = y_pred - y_true
        linear = self.delta * error.abs() - 0.5 * self.delta ** 2
        return torch.where(error.abs() <= self.delta, 0.5 * error ** 2, linear)


class LogCosh(_LastAxisMean):
    """``l = mean(log cosh(y_pred - y_true))``, computed as ``e + softplus(-2e) - log 2``."""

    default_name = "log_cosh"

    def pointwise(self, y_true, y_pred):
        error = y_pred - y_true
        return error + F.softplus(-2.0 * error) - np.log(2.0)


class Hinge(_LastAxisMean):
    """``l = mean(max(1 - y_true * y_pred, 0))``; labels in {0, 1} (the whole batch) are
    first mapped to {-1, 1}, as Keras does."""

    default_name = "hinge"

    def pointwise(self, y_true, y_pred):
        if ((y_true == 0) | (y_true == 1)).all():
            y_true = 2.0 * y_true - 1.0
        return torch.relu(1.0 - y_true * y_pred)


class Poisson(_LastAxisMean):
    """``l = mean(y_pred - y_true * log(y_pred + eps))`` over the last axis."""

    default_name = "poisson"

    def pointwise(self, y_true, y_pred):
        return y_pred - y_true * torch.log(y_pred + EPSILON)


class KLDivergence(Loss):
    """``l = sum(y log(y / p))`` over the last axis, both clipped to ``[eps, 1]``."""

    default_name = "kl_divergence"

    def prepare(self, y_true, y_pred):
        return paired_tensors(self.name, y_true, y_pred, per_sample=False)

    def call(self, y_true, y_pred):
        y_true, y_pred = y_true.clamp(EPSILON, 1.0), y_pred.clamp(EPSILON, 1.0)
        return (y_true * torch.log(y_true / y_pred)).sum(dim=-1)


class CosineSimilarity(Loss):
    """``l = -sum(n(y_true) * n(y_pred))`` over ``axis``, with the L2 normalisation
    ``n(x) = x * min(1 / ||x||, 1 / eps)``: -1 for parallel vectors, 0 if either is 0."""

    default_name = "cosine_similarity"
    config_keys = ("axis",)

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name=None):
        super().__init__(reduction, name)
        self.axis = axis

    def prepare(self, y_true, y_pred):
        return paired_tensors(self.name, y_true, y_pred, per_sample=False)

    def call(self, y_true, y_pred):
        def normalise(x):
            inverse_norm = torch.rsqrt((x * x).sum(dim=self.axis, keepdim=True))
            return x * inverse_norm.clamp(max=1.0 / EPSILON)
        return -(normalise(y_true) * normalise(y_pred)).sum(dim=self.axis)


# ------------------------------------------------------------------------------- get

_CLASSES = (BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
            MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, Huber, KLDivergence, Hinge, Poisson, CosineSimilarity,
            LogCosh)
_BY_NAME = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update({
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
    "BCE": BinaryCrossentropy, "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError, "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
    "huber": Huber, "kl_divergence": KLDivergence, "kld": KLDivergence, "KLD": KLDivergence,
    "hinge": Hinge, "poisson": Poisson, "cosine_similarity": CosineSimilarity,
    "log_cosh": LogCosh,
})


def _some_values(values, most=5) -> str:
    """The distinct values of a tensor, smallest first, at most `most` of them named."""
    distinct = torch.unique(values.detach().flatten()).tolist()
    shown = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in distinct[:most])
    return shown + (f" (and {len(distinct) - most} more)" if len(distinct) > most else "")


def get(identifier):
    """A Loss from a Keras name or alias, a Loss (returned as is) or class, or a function.

    As in Keras's ``compile``, a snake-case name or alias names the loss (``get("mse").name
    == "mse"``); a class name gives the class's default name (``"Huber"`` ->
    ``"huber_loss"``). A function ``f(y_true, y_pred)`` is wrapped with the reduction.
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown loss {identifier!r}; use a Loss, a function "
                             f"f(y_true, y_pred) or one of: {', '.join(sorted(_BY_NAME))}")
        cls = _BY_NAME[identifier]
        return cls() if identifier == cls.__name__ else cls(name=identifier)
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ValueError(f"Could not interpret loss {identifier!r} of type "
                     f"{type(identifier).__name__}: pass a name such as 'mse', a Loss or a "
                     "function f(y_true, y_pred)")
