"""The compiled time loops (layers/_crnn.c via layers/compiled.py) against the reference.

* float32: every option combination matches the plain loop run in float64 (itself
  checked against the NumPy oracle to 1e-10 in test_recurrent.py) on the same weights,
  inputs and dropout masks, to 1e-5 of each tensor's largest value
  (outputs, final states, and the gradients of inputs, initial states and weights);
* float64: torch.autograd.gradcheck for every cell and option, at a size that uses the
  vector tiles, their remainders and two threads;
* the thread split changes nothing (rows are independent): results are bitwise equal.

The oracle comparisons in float64 (test_recurrent.py) and the masked gradient checks
(test_gradients.py) run the compiled path too.
"""
import itertools

import pytest
import torch

from seqlab.layers import GRU, LSTM, Bidirectional, SimpleRNN, compiled, recurrent

pytestmark = pytest.mark.skipif(compiled._crnn is None, reason="the compiled loop is not built")

CELLS = {
    "simple_rnn": (SimpleRNN, {}),
    "simple_rnn_relu": (SimpleRNN, {"activation": "relu"}),
    "simple_rnn_sigmoid": (SimpleRNN, {"activation": "sigmoid"}),
    "lstm": (LSTM, {}),
    "lstm_nobias": (LSTM, {"use_bias": False}),
    "gru": (GRU, {}),
    "gru_nobias": (GRU, {"use_bias": False}),
    "gru_reset_before": (GRU, {"reset_after": False}),
}


def time_mask(kind, batch, time, generator):
    """None, or a (batch, time) bool mask: left or right padding, gaps, an empty row."""
    if kind == "none":
        return None
    lengths = torch.randint(0, time + 1, (batch,), generator=generator)
    positions = torch.arange(time)
    if kind == "right":
        return positions < lengths[:, None]
    if kind == "left":
        return positions >= (time - lengths)[:, None]
    mask = torch.rand(batch, time, generator=generator) > 0.3  # gaps
    mask[0] = False  # a row with no real step
    return mask


def fixed_dropout_masks(monkeypatch, seed=7):
    """Dropout masks that depend on the call order only, not on the dtype."""
    generator = torch.Generator().manual_seed(seed)

    def draw(shape, rate, like):
        keep = torch.empty(shape, dtype=torch.float64).bernoulli_(1 - rate, generator=generator)
        return (keep / (1 - rate)).to(like.dtype)
    monkeypatch.setattr(recurrent, "dropout_mask", draw)


def run(layer, x, mask, initial, path):
    """Outputs, final states and the gradients of inputs, initial states and weights."""
    layer._path_override = path
    x = x.detach().requires_grad_(True)
    initial = [s.detach().requires_grad_(True) for s in initial]
    out = layer(x, mask=mask, initial_state=initial, training=True)
    weights = torch.linspace(-1, 1, out[0].numel(), dtype=x.dtype).view_as(out[0])
    loss = (out[0] * weights).sum() + sum(s.sum() * (k + 2) for k, s in enumerate(out[1:]))
    grads = torch.autograd.grad(loss, [x, *initial, *layer.parameters()])
    return [t.detach().double() for t in (*out, *grads)]


def pair(cls, options, batch, time, features, units, **flags):
    """The same layer in float32 and float64 (Keras's initialisers, copied)."""
    torch.manual_seed(0)
    layers = {dtype: cls(units, dtype=dtype, return_state=True, **options, **flags)
              for dtype in ("float32", "float64")}
    for layer in layers.values():
        layer.build((batch, time, features))
    with torch.no_grad():
        for p32, p64 in zip(layers["float32"].parameters(), layers["float64"].parameters()):
            p64.copy_(p32)
    return layers


@pytest.mark.parametrize("name", list(CELLS))
def test_float32_matches_the_reference_loop(monkeypatch, name):
    cls, options = CELLS[name]
    batch, time, features, units = 37, 8, 6, 40  # odd sizes: tile remainders, uneven split
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(batch, time, features, generator=generator, dtype=torch.float64)
    for mask_kind, go_backwards, dropout in itertools.product(
            ["none", "left", "right", "gaps"], [False, True], [0.0, 0.3]):
        layers = pair(cls, options, batch, time, features, units, return_sequences=True,
                      go_backwards=go_backwards, recurrent_dropout=dropout)
        with torch.no_grad():  # biases away from zero, so that a misplaced bias shows
            for layer in layers.values():
                for parameter in layer.parameters():
                    if parameter is getattr(layer.cell, "bias", None):
                        parameter.copy_(torch.linspace(-0.5, 0.5, parameter.numel())
                                        .view_as(parameter))
        mask = time_mask(mask_kind, batch, time, generator)
        initial = [torch.randn(batch, units, generator=generator, dtype=torch.float64) * 0.5
                   for _ in layers["float64"]._state_sizes]
        fixed_dropout_masks(monkeypatch)
        got = run(layers["float32"], x.float(), mask, [s.float() for s in initial], "compiled")
        assert layers["float32"].path == "compiled"
        fixed_dropout_masks(monkeypatch)
        want = run(layers["float64"], x, mask, initial, "loop")
        for index, (a, b) in enumerate(zip(got, want)):
            scale = b.abs().max().clamp(min=1e-30)
            error = ((a - b).abs().max() / scale).item()
            assert error < 1e-5, (f"{name}, {mask_kind} mask, go_backwards={go_backwards}, "
                                  f"recurrent_dropout={dropout}: tensor {index} off by {error:.2e}")


@pytest.mark.parametrize("name", list(CELLS))
@pytest.mark.parametrize("mask_kind, go_backwards, dropout",
                         [("none", False, 0.0), ("gaps", True, 0.4), ("left", False, 0.4)])
def test_float64_gradcheck(monkeypatch, name, mask_kind, go_backwards, dropout):
    check_gradients(monkeypatch, name, mask_kind, go_backwards, dropout)


@pytest.mark.parametrize("name", ["lstm", "lstm_nobias", "simple_rnn", "simple_rnn_relu"])
def test_float64_gradcheck_with_stored_dz(monkeypatch, name):
    """Layers too large for the in-loop weight sums store dz and take products after the
    loop: the same gradients (forced here on a small layer)."""
    monkeypatch.setattr(compiled, "FUSED_SUMS_LIMIT", 0)
    check_gradients(monkeypatch, name, "gaps", True, 0.4)


def check_gradients(monkeypatch, name, mask_kind, go_backwards, dropout):
    cls, options = CELLS[name]
    batch, time, features, units = 17, 4, 3, 9  # 2 threads; a full tile and remainders
    generator = torch.Generator().manual_seed(2)
    torch.manual_seed(3)
    layer = cls(units, dtype="float64", return_sequences=True, return_state=True,
                go_backwards=go_backwards, recurrent_dropout=dropout, **options)
    layer.build((batch, time, features))
    layer._path_override = "compiled"
    mask = time_mask(mask_kind, batch, time, generator)
    x = torch.randn(batch, time, features, generator=generator, dtype=torch.float64,
                    requires_grad=True)
    initial = [torch.randn(batch, units, generator=generator, dtype=torch.float64,
                           requires_grad=True) for _ in layer._state_sizes]
    names = [n for n, _ in layer.named_parameters()]
    weights = [p.detach().clone().requires_grad_(True) for p in layer.parameters()]

    def function(x, *tensors):
        fixed_dropout_masks(monkeypatch)  # the same recurrent-dropout mask at every call
        states, values = tensors[:len(initial)], tensors[len(initial):]
        return torch.func.functional_call(layer, dict(zip(names, values)), (x,),
                                          {"mask": mask, "initial_state": list(states),
                                           "training": True})

    assert torch.autograd.gradcheck(function, (x, *initial, *weights), eps=1e-6, atol=1e-8,
                                    fast_mode=True)
    assert layer.path == "compiled"


def kernel_case(kind, batch=50, time=7, features=6, units=24):
    """One autograd function of compiled.py on random inputs, and the initial states, whose
    gradients come out of the C backward loop alone."""
    generator = torch.Generator().manual_seed(4)

    def rand(*shape):
        return (torch.randn(*shape, generator=generator) * 0.5).requires_grad_(True)
    width = {"lstm": 4, "simple_rnn": 1}.get(kind, 3) * units
    x, W, x_bias = rand(time, batch, features), rand(features, width), rand(width)
    h0, c0, U, b = rand(batch, units), rand(batch, units), rand(units, width), rand(width)
    m = (torch.rand(batch, units, generator=generator) > 0.3).float() / 0.7
    M = (torch.rand(time, batch, generator=generator) > 0.2)
    if kind == "lstm":
        return lambda: compiled._LSTM.apply(x, W, x_bias, h0, c0, U, m, M, True), (h0, c0)
    if kind == "simple_rnn":
        return lambda: compiled._SimpleRNN.apply(x, W, x_bias, h0, U, m, M, True, 0), (h0,)
    after = kind == "gru"
    return (lambda: compiled._GRU.apply(x, W, x_bias, h0, U, b if after else None, m, M, True,
                                        after), (h0,))


@pytest.mark.parametrize("kind", ["lstm", "gru", "gru_reset_before", "simple_rnn"])
def test_the_thread_split_changes_nothing(kind):
    """Rows are independent, so the C loops give the same bits on any number of threads:
    the outputs and the initial states' gradients (the weight gradients are torch products
    over all rows and steps, whose summation MKL may split by thread)."""
    function, inputs = kernel_case(kind)
    results = []
    threads = torch.get_num_threads()
    try:
        for count in (1, 2, 3):
            torch.set_num_threads(count)
            out = function()
            grads = torch.autograd.grad(sum(o.square().sum() for o in out), inputs)
            results.append([o.detach() for o in out] + list(grads))
    finally:
        torch.set_num_threads(threads)
    for other in results[1:]:
        for a, b in zip(results[0], other):
            assert torch.equal(a, b)


def test_bidirectional_runs_both_directions_compiled():
    torch.manual_seed(5)
    layer = Bidirectional(LSTM(6, return_sequences=True, dtype="float64"))
    x = torch.randn(9, 5, 4, dtype=torch.float64)
    mask = torch.rand(9, 5) > 0.3
    got = layer(x, mask=mask)
    assert layer.forward_layer.path == layer.backward_layer.path == "compiled"
    for sub in (layer.forward_layer, layer.backward_layer):
        sub._path_override = "reference"
    torch.testing.assert_close(got, layer(x, mask=mask), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype, tolerance", [("float32", 2e-6), ("float64", 1e-12)])
@pytest.mark.parametrize("name", list(CELLS))
def test_inference_keeps_less_and_gives_the_same_results(name, dtype, tolerance):
    """Without gradients the loops project the inputs step by step and keep one step of
    gates and two of states: the same values, up to the roundings of another order of
    summation."""
    cls, options = CELLS[name]
    generator = torch.Generator().manual_seed(6)
    x = torch.randn(21, 7, 5, generator=generator, dtype=getattr(torch, dtype))
    for mask_kind, go_backwards, return_sequences in itertools.product(
            ["none", "left", "gaps"], [False, True], [False, True]):
        torch.manual_seed(7)
        layer = cls(12, return_sequences=return_sequences, return_state=True,
                    go_backwards=go_backwards, dtype=dtype, **options)
        mask = time_mask(mask_kind, 21, 7, generator)
        initial = [torch.randn(21, 12, generator=generator, dtype=x.dtype)
                   for _ in layer._state_sizes]
        trained = layer(x, mask=mask, initial_state=initial)
        with torch.no_grad():
            inferred = layer(x, mask=mask, initial_state=initial)
        assert layer.path == "compiled"
        for a, b in zip(inferred, trained):
            torch.testing.assert_close(a, b.detach(), rtol=tolerance, atol=tolerance,
                                       msg=f"{mask_kind}, {go_backwards}, {return_sequences}")


def test_a_second_derivative_is_refused_not_wrong():
    layer = LSTM(3)
    x = torch.randn(2, 4, 5, requires_grad=True)
    (grad,) = torch.autograd.grad(layer(x).square().sum(), x, create_graph=True)
    assert layer.path == "compiled"
    with pytest.raises(RuntimeError, match="once_differentiable"):
        grad.sum().backward()
