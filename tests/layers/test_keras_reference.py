"""Tests of the NumPy Keras oracle itself (tests/layers/keras_reference.py).

Nothing here imports seqlab.  Three kinds of checks:
  * tiny cases whose numbers are derived by hand in the comments;
  * structural identities (masked == unpadded, go_backwards == flipped input);
  * agreement with torch.nn.RNN / LSTM / GRU and torch.nn.functional.conv1d /
    pooling in float64 after converting Keras-layout weights by hand.
torch is used only in this file, never in keras_reference.py.
"""
from __future__ import annotations

import math
from functools import partial

import numpy as np
import pytest
import torch

from tests.layers import keras_reference as kr

ATOL = 1e-12


def col(*values):
    """A (1, T, 1) input: batch 1, one feature."""
    return np.array(values, dtype=np.float64).reshape(1, -1, 1)


# ==========================================================================
# Activations
# ==========================================================================

def test_hard_sigmoid_keras3_definition():
    # Keras 3: clip(x/6 + 0.5, 0, 1): -4 -> 0, -3 -> 0, 0 -> .5, 1.5 -> .75, 3 -> 1, 4 -> 1
    got = kr.hard_sigmoid([-4.0, -3.0, 0.0, 1.5, 3.0, 4.0])
    np.testing.assert_allclose(got, [0.0, 0.0, 0.5, 0.75, 1.0, 1.0], atol=ATOL)
    assert kr.get_activation("hard_sigmoid") is kr.hard_sigmoid


def test_hard_sigmoid_keras2_definition():
    # Keras 2: clip(0.2x + 0.5, 0, 1): -3 -> 0, -2.5 -> 0, 0 -> .5, 1 -> .7, 2.5 -> 1, 3 -> 1
    got = kr.hard_sigmoid_keras2([-3.0, -2.5, 0.0, 1.0, 2.5, 3.0])
    np.testing.assert_allclose(got, [0.0, 0.0, 0.5, 0.7, 1.0, 1.0], atol=ATOL)


def test_named_activations():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    act = kr.get_activation
    np.testing.assert_allclose(act("tanh")(x), np.tanh(x), atol=ATOL)
    np.testing.assert_allclose(act("sigmoid")(x), 1 / (1 + np.exp(-x)), atol=ATOL)
    np.testing.assert_allclose(act("relu")(x), [0, 0, 0, 0.5, 2.0], atol=ATOL)
    np.testing.assert_allclose(act("linear")(x), x, atol=ATOL)
    np.testing.assert_allclose(act(None)(x), x, atol=ATOL)
    np.testing.assert_allclose(act("softsign")(x), x / (1 + np.abs(x)), atol=ATOL)
    np.testing.assert_allclose(act("elu")(x), np.where(x > 0, x, np.exp(x) - 1), atol=ATOL)
    np.testing.assert_allclose(act("softplus")(x), np.log1p(np.exp(x)), atol=ATOL)
    np.testing.assert_allclose(act(np.square)(x), x * x, atol=ATOL)
    # no overflow warnings at the extremes
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        np.testing.assert_allclose(act("sigmoid")(np.array([-1000.0, 1000.0])), [0.0, 1.0])
        np.testing.assert_allclose(act("softplus")(np.array([-1000.0, 1000.0])), [0.0, 1000.0])
        np.testing.assert_allclose(act("elu")(np.array([-1000.0, 1000.0])), [-1.0, 1000.0])
    with pytest.raises(ValueError):
        act("nope")


# ==========================================================================
# SimpleRNN, hand-computed (units=1, W=1, U=0.5, b=0, linear activation)
# ==========================================================================

SRNN = dict(kernel=[[1.0]], recurrent_kernel=[[0.5]], bias=[0.0], activation="linear")


def test_simple_rnn_forward_by_hand():
    # h1 = 1; h2 = 2 + 0.5*1 = 2.5; h3 = 3 + 0.5*2.5 = 4.25
    seq, (h,) = kr.simple_rnn(col(1, 2, 3), **SRNN, return_sequences=True)
    np.testing.assert_allclose(seq[0, :, 0], [1.0, 2.5, 4.25], atol=ATOL)
    np.testing.assert_allclose(h, [[4.25]], atol=ATOL)
    last, _ = kr.simple_rnn(col(1, 2, 3), **SRNN)
    assert last.shape == (1, 1)
    np.testing.assert_allclose(last, [[4.25]], atol=ATOL)


def test_simple_rnn_bias_and_tanh_by_hand():
    # W=2, U=0, b=1, tanh: h_t = tanh(2 x_t + 1) -> tanh(1), tanh(3)
    seq, _ = kr.simple_rnn(col(0, 1), [[2.0]], [[0.0]], [1.0], return_sequences=True)
    np.testing.assert_allclose(seq[0, :, 0], [math.tanh(1), math.tanh(3)], atol=ATOL)
    # bias=None is the same as a zero bias
    a, _ = kr.simple_rnn(col(1, 2), [[2.0]], [[0.5]], None)
    b, _ = kr.simple_rnn(col(1, 2), [[2.0]], [[0.5]], [0.0])
    np.testing.assert_allclose(a, b, atol=ATOL)


def test_simple_rnn_initial_state_by_hand():
    # h0 = 10: h1 = 1 + 5 = 6; h2 = 2 + 3 = 5
    seq, (h,) = kr.simple_rnn(col(1, 2), **SRNN, initial_state=[np.array([[10.0]])],
                              return_sequences=True)
    np.testing.assert_allclose(seq[0, :, 0], [6.0, 5.0], atol=ATOL)
    np.testing.assert_allclose(h, [[5.0]], atol=ATOL)


def test_simple_rnn_go_backwards_by_hand():
    # processes 3, 2, 1: h = 3; 2 + 1.5 = 3.5; 1 + 1.75 = 2.75
    # the sequence is returned in processing order (NOT flipped back)
    seq, (h,) = kr.simple_rnn(col(1, 2, 3), **SRNN, go_backwards=True, return_sequences=True)
    np.testing.assert_allclose(seq[0, :, 0], [3.0, 3.5, 2.75], atol=ATOL)
    np.testing.assert_allclose(h, [[2.75]], atol=ATOL)
    last, _ = kr.simple_rnn(col(1, 2, 3), **SRNN, go_backwards=True)
    np.testing.assert_allclose(last, [[2.75]], atol=ATOL)


def test_simple_rnn_mask_in_the_middle_by_hand():
    # mask [T, F, T]: h1 = 1; step 2 skipped (state stays 1, output repeats 1);
    # h3 = 3 + 0.5*1 = 3.5
    m = np.array([[True, False, True]])
    seq, (h,) = kr.simple_rnn(col(1, 2, 3), **SRNN, mask=m, return_sequences=True)
    np.testing.assert_allclose(seq[0, :, 0], [1.0, 1.0, 3.5], atol=ATOL)
    np.testing.assert_allclose(h, [[3.5]], atol=ATOL)
    # zero_output_for_mask: the masked output is 0, states unchanged
    seq, (h,) = kr.simple_rnn(col(1, 2, 3), **SRNN, mask=m, return_sequences=True,
                              zero_output_for_mask=True)
    np.testing.assert_allclose(seq[0, :, 0], [1.0, 0.0, 3.5], atol=ATOL)
    np.testing.assert_allclose(h, [[3.5]], atol=ATOL)


def test_simple_rnn_leading_mask_outputs_zero_by_hand():
    # mask [F, T, T]: step 1 skipped -> output 0 (no previous output yet), state 0;
    # h2 = 2; h3 = 3 + 1 = 4.  Even with a non-zero initial state the masked
    # output before the first real step is 0 (TF / torch backend semantics).
    m = np.array([[False, True, True]])
    seq, _ = kr.simple_rnn(col(1, 2, 3), **SRNN, mask=m, return_sequences=True)
    np.testing.assert_allclose(seq[0, :, 0], [0.0, 2.0, 4.0], atol=ATOL)
    # h0 = 10: step 1 masked -> output 0, state stays 10; h2 = 2 + 5 = 7; h3 = 3 + 3.5
    seq, (h,) = kr.simple_rnn(col(1, 2, 3), **SRNN, mask=m, return_sequences=True,
                              initial_state=[np.array([[10.0]])])
    np.testing.assert_allclose(seq[0, :, 0], [0.0, 7.0, 6.5], atol=ATOL)
    np.testing.assert_allclose(h, [[6.5]], atol=ATOL)


def test_simple_rnn_trailing_mask_last_output_by_hand():
    # mask [T, T, F]: h = 1, 2.5, (skipped).  Last output = output at the final
    # processed step after masking = 2.5, or 0 with zero_output_for_mask (the
    # final state stays 2.5 either way).
    m = np.array([[True, True, False]])
    last, (h,) = kr.simple_rnn(col(1, 2, 3), **SRNN, mask=m)
    np.testing.assert_allclose(last, [[2.5]], atol=ATOL)
    last, (h,) = kr.simple_rnn(col(1, 2, 3), **SRNN, mask=m, zero_output_for_mask=True)
    np.testing.assert_allclose(last, [[0.0]], atol=ATOL)
    np.testing.assert_allclose(h, [[2.5]], atol=ATOL)


def test_simple_rnn_go_backwards_with_mask_by_hand():
    # mask [T, T, F] reversed with the inputs: processes (3, masked), 2, 1:
    # output 0 (nothing before), state 0; h = 2; h = 1 + 1 = 2
    m = np.array([[True, True, False]])
    seq, (h,) = kr.simple_rnn(col(1, 2, 3), **SRNN, mask=m, go_backwards=True,
                              return_sequences=True)
    np.testing.assert_allclose(seq[0, :, 0], [0.0, 2.0, 2.0], atol=ATOL)
    np.testing.assert_allclose(h, [[2.0]], atol=ATOL)


def test_simple_rnn_dropout_masks_by_hand():
    # input mask 0 -> h_t = 0.5 h_{t-1} + 0: with h0 = 8: 4, 2
    seq, _ = kr.simple_rnn(col(1, 2), **SRNN, initial_state=[np.array([[8.0]])],
                           input_dropout_mask=np.zeros((1, 1)), return_sequences=True)
    np.testing.assert_allclose(seq[0, :, 0], [4.0, 2.0], atol=ATOL)
    # recurrent mask 2 (a kept unit at rate 0.5): h1 = 1 + 0.5*2*0 = 1; h2 = 2 + 0.5*2*1 = 3
    seq, _ = kr.simple_rnn(col(1, 2), **SRNN, recurrent_dropout_mask=np.full((1, 1), 2.0),
                           return_sequences=True)
    np.testing.assert_allclose(seq[0, :, 0], [1.0, 3.0], atol=ATOL)


# ==========================================================================
# LSTM, hand-computed
# ==========================================================================

def test_lstm_gate_order_by_hand():
    # units=1, linear activations, kernel columns (i, f, c, o) = (1, 2, 3, 4),
    # U = 0, b = 0, x = 1, h0 = 0, c0 = 5:
    #   i = 1, f = 2, g = 3, o = 4; c = f*c0 + i*g = 10 + 3 = 13; h = o*c = 52
    out, (h, c) = kr.lstm(col(1), [[1.0, 2.0, 3.0, 4.0]], np.zeros((1, 4)), np.zeros(4),
                          activation="linear", recurrent_activation="linear",
                          initial_state=[np.zeros((1, 1)), np.array([[5.0]])])
    np.testing.assert_allclose(out, [[52.0]], atol=ATOL)
    np.testing.assert_allclose(h, [[52.0]], atol=ATOL)
    np.testing.assert_allclose(c, [[13.0]], atol=ATOL)


def test_lstm_two_steps_linear_by_hand():
    # kernel ones, U = 0, b = 0, linear: every gate = x_t.
    # t1 (x=1): c = 1*0 + 1*1 = 1, h = 1*1 = 1
    # t2 (x=2): c = 2*1 + 2*2 = 6, h = 2*6 = 12
    seq, (h, c) = kr.lstm(col(1, 2), np.ones((1, 4)), np.zeros((1, 4)), np.zeros(4),
                          activation="linear", recurrent_activation="linear",
                          return_sequences=True)
    np.testing.assert_allclose(seq[0, :, 0], [1.0, 12.0], atol=ATOL)
    np.testing.assert_allclose(c, [[6.0]], atol=ATOL)


def test_lstm_default_activations_by_hand():
    # W = 0, U = 0, b = (0, 0, 1, 0): i = f = o = sigmoid(0) = 1/2, g = tanh(1)
    # c1 = 0.5*0 + 0.5*tanh(1);              h1 = 0.5*tanh(c1)
    # c2 = 0.5*c1 + 0.5*tanh(1) = 0.75 tanh(1); h2 = 0.5*tanh(c2)
    t1 = math.tanh(1.0)
    seq, (h, c) = kr.lstm(col(7, -3), np.zeros((1, 4)), np.zeros((1, 4)),
                          np.array([0.0, 0.0, 1.0, 0.0]), return_sequences=True)
    np.testing.assert_allclose(seq[0, :, 0], [0.5 * math.tanh(0.5 * t1),
                                              0.5 * math.tanh(0.75 * t1)], atol=ATOL)
    np.testing.assert_allclose(c, [[0.75 * t1]], atol=ATOL)


def test_lstm_no_bias():
    a, sa = kr.lstm(col(1, 2), np.ones((1, 4)), np.ones((1, 4)), None)
    b, sb = kr.lstm(col(1, 2), np.ones((1, 4)), np.ones((1, 4)), np.zeros(4))
    np.testing.assert_allclose(a, b, atol=ATOL)
    np.testing.assert_allclose(sa[1], sb[1], atol=ATOL)


LSTM_RD = dict(kernel=np.zeros((1, 4)), recurrent_kernel=np.ones((1, 4)), bias=np.ones(4),
               activation="linear", recurrent_activation="linear",
               initial_state=[np.array([[10.0]]), np.array([[5.0]])])


def test_lstm_recurrent_dropout_by_hand():
    # W = 0, U = 1, b = 1, linear, h0 = 10, c0 = 5.
    # no dropout: every gate = 1 + 10 = 11; c = 11*5 + 11*11 = 176; h = 11*176 = 1936
    out, (h, c) = kr.lstm(col(3), **LSTM_RD)
    np.testing.assert_allclose([h[0, 0], c[0, 0]], [1936.0, 176.0], atol=ATOL)
    # recurrent mask 0 on h (single mask, all gates): every gate = 1;
    # the carry c0 is NOT dropped: c = 1*5 + 1*1 = 6; h = 1*6 = 6
    out, (h, c) = kr.lstm(col(3), **LSTM_RD, recurrent_dropout_mask=np.zeros((1, 1)))
    np.testing.assert_allclose([h[0, 0], c[0, 0]], [6.0, 6.0], atol=ATOL)
    # per-gate masks (i, f, c, o) = (0, 1, 1, 1): i = 1, f = g = o = 11:
    # c = 11*5 + 1*11 = 66; h = 11*66 = 726
    masks = [np.zeros((1, 1)), np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1))]
    out, (h, c) = kr.lstm(col(3), **LSTM_RD, recurrent_dropout_mask=masks)
    np.testing.assert_allclose([h[0, 0], c[0, 0]], [726.0, 66.0], atol=ATOL)


def test_lstm_input_dropout_by_hand():
    # kernel (i, f, c, o) = (1, 2, 3, 4), U = 0, b = 0, linear, x = 1, c0 = 5
    # per-gate input masks (1, 0, 2, 1): i = 1, f = 0, g = 6, o = 4: c = 6; h = 24
    masks = [np.ones((1, 1)), np.zeros((1, 1)), np.full((1, 1), 2.0), np.ones((1, 1))]
    out, (h, c) = kr.lstm(col(1), [[1.0, 2.0, 3.0, 4.0]], np.zeros((1, 4)), np.zeros(4),
                          activation="linear", recurrent_activation="linear",
                          initial_state=[np.zeros((1, 1)), np.array([[5.0]])],
                          input_dropout_mask=masks)
    np.testing.assert_allclose([h[0, 0], c[0, 0]], [24.0, 6.0], atol=ATOL)
    # one mask of 0 for all gates: i = f = g = o = 0: c = 0, h = 0
    out, (h, c) = kr.lstm(col(1), [[1.0, 2.0, 3.0, 4.0]], np.zeros((1, 4)), np.zeros(4),
                          activation="linear", recurrent_activation="linear",
                          initial_state=[np.zeros((1, 1)), np.array([[5.0]])],
                          input_dropout_mask=np.zeros((1, 1)))
    np.testing.assert_allclose([h[0, 0], c[0, 0]], [0.0, 0.0], atol=ATOL)


def test_dropout_mask_reused_at_every_step():
    # A per-sequence mask is the same at every step: running with a mask equals
    # running on inputs pre-multiplied by the mask at every time step.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 4))
    k, rk, b = rng.normal(size=(4, 8)), rng.normal(size=(2, 8)), rng.normal(size=8)
    m = (rng.random((3, 4)) > 0.5) * 2.0
    a, _ = kr.lstm(x, k, rk, b, input_dropout_mask=m, return_sequences=True)
    c, _ = kr.lstm(x * m[:, None, :], k, rk, b, return_sequences=True)
    np.testing.assert_allclose(a, c, atol=ATOL)


# ==========================================================================
# GRU, hand-computed (units=1, linear activations, h0 = 2, x = 1)
# kernel (z, r, h) = (1, 2, 3), recurrent kernel (z, r, h) = (0.5, 0.25, 1)
# ==========================================================================

GRU_W = dict(kernel=[[1.0, 2.0, 3.0]], recurrent_kernel=[[0.5, 0.25, 1.0]],
             activation="linear", recurrent_activation="linear",
             initial_state=[np.array([[2.0]])])


def test_gru_reset_after_by_hand():
    # bias rows: input (0, 0, 0), recurrent (0, 0, 1)
    # z = 1 + 2*0.5 = 2; r = 2 + 2*0.25 = 2.5
    # hh = x_h + r * (h0*U_h + b_rh) = 3 + 2.5*(2 + 1) = 10.5
    # h = z*h0 + (1 - z)*hh = 4 - 10.5 = -6.5
    out, (h,) = kr.gru(col(1), **GRU_W, bias=np.array([[0.0, 0, 0], [0, 0, 1]]),
                       reset_after=True)
    np.testing.assert_allclose(out, [[-6.5]], atol=ATOL)
    np.testing.assert_allclose(h, [[-6.5]], atol=ATOL)


def test_gru_reset_before_by_hand():
    # bias (3u,) = (0, 0, 1), input bias only
    # z = 2; r = 2.5; hh = x_h + b_h + (r*h0)*U_h = 3 + 1 + 5 = 9
    # h = 2*2 + (1 - 2)*9 = -5
    out, _ = kr.gru(col(1), **GRU_W, bias=np.array([0.0, 0.0, 1.0]), reset_after=False)
    np.testing.assert_allclose(out, [[-5.0]], atol=ATOL)


def test_gru_bias_rows_by_hand():
    # reset_after=True, input bias (1, 0, 0) vs recurrent bias (0, 0, 1) go to
    # different places: z = 1 + 1 + 1 = 3; r = 2.5; hh = 3 + 2.5*(2 + 1) = 10.5
    # h = 3*2 + (1 - 3)*10.5 = -15
    out, _ = kr.gru(col(1), **GRU_W, bias=np.array([[1.0, 0, 0], [0, 0, 1]]))
    np.testing.assert_allclose(out, [[-15.0]], atol=ATOL)
    # moving b_h = 1 from the recurrent row to the input row changes the result:
    # hh = 3 + 1 + 2.5*2 = 9; h = 2*2 - 9 = -5
    out, _ = kr.gru(col(1), **GRU_W, bias=np.array([[0.0, 0, 1], [0, 0, 0]]))
    np.testing.assert_allclose(out, [[-5.0]], atol=ATOL)


def test_gru_recurrent_dropout_by_hand():
    b = np.array([0.0, 0.0, 1.0])
    # reset_after=False, per-gate recurrent masks (z, r, h) = (1, 1, 0):
    # z = 2, r = 2.5, hh = 3 + 1 + (r * (h0*0))*U_h = 4; h = 2*2 - 4 = 0
    masks = [np.ones((1, 1)), np.ones((1, 1)), np.zeros((1, 1))]
    out, _ = kr.gru(col(1), **GRU_W, bias=b, reset_after=False, recurrent_dropout_mask=masks)
    np.testing.assert_allclose(out, [[0.0]], atol=ATOL)
    # single mask 0: z = 1, r = 2, hh = 4; the final mix uses the UN-dropped h0:
    # h = 1*2 + 0*4 = 2
    out, _ = kr.gru(col(1), **GRU_W, bias=b, reset_after=False,
                    recurrent_dropout_mask=np.zeros((1, 1)))
    np.testing.assert_allclose(out, [[2.0]], atol=ATOL)
    # reset_after=True, bias rows (0,0,0)/(0,0,1), masks (1, 1, 0):
    # z = 2, r = 2.5, hh = 3 + 2.5*(0 + 1) = 5.5; h = 4 - 5.5 = -1.5
    out, _ = kr.gru(col(1), **GRU_W, bias=np.array([[0.0, 0, 0], [0, 0, 1]]),
                    recurrent_dropout_mask=masks)
    np.testing.assert_allclose(out, [[-1.5]], atol=ATOL)


def test_gru_input_dropout_by_hand():
    # reset_after=False, bias 0, input masks (z, r, h) = (0, 1, 2):
    # z = 0 + 1 = 1; r = 2 + 0.5 = 2.5; hh = 2*3 + 2.5*2*1 = 11; h = 1*2 + 0*11 = 2
    masks = [np.zeros((1, 1)), np.ones((1, 1)), np.full((1, 1), 2.0)]
    out, _ = kr.gru(col(1), **GRU_W, bias=np.zeros(3), reset_after=False,
                    input_dropout_mask=masks)
    np.testing.assert_allclose(out, [[2.0]], atol=ATOL)


def test_gru_bias_shape_checked():
    with pytest.raises(ValueError):
        kr.gru(col(1), **GRU_W, bias=np.zeros(3), reset_after=True)
    with pytest.raises(ValueError):
        kr.gru(col(1), **GRU_W, bias=np.zeros((2, 3)), reset_after=False)


def test_shapes():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 6, 3))
    for fn, g, n_states, extra in [(kr.simple_rnn, 1, 1, {}), (kr.lstm, 4, 2, {}),
                                   (kr.gru, 3, 1, {}), (kr.gru, 3, 1, {"reset_after": False})]:
        bias = (np.zeros((2, 3 * 5)) if fn is kr.gru and extra.get("reset_after", True)
                else np.zeros(g * 5))
        args = (x, rng.normal(size=(3, g * 5)), rng.normal(size=(5, g * 5)), bias)
        seq, states = fn(*args, return_sequences=True, **extra)
        last, states2 = fn(*args, **extra)
        assert seq.shape == (4, 6, 5) and last.shape == (4, 5)
        assert len(states) == n_states and all(s.shape == (4, 5) for s in states)
        np.testing.assert_allclose(seq[:, -1], last, atol=ATOL)
        np.testing.assert_allclose(states[0], last, atol=ATOL)


# ==========================================================================
# Masking == running on the unpadded rows
# ==========================================================================

def _lstm_weights(rng, d=3, u=4):
    return dict(kernel=rng.normal(size=(d, 4 * u)), recurrent_kernel=rng.normal(size=(u, 4 * u)),
                bias=rng.normal(size=4 * u))


@pytest.mark.parametrize("go_backwards", [False, True])
def test_lstm_mask_equals_unpadded(go_backwards):
    rng = np.random.default_rng(2)
    w = _lstm_weights(rng)
    T = 6
    x = rng.normal(size=(4, T, 3))
    # right padding, left padding, no padding, single real step on the left
    real = [range(0, 4), range(2, 6), range(0, 6), range(0, 1)]
    mask = np.zeros((4, T), dtype=bool)
    for b, r in enumerate(real):
        mask[b, list(r)] = True
    h0 = rng.normal(size=(4, 4))
    c0 = rng.normal(size=(4, 4))
    for zero_out in (False, True):
        seq, (h, c) = kr.lstm(x, **w, mask=mask, go_backwards=go_backwards,
                              return_sequences=True, zero_output_for_mask=zero_out,
                              initial_state=[h0, c0])
        for b, r in enumerate(real):
            r = list(r)
            ref_seq, (rh, rc) = kr.lstm(x[b:b + 1, r], **w, go_backwards=go_backwards,
                                        return_sequences=True,
                                        initial_state=[h0[b:b + 1], c0[b:b + 1]])
            np.testing.assert_allclose(h[b], rh[0], atol=1e-12)
            np.testing.assert_allclose(c[b], rc[0], atol=1e-12)
            # in processing order, the real steps of the padded row are the unpadded run
            proc = r[::-1] if go_backwards else r
            order = list(range(T))[::-1] if go_backwards else list(range(T))
            pos = [order.index(t) for t in proc]
            np.testing.assert_allclose(seq[b, pos], ref_seq[0], atol=1e-12)
            # masked steps: 0 before the first real step, then the previous output
            # (or always 0 with zero_output_for_mask)
            prev = np.zeros(4)
            for p in range(T):
                if p in pos:
                    prev = seq[b, p]
                else:
                    np.testing.assert_allclose(seq[b, p], 0.0 if zero_out else prev, atol=0)
        last, (h2, c2) = kr.lstm(x, **w, mask=mask, go_backwards=go_backwards,
                                 initial_state=[h0, c0])
        # without zero_output_for_mask the last output is the last real output (= h)
        np.testing.assert_allclose(last, h2, atol=1e-12)


def test_fully_masked_row_keeps_initial_state():
    rng = np.random.default_rng(3)
    w = _lstm_weights(rng)
    x = rng.normal(size=(1, 3, 3))
    h0, c0 = rng.normal(size=(1, 4)), rng.normal(size=(1, 4))
    seq, (h, c) = kr.lstm(x, **w, mask=np.zeros((1, 3), bool), initial_state=[h0, c0],
                          return_sequences=True)
    np.testing.assert_allclose(seq, 0.0, atol=0)
    np.testing.assert_allclose(h, h0, atol=0)
    np.testing.assert_allclose(c, c0, atol=0)


# ==========================================================================
# Agreement with torch.nn.RNN / LSTM / GRU (float64)
# ==========================================================================

def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))


def _run_torch(module, x, h0=None):
    module = module.double()
    with torch.no_grad():
        out, hn = module(_t(x), h0)
    return out.numpy(), hn


def _set(module, **params):
    with torch.no_grad():
        for name, value in params.items():
            getattr(module, name).copy_(_t(value))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_simple_rnn_matches_torch(activation, go_backwards):
    rng = np.random.default_rng(10)
    B, T, D, U = 3, 7, 4, 5
    x = rng.normal(size=(B, T, D))
    k, rk, b = rng.normal(size=(D, U)), rng.normal(size=(U, U)) * 0.4, rng.normal(size=U)
    h0 = rng.normal(size=(B, U))
    seq, (h,) = kr.simple_rnn(x, k, rk, b, activation=activation, initial_state=[h0],
                              go_backwards=go_backwards, return_sequences=True)
    m = torch.nn.RNN(D, U, nonlinearity=activation, batch_first=True, dtype=torch.float64)
    _set(m, weight_ih_l0=k.T, weight_hh_l0=rk.T, bias_ih_l0=b, bias_hh_l0=np.zeros(U))
    xin = x[:, ::-1] if go_backwards else x
    ref, hn = _run_torch(m, xin, _t(h0[None]))
    np.testing.assert_allclose(seq, ref, atol=1e-10)
    np.testing.assert_allclose(h, hn[0].numpy(), atol=1e-10)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_lstm_matches_torch(go_backwards):
    rng = np.random.default_rng(11)
    B, T, D, U = 3, 7, 4, 5
    x = rng.normal(size=(B, T, D))
    k, rk = rng.normal(size=(D, 4 * U)), rng.normal(size=(U, 4 * U)) * 0.5
    b = rng.normal(size=4 * U)
    h0, c0 = rng.normal(size=(B, U)), rng.normal(size=(B, U))
    seq, (h, c) = kr.lstm(x, k, rk, b, initial_state=[h0, c0], go_backwards=go_backwards,
                          return_sequences=True)
    m = torch.nn.LSTM(D, U, batch_first=True, dtype=torch.float64)
    # Keras and torch share the gate order i, f, g(c), o
    _set(m, weight_ih_l0=k.T, weight_hh_l0=rk.T, bias_ih_l0=b, bias_hh_l0=np.zeros(4 * U))
    xin = x[:, ::-1] if go_backwards else x
    ref, (hn, cn) = _run_torch(m, xin, (_t(h0[None]), _t(c0[None])))
    np.testing.assert_allclose(seq, ref, atol=1e-10)
    np.testing.assert_allclose(h, hn[0].numpy(), atol=1e-10)
    np.testing.assert_allclose(c, cn[0].numpy(), atol=1e-10)


def _keras_gru_to_torch(a, u):
    """Keras gate columns (z, r, h) -> torch rows (r, z, n)."""
    z, r, h = a[..., :u], a[..., u:2 * u], a[..., 2 * u:]
    return np.concatenate([r, z, h], axis=-1)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_gru_reset_after_matches_torch(go_backwards):
    rng = np.random.default_rng(12)
    B, T, D, U = 3, 7, 4, 5
    x = rng.normal(size=(B, T, D))
    k, rk = rng.normal(size=(D, 3 * U)), rng.normal(size=(U, 3 * U)) * 0.5
    b = rng.normal(size=(2, 3 * U))
    h0 = rng.normal(size=(B, U))
    seq, (h,) = kr.gru(x, k, rk, b, reset_after=True, initial_state=[h0],
                       go_backwards=go_backwards, return_sequences=True)
    m = torch.nn.GRU(D, U, batch_first=True, dtype=torch.float64)
    _set(m, weight_ih_l0=_keras_gru_to_torch(k, U).T, weight_hh_l0=_keras_gru_to_torch(rk, U).T,
         bias_ih_l0=_keras_gru_to_torch(b[0], U), bias_hh_l0=_keras_gru_to_torch(b[1], U))
    xin = x[:, ::-1] if go_backwards else x
    ref, hn = _run_torch(m, xin, _t(h0[None]))
    np.testing.assert_allclose(seq, ref, atol=1e-10)
    np.testing.assert_allclose(h, hn[0].numpy(), atol=1e-10)


def test_gru_reset_before_matches_manual_torch_cell():
    # torch has no reset-before GRU; write its equations with torch ops directly.
    rng = np.random.default_rng(13)
    B, T, D, U = 2, 5, 3, 4
    x = rng.normal(size=(B, T, D))
    k, rk, b = rng.normal(size=(D, 3 * U)), rng.normal(size=(U, 3 * U)), rng.normal(size=3 * U)
    out, (h,) = kr.gru(x, k, rk, b, reset_after=False, return_sequences=True)
    K, R, bb, h_t = _t(k), _t(rk), _t(b), torch.zeros(B, U, dtype=torch.float64)
    ref = []
    for t in range(T):
        xt = _t(x[:, t])
        z = torch.sigmoid(xt @ K[:, :U] + bb[:U] + h_t @ R[:, :U])
        r = torch.sigmoid(xt @ K[:, U:2 * U] + bb[U:2 * U] + h_t @ R[:, U:2 * U])
        n = torch.tanh(xt @ K[:, 2 * U:] + bb[2 * U:] + (r * h_t) @ R[:, 2 * U:])
        h_t = z * h_t + (1 - z) * n
        ref.append(h_t.numpy())
    np.testing.assert_allclose(out, np.stack(ref, axis=1), atol=1e-12)


# ==========================================================================
# Bidirectional
# ==========================================================================

def _srnn_fn():
    return partial(kr.simple_rnn, kernel=[[1.0]], recurrent_kernel=[[0.5]], bias=[0.0],
                   activation="linear")


def test_bidirectional_by_hand():
    f = _srnn_fn()
    x = col(1, 2, 3)
    # forward sequence (1, 2.5, 4.25); backward processes 3, 2, 1 -> (3, 3.5, 2.75),
    # flipped back along time -> (2.75, 3.5, 3)
    out = kr.bidirectional(f, f, x, return_sequences=True)
    np.testing.assert_allclose(out[0], [[1, 2.75], [2.5, 3.5], [4.25, 3]], atol=ATOL)
    out = kr.bidirectional(f, f, x, merge_mode="sum", return_sequences=True)
    np.testing.assert_allclose(out[0, :, 0], [3.75, 6.0, 7.25], atol=ATOL)
    out = kr.bidirectional(f, f, x, merge_mode="ave", return_sequences=True)
    np.testing.assert_allclose(out[0, :, 0], [1.875, 3.0, 3.625], atol=ATOL)
    out = kr.bidirectional(f, f, x, merge_mode="mul", return_sequences=True)
    np.testing.assert_allclose(out[0, :, 0], [2.75, 8.75, 12.75], atol=ATOL)
    fw, bw = kr.bidirectional(f, f, x, merge_mode=None, return_sequences=True)
    np.testing.assert_allclose(fw[0, :, 0], [1, 2.5, 4.25], atol=ATOL)
    np.testing.assert_allclose(bw[0, :, 0], [2.75, 3.5, 3], atol=ATOL)
    # last outputs: forward 4.25 (after x3), backward 2.75 (after x1), not flipped
    out = kr.bidirectional(f, f, x)
    np.testing.assert_allclose(out, [[4.25, 2.75]], atol=ATOL)
    out, states = kr.bidirectional(f, f, x, return_state=True)
    assert len(states) == 2
    np.testing.assert_allclose([states[0][0, 0], states[1][0, 0]], [4.25, 2.75], atol=ATOL)


def test_bidirectional_mask_by_hand():
    f = _srnn_fn()
    x, m = col(1, 2, 3), np.array([[True, True, False]])
    # return_sequences=True forces zero_output_for_mask=True in both directions:
    # forward: 1, 2.5, (masked -> 0)
    # backward processes (3 masked -> 0, state 0), 2 -> 2, 1 -> 1 + 1 = 2: (0, 2, 2),
    # flipped back -> (2, 2, 0)
    out = kr.bidirectional(f, f, x, mask=m, return_sequences=True)
    np.testing.assert_allclose(out[0], [[1, 2], [2.5, 2], [0, 0]], atol=ATOL)
    # return_sequences=False: zero_output_for_mask=False -> last real outputs 2.5 and 2
    out = kr.bidirectional(f, f, x, mask=m)
    np.testing.assert_allclose(out, [[2.5, 2.0]], atol=ATOL)


def test_bidirectional_lstm_mask_equals_unpadded():
    rng = np.random.default_rng(4)
    wf, wb = _lstm_weights(rng), _lstm_weights(rng)
    f, b = partial(kr.lstm, **wf), partial(kr.lstm, **wb)
    x = rng.normal(size=(2, 5, 3))
    mask = np.array([[True, True, True, False, False], [False, True, True, True, True]])
    out, states = kr.bidirectional(f, b, x, mask=mask, return_sequences=True, return_state=True)
    assert out.shape == (2, 5, 8) and len(states) == 4
    for row, real in [(0, [0, 1, 2]), (1, [1, 2, 3, 4])]:
        ref, ref_states = kr.bidirectional(f, b, x[row:row + 1, real], return_sequences=True,
                                           return_state=True)
        np.testing.assert_allclose(out[row, real], ref[0], atol=1e-12)
        pad = [t for t in range(5) if t not in real]
        np.testing.assert_allclose(out[row, pad], 0.0, atol=0)
        for s, rs in zip(states, ref_states):
            np.testing.assert_allclose(s[row], rs[0], atol=1e-12)


def test_bidirectional_matches_torch_bidirectional_lstm():
    rng = np.random.default_rng(5)
    B, T, D, U = 2, 6, 3, 4
    wf, wb = _lstm_weights(rng, D, U), _lstm_weights(rng, D, U)
    x = rng.normal(size=(B, T, D))
    out = kr.bidirectional(partial(kr.lstm, **wf), partial(kr.lstm, **wb), x,
                           return_sequences=True)
    m = torch.nn.LSTM(D, U, batch_first=True, bidirectional=True,
                      dtype=torch.float64)
    z = np.zeros(4 * U)
    _set(m, weight_ih_l0=wf["kernel"].T, weight_hh_l0=wf["recurrent_kernel"].T,
         bias_ih_l0=wf["bias"], bias_hh_l0=z,
         weight_ih_l0_reverse=wb["kernel"].T, weight_hh_l0_reverse=wb["recurrent_kernel"].T,
         bias_ih_l0_reverse=wb["bias"], bias_hh_l0_reverse=z)
    ref, _ = _run_torch(m, x)
    np.testing.assert_allclose(out, ref, atol=1e-10)


# ==========================================================================
# Conv1D
# ==========================================================================

def _torch_conv(x, kernel, bias, stride=1, dilation=1, pad=(0, 0), groups=1):
    xt = torch.nn.functional.pad(_t(x).transpose(1, 2), pad)
    w = _t(kernel).permute(2, 1, 0)  # (k, in/groups, filters) -> (filters, in/groups, k)
    y = torch.nn.functional.conv1d(xt, w, _t(bias), stride=stride, dilation=dilation,
                                   groups=groups)
    return y.transpose(1, 2).numpy()


def test_conv1d_by_hand():
    x = col(0, 1, 2, 3)
    # causal, kernel taps (1, 10): y[t] = 1*x[t-1] + 10*x[t] (cross-correlation,
    # zeros on the left): 0, 10, 21, 32
    y = kr.conv1d(x, np.array([1.0, 10.0]).reshape(2, 1, 1), None, padding="causal")
    np.testing.assert_allclose(y[0, :, 0], [0, 10, 21, 32], atol=ATOL)
    # valid: 1*x[t] + 10*x[t+1] -> 10, 21, 32; plus bias 0.5
    y = kr.conv1d(x, np.array([1.0, 10.0]).reshape(2, 1, 1), [0.5])
    np.testing.assert_allclose(y[0, :, 0], [10.5, 21.5, 32.5], atol=ATOL)
    # same, stride 2, T=6, k=3: out = 3, pad_total = (3-1)*2 + 3 - 6 = 1 -> (0 left, 1 right)
    # windows over (0,1,2,3,4,5,0) at 0, 2, 4 with kernel ones: 3, 9, 9
    y = kr.conv1d(col(0, 1, 2, 3, 4, 5), np.ones((3, 1, 1)), None, strides=2, padding="same")
    np.testing.assert_allclose(y[0, :, 0], [3, 9, 9], atol=ATOL)
    # same, stride 2, T=5, k=3: out = 3, pad_total = 4 + 3 - 5 = 2 -> (1, 1)
    # windows over (0,0,1,2,3,4,0) at 0, 2, 4: 1, 6, 7
    y = kr.conv1d(col(0, 1, 2, 3, 4), np.ones((3, 1, 1)), None, strides=2, padding="same")
    np.testing.assert_allclose(y[0, :, 0], [1, 6, 7], atol=ATOL)
    # same, stride 1, even kernel k=2: pad_total 1 -> (0 left, 1 right):
    # (0,1,2,3,0) windows: 1, 3, 5, 3
    y = kr.conv1d(x, np.ones((2, 1, 1)), None, padding="same")
    np.testing.assert_allclose(y[0, :, 0], [1, 3, 5, 3], atol=ATOL)
    # dilation 2, valid, taps (1, 10): y[t] = x[t] + 10*x[t+2] -> 20, 31
    y = kr.conv1d(x, np.array([1.0, 10.0]).reshape(2, 1, 1), None, dilation_rate=2)
    np.testing.assert_allclose(y[0, :, 0], [20, 31], atol=ATOL)


CONV_CASES = [
    # (T, k, stride, dilation, padding, torch (left, right) padding derived by hand)
    (9, 3, 1, 1, "valid", (0, 0)),
    (9, 3, 2, 1, "valid", (0, 0)),
    (9, 3, 1, 2, "valid", (0, 0)),
    (9, 3, 1, 1, "causal", (2, 0)),
    (9, 3, 1, 3, "causal", (6, 0)),
    (9, 4, 1, 1, "causal", (3, 0)),
    (9, 3, 1, 1, "same", (1, 1)),
    (9, 4, 1, 1, "same", (1, 2)),  # total 3: left 1, right 2
    (9, 3, 1, 2, "same", (2, 2)),  # span 5: total 4
    (9, 3, 2, 1, "same", (1, 1)),  # out 5: total (5-1)*2 + 3 - 9 = 2
    (8, 3, 2, 1, "same", (0, 1)),  # out 4: total 6 + 3 - 8 = 1
    (8, 4, 3, 1, "same", (1, 1)),  # out 3: total 6 + 4 - 8 = 2
    (10, 5, 3, 1, "same", (2, 2)),  # out 4: total 9 + 5 - 10 = 4
    (5, 2, 4, 1, "same", (0, 1)),  # out 2: total 4 + 2 - 5 = 1
    (3, 5, 2, 1, "same", (2, 2)),  # out 2: total 2 + 5 - 3 = 4
]


@pytest.mark.parametrize("T,k,s,d,padding,pad", CONV_CASES)
def test_conv1d_matches_torch(T, k, s, d, padding, pad):
    rng = np.random.default_rng(T * 100 + k * 10 + s + d)
    x = rng.normal(size=(2, T, 3))
    kernel, bias = rng.normal(size=(k, 3, 5)), rng.normal(size=5)
    y = kr.conv1d(x, kernel, bias, strides=s, padding=padding, dilation_rate=d)
    ref = _torch_conv(x, kernel, bias, stride=s, dilation=d, pad=pad)
    assert y.shape == ref.shape
    if padding in ("same", "causal") and s == 1:
        assert y.shape[1] == T
    if padding == "same":
        assert y.shape[1] == -(-T // s)
    np.testing.assert_allclose(y, ref, atol=1e-12)


def test_conv1d_groups_matches_torch():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 7, 6))
    kernel, bias = rng.normal(size=(3, 2, 9)), rng.normal(size=9)  # 3 groups
    y = kr.conv1d(x, kernel, bias)
    np.testing.assert_allclose(y, _torch_conv(x, kernel, bias, groups=3), atol=1e-12)


def test_conv1d_tuple_args_and_errors():
    rng = np.random.default_rng(8)
    x, kernel = rng.normal(size=(1, 6, 2)), rng.normal(size=(3, 2, 4))
    np.testing.assert_allclose(kr.conv1d(x, kernel, None, strides=(2,), dilation_rate=(1,)),
                               kr.conv1d(x, kernel, None, strides=2), atol=0)
    with pytest.raises(ValueError):
        kr.conv1d(x, kernel, None, padding="full")
    with pytest.raises(ValueError):
        kr.conv1d(x, rng.normal(size=(3, 4, 4)), None)


# ==========================================================================
# Pooling
# ==========================================================================

def test_pooling_by_hand():
    x = col(0, 1, 2, 3, 4)
    # valid, pool 2 (stride 2): windows (0,1), (2,3); the 4 is dropped
    np.testing.assert_allclose(kr.max_pooling1d(x)[0, :, 0], [1, 3], atol=ATOL)
    np.testing.assert_allclose(kr.average_pooling1d(x)[0, :, 0], [0.5, 2.5], atol=ATOL)
    # same, pool 2 stride 2: out 3, pad_total = 4 + 2 - 5 = 1 -> (0, 1):
    # windows (0,1), (2,3), (4,pad); the average divides by real elements only
    np.testing.assert_allclose(kr.max_pooling1d(x, padding="same")[0, :, 0], [1, 3, 4])
    np.testing.assert_allclose(kr.average_pooling1d(x, padding="same")[0, :, 0], [0.5, 2.5, 4])
    # same, pool 3 stride 1: pad (1, 1): (pad,0,1) (0,1,2) (1,2,3) (2,3,4) (3,4,pad)
    np.testing.assert_allclose(kr.average_pooling1d(x, 3, 1, "same")[0, :, 0],
                               [0.5, 1, 2, 3, 3.5], atol=ATOL)
    np.testing.assert_allclose(kr.max_pooling1d(x, 3, 1, "same")[0, :, 0], [1, 2, 3, 4, 4])
    # valid, pool 3 stride 2: (5-3)//2 + 1 = 2 windows (0,1,2), (2,3,4)
    np.testing.assert_allclose(kr.max_pooling1d(x, 3, 2)[0, :, 0], [2, 4], atol=ATOL)
    np.testing.assert_allclose(kr.average_pooling1d(x, 3, 2)[0, :, 0], [1, 3], atol=ATOL)
    # negative values with "same": padding must not contribute (max of (-5, pad) is -5)
    np.testing.assert_allclose(kr.max_pooling1d(col(-1, -2, -5), padding="same")[0, :, 0],
                               [-1, -5])


@pytest.mark.parametrize("T,p,s", [(7, 2, None), (8, 3, 2), (9, 3, 1), (10, 4, 3)])
def test_pooling_valid_matches_torch(T, p, s):
    rng = np.random.default_rng(T + p)
    x = rng.normal(size=(2, T, 3))
    xt = _t(x).transpose(1, 2)
    stride = p if s is None else s
    ref_max = torch.nn.functional.max_pool1d(xt, p, stride).transpose(1, 2).numpy()
    ref_avg = torch.nn.functional.avg_pool1d(xt, p, stride).transpose(1, 2).numpy()
    np.testing.assert_allclose(kr.max_pooling1d(x, p, s), ref_max, atol=1e-12)
    np.testing.assert_allclose(kr.average_pooling1d(x, p, s), ref_avg, atol=1e-12)


def test_average_pooling_same_symmetric_matches_torch_excluding_pad():
    # pool 3, stride 1, T=6: out 6, pad_total 2 -> (1, 1), symmetric, so torch's
    # avg_pool1d(padding=1, count_include_pad=False) is the same operation
    rng = np.random.default_rng(9)
    x = rng.normal(size=(2, 6, 3))
    ref = torch.nn.functional.avg_pool1d(_t(x).transpose(1, 2), 3, 1, padding=1,
                                         count_include_pad=False).transpose(1, 2).numpy()
    np.testing.assert_allclose(kr.average_pooling1d(x, 3, 1, "same"), ref, atol=1e-12)
    ref = torch.nn.functional.max_pool1d(_t(x).transpose(1, 2), 3, 1,
                                         padding=1).transpose(1, 2).numpy()
    np.testing.assert_allclose(kr.max_pooling1d(x, 3, 1, "same"), ref, atol=1e-12)


def test_global_pooling():
    x = np.array([[[1.0, 10.0], [2.0, -20.0], [3.0, 30.0]]])
    np.testing.assert_allclose(kr.global_average_pooling1d(x), [[2.0, 20.0 / 3]], atol=ATOL)
    np.testing.assert_allclose(kr.global_max_pooling1d(x), [[3.0, 30.0]], atol=ATOL)
    # masked mean over steps 0 and 2: (1+3)/2 = 2, (10+30)/2 = 20
    m = np.array([[True, False, True]])
    np.testing.assert_allclose(kr.global_average_pooling1d(x, m), [[2.0, 20.0]], atol=ATOL)
    # a nan/inf at a masked step does not leak (Keras uses where, not multiply)
    x2 = x.copy()
    x2[0, 1] = np.inf
    np.testing.assert_allclose(kr.global_average_pooling1d(x2, m), [[2.0, 20.0]], atol=ATOL)
    # all masked: 0/0
    assert np.isnan(kr.global_average_pooling1d(x, np.zeros((1, 3), bool))).all()


# ==========================================================================
# Dense, Embedding
# ==========================================================================

def test_dense_any_rank():
    # x (1, 2, 2) @ [[1, 2, 3], [4, 5, 6]] + (0.5, 0, -1)
    x = np.array([[[1.0, 0.0], [1.0, 1.0]]])
    k = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    y = kr.dense(x, k, [0.5, 0.0, -1.0])
    np.testing.assert_allclose(y, [[[1.5, 2, 2], [5.5, 7, 8]]], atol=ATOL)
    np.testing.assert_allclose(kr.dense(x, k, None, "relu"), [[[1, 2, 3], [5, 7, 9]]])
    np.testing.assert_allclose(kr.dense(x[0, 0], k, None), [1, 2, 3])  # rank 1
    rng = np.random.default_rng(6)
    x4, k4 = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(5, 6))
    assert kr.dense(x4, k4, np.zeros(6)).shape == (2, 3, 4, 6)
    np.testing.assert_allclose(kr.dense(x4, k4, None), x4 @ k4, atol=1e-12)


def test_embedding():
    table = np.arange(12.0).reshape(4, 3)
    idx = np.array([[0, 3], [2, 2]])
    out = kr.embedding(idx, table)
    assert out.shape == (2, 2, 3)
    np.testing.assert_allclose(out[0, 1], [9, 10, 11])
    np.testing.assert_allclose(out[1, 0], [6, 7, 8])
    np.testing.assert_allclose(kr.embedding(np.array([1.0]), table), [[3, 4, 5]])
    with pytest.raises(IndexError):
        kr.embedding([4], table)


def test_reference_module_does_not_use_torch_or_seqlab():
    import ast
    import pathlib

    tree = ast.parse(pathlib.Path(kr.__file__).read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").split(".")[0])
    assert names <= {"numpy", "functools", "typing", "__future__"}, names
