"""``RNN.step``, the one-step API every decoder calls, and the cells' ``gates``.

* parity: stepping a layer token by token gives the outputs and states of one call on
  the whole sequence (float64, to 1e-10), for SimpleRNN, LSTM and GRU (both
  ``reset_after``), with pre-padding, gaps and an empty row in the mask, from zero and
  from given initial states; both on the compiled step (no gradients) and on the cell's
  step (gradients on);
* the compiled loop really ran for a one-token step (a spy on the C call: T = 1), in the
  layer and in the text decoder;
* ``gates``: the gate blocks it returns rebuild its own new states by the documented
  equations; GRU's ``recurrent_projection`` + ``combine`` is its ``step``;
* ``Dense.logits``: the softmax layer's input.
"""
import pytest
import torch

from seqlab.layers import GRU, LSTM, Dense, Embedding, SimpleRNN, compiled
from seqlab.models import Sequential
from seqlab.tasks import _decoding

LAYERS = {
    "simple_rnn": (SimpleRNN, {}),
    "lstm": (LSTM, {}),
    "gru": (GRU, {}),
    "gru_reset_before": (GRU, {"reset_after": False}),
}


def _layer(kind, seed=0):
    torch.manual_seed(seed)
    layer_class, options = LAYERS[kind]
    layer = layer_class(5, return_sequences=True, return_state=True, dtype="float64",
                        **options)
    with torch.no_grad():  # non-zero biases, so that every bias term is exercised
        layer(torch.zeros(1, 1, 3, dtype=torch.float64))
        layer.cell.bias.uniform_(-0.5, 0.5)
    return layer


def _mask():
    mask = torch.ones(4, 7, dtype=torch.bool)
    mask[0, :3] = False  # pre-padding (Keras's default)
    mask[1, 2:4] = False  # a gap
    mask[2, :] = False  # an empty row
    return mask


@pytest.mark.parametrize("gradients", [False, True], ids=["compiled", "cell_step"])
@pytest.mark.parametrize("masked", [False, True], ids=["no_mask", "mask"])
@pytest.mark.parametrize("kind", list(LAYERS))
def test_steps_equal_one_call_on_the_whole_sequence(kind, masked, gradients):
    layer = _layer(kind)
    x = torch.randn(4, 7, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    mask = _mask() if masked else None
    # with a mask, zero initial states: a row's output before its first real step is 0
    # in Keras, which is the carried state then
    initial = None if masked else [torch.randn(4, 5, dtype=torch.float64)
                                   for _ in layer._state_sizes]
    with torch.no_grad():
        sequence, *final = layer(x, mask=mask, initial_state=initial)
    with torch.set_grad_enabled(gradients):
        if gradients:
            x.requires_grad_(True)
        states = initial
        for t in range(7):
            output, states = layer.step(x[:, t], states, None if mask is None else mask[:, t])
            assert layer.path == ("loop" if gradients else "compiled")
            torch.testing.assert_close(output, sequence[:, t], rtol=0, atol=1e-10)
    for mine, expected in zip(states, final):
        torch.testing.assert_close(mine, expected, rtol=0, atol=1e-10)


@pytest.mark.skipif(compiled._crnn is None, reason="the compiled loop is not built")
def test_a_one_token_step_runs_the_compiled_loop(monkeypatch):
    calls = []

    class Spy:  # the C module, recording which loop ran and on how many steps
        def __getattr__(self, name):
            kernel = getattr(real, name)

            def spied(*args):
                calls.append((name, args[2]))  # (double, B, T, ...)
                return kernel(*args)
            return spied

    real = compiled._crnn
    monkeypatch.setattr(compiled, "_crnn", Spy())
    layer = LSTM(6)
    with torch.no_grad():
        output, states = layer.step(torch.randn(2, 4), None)
    assert calls == [("lstm_forward", 1)]
    assert layer.path == "compiled" and layer.fast_path_reason is None
    assert output.shape == (2, 6) and [s.shape for s in states] == [(2, 6), (2, 6)]

    # the text decoder: one push is one compiled step per recurrent layer
    model = Sequential([Embedding(20, 4), LSTM(6, return_sequences=True), GRU(5),
                        Dense(20, activation="softmax")])
    model.build((None, 3))
    decoder = _decoding.IncrementalDecoder(model)
    decoder.start(torch.tensor([[1, 2, 3]]))
    calls.clear()
    decoder.push(torch.tensor([4]))
    assert calls == [("lstm_forward", 1), ("gru_forward", 1)]


def test_step_names_what_it_cannot_take():
    layer = LSTM(3)
    with pytest.raises(ValueError, match=r"one step of inputs \(batch, features\), got shape "
                                         r"\(2, 1, 4\)"):
        layer.step(torch.zeros(2, 1, 4), None)
    with pytest.raises(ValueError, match="takes 2 initial state"):
        layer.step(torch.zeros(2, 4), [torch.zeros(2, 3)])
    with pytest.raises(ValueError, match=r"mask of shape \(3,\) does not match the batch of 2"):
        layer.step(torch.zeros(2, 4), None, torch.ones(3, dtype=torch.bool))


@pytest.mark.parametrize("kind", list(LAYERS))
def test_gates_rebuild_the_new_states_by_the_documented_equations(kind):
    cell = _layer(kind).cell
    g = torch.Generator().manual_seed(2)
    x = torch.randn(3, 3, dtype=torch.float64, generator=g)
    states = [torch.randn(3, 5, dtype=torch.float64, generator=g) for _ in cell.state_size]
    gates, new_states = cell.gates(cell.project(x), states)
    output, stepped = cell.step(cell.project(x), states)
    torch.testing.assert_close(output, new_states[0], rtol=0, atol=0)
    if kind == "lstm":
        assert list(gates) == ["i", "f", "c", "o"]
        c = gates["f"] * states[1] + gates["i"] * gates["c"]
        torch.testing.assert_close(new_states[1], c, rtol=0, atol=1e-12)
        torch.testing.assert_close(new_states[0], gates["o"] * torch.tanh(c), rtol=0,
                                   atol=1e-12)
        for name in "ifo":  # sigmoid gates
            assert bool(((gates[name] > 0) & (gates[name] < 1)).all())
    elif kind.startswith("gru"):
        assert list(gates) == ["z", "r", "h"]
        h = gates["z"] * states[0] + (1 - gates["z"]) * gates["h"]
        torch.testing.assert_close(new_states[0], h, rtol=0, atol=1e-12)
        if cell.reset_after:
            combined, _ = cell.combine(cell.project(x), cell.recurrent_projection(states[0]),
                                       states[0])
            torch.testing.assert_close(combined, output, rtol=0, atol=0)
    else:
        assert list(gates) == ["h"]
        expected = torch.tanh(x @ cell.kernel + cell.bias + states[0] @ cell.recurrent_kernel)
        torch.testing.assert_close(new_states[0], expected, rtol=0, atol=1e-12)


def test_dense_logits_are_the_softmax_input():
    torch.manual_seed(0)
    dense = Dense(7, activation="softmax", dtype="float64")
    x = torch.randn(4, 3, dtype=torch.float64)
    probabilities = dense(x)
    torch.testing.assert_close(torch.softmax(dense.logits(x), dim=-1), probabilities,
                               rtol=0, atol=1e-12)
    torch.testing.assert_close(dense.logits(x), x @ dense.kernel + dense.bias, rtol=0,
                               atol=1e-12)
    torch.testing.assert_close(dense.logits(x.unsqueeze(1))[:, 0], dense.logits(x), rtol=0,
                               atol=1e-12)


@pytest.mark.parametrize("kind", ["lstm", "gru", "simple_rnn"])
def test_the_compiled_step_sees_new_weights(kind):
    """The step keeps its contiguous weights (and [W; U]) between calls: set_weights, an
    in-place update under no_grad and a new tensor must all be seen."""
    layer = _layer(kind)
    x = torch.randn(2, 3, dtype=torch.float64)

    def stepped():
        with torch.no_grad():
            return layer.step(x, None)[0]

    def expected():  # the cell's own step reads the parameters themselves
        cell = layer.cell
        with torch.no_grad():
            return cell.step(cell.project(x), cell.get_initial_state(2))[0]

    first = stepped()
    weights = layer.get_weights()
    layer.set_weights([w * 0.5 for w in weights])
    torch.testing.assert_close(stepped(), expected(), rtol=0, atol=1e-12)
    assert not torch.allclose(stepped(), first)
    with torch.no_grad():
        layer.cell.recurrent_kernel.mul_(-1.0)
    torch.testing.assert_close(stepped(), expected(), rtol=0, atol=1e-12)
    layer.cell.kernel.data = layer.cell.kernel.data * 2.0
    torch.testing.assert_close(stepped(), expected(), rtol=0, atol=1e-12)
