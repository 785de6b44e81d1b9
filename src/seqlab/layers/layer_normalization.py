"""``LayerNormalization``: normalize each sample over its feature axes, as Keras.

``y = (x - mean) / sqrt(var + epsilon) * gamma + beta``, the mean and (biased) variance
taken over ``axis`` (default the last), per sample. Weights ``gamma`` then ``beta``,
each of the normalized axes' shape (ones and zeros); ``rms_scaling=True`` uses
``x / sqrt(mean(x^2) + epsilon) * gamma`` instead. Masks pass through.
"""
from __future__ import annotations

import torch

from ._base import Layer


class LayerNormalization(Layer):
    """Keras's ``LayerNormalization(axis=-1, epsilon=1e-3, center=True, scale=True)``."""

    supports_masking = True

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"LayerNormalization: axis must be an int or a list of ints, got "
                            f"axis={axis!r}")
        self.epsilon, self.center, self.scale = float(epsilon), bool(center), bool(scale)
        self.rms_scaling = bool(rms_scaling)
        if rms_scaling:
            self.center = False  # as Keras: RMS scaling has no beta
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer

    def _axes(self, rank):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        normalized = sorted(a % rank for a in axes)
        for a in normalized:
            if a == 0 and rank > 1:
                raise ValueError("LayerNormalization: axis 0 is the batch axis; normalize over "
                                 f"feature axes, got axis={self.axis}")
        return normalized

    def build(self, input_shape):
        axes = self._axes(len(input_shape))
        shape = tuple(input_shape[a] for a in axes)
        if None in shape:
            raise ValueError(f"LayerNormalization: the normalized axes {axes} must have known "
                             f"sizes, got input shape {tuple(input_shape)}")
        if self.scale:
            self.add_weight("gamma", shape, self.gamma_initializer)
        if self.center:
            self.add_weight("beta", shape, self.beta_initializer)

    def call(self, inputs):
        axes = self._axes(inputs.dim())
        # gamma/beta broadcast: keep the normalized axes, size 1 elsewhere (batch included)
        view = [inputs.shape[a] if a in axes else 1 for a in range(inputs.dim())]
        if self.rms_scaling:
            scaled = inputs * torch.rsqrt(inputs.pow(2).mean(dim=axes, keepdim=True) +
                                          self.epsilon)
            return scaled * self.gamma.reshape(view) if self.scale else scaled
        mean = inputs.mean(dim=axes, keepdim=True)
        variance = (inputs - mean).pow(2).mean(dim=axes, keepdim=True)
        outputs = (inputs - mean) * torch.rsqrt(variance + self.epsilon)
        if self.scale:
            outputs = outputs * self.gamma.reshape(view)
        if self.center:
            outputs = outputs + self.beta.reshape(view)
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
