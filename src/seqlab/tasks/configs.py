"""The recipes' settings: one dataclass per recipe, and the names of its architectures.

Kept apart from the recipes, with nothing heavier than the standard library, so that the
``seqlab`` command builds its options (and answers ``--help``) without importing torch.
Each recipe module re-exports its config: ``classify.ClassifyConfig`` is this
``ClassifyConfig``.

``threads`` is the number of torch threads while the recipe trains, predicts or decodes
(None: leave torch's setting). One is the default: the models are small, a step's
matrices are too small to split, and when other processes keep the cores busy torch's
threads wait for each other at every op (see "Threads and a busy machine" in the README).
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field

# The classifier architectures of the course, by name (built by ``_classifiers``).
CLASSIFIERS = {
    "bow": "Embedding -> GlobalAveragePooling1D -> Dense(24, relu): the course's sarcasm model",
    "rnn": "Embedding(mask_zero) -> SimpleRNN(units)",
    "lstm": "Embedding(mask_zero) -> LSTM(units)",
    "gru": "Embedding(mask_zero) -> GRU(units)",
    "bilstm": "Embedding(mask_zero) -> Bidirectional(LSTM(units))",
    "stacked": "Embedding(mask_zero) -> Bidirectional(LSTM(units), sequences) -> "
               "Bidirectional(LSTM(units/2)) -> Dense(units, relu)",
    "cnn": "Embedding -> Conv1D(4 units, 5, relu) -> GlobalMaxPooling1D -> Dense(24, relu)",
    "cnn-gru": "Embedding -> Conv1D(2 units, 5, relu) -> MaxPooling1D(4) -> GRU(units)",
}

# How the classify recipe turns texts into tokens (built by ``_classifiers.build_tokenizer``).
TOKENIZERS = {
    "words": "Keras's Tokenizer: lowercased words split on spaces and punctuation",
    "subword": "SentencePiece unigram pieces learned from the training texts (--subword-vocab)",
    "morph": "Korean morphemes (Kiwi) as the Tokenizer's analyzer",
    "chars": "Keras's Tokenizer(char_level=True): every character a token",
}

# The forecasting architectures of the Keras book's Jena chapter (built by ``_forecasters``).
FORECASTERS = {
    "dense": "Flatten -> Dense(16, relu) -> Dense(1): the book's densely connected model",
    "lstm": "LSTM(units) -> [Dropout] -> Dense(1)",
    "gru": "GRU(units) -> [Dropout] -> Dense(1)",
    "stacked": "GRU(units, return_sequences) -> GRU(units) -> [Dropout] -> Dense(1)",
    "bidirectional": "Bidirectional(LSTM(units)) -> [Dropout] -> Dense(1)",
    "cnn-gru": "Conv1D(units, 5, relu) -> MaxPooling1D(2) -> GRU(units) -> [Dropout] -> "
               "Dense(1)",
}

# The long-horizon (LTSF) benchmark's forecasters (built by ``_ltsf_models``).
LTSF_MODELS = {
    "linear": "Dense(lookback -> horizon) per channel, weights shared (NLinear-style)",
    "gru": "GRU(units) over the lookback, seg_len rows per step -> Dense(horizon)",
    "lstm": "LSTM(units) over the lookback, seg_len rows per step -> Dense(horizon)",
    "segrnn": "SegRNN: segments -> Dense(units, relu) -> GRU(units); parallel decoding from "
              "position + channel embeddings -> Dense(seg_len)",
}

LONG_RANGE_CELLS = ("simplernn", "lstm", "gru")  # the cells ``inspect gradients`` compares


@dataclass
class ClassifyConfig:
    """Everything a classification run depends on (saved as config.json)."""

    data: str = "synthetic"  # a dataset name, a folder (aclImdb), or a file with texts
    test_data: str | None = None  # a separate test file (else the dataset's own test split)
    text_column: str = "text"
    label_column: str = "label"
    test_fraction: float = 0.2  # held out from a single file without a test split
    train_size: int | None = None  # the first N texts train, the rest test (not random)
    limit: int | None = None  # use at most this many training texts
    model: str = "lstm"
    tokenizer: str = "words"  # words, subword, morph or chars (TOKENIZERS)
    num_words: int = 10000
    subword_vocab: int = 8000  # ids of the subword tokenizer (padding and 256 bytes included)
    maxlen: int = 200
    padding: str = "pre"
    embedding_dim: int = 32
    units: int = 32
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    vectors: str | None = None  # pretrained vectors (GloVe/word2vec text) for the Embedding
    trainable_vectors: bool = False
    epochs: int = 5
    batch_size: int = 64
    optimizer: str = "adam"
    learning_rate: float | None = None
    validation_split: float = 0.1
    pretrain: str | None = None  # unlabelled text for a language model: a file, "imdb-unsup"
    pretrain_epochs: int = 1
    pretrain_limit: int | None = None  # use at most this many unlabelled texts
    pretrain_vocab: int = 2000  # ids the language model predicts (the rest as unknown)
    pretrain_context: int = 64  # tokens per language-model window
    pretrain_learning_rate: float = 0.01  # the language model's (the optimizer is the run's)
    pretrain_transfer: str = "all"  # layers started from the language model: "all", "embedding"
    fine_tune: str = "gradual"  # after pretraining: "gradual" unfreezing or "all" at once
    seed: int = 0
    threads: int | None = 1  # torch threads (module docstring)
    output: str = "runs/classify"
    overwrite: bool = False


@dataclass
class ForecastConfig:
    """Everything a forecasting run depends on (saved as config.json)."""

    data: str = "jena"  # "jena" (downloaded) or a CSV file with a header row
    target: str = "T (degC)"  # the column to forecast
    columns: list[str] | None = None  # input columns (default: every numeric column)
    date_column: str | None = None  # default: the first column, when it holds dates
    date_format: str | None = None  # strptime codes, for a layout not recognised by itself
    missing: str = "ffill"  # missing cells: ffill (the value above, counted) or error
    drop_categorical: bool = False  # columns of words: one-hot encoded, or dropped
    every: int | None = None  # keep every n-th row (default 6 for "jena", else 1)
    lookback: int = 120  # rows of history per window
    step: int = 1  # take every step-th of those rows
    horizon: int = 24  # the target lies this many rows after the last input
    train_fraction: float = 0.5
    val_fraction: float = 0.25
    season: int = 24  # rows per season for the seasonal-naive baseline
    model: str = "lstm"
    units: int = 16
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    epochs: int = 10
    batch_size: int = 256
    optimizer: str = "rmsprop"
    learning_rate: float | None = None
    seed: int = 0
    threads: int | None = 1  # torch threads (module docstring)
    output: str = "runs/forecast"
    overwrite: bool = False


@dataclass
class GenerateConfig:
    """Everything a language-model run depends on (saved as config.json)."""

    data: str = ""  # a UTF-8 text file
    level: str = "word"
    mode: str = "lines"
    context: int | None = None  # tokens the model reads (lines: longest line − 1)
    step: int = 3  # windows: the stride between windows
    num_words: int | None = None  # keep the most frequent words only (word level)
    cell: str = "lstm"
    layers: int = 2
    bidirectional: bool = False  # one Bidirectional layer (the course); no fast sampling
    units: int = 150
    embedding_dim: int = 100
    dropout: float = 0.0  # a Dropout layer before the output
    epochs: int = 30
    keep: str = "best"  # best: the epoch of lowest held-out perplexity; last: the last one
    patience: int | None = 5  # keep=best: stop after this many epochs without a new lowest
    batch_size: int = 64
    optimizer: str = "adam"
    learning_rate: float | None = 0.01  # the course's rate for this model
    validation_fraction: float = 0.1
    seed: int = 0
    threads: int | None = 1  # torch threads (module docstring)
    output: str = "runs/generate"
    overwrite: bool = False


@dataclass
class Seq2SeqConfig:
    """Everything a seq2seq run depends on (saved as config.json)."""

    data: str = "dates"  # a generated task (dates, reverse, addition) or a TSV file
    samples: int = 20000  # pairs to generate for a built-in task
    limit: int | None = None  # use at most this many pairs of a file (a seeded sample)
    level: str = "char"  # tokens: "char" or "word"
    num_words: int | None = None  # vocabulary limit per side (None: every training token)
    cell: str = "lstm"  # "lstm" or "gru"
    bidirectional: bool = False  # a Bidirectional encoder (the decoder gets 2 * units)
    units: int = 128
    embedding_dim: int = 32
    dropout: float = 0.0  # input dropout of the encoder and the decoder
    epochs: int = 12
    batch_size: int = 64
    optimizer: str = "adam"
    # twice Adam's default: on "dates" 95% exact match after 12 epochs at 0.001, 99.9% at 0.002
    learning_rate: float | None = 0.002
    clipnorm: float | None = 1.0  # gradient norm clipping (None: off)
    validation_fraction: float = 0.1
    test_fraction: float = 0.1
    beam_width: int = 4  # the beam search of the reported figure and of translate
    length_penalty: float = 0.0  # GNMT's alpha: 0 ranks beams by log-probability
    seed: int = 0
    # torch threads while training and decoding. On 2 cores shared with other jobs one
    # thread trained "dates" at 9-13 s per epoch; two threads took as long at best and up to
    # 250 s per epoch when the other jobs kept both cores busy.
    threads: int | None = 1
    output: str = "runs/seq2seq"
    overwrite: bool = False


@dataclass
class LongRangeConfig:
    """The long-range task and the models compared on it."""

    length: int = 100  # T of the gradient picture
    lengths: list[int] = field(default_factory=lambda: [10, 50, 100])  # T values of the race
    cells: list[str] = field(default_factory=lambda: list(LONG_RANGE_CELLS))
    units: int = 16
    embedding_dim: int = 8
    vocabulary: int = 10  # token ids 0 .. vocabulary-1; 1 and 2 carry the label, 3.. are noise
    sequences: int = 64  # random sequences the gradient norms are averaged over
    seeds: int = 3  # initialisations the gradient norms are averaged over
    train_size: int = 1000  # race: training sequences per T
    test_size: int = 500
    epochs: int = 5
    batch_size: int = 32
    learning_rate: float = 0.01  # Adam
    seed: int = 0


@dataclass
class DemoConfig:
    output: str = "runs/demo"  # the demo replaces its own earlier run folders here
    models: list[str] = field(default_factory=lambda: ["bow", "lstm"])
    epochs: int = 6
    seed: int = 0
    threads: int | None = 1  # torch threads (module docstring)


@dataclass
class SamplingSettings:
    """How to pick each next token; the defaults keep lyrics varied without drifting."""

    temperature: float = 0.8
    top_k: int | None = None
    top_p: float | None = 0.9
    repetition_penalty: float = 1.3
    no_repeat_ngram_size: int | None = 3

    def check(self):
        """Raise ValueError naming the first setting out of range."""
        if not _number(self.temperature) or self.temperature < 0:
            raise ValueError(f"temperature must be a number >= 0 (0 means greedy), got "
                             f"temperature={self.temperature!r}")
        if self.top_k is not None and (not _whole(self.top_k) or self.top_k < 1):
            raise ValueError(f"top_k must be a whole number >= 1 (or None for no limit), got "
                             f"top_k={self.top_k!r}")
        if self.top_p is not None and (not _number(self.top_p) or not 0 < self.top_p <= 1):
            raise ValueError(f"top_p must be in (0, 1] (1 keeps every token), got "
                             f"top_p={self.top_p!r}")
        if not _number(self.repetition_penalty) or self.repetition_penalty < 1:
            raise ValueError(f"repetition_penalty must be a number >= 1 (1 means none), got "
                             f"repetition_penalty={self.repetition_penalty!r}")
        if self.no_repeat_ngram_size is not None and (
                not _whole(self.no_repeat_ngram_size) or self.no_repeat_ngram_size < 1):
            raise ValueError(f"no_repeat_ngram_size must be a whole number >= 1 (or None), got "
                             f"no_repeat_ngram_size={self.no_repeat_ngram_size!r}")
        return self


def _number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _whole(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
