"""The vocabulary behind StringLookup, IntegerLookup and TextVectorization (Keras's
``IndexLookup``), on NumPy: learning it (``adapt``), looking tokens up, encoding counts.

Index layout, as Keras: ``[mask] + [OOV] * num_oov_indices + tokens``, the mask slot only
in ``'int'`` mode when ``mask_token`` is set. A learned vocabulary is ranked by count,
ties broken by the tokens themselves from high to low (Keras sorts with
``np.lexsort((tokens, counts))[::-1]`` on the UTF-8 bytes), then cut to ``max_tokens``.
TF-IDF weights are ``log(1 + documents / (1 + documents_with_token))``, the OOV slots
getting the mean weight.
"""
from __future__ import annotations

import collections
import itertools
import math
import operator

import numpy as np

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class IndexTable:
    """One vocabulary and its settings (the arguments of Keras's IndexLookup)."""

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, output_mode,
                 pad_to_max_tokens, invert, is_string, where):
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"{where}: output_mode must be one of {OUTPUT_MODES}, got "
                             f"output_mode={output_mode!r}")
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"{where}: if set, max_tokens must be greater than 1, got "
                             f"max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{where}: pad_to_max_tokens=True needs max_tokens")
        if num_oov_indices < 0:
            raise ValueError(f"{where}: num_oov_indices must be >= 0, got {num_oov_indices}")
        if invert and output_mode != "int":
            raise ValueError(f"{where}: invert=True needs output_mode='int', got "
                             f"output_mode={output_mode!r}")
        self.max_tokens, self.num_oov_indices = max_tokens, num_oov_indices
        self.mask_token, self.oov_token = mask_token, oov_token
        self.output_mode, self.pad_to_max_tokens = output_mode, pad_to_max_tokens
        self.invert, self.is_string, self.where = invert, is_string, where
        self.tokens: list | None = None  # the learned or given tokens (no special ones)
        self.index: dict = {}
        self._lookup = {} if mask_token is None else {mask_token: 0 if output_mode == "int"
                                                       else -1}
        self.idf_weights: np.ndarray | None = None
        self.reset_state()

    # ------------------------------------------------------------ layout

    @property
    def oov_start(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    @property
    def token_start(self) -> int:
        return self.oov_start + self.num_oov_indices

    def vocabulary_size(self) -> int:
        return self.token_start + len(self.tokens or ())

    def get_vocabulary(self, include_special_tokens=True) -> list:
        tokens = list(self.tokens or ())
        if not include_special_tokens:
            return tokens
        special = [self.mask_token] * self.oov_start + [self.oov_token] * self.num_oov_indices
        return special + tokens

    def depth(self) -> int:
        """The width of a multi_hot / count / tf_idf / one_hot output."""
        if self.pad_to_max_tokens:
            return self.max_tokens
        if self.tokens is None:
            raise RuntimeError(f"{self.where}: with output_mode={self.output_mode!r} and "
                               "pad_to_max_tokens=False the vocabulary must be set before the "
                               "layer is called: pass vocabulary= or call adapt() first")
        return self.vocabulary_size()

    # ------------------------------------------------------------ learning

    def reset_state(self):
        self._counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._documents = 0

    def update_state(self, rows, fixed: bool):
        """Count the tokens of `rows` (a list of token lists: one list per document)."""
        if fixed:
            raise ValueError(f"{self.where}: cannot adapt after a vocabulary was set with "
                             "vocabulary= or set_vocabulary()")
        for row in rows:
            self._counts.update(row)
            if self.output_mode == "tf_idf":
                self._document_counts.update(set(row))
        self._documents += len(rows)

    def finalize_state(self):
        if not self._counts:
            return
        for special in (self.mask_token, self.oov_token):
            self._counts.pop(special, None)
        ranked = _ranked(self._counts, None if not self.max_tokens else
                         max(self.max_tokens - self.token_start, 0))
        self._set_tokens([token for token, _ in ranked])
        if self.output_mode == "tf_idf":
            weights = np.array([math.log(1 + self._documents / (1 + self._document_counts[t]))
                                for t in self.tokens])
            self.idf_weights = self._padded_weights(weights, weights.mean(), self.token_start)
        self.reset_state()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        if isinstance(vocabulary, str):
            vocabulary = _read_vocabulary_file(vocabulary, self.is_string)
        vocabulary = [_token(v, self.is_string) for v in np.asarray(vocabulary).tolist()]
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{self.where}: idf_weights must be set with output_mode='tf_idf'")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"{self.where}: idf_weights is only used with output_mode="
                             f"'tf_idf', got output_mode={self.output_mode!r}")
        if not vocabulary:
            raise ValueError(f"{self.where}: cannot set an empty vocabulary")
        special = [self.mask_token] * self.oov_start + [self.oov_token] * self.num_oov_indices
        found_special = vocabulary[:self.token_start] == special
        tokens = vocabulary[self.token_start:] if found_special else vocabulary
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"{self.where}: the vocabulary has repeated terms {repeated}; "
                             "give each term once")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"{self.where}: the mask token {self.mask_token!r} is in the "
                             "vocabulary at an unexpected place; leave the mask and OOV tokens "
                             f"out, or put exactly {special} first")
        if self.invert and self.oov_token is not None and self.oov_token in tokens:
            raise ValueError(f"{self.where}: the OOV token {self.oov_token!r} is in the "
                             f"vocabulary; leave it out, or put exactly {special} first")
        size = self.token_start + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"{self.where}: the vocabulary has {size} entries with the special "
                             f"tokens, more than max_tokens={self.max_tokens}")
        self._set_tokens(tokens)
        if idf_weights is not None:
            weights = np.asarray(idf_weights, dtype=np.float64)
            if weights.ndim != 1 or len(weights) != len(vocabulary):
                raise ValueError(f"{self.where}: idf_weights must be 1-D with one weight per "
                                 f"vocabulary term ({len(vocabulary)}), got shape "
                                 f"{weights.shape}")
            front = 0 if found_special else self.token_start
            self.idf_weights = self._padded_weights(weights, weights.mean(), front)

    def _set_tokens(self, tokens):
        self.tokens = list(tokens)
        self.index = {t: i for i, t in enumerate(self.tokens, start=self.token_start)}
        self._lookup = dict(self.index)  # what each input maps to, the mask token included
        if self.mask_token is not None:
            self._lookup[self.mask_token] = 0 if self.output_mode == "int" else -1

    def _padded_weights(self, weights, front_value, front):
        back = 0
        if self.pad_to_max_tokens:
            back = self.max_tokens - front - len(weights)
        return np.pad(weights, (front, max(back, 0)), constant_values=(front_value, 0.0))

    # ------------------------------------------------------------ lookup

    def lookup(self, tokens) -> np.ndarray:
        """Indices of a flat list of tokens (mask -> 0 in int mode, -1 = drop otherwise)."""
        if self.invert:  # indices -> tokens; unknown indices -> the OOV token
            vocabulary = self.get_vocabulary()
            return [vocabulary[i] if 0 <= i < len(vocabulary) else self.oov_token
                    for i in (int(t) for t in tokens)]
        if self.tokens is None and self.output_mode != "int":
            self.depth()  # the same RuntimeError as Keras
        unknown = -2  # stands for "not in the vocabulary" until the OOV rule is applied
        found = np.fromiter(map(self._lookup.get, tokens, itertools.repeat(unknown)),
                            dtype=np.int64, count=len(tokens))
        missing = np.flatnonzero(found == unknown)
        if len(missing):
            if self.num_oov_indices == 1:
                found[missing] = self.oov_start
            else:
                found[missing] = [self._oov_index(tokens[i]) for i in missing]
        return found

    def _oov_index(self, token):
        if self.num_oov_indices == 0:
            raise ValueError(f"{self.where}: {token!r} is not in the vocabulary and "
                             "num_oov_indices=0; use num_oov_indices=1")
        if self.num_oov_indices == 1:
            return self.oov_start
        if self.is_string:
            raise NotImplementedError(f"{self.where}: num_oov_indices > 1 for strings needs "
                                      "Keras's FarmHash buckets, which seqlab does not have; "
                                      "use num_oov_indices=1")
        return self.oov_start + int(token) % self.num_oov_indices

    def encode(self, rows) -> np.ndarray:
        """(len(rows), depth) float32 of multi_hot / count / tf_idf from lists of indices."""
        depth = self.depth()
        out = np.zeros((len(rows), depth), dtype=np.float32)
        for r, indices in enumerate(rows):
            indices = np.asarray(indices, dtype=np.int64)
            indices = indices[(indices >= 0) & (indices < depth)]
            out[r] = np.bincount(indices, minlength=depth)
        if self.output_mode == "multi_hot":
            out = np.minimum(out, 1.0)
        elif self.output_mode == "tf_idf":
            if self.idf_weights is None:
                raise ValueError(f"{self.where}: output_mode='tf_idf' needs idf_weights (adapt, "
                                 "or vocabulary= with idf_weights=)")
            out = out * self.idf_weights[:depth].astype(np.float32)
        return out


def _ranked(counts, keep):
    """(token, count) pairs by count, ties by token, both high to low (Keras's
    ``np.lexsort((tokens, counts))[::-1]``: Python's string order is UTF-8 byte order), the
    first `keep` of them (all with None)."""
    items = list(counts.items())
    if keep is not None and len(items) > keep:  # only the tokens that can make the cut
        values = np.fromiter((c for _, c in items), dtype=np.int64, count=len(items))
        threshold = np.partition(values, len(values) - keep)[len(values) - keep] if keep else 0
        items = [item for item, c in zip(items, values) if c >= threshold]
    items.sort(key=operator.itemgetter(0), reverse=True)
    items.sort(key=operator.itemgetter(1), reverse=True)  # stable: ties stay high to low
    return items if keep is None else items[:keep]


def _token(value, is_string):
    if is_string:
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)
    return int(value)


def _read_vocabulary_file(path, is_string):
    with open(path, encoding="utf-8") as file:
        lines = file.read().splitlines()
    while lines and lines[-1] == "":
        lines.pop()
    return lines if is_string else [int(line) for line in lines]


class VocabularyMethods:
    """The vocabulary methods TextVectorization, StringLookup and IntegerLookup share, on
    the layer's ``_table`` (an ``IndexTable``); ``_fixed`` marks a vocabulary that was set
    rather than adapted."""

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (and TF-IDF weights) directly instead of adapting."""
        self._table.set_vocabulary(vocabulary, idf_weights)
        self._fixed = True

    def get_vocabulary(self, include_special_tokens=True) -> list:
        """The vocabulary in index order (the mask and OOV tokens first), then by count."""
        return self._table.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        """The number of indices, the padding and OOV ones included."""
        return self._table.vocabulary_size()
