"""``embedding_matrix``: pretrained vectors in the row order of a Tokenizer's indices."""
from __future__ import annotations

import numpy as np


def embedding_matrix(tokenizer, vectors, oov="random", seed=0):
    """The ``(tokenizer.vocab_size, vector_size)`` matrix for ``Embedding(weights=[...])``.

    Row ``i`` is the vector of the word with index ``i``; row 0 (padding) is zeros. Words
    without a vector get small random values (``oov='random'``, uniform ±0.05 as Keras's
    Embedding), zeros, or the mean of the found vectors (``'mean'``).

    Returns ``(matrix, report)`` where `report` says how many words were found.
    """
    if oov not in ("random", "zeros", "mean"):
        raise ValueError(f"oov must be 'random', 'zeros' or 'mean', got {oov!r}")
    size = tokenizer.vocab_size
    matrix = np.zeros((size, vectors.vector_size), dtype=np.float32)
    found, missing = [], []
    for word, index in tokenizer.word_index.items():
        if index >= size:
            continue
        if word in vectors:
            matrix[index] = vectors[word]
            found.append(index)
        else:
            missing.append(index)
    if missing and oov == "random":
        rng = np.random.default_rng(seed)
        matrix[missing] = rng.uniform(-0.05, 0.05, (len(missing), vectors.vector_size))
    elif missing and oov == "mean":
        if not found:
            raise ValueError("embedding_matrix: oov='mean' needs at least one word with a "
                             "vector, but none of the tokenizer's words has one")
        matrix[missing] = matrix[found].mean(axis=0)
    words = len(found) + len(missing)
    report = {"words": words, "found": len(found), "missing": len(missing),
              "coverage": len(found) / words if words else 0.0}
    return matrix, report
