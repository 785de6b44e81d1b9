"""Activation layers with a parameter: ``LeakyReLU``."""
from __future__ import annotations

import torch.nn.functional as F

from ._base import Layer


class LeakyReLU(Layer):
    """``x`` for ``x >= 0``, ``negative_slope * x`` below. Keras 3 names the slope
    ``negative_slope``, Keras 2 ``alpha``; both default to 0.3 (the layer's default;
    the ``'leaky_relu'`` activation function's is 0.2, as in Keras)."""

    supports_masking = True

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        super().__init__(**kwargs)
        if alpha is not None:
            if negative_slope != 0.3:
                raise ValueError(f"LeakyReLU got both negative_slope={negative_slope!r} and "
                                 f"alpha={alpha!r} (Keras 2's name for it): give one")
            negative_slope = alpha
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, (int, float)) or (
                negative_slope < 0):
            raise ValueError(f"LeakyReLU: negative_slope must be a number >= 0, got "
                             f"{negative_slope!r}")
        self.negative_slope = float(negative_slope)

    @property
    def alpha(self):
        return self.negative_slope

    def call(self, inputs):
        return F.leaky_relu(inputs, self.negative_slope)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
