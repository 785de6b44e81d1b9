"""Independent NumPy (float64) reference for the forward pass of Keras 3 layers.

This module is the golden oracle of seqlab's layer tests.  It is written from
the equations of the Keras 3 sources listed below (keras-team/keras, read for
behaviour only, no code copied) and it must never import torch or seqlab.

Weight layouts are Keras's: ``kernel`` is ``(input_dim, n_gates * units)``,
``recurrent_kernel`` is ``(units, n_gates * units)``, gates are laid out side
by side along the last axis.  ``@`` is a matrix product, ``*`` elementwise,
``sigma`` the recurrent activation (default sigmoid), ``act`` the activation
(default tanh).  ``m_x`` / ``m_h`` are the (already scaled) input / recurrent
dropout masks, ``1`` when not given.

SimpleRNN -- keras/src/layers/rnn/simple_rnn.py (SimpleRNNCell.call)::

    h_t = act((x_t * m_x) @ W + b + (h_{t-1} * m_h) @ U)

LSTM -- keras/src/layers/rnn/lstm.py (LSTMCell.call), gate order i, f, c, o::

    i = sigma((x_t * m_x[i]) @ W_i + b_i + (h_{t-1} * m_h[i]) @ U_i)
    f = sigma((x_t * m_x[f]) @ W_f + b_f + (h_{t-1} * m_h[f]) @ U_f)
    g =   act((x_t * m_x[c]) @ W_c + b_c + (h_{t-1} * m_h[c]) @ U_c)
    o = sigma((x_t * m_x[o]) @ W_o + b_o + (h_{t-1} * m_h[o]) @ U_o)
    c_t = f * c_{t-1} + i * g          (the carry c is never dropped out)
    h_t = o * act(c_t)                 states [h_t, c_t], output h_t

GRU -- keras/src/layers/rnn/gru.py (GRUCell.call), gate order z, r, h::

    z  = sigma((x_t * m_x[z]) @ W_z + bx_z + (h_{t-1} * m_h[z]) @ U_z + bh_z)
    r  = sigma((x_t * m_x[r]) @ W_r + bx_r + (h_{t-1} * m_h[r]) @ U_r + bh_r)
    reset_after=True  (bias (2, 3u) = [bx; bh]):
        hh = act((x_t * m_x[h]) @ W_h + bx_h + r * ((h_{t-1} * m_h[h]) @ U_h + bh_h))
    reset_after=False (bias (3u,) = bx, bh = 0):
        hh = act((x_t * m_x[h]) @ W_h + bx_h + (r * (h_{t-1} * m_h[h])) @ U_h)
    h_t = z * h_{t-1} + (1 - z) * hh   (h_{t-1} here is NOT dropped out)

Generic loop -- keras/src/layers/rnn/rnn.py (RNN.call / inner_loop) and
keras/src/backend/tensorflow/rnn.py (``rnn``, non-unrolled ``while_loop``; the
torch backend keras/src/backend/torch/rnn.py is the same)::

    go_backwards: inputs and mask are reversed along time; the returned
        sequence stays in processing (reversed) order.
    y_prev = 0
    for each processed step t:
        y, S' = cell(x_t, S)
        if mask is given:
            y  = y if mask_t else (0 if zero_output_for_mask else y_prev)
            S' = S' if mask_t else S
        y_prev, S = y, S'
    last output = y of the final processed step (after masking), final states S.

    Note: the JAX / NumPy backends (keras/src/backend/{jax,numpy}/rnn.py) use
    the previous *state* h_{t-1} instead of y_prev for a masked output; the two
    agree except for masked steps before the first real step when the initial
    state is non-zero (TF/torch give 0 there, JAX/NumPy give h_0).  This
    reference follows TF/torch.

Dropout masks (keras/src/layers/rnn/dropout_rnn_cell.py): one mask of shape
``(batch, features)`` per call, reused at every time step.  SimpleRNN uses a
single input mask and a single recurrent mask.  LSTM and GRU with
``recurrent_dropout == 0`` (implementation 2, also the cuDNN path) use a single
input mask on ``x_t`` before the fused kernel product; with
``recurrent_dropout > 0`` Keras switches to implementation 1 and draws one mask
per gate (4 for LSTM: i, f, c, o; 3 for GRU: z, r, h) for the inputs and for
``h_{t-1}``.  Here a mask argument is either one ndarray (applied to every
gate) or a list/tuple of per-gate ndarrays.

Bidirectional -- keras/src/layers/rnn/bidirectional.py: backward copy runs
with go_backwards=True, both directions get ``zero_output_for_mask =
return_sequences``, the backward sequence is flipped back along time when
``return_sequences``, then merged (concat / sum / mul / ave / None).

Conv1D -- keras/src/layers/convolutional/conv1d.py, base_conv.py, ops.conv:
cross-correlation (no kernel flip), kernel ``(kernel_size, in_channels /
groups, filters)``::

    y[b, j, f] = bias[f] + sum_{tap, c} xpad[b, j*s + tap*d, c] * K[tap, c, f]

padding "valid": none; "causal": ``(k-1)*d`` zeros on the left;
"same" (TF/XLA rule): ``out = ceil(T/s)``,
``pad_total = max((out-1)*s + (k-1)*d + 1 - T, 0)``, left = pad_total // 2,
right = the rest (the extra element goes to the right).

Pooling -- keras/src/layers/pooling/*.py, keras/src/backend/numpy/nn.py
(max_pool / average_pool): strides default to pool_size; "valid" gives
``(T - p) // s + 1`` windows, "same" gives ``ceil(T/s)`` windows with the TF
padding split above; max ignores padding, average divides by the number of
real (non-padded) elements.  GlobalAveragePooling1D
(global_average_pooling1d.py) with a mask: ``sum(where(mask, x, 0)) /
sum(mask)`` over time.

Activations -- keras/src/activations/activations.py and
keras/src/backend/numpy/nn.py.  Keras 3's ``hard_sigmoid`` is
``clip(x / 6 + 0.5, 0, 1)`` (= relu6(x + 3) / 6); Keras 2 used
``clip(0.2 * x + 0.5, 0, 1)``, provided here as ``hard_sigmoid_keras2``.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, Sequence

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "get_activation",
    "hard_sigmoid",
    "hard_sigmoid_keras2",
    "simple_rnn_step",
    "lstm_step",
    "gru_step",
    "rnn_loop",
    "simple_rnn",
    "lstm",
    "gru",
    "bidirectional",
    "conv1d",
    "max_pooling1d",
    "average_pooling1d",
    "global_average_pooling1d",
    "global_max_pooling1d",
    "dense",
    "embedding",
]


# --------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------

def _f64(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


def linear(x):
    return _f64(x)


def tanh(x):
    return np.tanh(_f64(x))


def sigmoid(x):
    # 1 / (1 + exp(-x)) written as exp(-log(1 + exp(-x))) to avoid overflow warnings.
    x = _f64(x)
    return np.exp(-np.logaddexp(0.0, -x))


def relu(x):
    return np.maximum(_f64(x), 0.0)


def hard_sigmoid(x):
    """Keras 3 hard sigmoid: 0 if x <= -3, 1 if x >= 3, x/6 + 0.5 otherwise."""
    return np.clip(_f64(x) / 6.0 + 0.5, 0.0, 1.0)


def hard_sigmoid_keras2(x):
    """Keras 2 (tf.keras) hard sigmoid: clip(0.2 * x + 0.5, 0, 1)."""
    return np.clip(0.2 * _f64(x) + 0.5, 0.0, 1.0)


def softsign(x):
    x = _f64(x)
    return x / (1.0 + np.abs(x))


def elu(x, alpha=1.0):
    x = _f64(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def softplus(x):
    return np.logaddexp(_f64(x), 0.0)


def selu(x):
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return scale * elu(x, alpha)


def silu(x):
    x = _f64(x)
    return x * sigmoid(x)


def exponential(x):
    return np.exp(_f64(x))


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": linear,
    "tanh": tanh,
    "sigmoid": sigmoid,
    "relu": relu,
    "hard_sigmoid": hard_sigmoid,
    "softsign": softsign,
    "elu": elu,
    "softplus": softplus,
    "selu": selu,
    "silu": silu,
    "swish": silu,
    "exponential": exponential,
}


def get_activation(activation) -> Callable[[np.ndarray], np.ndarray]:
    """Name (see ACTIVATIONS), None (= linear, as in Keras) or a callable."""
    if activation is None:
        return linear
    if callable(activation):
        return activation
    try:
        return ACTIVATIONS[activation]
    except KeyError:
        raise ValueError(f"unknown activation {activation!r}") from None


# --------------------------------------------------------------------------
# Recurrent cells: one step each.  step(x_t, states) -> (output, new_states)
# --------------------------------------------------------------------------

def _per_gate(mask, n_gates: int) -> list:
    """A dropout-mask argument as a list of n_gates masks (None = no dropout)."""
    if mask is None:
        return [None] * n_gates
    if isinstance(mask, (list, tuple)):
        if len(mask) != n_gates:
            raise ValueError(f"expected {n_gates} per-gate masks, got {len(mask)}")
        return [None if m is None else _f64(m) for m in mask]
    return [_f64(mask)] * n_gates


def _dropped(v: np.ndarray, mask) -> np.ndarray:
    return v if mask is None else v * mask


def _gate(a: np.ndarray, g: int, units: int) -> np.ndarray:
    """Columns of gate g from a (..., n_gates * units) array."""
    return a[..., g * units:(g + 1) * units]


def simple_rnn_step(x_t, states, *, kernel, recurrent_kernel, bias, activation,
                    input_mask=None, recurrent_mask=None):
    """SimpleRNNCell.call: h = act((x*m_x) @ W + b + (h_prev*m_h) @ U)."""
    (h_prev,) = states
    z = _dropped(x_t, input_mask) @ kernel
    if bias is not None:
        z = z + bias
    z = z + _dropped(h_prev, recurrent_mask) @ recurrent_kernel
    h = activation(z)
    return h, [h]


def lstm_step(x_t, states, *, kernel, recurrent_kernel, bias, activation,
              recurrent_activation, input_masks, recurrent_masks):
    """LSTMCell.call, gate order i, f, c, o; masks are lists of 4."""
    h_prev, c_prev = states
    u = recurrent_kernel.shape[0]
    pre = []
    for g in range(4):
        z = _dropped(x_t, input_masks[g]) @ _gate(kernel, g, u)
        z = z + _dropped(h_prev, recurrent_masks[g]) @ _gate(recurrent_kernel, g, u)
        if bias is not None:
            z = z + _gate(bias, g, u)
        pre.append(z)
    i = recurrent_activation(pre[0])
    f = recurrent_activation(pre[1])
    g_ = activation(pre[2])
    o = recurrent_activation(pre[3])
    c = f * c_prev + i * g_
    h = o * activation(c)
    return h, [h, c]


def gru_step(x_t, states, *, kernel, recurrent_kernel, bias, reset_after,
             activation, recurrent_activation, input_masks, recurrent_masks):
    """GRUCell.call, gate order z, r, h; masks are lists of 3."""
    (h_prev,) = states
    u = recurrent_kernel.shape[0]
    if bias is None:
        input_bias = recurrent_bias = np.zeros(3 * u)
    elif reset_after:
        input_bias, recurrent_bias = bias[0], bias[1]
    else:
        input_bias, recurrent_bias = bias, np.zeros(3 * u)

    # input projections x_z, x_r, x_h (input bias included)
    x_proj = [_dropped(x_t, input_masks[g]) @ _gate(kernel, g, u) + _gate(input_bias, g, u)
              for g in range(3)]
    # recurrent inputs h_z, h_r, h_h (each with its own recurrent dropout mask)
    h_in = [_dropped(h_prev, recurrent_masks[g]) for g in range(3)]

    z = recurrent_activation(
        x_proj[0] + h_in[0] @ _gate(recurrent_kernel, 0, u) + _gate(recurrent_bias, 0, u))
    r = recurrent_activation(
        x_proj[1] + h_in[1] @ _gate(recurrent_kernel, 1, u) + _gate(recurrent_bias, 1, u))
    if reset_after:
        rec_h = r * (h_in[2] @ _gate(recurrent_kernel, 2, u) + _gate(recurrent_bias, 2, u))
    else:
        rec_h = (r * h_in[2]) @ _gate(recurrent_kernel, 2, u)
    hh = activation(x_proj[2] + rec_h)
    h = z * h_prev + (1.0 - z) * hh  # un-dropped h_prev
    return h, [h]


# --------------------------------------------------------------------------
# The generic loop shared by all cells
# --------------------------------------------------------------------------

def rnn_loop(step: Callable, x, initial_states: Sequence[np.ndarray], mask=None,
             go_backwards=False, return_sequences=False, zero_output_for_mask=False):
    """Keras's backend ``rnn`` (TF semantics, non-unrolled).

    Returns ``(output, states)``; ``output`` is ``(batch, time, units)`` in
    processing order if ``return_sequences`` else the last output
    ``(batch, units)``.
    """
    x = _f64(x)
    if x.ndim != 3:
        raise ValueError(f"x must be (batch, time, features), got shape {x.shape}")
    batch, time = x.shape[:2]
    states = [_f64(s) for s in initial_states]
    if mask is not None:
        mask = np.asarray(mask).astype(bool)
        if mask.shape != (batch, time):
            raise ValueError(f"mask must be (batch, time) = {(batch, time)}, got {mask.shape}")
    if time == 0:
        raise ValueError("x must have at least one time step")
    order = range(time - 1, -1, -1) if go_backwards else range(time)

    outputs = []
    prev_output = None
    for t in order:
        out, new_states = step(x[:, t, :], states)
        if mask is not None:
            keep = mask[:, t][:, None]
            if prev_output is None:
                prev_output = np.zeros_like(out)
            fallback = np.zeros_like(out) if zero_output_for_mask else prev_output
            out = np.where(keep, out, fallback)
            new_states = [np.where(keep, ns, s) for ns, s in zip(new_states, states)]
        prev_output = out
        states = list(new_states)
        outputs.append(out)

    if return_sequences:
        return np.stack(outputs, axis=1), states
    return outputs[-1], states


def _initial_states(initial_state, batch: int, units: int, n_states: int) -> list:
    if initial_state is None:
        return [np.zeros((batch, units)) for _ in range(n_states)]
    if not isinstance(initial_state, (list, tuple)):
        initial_state = [initial_state]
    if len(initial_state) != n_states:
        raise ValueError(f"expected {n_states} initial state(s), got {len(initial_state)}")
    out = []
    for s in initial_state:
        s = _f64(s)
        if s.shape != (batch, units):
            raise ValueError(f"initial state must be {(batch, units)}, got {s.shape}")
        out.append(s)
    return out


def _check_weights(x, kernel, recurrent_kernel, n_gates: int) -> tuple[int, int]:
    units = recurrent_kernel.shape[0]
    if kernel.shape != (x.shape[-1], n_gates * units):
        raise ValueError(f"kernel must be {(x.shape[-1], n_gates * units)}, got {kernel.shape}")
    if recurrent_kernel.shape != (units, n_gates * units):
        raise ValueError(
            f"recurrent_kernel must be {(units, n_gates * units)}, got {recurrent_kernel.shape}")
    return x.shape[0], units


# --------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------

def simple_rnn(x, kernel, recurrent_kernel, bias, activation="tanh", mask=None,
               initial_state=None, go_backwards=False, return_sequences=False,
               zero_output_for_mask=False, input_dropout_mask=None,
               recurrent_dropout_mask=None):
    """keras.layers.SimpleRNN forward.  Returns (output, [h])."""
    x, kernel, recurrent_kernel = _f64(x), _f64(kernel), _f64(recurrent_kernel)
    batch, units = _check_weights(x, kernel, recurrent_kernel, 1)
    step = partial(
        simple_rnn_step, kernel=kernel, recurrent_kernel=recurrent_kernel,
        bias=None if bias is None else _f64(bias),
        activation=get_activation(activation),
        input_mask=None if input_dropout_mask is None else _f64(input_dropout_mask),
        recurrent_mask=None if recurrent_dropout_mask is None else _f64(recurrent_dropout_mask),
    )
    return rnn_loop(step, x, _initial_states(initial_state, batch, units, 1), mask,
                    go_backwards, return_sequences, zero_output_for_mask)


def lstm(x, kernel, recurrent_kernel, bias, activation="tanh",
         recurrent_activation="sigmoid", mask=None, initial_state=None,
         go_backwards=False, return_sequences=False, zero_output_for_mask=False,
         input_dropout_mask=None, recurrent_dropout_mask=None):
    """keras.layers.LSTM forward.  Returns (output, [h, c]).

    Dropout masks: one ndarray (all gates, Keras implementation 2) or a
    list/tuple of 4 (per gate i, f, c, o, Keras implementation 1).
    """
    x, kernel, recurrent_kernel = _f64(x), _f64(kernel), _f64(recurrent_kernel)
    batch, units = _check_weights(x, kernel, recurrent_kernel, 4)
    step = partial(
        lstm_step, kernel=kernel, recurrent_kernel=recurrent_kernel,
        bias=None if bias is None else _f64(bias),
        activation=get_activation(activation),
        recurrent_activation=get_activation(recurrent_activation),
        input_masks=_per_gate(input_dropout_mask, 4),
        recurrent_masks=_per_gate(recurrent_dropout_mask, 4),
    )
    return rnn_loop(step, x, _initial_states(initial_state, batch, units, 2), mask,
                    go_backwards, return_sequences, zero_output_for_mask)


def gru(x, kernel, recurrent_kernel, bias, reset_after=True, activation="tanh",
        recurrent_activation="sigmoid", mask=None, initial_state=None,
        go_backwards=False, return_sequences=False, zero_output_for_mask=False,
        input_dropout_mask=None, recurrent_dropout_mask=None):
    """keras.layers.GRU forward.  Returns (output, [h]).

    bias is (2, 3u) when reset_after else (3u,).  Dropout masks: one ndarray
    or a list/tuple of 3 (per gate z, r, h).
    """
    x, kernel, recurrent_kernel = _f64(x), _f64(kernel), _f64(recurrent_kernel)
    batch, units = _check_weights(x, kernel, recurrent_kernel, 3)
    if bias is not None:
        bias = _f64(bias)
        expected = (2, 3 * units) if reset_after else (3 * units,)
        if bias.shape != expected:
            raise ValueError(f"GRU bias must be {expected} (reset_after={reset_after}), "
                             f"got {bias.shape}")
    step = partial(
        gru_step, kernel=kernel, recurrent_kernel=recurrent_kernel, bias=bias,
        reset_after=reset_after, activation=get_activation(activation),
        recurrent_activation=get_activation(recurrent_activation),
        input_masks=_per_gate(input_dropout_mask, 3),
        recurrent_masks=_per_gate(recurrent_dropout_mask, 3),
    )
    return rnn_loop(step, x, _initial_states(initial_state, batch, units, 1), mask,
                    go_backwards, return_sequences, zero_output_for_mask)


def bidirectional(forward_fn, backward_fn, x, merge_mode="concat", mask=None,
                  return_sequences=False, return_state=False):
    """keras.layers.Bidirectional forward.

    ``forward_fn`` / ``backward_fn`` are callables such as
    ``functools.partial(lstm, kernel=..., recurrent_kernel=..., bias=...)``
    returning ``(output, states)``.  Returns the merged output (a list
    ``[forward, backward]`` when ``merge_mode is None``), or with
    ``return_state`` the pair ``(merged, forward_states + backward_states)``
    (Keras itself returns the flat tuple ``(merged, *fwd_states, *bwd_states)``).
    """
    if merge_mode not in ("concat", "sum", "mul", "ave", None):
        raise ValueError(f"invalid merge_mode {merge_mode!r}")
    common = dict(mask=mask, return_sequences=return_sequences,
                  zero_output_for_mask=return_sequences)
    y, fwd_states = forward_fn(x, go_backwards=False, **common)
    y_rev, bwd_states = backward_fn(x, go_backwards=True, **common)
    if return_sequences:
        y_rev = y_rev[:, ::-1]
    if merge_mode == "concat":
        out = np.concatenate([y, y_rev], axis=-1)
    elif merge_mode == "sum":
        out = y + y_rev
    elif merge_mode == "ave":
        out = (y + y_rev) / 2.0
    elif merge_mode == "mul":
        out = y * y_rev
    else:
        out = [y, y_rev]
    if return_state:
        return out, list(fwd_states) + list(bwd_states)
    return out


# --------------------------------------------------------------------------
# Convolution and pooling
# --------------------------------------------------------------------------

def _single(v, name: str) -> int:
    if isinstance(v, (list, tuple)):
        if len(v) != 1:
            raise ValueError(f"{name} must be an int or a 1-tuple, got {v!r}")
        v = v[0]
    v = int(v)
    if v < 1:
        raise ValueError(f"{name} must be >= 1, got {v}")
    return v


def _same_padding(length: int, window: int, stride: int) -> tuple[int, int, int]:
    """TF "SAME": (n_out, pad_left, pad_right) for an effective window size."""
    n_out = -(-length // stride)
    total = max((n_out - 1) * stride + window - length, 0)
    return n_out, total // 2, total - total // 2


def conv1d(x, kernel, bias, strides=1, padding="valid", dilation_rate=1):
    """keras.layers.Conv1D forward (channels_last, no activation).

    kernel is (kernel_size, in_channels // groups, filters); groups is
    inferred as in_channels // kernel.shape[1], as Keras's ops.conv does.
    """
    x, kernel = _f64(x), _f64(kernel)
    if x.ndim != 3 or kernel.ndim != 3:
        raise ValueError("x must be (batch, steps, channels), kernel (k, in, filters)")
    s = _single(strides, "strides")
    d = _single(dilation_rate, "dilation_rate")
    k, cin_g, filters = kernel.shape
    batch, length, cin = x.shape
    if cin % cin_g or filters % (cin // cin_g):
        raise ValueError(f"channels {cin} / filters {filters} do not fit kernel {kernel.shape}")
    groups = cin // cin_g
    span = (k - 1) * d + 1  # effective (dilated) kernel size

    padding = padding.lower()
    if padding == "valid":
        left = right = 0
    elif padding == "causal":
        left, right = (k - 1) * d, 0
    elif padding == "same":
        _, left, right = _same_padding(length, span, s)
    else:
        raise ValueError(f"invalid padding {padding!r}")
    xp = np.pad(x, ((0, 0), (left, right), (0, 0)))
    n_out = max((xp.shape[1] - span) // s + 1, 0)

    out = np.zeros((batch, n_out, filters))
    f_g = filters // groups
    for g in range(groups):
        xg = xp[:, :, g * cin_g:(g + 1) * cin_g]
        for tap in range(k):
            start = tap * d
            window = xg[:, start:start + (n_out - 1) * s + 1:s, :] if n_out else xg[:, :0, :]
            out[:, :, g * f_g:(g + 1) * f_g] += window @ kernel[tap, :, g * f_g:(g + 1) * f_g]
    if bias is not None:
        out = out + _f64(bias)
    return out


def _pool1d(x, pool_size, strides, padding, reduce_fn):
    x = _f64(x)
    if x.ndim != 3:
        raise ValueError(f"x must be (batch, steps, channels), got shape {x.shape}")
    p = _single(pool_size, "pool_size")
    s = p if strides is None else _single(strides, "strides")
    length = x.shape[1]
    padding = padding.lower()
    if padding == "valid":
        n_out, left = max((length - p) // s + 1, 0), 0
    elif padding == "same":
        n_out, left, _ = _same_padding(length, p, s)
    else:
        raise ValueError(f"invalid padding {padding!r}")
    out = np.empty((x.shape[0], n_out, x.shape[2]))
    for j in range(n_out):
        start = j * s - left
        lo, hi = max(start, 0), min(start + p, length)  # real elements only
        out[:, j, :] = reduce_fn(x[:, lo:hi, :], axis=1)
    return out


def max_pooling1d(x, pool_size=2, strides=None, padding="valid"):
    """keras.layers.MaxPooling1D forward (channels_last)."""
    return _pool1d(x, pool_size, strides, padding, np.max)


def average_pooling1d(x, pool_size=2, strides=None, padding="valid"):
    """keras.layers.AveragePooling1D forward; "same" averages real elements only."""
    return _pool1d(x, pool_size, strides, padding, np.mean)


def global_average_pooling1d(x, mask=None):
    """keras.layers.GlobalAveragePooling1D: masked mean over time.

    A row whose mask is all False gives 0/0 = nan, as in Keras.
    """
    x = _f64(x)
    if mask is None:
        return x.mean(axis=1)
    m = np.asarray(mask).astype(bool)[:, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(m, x, 0.0).sum(axis=1) / m.astype(np.float64).sum(axis=1)


def global_max_pooling1d(x):
    """keras.layers.GlobalMaxPooling1D: max over time."""
    return _f64(x).max(axis=1)


# --------------------------------------------------------------------------
# Dense and Embedding
# --------------------------------------------------------------------------

def dense(x, kernel, bias, activation=None):
    """keras.layers.Dense: act(x @ kernel + bias), last axis contracted."""
    y = np.tensordot(_f64(x), _f64(kernel), axes=([-1], [0]))
    if bias is not None:
        y = y + _f64(bias)
    return get_activation(activation)(y)


def embedding(indices, embeddings):
    """keras.layers.Embedding: embeddings[indices] (any index shape)."""
    idx = np.asarray(indices)
    if not np.issubdtype(idx.dtype, np.integer):
        if not np.all(idx == np.floor(idx)):
            raise ValueError("embedding indices must be integers")
        idx = idx.astype(np.int64)
    table = _f64(embeddings)
    if idx.size and (idx.min() < 0 or idx.max() >= table.shape[0]):
        raise IndexError("embedding index out of range")
    return table[idx]

