"""Symbolic tensors: calling layers on ``Input(...)`` placeholders records a graph.

``Input(shape)`` returns a ``SymbolicTensor`` (shape with ``None`` for the batch and
any unknown size, a dtype). Calling a layer on symbolic tensors (anywhere in its
arguments, e.g. ``initial_state=[h, c]``) does not compute anything: it builds the
layer for the input shape, records a ``Node`` (the layer and its arguments) and returns
symbolic outputs with the shapes the layer states. A functional ``Model(inputs,
outputs)`` replays the nodes on real tensors.

Output shapes come from rules, as in Keras: every seqlab layer has
``compute_output_shape(input_shape)`` (``None`` allowed in any dimension but the
features), so a ``Conv1D(32, 5)`` over ``Input((None, 14))`` has output ``(None, None,
32)`` without running anything. Only what has no rule is traced, as Keras's torch
backend traces it (``compute_output_spec``): a ``Lambda`` without ``output_shape`` and
a layer of your own without ``compute_output_shape`` run on shape-only ``meta``
tensors (zeros on the CPU if that fails), with two sizes for each unknown dimension;
a dimension that follows the input is unknown in the output too. A stand-in carries an
all-True mask when its symbolic tensor has one (it comes from ``mask_zero=True``,
``Masking``, a layer passing its input's mask on, or a traced layer seen attaching one),
so a traced ``call(inputs, mask=None)`` gets ``mask=`` as Keras gives it.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from . import _weights
from ._base import Layer, unique_name


class SymbolicTensor:
    """A placeholder for the value a functional model computes at this point."""

    def __init__(self, shape, dtype, node=None, index=0, name=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.node = node  # the Node that produces it; None for an Input
        self.index = index  # which output of the node
        self.name = name
        self.has_mask = False  # a traced layer's output that carried a mask (see traced_spec)

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        shape = ", ".join("None" if d is None else str(d) for d in self.shape)
        return f"<SymbolicTensor shape=({shape}), dtype={str(self.dtype).replace('torch.', '')}>"

    def __bool__(self):
        raise TypeError("A symbolic tensor (from Input) has no value: use it to build a Model, "
                        "then call the model on data")


class InputLayer(Layer):
    """The layer behind ``Input``: it holds the input's shape and passes data through."""

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, **kwargs):
        super().__init__(name=name or unique_name("input_layer"), **kwargs)
        self.input_shape = (batch_size,) + tuple(shape or ())
        self.input_dtype = _dtype(dtype)
        self.output = SymbolicTensor(self.input_shape, self.input_dtype,
                                     node=Node(self, (), {}, 1), name=self.name)
        self.output.node.outputs = [self.output]
        self.built = True  # no weights; else a Model with it never counts as built

    _keeps_dtype = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None):  # noqa: N802
    """A symbolic input of the given shape (without the batch axis), as ``keras.Input``.

    ``dtype`` defaults to float32; integer indices for an Embedding may stay float (the
    Embedding accepts whole-number floats) or be declared ``dtype='int64'``;
    ``dtype='string'`` declares texts (a model that starts with TextVectorization).
    """
    if batch_shape is not None:
        batch_size, shape = batch_shape[0], batch_shape[1:]
    if shape is None:
        raise ValueError("Input needs a shape (without the batch axis), e.g. Input(shape=(120,)) "
                         "or Input(shape=(None, 8)) for sequences of any length")
    if isinstance(shape, int):
        shape = (shape,)
    return InputLayer(shape, batch_size, dtype, name).output


class Node:
    """One call of a layer in a functional model: its arguments (with symbolic tensors
    among them) and the symbolic tensors it produced."""

    def __init__(self, layer, args, kwargs, count):
        self.layer, self.args, self.kwargs = layer, args, kwargs
        self.outputs = [None] * count

    @property
    def inputs(self) -> list:
        """The symbolic tensors this call reads, in argument order."""
        return [t for t in _leaves((self.args, self.kwargs)) if isinstance(t, SymbolicTensor)]

    def replay(self, values: dict, training):
        """Call the layer on real tensors: `values` maps id(symbolic tensor) -> tensor."""
        args, kwargs = _substitute((self.args, self.kwargs), values)
        kwargs = dict(kwargs)
        if isinstance(self.layer, Layer) and not isinstance(self.layer, InputLayer):
            kwargs["training"] = training
        return self.layer(*args, **kwargs)


def is_symbolic(structure) -> bool:
    return any(isinstance(leaf, SymbolicTensor) for leaf in _leaves(structure))


def symbolic_call(layer, args, kwargs):
    """Record `layer(*args, **kwargs)` on symbolic tensors and return symbolic outputs."""
    inputs = args[0] if args else kwargs.get("inputs")
    if _weights._budget:  # building a model from a file: bound what one sample may cost
        _weights._budget[-1].check_probe(layer, sum(
            _sample_values(t) for t in _leaves((args, kwargs)) if isinstance(t, SymbolicTensor)))
    layer._build_once(shape_of(inputs) if not isinstance(inputs, (list, tuple))
                      else shape_of(inputs[0]))
    rest = {k: v for k, v in kwargs.items() if k not in ("inputs", "training", "mask")}
    spec = layer.compute_output_spec(inputs, *args[1:], **rest)
    flat = [spec] if isinstance(spec, SymbolicTensor) else list(spec)
    node = Node(layer, args, kwargs, len(flat))
    for index, item in enumerate(flat):
        node.outputs[index] = SymbolicTensor(item.shape, item.dtype, node, index, name=layer.name)
        node.outputs[index].has_mask = item.has_mask or (index == 0 and _makes_mask(layer, inputs))
    return node.outputs[0] if isinstance(spec, SymbolicTensor) else list(node.outputs)


def _makes_mask(layer, inputs) -> bool:
    """Whether a layer with a shape rule gives its output a mask: ``mask_zero=True``,
    ``Masking``, or it passes on the mask of its (first) input (traced layers are seen
    doing it)."""
    first = inputs[0] if isinstance(inputs, (list, tuple)) and inputs else inputs
    makes = getattr(layer, "mask_zero", False) or hasattr(layer, "mask_value")
    return bool(makes) or (
        bool(layer.supports_masking) and bool(getattr(first, "has_mask", False)))


def _sample_values(symbolic) -> int:
    """How many numbers one sample of `symbolic` holds (an unknown length counted as 1)."""
    return math.prod(1 if d is None else d for d in symbolic.shape[1:])


def shape_of(inputs):
    """The shape of a symbolic tensor, or the list of shapes of a list of them."""
    if isinstance(inputs, SymbolicTensor):
        return inputs.shape
    if isinstance(inputs, (list, tuple)):
        return [shape_of(item) for item in inputs]
    raise TypeError(f"expected symbolic tensors (from Input), got {type(inputs).__name__}")


def is_shape(value) -> bool:
    """A single shape (a tuple of ints and Nones), as opposed to a list of shapes."""
    return isinstance(value, tuple) and all(d is None or isinstance(d, int) for d in value)


def output_spec(layer, inputs, args, kwargs):
    """``Layer.compute_output_spec``: symbolic outputs from the layer's shape rule, in the
    layer's floating dtype (or the input's dtype for layers that only move values)."""
    if not layer_has_rule(layer):
        return traced_spec(layer, (inputs, *args), kwargs)
    shape = layer.compute_output_shape(shape_of(inputs))
    first = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
    dtype = getattr(layer, "output_dtype", None) or layer.compute_dtype
    if layer._keeps_dtype and not (isinstance(first.dtype, torch.dtype)
                                   and first.dtype.is_floating_point):
        dtype = first.dtype
    if is_shape(shape):
        return SymbolicTensor(shape, dtype)
    return [SymbolicTensor(tuple(s), dtype) for s in shape]


def layer_has_rule(layer) -> bool:
    return type(layer).compute_output_shape is not Layer.compute_output_shape


def output_shape_of(layer, input_shape, dtype=None):
    """What `layer` (a seqlab layer or model) returns for inputs of this shape: a shape,
    or a list of shapes. Builds the layer, as a call would."""
    symbol = SymbolicTensor(input_shape, dtype or torch.get_default_dtype())
    result = layer(symbol) if isinstance(layer, Layer) else traced_spec(layer, (symbol,), {})
    if isinstance(result, SymbolicTensor):
        return result.shape
    return [t.shape for t in result]


_TRACE_SIZES = (83, 89)  # stand-ins for an unknown dimension (batch included), as Keras's torch backend
_SMALL_SIZES = (2, 3)  # tried after those: code bounded by a small length (a positional table)


def traced_spec(function, args, kwargs):
    """Symbolic outputs of `function(*args, **kwargs)` found by running it on stand-in
    tensors (``meta`` tensors, else CPU zeros), twice with different sizes for the
    unknown dimensions: what has no shape rule (see the module docstring). If the
    Keras sizes fail on the CPU (e.g. a position table shorter than 83 steps), small
    sizes are tried before the first error is raised."""
    try:
        return _traced_spec(function, args, kwargs, _TRACE_SIZES)
    except Exception as error:  # noqa: BLE001
        try:
            return _traced_spec(function, args, kwargs, _SMALL_SIZES)
        except Exception:  # noqa: BLE001
            raise error from None


def _traced_spec(function, args, kwargs, sizes):
    runs = []
    stateful = getattr(function, "stateful", False)
    for size in sizes:
        for device in ("meta", "cpu"):
            concrete = _substitute((args, kwargs), _StandIns(size, device))
            try:
                with torch.no_grad():
                    if isinstance(function, Layer):
                        result = function(*concrete[0], **concrete[1], training=False)
                    else:
                        result = function(*concrete[0], **concrete[1])
                break
            except Exception:  # noqa: BLE001 (meta tensors refuse data-dependent code)
                if device == "cpu":
                    raise
            finally:
                if stateful:
                    function.reset_states()  # the stand-ins must not leave states behind
        runs.append(_flat_outputs(result))
    specs = [SymbolicTensor([None if i == 0 or da != db else da
                             for i, (da, db) in enumerate(zip(a.shape, b.shape))], a.dtype)
             for a, b in zip(*runs)]
    for spec, output in zip(specs, runs[-1]):
        # a mask the traced layer attached (its compute_mask): stand-ins for this output
        # carry one too, so a layer traced after it gets `mask=`, as in Keras
        spec.has_mask = getattr(output, "_keras_mask", None) is not None
    return specs[0] if isinstance(result, torch.Tensor) else specs


class _StandIns:
    """Zero tensors standing in for symbolic tensors, unknown dimensions of a given size."""

    def __init__(self, size, device):
        self.size, self.device = size, device

    def get(self, key, symbolic):
        shape = [self.size if d is None else d for d in symbolic.shape]
        if symbolic.dtype == "string":  # Input(dtype="string"): empty texts
            return np.full(shape, "", dtype=object)
        dtype = symbolic.dtype if symbolic.dtype is not None else torch.get_default_dtype()
        stand_in = torch.zeros(shape, dtype=dtype, device=self.device)
        if symbolic.has_mask and len(shape) >= 2:
            stand_in._keras_mask = torch.ones(shape[:2], dtype=torch.bool, device=self.device)
        return stand_in


def _substitute(structure, values):
    """`structure` with every symbolic tensor replaced by its value."""
    if isinstance(structure, SymbolicTensor):
        if isinstance(values, _StandIns):
            return values.get(id(structure), structure)
        return values[id(structure)]
    if isinstance(structure, (list, tuple)):
        return type(structure)(_substitute(item, values) for item in structure)
    if isinstance(structure, dict):
        return {key: _substitute(item, values) for key, item in structure.items()}
    return structure


def _leaves(structure):
    if isinstance(structure, (list, tuple)):
        for item in structure:
            yield from _leaves(item)
    elif isinstance(structure, dict):
        for item in structure.values():
            yield from _leaves(item)
    else:
        yield structure


def _flat_outputs(outputs) -> list:
    if isinstance(outputs, torch.Tensor):
        return [outputs]
    if isinstance(outputs, (tuple, list)) and all(isinstance(o, torch.Tensor) for o in outputs):
        return list(outputs)
    raise TypeError(f"A layer called on symbolic tensors must return tensors, got {outputs!r}")


def _dtype(dtype):
    if dtype is None:
        return torch.get_default_dtype()
    if isinstance(dtype, torch.dtype):
        return dtype
    if str(dtype) in ("string", "str", "<dtype: 'string'>"):
        return "string"  # texts, kept as NumPy object arrays (for TextVectorization)
    name = str(dtype).replace("torch.", "")
    if name in ("int32", "int64", "int16", "int8", "uint8", "bool", "float16", "float32",
                "float64", "bfloat16"):
        return getattr(torch, name)
    raise ValueError(f"Unknown dtype {dtype!r}; use e.g. 'float32' or 'int64'")
