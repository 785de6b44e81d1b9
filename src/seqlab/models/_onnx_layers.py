"""ONNX nodes for seqlab's feed-forward layers: Embedding, Dense, Activation, Dropout,
Flatten, RepeatVector, Conv1D, the poolings and the merge layers, and the activations.

Each ``emit_<layer>(graph, layer, x)`` takes the input ``Value`` (a list of them for
a merge) and returns the output ``Value``, whose mask follows the layer's
``compute_mask`` (see ``layers/``). Inputs are channels last, ``(batch, time, C)``, as
in seqlab; Conv1D and the windowed poolings transpose to ONNX's ``(batch, C, time)``
and back.
"""
from __future__ import annotations

import math

import numpy as np
from onnx import TensorProto

from ..layers import activations
from ._onnx_graph import ExportError, Graph, Value

_SQRT_HALF = math.sqrt(0.5)


# ------------------------------------------------------------------ activations

def _hard_sigmoid(alpha):
    return lambda g, x: g.op("HardSigmoid", [x], alpha=alpha, beta=0.5)


def _gelu(g, x):  # torch's exact gelu: x/2 (1 + erf(x / sqrt 2))
    erf = g.op("Erf", [g.op("Mul", [x, g.scalar(_SQRT_HALF)])])
    return g.op("Mul", [g.op("Mul", [x, g.scalar(0.5)]), g.op("Add", [erf, g.scalar(1.0)])])


_ACTIVATIONS = {
    "linear": lambda g, x: x,
    "relu": lambda g, x: g.op("Relu", [x]),
    "relu6": lambda g, x: g.op("Clip", [x, g.scalar(0.0), g.scalar(6.0)]),
    "sigmoid": lambda g, x: g.op("Sigmoid", [x]),
    "tanh": lambda g, x: g.op("Tanh", [x]),
    "softmax": lambda g, x: g.op("Softmax", [x], axis=-1),
    "log_softmax": lambda g, x: g.op("LogSoftmax", [x], axis=-1),
    "elu": lambda g, x: g.op("Elu", [x], alpha=1.0),
    "selu": lambda g, x: g.op("Selu", [x]),  # ONNX's default alpha, gamma are SELU's
    "gelu": _gelu,
    "softplus": lambda g, x: g.op("Softplus", [x]),
    "softsign": lambda g, x: g.op("Softsign", [x]),
    "swish": lambda g, x: g.op("Mul", [x, g.op("Sigmoid", [x])]),
    "silu": lambda g, x: g.op("Mul", [x, g.op("Sigmoid", [x])]),
    "mish": lambda g, x: g.op("Mul", [x, g.op("Tanh", [g.op("Softplus", [x])])]),
    "exponential": lambda g, x: g.op("Exp", [x]),
    "hard_sigmoid": _hard_sigmoid(1.0 / 6.0),  # Keras 3: relu6(x + 3) / 6
    "hard_sigmoid_keras2": _hard_sigmoid(0.2),  # Keras 2: 0.2 x + 0.5, clipped
    "hard_silu": lambda g, x: g.op("HardSwish", [x]),
    "hard_swish": lambda g, x: g.op("HardSwish", [x]),
    "leaky_relu": lambda g, x: g.op("LeakyRelu", [x], alpha=0.2),
}


def activation(g: Graph, function, x: str, layer, argument="activation") -> str:
    """The nodes of a Keras activation (by function identity, see ``activations.name_of``)."""
    name = activations.name_of(function)
    if name not in _ACTIVATIONS:
        shown = getattr(function, "__name__", repr(function))
        raise ExportError(f"{_who(layer)}: {argument}={shown} is a custom function, which cannot "
                          f"be exported to ONNX; use one of the Keras activations "
                          f"({', '.join(sorted(_ACTIVATIONS))})")
    return _ACTIVATIONS[name](g, x)


def _who(layer) -> str:
    return f"layer {layer.name!r} ({type(layer).__name__})"


def weight(layer, name) -> np.ndarray:
    return getattr(layer, name).detach().cpu().numpy()


# ----------------------------------------------------------------------- core

def emit_embedding(g: Graph, layer, x: Value) -> Value:
    ids = x.name if x.dtype == TensorProto.INT64 else g.op("Cast", [x.name], to=TensorProto.INT64)
    # ONNX's Gather wraps negative indices around (ids[-1] is the last row); seqlab refuses
    # them, so they are sent past the end, where onnxruntime stops with "out of bounds".
    negative = g.op("Less", [ids, g.scalar(0, np.int64)])
    ids = g.op("Where", [negative, g.scalar(layer.input_dim, np.int64), ids])
    output = g.op("Gather", [g.const(weight(layer, "embeddings"), "embeddings"), ids], axis=0)
    mask = g.op("Not", [g.op("Equal", [ids, g.scalar(0, np.int64)])]) if layer.mask_zero else None
    return Value(output, mask)


def emit_dense(g: Graph, layer, x: Value) -> Value:
    y = g.op("MatMul", [x.name, g.const(weight(layer, "kernel"), "kernel")])
    if layer.use_bias:
        y = g.op("Add", [y, g.const(weight(layer, "bias"), "bias")])
    return Value(activation(g, layer.activation, y, layer), x.mask)


def emit_activation(g: Graph, layer, x: Value) -> Value:
    return Value(activation(g, layer.activation, x.name, layer), x.mask)


def emit_dropout(g: Graph, layer, x: Value) -> Value:
    return x  # identity at inference


def emit_flatten(g: Graph, layer, x: Value) -> Value:
    return Value(g.op("Flatten", [x.name], axis=1))


def emit_repeat_vector(g: Graph, layer, x: Value) -> Value:
    return Value(g.op("Expand", [g.unsqueeze(x.name, [1]), g.ints([1, layer.n, 1])]))


def emit_time_distributed(g: Graph, layer, x: Value, emit_inner) -> Value:
    """``(B, T, ...)`` folded to ``(B*T, ...)``, the inner layer, unfolded; the mask passes."""
    shape = g.op("Shape", [x.name])
    folded = g.op("Reshape", [x.name, g.op("Concat", [g.ints([-1]), g.op(
        "Slice", [shape, g.ints([2]), g.ints([np.iinfo(np.int64).max])])], axis=0)])
    inner = emit_inner(layer.layer, Value(folded, None, x.dtype))
    inner_shape = g.op("Shape", [inner.name])
    unfolded_shape = g.op("Concat", [
        g.op("Slice", [shape, g.ints([0]), g.ints([2])]),
        g.op("Slice", [inner_shape, g.ints([1]), g.ints([np.iinfo(np.int64).max])])], axis=0)
    return Value(g.op("Reshape", [inner.name, unfolded_shape]), x.mask)


# ------------------------------------------------------------------ convolution

def _channels_first(g, x):
    return g.op("Transpose", [x], perm=[0, 2, 1])


def emit_conv1d(g: Graph, layer, x: Value) -> Value:
    """Keras ``kernel (k, in/groups, filters)`` is ONNX's ``W (filters, in/groups, k)``;
    the padding as TensorFlow computes it (see ``layers/conv.py``)."""
    k, stride, dilation = layer.kernel_size, layer.strides, layer.dilation_rate
    reach = dilation * (k - 1)
    attributes = dict(kernel_shape=[k], strides=[stride], dilations=[dilation], group=layer.groups)
    if layer.padding == "causal":
        attributes["pads"] = [reach, 0]
    elif layer.padding == "same" and stride == 1:
        attributes["pads"] = [reach // 2, reach - reach // 2]
    elif layer.padding == "same":  # depends on the length: the extra step goes at the end
        attributes["auto_pad"] = "SAME_UPPER"
    else:
        attributes["pads"] = [0, 0]
    inputs = [_channels_first(g, x.name),
              g.const(np.ascontiguousarray(weight(layer, "kernel").transpose(2, 1, 0)), "kernel")]
    if layer.use_bias:
        inputs.append(g.const(weight(layer, "bias"), "bias"))
    y = _channels_first(g, g.op("Conv", inputs, **attributes))
    keeps_length = layer.padding in ("same", "causal") and stride == 1
    return Value(activation(g, layer.activation, y, layer), x.mask if keeps_length else None)


def _pool(g, op_type, layer, x, **extra):
    padding = {"auto_pad": "SAME_UPPER"} if layer.padding == "same" else {"pads": [0, 0]}
    y = g.op(op_type, [_channels_first(g, x.name)], kernel_shape=[layer.pool_size],
             strides=[layer.strides], **padding, **extra)
    return Value(_channels_first(g, y))


def emit_max_pooling1d(g: Graph, layer, x: Value) -> Value:
    return _pool(g, "MaxPool", layer, x)


def emit_average_pooling1d(g: Graph, layer, x: Value) -> Value:
    return _pool(g, "AveragePool", layer, x, count_include_pad=0)  # padded steps not counted


def _steps(layer):
    """The time axis a global pooling reduces, and where its (B, T) mask gets an axis:
    (B, T, C) channels last, (B, C, T) with data_format='channels_first'."""
    channels_last = getattr(layer, "data_format", "channels_last") == "channels_last"
    return (1, [2]) if channels_last else (2, [1])


def emit_global_average_pooling1d(g: Graph, layer, x: Value) -> Value:
    axis, mask_axis = _steps(layer)
    if x.mask is None:
        return Value(g.reduce("ReduceMean", x.name, [axis], layer.keepdims))
    weights = g.op("Cast", [g.unsqueeze(x.mask, mask_axis)], to=TensorProto.FLOAT)
    total = g.reduce("ReduceSum", g.op("Mul", [x.name, weights]), [axis], layer.keepdims)
    count = g.op("Max", [g.reduce("ReduceSum", weights, [axis], layer.keepdims),
                         g.scalar(1.0)])
    return Value(g.op("Div", [total, count]))  # a row with no real step: 0


def emit_global_max_pooling1d(g: Graph, layer, x: Value) -> Value:
    axis, mask_axis = _steps(layer)
    if x.mask is None:
        return Value(g.reduce("ReduceMax", x.name, [axis], layer.keepdims))
    real = g.unsqueeze(x.mask, mask_axis)
    peak = g.reduce("ReduceMax", g.op("Where", [real, x.name, g.scalar(-np.inf)]), [axis],
                    layer.keepdims)
    has_real = g.op("Greater", [g.reduce("ReduceMax", g.op("Cast", [real], to=TensorProto.FLOAT),
                                         [axis], layer.keepdims), g.scalar(0.0)])
    return Value(g.op("Where", [has_real, peak, g.scalar(0.0)]))


# ----------------------------------------------------------------------- merging

def _merged_mask(g, xs):
    masks = [x.mask for x in xs if x.mask is not None]
    mask = masks[0] if masks else None
    for other in masks[1:]:
        mask = g.op("And", [mask, other])
    return mask


def _chain(g, op_type, xs):
    y = xs[0].name
    for x in xs[1:]:
        y = g.op(op_type, [y, x.name])
    return y


def emit_merge(g: Graph, layer, xs) -> Value:
    kind = type(layer).__name__
    if not isinstance(xs, (list, tuple)) or len(xs) < 2:
        raise ExportError(f"{_who(layer)} takes a list of at least 2 tensors")
    if kind == "Concatenate":
        y = g.op("Concat", [x.name for x in xs], axis=layer.axis)
    elif kind == "Subtract":
        y = g.op("Sub", [xs[0].name, xs[1].name])
    elif kind == "Average":
        y = g.op("Div", [_chain(g, "Add", xs), g.scalar(float(len(xs)))])
    else:
        y = _chain(g, {"Add": "Add", "Multiply": "Mul", "Maximum": "Max"}[kind], xs)
    return Value(y, _merged_mask(g, xs))
