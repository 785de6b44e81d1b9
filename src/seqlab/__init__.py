"""seqlab: the classic sequence-modeling stack with Keras semantics on PyTorch.

Public names are listed here once; everything else is private.
"""
from .text import (
    Tokenizer,
    hashing_trick,
    one_hot,
    pad_sequences,
    text_to_word_sequence,
    to_categorical,
    tokenizer_from_json,
)

__version__ = "0.1.0"


def set_seed(seed: int) -> None:
    """Seed Python's, NumPy's and torch's random generators: with the same seed, model
    building, shuffling, dropout and fit repeat exactly on the same machine."""
    import random

    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)

__all__ = [
    "Tokenizer",
    "__version__",
    "set_seed",
    "hashing_trick",
    "one_hot",
    "pad_sequences",
    "text_to_word_sequence",
    "to_categorical",
    "tokenizer_from_json",
]
