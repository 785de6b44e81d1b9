"""Counting words and the documents they occur in, for ``Tokenizer.fit_on_texts``.

Words are kept in first-seen order (Keras's ``word_counts`` order, which decides
ties in ``word_index``). Batches of str texts go to the compiled ``WordCounter``
when the tokenizer's settings allow it; other documents arrive as token lists
(tokenized by the reference rules) and are counted by the kernel too when every
token is a str. A token that is not (possible with ``lower=False`` lists) moves
counting to Python for the rest of the call, carrying over the counts so far in
order.
"""
from __future__ import annotations

from collections import Counter

from . import _native


class WordCounting:
    """One ``fit_on_texts`` call's counts: add texts and token lists, then ``result``."""

    def __init__(self, separators, lower, split_words):
        """`separators` is the kernel's separator string, or None for the Python path;
        `split_words` splits a text by the reference rules."""
        self._separators = separators
        self._lower = bool(lower)
        self._split_words = split_words
        self._kernel = _native.kernel.WordCounter() if separators is not None else None
        self._counts, self._docs = Counter(), Counter()
        self.documents = 0

    def add_texts(self, texts: list[str]):
        """Split and count str texts."""
        if self._kernel is None:  # counting moved to Python earlier in this call
            for text in texts:
                self.add_tokens(self._split_words(text))
            return
        self._kernel.add_texts(texts, self._lower, self._separators)
        self.documents += len(texts)

    def add_tokens(self, tokens):
        """Count one document given as its tokens."""
        self.documents += 1
        if self._kernel is not None:
            try:
                self._kernel.add_tokens(tokens)
                return
            except TypeError:  # a token that is not a str: Python counts from here on
                self._leave_kernel()
        self._counts.update(tokens)
        self._docs.update(dict.fromkeys(tokens).keys())  # once per document, first-seen order

    def result(self):
        """``(counts, docs)``: dicts word -> count and word -> documents, first-seen order."""
        if self._kernel is not None:
            self._leave_kernel()
        return self._counts, self._docs

    def _leave_kernel(self):
        words, counts, docs = self._kernel.result()
        dict.update(self._counts, zip(words, counts))
        dict.update(self._docs, zip(words, docs))
        self._kernel = None
