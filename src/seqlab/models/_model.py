"""``Model`` (functional: ``Model(inputs, outputs)``) and ``Sequential``: layer graphs.

A functional model is the graph recorded by calling layers on ``Input`` placeholders;
calling the model replays those calls on real tensors, in order. ``Sequential`` is a
stack of layers called one after another. Both are torch modules (their layers are
submodules) and both get the Keras training API (``compile``, ``fit``, ...) from
``Trainer``.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..layers import Embedding, InputLayer, Layer
from ..layers._base import as_tensor, unique_name
from ..layers._symbolic import Input, SymbolicTensor, _leaves, is_shape
from . import _data
from ._trainer import Trainer


class Model(Trainer, Layer):
    """A functional model: ``Model(inputs, outputs)`` from ``Input`` placeholders.

    ``inputs``/``outputs`` are a symbolic tensor, a list of them, or (inputs) a dict
    by name. Call it like a layer on tensors (a list or dict for several inputs).
    """

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        super().__init__(name=name or unique_name("functional"), **kwargs)
        if inputs is None or outputs is None:
            raise ValueError("Model needs inputs= and outputs= (symbolic tensors from Input and "
                             "layer calls); for a stack of layers use Sequential([...])")
        self._input_structure, self._output_structure = inputs, outputs
        self._inputs = _symbolic_list(inputs, "inputs")
        self._outputs = _symbolic_list(outputs, "outputs")
        self._nodes = _nodes_between(self._inputs, self._outputs)
        layers = [t.node.layer for t in self._inputs]
        for node in self._nodes:
            if node.layer not in layers:
                layers.append(node.layer)
        self._graph_layers = nn.ModuleList(layers)
        self.built = True

    @property
    def layers(self) -> list:
        return list(self._graph_layers)

    @property
    def input_names(self) -> list:
        return [t.node.layer.name for t in self._inputs]

    @property
    def output_names(self) -> list:
        return [t.node.layer.name for t in self._outputs]

    def forward(self, inputs, training=None, mask=None):
        training = self.training if training is None else bool(training)
        return self._run_graph(self._match_inputs(inputs), training)

    def compute_output_spec(self, inputs, *args, **kwargs):
        """The outputs for symbolic inputs: the graph's nodes replayed on them (a model
        used as a layer of another model)."""
        given = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        if len(given) != len(self._inputs):
            raise ValueError(f"{self.name} takes {len(self._inputs)} inputs "
                             f"({self.input_names}), got {len(given)}")
        result = self._run_graph(list(given), False)
        return result if isinstance(result, SymbolicTensor) else list(_leaves(result))

    def compute_output_shape(self, input_shape):
        multiple = not is_shape(tuple(input_shape))
        shapes = list(input_shape) if multiple else [input_shape]
        symbols = [SymbolicTensor(shape, s.dtype) for shape, s in zip(shapes, self._inputs)]
        result = self.compute_output_spec(symbols if multiple else symbols[0])
        return result.shape if isinstance(result, SymbolicTensor) else [t.shape for t in result]

    def _run_graph(self, inputs: list, training):
        values = {}
        for symbol, value in zip(self._inputs, inputs):
            values[id(symbol)] = value
        for node in self._nodes:
            outputs = node.replay(values, training)
            single = isinstance(outputs, (torch.Tensor, SymbolicTensor))
            flat = [outputs] if single else list(outputs)
            for symbol, value in zip(node.outputs, flat):
                values[id(symbol)] = value
        return _rebuild(self._output_structure, values)

    def _match_inputs(self, inputs):
        """The given data in the order of ``self._inputs``, as tensors of their dtypes."""
        if isinstance(inputs, dict):
            missing = [n for n in self.input_names if n not in inputs]
            if missing:
                raise ValueError(f"{self.name}: inputs dict lacks {missing}; its keys must be the "
                                 f"Input names {self.input_names}, got {sorted(inputs)}")
            given = [inputs[n] for n in self.input_names]
        elif len(self._inputs) == 1:
            given = [inputs[0] if isinstance(inputs, (list, tuple)) and len(inputs) == 1
                     else inputs]
        else:
            if not isinstance(inputs, (list, tuple)) or len(inputs) != len(self._inputs):
                raise ValueError(f"{self.name} takes {len(self._inputs)} inputs "
                                 f"({self.input_names}): pass a list or a dict by name, got "
                                 f"{type(inputs).__name__}")
            given = list(inputs)
        return [as_input_tensor(v, s.dtype) for v, s in zip(given, self._inputs)]

    def get_layer(self, name=None, index=None):
        """A layer by name or by index in ``layers``, as Keras."""
        return _get_layer(self.layers, name, index)

    def output_shapes(self) -> dict:
        """Output shape (batch None) of each node's layer, for ``summary``."""
        return {node.layer.name: [o.shape for o in node.outputs] for node in self._nodes}


class Sequential(Model):
    """A stack of layers, each fed the previous one's output.

    ``Sequential([Embedding(...), LSTM(32), Dense(1)])`` or ``.add(layer)``; an ``Input``
    first (or ``input_shape=`` on the first layer) fixes the input shape up front.
    """

    def __init__(self, layers=None, name=None, **kwargs):
        Layer.__init__(self, name=name or unique_name("sequential"), **kwargs)
        self._stack = nn.ModuleList()
        self._input_symbol = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self) -> list:
        return list(self._stack)

    def add(self, layer):
        """Append a layer (or, first, an ``Input`` to fix the input shape)."""
        if isinstance(layer, SymbolicTensor):
            if self._stack or self._input_symbol is not None:
                raise ValueError("Sequential: an Input can only come first")
            self._input_symbol = layer
            return
        if not isinstance(layer, nn.Module):
            raise TypeError(f"Sequential.add takes a layer, got {layer!r}")
        self._stack.append(layer)
        self.built = False
        if self._input_symbol is not None:  # the input shape is known: build now, as Keras
            self.output_shapes()

    def compute_output_spec(self, inputs, *args, **kwargs):
        """The output for a symbolic input: each layer's rule in turn."""
        x = inputs
        for layer in self._stack:
            x = layer(x)
        return SymbolicTensor(x.shape, x.dtype) if isinstance(x, SymbolicTensor) else [
            SymbolicTensor(t.shape, t.dtype) for t in x]

    def compute_output_shape(self, input_shape):
        result = self.compute_output_spec(SymbolicTensor(input_shape, _guess_dtype(self)))
        return result.shape if isinstance(result, SymbolicTensor) else [t.shape for t in result]

    def forward(self, inputs, training=None, mask=None):
        training = self.training if training is None else bool(training)
        dtype = self._input_symbol.dtype if self._input_symbol is not None else None
        if dtype is None and len(self._stack) and getattr(self._stack[0], "takes_strings", False):
            dtype = "string"
        x = as_input_tensor(inputs, dtype)
        self._seen_shape = (None,) + tuple(x.shape[1:])  # for save
        self._seen_dtype = x.dtype if isinstance(x, torch.Tensor) else "string"
        if mask is not None:
            x._keras_mask = mask
        for layer in self._stack:
            x = layer(x, training=training) if isinstance(layer, Layer) else layer(x)
        self.built = True
        return x

    @property
    def input_shape(self):
        """The input shape, batch first (None = any), when it is known."""
        if self._input_symbol is not None:
            return self._input_symbol.shape
        first = self._stack[0] if len(self._stack) else None
        shape = getattr(first, "_build_shape", None)
        if shape is None and isinstance(first, Embedding) and first.input_length is not None:
            shape = (None, first.input_length)
        return shape

    def build(self, input_shape=None):
        """Create every layer's weights for inputs of this shape (batch first)."""
        if input_shape is not None:
            self._input_symbol = Input(batch_shape=tuple(input_shape), dtype=_guess_dtype(self))
        self.output_shapes()
        self.built = True

    def output_shapes(self) -> dict:
        shape = self.input_shape or getattr(self, "_seen_shape", None)
        if shape is None and len(self._stack) and isinstance(self._stack[0], Embedding):
            # As Keras 2, an Embedding first takes (batch, any length): its weights and
            # those of recurrent layers after it do not depend on the length.
            return self._shapes_for((None, None), torch.int64, unknown_length=True)
        if shape is None:
            return {}
        dtype = self._input_symbol.dtype if self._input_symbol is not None else getattr(
            self, "_seen_dtype", None) or _guess_dtype(self)
        return self._shapes_for(shape, dtype)

    def _shapes_for(self, shape, dtype, unknown_length=False) -> dict:
        """Each layer's output shapes for inputs of `shape`, building the layers. With
        `unknown_length` (no input shape given), a layer whose weights need a size the
        unknown length leaves open (Dense after Flatten) ends the walk: it and the
        layers after it stay unbuilt until the model sees data."""
        x = Input(batch_shape=tuple(shape), dtype=dtype)
        shapes = {}
        for layer in self._stack:
            try:
                x = layer(x)
            except ValueError:
                if unknown_length:
                    return shapes
                raise
            flat = [x] if isinstance(x, SymbolicTensor) else list(x)
            shapes[layer.name] = [t.shape for t in flat]
        self.built = True  # every layer has been called, so has its weights
        return shapes

    def get_layer(self, name=None, index=None):
        return _get_layer(self.layers, name, index)

    def count_params(self) -> int:
        if not self.built:
            self.output_shapes()  # builds what the known (or Keras 2's default) shape allows
        return super().count_params()


def as_input_tensor(value, dtype=None):
    """Data (array, list, tensor) as a tensor: integers stay integers, floats become
    float32 (or `dtype` when the Input declared one). Strings stay a NumPy object array
    for an input declared ``dtype="string"`` (a model starting with TextVectorization)."""
    if _data.is_text(value):
        if dtype != "string":
            raise TypeError("The data holds strings, but the model's input is not a string "
                            "input: turn texts into indices first (Tokenizer.texts_to_sequences "
                            "and pad_sequences, or TextVectorization), or start the model with "
                            'Input(shape=(1,), dtype="string") and TextVectorization')
        return np.asarray(value, dtype=object)
    if dtype == "string":
        raise TypeError(f"This model's input is declared dtype='string' but got "
                        f"{type(value).__name__} of numbers; pass the texts")
    tensor = as_tensor(value)
    if dtype is not None and dtype.is_floating_point and tensor.is_floating_point():
        return tensor if tensor.dtype == dtype else tensor.to(dtype)
    if tensor.dtype == torch.float64:
        return tensor.float()
    return tensor


def _guess_dtype(model):
    first = model._stack[0] if len(model._stack) else None
    if getattr(first, "takes_strings", False):
        return "string"
    return torch.int64 if isinstance(first, Embedding) else torch.get_default_dtype()


def _symbolic_list(structure, label) -> list:
    flat = list(structure.values()) if isinstance(structure, dict) else list(_leaves(structure))
    for item in flat:
        if not isinstance(item, SymbolicTensor):
            raise TypeError(f"Model {label} must be symbolic tensors (from Input and layer "
                            f"calls), got {type(item).__name__}")
    return flat


def _nodes_between(inputs, outputs) -> list:
    """The layer calls leading from `inputs` to `outputs`, each after those it reads."""
    input_ids = {id(t) for t in inputs}
    order, seen = [], set()

    def visit(tensor, path):
        if id(tensor) in input_ids:
            return
        node = tensor.node
        if node is None or isinstance(node.layer, InputLayer):
            raise ValueError(f"The graph is disconnected: output depends on input "
                             f"{tensor.name!r}, which is not among the model's inputs")
        if id(node) in seen:
            return
        if id(node) in path:
            raise ValueError("The graph has a cycle")
        for source in node.inputs:
            visit(source, path | {id(node)})
        seen.add(id(node))
        order.append(node)

    for tensor in outputs:
        visit(tensor, frozenset())
    return order


def _rebuild(structure, values):
    if isinstance(structure, SymbolicTensor):
        return values[id(structure)]
    if isinstance(structure, dict):
        return {k: _rebuild(v, values) for k, v in structure.items()}
    return type(structure)(_rebuild(v, values) for v in structure)


def _get_layer(layers, name, index):
    if index is not None:
        if not -len(layers) <= index < len(layers):
            raise ValueError(f"get_layer: index {index} is out of range for {len(layers)} layers")
        return layers[index]
    for layer in layers:
        if getattr(layer, "name", None) == name:
            return layer
    names = [getattr(layer, "name", "?") for layer in layers]
    raise ValueError(f"No layer named {name!r}; the layers are {names}")
