"""The element structures of ``Dataset``: nested tuples/dicts of NumPy arrays, built,
walked and stacked, and what iterating shows (arrays with ``.numpy()``, ``TensorSpec``)."""
from __future__ import annotations

import numbers

import numpy as np


class EagerArray(np.ndarray):
    """A NumPy array that also answers TensorFlow's ``.numpy()`` (what iterating yields)."""

    def numpy(self):
        return np.asarray(self)

    def to_list(self):
        """Nested lists (a ragged batch's rows as lists, as ``RaggedTensor.to_list``)."""
        if self.dtype == object and self.ndim == 1:
            return [np.asarray(row).tolist() for row in self]
        return self.tolist()


class Cardinality(int):
    """An int (the number of elements, or INFINITE / UNKNOWN) with TensorFlow's ``.numpy()``."""

    def numpy(self):
        return int(self)


class TensorSpec:
    """Shape and dtype of one component of an element (``element_spec``)."""

    def __init__(self, shape, dtype):
        self.shape, self.dtype = tuple(shape), dtype

    def __eq__(self, other):
        return isinstance(other, TensorSpec) and (self.shape, self.dtype) == (other.shape,
                                                                             other.dtype)

    def __repr__(self):
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype})"


def as_leaf(value):
    """One component as a NumPy array: strings as object arrays of str, tensors
    (anything with ``__array__``, e.g. a torch tensor) converted."""
    if isinstance(value, np.ndarray) and type(value) is not np.ndarray:
        value = np.asarray(value)
    if not isinstance(value, np.ndarray):
        if hasattr(value, "detach"):  # a torch tensor from a layer in map()
            value = value.detach().cpu().numpy()
        elif isinstance(value, (str, bytes)):
            return np.array(value, dtype=object)
        else:
            value = np.asarray(value)
    if value.dtype.kind in "US":
        return value.astype(object)
    return value


def tuples(structure):
    """Lists as tuples (tf.data reads a list as one tensor, but course code passes tuples)."""
    if isinstance(structure, list) and structure and not all(
            isinstance(v, (numbers.Number, str, bytes)) for v in structure):
        return tuple(tuples(v) for v in structure)
    if isinstance(structure, tuple):
        return tuple(tuples(v) for v in structure)
    if isinstance(structure, dict):
        return {k: tuples(v) for k, v in structure.items()}
    return structure


def map_structure(function, structure):
    if isinstance(structure, tuple):
        return tuple(map_structure(function, v) for v in structure)
    if isinstance(structure, dict):
        return {k: map_structure(function, v) for k, v in structure.items()}
    return function(structure)


def flatten(structure) -> list:
    if isinstance(structure, tuple):
        return [leaf for v in structure for leaf in flatten(v)]
    if isinstance(structure, dict):
        return [leaf for v in structure.values() for leaf in flatten(v)]
    return [structure]


def pack(structure, leaves: list):
    if isinstance(structure, tuple):
        return tuple(pack(v, leaves) for v in structure)
    if isinstance(structure, dict):
        return {k: pack(v, leaves) for k, v in structure.items()}
    return leaves.pop(0)


def stack(elements):
    first = elements[0]
    columns = list(zip(*(flatten(e) for e in elements)))
    stacked = []
    for column in columns:
        shapes = {np.shape(leaf) for leaf in column}
        if len(shapes) > 1:
            raise ValueError(f"Dataset.batch: elements have different shapes {sorted(shapes)}; "
                             "pad them to one length first (e.g. with pad_sequences or "
                             "TextVectorization(output_sequence_length=...))")
        stacked.append(np.stack(column))
    return pack(first, stacked)


def per_component(value, first, count, is_shape=False):
    """A padded_batch argument per flattened component (one for all, or a structure)."""
    if value is None:
        return [None] * count
    if isinstance(value, (tuple, dict)) and not (is_shape and all(
            v is None or isinstance(v, numbers.Integral) for v in flatten(value))):
        return flatten(value)
    if isinstance(value, list) and is_shape:
        value = tuple(value)
    return [value] * count


def pad_stack(column, shape, value):
    """Stack arrays of one rank, each padded at the end to `shape` (None = the longest)."""
    arrays = [np.asarray(a) for a in column]
    longest = np.max([a.shape for a in arrays], axis=0) if arrays[0].ndim else ()
    target = tuple(int(longest[i]) if shape is None or shape[i] is None or shape[i] == -1
                   else int(shape[i]) for i in range(arrays[0].ndim))
    for a in arrays:
        if any(n > t for n, t in zip(a.shape, target)):
            raise ValueError(f"Dataset.padded_batch: an element of shape {a.shape} is longer "
                             f"than padded_shapes {target}")
    strings = arrays[0].dtype == object
    fill = ("" if strings else 0) if value is None else value
    out = np.full((len(arrays),) + target, fill, dtype=object if strings else
                  np.result_type(*arrays))
    for i, a in enumerate(arrays):
        out[(i,) + tuple(slice(0, n) for n in a.shape)] = a
    return out


def positive(value, name, method):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"Dataset.{method}: {name} must be a positive int, got {value!r}")
    return int(value)
