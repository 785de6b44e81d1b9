"""seqlab: the classic sequence-modeling stack with Keras semantics on PyTorch.

The package is a set of subpackages, each with its own public names (``help()`` on any):

    seqlab.text      Keras 2's text preprocessing: Tokenizer, pad_sequences, one_hot, ...
                     (also importable from ``seqlab`` itself, below)
    seqlab.layers    Keras's layers as torch modules: Embedding, SimpleRNN, LSTM, GRU,
                     Bidirectional, Dense, Conv1D, ...
    seqlab.models    Sequential and functional Model: compile, fit, evaluate, predict,
                     summary, save/load_model, losses, metrics, optimizers, callbacks
    seqlab.data      dataset readers (IMDB, sarcasm, tables, time series), checked
                     downloads, generated data, forecasting windows
    seqlab.vectors   co-occurrence/PPMI/SVD, word2vec, KeyedVectors, GloVe files,
                     embedding_matrix, analogy and word-pair evaluation
    seqlab.tasks     the recipes (classify, forecast, generate, seq2seq, inspect) that the
                     command runs, each a config dataclass plus one call
    seqlab.viz       the plots the recipes write

The command line: ``seqlab --help`` (or ``python -m seqlab --help``). This module's own
names are the text functions below, ``set_seed`` and ``__version__``; names starting with
an underscore anywhere are private.
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
