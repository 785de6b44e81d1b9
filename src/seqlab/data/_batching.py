"""The batching methods of ``Dataset``: ``batch``, ``padded_batch``, ``ragged_batch`` and
``unbatch``, as tf.data's (a mixin, so dataset.py stays one screenful of sources and
transforms)."""
from __future__ import annotations

import itertools

import numpy as np

from ._structure import flatten, map_structure, pack, pad_stack, per_component, positive, stack

INFINITE, UNKNOWN = -1, -2  # tf.data's cardinalities (as in dataset.py)


class Batching:
    """Mixed into Dataset: methods that group consecutive elements."""

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Stack `batch_size` consecutive elements into one (a new first axis); the last
        batch may be smaller unless ``drop_remainder=True``."""
        batch_size = positive(batch_size, "batch_size", "batch")

        def iterate():
            iterator = self._make_iterator()
            while True:
                chunk = list(itertools.islice(iterator, batch_size))
                if not chunk or (drop_remainder and len(chunk) < batch_size):
                    return
                yield stack(chunk)

        size = self._cardinality
        if size >= 0:
            size = size // batch_size if drop_remainder else -(-size // batch_size)
        dataset = type(self)(iterate, size)
        dataset._batch_size = batch_size
        return dataset

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        """``batch`` for elements of different lengths: each component padded at the end
        with `padding_values` (0, or '' for strings) to the longest in the batch, or to
        `padded_shapes` (None entries = the longest). One shape and one value for all
        components, or a structure of them matching the elements."""
        batch_size = positive(batch_size, "batch_size", "padded_batch")

        def iterate():
            iterator = self._make_iterator()
            while True:
                chunk = list(itertools.islice(iterator, batch_size))
                if not chunk or (drop_remainder and len(chunk) < batch_size):
                    return
                columns = list(zip(*(flatten(e) for e in chunk)))
                shapes = per_component(padded_shapes, chunk[0], len(columns), is_shape=True)
                values = per_component(padding_values, chunk[0], len(columns))
                yield pack(chunk[0], [pad_stack(c, sh, v) for c, sh, v in
                                      zip(columns, shapes, values)])

        size = self._cardinality
        if size >= 0:
            size = size // batch_size if drop_remainder else -(-size // batch_size)
        return type(self)(iterate, size)

    def ragged_batch(self, batch_size, drop_remainder=False, row_splits_dtype=None,
                     name=None):
        """Batch elements of different lengths without padding: each batch is an object
        array of the elements (where tf.data gives a RaggedTensor), so
        ``pad_sequences(batch.numpy())`` pads it as the TensorFlow course does."""
        batch_size = positive(batch_size, "batch_size", "ragged_batch")

        def iterate():
            iterator = self._make_iterator()
            while True:
                chunk = list(itertools.islice(iterator, batch_size))
                if not chunk or (drop_remainder and len(chunk) < batch_size):
                    return
                if isinstance(chunk[0], (tuple, dict)):
                    raise ValueError("Dataset.ragged_batch takes elements that are single "
                                     "arrays; map(lambda x, y: x) first")
                rows = np.empty(len(chunk), dtype=object)
                rows[:] = [np.asarray(e) for e in chunk]
                yield rows

        size = self._cardinality
        if size >= 0:
            size = size // batch_size if drop_remainder else -(-size // batch_size)
        return type(self)(iterate, size)

    def unbatch(self, name=None):
        """Split every element along its first axis (the inverse of ``batch``)."""
        def iterate():
            for element in self._make_iterator():
                leaves = flatten(element)
                for i in range(leaves[0].shape[0] if leaves else 0):
                    yield map_structure(lambda leaf: leaf[i, ...], element)

        return type(self)(iterate, INFINITE if self._cardinality == INFINITE else UNKNOWN)
