"""Layers that move values without computing: ``Reshape``, ``Permute``, ``ZeroPadding1D``,
``UpSampling1D``, ``Cropping1D`` (Keras's arguments; shapes are batch first and the
batch axis is never touched). Integer inputs stay integers. None of them passes a
mask on (Keras's do not either); ``Reshape``/``Permute`` shapes exclude the batch axis.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ._base import Layer


class Reshape(Layer):
    """``(batch, *any)`` -> ``(batch, *target_shape)``; one entry may be -1 (inferred)."""

    _keeps_dtype = True

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(target_shape) if isinstance(target_shape, (list, tuple)) else (
            target_shape,)
        if any(not isinstance(d, int) or isinstance(d, bool) or d == 0 or d < -1
               for d in target_shape) or target_shape.count(-1) > 1:
            raise ValueError(f"Reshape: target_shape must be positive ints with at most one -1, "
                             f"got {target_shape!r}")
        self.target_shape = target_shape

    def call(self, inputs):
        size = math.prod(inputs.shape[1:])
        known = math.prod(d for d in self.target_shape if d != -1)
        if (size % known if -1 in self.target_shape else size != known):
            raise ValueError(f"{self.name}: cannot reshape inputs of shape "
                             f"{tuple(inputs.shape)} ({size} values per sample) to "
                             f"target_shape {self.target_shape}")
        return inputs.reshape((inputs.shape[0],) + self.target_shape)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        if -1 not in self.target_shape:
            return (input_shape[0],) + self.target_shape
        if None in rest:
            return (input_shape[0],) + tuple(None if d == -1 else d for d in self.target_shape)
        known = math.prod(d for d in self.target_shape if d != -1)
        if math.prod(rest) % known:
            raise ValueError(f"{self.name}: inputs of shape {tuple(input_shape)} cannot be "
                             f"reshaped to target_shape {self.target_shape}")
        inferred = math.prod(rest) // known
        return (input_shape[0],) + tuple(inferred if d == -1 else d for d in self.target_shape)


class Permute(Layer):
    """Reorders the axes after the batch: ``dims`` numbers them from 1, e.g. ``(2, 1)``
    swaps time and features."""

    _keeps_dtype = True

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..{len(dims)} (the axes "
                             f"after the batch axis, counted from 1), got {dims!r}")
        self.dims = dims

    def call(self, inputs):
        if inputs.dim() != len(self.dims) + 1:
            raise ValueError(f"{self.name}: dims={self.dims} needs inputs with "
                             f"{len(self.dims) + 1} axes, got shape {tuple(inputs.shape)}")
        return inputs.permute((0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)


def _pair(value, name, layer):
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    value = tuple(value)
    if len(value) != 2 or any(not isinstance(v, int) or isinstance(v, bool) or v < 0
                              for v in value):
        raise ValueError(f"{layer}: {name} must be an int or a pair of ints >= 0, got {value!r}")
    return value


def _check_format(layer, data_format):
    if data_format not in (None, "channels_last", "channels_first"):
        raise ValueError(f"{layer}: data_format must be 'channels_last' or 'channels_first', got "
                         f"{data_format!r}")
    return data_format or "channels_last"


class _TimeLayer(Layer):
    """A layer acting on the time axis of ``(batch, time, features)`` (or ``(batch,
    features, time)`` with ``data_format='channels_first'``)."""

    _keeps_dtype = True

    def _time_axis(self):
        return 1 if self.data_format == "channels_last" else 2

    def _check_rank(self, inputs):
        if inputs.dim() != 3:
            raise ValueError(f"{self.name} expects (batch, time, features), got shape "
                             f"{tuple(inputs.shape)}")

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        axis = self._time_axis()
        shape[axis] = None if shape[axis] is None else self._length(shape[axis])
        return tuple(shape)


class ZeroPadding1D(_TimeLayer):
    """Zeros added before and after the steps: ``padding`` an int (both sides) or
    ``(left, right)``."""

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pair(padding, "padding", "ZeroPadding1D")
        self.data_format = _check_format("ZeroPadding1D", data_format)

    def _length(self, length):
        return length + sum(self.padding)

    def call(self, inputs):
        self._check_rank(inputs)
        x = inputs.transpose(1, 2) if self.data_format == "channels_last" else inputs
        x = F.pad(x, self.padding)
        return x.transpose(1, 2) if self.data_format == "channels_last" else x


class UpSampling1D(_TimeLayer):
    """Each step repeated ``size`` times: ``[a, b]`` -> ``[a, a, b, b]``."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"UpSampling1D: size must be a positive int, got {size!r}")
        self.size = size
        self.data_format = "channels_last"

    def _length(self, length):
        return length * self.size

    def call(self, inputs):
        self._check_rank(inputs)
        return torch.repeat_interleave(inputs, self.size, dim=1)


class Cropping1D(_TimeLayer):
    """Steps removed from the start and the end: ``cropping`` an int (both ends) or
    ``(start, end)``."""

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pair(cropping, "cropping", "Cropping1D")
        self.data_format = "channels_last"

    def _length(self, length):
        if length <= sum(self.cropping):
            raise ValueError(f"{self.name}: cropping={self.cropping} removes all {length} steps; "
                             "crop fewer steps")
        return length - sum(self.cropping)

    def call(self, inputs):
        self._check_rank(inputs)
        start, end = self.cropping
        self._length(inputs.shape[1])
        return inputs[:, start:inputs.shape[1] - end]
