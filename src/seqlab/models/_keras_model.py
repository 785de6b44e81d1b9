"""A Keras model config (Sequential or functional, Keras 1.2 to 3.x) as a seqlab model.

``model_from_keras(config, major, limit)`` translates every layer first
(``_keras_config.layer_from_keras``: unknown classes and keys are refused there), checks
the parameter count the config declares against `limit`, and only then builds: a
``Sequential`` is built for its declared input shape, a functional graph is replayed by
calling the layers on ``Input`` placeholders in the order of Keras's inbound nodes.

Functional configs come in two forms: Keras 1/2 nodes are lists of
``[layer, node_index, tensor_index, kwargs]`` (several inbound tensors for a recurrent
layer are its input then its initial states); Keras 3 nodes are ``{"args", "kwargs"}``
with ``{"class_name": "__keras_tensor__", "config": {"keras_history": [...]}}`` tensors.
Keras 3 records the mask of ``Embedding(mask_zero=True)`` or ``Masking`` as ops
(``NotEqual``, ``Any``) passed as ``mask=``; seqlab's layers pass that mask along
themselves, so those ops are dropped (an op used any other way is refused).
"""
from __future__ import annotations

import torch

from ..layers import Bidirectional, Input
from ..layers.recurrent import RNN
from ._keras_config import layer_from_keras
from ._keras_values import KerasConfigError, input_shape_of

class _MaskOp:
    """The output of a Keras 3 op (``keras.src.ops``: ``NotEqual``, ``Any``...), recorded
    where a layer computed a mask: only usable as a ``mask=``, which seqlab's layers pass
    along themselves."""

    def __init__(self, name):
        self.name = name


def model_from_keras(config, major, limit=2 ** 28):
    """``(model, entries)``: the seqlab model and ``{layer name: Keras layer entry}``."""
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise KerasConfigError("the model config must be a {'class_name': ..., 'config': ...} "
                               f"JSON object, got {str(config)[:200]}")
    try:
        return _model_from_keras(config, major, limit)
    except RecursionError:
        raise KerasConfigError("the model config is nested too deeply") from None


def _model_from_keras(config, major, limit):
    kind, body = config["class_name"], config.get("config")
    if kind == "Sequential":
        return _sequential(body, config.get("build_config"), major, limit)
    if kind in ("Functional", "Model"):
        return _functional(body, major, limit)
    raise KerasConfigError(f"model class {kind!r} is not supported (Sequential and functional "
                           "models are; a subclassed Model holds Python code)")


def _translate(entries, major, limit):
    sizes, layers = [], {}
    for entry in entries:
        kind = entry.get("class_name") if isinstance(entry, dict) else None
        if kind in ("Sequential", "Functional", "Model"):
            name = (entry.get("config") or {}).get("name", "?")
            raise KerasConfigError(f"layer {name!r} is a nested {kind} model, which is not "
                                   "supported yet: flatten it into one model")
        layer = layer_from_keras(entry, major, sizes)
        if layer.name in layers:
            raise KerasConfigError(f"two layers are named {layer.name!r}")
        layers[layer.name] = layer
    declared = sum(count for _, count in sizes)
    if declared > limit:
        biggest = max(sizes, key=lambda pair: pair[1])
        raise KerasConfigError(f"the config declares at least {declared:,} weights (layer "
                               f"{biggest[0]!r}: {biggest[1]:,}), more than the {limit:,} the "
                               "file can hold: it is corrupted or hostile")
    return layers


def _sequential(body, build_config, major, limit):
    from ._model import Sequential

    if isinstance(body, list):  # Keras 1 and 2 up to 2.2.4
        name, entries = "sequential", body
    elif isinstance(body, dict) and isinstance(body.get("layers"), list):
        name, entries = body.get("name", "sequential"), body["layers"]
    else:
        raise KerasConfigError(f"a Sequential config needs a list of layers, got {str(body)[:200]}")
    shape, dtype = None, None
    if entries and isinstance(entries[0], dict) and entries[0].get("class_name") == "InputLayer":
        first = entries[0].get("config") or {}
        shape, dtype = input_shape_of(first), first.get("dtype")
        entries = entries[1:]
    if not entries:
        raise KerasConfigError("the Sequential config has no layers")
    layers = _translate(entries, major, limit)
    if shape is None:
        first = entries[0]
        shape = input_shape_of(first.get("config") or {}, first.get("class_name"))
    if shape is None and isinstance(build_config, dict) and build_config.get("input_shape"):
        shape = tuple(build_config["input_shape"])
    model = Sequential(list(layers.values()), name=str(name))
    if shape is None:
        if type(model.layers[0]).__name__ != "Embedding":
            raise KerasConfigError("the Sequential config declares no input shape (no InputLayer, "
                                   "batch_input_shape or build_config), so its weights' shapes "
                                   "are unknown")
        shape = (None, None)
    model.build(_shape(shape, "the model input"))
    if _dtype(dtype) == torch.float64:
        model._input_symbol.dtype = torch.float64
    return model, {layer_name: entry for layer_name, entry in zip(layers, entries)}


def _functional(body, major, limit):
    from ._model import Model

    if not isinstance(body, dict) or not isinstance(body.get("layers"), list):
        raise KerasConfigError(f"a functional config needs 'layers', got {str(body)[:200]}")
    inputs, ops, entries = {}, {}, {}
    for entry in body["layers"]:
        if not isinstance(entry, dict):
            raise KerasConfigError(f"a layer entry must be an object, got {str(entry)[:200]}")
        kind, config = entry.get("class_name"), entry.get("config") or {}
        name = entry.get("name", config.get("name"))
        if kind == "InputLayer":
            shape = input_shape_of(config)
            if shape is None:
                raise KerasConfigError(f"input {name!r} declares no shape")
            inputs[name] = Input(batch_shape=_shape(shape, f"input {name!r}"),
                                 dtype=_dtype(config.get("dtype", config.get("input_dtype"))),
                                 name=str(name))
        elif str(entry.get("module", "")).startswith("keras.src.ops"):
            ops[name] = entry  # NotEqual, Any...: how Keras 3 records a mask
        else:
            entries[name] = entry
    layers = _translate(list(entries.values()), major, limit)
    outputs = {name: [[tensor]] for name, tensor in inputs.items()}  # layer -> nodes -> tensors
    for name in ops:
        outputs[name] = [[_MaskOp(name)] for _ in _nodes(ops[name])]
    queue = [(name, index, node) for name, entry in entries.items()
             for index, node in enumerate(_nodes(entry))]
    while queue:
        waiting = []
        for name, index, node in queue:
            done = len(outputs.get(name, []))
            call = None if done != index else _resolve_call(node, outputs, layers[name], major)
            if call is None:
                waiting.append((name, index, node))
                continue
            result = layers[name](*call[0], **call[1])
            flat = list(result) if isinstance(result, (list, tuple)) else [result]
            outputs.setdefault(name, []).append(flat)
        if len(waiting) == len(queue):
            names = sorted({name for name, _, _ in waiting})
            raise KerasConfigError(f"the graph cannot be built: layers {names} read tensors no "
                                   "layer produces (disconnected or cyclic config)")
        queue = waiting
    model_inputs = _endpoints(body.get("input_layers"), outputs, "input_layers")
    model_outputs = _endpoints(body.get("output_layers"), outputs, "output_layers")
    model = Model(model_inputs, model_outputs, name=str(body.get("name", "model")))
    return model, entries


def _nodes(entry):
    nodes = entry.get("inbound_nodes") or []
    if not isinstance(nodes, list):
        raise KerasConfigError(f"layer {entry.get('name')!r}: inbound_nodes must be a list")
    return nodes


def _resolve_call(node, outputs, layer, major):
    """``(args, kwargs)`` of one layer call, or None while an input is not made yet."""
    try:
        if isinstance(node, dict):  # Keras 3
            args = [_tensors(a, outputs) for a in node.get("args", [])]
            kwargs = {k: _tensors(v, outputs) for k, v in (node.get("kwargs") or {}).items()}
        else:  # Keras 1 / 2: [[layer, node, tensor, kwargs], ...]
            refs = [item for item in node if isinstance(item, list)]
            if len(refs) != len(node) or not refs:
                raise KerasConfigError(f"layer {layer.name!r}: inbound node {node!r} is not a "
                                       "list of [layer, node, tensor, kwargs]")
            tensors = [_tensor(ref[0], ref[1], ref[2], outputs) for ref in refs]
            kwargs = refs[-1][3] if len(refs[-1]) > 3 and isinstance(refs[-1][3], dict) else {}
            kwargs = {k: _legacy_tensors(v, outputs) for k, v in kwargs.items()}
            if len(tensors) == 1:
                args = [tensors[0]]
            elif isinstance(layer, (RNN, Bidirectional)):  # [inputs, *initial_state]
                args, kwargs = [tensors[0]], {**kwargs, "initial_state": tensors[1:]}
            else:
                args = [tensors]
    except _NotYet:
        return None
    kwargs.pop("training", None)
    mask = kwargs.pop("mask", None)
    if mask is not None and not all(isinstance(m, _MaskOp) for m in _flat(mask)):
        raise KerasConfigError(f"layer {layer.name!r} is given an explicit mask= from another "
                               "layer, which is not supported (masks from Embedding(mask_zero="
                               "True) are)")
    for value in _flat([args, kwargs]):
        if isinstance(value, _MaskOp):
            raise KerasConfigError(f"layer {layer.name!r} reads the output of the op "
                                   f"{value.name!r}; Keras ops other than masks are not supported")
    return args, kwargs


class _NotYet(Exception):
    pass


def _tensor(name, node_index, tensor_index, outputs):
    if not isinstance(name, str) or not isinstance(node_index, int) or \
            not isinstance(tensor_index, int):
        raise KerasConfigError(f"bad tensor reference [{name!r}, {node_index!r}, "
                               f"{tensor_index!r}]")
    nodes = outputs.get(name)
    if nodes is None or node_index >= len(nodes):
        raise _NotYet
    if not 0 <= tensor_index < len(nodes[node_index]):
        raise KerasConfigError(f"layer {name!r} has no output {tensor_index}")
    return nodes[node_index][tensor_index]


def _tensors(value, outputs):
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        history = (value.get("config") or {}).get("keras_history")
        if not isinstance(history, list) or len(history) != 3:
            raise KerasConfigError(f"bad keras tensor {str(value)[:200]}")
        return _tensor(*history, outputs)
    if isinstance(value, list):
        return [_tensors(v, outputs) for v in value]
    if isinstance(value, dict):
        return {k: _tensors(v, outputs) for k, v in value.items()}
    return value


def _legacy_tensors(value, outputs):
    if isinstance(value, list) and len(value) in (3, 4) and isinstance(value[0], str) and \
            all(isinstance(v, int) for v in value[1:3]):
        return _tensor(value[0], value[1], value[2], outputs)
    if isinstance(value, list):
        return [_legacy_tensors(v, outputs) for v in value]
    return value


def _endpoints(spec, outputs, key):
    if not isinstance(spec, list) or not spec:
        raise KerasConfigError(f"the functional config has no {key}")
    if len(spec) == 3 and isinstance(spec[0], str):
        spec = [spec]
    try:
        tensors = [_tensor(*ref[:3], outputs) for ref in spec]
    except (_NotYet, TypeError):
        raise KerasConfigError(f"{key} names tensors the graph does not make: {spec}") from None
    return tensors[0] if len(tensors) == 1 else tensors


def _flat(value):
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _flat(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _flat(item)
    else:
        yield value


def _shape(shape, where):
    def bad(d):
        return d is not None and (isinstance(d, bool) or not isinstance(d, int)
                                  or not 0 < d <= 2 ** 24)

    if not isinstance(shape, (list, tuple)) or len(shape) < 1 or any(bad(d) for d in shape):
        raise KerasConfigError(f"{where} has the shape {shape!r}: sizes must be None or whole "
                               "numbers up to 2**24")
    return tuple(shape)


def _dtype(name):
    if isinstance(name, dict):
        name = (name.get("config") or {}).get("name")
    if name in ("int32", "int64", "int16", "int8", "uint8"):
        return torch.int64
    if name == "float64":
        return torch.float64
    return torch.float32 if name else None
