"""Gradients in float64: torch.autograd.gradcheck of every cell and of the layers on each
path (Bidirectional with a mask included), and equal gradients across the paths."""
import pytest
import torch

from seqlab.layers import GRU, LSTM, Bidirectional, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell

torch.manual_seed(0)
CELLS = [(SimpleRNNCell, {}), (LSTMCell, {}), (GRUCell, {}), (GRUCell, {"reset_after": False}),
         (LSTMCell, {"recurrent_activation": "hard_sigmoid", "activation": "softsign"})]


@pytest.mark.parametrize("cls, options", CELLS, ids=lambda v: getattr(v, "__name__", str(v)))
def test_cell_gradcheck(cls, options):
    cell = cls(3, dtype="float64", **options)
    x = torch.randn(2, 4, dtype=torch.float64, requires_grad=True)
    cell.build((2, 4))
    states = [torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
              for _ in range(cell.state_count)]
    parameters = list(cell.parameters())
    recurrent_mask = torch.tensor([[1.0, 0.0, 2.0], [2.0, 2.0, 0.0]], dtype=torch.float64)

    def one_step(x, *tensors):
        states = list(tensors[:cell.state_count])
        with torch.no_grad():
            for parameter, value in zip(parameters, tensors[cell.state_count:]):
                parameter.copy_(value)
        output, new_states = cell.step(cell.project(x), states, recurrent_mask)
        return (output, *new_states)

    # gradients with respect to inputs and states
    assert torch.autograd.gradcheck(one_step, (x, *states), eps=1e-6, atol=1e-8)
    # and to the weights, through functional_call
    names = [n for n, _ in cell.named_parameters()]
    values = [p.detach().clone().requires_grad_(True) for p in parameters]

    def by_weights(*weights):
        output, new = torch.func.functional_call(
            cell, dict(zip(names, weights)), (x.detach(),), {"states": [s.detach() for s in states]})
        return (output, *new)

    assert torch.autograd.gradcheck(by_weights, tuple(values), eps=1e-6, atol=1e-8)


MASK = torch.tensor([[False, False, True, True, True],
                     [True, True, True, False, False],
                     [True, True, True, True, True]])


def layer_case(factory):
    torch.manual_seed(1)
    layer = factory()
    x = torch.randn(3, 5, 2, dtype=torch.float64, requires_grad=True)
    layer(x, mask=MASK)  # build
    return layer, x


FACTORIES = {
    "lstm_sequences": lambda: LSTM(3, return_sequences=True, dtype="float64"),
    "gru_backwards": lambda: GRU(3, go_backwards=True, return_state=True, dtype="float64"),
    "gru_v1": lambda: GRU(3, reset_after=False, return_sequences=True, dtype="float64"),
    "simple_rnn": lambda: SimpleRNN(3, dtype="float64"),
    "bidirectional_lstm": lambda: Bidirectional(LSTM(3, return_sequences=True, dtype="float64")),
    "bidirectional_gru_ave": lambda: Bidirectional(GRU(2, dtype="float64"), merge_mode="ave"),
}


def set_path(layer, path):
    for module in layer.modules():
        if hasattr(module, "_path_override"):
            module._path_override = path


@pytest.mark.parametrize("name, path", [(name, path) for name in FACTORIES
                                        for path in ("loop", "bptt", "native", "compiled")
                                        if (name, path) != ("gru_v1", "native")])
def test_layer_gradcheck_with_mask(name, path):
    layer, x = layer_case(FACTORIES[name])
    set_path(layer, path)

    def run(x):
        out = layer(x, mask=MASK)
        return out if isinstance(out, tuple) else (out,)

    assert torch.autograd.gradcheck(run, (x,), eps=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", [n for n in FACTORIES if n != "gru_v1"])
def test_paths_give_the_same_gradients(name):
    """Every path, the reference's autograd gradients (the mask makes native use packing
    or front alignment, and bptt its masked carries)."""
    layer, x = layer_case(FACTORIES[name])
    results = {}
    for path in ("reference", "loop", "bptt", "native", "compiled"):
        set_path(layer, path)
        layer.zero_grad()
        x.grad = None
        out = layer(x, mask=MASK)
        out = out if isinstance(out, tuple) else (out,)
        sum(o.sin().sum() for o in out).backward()
        results[path] = [x.grad.clone()] + [p.grad.clone() for p in layer.parameters()]
    for path in ("loop", "bptt", "native", "compiled"):
        for got, want in zip(results[path], results["reference"]):
            torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-12)
