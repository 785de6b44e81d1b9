"""Recipe: fit a Tokenizer on texts (or load one), turn the texts into a padded batch.

    texts --Tokenizer.fit_on_texts--> vocabulary
          --texts_to_sequences-->    lists of word indices   (one per text)
          --pad_sequences-->         int32 array (n_texts, maxlen)

The numbers reported are the ones needed to choose ``num_words`` and ``maxlen``
and to size the ``Embedding`` that will read the batch.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..text import DEFAULT_FILTERS, Tokenizer, pad_sequences


@dataclass
class TokenizeConfig:
    """Tokenizer and padding settings, with Keras's defaults."""

    num_words: int | None = None
    oov_token: str | None = None
    lower: bool = True
    char_level: bool = False
    filters: str = DEFAULT_FILTERS
    split: str = " "
    maxlen: int | None = None
    padding: str = "pre"
    truncating: str = "pre"


@dataclass
class TokenizeResult:
    tokenizer: Tokenizer
    sequences: list[list[int]]
    padded: np.ndarray  # (n_texts, maxlen) int32
    lengths: np.ndarray = field(init=False)  # tokens per text before padding

    def __post_init__(self):
        self.lengths = np.fromiter(map(len, self.sequences), dtype=np.int64,
                                   count=len(self.sequences))

    @property
    def truncated(self) -> int:
        """How many texts lost tokens to ``maxlen``."""
        return int(np.count_nonzero(self.lengths > self.padded.shape[1]))

    @property
    def oov_share(self) -> float | None:
        """Share of the output tokens that are the OOV index (None without oov_token)."""
        oov = self.tokenizer.word_index.get(self.tokenizer.oov_token)
        total = int(self.lengths.sum())
        if self.tokenizer.oov_token is None or oov is None or total == 0:
            return None
        return sum(sequence.count(oov) for sequence in self.sequences) / total


def tokenize(texts: list[str], config: TokenizeConfig, tokenizer: Tokenizer | None = None):
    """Fit a tokenizer on `texts` (unless one is given), then convert and pad them."""
    if not texts:
        raise ValueError("no texts to tokenize: the input (the files, or standard input) is "
                         "empty; give a UTF-8 text file with one text per line")
    if tokenizer is None:
        tokenizer = Tokenizer(num_words=config.num_words, filters=config.filters,
                              lower=config.lower, split=config.split,
                              char_level=config.char_level, oov_token=config.oov_token)
        tokenizer.fit_on_texts(texts)
        if not tokenizer.word_counts:
            raise ValueError(f"the {len(texts)} texts hold no words once split and filtered "
                             "(blank lines or punctuation only?): nothing to build a "
                             "vocabulary from")
    sequences = tokenizer.texts_to_sequences(texts)
    maxlen = config.maxlen
    if maxlen is None and not sequences:
        maxlen = 0
    padded = pad_sequences(sequences, maxlen=maxlen, padding=config.padding,
                           truncating=config.truncating)
    return TokenizeResult(tokenizer, sequences, padded)
