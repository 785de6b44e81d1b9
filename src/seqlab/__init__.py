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

__all__ = [
    "Tokenizer",
    "__version__",
    "hashing_trick",
    "one_hot",
    "pad_sequences",
    "text_to_word_sequence",
    "to_categorical",
    "tokenizer_from_json",
]
