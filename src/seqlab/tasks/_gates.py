"""Inside a saved model: its recurrent layers, their weights by gate, and the gates'
activations over a text.

Gate blocks, in Keras's order along the last axis of every weight::

    SimpleRNN  [h]               kernel (in, u)    recurrent_kernel (u, u)    bias (u,)
    LSTM       [i | f | c | o]   kernel (in, 4u)   recurrent_kernel (u, 4u)   bias (4u,)
    GRU        [z | r | h]       kernel (in, 3u)   recurrent_kernel (u, 3u)   bias (3u,) or
                                                   (2, 3u) with reset_after (input, recurrent rows)

``gate_activations`` feeds the text's token ids through the layers that lead to each
recurrent layer, records what that layer received (inputs, mask, initial states), and
runs the cell equations again step by step with every gate kept (``trace_cell``). The
recomputed outputs are compared with the layer's own, and the difference is returned.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..layers import Bidirectional, Embedding, GRUCell, LSTMCell, SimpleRNNCell
from ..layers.recurrent import RNN
from .._files import read_text
from ..models import load_model
from ..text import text_to_word_sequence, tokenizer_from_json
from ._runs import read_json

GATES = {LSTMCell: ("i", "f", "c", "o"), GRUCell: ("z", "r", "h"), SimpleRNNCell: ("h",)}
GATE_MEANING = {"i": "input gate", "f": "forget gate", "c": "cell candidate", "o": "output gate",
                "z": "update gate", "r": "reset gate", "h": "candidate"}
SHOWN = {LSTMCell: ("i", "f", "o"), GRUCell: ("z", "r"), SimpleRNNCell: ("h",)}  # heatmaps
RECURRENT_RUNS = "seqlab classify|generate|seq2seq train"


# ------------------------------------------------------------------------ loading

def load_run_model(run):
    """The model of a run folder (or a ``.safetensors``, Keras ``.h5`` or ``.keras`` model
    file), with its tokenizer."""
    path = Path(run)
    if not path.exists():
        raise FileNotFoundError(f"{run}: no such run folder; give a folder written by "
                                f"`{RECURRENT_RUNS} --output FOLDER` (or its model.safetensors, or a "
                                "Keras .h5 / .keras file)")
    model_file = path / "model.safetensors" if path.is_dir() else path
    if not model_file.is_file():
        raise FileNotFoundError(f"{run} is not a seqlab run folder: it has no "
                                f"model.safetensors (give a folder written by `{RECURRENT_RUNS}`)")
    model = load_model(model_file)
    source_tokenizer = model_file.parent / "source_tokenizer.json"
    if getattr(model, "tokenizer", None) is None and source_tokenizer.is_file():
        # A seq2seq run keeps its vocabularies beside the model and splits texts itself
        # (characters, or words and punctuation): the text is read as a source text.
        from .seq2seq import text_tokens

        model.tokenizer = tokenizer_from_json(read_text(source_tokenizer, "tokenizer JSON"))
        level = read_json(model_file.parent / "config.json")["level"]
        model.split_text = lambda text: text_tokens(text, level)
    model.eval()
    return model


def recurrent_layers(model) -> list:
    """``[(layer, wrapper)]``: every SimpleRNN/LSTM/GRU/RNN in the model in order, with the
    Bidirectional that holds it (or None)."""
    found = []

    def walk(module, wrapper):
        for child in module.children():
            if isinstance(child, RNN):
                found.append((child, wrapper))
            else:
                walk(child, child if isinstance(child, Bidirectional) else wrapper)

    walk(model, None)
    return found


def _require_recurrent(model, run):
    layers = recurrent_layers(model)
    if not layers:
        names = ", ".join(f"{layer.name} ({type(layer).__name__})" for layer in model.layers)
        raise ValueError(f"{run}: the model has no recurrent layer (its layers: {names}); "
                         "inspect a model with SimpleRNN, LSTM or GRU layers, e.g. one trained "
                         "with `seqlab classify train --model lstm`")
    return layers


# ------------------------------------------------------------------------ weights

def split_gates(cell) -> list:
    """``[{"weight", "shape", "blocks": {gate: array}}]`` for kernel, recurrent_kernel and
    bias: each weight cut along its last axis into the cell's gate blocks, in order."""
    gates = _gate_names(cell)
    result = []
    for name in ("kernel", "recurrent_kernel", "bias"):
        weight = getattr(cell, name, None)
        if weight is None:
            continue
        array = weight.detach().cpu().numpy()
        blocks = np.split(array, len(gates), axis=-1)
        result.append({"weight": name, "shape": tuple(array.shape),
                       "blocks": dict(zip(gates, blocks))})
    return result


def _shown(cell):
    return next(names for kind, names in SHOWN.items() if isinstance(cell, kind))


def _gate_names(cell):
    for kind, names in GATES.items():
        if isinstance(cell, kind):
            return names
    raise ValueError(f"{type(cell).__name__} is a custom cell: its gates are unknown "
                     "(SimpleRNNCell, LSTMCell and GRUCell are)")


def describe_model(run) -> dict:
    """The summary table, the tokenizer and every recurrent layer with its weights by gate.

    Returns ``{"path", "summary" (text), "parameters", "tokenizer" (None or its kind and
    size), "layers": [{"name", "type", "wrapper", "units", "input_dim", "parameters",
    "weights": split_gates(cell)}]}``.
    """
    model = load_run_model(run)
    layers = _require_recurrent(model, run)
    lines = []
    model.summary(print_fn=lines.append)
    described = []
    for layer, wrapper in layers:
        cell = layer.cell
        weights = split_gates(cell) if type(cell) in GATES else []
        described.append({
            "name": layer.name, "type": type(layer).__name__,
            "wrapper": None if wrapper is None else wrapper.name,
            "units": layer.units,
            "input_dim": tuple(cell.kernel.shape)[0] if hasattr(cell, "kernel") else None,
            "parameters": sum(p.numel() for p in layer.parameters()),
            "reset_after": getattr(cell, "reset_after", None),
            "weights": weights})
    return {"path": str(run), "summary": "\n".join(lines), "layers": described,
            "parameters": sum(p.numel() for p in model.parameters()),
            "tokenizer": _tokenizer_info(getattr(model, "tokenizer", None))}


def _tokenizer_info(tokenizer):
    if tokenizer is None:
        return None
    return {"level": "char" if tokenizer.char_level else "word",
            "vocab_size": tokenizer.vocab_size, "oov_token": tokenizer.oov_token}


# ---------------------------------------------------------------------- the text

def encode_text(tokenizer, text, split=None) -> tuple:
    """``(ids, tokens, dropped)``: the token ids the tokenizer gives `text`, the token each
    came from (an out-of-vocabulary one marked with ``*``), and the tokens it dropped.

    Without a tokenizer the text must already be ids separated by spaces; `split`, when
    given, cuts the text into tokens instead of the tokenizer's own rules."""
    if tokenizer is None:
        parts = str(text).split()
        if not parts or not all(p.isdigit() for p in parts):
            raise ValueError(f"the saved model has no tokenizer, so the text must be token ids "
                             f"separated by spaces (e.g. '4 12 7'), got {text!r}")
        return [int(p) for p in parts], parts, []
    if split is not None:
        tokens = split(text)
    elif tokenizer.char_level:
        tokens = list(text.lower() if tokenizer.lower else text)
    else:
        tokens = text_to_word_sequence(text, filters=tokenizer.filters, lower=tokenizer.lower,
                                       split=tokenizer.split)
    oov = tokenizer.word_index.get(tokenizer.oov_token) if tokenizer.oov_token else None
    ids, labels, dropped = [], [], []
    for token, sequence in zip(tokens, tokenizer.texts_to_sequences([[t] for t in tokens])):
        if not sequence:
            dropped.append(token)
            continue
        ids.append(sequence[0])
        labels.append(token + "*" if sequence[0] == oov and token != tokenizer.oov_token
                      else token)
    if not any(token_id != oov for token_id in ids):  # nothing left but OOV tokens
        vocabulary = len(tokenizer.word_index)
        fate = (f"every one maps to its OOV token {tokenizer.oov_token!r}" if ids else
                "it has no OOV token")
        raise ValueError(f"none of the tokens of {text!r} is in the model's vocabulary "
                         f"({vocabulary:,} entries; {fate}): give a text with words from its "
                         "training data")
    return ids, labels, dropped


# ------------------------------------------------------------------ activations

def gate_activations(run, text, input_name=None) -> dict:
    """Every gate of every recurrent layer at every step of `text`.

    The text's ids go to the model input `input_name` (default: the first input); layers
    that need another input (e.g. a seq2seq decoder) are listed under ``"skipped"``.
    Returns ``{"tokens", "ids", "dropped", "layers": [{"name", "type", "wrapper",
    "direction", "gates": {gate: (T, units)}, "h": (T, units), "c": (T, units) (LSTM),
    "steps": labels of the T columns, "aligned": whether they are the text's tokens,
    "output_difference": max |recomputed - layer output|}], "skipped": [names]}``.
    Columns are in the text's order for both directions of a Bidirectional layer.
    """
    model = load_run_model(run)
    layers = _require_recurrent(model, run)
    if not any(isinstance(m, Embedding) for m in model.modules()):
        raise ValueError(f"{run}: the model reads number series, not text (it has no "
                         "Embedding); gate activations need a text model; "
                         "`seqlab inspect model RUN` without --text shows its weights")
    ids, tokens, dropped = encode_text(getattr(model, "tokenizer", None), text,
                                       getattr(model, "split_text", None))
    limit = max(m.input_dim for m in model.modules() if isinstance(m, Embedding))
    if max(ids) >= limit:
        raise ValueError(f"token id {max(ids)} is outside the model's Embedding (input_dim "
                         f"{limit}): use ids below {limit}")
    calls = {id(layer): [] for layer, _ in layers}
    hooks = [layer.register_forward_hook(_recorder(calls[id(layer)]), with_kwargs=True)
             for layer, _ in layers]
    try:
        for layer, _ in layers:
            if layer.stateful:
                layer.reset_states()  # a loaded model starts from zero states
        with torch.no_grad():
            _run_to_last_recurrent(model, torch.tensor([ids]), input_name)
    finally:
        for hook in hooks:
            hook.remove()
    traced, skipped = [], []
    for layer, wrapper in layers:
        if not calls[id(layer)] or not isinstance(layer.cell, tuple(GATES)):
            skipped.append(layer.name)  # not reached from this input, or a custom cell
            continue
        for inputs, mask, initial, output in calls[id(layer)]:
            with torch.no_grad():
                trace = trace_cell(layer.cell, inputs[0], [s[0] for s in initial],
                                   None if mask is None else mask[0], layer.go_backwards,
                                   layer.zero_output_for_mask)
            produced = output[0] if isinstance(output, (tuple, list)) else output
            ours = trace.pop("outputs")  # in processing order, as the layer returns them
            expected = produced[0] if layer.return_sequences else produced[0][None]
            mine = ours if layer.return_sequences else ours[-1:]
            steps = inputs.shape[1]
            traced.append({
                "name": layer.name, "type": type(layer).__name__,
                "wrapper": None if wrapper is None else wrapper.name,
                "direction": "backward" if layer.go_backwards else "forward",
                "shown": _shown(layer.cell), **trace,
                "aligned": steps == len(tokens),
                "steps": tokens if steps == len(tokens) else [str(t + 1) for t in range(steps)],
                "output_difference": float((mine - expected).abs().max()) if steps else 0.0})
    return {"tokens": tokens, "ids": ids, "dropped": dropped, "layers": traced,
            "skipped": skipped}


def _recorder(calls):
    """A forward hook that keeps what the recurrent layer was called with, and its output."""
    def hook(layer, args, kwargs, output):
        inputs = args[0]
        mask = kwargs.get("mask")
        if mask is None:
            mask = getattr(inputs, "_keras_mask", None)
        initial = kwargs.get("initial_state")
        if initial is None:
            initial = [torch.zeros(inputs.shape[0], size, dtype=inputs.dtype)
                       for size in layer._state_sizes]
        elif not isinstance(initial, (list, tuple)):
            initial = [initial]
        calls.append((inputs.detach(), None if mask is None else mask.bool(),
                      [torch.as_tensor(s, dtype=inputs.dtype) for s in initial], output))
    return hook


def _run_to_last_recurrent(model, ids, input_name):
    """Call the layers that lead to the model's recurrent layers (not the head after them,
    which may need a fixed length); a functional model replays its graph, skipping calls
    that need an input other than the one given the text."""
    holds_rnn = [any(isinstance(m, RNN) for m in layer.modules()) for layer in model.layers]
    if not hasattr(model, "_nodes") or hasattr(model, "add"):  # Sequential
        last = max(i for i, yes in enumerate(holds_rnn) if yes)
        x = ids
        for layer in model.layers[:last + 1]:
            x = layer(x, training=False)
        return
    names = model.input_names
    if input_name is None:
        input_name = names[0]
    if input_name not in names:
        raise ValueError(f"the model has no input {input_name!r}; its inputs are {names}")
    given = model._inputs[names.index(input_name)]
    values = {id(given): ids}
    rnn_nodes = [i for i, node in enumerate(model._nodes)
                 if any(isinstance(m, RNN) for m in node.layer.modules())]
    for node in model._nodes[:max(rnn_nodes) + 1]:
        if any(id(t) not in values for t in node.inputs):
            continue  # needs another input (or a skipped call's output)
        outputs = node.replay(values, False)
        flat = [outputs] if isinstance(outputs, torch.Tensor) else list(outputs)
        for symbol, value in zip(node.outputs, flat):
            values[id(symbol)] = value


# -------------------------------------------------------------------- the cell math

def trace_cell(cell, inputs, states, mask=None, go_backwards=False,
               zero_output_for_mask=False) -> dict:
    """Run `cell` over ``inputs (T, in)`` for one sequence, keeping the gates.

    Each step is the cell's own ``gates(project(x_t), states)``, the equations written
    once in ``layers/cells.py`` (see the cells' docstrings), which returns every gate
    block after its activation as well as the new states.

    A masked step keeps the states, repeats the output (or outputs zeros with
    `zero_output_for_mask`) and has NaN gates. Returns
    ``{"gates": {gate: (T, u) array}, "h": (T, u) array, "c" (LSTM), "outputs": the
    outputs as a tensor in processing order}``; the arrays are in the text's order
    (reversed back when `go_backwards`).
    """
    gates_of = _gate_names(cell)
    steps = inputs.shape[0]
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    u = cell.units
    states = list(states)
    record = {g: [] for g in gates_of}
    hidden, cells, outputs = [], [], []
    previous = torch.zeros_like(states[0])
    for t in order:
        real = mask is None or bool(mask[t])
        values, new_states = cell.gates(cell.project(inputs[t]), states)
        if real:
            states = new_states
            previous = states[0]
        else:
            values = {g: torch.full_like(v, float("nan")) for g, v in values.items()}
        for g in gates_of:
            record[g].append(values[g])
        hidden.append(states[0])
        cells.append(states[1] if len(states) > 1 else None)
        outputs.append(previous if real or not zero_output_for_mask
                       else torch.zeros_like(previous))

    def as_array(rows):
        array = torch.stack(rows).detach().cpu().numpy() if rows else np.zeros((0, u))
        return array[::-1].copy() if go_backwards else array

    result = {"gates": {g: as_array(rows) for g, rows in record.items()}, "h": as_array(hidden),
              "outputs": torch.stack(outputs) if outputs else inputs.new_zeros((0, u))}
    if isinstance(cell, LSTMCell):
        result["c"] = as_array(cells)
    return result
