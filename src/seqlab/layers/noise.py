"""Training-time noise: ``GaussianNoise`` and ``SpatialDropout1D``. Both are the identity at
inference and pass masks on, as in Keras."""
from __future__ import annotations

import torch

from ._base import Layer
from .core import Dropout


class GaussianNoise(Layer):
    """In training, adds zero-mean Gaussian noise of standard deviation ``stddev``."""

    supports_masking = True

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, (int, float)) or stddev < 0:
            raise ValueError(f"GaussianNoise: stddev must be a number >= 0, got {stddev!r}")
        self.stddev = float(stddev)
        self.seed = seed

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        return inputs + torch.randn_like(inputs) * self.stddev

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


class SpatialDropout1D(Dropout):
    """Dropout of whole feature channels: one draw per ``(sample, channel)`` shared by all
    steps (``noise_shape = (batch, 1, channels)``), scaled by ``1 / (1 - rate)``."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, noise_shape=(None, 1, None), seed=seed, **kwargs)

    def call(self, inputs, training=None):
        if inputs.dim() != 3:
            raise ValueError(f"{self.name} expects (batch, time, channels), got shape "
                             f"{tuple(inputs.shape)}")
        return super().call(inputs, training=training)
