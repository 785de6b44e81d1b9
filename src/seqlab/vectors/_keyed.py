"""``KeyedVectors``: words and their vectors, kept apart from whatever trained them."""
from __future__ import annotations

import numpy as np


class KeyedVectors:
    """A read-only table of word vectors: ``vectors[word]``, ``word in vectors``, ``len``."""

    def __init__(self, words, vectors):
        vectors = np.array(vectors, dtype=np.float32)  # a copy: the caller keeps its array
        if vectors.ndim != 2 or len(words) != vectors.shape[0]:
            raise ValueError(f"KeyedVectors needs one row per word: {len(words)} words, "
                             f"vectors of shape {vectors.shape}")
        self.index_to_key = list(words)
        self.key_to_index = {word: i for i, word in enumerate(self.index_to_key)}
        if len(self.key_to_index) != len(self.index_to_key):
            repeated = next(w for i, w in enumerate(self.index_to_key)
                            if self.key_to_index[w] != i)
            raise ValueError(f"KeyedVectors: the words must be unique; {repeated!r} appears "
                             "more than once")
        vectors.setflags(write=False)
        self.vectors = vectors

    @property
    def vector_size(self) -> int:
        return self.vectors.shape[1]

    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, word):
        return word in self.key_to_index

    def __getitem__(self, word):
        try:
            return self.vectors[self.key_to_index[word]]
        except KeyError:
            raise KeyError(f"{word!r} is not among the {len(self):,} words of these vectors") \
                from None

    def __repr__(self):
        return f"KeyedVectors({len(self):,} words x {self.vector_size})"
