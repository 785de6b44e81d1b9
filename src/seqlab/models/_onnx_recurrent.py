"""seqlab's SimpleRNN, LSTM, GRU and Bidirectional as ONNX's own RNN, LSTM and GRU operators.

Weights (Keras -> ONNX, per direction; ONNX stacks directions on a first axis)::

    kernel (in, G u)            W (G u, in) = kernel[:, blocks].T
    recurrent_kernel (u, G u)   R (G u, u)  = recurrent_kernel[:, blocks].T
    LSTM blocks i, f, c, o      ONNX i, o, f, c
    GRU  blocks z, r, h         ONNX z, r, h  (same order)
    bias (G u,)                 B (2 G u,) = [bias[blocks] ; zeros]
    GRU bias (2, 3u)            B = [bias[0] ; bias[1]], linear_before_reset=1
                                (Keras reset_after=True); reset_after=False: 0

Activations: ONNX's ``activations`` list is ``[recurrent_activation, activation,
activation]`` for an LSTM (gates, candidate, output), ``[recurrent_activation,
activation]`` for a GRU and ``[activation]`` for a SimpleRNN; ``hard_sigmoid`` is
``HardSigmoid`` with ``alpha`` 1/6 (Keras 3) or 0.2 (Keras 2's, ``hard_sigmoid_keras2``).

Masks, exactly as Keras: a masked step keeps the states, so running only the real
steps, in order, gives the same states. The real steps of each row are gathered to the
front (stable, so gaps in the mask are fine too) and ONNX's ``sequence_lens`` stops
each row after its real steps; ``direction="reverse"`` then reads them from the last,
as ``go_backwards``. The outputs are gathered back to their time steps: a masked step
repeats the output of the previous real step in processing order (zeros before the
first), or is zero with ``zero_output_for_mask`` (Bidirectional's directions with
``return_sequences``). A row with no real step keeps its initial states and outputs
zeros. So left padding, right padding and masks with gaps are all exact.
"""
from __future__ import annotations

import numpy as np
from onnx import TensorProto

from ..layers import activations
from ..layers.cells import GRUCell, LSTMCell, SimpleRNNCell
from ._onnx_graph import ExportError, Graph, Value
from ._onnx_layers import weight

_OPERATORS = {LSTMCell: "LSTM", GRUCell: "GRU", SimpleRNNCell: "RNN"}
_LSTM_BLOCKS = (0, 3, 1, 2)  # ONNX i, o, f, c from Keras i, f, c, o

# Keras name -> (ONNX activation, alpha, beta); None: the activation takes no such value
_ACTIVATIONS = {
    "tanh": ("Tanh", None, None),
    "sigmoid": ("Sigmoid", None, None),
    "relu": ("Relu", None, None),
    "linear": ("Affine", 1.0, 0.0),
    "hard_sigmoid": ("HardSigmoid", 1.0 / 6.0, 0.5),
    "hard_sigmoid_keras2": ("HardSigmoid", 0.2, 0.5),
    "softsign": ("Softsign", None, None),
    "softplus": ("Softplus", None, None),
    "elu": ("Elu", 1.0, None),
    "leaky_relu": ("LeakyRelu", 0.2, None),
}


def emit_rnn(g: Graph, layer, x: Value, initial_state=None) -> list:
    """``SimpleRNN``/``LSTM``/``GRU``/``RNN(cell)``: output, then states with return_state."""
    (result,) = _run(g, [(layer, initial_state)], x)
    if layer.return_sequences:
        output = result["sequence"]
        if layer.go_backwards:  # Keras returns the steps in processing order
            output = g.flip_time(output)
        outputs = [Value(output, x.mask)]
    else:
        outputs = [Value(result["last"])]
    return outputs + ([Value(s) for s in result["states"]] if layer.return_state else [])


def emit_bidirectional(g: Graph, layer, x: Value, initial_state=None) -> list:
    """Both directions (one ``direction="bidirectional"`` operator when they match),
    the backward sequence in time order, merged as ``merge_mode`` says."""
    forward, backward = layer.forward_layer, layer.backward_layer
    states = [None, None]
    if initial_state is not None:
        half = len(initial_state) // 2
        states = [initial_state[:half], initial_state[half:]]
    sequences = layer.return_sequences
    ours, theirs = _run(g, [(forward, states[0]), (backward, states[1])], x)
    if sequences:  # each result["sequence"] is in time order
        y = g.flip_time(ours["sequence"]) if forward.go_backwards else ours["sequence"]
        y_rev = theirs["sequence"] if backward.go_backwards else g.flip_time(theirs["sequence"])
    else:
        y, y_rev = ours["last"], theirs["last"]
    mode = layer.merge_mode
    if mode is None:
        outputs = [Value(y), Value(y_rev)]
    else:
        if mode == "concat":
            merged = g.op("Concat", [y, y_rev], axis=-1)
        elif mode == "sum":
            merged = g.op("Add", [y, y_rev])
        elif mode == "ave":
            merged = g.op("Div", [g.op("Add", [y, y_rev]), g.scalar(2.0)])
        else:  # "mul"
            merged = g.op("Mul", [y, y_rev])
        outputs = [Value(merged, x.mask if sequences else None)]
    if layer.return_state:
        outputs += [Value(s) for s in ours["states"] + theirs["states"]]
    return outputs


# ---------------------------------------------------------------------- the run

def _run(g: Graph, directions, x: Value) -> list:
    """Each ``(layer, initial states or None)`` over `x`: per layer a dict with
    ``sequence`` (``(B, T, u)`` in TIME order, with return_sequences), ``last`` and
    ``states``."""
    for layer, initial in directions:
        check(layer)
        count = len(layer._state_sizes)
        if initial is not None and len(initial) != count:
            raise ExportError(f"layer {layer.name!r} ({type(layer).__name__}) takes {count} "
                              f"initial state tensor(s), got {len(initial)}")
    masked = None if x.mask is None else _real_steps(g, x.mask)
    inputs = x.name if masked is None else g.gather_time(x.name, masked["order"])
    time_major = g.op("Transpose", [inputs], perm=[1, 0, 2])  # (T, B, in)
    results = [None] * len(directions)
    for group in _operator_groups(directions):
        group = sorted(group, key=lambda i: directions[i][0].go_backwards)  # forward first
        y, y_h, y_c = _operator(g, [directions[i] for i in group], time_major, masked)
        for slot, i in enumerate(group):
            layer, initial = directions[i]
            results[i] = _unpack(g, layer, initial, slot, y, y_h, y_c, masked, x.mask)
    return results


def _operator_groups(directions) -> list:
    """One operator for a forward and a backward layer of the same kind and size (and
    initial states for both or neither)."""
    if len(directions) == 2:
        (first, first_state), (second, second_state) = directions
        a, b = first.cell, second.cell
        if (type(a) is type(b) and a.units == b.units
                and getattr(a, "reset_after", None) == getattr(b, "reset_after", None)
                and first.go_backwards != second.go_backwards
                and (first_state is None) == (second_state is None)):
            return [[0, 1]]
    return [[i] for i in range(len(directions))]


def _operator(g, directions, time_major, masked):
    cells = [layer.cell for layer, _ in directions]
    cell, kind = cells[0], _OPERATORS[type(cells[0])]
    ws, rs, bs = zip(*(_onnx_weights(c) for c in cells))
    inputs = [time_major, g.const(np.stack(ws), "W"), g.const(np.stack(rs), "R"),
              g.const(np.stack(bs), "B"), "" if masked is None else masked["lengths"]]
    initials = [state for _, state in directions]
    if any(state is not None for state in initials):
        for index in range(2 if kind == "LSTM" else 1):  # initial_h (initial_c)
            inputs.append(g.op("Concat", [g.unsqueeze(state[index].name, [0])
                                          for state in initials], axis=0))
    if len(directions) == 2:
        direction = "bidirectional"
    else:
        direction = "reverse" if directions[0][0].go_backwards else "forward"
    names, alphas, betas = _activation_attributes(directions)
    attributes = dict(hidden_size=cell.units, direction=direction, activations=names)
    if alphas:
        attributes["activation_alpha"] = alphas
    if betas:
        attributes["activation_beta"] = betas
    if kind == "GRU":
        attributes["linear_before_reset"] = int(cell.reset_after)
    count = 3 if kind == "LSTM" else 2
    outputs = g.op(kind, inputs, count, **attributes)
    if not directions[0][0].return_sequences:  # Y is not needed: leave it out
        g.nodes[-1].output[0] = ""
    return outputs[0], outputs[1], outputs[2] if kind == "LSTM" else None


def _unpack(g, layer, initial, slot, y, y_h, y_c, masked, mask):
    """One direction's results from the operator's ``Y (T, D, B, u)``, ``Y_h (D, B, u)``."""
    index = g.scalar(slot, np.int64)
    states = [g.op("Gather", [y_h, index], axis=0)]
    if y_c is not None:
        states.append(g.op("Gather", [y_c, index], axis=0))
    sequence = None
    if layer.return_sequences:
        sequence = g.op("Transpose", [g.op("Gather", [y, index], axis=1)], perm=[1, 0, 2])
    if masked is None:
        return {"sequence": sequence, "last": states[0], "states": states}
    backwards, zeros = layer.go_backwards, layer.zero_output_for_mask
    zero = g.scalar(0.0)
    if sequence is not None:
        where = masked["back_reverse" if backwards else "back_forward"]
        filled = mask if zeros else masked["seen_reverse" if backwards else "seen_forward"]
        sequence = g.op("Where", [g.unsqueeze(filled, [2]), g.gather_time(sequence, where), zero])
    has_real = masked["has_real"]
    last = g.op("Where", [has_real, states[0], zero])
    if zeros:  # the last processed step is masked: its output is zero
        final_step = g.time_slice(mask, 0, 1) if backwards else g.time_slice(mask, -1, 2 ** 62)
        last = g.op("Where", [final_step, last, zero])
    initial = [zero] * len(states) if initial is None else [s.name for s in initial]
    states = [g.op("Where", [has_real, s, i]) for s, i in zip(states, initial)]
    return {"sequence": sequence, "last": last, "states": states}


def _real_steps(g: Graph, mask: str) -> dict:
    """For a ``(B, T)`` mask (computed once per mask and shared): the order that puts each
    row's real steps first, the operator's lengths and the indices that map back."""
    key = ("real_steps", mask)
    if key in g.cache:
        return g.cache[key]
    scope, g.scope = g.scope, f"{mask}:real_steps"
    real = g.op("Cast", [mask], to=TensorProto.INT64)  # (B, T)
    count = g.reduce("ReduceSum", real, [1], keepdims=True)  # (B, 1)
    time = g.op("Gather", [g.op("Shape", [mask]), g.ints([1])], axis=0)  # [T]
    positions = g.op("Range", [g.scalar(0, np.int64), g.op("Squeeze", [time]),
                               g.scalar(1, np.int64)])  # (T,)
    key_order = g.op("Where", [mask, positions, g.op("Add", [positions, time])])
    _, order = g.op("TopK", [key_order, time], 2, axis=1, largest=0, sorted=1)
    seen = g.op("CumSum", [real, g.scalar(1, np.int64)])  # real steps up to t
    before = g.op("Sub", [seen, real])  # real steps before t
    # a row without real steps runs one (ignored) step: some runtimes refuse length 0
    lengths = g.op("Cast", [g.op("Max", [g.op("Squeeze", [count, g.ints([1])]),
                                         g.scalar(1, np.int64)])], to=TensorProto.INT32)
    result = {
        "order": order, "lengths": lengths,
        "has_real": g.op("Greater", [count, g.scalar(0, np.int64)]),  # (B, 1)
        # forward: step t shows the output of the last real step <= t
        "back_forward": g.op("Max", [g.op("Sub", [seen, g.scalar(1, np.int64)]),
                                     g.scalar(0, np.int64)]),
        "seen_forward": g.op("Greater", [seen, g.scalar(0, np.int64)]),
        # backward: step t shows the output of the first real step >= t
        "back_reverse": before,
        "seen_reverse": g.op("Less", [before, count]),
    }
    g.scope = scope
    g.cache[key] = result
    return result


# ------------------------------------------------------------- weights, checks

def _onnx_weights(cell):
    """``W (G u, in)``, ``R (G u, u)``, ``B (2 G u,)`` in ONNX's layout (module doc)."""
    kernel, recurrent, u = weight(cell, "kernel"), weight(cell, "recurrent_kernel"), cell.units
    blocks = _LSTM_BLOCKS if isinstance(cell, LSTMCell) else range(cell.gate_count)
    columns = np.concatenate([np.arange(b * u, (b + 1) * u) for b in blocks])
    zeros = np.zeros(cell.gate_count * u, dtype=np.float32)
    if not cell.use_bias:
        bias = np.concatenate([zeros, zeros])
    elif isinstance(cell, GRUCell) and cell.reset_after:
        bias = weight(cell, "bias").reshape(-1)  # [input row ; recurrent row]
    else:
        bias = np.concatenate([weight(cell, "bias")[columns], zeros])
    return kernel[:, columns].T, recurrent[:, columns].T, bias


def _functions(cell) -> list:
    """The cell's activations in the order of ONNX's ``activations`` attribute."""
    if isinstance(cell, SimpleRNNCell):
        return [cell.activation]
    gates, candidate = cell.recurrent_activation, cell.activation
    return [gates, candidate, candidate] if isinstance(cell, LSTMCell) else [gates, candidate]


def _activation_attributes(directions):
    """``activations`` and the ``activation_alpha``/``beta`` lists, which ONNX reads in
    order, one value per activation that takes one."""
    names, alphas, betas = [], [], []
    for layer, _ in directions:
        for function in _functions(layer.cell):
            name, alpha, beta = _ACTIVATIONS[activations.name_of(function)]
            names.append(name)
            alphas += [] if alpha is None else [alpha]
            betas += [] if beta is None else [beta]
    return names, alphas, betas


def check(layer) -> None:
    """Refuse, with the reason, a recurrent layer ONNX's operators cannot run exactly."""
    who = f"layer {layer.name!r} ({type(layer).__name__})"
    cell = layer.cell
    if type(cell) not in _OPERATORS:
        raise ExportError(f"{who}: its cell {type(cell).__name__} is a custom cell; ONNX export "
                          "supports SimpleRNNCell, LSTMCell and GRUCell (SimpleRNN, LSTM, GRU)")
    if layer.stateful:
        raise ExportError(f"{who}: stateful=True carries states from one call to the next, which "
                          "an ONNX graph cannot keep; export a copy built with stateful=False "
                          "(same weights: copy.set_weights(layer.get_weights())) and pass the "
                          "states as initial_state inputs if you need them")
    arguments = [("activation", cell.activation)]
    if not isinstance(cell, SimpleRNNCell):
        arguments.append(("recurrent_activation", cell.recurrent_activation))
    for argument, function in arguments:
        name = activations.name_of(function)
        if name not in _ACTIVATIONS:
            shown = name or getattr(function, "__name__", repr(function))
            raise ExportError(f"{who}: {argument}={shown!r} has no equivalent among the "
                              f"activations of ONNX's recurrent operators; supported: "
                              f"{', '.join(sorted(_ACTIVATIONS))}")
