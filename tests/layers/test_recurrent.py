"""SimpleRNN, LSTM and GRU against the independent NumPy oracle (keras_reference.py), on
every path (Keras's literal loop, the hoisted-projection loop, the hand-derived backward
loop, torch's kernel, seqlab's compiled loop) and every
option: sequences, states, go_backwards, masks (none, left, right, gaps, all padding),
initial states, zero outputs at masked steps, dropout masks."""
import itertools

import numpy as np
import pytest
import torch

from seqlab.layers import GRU, LSTM, SimpleRNN, bptt, compiled, fused, recurrent
from tests.layers import keras_reference as ref

B, T, F, U = 4, 6, 3, 5


def masks():
    right = np.ones((B, T), bool)
    right[0, 4:] = right[1, 1:] = False
    left = np.ones((B, T), bool)
    left[0, :2] = left[2, :5] = False
    gaps = np.ones((B, T), bool)
    gaps[0, 1] = gaps[1, ::2] = False
    empty_row = right.copy()
    empty_row[3] = False
    return {"none": None, "right": right, "left": left, "gaps": gaps, "empty_row": empty_row}


LAYERS = [
    ("simple_rnn", SimpleRNN, {}, ref.simple_rnn),
    ("simple_rnn_relu", SimpleRNN, {"activation": "relu"}, ref.simple_rnn),
    ("lstm", LSTM, {}, ref.lstm),
    ("lstm_nobias", LSTM, {"use_bias": False}, ref.lstm),
    ("lstm_hard_sigmoid", LSTM, {"recurrent_activation": "hard_sigmoid"}, ref.lstm),
    ("gru", GRU, {}, ref.gru),
    ("gru_v1", GRU, {"reset_after": False}, ref.gru),
    ("gru_nobias", GRU, {"use_bias": False}, ref.gru),
]


def build(cls, options, seed=0, **flags):
    torch.manual_seed(seed)
    layer = cls(U, dtype="float64", **options, **flags)
    layer.build((B, T, F))
    with torch.no_grad():  # random biases too, so that a misplaced bias shows
        for parameter in layer.parameters():
            parameter.uniform_(-0.7, 0.7)
    return layer


def native_possible(layer, mask):
    """Whether torch's kernel can run this layer (the layer would choose it)."""
    mask = None if mask is None else torch.tensor(mask)
    return fused.reason(layer.cell, mask, recurrent_dropout_on=False) is None


def skip_path(layer, path, mask=None):
    """Whether `path` cannot run this layer (so the layer would never choose it)."""
    if path == "native":
        return not native_possible(layer, mask)
    if path == "bptt":
        return bptt.reason(layer.cell) is not None
    if path == "compiled":
        return compiled.reason(layer.cell, torch.zeros(1)) is not None
    return False


def oracle_args(layer, options):
    kernel, recurrent_kernel, *bias = layer.get_weights()
    args = dict(kernel=kernel, recurrent_kernel=recurrent_kernel, bias=bias[0] if bias else None)
    for key in ("activation", "recurrent_activation", "reset_after"):
        if key in options:
            args[key] = options[key]
    return args


@pytest.mark.parametrize("name, cls, options, oracle", LAYERS, ids=[entry[0] for entry in LAYERS])
@pytest.mark.parametrize("path", ["reference", "loop", "bptt", "native", "compiled"])
def test_layer_matches_oracle(name, cls, options, oracle, path):
    x = np.random.default_rng(1).normal(size=(B, T, F))
    for (mask_name, mask), return_sequences, go_backwards, return_state in itertools.product(
            masks().items(), [False, True], [False, True], [False, True]):
        layer = build(cls, options, return_sequences=return_sequences, go_backwards=go_backwards,
                      return_state=return_state)
        if skip_path(layer, path, mask):
            continue
        layer._path_override = path
        result = layer(torch.tensor(x), mask=None if mask is None else torch.tensor(mask))
        result = result if return_state else (result,)
        expected_output, expected_states = oracle(
            x, **oracle_args(layer, options), mask=mask, go_backwards=go_backwards,
            return_sequences=return_sequences)
        context = f"{mask_name} mask, return_sequences={return_sequences}, go_backwards={go_backwards}"
        np.testing.assert_allclose(result[0].detach().numpy(), expected_output, rtol=1e-10,
                                   atol=1e-12, err_msg=context)
        for got, want in zip(result[1:], expected_states if return_state else []):
            np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-10, atol=1e-12,
                                       err_msg=context)


@pytest.mark.parametrize("name, cls, options, oracle", LAYERS[::2], ids=[e[0] for e in LAYERS[::2]])
def test_initial_state_and_zero_output_for_mask(name, cls, options, oracle):
    rng = np.random.default_rng(2)
    x, mask = rng.normal(size=(B, T, F)), masks()["left"]
    initial = [rng.normal(size=(B, U)) for _ in range(2 if cls is LSTM else 1)]
    for path in ("reference", "loop", "bptt", "native", "compiled"):
        layer = build(cls, options, return_sequences=True, return_state=True,
                      zero_output_for_mask=True)
        if skip_path(layer, path, mask):
            continue
        layer._path_override = path
        result = layer(torch.tensor(x), mask=torch.tensor(mask),
                       initial_state=[torch.tensor(s) for s in initial])
        output, states = oracle(x, **oracle_args(layer, options), mask=mask,
                                initial_state=initial, return_sequences=True,
                                zero_output_for_mask=True)
        np.testing.assert_allclose(result[0].detach().numpy(), output, rtol=1e-10, atol=1e-12)
        for got, want in zip(result[1:], states):
            np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name, cls, options, oracle", LAYERS, ids=[entry[0] for entry in LAYERS])
def test_dropout_masks_are_one_per_sequence(monkeypatch, name, cls, options, oracle):
    """The masks the layer draws, handed to the oracle, give the layer's own outputs."""
    drawn = []

    def recording_mask(shape, rate, like):
        mask = torch.empty(shape, dtype=like.dtype).bernoulli_(1 - rate) / (1 - rate)
        drawn.append(mask)
        return mask

    monkeypatch.setattr(recurrent, "dropout_mask", recording_mask)
    x = np.random.default_rng(3).normal(size=(B, T, F))
    for path in ("loop", "bptt", "native", "reference", "compiled"):
        drawn.clear()
        layer = build(cls, options, dropout=0.3, recurrent_dropout=0.4, return_sequences=True)
        if path == "native":
            layer.cell.recurrent_dropout = 0.0  # the native kernel takes input dropout only
            if not native_possible(layer, None):
                continue
        if path in ("bptt", "compiled") and skip_path(layer, path):
            continue
        layer._path_override = path
        result = layer(torch.tensor(x), training=True)
        input_mask = drawn[0].numpy()
        recurrent_mask = drawn[1].numpy() if len(drawn) > 1 else None
        assert input_mask.shape == (B, F) and set(np.unique(input_mask)) <= {0, 1 / 0.7}
        expected, _ = oracle(x, **oracle_args(layer, options), return_sequences=True,
                             input_dropout_mask=input_mask, recurrent_dropout_mask=recurrent_mask)
        np.testing.assert_allclose(result.detach().numpy(), expected, rtol=1e-10, atol=1e-12)
    assert not torch.equal(layer(torch.tensor(x), training=True), layer(torch.tensor(x),
                                                                       training=True))
    np.testing.assert_allclose(layer(torch.tensor(x), training=False).detach().numpy(),
                               oracle(x, **oracle_args(layer, options), return_sequences=True)[0],
                               rtol=1e-10)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_left_and_right_padding_give_the_same_final_states(cls):
    rng = np.random.default_rng(4)
    lengths = [6, 3, 1, 0]
    real = rng.normal(size=(B, T, F))
    right, left = np.zeros_like(real), np.zeros_like(real)
    right_mask, left_mask = np.zeros((B, T), bool), np.zeros((B, T), bool)
    for row, n in enumerate(lengths):
        right[row, :n], right_mask[row, :n] = real[row, :n], True
        left[row, T - n:], left_mask[row, T - n:] = real[row, :n], True
    for path in ("loop", "bptt", "native", "compiled"):
        layer = build(cls, {}, return_state=True)
        layer._path_override = path
        from_right = layer(torch.tensor(right), mask=torch.tensor(right_mask))
        from_left = layer(torch.tensor(left), mask=torch.tensor(left_mask))
        for a, b in zip(from_right, from_left):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
        assert torch.count_nonzero(from_right[0][3]) == 0  # the all-padding row: zeros, no crash


def test_paths_are_chosen_and_explained(monkeypatch):
    x = torch.randn(2, 4, 3)
    holes = torch.tensor([[True, False, True, True], [True, True, True, True]])
    left_padded = torch.tensor([[False, True, True, True], [True, True, True, True]])
    for layer, call in [(LSTM(4), {}), (LSTM(4, recurrent_dropout=0.2), dict(training=True)),
                        (GRU(4, reset_after=False), {}), (SimpleRNN(4, activation="sigmoid"), {}),
                        (LSTM(4, return_state=True), dict(mask=left_padded)),
                        (GRU(4), dict(mask=holes))]:
        assert_path(layer, x, "compiled", None, **call)
    assert_path(SimpleRNN(4, activation="softsign"), x, "loop", "not tanh, relu or sigmoid")
    assert_path(LSTM(4, activation="relu"), x, "loop", "activation is not tanh")
    assert_path(LSTM(4, dtype="bfloat16"), x.bfloat16(), "bptt", "dtype torch.bfloat16")

    # Without the compiled loop: torch's kernel where its semantics match, else the
    # hand-derived loop; the reason given is why the compiled loop did not run.
    monkeypatch.setattr(compiled, "_crnn", None)
    monkeypatch.setattr(compiled, "_unavailable", "the compiled recurrent kernel is not built")
    not_built = "not built"
    assert_path(LSTM(4), x, "native", not_built)
    assert_path(LSTM(4, recurrent_dropout=0.2), x, "native", not_built, training=False)
    assert_path(LSTM(4, recurrent_dropout=0.2), x, "bptt", not_built, training=True)
    assert_path(LSTM(4, dropout=0.2), x, "native", not_built, training=True)
    assert_path(GRU(4, reset_after=False), x, "bptt", not_built)
    assert_path(SimpleRNN(4, activation="sigmoid"), x, "bptt", not_built)
    assert_path(SimpleRNN(4, activation="softsign"), x, "loop", not_built)
    assert_path(LSTM(4), x, "native", not_built, mask=left_padded)
    assert_path(LSTM(4, return_state=True), x, "bptt", not_built, mask=left_padded)
    with torch.no_grad():
        assert_path(LSTM(4, return_state=True), x, "native", not_built, mask=left_padded)
    assert_path(LSTM(4), x, "bptt", not_built, mask=holes)


def assert_path(layer, x, path, reason, **call):
    layer(x, **call)
    assert layer.path == path
    if reason is None:
        assert layer.fast_path_reason is None
    else:
        assert reason in layer.fast_path_reason


def test_stateful_layers_carry_states_between_calls():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(B, 2 * T, F))
    whole = build(LSTM, {}, return_state=True)
    pieces = build(LSTM, {}, return_state=True, stateful=True)
    expected = whole(torch.tensor(x))
    pieces(torch.tensor(x[:, :T]))
    second = pieces(torch.tensor(x[:, T:]))
    for a, b in zip(second, expected):
        torch.testing.assert_close(a, b)
    assert not pieces.states[0].requires_grad  # truncated backpropagation through time
    pieces.reset_states()
    torch.testing.assert_close(pieces(torch.tensor(x[:, :T]))[0], whole(torch.tensor(x[:, :T]))[0])
    with pytest.raises(ValueError, match="same batch size every call"):
        pieces(torch.tensor(x[:2, :T]))
    with pytest.raises(AttributeError, match="not stateful"):
        whole.reset_states()


def test_stacked_stateful_layers_build_and_train_in_a_sequential():
    # Building probes the layers with dummy batches of two sizes; no state may survive it.
    from seqlab.layers import Dense, Embedding
    from seqlab.models import Sequential

    model = Sequential([Embedding(9, 3), LSTM(4, return_sequences=True, stateful=True),
                        GRU(5, return_sequences=True, stateful=True), Dense(9)])
    model.build((None, 6))
    assert all(layer.states is None for layer in model.layers[1:3])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    x = np.random.default_rng(0).integers(1, 9, (8, 6))
    model.fit(x, x, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert model.layers[1].states[0].shape == (4, 4)


def test_bad_inputs_are_explained():
    layer = LSTM(4)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(batch, time, features\)"):
        layer(torch.randn(2, 3))
    layer = LSTM(4)
    with pytest.raises(ValueError, match="takes 2 initial state tensor"):
        layer(torch.randn(2, 3, 5), initial_state=[torch.zeros(2, 4)])
    with pytest.raises(ValueError, match=r"mask of shape \(2, 2\) does not match"):
        layer(torch.randn(2, 3, 5), mask=torch.ones(2, 2, dtype=torch.bool))
    with pytest.raises(ValueError, match="units must be a positive int"):
        GRU(0)
    with pytest.raises(ValueError, match="recurrent_dropout must be in"):
        LSTM(3, recurrent_dropout=1.5)


def test_outputs_carry_the_mask_only_with_sequences():
    mask = torch.tensor([[False, True, True], [True, True, True]])
    x = torch.randn(2, 3, 4)
    sequence = LSTM(2, return_sequences=True)(x, mask=mask)
    assert torch.equal(sequence._keras_mask, mask)
    assert not hasattr(LSTM(2)(x, mask=mask), "_keras_mask")
    x._keras_mask = mask  # a mask travelling with the tensor is used when none is passed
    layer = GRU(2, return_sequences=True, zero_output_for_mask=True)
    assert torch.count_nonzero(layer(x)[0, 0]) == 0


def test_rnn_runs_a_custom_cell_with_keras_api():
    """The Keras docs' minimal cell: any module with call(inputs, states) and state_size."""
    from seqlab.layers import RNN, Layer

    class MinimalRNNCell(Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units, self.state_size = units, units

        def build(self, input_shape):
            self.add_weight("kernel", (input_shape[-1], self.units), "glorot_uniform")
            self.add_weight("recurrent_kernel", (self.units, self.units), "orthogonal")

        def call(self, inputs, states):
            output = inputs @ self.kernel + states[0] @ self.recurrent_kernel
            return output, [output]

    layer = RNN(MinimalRNNCell(4, dtype="float64"), return_sequences=True)
    x = torch.randn(2, 3, 5, dtype=torch.float64)
    y = layer(x, mask=torch.tensor([[True, True, True], [False, True, True]]))
    assert y.shape == (2, 3, 4) and layer.path == "reference"
    kernel, recurrent = layer.get_weights()
    expected, _ = ref.simple_rnn(x.numpy(), kernel, recurrent, None, activation="linear",
                                 mask=np.array([[True] * 3, [False, True, True]]),
                                 return_sequences=True)
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-12)
