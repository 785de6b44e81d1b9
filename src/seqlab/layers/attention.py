"""Attention layers with Keras's arguments, weights and masks: ``Attention`` (Luong,
dot-product), ``AdditiveAttention`` (Bahdanau) and ``MultiHeadAttention``.

Shapes: query ``(B, T, dim)``, value ``(B, S, dim)``, key ``(B, S, dim)`` (the value when
left out). ``Attention``/``AdditiveAttention`` take ``[query, value]`` or
``[query, value, key]`` and give ``(B, T, dim)``; ``MultiHeadAttention(query, value)``
gives ``(B, T, query_dim)`` (or ``output_shape``). Scores ``(B, T, S)`` (``(B, heads, T,
S)`` for multi-head) come back with ``return_attention_scores=True``.

Masks, as Keras: a query or value that carries a mask (``Embedding(mask_zero=True)``)
masks the attention automatically; ``use_causal_mask=True`` lets step ``t`` see steps
``<= t`` only; ``attention_mask`` (``(B, T, S)`` booleans, True = attend) is combined with
them (AND). The output's mask is the query's.
"""
from __future__ import annotations

import math

import torch

from . import initializers
from ._symbolic import SymbolicTensor
from ._base import Layer, _mask_of, _with_mask


def causal_mask(query_length, value_length, device=None):
    """(1, T, S) booleans: row t attends to columns <= t (Keras's lower triangle)."""
    rows = torch.arange(query_length, device=device)[:, None]
    columns = torch.arange(value_length, device=device)[None, :]
    return (rows >= columns)[None]


class _BaseDenseAttention(Layer):
    """What Attention and AdditiveAttention share: masks, softmax, dropout, the call."""

    supports_masking = True

    def __init__(self, dropout=0.0, seed=None, causal=None, **kwargs):
        super().__init__(**kwargs)
        self.dropout = float(dropout)
        self._default_causal = bool(causal)  # Keras 2's constructor argument

    def forward(self, inputs, mask=None, training=None, return_attention_scores=False,
                use_causal_mask=None):
        if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
            raise ValueError(f"{type(self).__name__} takes a list [query, value] or [query, "
                             f"value, key], got {type(inputs).__name__}")
        query, value = self._as_tensor(inputs[0]), self._as_tensor(inputs[1])
        key = self._as_tensor(inputs[2]) if len(inputs) == 3 else value
        query_mask, value_mask = (list(mask) + [None, None])[:2] if mask is not None else (
            _mask_of(query), _mask_of(value))
        if not getattr(self, "_weights_ready", False):  # a symbolic call may mark it built
            self._build_weights(query.shape, value.shape)
            self._weights_ready = self.built = True
        training = self.training if training is None else bool(training)
        causal = self._default_causal if use_causal_mask is None else bool(use_causal_mask)
        scores = self._score(query, key)  # (B, T, S)
        scores_mask = None if value_mask is None else value_mask[:, None, :].bool()
        if causal:
            lower = causal_mask(scores.shape[-2], scores.shape[-1], scores.device)
            scores_mask = lower if scores_mask is None else scores_mask & lower
        if scores_mask is not None:  # Keras subtracts 1e9 (65504 in float16) where masked
            big = 65504.0 if scores.dtype == torch.float16 else 1e9
            scores = scores - big * (~scores_mask).to(scores.dtype)
        weights = torch.softmax(scores, dim=-1)
        if training and self.dropout > 0:  # Keras returns these dropped-out scores too
            weights = torch.nn.functional.dropout(weights, self.dropout, training=True)
        result = weights @ value
        if query_mask is not None:
            result = result * query_mask[..., None].to(result.dtype)
        outputs = (result, weights) if return_attention_scores else result
        return _with_mask(outputs, query, query_mask)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def compute_output_spec(self, inputs, return_attention_scores=False, **kwargs):
        """Symbolic outputs for ``[query, value(, key)]`` from Input: builds the weights
        from the symbolic shapes (as a call does), then the outputs (and the scores)."""
        query, value = inputs[0], inputs[1]
        if not getattr(self, "_weights_ready", False):  # a symbolic call may mark it built
            self._build_weights(query.shape, value.shape)
            self._weights_ready = self.built = True
        dtype = self.compute_dtype
        output = SymbolicTensor(self.compute_output_shape([query.shape, value.shape]), dtype)
        if return_attention_scores:
            return [output, SymbolicTensor((query.shape[0], query.shape[1], value.shape[1]),
                                           dtype)]
        return output


class Attention(_BaseDenseAttention):
    """Luong-style attention: ``scores = query @ key^T`` (times a learned scalar ``scale``
    with ``use_scale=True``), or with ``score_mode='concat'``
    ``scores = concat_score_weight * sum(tanh(scale * (query_t + key_s)))``; then
    ``softmax(scores) @ value``. ``causal=True`` is Keras 2's ``use_causal_mask=True``."""

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(dropout=dropout, seed=seed, **kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Attention: score_mode must be 'dot' or 'concat', got "
                             f"score_mode={score_mode!r}")
        self.use_scale, self.score_mode = bool(use_scale), score_mode

    def _build_weights(self, query_shape, value_shape):
        if self.use_scale:
            self.add_weight("scale", (), "ones")
        if self.score_mode == "concat":
            self.add_weight("concat_score_weight", (), "ones")

    def _score(self, query, key):
        if self.score_mode == "dot":
            scores = query @ key.transpose(-1, -2)
            return scores * self.scale if self.use_scale else scores
        total = query[..., :, None, :] + key[..., None, :, :]  # (B, T, S, dim)
        if self.use_scale:
            total = self.scale * total
        return self.concat_score_weight * torch.tanh(total).sum(dim=-1)


class AdditiveAttention(_BaseDenseAttention):
    """Bahdanau-style attention: ``scores = sum(scale * tanh(query_t + key_s))`` with a
    learned ``scale`` vector ``(dim,)`` (glorot_uniform) when ``use_scale=True``."""

    def __init__(self, use_scale=True, dropout=0.0, seed=None, **kwargs):
        super().__init__(dropout=dropout, seed=seed, **kwargs)
        self.use_scale = bool(use_scale)

    def _build_weights(self, query_shape, value_shape):
        if self.use_scale:
            self.add_weight("scale", (value_shape[-1],), "glorot_uniform")

    def _score(self, query, key):
        total = torch.tanh(query[..., :, None, :] + key[..., None, :, :])  # (B, T, S, dim)
        if self.use_scale:
            total = self.scale * total
        return total.sum(dim=-1)


class _Projection(Layer):
    """One of MultiHeadAttention's EinsumDense projections: a kernel over the last
    axis (``(dim, heads, size)``) or the last two (``(heads, size, dim)``), and a bias."""

    def __init__(self, kernel_shape, bias_shape, kernel_initializer, bias_initializer,
                 contract, **kwargs):
        super().__init__(**kwargs)
        self.contract = contract  # how many trailing input axes the kernel consumes
        self.add_weight("kernel", kernel_shape, _fresh(kernel_initializer))
        if bias_shape is not None:
            self.add_weight("bias", bias_shape, _fresh(bias_initializer))
        self.built = True

    def forward(self, inputs):
        outputs = torch.tensordot(inputs, self.kernel, dims=self.contract)
        return outputs + self.bias if hasattr(self, "bias") else outputs


class MultiHeadAttention(Layer):
    """Keras's ``MultiHeadAttention(num_heads, key_dim)`` (attention over axis 1).

    Weights, in Keras's order and shapes: ``query`` kernel ``(dim_q, heads, key_dim)``
    and bias ``(heads, key_dim)``; ``key`` the same over the key's features; ``value``
    ``(dim_v, heads, value_dim)``; ``attention_output`` kernel ``(heads, value_dim,
    dim_q)`` (or ``output_shape``) and bias ``(dim_q,)``. Scores are
    ``softmax(q k^T / sqrt(key_dim))`` per head; masked keys get weight 0; a query that may
    attend to nothing gets uniform weights, or 0 when the scores are returned or dropout
    trains (Keras 3's two paths; Keras 2 gave uniform); dropout applies to the scores.
    """

    supports_masking = True

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        for name, number in (("num_heads", num_heads), ("key_dim", key_dim)):
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                raise ValueError(f"MultiHeadAttention: {name} must be a positive int, got "
                                 f"{name}={number!r}")
        if attention_axes is not None and tuple(
                [attention_axes] if isinstance(attention_axes, int) else attention_axes) not in (
                (1,), (-2,)):
            raise NotImplementedError("MultiHeadAttention: only attention over the time axis "
                                      "(attention_axes=None, 1 or -2) is supported, got "
                                      f"attention_axes={attention_axes!r}")
        self.num_heads, self.key_dim = num_heads, key_dim
        self.value_dim = key_dim if value_dim is None else value_dim
        self.dropout, self.use_bias = float(dropout), bool(use_bias)
        self._output_shape = output_shape
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer

    def _build_projections(self, query_shape, value_shape, key_shape):
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError("MultiHeadAttention: value and key must have the same shape except "
                             f"the last axis, got value {tuple(value_shape)} and key "
                             f"{tuple(key_shape)}")
        heads, common = self.num_heads, (self.kernel_initializer, self.bias_initializer)
        bias, dtype = self.use_bias, self._dtype
        self.query = _Projection((query_shape[-1], heads, self.key_dim),
                                 (heads, self.key_dim) if bias else None, *common, 1, name="query",
                                 dtype=dtype)
        self.key = _Projection((key_shape[-1], heads, self.key_dim),
                               (heads, self.key_dim) if bias else None, *common, 1, name="key",
                               dtype=dtype)
        self.value = _Projection((value_shape[-1], heads, self.value_dim),
                                 (heads, self.value_dim) if bias else None, *common, 1,
                                 name="value", dtype=dtype)
        out = self._output_dims(query_shape)
        self.attention_output = _Projection((heads, self.value_dim) + out,
                                            out if bias else None, *common, 2,
                                            name="attention_output", dtype=dtype)
        self.built = True

    def _output_dims(self, query_shape):
        if self._output_shape is None:
            return (query_shape[-1],)
        shape = self._output_shape
        return (shape,) if isinstance(shape, int) else tuple(shape)

    def forward(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
                attention_mask=None, return_attention_scores=False, training=None,
                use_causal_mask=False):
        key_given = key is not None
        key = value if key is None else key
        query, value, key = (self._as_tensor(t) for t in (query, value, key))
        if not query.dim() == value.dim() == key.dim() == 3:
            raise ValueError("MultiHeadAttention: query, value and key must be 3-D (batch, time, "
                             f"features), got shapes {tuple(query.shape)}, {tuple(value.shape)}, "
                             f"{tuple(key.shape)}; attention over other axes is not supported")
        query_mask = _mask_of(query) if query_mask is None else query_mask
        value_mask = _mask_of(value) if value_mask is None else value_mask
        if key_mask is None and key_given and key is not value:
            key_mask = _mask_of(key)
        if "query" not in self._modules:  # a symbolic call may have marked it built already
            self._build_projections(query.shape, value.shape, key.shape)
        training = self.training if training is None else bool(training)
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                    attention_mask, use_causal_mask)
        q = self.query(query) * (1.0 / math.sqrt(float(self.key_dim)))  # (B, T, N, H)
        k, v = self.key(key), self.value(value)  # (B, S, N, H)
        scores = torch.einsum("bsnh,btnh->bnts", k, q)  # (B, N, T, S)
        if mask is not None:
            mask = mask[:, None] if mask.dim() == 3 else mask  # (B, 1, T, S)
        # Keras 3 computes the scores two ways, and they differ only for a query that may
        # attend to nothing (a padded query): its fused path (no scores returned, no dropout
        # in training) gives it uniform weights, as Keras 2 did; its explicit path gives 0.
        explicit = return_attention_scores or (training and self.dropout > 0)
        if mask is None:
            weights = torch.softmax(scores, dim=-1)
        elif explicit:
            big = 3e4 if scores.dtype == torch.float16 else 1e9
            weights = torch.softmax(scores + (1.0 - mask.to(scores.dtype)) * -big, dim=-1)
            weights = weights * mask.to(weights.dtype)
        else:
            lowest = torch.finfo(scores.dtype).min * 0.7
            weights = torch.softmax(scores.masked_fill(~mask, lowest), dim=-1)
        dropped = weights
        if training and self.dropout > 0:
            dropped = torch.nn.functional.dropout(weights, self.dropout, training=True)
        context = torch.einsum("bnts,bsnh->btnh", dropped, v)  # (B, T, N, H)
        output = self.attention_output(context)
        outputs = (output, weights) if return_attention_scores else output
        return _with_mask(outputs, query, query_mask)

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        auto = None
        if query_mask is not None:
            auto = query_mask.bool()[:, :, None]  # (B, T, 1)
        for other in (value_mask, key_mask):
            if other is not None:
                piece = other.bool()[:, None, :]  # (B, 1, S)
                auto = piece if auto is None else auto & piece
        if use_causal_mask:
            lower = causal_mask(query.shape[1], value.shape[1], query.device)
            auto = lower if auto is None else auto & lower
        if attention_mask is not None:
            attention_mask = torch.as_tensor(attention_mask).bool()
            return attention_mask if auto is None else attention_mask & auto
        return auto

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        return tuple(query_shape[:-1]) + self._output_dims(query_shape)

    def compute_output_spec(self, query, value, key=None, return_attention_scores=False,
                            **kwargs):
        """Symbolic outputs for symbolic query/value(/key): builds the projections from
        their shapes (as a call does), then the output (and the (B, N, T, S) scores)."""
        key = value if key is None else key
        if "query" not in self._modules:  # a symbolic call may have marked it built already
            self._build_projections(query.shape, value.shape, key.shape)
        dtype = self.compute_dtype
        output = SymbolicTensor(self.compute_output_shape(query.shape), dtype)
        if return_attention_scores:
            return [output, SymbolicTensor(
                (query.shape[0], self.num_heads, query.shape[1], value.shape[1]), dtype)]
        return output


def _fresh(initializer):
    """A new initializer per weight (Keras clones it for every projection)."""
    return initializers.get(initializer) if isinstance(initializer, str) else initializer
