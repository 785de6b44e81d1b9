"""Feeding ``fit``/``evaluate``/``predict``: the kinds of data Keras accepts, as batches.

* arrays: NumPy arrays, torch tensors or lists (a list or dict of them for several
  inputs or outputs), split into batches of ``batch_size``, reshuffled every epoch;
* a Python generator (or iterator) yielding ``(x, y)`` or ``(x, y, sample_weight)``
  batches, as the Keras book's Jena example: an epoch is ``steps_per_epoch`` batches
  taken from the same generator, or the generator's end without it;
* a ``torch.utils.data.DataLoader`` (any re-iterable of batches): one pass per epoch,
  or ``steps_per_epoch`` batches;
* a ``seqlab.data.Dataset`` of batches (tf.data style): the same, its ``cardinality``
  giving the steps when known; ``batch_size`` is ignored with it (it is batched already),
  as in Keras 3.

Strings (for a model that starts with ``TextVectorization``) stay NumPy object arrays.

Every adapter yields ``(x, y, sample_weight)`` with tensors (y and weights may be None).
"""
from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import torch

from ..layers._base import as_tensor
from ..data import Dataset


def adapter(x, y=None, sample_weight=None, batch_size=None, shuffle=False, steps=None,
            purpose="fit"):
    """The adapter for this kind of data (see the module docstring)."""
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{purpose}: x is a string ({x[:40]!r}); pass arrays of numbers, e.g. "
                        "texts turned into padded index sequences (texts_to_sequences, then "
                        "pad_sequences)")
    if isinstance(x, Iterator) or _is_generator(x):
        if y is not None:
            raise ValueError(f"{purpose}: with a generator, y comes from the generator's batches; "
                             "do not pass y")
        return GeneratorData(x, steps, purpose)
    if isinstance(x, Dataset):
        return DatasetData(x, y, steps, purpose)
    if isinstance(x, torch.utils.data.DataLoader) or (
            hasattr(x, "__iter__") and not isinstance(x, (np.ndarray, torch.Tensor, list, tuple,
                                                          dict))):
        if y is not None:
            raise ValueError(f"{purpose}: with a DataLoader, y comes from its batches; do not "
                             "pass y")
        return LoaderData(x, steps)
    data = ArrayData(x, y, sample_weight, 32 if batch_size is None else batch_size, shuffle,
                     purpose)
    if steps is not None:  # as Keras: at most `steps` batches per epoch
        data.steps = min(data.steps, steps)
    return data


class ArrayData:
    """In-memory data: indexable along the first axis of every array."""

    def __init__(self, x, y, sample_weight, batch_size, shuffle, purpose="fit"):
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"{purpose}: batch_size must be a positive int, got {batch_size!r}")
        self.x = to_tensors(x, "x")
        self.y = None if y is None else to_tensors(y, "y")
        self.sample_weight = None if sample_weight is None else to_tensors(sample_weight,
                                                                           "sample_weight")
        self.batch_size, self.shuffle = batch_size, shuffle
        self.size = _common_length({"x": self.x, "y": self.y,
                                    "sample_weight": self.sample_weight}, purpose)
        self.steps = math.ceil(self.size / batch_size)

    def split(self, fraction):
        """(train, validation): the last `fraction` of the samples, before any shuffling,
        as Keras's validation_split."""
        if not 0 < fraction < 1:
            raise ValueError(f"validation_split must be between 0 and 1, got {fraction!r}")
        at = int(self.size * (1 - fraction))
        if at == 0 or at == self.size:
            raise ValueError(f"validation_split={fraction} leaves no samples on one side of "
                             f"{self.size}; use a fraction that splits them")
        parts = []
        for piece in (slice(0, at), slice(at, None)):
            part = object.__new__(ArrayData)
            part.x, part.y = _take(self.x, piece), _take(self.y, piece)
            part.sample_weight = _take(self.sample_weight, piece)
            part.batch_size, part.shuffle = self.batch_size, self.shuffle
            part.size = len(range(self.size)[piece])
            part.steps = math.ceil(part.size / self.batch_size)
            parts.append(part)
        return parts

    def batches(self, order=None):
        """One epoch of ``(x, y, sample_weight)``; `order` overrides the shuffle."""
        if order is None:
            order = torch.randperm(self.size) if self.shuffle else None
        for start in range(0, min(self.size, self.steps * self.batch_size), self.batch_size):
            if order is None:
                index = slice(start, start + self.batch_size)
            else:
                index = order[start:start + self.batch_size]
            yield _take(self.x, index), _take(self.y, index), _take(self.sample_weight, index)


class GeneratorData:
    """Batches from a generator; epochs continue the same generator."""

    def __init__(self, generator, steps, purpose):
        self.generator, self.steps, self.purpose = iter(generator), steps, purpose
        self.exhausted = False
        self.size = None

    def batches(self, order=None):
        count = 0
        while self.steps is None or count < self.steps:
            try:
                batch = None if self.exhausted else next(self.generator)
            except StopIteration:
                batch = None
            if batch is None:
                self.exhausted = True
                if count == 0:
                    raise ValueError(f"{self.purpose}: the generator ran out of batches. Give "
                                     "steps_per_epoch (validation_steps) for a generator that "
                                     "never ends, or use a DataLoader, which can be read again "
                                     "every epoch.")
                if self.steps is not None:
                    raise ValueError(f"{self.purpose}: the generator ended after {count} of "
                                     f"{self.steps} steps")
                return
            yield unpack_batch(batch)
            count += 1


class LoaderData:
    """Batches from a re-iterable (a torch DataLoader): one pass per epoch."""

    def __init__(self, loader, steps):
        self.loader, self.steps = loader, steps
        self.size = None
        if steps is None:  # batches per pass: a DataLoader's len, or num_batches (Windows)
            self.steps = getattr(loader, "num_batches", None)
            if self.steps is None:
                try:
                    self.steps = len(loader)
                except TypeError:
                    self.steps = None

    def batches(self, order=None):
        for count, batch in enumerate(self.loader):
            if self.steps is not None and count >= self.steps:
                return
            yield unpack_batch(batch)


class DatasetData(LoaderData):
    """Batches from a ``seqlab.data.Dataset``: one pass per epoch, as Keras reads a
    tf.data dataset."""

    def __init__(self, dataset, y, steps, purpose):
        if y is not None:
            raise ValueError(f"{purpose}: with a Dataset, y comes from its (x, y) elements; do "
                             "not pass y")
        known = dataset.cardinality()
        if known == -1 and steps is None:  # INFINITE, e.g. after repeat()
            raise ValueError(f"{purpose}: the Dataset repeats forever; give steps_per_epoch "
                             "(validation_steps, steps) or take() a finite part")
        super().__init__(dataset, steps if steps is not None else (known if known >= 0 else None))


def unpack_batch(batch):
    """A batch as ``(x, y, sample_weight)``: tuples of 1 to 3, or x alone."""
    if isinstance(batch, (tuple, list)) and 1 <= len(batch) <= 3 and not _is_data(batch):
        x, y, weight = (list(batch) + [None, None])[:3]
    else:
        x, y, weight = batch, None, None
    convert = (lambda v, label: None if v is None else to_tensors(v, label))
    return convert(x, "x"), convert(y, "y"), convert(weight, "sample_weight")


def to_tensors(value, label):
    """Arrays, tensors or lists as tensors, keeping list/dict structure of several arrays."""
    if isinstance(value, dict):
        return {k: to_tensors(v, f"{label}[{k!r}]") for k, v in value.items()}
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (np.ndarray, torch.Tensor)) for v in value):
        return [to_tensors(v, f"{label}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, torch.Tensor):
        return value
    if is_text(value):
        return np.asarray(value, dtype=object)
    try:
        array = np.asarray(value)
    except ValueError as error:
        raise ValueError(f"{label} could not be read as an array ({error}); ragged lists of "
                         "sequences need pad_sequences first") from None
    if array.dtype == object:
        raise TypeError(f"{label} has dtype object (mixed or ragged values); pass numbers, e.g. "
                        "pad_sequences(...) for sequences of indices")
    if array.dtype.kind in "US":
        raise TypeError(f"{label} holds strings; turn texts into indices first "
                        "(Tokenizer.texts_to_sequences and pad_sequences)")
    return as_tensor(array)


def is_text(value) -> bool:
    """Strings (str, bytes, or an array or list of them), as TextVectorization reads."""
    if isinstance(value, (str, bytes)):
        return True
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "US":
            return True
        return value.dtype == object and value.size > 0 and isinstance(
            value.flat[0], (str, bytes))
    if isinstance(value, (list, tuple)) and value:
        first = value[0]
        while isinstance(first, (list, tuple)) and first:
            first = first[0]
        return isinstance(first, (str, bytes))
    return False


def _is_data(batch):
    """A list of numbers is one array, not an (x, y) pair."""
    return all(not isinstance(v, (np.ndarray, torch.Tensor, list, tuple, dict)) for v in batch)


def _is_generator(x):
    return hasattr(x, "__next__")


def _take(structure, index):
    if structure is None:
        return None
    if isinstance(structure, dict):
        return {k: _take(v, index) for k, v in structure.items()}
    if isinstance(structure, list):
        return [_take(v, index) for v in structure]
    if isinstance(structure, np.ndarray) and isinstance(index, torch.Tensor):
        return structure[index.numpy()]
    return structure[index]


def _common_length(named, purpose) -> int:
    lengths = {}
    for label, structure in named.items():
        if structure is None:
            continue
        items = structure.items() if isinstance(structure, dict) else (
            enumerate(structure) if isinstance(structure, list) else [(None, structure)])
        for key, tensor in items:
            name = label if key is None else f"{label}[{key!r}]"
            if tensor.ndim == 0:
                raise ValueError(f"{purpose}: {name} is a single number; pass one value per "
                                 "sample")
            lengths[name] = tensor.shape[0]
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"{purpose}: x and y must have the same number of samples: {detail}")
    return next(iter(lengths.values()))


def validation_adapter(validation_data, batch_size, steps):
    """fit's validation_data: a tuple (x, y[, sample_weight]), a generator or a DataLoader."""
    if isinstance(validation_data, tuple) and len(validation_data) in (2, 3):
        x, y, *weight = validation_data
        return adapter(x, y, weight[0] if weight else None, batch_size, False, steps,
                       "validation")
    return adapter(validation_data, None, None, batch_size, False, steps, "validation")


def count_samples(x) -> int:
    """The number of samples in a batch (the first axis of its first array)."""
    if isinstance(x, dict):
        x = next(iter(x.values()))
    if isinstance(x, (list, tuple)):
        x = x[0]
    return int(x.shape[0])
