"""Bag-of-words matrices from sequences of word indices (Keras 2's ``sequences_to_matrix``).

For row ``r`` (a sequence of length ``n_r``) and column ``j < width``, with ``c``
the number of times ``j`` occurs in the row:

    binary:  x[r, j] = 1                                   (c > 0)
    count:   x[r, j] = c
    freq:    x[r, j] = c / n_r                             (n_r counts every index,
                                                            those >= width included)
    tfidf:   x[r, j] = (1 + ln c) * ln(1 + D / (1 + d_j))  (c > 0)

where ``D`` is the number of documents fitted on and ``d_j`` the number of them
containing index ``j`` (Wikipedia's tf-idf weighting scheme 2, as Keras). Indices
``>= width`` are ignored; entries with ``c = 0`` are 0. The arithmetic is done in
float64 in the same order as Keras, so results are identical, not merely close.
"""
from __future__ import annotations

from itertools import chain

import numpy as np

MODES = ("binary", "count", "tfidf", "freq")


def bag_of_words(sequences, width: int, mode: str, document_count: int, index_docs) -> np.ndarray:
    """The ``(len(sequences), width)`` float64 matrix of `sequences` in `mode` (see module doc)."""
    indices, lengths = _flatten(sequences)
    n_rows = len(lengths)
    x = np.zeros((n_rows, width))
    if indices.size == 0:
        return x
    if indices.min() < 0:
        position = int(np.argmax(indices < 0))
        row = int(np.searchsorted(np.cumsum(lengths), position, side="right"))
        raise ValueError(f"sequences_to_matrix: sequences[{row}] holds the negative index "
                         f"{int(indices[position])}; word indices are >= 0")
    rows = np.repeat(np.arange(n_rows), lengths)
    kept = indices < width
    np.add.at(x.reshape(-1), rows[kept] * width + indices[kept], 1.0)
    if mode == "binary":
        np.minimum(x, 1.0, out=x)
    elif mode == "freq":
        np.divide(x, lengths[:, None], out=x, where=lengths[:, None] > 0)
    elif mode == "tfidf":
        in_docs = np.array([index_docs.get(j, 0) for j in range(width)], dtype=np.float64)
        idf = np.log(1.0 + document_count / (1.0 + in_docs))
        present = np.nonzero(x)
        x[present] = (1.0 + np.log(x[present])) * idf[present[1]]
    return x


def _flatten(sequences):
    """All indices as one int64 array, plus each sequence's length."""
    if isinstance(sequences, np.ndarray) and sequences.ndim == 2:
        rows = sequences
        flat = sequences.reshape(-1)
        lengths = np.full(sequences.shape[0], sequences.shape[1], dtype=np.int64)
    else:
        if sequences is None or isinstance(sequences, (str, bytes)):
            raise TypeError(f"sequences_to_matrix: sequences must be a list of lists of word "
                            f"indices, got {type(sequences).__name__}")
        rows = list(sequences)
        for position, row in enumerate(rows):
            if row is None or isinstance(row, (str, bytes)) or not hasattr(row, "__len__"):
                raise TypeError(f"sequences_to_matrix: sequences[{position}] is "
                                f"{type(row).__name__}; expected a list of word indices")
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        flat = np.array(list(chain.from_iterable(rows)))
    if flat.size and flat.dtype.kind not in "iu":
        bad, value = next((i, v) for i, v in enumerate(chain.from_iterable(rows))
                          if not _is_int(v))
        row = int(np.searchsorted(np.cumsum(lengths), bad, side="right"))
        raise TypeError(f"sequences_to_matrix: sequences[{row}] holds {value!r}; "
                        "word indices must be integers")
    return flat.astype(np.int64, copy=False), lengths


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
