"""Merging layers for functional models: ``Concatenate``, ``Add``, ``Subtract``,
``Multiply``, ``Average``, ``Maximum``, called on a list of tensors.

Masks: the output keeps a time mask when the inputs carry one (a step is real when
it is real in every input that has a mask), as Keras merges them.
"""
from __future__ import annotations

import functools

import torch

from ._base import Layer


class _Merge(Layer):
    supports_masking = True

    def _check(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"{type(self).__name__} takes a list of at least 2 tensors, got "
                             f"{type(inputs).__name__}")
        return list(inputs)

    _keeps_dtype = True

    def compute_output_shape(self, input_shape):
        """Keras's elementwise rule: sizes must match or be 1 (broadcast); None is unknown."""
        shapes = self._check(input_shape)
        rank = max(len(s) for s in shapes)
        output = []
        for sizes in zip(*[(1,) * (rank - len(s)) + tuple(s) for s in shapes]):
            known = {d for d in sizes if d is not None and d != 1}
            if len(known) > 1:
                raise ValueError(f"{type(self).__name__}: inputs of shapes {shapes} cannot be "
                                 "merged: sizes must be equal or 1 on every axis")
            output.append(None if None in sizes else (known.pop() if known else 1))
        return tuple(output)

    def compute_mask(self, inputs, mask=None):
        masks = [getattr(x, "_keras_mask", None) for x in inputs]
        masks = [m for m in masks if m is not None]
        if not masks:
            return None
        return functools.reduce(torch.logical_and, masks)


class Concatenate(_Merge):
    """Joins tensors along `axis` (the last by default)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return torch.cat(self._check(inputs), dim=self.axis)

    def compute_output_shape(self, input_shape):
        shapes = [list(s) for s in self._check(input_shape)]
        axis = self.axis % len(shapes[0])
        output = list(shapes[0])
        for shape in shapes[1:]:
            if len(shape) != len(output):
                raise ValueError(f"Concatenate: inputs of shapes {input_shape} have different "
                                 "ranks")
            for i, size in enumerate(shape):
                if i == axis:
                    output[i] = None if output[i] is None or size is None else output[i] + size
                elif i and output[i] is not None and size is not None and output[i] != size:
                    raise ValueError(f"Concatenate (axis={self.axis}) needs inputs of the same "
                                     f"size on the other axes, got shapes {input_shape}")
                elif output[i] is None:
                    output[i] = size
        return tuple(output)


class Add(_Merge):
    def call(self, inputs):
        return functools.reduce(torch.add, self._check(inputs))


class Subtract(_Merge):
    def call(self, inputs):
        inputs = self._check(inputs)
        if len(inputs) != 2:
            raise ValueError(f"Subtract takes exactly 2 tensors, got {len(inputs)}")
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    def call(self, inputs):
        return functools.reduce(torch.mul, self._check(inputs))


class Average(_Merge):
    def call(self, inputs):
        inputs = self._check(inputs)
        return functools.reduce(torch.add, inputs) / len(inputs)


class Maximum(_Merge):
    def call(self, inputs):
        return functools.reduce(torch.maximum, self._check(inputs))
