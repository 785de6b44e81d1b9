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
