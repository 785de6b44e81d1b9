"""The classifier architectures of the course, by name (``build_classifier``), and the
tokenizers a classification run can use (``build_tokenizer``)."""
from __future__ import annotations

from ..layers import (
    GRU,
    LSTM,
    Bidirectional,
    Conv1D,
    Dense,
    Dropout,
    Embedding,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    Input,
    MaxPooling1D,
    SimpleRNN,
)
from ..models import Sequential
from ..text import KoreanAnalyzer, SubwordTokenizer, Tokenizer
from .configs import CLASSIFIERS, TOKENIZERS

ARCHITECTURES = CLASSIFIERS



def build_tokenizer(kind, num_words=10000, subword_vocab=8000, seed=0):
    """The unfitted tokenizer named `kind` (a key of ``TOKENIZERS``); index 0 is padding
    and index 1 the unknown token in all four."""
    if kind == "subword":
        return SubwordTokenizer(num_words=subword_vocab, seed=seed)
    if kind not in TOKENIZERS:
        raise ValueError(f"Unknown tokenizer {kind!r}; choose one of: {', '.join(TOKENIZERS)}")
    return Tokenizer(num_words=num_words, oov_token="<OOV>", char_level=kind == "chars",
                     analyzer=KoreanAnalyzer() if kind == "morph" else None)


def build_classifier(name, vocab_size, classes, embedding_dim=32, units=32, dropout=0.0,
                     recurrent_dropout=0.0, embedding_weights=None, trainable_embedding=True,
                     maxlen=None):
    """A ``Sequential`` classifier; its head is ``Dense(1, sigmoid)`` for two classes and
    ``Dense(classes, softmax)`` otherwise. With `maxlen` it starts from
    ``Input(shape=(maxlen,))``, so it is built (and ``summary()`` counts) at once."""
    if name not in ARCHITECTURES:
        raise ValueError(f"Unknown model {name!r}; choose one of: {', '.join(ARCHITECTURES)}")
    if classes < 2:
        raise ValueError(f"A classifier needs at least 2 classes, got {classes}")
    recurrent = dict(dropout=dropout, recurrent_dropout=recurrent_dropout)
    masked = name in ("rnn", "lstm", "gru", "bilstm", "stacked")
    embedding = Embedding(vocab_size, embedding_dim, mask_zero=masked,
                          weights=None if embedding_weights is None else [embedding_weights],
                          trainable=trainable_embedding)
    body = {
        "bow": lambda: [GlobalAveragePooling1D(), Dense(24, activation="relu")],
        "rnn": lambda: [SimpleRNN(units, **recurrent)],
        "lstm": lambda: [LSTM(units, **recurrent)],
        "gru": lambda: [GRU(units, **recurrent)],
        "bilstm": lambda: [Bidirectional(LSTM(units, **recurrent))],
        "stacked": lambda: [Bidirectional(LSTM(units, return_sequences=True, **recurrent)),
                            Bidirectional(LSTM(max(units // 2, 1), **recurrent)),
                            Dense(units, activation="relu")],
        "cnn": lambda: [Conv1D(4 * units, 5, activation="relu"), GlobalMaxPooling1D(),
                        Dense(24, activation="relu")],
        "cnn-gru": lambda: [Conv1D(2 * units, 5, activation="relu"), MaxPooling1D(4),
                            GRU(units, **recurrent)],
    }[name]()
    if dropout and name in ("bow", "cnn", "stacked"):
        body.insert(-1, Dropout(dropout))
    head = Dense(1, activation="sigmoid") if classes == 2 else Dense(classes,
                                                                     activation="softmax")
    start = [] if maxlen is None else [Input(shape=(maxlen,), dtype="int32")]
    return Sequential([*start, embedding, *body, head],
                      name=f"classifier_{name.replace('-', '_')}")
