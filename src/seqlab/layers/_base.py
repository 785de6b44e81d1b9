"""``Layer``: what every seqlab layer shares, the Keras way on a ``torch.nn.Module``.

* Lazy build: weights are created on the first call, sized from the input
  (``build(input_shape)``), or at construction when ``input_shape=`` /
  ``input_dim=`` / ``batch_input_shape=`` is given, as in Keras. Create the torch
  optimizer after the layer is built (or call ``layer.build(shape)`` first).
* Masks travel with tensors as ``tensor._keras_mask`` (a bool ``(batch, time)``
  tensor), as in Keras; ``layer(x, mask=m)`` overrides. A layer declares what it
  does with a mask through ``supports_masking`` / ``compute_mask``.
* ``training``: ``layer(x, training=True/False)``; left out, the torch module mode
  decides (modules start in training mode; ``.eval()`` for inference, as torch).
* Weights: ``get_weights()``/``set_weights()`` exchange NumPy arrays in Keras's
  order and shapes; ``count_params()``; ``trainable``.
* ``get_config()`` returns the constructor arguments (recorded automatically).
"""
from __future__ import annotations

import functools
import inspect
import re
from collections import defaultdict

import numpy as np
import torch
from torch import nn

from . import initializers
from ._weights import _budget, initial_value

_NAME_COUNTS: defaultdict[str, int] = defaultdict(int)


def unique_name(base: str) -> str:
    """Keras-style automatic names: ``lstm``, ``lstm_1``, ``lstm_2``..."""
    count = _NAME_COUNTS[base]
    _NAME_COUNTS[base] += 1
    return base if count == 0 else f"{base}_{count}"


class Layer(nn.Module):
    """Base class of seqlab layers; subclasses implement ``build`` and ``call``."""

    supports_masking = False  # True: an input mask passes through unchanged
    _keeps_dtype = False  # True: integer inputs give integer outputs (layers that move values)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _recording_init(cls.__init__)
        if "build" in cls.__dict__:
            cls.build = _build_once_only(cls.build)

    def __init__(self, *, name=None, trainable=True, dtype=None, input_shape=None,
                 batch_input_shape=None, input_dim=None, weights=None, **unknown):
        super().__init__()
        if unknown:
            raise TypeError(f"{type(self).__name__} got unexpected keyword arguments: "
                            f"{', '.join(sorted(unknown))}")
        self.name = name or unique_name(_snake(type(self).__name__))
        self.built = False
        self._trainable = bool(trainable)
        self._dtype = _torch_dtype(dtype)
        self._initial_weights = weights
        if batch_input_shape is not None:
            self._build_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            self._build_shape = (None,) + tuple(input_shape)
        elif input_dim is not None:
            self._build_shape = (None, input_dim)
        else:
            self._build_shape = None

    def __getattr__(self, name):
        # torch keeps parameters and sublayers outside __dict__: look there first. A name
        # that is nowhere gets an error that says what Keras code meant by it.
        try:
            return super().__getattr__(name)
        except AttributeError:
            hint = _KERAS_ATTRIBUTES.get(name)
            if hint is None:
                raise
        raise AttributeError(f"{type(self).__name__} {self.__dict__.get('name', '')!r} has no "
                             f"attribute {name!r} (Keras's {name}): {hint}") from None

    # ------------------------------------------------------------- building

    def build(self, input_shape):
        """Create the weights for inputs of this shape (batch first, None = any).

        Runs once: later calls (and calls on a built layer) do nothing."""

    def _build_once(self, input_shape):
        if not self.built:
            self.build(tuple(input_shape))

    def add_weight(self, *args, name=None, shape=None, initializer=None, dtype=None,
                   trainable=True, **options):
        """Create, initialise and register a parameter (Keras's add_weight).

        Both Keras spellings: ``add_weight(name, shape, initializer)`` (name first, as
        Keras 2 and seqlab's layers) and Keras 3's ``add_weight(shape=..., initializer=...,
        name=None)``; the initializer defaults to glorot_uniform, as in Keras. A weight
        without a name takes the attribute it is assigned to (``self.w = add_weight(...)``).
        """
        if args and isinstance(args[0], str):  # name-first positional order
            name, args = args[0], args[1:]
        for key, value in zip(("shape", "initializer", "dtype", "trainable"), args):
            if key == "shape":
                shape = value
            elif key == "initializer":
                initializer = value
            elif key == "dtype":
                dtype = value
            else:
                trainable = value
        for option in ("regularizer", "constraint"):
            if options.pop(option, None) is not None:
                raise NotImplementedError(f"{self.name}: add_weight({option}=...) is not "
                                          "supported by seqlab; add the penalty to the loss or "
                                          "clip the weight in a callback")
        options.pop("autocast", None)
        options.pop("aggregation", None)
        options.pop("synchronization", None)
        options.pop("use_resource", None)
        if options:
            raise TypeError(f"add_weight got unexpected keyword arguments: {sorted(options)}")
        if shape is None:
            raise ValueError(f"{self.name}: add_weight needs a shape, e.g. "
                             "add_weight(shape=(input_dim, units))")
        dtype = _torch_dtype(dtype) if dtype is not None else self.compute_dtype
        shape = tuple(shape)
        if _budget:  # building to load stored weights: no initialisation, and a bound
            _budget[-1].take(self, name, shape)
            value = torch.empty(shape, dtype=dtype)
        else:
            value = initial_value(self, name, initializers.get(initializer or "glorot_uniform"),
                                  shape, dtype)
        if tuple(value.shape) != tuple(shape):
            raise ValueError(f"{self.name}: initializer for {name!r} returned shape "
                             f"{tuple(value.shape)}, expected {tuple(shape)}")
        parameter = nn.Parameter(value, requires_grad=trainable and self._trainable)
        if name is None or name in self._parameters or hasattr(type(self), name) or (
                "." in name):
            auto = f"weight_{len(self._parameters)}"
            while auto in self._parameters:
                auto += "_"
            self.__dict__.setdefault("_unnamed_weights", {})[id(parameter)] = auto
            name = auto
        self.register_parameter(name, parameter)
        if not trainable:  # stays frozen when the layer is made trainable (moving statistics)
            self.__dict__.setdefault("_fixed_weights", set()).add(name)
        return parameter

    def __setattr__(self, name, value):
        unnamed = self.__dict__.get("_unnamed_weights")
        if unnamed and isinstance(value, nn.Parameter) and id(value) in unnamed:
            auto = unnamed.pop(id(value))
            del self._parameters[auto]  # it takes this attribute's name
            fixed = self.__dict__.get("_fixed_weights", set())
            if auto in fixed:
                fixed.discard(auto)
                fixed.add(name)
        super().__setattr__(name, value)

    @property
    def compute_dtype(self) -> torch.dtype:
        """The floating dtype of the weights and outputs: the weights' once built, else the
        ``dtype`` argument, else a wrapped layer's, else torch's default (float32)."""
        for parameter in self.parameters():
            return parameter.dtype
        if self._dtype is not None:
            return self._dtype
        for child in self.children():
            if isinstance(child, Layer):
                return child.compute_dtype
        return torch.get_default_dtype()

    # --------------------------------------------------------------- calling

    def __call__(self, *args, **kwargs):
        if is_symbolic((args, kwargs)):  # building a functional model: record, compute nothing
            return symbolic_call(self, args, kwargs)
        return super().__call__(*args, **kwargs)

    def forward(self, inputs, *args, mask=None, training=None, **kwargs):
        inputs = self._as_tensor(inputs)
        if mask is None:
            mask = _mask_of(inputs)
        self._build_once(_shape_of(inputs))
        training = self.training if training is None else bool(training)
        call_kwargs = dict(kwargs)
        if self._call_takes("mask"):
            call_kwargs["mask"] = mask
        if self._call_takes("training"):
            call_kwargs["training"] = training
        outputs = self.call(inputs, *args, **call_kwargs)
        return _with_mask(outputs, inputs, self.compute_mask(inputs, mask))

    def call(self, inputs, **kwargs):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        """The output shape (batch first, ``None`` = unknown) for inputs of `input_shape`
        (a list of shapes for a layer called on a list); a list of shapes for several
        outputs. Every seqlab layer states its rule; a layer of yours that does not is
        traced instead (see ``seqlab.layers._symbolic``)."""
        raise NotImplementedError(f"{type(self).__name__} has no compute_output_shape")

    def compute_output_spec(self, inputs, *args, **kwargs):
        """Symbolic outputs (shape and dtype) for symbolic `inputs`, from
        ``compute_output_shape``: what calling the layer on an ``Input`` returns."""
        return output_spec(self, inputs, args, kwargs)

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: the input mask when masking is supported, else none."""
        return mask if self.supports_masking else None

    def _as_tensor(self, inputs):
        if isinstance(inputs, (list, tuple)) and inputs and isinstance(inputs[0], torch.Tensor):
            return inputs  # several tensors: the layer handles them
        tensor = as_tensor(inputs)
        if tensor.is_floating_point() and tensor.dtype != self.compute_dtype:
            tensor = tensor.to(self.compute_dtype)  # as Keras casts inputs to the layer's dtype
        return tensor

    @classmethod
    def _call_takes(cls, argument: str) -> bool:
        return argument in _call_arguments(cls)

    # ---------------------------------------------------------------- weights

    @property
    def weights(self) -> list:
        return list(self.parameters())

    @property
    def trainable_weights(self) -> list:
        return [p for p in self.parameters() if p.requires_grad]

    @property
    def non_trainable_weights(self) -> list:
        return [p for p in self.parameters() if not p.requires_grad]

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool):
        self._trainable = bool(value)
        for module in self.modules():
            if isinstance(module, Layer):
                module._trainable = bool(value)
            fixed = module.__dict__.get("_fixed_weights", ())
            for name, parameter in module.named_parameters(recurse=False):
                parameter.requires_grad_(bool(value) and name not in fixed)

    def get_weights(self) -> list:
        """The weights as NumPy arrays, in Keras's order and shapes."""
        return [p.detach().cpu().numpy().copy() for p in self.parameters()]

    def set_weights(self, weights) -> None:
        """Load NumPy arrays (e.g. from Keras's ``get_weights()``), checking every shape."""
        parameters = list(self.parameters())
        weights = list(weights)
        if not self.built and parameters == []:
            raise ValueError(f"{self.name} has no weights yet: call it once or build(input_shape) "
                             "before set_weights")
        if len(weights) != len(parameters):
            names = [n for n, _ in self.named_parameters()]
            raise ValueError(f"{self.name}: set_weights got {len(weights)} arrays, expected "
                             f"{len(parameters)} ({', '.join(names)})")
        for (name, parameter), value in zip(self.named_parameters(), weights):
            value = np.asarray(value)
            if tuple(value.shape) != tuple(parameter.shape):
                raise ValueError(f"{self.name}: weight {name!r} has shape "
                                 f"{tuple(parameter.shape)}, got an array of shape "
                                 f"{tuple(value.shape)}")
        with torch.no_grad():
            for parameter, value in zip(parameters, weights):
                parameter.copy_(torch.as_tensor(np.asarray(value), dtype=parameter.dtype))

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"{self.name} is not built yet, so its size is unknown: call it "
                             "once or build(input_shape) first")
        return sum(p.numel() for p in self.parameters())

    # ----------------------------------------------------------------- config

    def get_config(self) -> dict:
        """The constructor arguments of this layer (name included)."""
        config = dict(self._init_arguments)
        config["name"] = self.name
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def extra_repr(self):
        return f"name={self.name!r}"


# ------------------------------------------------------------------- helpers

_FUNCTIONAL = ("seqlab records no graph on layers: call layers on keras.Input(...) and build "
               "Model(inputs, outputs), or read shapes with layer.compute_output_shape(shape) "
               "and model.summary()")
_KERAS_ATTRIBUTES = {
    "optimizer": "the model is not compiled yet: model.compile(optimizer=..., loss=...) sets it",
    "history": "the model has not been fitted yet: history = model.fit(...)",
    "to_json": "model.save(path) writes the architecture and weights in one file "
               "(load_model reads it; seqlab files never hold code)",
    "to_yaml": "model.save(path)",
    "output_shape": _FUNCTIONAL,
    "input": _FUNCTIONAL,
    "output": _FUNCTIONAL,
    "inputs": _FUNCTIONAL,
    "outputs": _FUNCTIONAL,
    "inbound_nodes": _FUNCTIONAL,
    "get_output_at": _FUNCTIONAL,
    "get_input_at": _FUNCTIONAL,
    "losses": "seqlab layers add no losses of their own (no regularizers): the model's loss "
              "is compile's loss",
    "distribute_strategy": "fit(..., distributed=True) under torchrun",
}


def known_features(layer, input_shape) -> int:
    """The size of the last axis, which weights depend on; a clear error when unknown."""
    features = input_shape[-1] if len(input_shape) else None
    if features is None:
        raise ValueError(f"{layer.name} ({type(layer).__name__}) cannot create its weights for "
                         f"inputs of shape {tuple(input_shape)}: the last axis (the features) "
                         "must have a known size; give it in Input(shape=...) or input_shape=")
    return features


def as_tensor(value) -> torch.Tensor:
    """A tensor from a tensor, array or list, sharing memory where torch can. A NumPy view
    with negative strides (``x[:, ::-1]``, which torch cannot wrap) is copied."""
    if isinstance(value, torch.Tensor):
        return value
    array = np.asarray(value)
    if any(stride < 0 for stride in array.strides):
        array = np.ascontiguousarray(array)
    return torch.as_tensor(array)


def clone(layer: Layer, **overrides) -> Layer:
    """A new, unbuilt layer with the same constructor arguments (fresh weights);
    layers among the arguments (a wrapped layer, a cell) are cloned too."""
    config = layer.get_config()
    for key, value in config.items():
        if isinstance(value, Layer):
            config[key] = clone(value)
    config.update(overrides)
    return type(layer).from_config(config)


def _recording_init(init):
    """Wrap a subclass __init__: remember the outermost call's arguments (get_config),
    then build at once if an input shape was given."""
    signature = inspect.signature(init)
    catch_all = [p.name for p in signature.parameters.values()
                 if p.kind is inspect.Parameter.VAR_KEYWORD]

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        outermost = "_init_arguments" not in self.__dict__
        if outermost:
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            arguments.pop(next(iter(signature.parameters)))
            for name in catch_all:
                arguments.update(arguments.pop(name, {}))
            object.__setattr__(self, "_init_arguments", arguments)
        init(self, *args, **kwargs)
        if outermost and getattr(self, "_build_shape", None) is not None:
            self._build_once(self._build_shape)

    return __init__


def _build_once_only(build):
    """Wrap a subclass build: skip when built; after building, mark the layer built
    and load the ``weights=`` given to the constructor."""

    @functools.wraps(build)
    def wrapper(self, input_shape=None):
        if self.built:
            return
        build(self, None if input_shape is None else tuple(input_shape))
        self.built = True
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    return wrapper


@functools.lru_cache(maxsize=None)
def _call_arguments(cls) -> frozenset:
    return frozenset(inspect.signature(cls.call).parameters)


def _mask_of(inputs):
    if isinstance(inputs, torch.Tensor):
        return getattr(inputs, "_keras_mask", None)
    return None


def _shape_of(inputs):
    if isinstance(inputs, torch.Tensor):
        return tuple(inputs.shape)
    return tuple(inputs[0].shape)


def _with_mask(outputs, inputs, mask):
    """Attach `mask` to the (first) output tensor, never to an input tensor object."""
    first = outputs[0] if isinstance(outputs, (tuple, list)) else outputs
    if not isinstance(first, torch.Tensor):
        return outputs
    if first is inputs:  # e.g. Dropout at inference: a new tensor object, same data
        first = first.view_as(first)
        if isinstance(outputs, (tuple, list)):
            outputs = type(outputs)([first, *outputs[1:]])
        else:
            outputs = first
    if mask is not None:
        first._keras_mask = mask
    elif hasattr(first, "_keras_mask"):
        del first._keras_mask
    return outputs


def check_features(layer, inputs, expected: int, ndim: int | None = None) -> None:
    """ValueError naming `layer` unless the last axis of `inputs` holds `expected` features
    (and `inputs` has `ndim` axes, when given): what the layer's kernel was built for."""
    shape = tuple(inputs.shape)
    if (ndim is not None and len(shape) != ndim) or not shape or shape[-1] != expected:
        want = ("(batch, steps, " if ndim == 3 else "(..., ") + f"{expected})"
        raise ValueError(f"{layer.name} ({type(layer).__name__}) expects inputs of shape "
                         f"{want}: its kernel was built for {expected} features, but it "
                         f"received inputs of shape {shape}. Give it data of that shape (as "
                         "the model was trained on), or build a new model for the new one")


def _torch_dtype(dtype):
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    name = str(dtype).replace("torch.", "")
    if not hasattr(torch, name) or not isinstance(getattr(torch, name), torch.dtype):
        raise ValueError(f"Unknown dtype {dtype!r}; use 'float32', 'float64' or a torch dtype")
    return getattr(torch, name)


def _snake(name: str) -> str:
    """Keras's snake case of a class name: SimpleRNN -> simple_rnn, Conv1D -> conv1d."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


Layer.build = _build_once_only(Layer.build)  # layers without weights are built on first call too
Layer.__init__ = _recording_init(Layer.__init__)  # layers without their own __init__ (Flatten)

# At the end: the symbolic machinery builds on Layer.
from ._symbolic import is_symbolic, output_spec, symbolic_call  # noqa: E402
