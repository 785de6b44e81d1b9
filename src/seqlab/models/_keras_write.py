"""seqlab models as Keras files: ``model.save("x.keras")`` (Keras 3) and ``"x.h5"`` (tf.keras).

``keras_config(model)`` writes the model the way Keras 3's ``serialize_keras_object``
does (``module`` / ``class_name`` / ``config``; a functional graph as ``inbound_nodes``
with ``__keras_tensor__`` references); ``save_keras`` zips it with ``metadata.json`` and
``model.weights.h5`` in Keras 3's layout (see ``_keras_archive``). ``save_h5`` writes
tf.keras's legacy layout (``model_config`` + ``model_weights``, see ``_keras_h5``) with
``keras_version`` 2.x, the format TensorFlow 2 ``tf.keras.models.load_model`` reads.

Activations are written by name with their meaning kept: seqlab's ``hard_sigmoid`` is
Keras 3's, ``hard_sigmoid_keras2`` is Keras 2's, so each can only go to the format of the
Keras that has it (anything else is refused with the reason).
"""
from __future__ import annotations

import logging

import datetime
import io
import json
import zipfile

import numpy as np

from .. import __version__
from .._log import say_once
from ..layers import (Bidirectional, Conv1D, Embedding, GlobalMaxPooling1D, InputLayer,
                      TimeDistributed, activations)
from ..layers.recurrent import RNN
from .._files import write_atomically
from ._keras_archive import CONFIG, METADATA, WEIGHTS, layer_paths, parts
from ._keras_h5 import h5py_module

KERAS3, KERAS2 = "3.0.0", "2.15.0"
_SAME_NAME = ("Dense", "Embedding", "Activation", "Dropout", "Masking", "Flatten", "RepeatVector",
              "Conv1D", "MaxPooling1D", "AveragePooling1D", "GlobalMaxPooling1D",
              "GlobalAveragePooling1D",
              "SimpleRNN", "LSTM", "GRU", "RNN", "Bidirectional", "TimeDistributed", "Concatenate",
              "Add", "Subtract", "Multiply", "Average", "Maximum")


class NoKerasEquivalent(ValueError):
    """A layer (TextVectorization, attention, a class of your own...) that no Keras file
    seqlab writes can hold."""


def keras_config(model, major=3) -> dict:
    """The Keras (3, or with ``major=2`` tf.keras) JSON description of a seqlab model."""
    from ._model import Sequential

    for layer in getattr(model, "layers", []):
        if not isinstance(layer, InputLayer):
            _class(layer)  # NoKerasEquivalent before anything else is said or written
    _warn_about_masks(model)
    if isinstance(model, Sequential):
        shape = model.input_shape or getattr(model, "_seen_shape", None)
        if shape is None:
            raise ValueError("This Sequential model was never built: call it on data or "
                             "build(input_shape) before saving it as a Keras file")
        dtype = model._input_symbol.dtype if model._input_symbol is not None else None
        first = {"class_name": "InputLayer", "config": _input_config(
            f"{model.name}_input", shape, dtype, major)}
        layers = [first] + [_entry(layer, major) for layer in model.layers]
        return {**_module("keras", major), "class_name": "Sequential",
                "config": {"name": model.name, "trainable": True, "layers": layers},
                **({"build_config": {"input_shape": list(shape)}} if major == 3 else {})}
    if not hasattr(model, "_nodes"):
        raise ValueError(f"only Sequential and functional models can be saved as Keras files, "
                         f"got {type(model).__name__}")
    return _functional(model, major)


def save_keras(model, path, tokenizer=None):
    """A Keras 3 ``.keras`` file: config.json + model.weights.h5 + metadata.json."""
    _no_tokenizer(model, path, tokenizer)
    config = json.dumps(keras_config(model, 3))
    metadata = json.dumps({"keras_version": KERAS3, "date_saved": datetime.datetime.now(
        ).strftime("%Y-%m-%d@%H:%M:%S"), "written_by": f"seqlab {__version__}"})
    weights = _v3_weights(model)

    def write(file):
        with zipfile.ZipFile(file, "w") as archive:
            archive.writestr(METADATA, metadata)
            archive.writestr(CONFIG, config)
            archive.writestr(WEIGHTS, weights)

    write_atomically(path, write)


def save_h5(model, path, tokenizer=None):
    """A tf.keras (Keras 2) ``.h5`` full-model file."""
    _no_tokenizer(model, path, tokenizer)
    h5py = h5py_module()
    config = json.dumps(keras_config(model, 2))
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        file.attrs["keras_version"] = KERAS2
        file.attrs["backend"] = "tensorflow"
        file.attrs["model_config"] = config
        group = file.create_group("model_weights")
        group.attrs["keras_version"] = KERAS2
        group.attrs["backend"] = "tensorflow"
        ordered = keras_layer_order(model)  # tf.keras matches layers in this order
        group.attrs["layer_names"] = np.array([layer.name.encode() for layer in ordered])
        for layer in sorted(ordered, key=lambda item: item.name):
            layer_group = group.create_group(layer.name)
            names = _legacy_weight_names(layer)
            layer_group.attrs["weight_names"] = (np.array([n.encode() for n in names]) if names
                                                 else np.array([], dtype=np.float64))
            for name, value in zip(names, layer.get_weights()):
                layer_group.create_dataset(name, data=value.astype(np.float32))
        top = file.create_group("top_level_model_weights")
        top.attrs["weight_names"] = np.array([], dtype=np.float64)
    write_atomically(path, lambda file: file.write(buffer.getvalue()))


def _no_tokenizer(model, path, tokenizer):
    if tokenizer is not None:
        raise ValueError(f"{path}: a Keras model file has no place for a tokenizer: save the "
                         "model as .safetensors to keep it, or write tokenizer.to_json() "
                         "beside the Keras file")
    if getattr(model, "tokenizer", None) is not None:
        say_once(f"{path}: the model's tokenizer is not saved in a Keras file (write "
                 "model.tokenizer.to_json() beside it, or save as .safetensors)",
                 logging.WARNING)


# --------------------------------------------------------------------------- layers

def _warn_about_masks(model):
    layers = list(model.modules())
    if not any(isinstance(layer, Embedding) and layer.mask_zero for layer in layers):
        return
    for layer in layers:
        if getattr(layer, "masking", False) and (isinstance(layer, GlobalMaxPooling1D) or (
                isinstance(layer, Conv1D) and layer.padding != "valid" and layer.strides == 1)):
            say_once(f"{layer.name} ({type(layer).__name__}) uses the mask here, Keras does "
                     "not (its Conv1D drops it, its GlobalMaxPooling1D reads every step): "
                     "where a mask reaches it, Keras's outputs will differ from seqlab's "
                     "(build it with masking=False to match Keras)", logging.WARNING)


def _entry(layer, major):
    kind = _class(layer)
    return {**_module("keras.layers", major), "class_name": kind,
            "config": _layer_config(layer, kind, major),
            **({"registered_name": None} if major == 3 else {})}


def _class(layer):
    kind = type(layer).__name__
    if kind not in _SAME_NAME:
        raise NoKerasEquivalent(f"layer {layer.name!r} ({kind}) has no Keras equivalent "
                                "seqlab writes")
    return kind


def _layer_config(layer, kind, major):
    config = {"name": layer.name, "trainable": layer.trainable, "dtype": _dtype(layer)}
    get = layer._init_arguments.get
    if kind == "Dense":
        config.update(units=layer.units, activation=_activation(layer, layer.activation, major),
                      use_bias=layer.use_bias, kernel_initializer=_init(get("kernel_initializer"),
                                                                        "glorot_uniform"),
                      bias_initializer=_init(get("bias_initializer"), "zeros"))
    elif kind == "Embedding":
        config.update(input_dim=layer.input_dim, output_dim=layer.output_dim,
                      embeddings_initializer=_init(get("embeddings_initializer"), "uniform"),
                      mask_zero=bool(layer.mask_zero))
    elif kind == "Activation":
        config["activation"] = _activation(layer, layer.activation, major)
    elif kind == "Dropout":
        config.update(rate=layer.rate, noise_shape=layer.noise_shape, seed=layer.seed)
    elif kind == "Flatten":
        config["data_format"] = "channels_last"
    elif kind == "RepeatVector":
        config["n"] = layer.n
    elif kind == "Masking":
        config["mask_value"] = layer.mask_value
    elif kind == "Conv1D":
        config.update(filters=layer.filters, kernel_size=[layer.kernel_size],
                      strides=[layer.strides], padding=layer.padding,
                      data_format="channels_last", dilation_rate=[layer.dilation_rate],
                      groups=layer.groups, activation=_activation(layer, layer.activation, major),
                      use_bias=layer.use_bias,
                      kernel_initializer=_init(get("kernel_initializer"), "glorot_uniform"),
                      bias_initializer=_init(get("bias_initializer"), "zeros"))
    elif kind in ("MaxPooling1D", "AveragePooling1D"):
        config.update(pool_size=[layer.pool_size], strides=[layer.strides],
                      padding=layer.padding, data_format="channels_last")
    elif kind.startswith("Global"):
        config.update(data_format="channels_last", keepdims=layer.keepdims)
    elif kind in ("SimpleRNN", "LSTM", "GRU"):
        config.update(_recurrent_config(layer, kind, major))
    elif kind == "RNN":
        cell_kind = type(layer.cell).__name__
        if cell_kind not in ("SimpleRNNCell", "LSTMCell", "GRUCell"):
            raise ValueError(f"layer {layer.name!r}: a {cell_kind} cell has no Keras equivalent")
        settings = _recurrent_config(layer, cell_kind[:-len("Cell")], major)
        layer_keys = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll")
        cell_config = {k: v for k, v in settings.items() if k not in layer_keys + (
            "time_major", "implementation")}
        config.update({k: settings[k] for k in layer_keys})
        config["cell"] = {**_module("keras.layers", major), "class_name": cell_kind,
                          "config": {"name": layer.cell.name, "trainable": layer.trainable,
                                     "dtype": _dtype(layer), **cell_config},
                          **({"registered_name": None} if major == 3 else {})}
    elif kind == "Bidirectional":
        forward = layer.forward_layer
        inner = _entry(forward, major)
        inner["config"].update(name=forward.name.removeprefix("forward_"), go_backwards=False)
        config.update(layer=inner, merge_mode=layer.merge_mode)
    elif kind == "TimeDistributed":
        config["layer"] = _entry(layer.layer, major)
    elif kind == "Concatenate":
        config["axis"] = layer.axis
    return config


def _recurrent_config(layer, kind, major):
    cell, get = layer.cell, layer.cell._init_arguments.get
    config = {"return_sequences": layer.return_sequences, "return_state": layer.return_state,
              "go_backwards": layer.go_backwards, "stateful": layer.stateful, "unroll": False,
              "units": cell.units, "activation": _activation(layer, cell.activation, major),
              "use_bias": cell.use_bias,
              "kernel_initializer": _init(get("kernel_initializer"), "glorot_uniform"),
              "recurrent_initializer": _init(get("recurrent_initializer"), "orthogonal"),
              "bias_initializer": _init(get("bias_initializer"), "zeros"),
              "dropout": cell.dropout, "recurrent_dropout": cell.recurrent_dropout}
    if kind != "SimpleRNN":
        config["recurrent_activation"] = _activation(layer, cell.recurrent_activation, major)
    if kind == "LSTM":
        config["unit_forget_bias"] = cell.unit_forget_bias
    if kind == "GRU":
        config["reset_after"] = cell.reset_after
    if major == 2:
        config.update(time_major=False, implementation=2 if kind != "SimpleRNN" else 1)
    return config


def _activation(layer, function, major):
    name = activations.name_of(function)
    if name is None:
        raise ValueError(f"layer {layer.name!r} has a custom activation {function!r}, which no "
                         "Keras file can name")
    if name == "hard_sigmoid_keras2":
        if major == 3:
            raise ValueError(f"layer {layer.name!r} uses Keras 2's hard_sigmoid (0.2x + 0.5), "
                             "which Keras 3 does not have (its hard_sigmoid is x/6 + 0.5): save "
                             "as .h5 (tf.keras) or .safetensors instead")
        return "hard_sigmoid"
    if name == "hard_sigmoid" and major == 2:
        raise ValueError(f"layer {layer.name!r} uses Keras 3's hard_sigmoid (x/6 + 0.5), which "
                         "Keras 2 does not have: save as .keras or .safetensors instead")
    return name


def _init(value, default):
    return value if isinstance(value, str) else default


def _dtype(layer):
    return str(layer.compute_dtype).replace("torch.", "")


def _module(name, major):
    return {"module": name} if major == 3 else {}


def _input_config(name, shape, dtype, major):
    kind = "int32" if dtype is not None and not dtype.is_floating_point else (
        str(dtype).replace("torch.", "") if dtype is not None else "float32")
    key = "batch_shape" if major == 3 else "batch_input_shape"
    return {key: list(shape), "dtype": kind, "sparse": False, "name": name}


# ------------------------------------------------------------------------ functional

def _functional(model, major):
    counts, node_of = {}, {}
    for node in model._nodes:
        node_of[id(node)] = counts.get(node.layer.name, 0)
        counts[node.layer.name] = node_of[id(node)] + 1

    def history(tensor):
        node = tensor.node
        if isinstance(node.layer, InputLayer):
            return [node.layer.name, 0, 0]
        return [node.layer.name, node_of[id(node)], tensor.index]

    def ref(value):
        from ..layers import SymbolicTensor
        if isinstance(value, SymbolicTensor):
            if major == 2:
                return history(value)
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(value.shape), "dtype": _dtype_name(value.dtype),
                               "keras_history": history(value)}}
        if isinstance(value, (list, tuple)):
            return [ref(v) for v in value]
        if isinstance(value, dict):
            return {k: ref(v) for k, v in value.items()}
        return value

    entries = []
    for layer in keras_layer_order(model):
        if isinstance(layer, InputLayer):
            entry = {**_module("keras.layers", major), "class_name": "InputLayer",
                     "config": _input_config(layer.name, layer.input_shape, layer.input_dtype,
                                             major)}
            entry.update(name=layer.name, inbound_nodes=[])
        else:
            entry = _entry(layer, major)
            calls = [node for node in model._nodes if node.layer is layer]
            entry.update(name=layer.name, inbound_nodes=[_node(n, ref, major) for n in calls])
        entries.append(entry)

    def endpoints(tensors):
        found = [history(t) for t in tensors]
        return found[0] if len(found) == 1 and major == 3 else found

    return {**_module("keras.src.models.functional", major), "class_name": "Functional",
            "config": {"name": model.name, "trainable": True, "layers": entries,
                       "input_layers": endpoints(model._inputs),
                       "output_layers": endpoints(model._outputs)},
            **({"registered_name": "Functional"} if major == 3 else {})}


def keras_layer_order(model) -> list:
    """The layers of a functional model in the order Keras gives ``model.layers`` (Keras 3
    ``ops/function.py`` ``map_graph``: by depth from the outputs, deepest first, ties in the
    order a depth-first walk from the outputs first meets them). Keras 3 numbers the weight
    groups in this order, so a .keras file must follow it."""
    from ._model import Sequential

    if isinstance(model, Sequential):
        return list(model.layers)
    finished, order, first_seen = set(), [], {}

    def visit(tensor):
        node = tensor.node
        if id(node) in finished:
            return
        first_seen.setdefault(id(node.layer), len(first_seen))
        for source in ([] if isinstance(node.layer, InputLayer) else node.inputs):
            visit(source)
        finished.add(id(node))
        order.append(node)

    for tensor in model._outputs:
        visit(tensor)
    node_depth, layer_depth, layers = {}, {}, {}
    for node in reversed(order):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = node_depth[id(node)] = depth
        layers[id(node.layer)] = node.layer
        for source in ([] if isinstance(node.layer, InputLayer) else node.inputs):
            node_depth[id(source.node)] = max(depth + 1, node_depth.get(id(source.node), 0))
    for tensor in model._inputs:  # inputs no output depends on
        if id(tensor.node.layer) not in layer_depth:
            layer_depth[id(tensor.node.layer)], first_seen[id(tensor.node.layer)] = 0, -1
            layers[id(tensor.node.layer)] = tensor.node.layer
    return sorted(layers.values(), key=lambda layer: (-layer_depth[id(layer)],
                                                      first_seen[id(layer)]))


def _node(node, ref, major):
    kwargs = {k: v for k, v in node.kwargs.items() if k not in ("mask", "training")}
    if major == 3:
        return {"args": ref(list(node.args)), "kwargs": ref(kwargs)}
    inputs = ref(list(node.args))
    flat = inputs[0] if len(inputs) == 1 and isinstance(inputs[0], list) and inputs[0] and \
        isinstance(inputs[0][0], list) else inputs
    states = ref(kwargs.pop("initial_state", None)) or []
    return [[*item, {}] for item in flat] + [[*item, {}] for item in states]


def _dtype_name(dtype):
    name = str(dtype).replace("torch.", "")
    return "int32" if name.startswith("int") else name


# -------------------------------------------------------------------------- weights

def _v3_weights(model):
    h5py = h5py_module()
    buffer = io.BytesIO()
    classes = [(layer.name, type(layer).__name__) for layer in keras_layer_order(model)]
    paths = layer_paths(classes)
    by_name = {layer.name: layer for layer in model.layers}
    with h5py.File(buffer, "w") as file:
        file.create_group("vars")
        for name, _ in classes:
            layer = by_name[name]
            for path, part in parts(layer, paths[name]):
                group = file.create_group(f"{path}/vars")
                own = [p for p in part.parameters()]
                for index, parameter in enumerate(own):
                    group.create_dataset(str(index), data=parameter.detach().cpu().numpy())
    return buffer.getvalue()


def _legacy_weight_names(layer):
    """tf.keras's weight names (``lstm/lstm_cell/kernel:0``); only their order matters."""
    if isinstance(layer, Bidirectional):
        return [f"{layer.name}/{name}" for direction in (layer.forward_layer,
                                                         layer.backward_layer)
                for name in _legacy_weight_names(direction)]
    if isinstance(layer, TimeDistributed):
        return [f"{layer.name}/{name}" for name in _legacy_weight_names(layer.layer)]
    if isinstance(layer, RNN):
        cell = f"{type(layer).__name__.lower().replace('simplernn', 'simple_rnn')}_cell"
        return [f"{layer.name}/{cell}/{n}:0" for n, _ in layer.cell.named_parameters()]
    return [f"{layer.name}/{n}:0" for n, _ in layer.named_parameters()]
