"""Activation functions by Keras name.

``get("tanh")`` returns the function; ``get(None)`` is ``linear``; a callable is
returned as is. Unknown names raise a ValueError listing the known ones.

``hard_sigmoid`` is Keras 3's: ``relu6(x + 3) / 6``, i.e. ``x / 6 + 1/2`` clipped to
[0, 1]. Keras 2 used ``0.2 x + 0.5`` clipped; that one is ``hard_sigmoid_keras2``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def linear(x):
    return x


def hard_sigmoid(x):
    return F.relu6(x + 3.0) / 6.0


def hard_sigmoid_keras2(x):
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


def exponential(x):
    return torch.exp(x)


def softsign(x):
    return x / (1.0 + torch.abs(x))


def softmax(x):
    return torch.softmax(x, dim=-1)


def log_softmax(x):
    return torch.log_softmax(x, dim=-1)


def leaky_relu(x):
    return F.leaky_relu(x, 0.2)  # Keras's default negative_slope


ACTIVATIONS = {
    "linear": linear,
    "relu": torch.relu,
    "relu6": F.relu6,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": softmax,
    "log_softmax": log_softmax,
    "elu": F.elu,
    "selu": F.selu,
    "gelu": F.gelu,
    "softplus": F.softplus,
    "softsign": softsign,
    "swish": F.silu,
    "silu": F.silu,
    "mish": F.mish,
    "exponential": exponential,
    "hard_sigmoid": hard_sigmoid,
    "hard_sigmoid_keras2": hard_sigmoid_keras2,
    "hard_silu": F.hardswish,
    "hard_swish": F.hardswish,
    "leaky_relu": leaky_relu,
}


def get(activation):
    """The activation function for a Keras name, ``None`` (linear) or a callable."""
    if activation is None:
        return linear
    if callable(activation):
        return activation
    if isinstance(activation, str) and activation in ACTIVATIONS:
        return ACTIVATIONS[activation]
    raise ValueError(f"Unknown activation {activation!r}; use a function or one of: "
                     f"{', '.join(sorted(ACTIVATIONS))}")


def name_of(function) -> str | None:
    """The Keras name of an activation function, or None for a custom one."""
    for name, known in ACTIVATIONS.items():
        if known is function:
            return name
    return None
