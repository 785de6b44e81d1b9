"""``TextVectorization``: texts to token indices or bag-of-words vectors, as Keras's layer.

The steps, as Keras runs them on each batch of strings:

1. standardize: ``'lower_and_strip_punctuation'`` (default) lowercases ASCII letters and
   deletes the characters of ``[!"#$%&()\\*\\+,-\\./:;<=>?@\\[\\\\\\]^_`{|}~\\']``
   (Keras's regex); ``'lower'``, ``'strip_punctuation'``, None, or a callable that gets
   the batch exactly as passed (a NumPy object array of ``str``) and returns one of the same
   shape (``seqlab.text.strings`` has ``lower`` and ``regex_replace`` for it);
2. split: ``'whitespace'`` (runs of ASCII whitespace), ``'character'``, None, or a
   callable that gets a 1-D array of strings and returns a list of token lists;
3. ngrams: None, ``n`` (widths 1..n) or a tuple of widths, joined by a space;
4. lookup: ``'int'`` gives indices, 0 for padding and 1 for unknown tokens, padded to the
   longest text of the batch or to ``output_sequence_length``; ``'multi_hot'``,
   ``'count'`` and ``'tf_idf'`` give one float32 row of the vocabulary's width per text.

``adapt`` learns the vocabulary from a list or array of texts, a ``seqlab.data.Dataset``
of batches of texts, or any iterable of batches. The layer can sit first in a model
(``Input(shape=(1,), dtype="string")``) or be used outside one, e.g.
``dataset.map(lambda x, y: (vectorize(x), y))``.

>>> layer = TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
>>> layer.adapt(["foo bar", "bar baz", "baz bada boom"])
>>> layer([["foo qux bar"], ["qux baz"]]).tolist()
[[4, 1, 3, 0], [1, 2, 0, 0]]
"""
from __future__ import annotations

import numpy as np
import torch

from ..text import strings
from ._base import Layer
from ._index_table import IndexTable, VocabularyMethods

KERAS_PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")


class TextVectorization(VocabularyMethods, Layer):
    """Keras's ``TextVectorization`` (see the module docstring for the steps)."""

    takes_strings = True  # a model starting with it reads texts, not numbers

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None,
                 **kwargs):
        where = "TextVectorization"
        _choice(standardize, _STANDARDIZE, "standardize", where)
        _choice(split, _SPLIT, "split", where)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in ("int", "multi_hot", "count", "tf_idf"):
            raise ValueError(f"{where}: output_mode must be 'int', 'multi_hot', 'count' or "
                             f"'tf_idf', got output_mode={output_mode!r}")
        if not (ngrams is None or (isinstance(ngrams, int) and not isinstance(ngrams, bool))
                or (isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams))):
            raise ValueError(f"{where}: ngrams must be None, an int or a tuple of ints, got "
                             f"ngrams={ngrams!r}")
        if output_mode == "int" and not (output_sequence_length is None or isinstance(
                output_sequence_length, int)):
            raise ValueError(f"{where}: output_sequence_length must be None or an int, got "
                             f"output_sequence_length={output_sequence_length!r}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(f"{where}: output_sequence_length is only for output_mode='int', "
                             f"got output_mode={output_mode!r}")
        if sparse or ragged:
            raise ValueError(f"{where}: sparse=True and ragged=True need TensorFlow tensors; "
                             "seqlab gives dense outputs (leave them False)")
        vocabulary_size = kwargs.pop("vocabulary_size", None)  # in Keras's saved configs
        del vocabulary_size
        super().__init__(name=name, **kwargs)
        self._standardize, self._split = standardize, split
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode, self._output_sequence_length = output_mode, output_sequence_length
        self._table = IndexTable(max_tokens, 1, "", "[UNK]", output_mode, pad_to_max_tokens,
                                 False, True, where)
        self._fixed = vocabulary is not None
        if vocabulary is not None:
            self._table.set_vocabulary(vocabulary, idf_weights)
        elif idf_weights is not None:
            raise ValueError(f"{where}: idf_weights needs vocabulary= as well")
        self.built = True

    # ------------------------------------------------------------ vocabulary

    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary (and with 'tf_idf' the document frequencies) from `data`:
        a list/array of texts, a Dataset of batches of texts, or an iterable of batches."""
        self._table.reset_state()
        if isinstance(data, (list, tuple, np.ndarray)):
            array = strings.as_text_array(data)
            self._update(array[:, None] if array.ndim == 1 else array)
        elif hasattr(data, "__iter__") and not isinstance(data, (str, bytes)):
            if steps is not None and hasattr(data, "take"):
                data = data.take(steps)
            for batch in data:
                if isinstance(batch, tuple):
                    raise ValueError("TextVectorization.adapt got (x, y) pairs: adapt on the "
                                     "texts alone, e.g. dataset.map(lambda x, y: x)")
                self._update(strings.as_text_array(batch))
        else:
            self._update(strings.as_text_array([data])[:, None])
        self._table.finalize_state()

    def _update(self, batch):
        rows = self._documents(batch)
        self._table.update_state(rows, self._fixed)

    # --------------------------------------------------------------- calling

    def forward(self, inputs, mask=None, training=None):
        array = strings.as_text_array(inputs.detach().cpu().numpy() if isinstance(
            inputs, torch.Tensor) else inputs)
        if self._output_mode != "int":
            rows = [self._table.lookup(tokens) for tokens in self._documents(array)]
            return torch.as_tensor(self._table.encode(rows))
        tokens = self._tokens(array)
        if self._split is None and self._ngrams is None:  # element by element, same shape
            flat = strings.as_text_array(tokens).ravel().tolist()
            return torch.as_tensor(self._table.lookup(flat).reshape(np.shape(tokens)))
        cut = slice(self._output_sequence_length)  # tokens past the length are dropped anyway
        if array.ndim == 0:
            return torch.as_tensor(self._pad([self._table.lookup(tokens[cut])])[0])
        return torch.as_tensor(self._pad([self._table.lookup(row[cut]) for row in tokens]))

    def _pad(self, rows) -> np.ndarray:
        width = self._output_sequence_length
        if width is None:
            width = max((len(r) for r in rows), default=0)
        out = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            row = row[:width]
            out[i, :len(row)] = row
        return out

    def _standardized(self, array):
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            array = strings.lower(array)
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            array = strings.regex_replace(array, KERAS_PUNCTUATION, "")
        if callable(self._standardize):
            result = self._standardize(array)
            array = strings.as_text_array(result.detach().cpu().numpy() if isinstance(
                result, torch.Tensor) else result)
        return array

    def _tokens(self, array):
        """Standardized, split and n-grammed: a token list per text (one list for a single
        text), or, without split and n-grams, the standardized array itself."""
        array = self._standardized(array)
        scalar = array.ndim == 0
        if self._split is None:
            if self._ngrams is None:
                return array
            rows = [[array.item()]] if scalar else array.reshape(len(array), -1).tolist()
        else:
            if array.ndim > 1:
                if array.shape[-1] != 1:
                    raise ValueError("TextVectorization: to split texts the input must be 1-D "
                                     "or have a last dimension of 1, got shape "
                                     f"{array.shape}")
                array = array[..., 0]
            batch = array[None] if scalar else array
            if self._split == "whitespace":
                rows = strings.split(batch)
            elif self._split == "character":
                rows = strings.unicode_split(batch)
            else:
                rows = [[strings.as_text(t) for t in row] for row in self._split(batch)]
        if self._ngrams is not None:
            rows = [strings.ngrams(row, self._ngrams) if row else [] for row in rows]
        return rows[0] if scalar else rows

    def _documents(self, array) -> list:
        """A token list per document, as Keras's lookup counts them."""
        tokens = self._tokens(array)
        if isinstance(tokens, np.ndarray):  # no split, no n-grams
            if tokens.ndim == 0:
                return [[tokens.item()]]
            if tokens.ndim == 1:
                return [tokens.tolist()]  # a 1-D batch is one document, as in Keras
            return [list(row) for row in tokens.reshape(len(tokens), -1).tolist()]
        if np.ndim(array) == 0:
            return [tokens]
        return [list(row) for row in tokens]

    @property
    def output_dtype(self):
        """int64 indices in ``int`` mode, else float32 (what a symbolic call returns)."""
        return torch.int64 if self._output_mode == "int" else torch.float32

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            if self._split is None and self._ngrams is None:
                return tuple(input_shape)
            return (input_shape[0], self._output_sequence_length)
        return (input_shape[0], self._table.depth())

    def get_config(self) -> dict:
        """The constructor arguments with the current vocabulary (and IDF weights), so
        ``from_config`` rebuilds an adapted layer."""
        config = super().get_config()
        if self._table.tokens is not None:
            config["vocabulary"] = self.get_vocabulary()
            if self._output_mode == "tf_idf":
                config["idf_weights"] = self._table.idf_weights[:self.vocabulary_size()].tolist()
        return config


def _choice(value, names, argument, where):
    if value is None or callable(value) or value in names:
        return
    raise ValueError(f"{where}: {argument} must be one of {names}, None or a callable, got "
                     f"{argument}={value!r}")
