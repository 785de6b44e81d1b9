"""The walk over a seqlab model that writes its ONNX graph.

A Sequential is exported layer after layer; a functional model node after node, in
the order the model replays them (``Model._nodes``), with ``initial_state=`` inputs
and several outputs (``return_state``); a model used as a layer is walked in place.
Each tensor carries its time mask as Keras's does (``Value.mask``), so the layers that
use masks (recurrent layers, Bidirectional, the global poolings) get them.
"""
from __future__ import annotations

import onnx
import torch
from onnx import TensorProto, helper

from .. import layers as L
from ..layers._symbolic import _substitute
from . import _onnx_layers as emit
from ._model import Model, Sequential
from ._onnx_graph import ExportError, Graph, Value, finish
from ._onnx_recurrent import emit_bidirectional, emit_rnn

_EMITTERS = {
    L.Embedding: emit.emit_embedding,
    L.Dense: emit.emit_dense,
    L.Activation: emit.emit_activation,
    L.Dropout: emit.emit_dropout,
    L.Flatten: emit.emit_flatten,
    L.RepeatVector: emit.emit_repeat_vector,
    L.Conv1D: emit.emit_conv1d,
    L.MaxPooling1D: emit.emit_max_pooling1d,
    L.AveragePooling1D: emit.emit_average_pooling1d,
    L.GlobalAveragePooling1D: emit.emit_global_average_pooling1d,
    L.GlobalMaxPooling1D: emit.emit_global_max_pooling1d,
}
_MERGES = (L.Add, L.Average, L.Concatenate, L.Maximum, L.Multiply, L.Subtract)
_RECURRENT = (L.RNN, L.SimpleRNN, L.LSTM, L.GRU)
_EXPORTABLE = sorted(c.__name__ for c in (*_EMITTERS, *_MERGES, *_RECURRENT, L.Bidirectional,
                                          L.TimeDistributed, Sequential, Model))



def build(model, opset: int) -> onnx.ModelProto:
    if not isinstance(model, Model):
        raise TypeError(f"export_onnx takes a seqlab model (Sequential or Model), got "
                        f"{type(model).__name__}; wrap a layer in Sequential([...]) first")
    _check_weights(model)
    graph = Graph(opset)
    specs = _input_specs(model)
    inputs = [Value(graph.reserve(name), None, element) for name, element, _ in specs]
    names = _output_names(model)
    for name in names:
        graph.reserve(name)
    outputs = _emit_model(graph, model, inputs)
    if len(outputs) != len(names):
        names = [names[0]] + [f"{names[0]}_{i}" for i in range(1, len(outputs))]
        for name in names[1:]:
            graph.reserve(name)
    doc = (f"seqlab {type(model).__name__} {model.name!r}: inputs "
           f"{', '.join(n for n, _, _ in specs)}; outputs {', '.join(names)}")
    value_infos = [helper.make_tensor_value_info(name, element, shape)
                   for name, element, shape in specs]
    return finish(graph, value_infos, list(zip(names, (o.name for o in outputs))), model.name,
                  doc)


# ------------------------------------------------------------------- the walk

def _emit_model(g: Graph, model, inputs: list) -> list:
    if isinstance(model, Sequential):
        outputs = inputs[:1]
        for layer in model.layers:
            if len(outputs) != 1:
                raise ExportError(f"{model.name}: a layer before {layer.name!r} returns "
                                  f"{len(outputs)} tensors, which a Sequential cannot pass on")
            outputs = _emit_layer(g, layer, (outputs[0],), {})
        return outputs
    values = {id(symbol): value for symbol, value in zip(model._inputs, inputs)}
    for node in model._nodes:
        args, kwargs = _substitute((node.args, node.kwargs), values)
        outputs = _emit_layer(g, node.layer, args, kwargs)
        if len(outputs) != len(node.outputs):
            raise ExportError(f"internal error: {node.layer.name} gave {len(outputs)} outputs, "
                              f"the model expects {len(node.outputs)}")
        for symbol, value in zip(node.outputs, outputs):
            values[id(symbol)] = value
    return [values[id(symbol)] for symbol in model._outputs]


def _emit_layer(g: Graph, layer, args, kwargs) -> list:
    scope, g.scope = g.scope, layer.name
    try:
        return _dispatch(g, layer, args, kwargs)
    finally:
        g.scope = scope


def _dispatch(g: Graph, layer, args, kwargs) -> list:
    who = f"layer {getattr(layer, 'name', '?')!r} ({type(layer).__name__})"
    kwargs = dict(kwargs)
    kwargs.pop("training", None)  # the export is the inference graph
    initial_state = kwargs.pop("initial_state", None)
    if kwargs or len(args) != 1:
        raise ExportError(f"{who}: called with {len(args)} positional arguments and "
                          f"{sorted(kwargs)}; the ONNX export follows calls with one input (a "
                          "list for merge layers) and initial_state=")
    x, kind = args[0], type(layer)
    if kind in (Model, Sequential):
        return _emit_model(g, layer, list(x) if isinstance(x, (list, tuple)) else [x])
    if kind in _MERGES:
        return [emit.emit_merge(g, layer, list(x))]
    if isinstance(x, (list, tuple)):
        raise ExportError(f"{who} takes one tensor, got a list of {len(x)}")
    if kind is not L.Embedding and x.dtype != TensorProto.FLOAT:
        x = Value(g.op("Cast", [x.name], to=TensorProto.FLOAT), x.mask)
    if initial_state is not None:
        if kind not in _RECURRENT and kind is not L.Bidirectional:
            raise ExportError(f"{who}: initial_state= is for recurrent layers")
        initial_state = list(initial_state) if isinstance(initial_state, (list, tuple)) else [
            initial_state]
    if kind in _RECURRENT:
        return emit_rnn(g, layer, x, initial_state)
    if kind is L.Bidirectional:
        return emit_bidirectional(g, layer, x, initial_state)
    if kind is L.TimeDistributed:
        return [emit.emit_time_distributed(g, layer, x, lambda inner, value: _only(
            _emit_layer(g, inner, (value,), {}), inner))]
    if kind not in _EMITTERS:
        raise ExportError(f"{who} has no ONNX export. Exportable: {', '.join(_EXPORTABLE)}")
    return [_EMITTERS[kind](g, layer, x)]


def _only(outputs, layer):
    if len(outputs) != 1:
        raise ExportError(f"layer {layer.name!r} inside TimeDistributed returns {len(outputs)} "
                          "tensors; it must return one")
    return outputs[0]


# --------------------------------------------------------- inputs and outputs

def _check_weights(model):
    for name, parameter in model.named_parameters():
        if parameter.dtype != torch.float32:
            raise ExportError(f"export_onnx writes float32 graphs, but weight {name!r} is "
                              f"{str(parameter.dtype).replace('torch.', '')}: export "
                              "model.float() (a float32 copy of the weights)")


def _input_specs(model) -> list:
    """``(name, ONNX element type, shape)`` for each input; None axes become named
    dynamic axes."""
    if isinstance(model, Sequential):
        shape = model.input_shape
        if shape is None:
            seen = getattr(model, "_seen_shape", None)
            if seen is None:
                raise ExportError(f"{model.name} was never called, so its input shape and "
                                  "weights do not exist yet: call it on data, fit it, or "
                                  "build(input_shape) first")
            shape = (None, None) + tuple(seen[2:]) if len(seen) > 1 else tuple(seen)
        if model._input_symbol is not None:
            dtype = model._input_symbol.dtype
        else:
            dtype = torch.int64 if isinstance(model.layers[0], L.Embedding) else torch.float32
        return [_spec("input", dtype, shape)]
    return [_spec(symbol.node.layer.name, symbol.dtype, symbol.shape) for symbol in model._inputs]


def _spec(name, dtype, shape):
    # word indices are int64 whatever integer type the model was fed; data float32
    integer = dtype is not None and not dtype.is_floating_point and dtype != torch.bool
    element = TensorProto.INT64 if integer else TensorProto.FLOAT
    dims = ["batch" if i == 0 else (f"{name}_length" if i == 1 else f"{name}_dim{i}")
            if size is None else int(size) for i, size in enumerate(shape)]
    return name, element, dims


def _output_names(model) -> list:
    if isinstance(model, Sequential):
        return ["output"]
    structure = model._output_structure
    names = (list(structure) if isinstance(structure, dict)
             else [symbol.node.layer.name for symbol in model._outputs])
    unique = []
    for name in names:
        candidate, count = name, 1
        while candidate in unique:
            candidate, count = f"{name}_{count}", count + 1
        unique.append(candidate)
    return unique
