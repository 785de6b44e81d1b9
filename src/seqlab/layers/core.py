"""Core layers: Dense, Dropout, Activation, Masking, Flatten, RepeatVector, TimeDistributed."""
from __future__ import annotations

import torch

from . import activations
from ._base import Layer


class Dense(Layer):
    """``y = activation(x @ kernel + bias)`` on the last axis of any input.

    Weights: ``kernel (input_dim, units)``, ``bias (units,)``. Masks pass through.
    """

    supports_masking = True

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units < 1:
            raise ValueError(f"Dense: units must be a positive int, got {units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer

    def build(self, input_shape):
        self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer)

    def call(self, inputs):
        outputs = inputs @ self.kernel
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)


class Activation(Layer):
    """Applies an activation function (by Keras name or callable). Masks pass through."""

    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)


class Masking(Layer):
    """Marks the steps whose features all equal ``mask_value`` as padding, as Keras's
    ``Masking``: the output is the input with those steps zeroed, and carries the mask
    ``any(inputs != mask_value, axis=-1)`` that recurrent layers and poolings use.
    ``(batch, time, features)`` in and out."""

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def call(self, inputs):
        keep = (inputs != self.mask_value).any(dim=-1, keepdim=True)
        return inputs * keep.to(inputs.dtype)

    def compute_mask(self, inputs, mask=None):
        return (torch.as_tensor(inputs) != self.mask_value).any(dim=-1)


class Dropout(Layer):
    """Inverted dropout: in training, zero a ``rate`` fraction of inputs and scale the
    rest by ``1 / (1 - rate)``; identity at inference. ``noise_shape`` (with None for
    "same as input") shares one draw along axes of size 1. Masks pass through."""

    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape if self.noise_shape is None else [
            inputs.shape[i] if size is None else size for i, size in enumerate(self.noise_shape)]
        keep = torch.empty(shape, dtype=inputs.dtype, device=inputs.device)
        keep.bernoulli_(1 - self.rate)
        return inputs * keep / (1 - self.rate)


class Flatten(Layer):
    """``(batch, ...)`` -> ``(batch, product of the rest)``. The mask is dropped."""

    def call(self, inputs):
        return inputs.reshape(inputs.shape[0], -1)


class RepeatVector(Layer):
    """``(batch, features)`` -> ``(batch, n, features)``."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n

    def call(self, inputs):
        if inputs.dim() != 2:
            raise ValueError(f"RepeatVector expects (batch, features), got shape "
                             f"{tuple(inputs.shape)}")
        return inputs.unsqueeze(1).expand(-1, self.n, -1)


class TimeDistributed(Layer):
    """Applies `layer` to every time step: ``(batch, time, ...)`` folded into
    ``(batch * time, ...)`` for the call and unfolded after. The time mask passes through."""

    supports_masking = True

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, torch.nn.Module):
            raise TypeError(f"TimeDistributed wraps a layer, got {layer!r}")
        self.layer = layer

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(f"TimeDistributed expects (batch, time, ...), got {input_shape}")
        if isinstance(self.layer, Layer):
            self.layer._build_once((None,) + tuple(input_shape[2:]))

    def call(self, inputs, training=None):
        batch, time = inputs.shape[:2]
        folded = inputs.reshape((batch * time,) + tuple(inputs.shape[2:]))
        if isinstance(self.layer, Layer):
            outputs = self.layer(folded, training=training)
        else:
            outputs = self.layer(folded)
        return outputs.reshape((batch, time) + tuple(outputs.shape[1:]))
