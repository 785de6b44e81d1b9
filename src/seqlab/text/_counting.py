"""Counting words and the documents they occur in, for ``Tokenizer.fit_on_texts``.

Words are kept in first-seen order (Keras's ``word_counts`` order, which decides
ties in ``word_index``). Texts go to the compiled ``WordCounter`` in batches when
the tokenizer's settings allow it; everything else is tokenized by the reference
rules and counted here in Python. If a pre-tokenized document holds a token that
is not a str (possible with ``lower=False``), counting moves to Python for the
rest of the call, carrying over what was counted so far in order.
"""
from __future__ import annotations

from collections import Counter

from . import _native

FIRST_BATCH, LAST_BATCH = 1024, 65536


class WordCounting:
    """One ``fit_on_texts`` call's counts: ``add`` each document, then ``result``."""

    def __init__(self, tokens_of, separators, lower):
        """`tokens_of(text, position)` gives a document's tokens by the reference rules;
        `separators` is the kernel's separator string, or None for the Python path."""
        self._tokens_of = tokens_of
        self._separators = separators
        self._lower = bool(lower)
        self._kernel = _native.kernel.WordCounter() if separators is not None else None
        self._counts, self._docs = Counter(), Counter()
        self._batch, self._batch_size = [], FIRST_BATCH
        self.documents = 0

    def add(self, text, position):
        self.documents += 1
        if self._kernel is not None and isinstance(text, str):
            self._batch.append(text)
            if len(self._batch) == self._batch_size:
                self._flush()
            return
        self._flush()
        tokens = self._tokens_of(text, position)
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
        self._flush()
        if self._kernel is not None:
            self._leave_kernel()
        return self._counts, self._docs

    def _flush(self):
        # Batches double in size: a generator's first texts are taken in quickly, and
        # later calls are long enough that the per-call overhead does not matter.
        if self._batch:
            self._kernel.add_texts(self._batch, self._lower, self._separators)
            self._batch = []
            self._batch_size = min(2 * self._batch_size, LAST_BATCH)

    def _leave_kernel(self):
        words, counts, docs = self._kernel.result()
        dict.update(self._counts, zip(words, counts))
        dict.update(self._docs, zip(words, docs))
        self._kernel = None
