"""``Dataset``: the part of ``tf.data.Dataset`` that Keras courses and books use, on NumPy.

It covers what the Keras book (second edition) and the TensorFlow course's NLP module call:
``from_tensor_slices`` (arrays, tuples, dicts), ``from_tensors``, ``from_generator``,
``range``, ``zip``, ``map``, ``filter``, ``batch`` (``drop_remainder``), ``padded_batch``,
``ragged_batch`` (object arrays of rows), ``unbatch``, ``enumerate``, ``flat_map``,
``reduce``, ``apply``, ``get_single_element``,
``shuffle`` (``buffer_size``, ``seed``, ``reshuffle_each_iteration``), ``prefetch``,
``cache`` (in memory), ``take``, ``skip``, ``repeat``, ``concatenate``,
``as_numpy_iterator``, ``cardinality``/``len`` where known, and a minimal
``element_spec``. It is not all of tf.data: no ragged or sparse tensors, no
``interleave``/``window`` (asking names the nearest method), no parallelism (``num_parallel_calls`` and
``deterministic`` are accepted and ignored), no file cache, and no graph tracing: the
function given to ``map`` runs in Python on NumPy arrays.

An element is an array, a tuple of elements or a dict of elements; arrays are NumPy
arrays, strings are object arrays of ``str``. Iterating a dataset (``for x, y in ds``)
yields arrays that also have TensorFlow's ``.numpy()``; ``as_numpy_iterator()`` yields
plain NumPy arrays. ``Model.fit``/``evaluate``/``predict`` take a dataset of batches
(``(x, y)`` or ``(x, y, sample_weight)`` tuples, or ``x`` alone for ``predict``), one
pass per epoch, as Keras.

Randomness differs from TensorFlow's: ``shuffle(seed=...)`` is repeatable but does not
give TensorFlow's order. Nothing here imports torch.

>>> ds = Dataset.from_tensor_slices(np.arange(10)).filter(lambda x: x % 2 == 0).batch(2)
>>> [b.tolist() for b in ds.as_numpy_iterator()], ds.cardinality() == UNKNOWN
([[0, 2], [4, 6], [8]], True)
"""
from __future__ import annotations

import itertools

import numpy as np

from ._batching import Batching
from ._structure import (Cardinality, EagerArray, TensorSpec, as_leaf, flatten, map_structure,
                         pack, positive, tuples)

INFINITE = INFINITE_CARDINALITY = -1  # tf.data.INFINITE_CARDINALITY
UNKNOWN = UNKNOWN_CARDINALITY = -2  # tf.data.UNKNOWN_CARDINALITY
AUTOTUNE = -1  # tf.data.AUTOTUNE: accepted wherever a buffer size or parallelism goes


class Dataset(Batching):
    """A re-iterable, lazily computed sequence of elements (see the module docstring)."""

    def __init__(self, make_iterator, cardinality=UNKNOWN, spec=None):
        self._make_iterator = make_iterator  # () -> an iterator of elements
        self._cardinality = cardinality
        self._spec = spec

    # ------------------------------------------------------------- sources

    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """One element per row (first axis) of `tensors`: an array, or a tuple/list/dict
        of arrays with the same first size."""
        structure = map_structure(as_leaf, tuples(tensors))
        sizes = {leaf.shape[0] if leaf.ndim else None for leaf in flatten(structure)}
        if None in sizes:
            raise ValueError("Dataset.from_tensor_slices needs arrays with a first axis to "
                             f"slice, got a scalar in {tensors!r}; use from_tensors for one "
                             "element")
        if len(sizes) != 1:
            raise ValueError("Dataset.from_tensor_slices: every component must have the same "
                             f"first size, got sizes {sorted(sizes)}")
        size = sizes.pop()

        def iterate():
            for i in range(size):
                yield map_structure(lambda leaf: leaf[i, ...], structure)

        return Dataset(iterate, size)

    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset of one element: `tensors` as a whole."""
        element = map_structure(as_leaf, tuples(tensors))
        return Dataset(lambda: iter([element]), 1)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """Elements from ``generator(*args)``, called anew for every pass. The type and
        shape arguments are accepted (tf.data needs them) and not checked."""
        if not callable(generator):
            raise TypeError("Dataset.from_generator takes a callable that returns an iterator "
                            f"(e.g. the generator function itself), got {generator!r}")
        arguments = tuple(args or ())
        return Dataset(lambda: (map_structure(as_leaf, tuples(e))
                                for e in generator(*arguments)), UNKNOWN)

    @staticmethod
    def range(*args, dtype=None, name=None):
        """Like Python's ``range``: ``Dataset.range(5)`` -> 0, 1, 2, 3, 4 (int64)."""
        numbers_ = range(*args)
        kind = np.dtype(dtype or "int64")
        return Dataset(lambda: (np.asarray(i, dtype=kind) for i in numbers_), len(numbers_))

    @staticmethod
    def zip(*datasets, name=None):
        """Elements of several datasets side by side: ``zip((a, b))`` or ``zip(a, b)``;
        a dict of datasets gives dict elements. As long as the shortest."""
        structure = datasets[0] if len(datasets) == 1 else datasets
        if isinstance(structure, Dataset):
            structure = (structure,)
        parts = flatten(tuples(structure))
        for part in parts:
            if not isinstance(part, Dataset):
                raise TypeError(f"Dataset.zip takes datasets, got {type(part).__name__}")
        known = [p._cardinality for p in parts]
        finite = [c for c in known if c >= 0]
        if finite:
            size = min(finite) if UNKNOWN not in known else UNKNOWN
        else:
            size = UNKNOWN if UNKNOWN in known else INFINITE

        def iterate():
            for values in zip(*(p._make_iterator() for p in parts)):
                yield pack(tuples(structure), list(values))

        return Dataset(iterate, size)

    # ---------------------------------------------------------- transforms

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """``map_func`` on every element; a tuple element is passed as separate arguments,
        as tf.data does. Tensors it returns (e.g. from a layer) become NumPy arrays."""
        def iterate():
            for element in self._make_iterator():
                result = map_func(*element) if isinstance(element, tuple) else map_func(element)
                yield map_structure(as_leaf, tuples(result))

        return Dataset(iterate, self._cardinality)

    def filter(self, predicate, name=None):
        """The elements for which ``predicate`` (tuples unpacked, as ``map``) is true."""
        def iterate():
            for element in self._make_iterator():
                keep = predicate(*element) if isinstance(element, tuple) else predicate(element)
                if bool(np.asarray(keep)):
                    yield element

        return Dataset(iterate, INFINITE if self._cardinality == INFINITE else UNKNOWN)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None, name=None):
        """tf.data's buffered shuffle: keep `buffer_size` elements, yield a random one and
        put the next element in its place. A buffer at least the dataset's size gives a
        uniform shuffle. ``reshuffle_each_iteration`` (default True) draws a new order
        every pass; with a seed (or after ``seqlab.set_seed``) the sequence of orders
        repeats from run to run."""
        buffer_size = len_or(self, buffer_size)
        buffer_size = positive(buffer_size, "buffer_size", "shuffle")
        reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        passes = itertools.count()

        def iterate():
            if seed is None:  # from NumPy's global generator, so seqlab.set_seed repeats it
                rng = np.random.default_rng(np.random.randint(2**31))
            else:  # pass k of a seeded shuffle: the same order in every run
                rng = np.random.default_rng([int(seed), next(passes) if reshuffle else 0])
            buffer = []
            for element in self._make_iterator():
                if len(buffer) < buffer_size:
                    buffer.append(element)
                    continue
                index = int(rng.integers(len(buffer)))
                yield buffer[index]
                buffer[index] = element
            while buffer:
                yield buffer.pop(int(rng.integers(len(buffer))))

        return Dataset(iterate, self._cardinality)

    def prefetch(self, buffer_size=AUTOTUNE, name=None):
        """Accepted for compatibility: elements are computed when asked for (no thread)."""
        return self

    def cache(self, filename="", name=None):
        """Keep the elements in memory after the first full pass (``filename`` must be
        empty: a file cache is not supported)."""
        if filename:
            raise ValueError(f"Dataset.cache(filename={filename!r}): only the in-memory cache "
                             "is supported; call cache() without a filename")
        stored = []
        complete = [False]

        def iterate():
            if complete[0]:
                yield from stored
                return
            stored.clear()
            for element in self._make_iterator():
                stored.append(element)
                yield element
            complete[0] = True

        return Dataset(iterate, self._cardinality)

    def enumerate(self, start=0, name=None):
        """``(index, element)`` pairs, the index an int64 counting from `start`."""
        def iterate():
            for index, element in enumerate(self._make_iterator(), start):
                yield np.asarray(index, dtype=np.int64), element

        return Dataset(iterate, self._cardinality)

    def flat_map(self, map_func, name=None):
        """``map_func`` (tuples unpacked) returns a Dataset per element; their elements in
        turn."""
        def iterate():
            for element in self._make_iterator():
                inner = map_func(*element) if isinstance(element, tuple) else map_func(element)
                yield from inner._make_iterator()

        return Dataset(iterate, INFINITE if self._cardinality == INFINITE else UNKNOWN)

    def apply(self, transformation_func):
        """``transformation_func(self)``, for chaining."""
        return transformation_func(self)

    def reduce(self, initial_state, reduce_func, name=None):
        """Fold the elements: ``state = reduce_func(state, element)`` from `initial_state`."""
        state = initial_state
        for element in self._make_iterator():
            state = reduce_func(state, element)
        return state

    def take(self, count, name=None):
        """The first `count` elements (all of them when ``count == -1``)."""
        count = int(count)
        if count < 0:
            return self
        size = count if self._cardinality in (INFINITE,) else (
            min(count, self._cardinality) if self._cardinality >= 0 else UNKNOWN)
        return Dataset(lambda: itertools.islice(self._make_iterator(), count), size)

    def skip(self, count, name=None):
        """All but the first `count` elements (none when ``count == -1``)."""
        count = int(count)
        if count < 0:
            return Dataset(lambda: iter(()), 0)
        size = self._cardinality if self._cardinality < 0 else max(self._cardinality - count, 0)
        return Dataset(lambda: itertools.islice(self._make_iterator(), count, None), size)

    def repeat(self, count=None, name=None):
        """The elements `count` times over (forever when ``count`` is None or -1)."""
        forever = count is None or int(count) < 0
        if forever:
            size = 0 if self._cardinality == 0 else INFINITE
        else:
            size = self._cardinality * int(count) if self._cardinality >= 0 else \
                self._cardinality
            if int(count) == 0:
                size = 0

        def iterate():
            for _ in (itertools.count() if forever else range(int(count))):
                yield from self

        return Dataset(iterate, size)

    def concatenate(self, dataset, name=None):
        """This dataset's elements, then `dataset`'s."""
        sizes = (self._cardinality, dataset._cardinality)
        if INFINITE in sizes:
            size = INFINITE
        else:
            size = sum(sizes) if min(sizes) >= 0 else UNKNOWN
        return Dataset(lambda: itertools.chain(self._make_iterator(),
                                               dataset._make_iterator()), size)

    # ------------------------------------------------------------ reading

    def __iter__(self):
        for element in self._make_iterator():
            yield map_structure(lambda leaf: leaf.view(EagerArray), element)

    def as_numpy_iterator(self):
        """The elements as plain NumPy arrays, a single number or string as a NumPy scalar
        or ``str`` (as tf.data gives NumPy scalars; TensorFlow's strings are bytes)."""
        return (map_structure(_numpy_value, e) for e in self._make_iterator())

    def get_single_element(self, name=None):
        """The one element of a dataset that has exactly one (as an iterated element)."""
        iterator = iter(self)
        first = next(iterator, None)
        if first is None or next(iterator, None) is not None:
            raise ValueError("Dataset.get_single_element needs a dataset of exactly one "
                             "element, e.g. ragged_batch(dataset.cardinality()) or batch(n)")
        return first

    def cardinality(self):
        """The number of elements, INFINITE (-1) or UNKNOWN (-2), as tf.data."""
        return Cardinality(self._cardinality)

    def __len__(self):
        if self._cardinality == INFINITE:
            raise TypeError("The dataset is infinite.")
        if self._cardinality == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return self._cardinality

    def __bool__(self):
        return True

    def __getattr__(self, name):
        if name in _NOT_SUPPORTED:
            raise AttributeError(f"seqlab's Dataset has no {name}() (tf.data.Dataset.{name}): it "
                                 "covers what Keras courses use; nearest: "
                                 f"{_NOT_SUPPORTED[name]}")
        raise AttributeError(f"'Dataset' object has no attribute {name!r}")

    @property
    def element_spec(self):
        """The first element's structure as ``TensorSpec(shape, dtype)`` entries (shapes
        as seen in that element; the first axis of a batch is None)."""
        first = next(iter(self._make_iterator()), None)
        if first is None:
            return None
        batched = getattr(self, "_batch_size", None) is not None
        return map_structure(lambda leaf: TensorSpec(
            ((None,) + leaf.shape[1:]) if batched and leaf.ndim else leaf.shape,
            "string" if leaf.dtype == object else str(leaf.dtype)), first)

    def __repr__(self):
        size = {INFINITE: "infinite", UNKNOWN: "unknown"}.get(self._cardinality,
                                                           str(self._cardinality))
        return f"<seqlab Dataset: {size} elements>"


# ----------------------------------------------------------------- helpers

_NOT_SUPPORTED = {
    "interleave": "flat_map (in order, no parallelism)",
    "window": "batch, or timeseries_dataset_from_array for sliding windows",
    "group_by_window": "padded_batch on sorted elements",
    "bucket_by_sequence_length": "padded_batch",
    "sparse_batch": "padded_batch",
    "rebatch": "unbatch().batch(n)",
    "snapshot": "cache() (in memory)",
    "save": "numpy.save of as_numpy_iterator()'s arrays",
    "shard": "skip/take, or filter on enumerate()",
    "sample_from_datasets": "concatenate(...).shuffle(...)",
    "choose_from_datasets": "concatenate",
    "with_options": "nothing: there are no options",
    "options": "nothing: there are no options",
}


def len_or(dataset, buffer_size):
    """AUTOTUNE (-1) as a buffer size: the whole dataset when its size is known."""
    if buffer_size == AUTOTUNE and dataset._cardinality >= 0:
        return max(dataset._cardinality, 1)
    return buffer_size


def _numpy_value(leaf):
    leaf = np.asarray(leaf)
    return leaf[()] if leaf.ndim == 0 else leaf
