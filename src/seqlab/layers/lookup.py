"""``StringLookup`` and ``IntegerLookup``: vocabulary terms to indices (and back), as Keras.

Defaults are Keras's: one OOV index (0 without a mask token), ``oov_token='[UNK]'``
(StringLookup) or ``-1`` (IntegerLookup), no mask token. ``output_mode`` ``'int'``
gives indices of the same shape as the input; ``'one_hot'`` one row per element;
``'multi_hot'``, ``'count'`` and ``'tf_idf'`` one row per sample (the last axis), float32.
``invert=True`` maps indices back to terms (a NumPy object array of ``str`` for
StringLookup, an int64 tensor for IntegerLookup). With ``num_oov_indices > 1``,
IntegerLookup puts an unknown value ``v`` in OOV slot ``v % num_oov_indices`` (Keras's
``'floormod'``); StringLookup's FarmHash buckets are not available.

>>> layer = StringLookup(vocabulary=["a", "b", "c", "d"])
>>> layer([["a", "c", "d"], ["d", "z", "b"]]).tolist()
[[1, 3, 4], [4, 0, 2]]
"""
from __future__ import annotations

import numpy as np
import torch

from ..text import strings
from ._base import Layer
from ._index_table import IndexTable, VocabularyMethods


class _Lookup(VocabularyMethods, Layer):
    """What StringLookup and IntegerLookup share: an ``IndexTable`` and the call."""

    _is_string = True

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        kwargs.pop("vocabulary_size", None)
        kwargs.pop("oov_method", None)
        super().__init__(name=name, **kwargs)
        where = type(self).__name__
        if sparse:
            raise ValueError(f"{where}: sparse=True needs TensorFlow; seqlab gives dense outputs")
        if idf_weights is not None and output_mode not in ("tf_idf", "tf-idf"):
            raise ValueError(f"{where}: idf_weights is only used with output_mode='tf_idf', got "
                             f"output_mode={output_mode!r}")
        self._table = IndexTable(max_tokens, num_oov_indices, mask_token, oov_token,
                                 output_mode, pad_to_max_tokens, invert, self._is_string, where)
        if self._table.output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError(f"{where}: with vocabulary= and output_mode='tf_idf', give "
                             "idf_weights= too")
        self._fixed = vocabulary is not None
        if vocabulary is not None:
            self._table.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    @property
    def takes_strings(self):
        return self._is_string and not self._table.invert

    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary from an array / list (each row a sample) or batches."""
        self._table.reset_state()
        if isinstance(data, (list, tuple, np.ndarray, torch.Tensor)):
            batches = [self._values(data)]
        else:
            batches = (self._values(b) for b in (data.take(steps) if steps is not None and
                                                  hasattr(data, "take") else data))
        for array in batches:
            array = array.reshape(1) if array.ndim == 0 else array
            rows = [array.tolist()] if array.ndim == 1 else array.reshape(len(array), -1).tolist()
            self._table.update_state(rows, self._fixed)
        self._table.finalize_state()

    def _values(self, data):
        if isinstance(data, torch.Tensor):
            data = data.detach().cpu().numpy()
        if self._is_string and not self._table.invert:
            return strings.as_text_array(data)
        return np.asarray(data).astype(np.int64)

    def forward(self, inputs, mask=None, training=None):
        array = self._values(inputs)
        table = self._table
        if table.invert:
            terms = np.asarray(table.lookup(array.ravel().tolist()), dtype=object)
            terms = terms.reshape(array.shape)
            return terms if self._is_string else torch.as_tensor(terms.astype(np.int64))
        indices = table.lookup(array.ravel().tolist()).reshape(array.shape)
        if table.output_mode == "int":
            return torch.as_tensor(indices)
        if table.output_mode == "one_hot":
            if indices.ndim > 1 and indices.shape[-1] == 1:
                indices = indices[..., 0]
            flat = table.encode([[i] for i in indices.ravel()])
            return torch.as_tensor(flat.reshape(indices.shape + (flat.shape[-1],)))
        if indices.ndim <= 1:  # one sample
            return torch.as_tensor(table.encode([indices.reshape(-1)])[0])
        rows = indices.reshape(-1, indices.shape[-1])
        encoded = table.encode(list(rows))
        return torch.as_tensor(encoded.reshape(indices.shape[:-1] + (encoded.shape[-1],)))

    @property
    def output_dtype(self):
        """What a symbolic call returns: terms for an inverted string lookup, int64 indices
        in ``int`` mode (and for an inverted integer lookup), else float32."""
        if self._table.invert:
            return "string" if self._is_string else torch.int64
        return torch.int64 if self._table.output_mode == "int" else torch.float32

    def compute_output_shape(self, input_shape):
        mode = self._table.output_mode
        if mode == "int":
            return tuple(input_shape)
        depth = self._table.depth()
        if mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return tuple(input_shape[:-1]) + (depth,)
            return tuple(input_shape) + (depth,)
        return tuple(input_shape[:-1]) + (depth,)

    def get_config(self) -> dict:
        config = super().get_config()
        if self._table.tokens is not None:
            config["vocabulary"] = self.get_vocabulary()
            if self._table.output_mode == "tf_idf":
                config["idf_weights"] = self._table.idf_weights[:self.vocabulary_size()].tolist()
        return config


class StringLookup(_Lookup):
    """Keras's ``StringLookup``: strings to indices (see the module docstring)."""

    _is_string = True

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, **kwargs):
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse, encoding,
                         name, **kwargs)


class IntegerLookup(_Lookup):
    """Keras's ``IntegerLookup``: integers to indices (see the module docstring)."""

    _is_string = False

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False, name=None, **kwargs):
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse, "utf-8",
                         name, **kwargs)
