"""Symbolic tensors: calling layers on ``Input(...)`` placeholders records a graph.

``Input(shape)`` returns a ``SymbolicTensor`` (shape with ``None`` for the batch and
any unknown size, a dtype). Calling a layer on symbolic tensors (anywhere in its
arguments, e.g. ``initial_state=[h, c]``) does not compute anything: it records a
``Node`` (the layer and its arguments) and returns symbolic outputs with the shapes
the layer produces. A functional ``Model(inputs, outputs)`` replays the nodes on
real tensors.

Output shapes are found by running the layer on small zero tensors, twice, with
different sizes for each unknown dimension (batch 2 and 3, other axes 127 and 131 steps,
so that a stack of convolutions and poolings still has steps left): a dimension that
follows the input is unknown in the output too. (Zeros are a valid index for an
Embedding, and a stateful layer is reset afterwards.)
"""
from __future__ import annotations

import torch

from ._base import Layer, unique_name

_PROBE_SIZES = (2, 3)  # stand-ins for an unknown dimension (batch included)


class SymbolicTensor:
    """A placeholder for the value a functional model computes at this point."""

    def __init__(self, shape, dtype, node=None, index=0, name=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.node = node  # the Node that produces it; None for an Input
        self.index = index  # which output of the node
        self.name = name

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

    def call(self, inputs):
        return inputs


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None):  # noqa: N802
    """A symbolic input of the given shape (without the batch axis), as ``keras.Input``.

    ``dtype`` defaults to float32; integer indices for an Embedding may stay float (the
    Embedding accepts whole-number floats) or be declared ``dtype='int64'``.
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
    probes = []
    stateful = getattr(layer, "stateful", False)
    for size in _PROBE_SIZES:
        concrete = _substitute((args, kwargs), _ProbeValues(size))
        if stateful:
            layer.reset_states()  # each probe has its own batch size
        with torch.no_grad():
            probes.append(layer(*concrete[0], **concrete[1], training=False))
    if stateful:
        layer.reset_states()  # the probes must not leave states behind
    first, second = probes
    flat_first, flat_second = _flat_outputs(first), _flat_outputs(second)
    node = Node(layer, args, kwargs, len(flat_first))
    for index, (a, b) in enumerate(zip(flat_first, flat_second)):
        shape = [None if i == 0 or da != db else da
                 for i, (da, db) in enumerate(zip(a.shape, b.shape))]
        node.outputs[index] = SymbolicTensor(shape, a.dtype, node, index, name=layer.name)
    if isinstance(first, torch.Tensor):
        return node.outputs[0]
    return type(first)(node.outputs) if isinstance(first, (tuple, list)) else node.outputs


# An unknown length (any axis but the batch) is probed with these many steps instead,
# enough for a Conv1D / pooling stack to have steps left.
_PROBE_LENGTHS = {2: 127, 3: 131}


class _ProbeValues:
    """Zero tensors standing in for symbolic tensors, unknown dimensions of a given size."""

    def __init__(self, size):
        self.size = size

    def get(self, key, symbolic):
        shape = [(self.size if i == 0 else _PROBE_LENGTHS[self.size]) if d is None else d
                 for i, d in enumerate(symbolic.shape)]
        dtype = symbolic.dtype if symbolic.dtype is not None else torch.get_default_dtype()
        return torch.zeros(shape, dtype=dtype)


def _substitute(structure, values):
    """`structure` with every symbolic tensor replaced by its value."""
    if isinstance(structure, SymbolicTensor):
        if isinstance(values, _ProbeValues):
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
    name = str(dtype).replace("torch.", "")
    if name in ("int32", "int64", "int16", "int8", "uint8", "bool", "float16", "float32",
                "float64", "bfloat16"):
        return getattr(torch, name)
    raise ValueError(f"Unknown dtype {dtype!r}; use e.g. 'float32' or 'int64'")
