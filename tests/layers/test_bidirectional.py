"""Bidirectional against the oracle: merge modes, masks from both sides, states, weights."""
import functools

import numpy as np
import pytest
import torch

from seqlab.layers import GRU, LSTM, Bidirectional, Dense, SimpleRNN
from tests.layers import keras_reference as ref

B, T, F = 3, 5, 2


def random_layer(layer, seed=0):
    layer.build((B, T, F))
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in layer.parameters():
            parameter.copy_(torch.rand(parameter.shape, generator=generator,
                                       dtype=parameter.dtype) - 0.5)
    return layer


def directions(layer, oracle):
    weights = layer.get_weights()
    half = len(weights) // 2

    def direction(w):
        return functools.partial(oracle, kernel=w[0], recurrent_kernel=w[1],
                                 bias=w[2] if len(w) > 2 else None)

    return direction(weights[:half]), direction(weights[half:])


MASK = np.array([[False, False, True, True, True], [True, True, True, False, False],
                 [True] * 5])


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_matches_oracle(merge_mode, return_sequences, masked):
    x = np.random.default_rng(0).normal(size=(B, T, F))
    layer = random_layer(Bidirectional(LSTM(4, return_sequences=return_sequences, dtype="float64",
                                            return_state=True), merge_mode=merge_mode))
    mask = MASK if masked else None
    result = layer(torch.tensor(x), mask=None if mask is None else torch.tensor(mask))
    forward, backward = directions(layer, ref.lstm)
    expected, states = ref.bidirectional(forward, backward, x, merge_mode, mask,
                                         return_sequences, return_state=True)
    outputs = list(result[:2]) if merge_mode is None else [result[0]]
    expected = expected if merge_mode is None else [expected]
    for got, want in zip(outputs, expected):
        np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-10, atol=1e-12)
    got_states = result[2:] if merge_mode is None else result[1:]
    assert len(got_states) == 4  # h, c forwards, then h, c backwards, as Keras
    for got, want in zip(got_states, states):
        np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_left_and_right_padding_agree(cls):
    rng = np.random.default_rng(1)
    lengths = [5, 2, 0]
    real = rng.normal(size=(B, T, F))
    right, left = np.zeros_like(real), np.zeros_like(real)
    right_mask, left_mask = np.zeros((B, T), bool), np.zeros((B, T), bool)
    for row, n in enumerate(lengths):
        right[row, :n], right_mask[row, :n] = real[row, :n], True
        left[row, T - n:], left_mask[row, T - n:] = real[row, :n], True
    layer = random_layer(Bidirectional(cls(3, dtype="float64", return_sequences=True)))
    from_right = layer(torch.tensor(right), mask=torch.tensor(right_mask))
    from_left = layer(torch.tensor(left), mask=torch.tensor(left_mask))
    for row, n in enumerate(lengths):  # the same vectors at the real steps, zeros elsewhere
        torch.testing.assert_close(from_right[row, :n], from_left[row, T - n:])
        assert torch.count_nonzero(from_right[row, n:]) == 0
        assert torch.count_nonzero(from_left[row, :T - n]) == 0
    last = random_layer(Bidirectional(cls(3, dtype="float64")))
    torch.testing.assert_close(last(torch.tensor(right), mask=torch.tensor(right_mask)),
                               last(torch.tensor(left), mask=torch.tensor(left_mask)))


def test_copies_names_weights_and_masks():
    inner = LSTM(4, return_sequences=True, name="encoder")
    layer = Bidirectional(inner)
    y = layer(torch.randn(2, 3, 5), mask=torch.tensor([[True, True, False]] * 2))
    assert y.shape == (2, 3, 8)
    assert layer.forward_layer.name == "forward_encoder"
    assert layer.backward_layer.name == "backward_encoder"
    assert layer.forward_layer is not inner and not inner.built  # fresh copies, as Keras
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    assert not torch.equal(layer.forward_layer.cell.kernel, layer.backward_layer.cell.kernel)
    shapes = [w.shape for w in layer.get_weights()]
    assert shapes == [(5, 16), (4, 16), (16,)] * 2  # forward's, then backward's
    assert torch.equal(y._keras_mask, torch.tensor([[True, True, False]] * 2))
    layer.set_weights(layer.get_weights()[::-1][::-1])
    assert layer.count_params() == 2 * (5 * 16 + 4 * 16 + 16)


def test_initial_state_is_split_in_halves():
    layer = random_layer(Bidirectional(GRU(3, dtype="float64", return_state=True)))
    x = torch.randn(B, T, F, dtype=torch.float64)
    h_forward, h_backward = torch.randn(B, 3, dtype=torch.float64), torch.randn(
        B, 3, dtype=torch.float64)
    _, forward_state, backward_state = layer(x, initial_state=[h_forward, h_backward])
    _, expected_forward = layer.forward_layer(x, initial_state=[h_forward])
    _, expected_backward = layer.backward_layer(x, initial_state=[h_backward])
    torch.testing.assert_close(forward_state, expected_forward)
    torch.testing.assert_close(backward_state, expected_backward)


def test_bad_arguments():
    with pytest.raises(ValueError, match="wraps a recurrent layer"):
        Bidirectional(Dense(3))
    with pytest.raises(ValueError, match="merge_mode must be one of"):
        Bidirectional(LSTM(3), merge_mode="max")
    with pytest.raises(ValueError, match="different go_backwards"):
        Bidirectional(LSTM(3), backward_layer=LSTM(3))
    with pytest.raises(ValueError, match="same return_sequences"):
        Bidirectional(LSTM(3), backward_layer=LSTM(3, go_backwards=True, return_sequences=True))
