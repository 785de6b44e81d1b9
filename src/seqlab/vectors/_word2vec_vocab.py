"""word2vec's vocabulary: counting a corpus in one pass, and the tables training samples from."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from ._word2vec_reference import FULL_THRESHOLD


def count_words(sentences, max_vocab_size=None):
    """One pass over the corpus: (Counter of tokens, raw token count, sentence count).

    With `max_vocab_size`, the count is pruned as word2vec.c does whenever it grows past
    that many words: every word seen at most n times so far is dropped, with n starting
    at 1 and rising by one at each pruning, so memory stays bounded (and the counts of
    rare words become approximate).
    """
    counts, raw, number, min_reduce = Counter(), 0, 0, 1
    for number, sentence in enumerate(sentences, 1):
        if isinstance(sentence, (str, bytes)):
            raise TypeError(f"sentence {number} is a {type(sentence).__name__} "
                            f"({_preview(sentence)}): each sentence must be a list of tokens; "
                            "split the text first (e.g. text.split())")
        if not hasattr(sentence, "__len__"):
            raise TypeError(f"sentence {number} is a {type(sentence).__name__}: each sentence "
                            "must be a list (or tuple) of str tokens")
        counts.update(sentence)
        raw += len(sentence)
        if max_vocab_size is not None and len(counts) > max_vocab_size:
            counts = Counter({w: c for w, c in counts.items() if c > min_reduce})
            min_reduce += 1
    for token in counts:  # checked once per distinct token, not per occurrence
        if not isinstance(token, str):
            raise TypeError(f"the corpus holds a token {token!r} of type "
                            f"{type(token).__name__}: tokens must be str")
    return counts, raw, number


def _preview(text) -> str:
    return repr(text[:40]) + ("…" if len(text) > 40 else "")


@dataclass
class Vocabulary:
    """The words kept for training, most frequent first, and their corpus counts."""

    words: list
    counts: np.ndarray       # int64, aligned with words
    raw_words: int           # tokens per pass over the corpus, kept or not
    sentences: int

    @classmethod
    def build(cls, counted, raw_words, sentences, min_count):
        """Keep the words seen at least `min_count` times, by descending count (ties in
        order of first appearance), or say clearly why nothing can be kept."""
        if raw_words == 0:
            raise ValueError("the corpus is empty: it holds no tokens (was it already "
                             "consumed, e.g. a generator passed twice?)")
        kept = sorted(((w, c) for w, c in counted.items() if c >= min_count),
                      key=lambda item: -item[1])
        if not kept:
            word, count = counted.most_common(1)[0]
            raise ValueError(f"no word occurs min_count={min_count} times in the corpus of "
                             f"{raw_words} tokens (the most frequent, {word!r}, occurs {count} "
                             f"times); lower min_count or train on more text")
        return cls([w for w, _ in kept], np.array([c for _, c in kept], dtype=np.int64),
                   raw_words, sentences)

    def __len__(self):
        return len(self.words)

    def index(self) -> dict:
        return {word: i for i, word in enumerate(self.words)}

    def keep_thresholds(self, sample: float) -> np.ndarray:
        """Frequent-word subsampling as word2vec.c: a word making up the fraction f of the
        kept corpus survives with probability min(1, (sqrt(f / sample) + 1) · sample / f),
        stored as a threshold on 32 random bits (2**32: always kept)."""
        if not sample:
            return np.full(len(self), FULL_THRESHOLD, dtype=np.uint64)
        threshold = sample * float(self.counts.sum())
        probability = (np.sqrt(self.counts / threshold) + 1.0) * threshold / self.counts
        return np.minimum(np.round(probability * 2.0**32), FULL_THRESHOLD).astype(np.uint64)

    def alias_table(self, ns_exponent: float):
        """Vose's alias table for drawing negatives with probability ∝ count**ns_exponent:
        one column drawn uniformly, then the column's own word if 32 random bits fall
        below its threshold, else its alias. O(1) per draw, two small arrays."""
        weights = self.counts.astype(np.float64) ** ns_exponent
        scaled = weights * (len(weights) / weights.sum())
        prob = np.ones(len(weights))
        alias = np.arange(len(weights), dtype=np.int32)
        small = [i for i in range(len(scaled)) if scaled[i] < 1.0]
        large = [i for i in range(len(scaled)) if scaled[i] >= 1.0]
        while small and large:
            less, more = small.pop(), large.pop()
            prob[less], alias[less] = scaled[less], more
            scaled[more] -= 1.0 - scaled[less]
            (small if scaled[more] < 1.0 else large).append(more)
        # whatever is left is 1 up to rounding: always its own word
        thresholds = np.minimum(np.round(prob * 2.0**32), FULL_THRESHOLD).astype(np.uint64)
        return thresholds, alias
