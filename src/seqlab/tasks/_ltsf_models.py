"""Multi-step forecasters for the long-horizon benchmark, by name (``build_ltsf_model``):
windows ``(B, lookback, C)`` in, the next ``(B, horizon, C)`` out, all steps at once.

Every model is channel-independent (each channel is a series of its own, the weights are
shared by all channels, ``(B, L, C) -> (B*C, L)``) and wrapped in instance normalisation
(``InstanceNormalization``): each window is shifted by its own last value (or its mean,
and divided by its std), the model forecasts the change, and the shift is added back.
Why: a series that drifts between the training and the test years (ETT's oil
temperature, electricity loads) puts test windows at levels never seen in training; a
model that predicts absolute levels learns the training years' levels and loses to "repeat
the last value". A model that predicts the change from the window's own level does not.

    linear   Dense(lookback -> horizon), shared by the channels (NLinear)
    gru      GRU(units) over the lookback, `seg_len` rows per step -> Dense(horizon)
    lstm     LSTM(units) over the lookback, `seg_len` rows per step -> Dense(horizon)
    segrnn   SegRNN (Lin et al. 2023): the lookback cut into segments of `seg_len`, each
             embedded (Dense(units, relu)) and read by a GRU(units); the horizon decoded
             in parallel (PMF): one step of the same GRU per output segment from the
             encoder's state, whose input is that segment's position embedding next to
             the channel's embedding, then Dropout -> Dense(seg_len)
"""
from __future__ import annotations

import torch

from ..layers import GRU, LSTM, Dense, Dropout, Layer
from ..layers.initializers import RandomNormal
from .configs import LTSF_MODELS

NORMS = ("last", "mean", "none")


class InstanceNormalization(Layer):
    """RevIN-style normalisation of each window around a forecaster ``inner``.

    ``norm="last"``: ``z = x - x[:, -1:]``; ``y = inner(z) + x[:, -1:]`` (SegRNN, NLinear).
    ``norm="mean"``: ``z = (x - mean) / std`` over the window's time axis (RevIN,
    ``eps=1e-5``), ``y = inner(z) * std + mean``. ``norm="none"``: ``y = inner(x)``.
    ``affine=True`` adds a learnable per-channel scale and shift (RevIN's): ``z * w + b``
    before ``inner`` and ``(y - b) / w`` after. ``normalize`` and ``denormalize`` are
    inverses of each other exactly (up to float rounding).
    """

    def __init__(self, inner, norm="last", affine=False, **kwargs):
        super().__init__(**kwargs)
        if norm not in NORMS:
            raise ValueError(f"InstanceNormalization: norm={norm!r}; choose one of {NORMS}")
        self.inner, self.norm, self.affine = inner, norm, bool(affine)

    def build(self, input_shape):
        if self.affine:
            self.add_weight("scale", (input_shape[-1],), "ones")
            self.add_weight("shift", (input_shape[-1],), "zeros")

    def normalize(self, x):
        """``(z, statistics)`` for windows ``x`` (B, L, C)."""
        if self.norm == "none":
            return x, None
        if self.norm == "last":
            centre, spread = x[:, -1:, :].detach(), None
            z = x - centre
        else:
            centre = x.mean(dim=1, keepdim=True).detach()
            spread = torch.sqrt(x.var(dim=1, keepdim=True, unbiased=False) + 1e-5).detach()
            z = (x - centre) / spread
        if self.affine:
            z = z * self.scale + self.shift
        return z, (centre, spread)

    def denormalize(self, y, statistics):
        if statistics is None:
            return y
        centre, spread = statistics
        if self.affine:
            y = (y - self.shift) / self.scale
        return (y if spread is None else y * spread) + centre

    def call(self, inputs, training=False):
        z, statistics = self.normalize(inputs)
        return self.denormalize(self.inner(z, training=training), statistics)


class _ChannelIndependent(Layer):
    """(B, L, C) -> each channel's (L,) series -> (B, H, C); `horizon` outputs."""

    def __init__(self, horizon, **kwargs):
        super().__init__(**kwargs)
        self.horizon = horizon

    def call(self, inputs, training=False):
        batch, _, channels = inputs.shape
        series = inputs.permute(0, 2, 1).reshape(batch * channels, inputs.shape[1])
        out = self.forecast(series, channels, training)  # (B*C, H)
        return out.reshape(batch, channels, self.horizon).permute(0, 2, 1)


class LinearHead(_ChannelIndependent):
    def __init__(self, horizon, **kwargs):
        super().__init__(horizon, **kwargs)
        self.dense = Dense(horizon)

    def forecast(self, series, channels, training):
        return self.dense(series)


class RecurrentHead(_ChannelIndependent):
    """A GRU/LSTM over the lookback read `seg_len` rows per step (1: point by point), its
    last state -> Dropout -> Dense(horizon): a direct multi-step head."""

    def __init__(self, lookback, horizon, kind="gru", units=128, dropout=0.0, seg_len=24,
                 **kwargs):
        super().__init__(horizon, **kwargs)
        _check_segments(kind, lookback, seg_len)
        self.seg_len = seg_len
        self.rnn = (GRU if kind == "gru" else LSTM)(units)
        self.dropout = Dropout(dropout)
        self.dense = Dense(horizon)

    def forecast(self, series, channels, training):
        segments = series.reshape(series.shape[0], -1, self.seg_len)  # (bc, n, w)
        state = self.rnn(segments, training=training)  # (bc, units)
        return self.dense(self.dropout(state, training=training))


def _check_segments(name, lookback, seg_len, horizon=None):
    for label, rows in (("lookback", lookback), ("horizon", horizon)):
        if rows is not None and rows % seg_len:
            raise ValueError(f"{name}: {label}={rows} is not a multiple of seg_len={seg_len}: "
                             f"use a seg_len that divides the lookback and the horizon")


class SegRNNHead(_ChannelIndependent):
    """SegRNN's encoder and PMF decoder (shapes: b batch, c channels, n input segments,
    m output segments, w seg_len, d units)."""

    def __init__(self, lookback, horizon, channels, seg_len=24, units=512, dropout=0.1,
                 **kwargs):
        super().__init__(horizon, **kwargs)
        _check_segments("segrnn", lookback, seg_len, horizon)
        if units % 2:
            raise ValueError(f"segrnn: units={units} must be even (half position, half channel "
                             "embedding)")
        self.seg_len, self.units, self.channels = seg_len, units, channels
        self.segments_in, self.segments_out = lookback // seg_len, horizon // seg_len
        self.embed = Dense(units, activation="relu")
        self.rnn = GRU(units, return_state=True)
        self.dropout = Dropout(dropout)
        self.predict_segment = Dense(seg_len)

    def build(self, input_shape):
        # SegRNN initialises both embeddings N(0, 1)
        self.add_weight("position_embedding", (self.segments_out, self.units // 2),
                        RandomNormal(stddev=1.0))
        self.add_weight("channel_embedding", (self.channels, self.units // 2),
                        RandomNormal(stddev=1.0))

    def forecast(self, series, channels, training):
        rows = series.shape[0]  # b*c
        segments = series.reshape(rows, self.segments_in, self.seg_len)  # (bc, n, w)
        _, state = self.rnn(self.embed(segments), training=training)  # (bc, d)
        # PMF: the m output segments of a series all start from its encoder state, so the
        # recurrent part of the gates is computed once per series, the input part once per
        # (channel, position); the GRU cell's own step math combines them
        m, half, d = self.segments_out, self.units // 2, self.units
        cell = self.rnn.cell
        queries = torch.cat([self.position_embedding[None].expand(channels, m, half),
                             self.channel_embedding[:, None].expand(channels, m, half)],
                            dim=-1)  # (c, m, d)
        batch = rows // channels
        projected = cell.project(queries)[None].expand(batch, channels, m, 3 * d)
        inner = cell.recurrent_projection(state).view(batch, channels, 1, 3 * d)
        decoded, _ = cell.combine(projected, inner.expand(batch, channels, m, 3 * d),
                                  state.view(batch, channels, 1, d).expand(batch, channels, m, d))
        out = self.predict_segment(self.dropout(decoded, training=training))  # (b, c, m, w)
        return out.reshape(rows, m * self.seg_len)


def build_ltsf_model(name, lookback, horizon, channels, units=None, dropout=None,
                     seg_len=24, norm="last", affine=False):
    """The forecaster `name` (see ``LTSF_MODELS``) inside ``InstanceNormalization``.
    `units`/`dropout` default to the published settings: SegRNN 512 / 0.1, gru/lstm 128 / 0."""
    if name not in LTSF_MODELS:
        raise ValueError(f"Unknown model {name!r}; choose one of: {', '.join(LTSF_MODELS)}")
    if name == "linear":
        inner = LinearHead(horizon)
    elif name == "segrnn":
        inner = SegRNNHead(lookback, horizon, channels, seg_len,
                           512 if units is None else units, 0.1 if dropout is None else dropout)
    else:
        inner = RecurrentHead(lookback, horizon, name, 128 if units is None else units,
                              0.0 if dropout is None else dropout, seg_len)
    return InstanceNormalization(inner, norm, affine, name=f"{name}_forecaster")
