"""Saving and loading models: one safetensors file, no pickle, nothing executed on load.

``model.save(path)`` writes a single safetensors file: the weights as tensors, and in
its metadata header the architecture (each layer's class name and constructor
arguments, the functional graph), the compile settings, the optimizer's state and,
if given, the fitted Tokenizer (Keras's JSON). ``load_model(path)`` rebuilds the model
from the header using only seqlab's own layer classes (names are looked up, never
imported or evaluated) and loads the tensors. The file is written to a temporary
name and renamed. A truncated or altered file raises a ValueError naming it: the header
stores SHA-256 digests of the weights, the optimizer state and the rest of the header,
checked on load (see ``_model_file``). Loading builds the architecture without random
initialisation and never more weights than the file holds, so a small file cannot make
it allocate more than the file's own size.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import torch

from .. import layers as layer_module
from .._files import write_atomically
from ..layers import InputLayer, Layer
from ..layers._base import _torch_dtype
from ..layers._weights import WeightBudget
from . import _model_file
from ..layers._symbolic import Input, SymbolicTensor

FORMAT = "seqlab.model"
VERSION = "2"  # 2: the header holds sha256 digests of the tensors


# --------------------------------------------------------------------------- saving

def save_model(model, filepath, tokenizer=None, overwrite=True, save_format=None):
    from safetensors.torch import save

    from ._keras_files import save_keras_file
    path = _check_target(filepath, overwrite)
    if save_keras_file(model, path, tokenizer, save_format):  # .keras / .h5: Keras's formats
        return
    tensors = {f"weights/{k}": v.detach().contiguous() for k, v in model.state_dict().items()}
    metadata = {"format": FORMAT, "version": VERSION,
                "model": json.dumps(_model_config(model))}
    compile_config = getattr(model, "_compile_config", None)
    if compile_config is not None:
        metadata["compile"] = json.dumps(compile_config)
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and getattr(optimizer, "param_groups", None):
            state, header = _flatten_optimizer(optimizer.state_dict())
            tensors.update(state)
            metadata["optimizer"] = json.dumps(header)
    tokenizer = tokenizer if tokenizer is not None else getattr(model, "tokenizer", None)
    if tokenizer is not None:
        metadata["tokenizer"] = tokenizer.to_json()
    preprocessing = getattr(model, "preprocessing", None)
    if preprocessing is not None:  # a recipe's settings for the inputs (maxlen, padding...)
        metadata["preprocessing"] = json.dumps(_json_value(preprocessing, "preprocessing"))
    metadata.update(_model_file.digests(tensors, metadata))
    data = save(tensors, metadata=metadata)
    write_atomically(path, lambda file: file.write(data))


def save_weights(model, filepath, overwrite=True):
    from safetensors.torch import save

    path = _check_target(filepath, overwrite)
    tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    metadata = {"format": FORMAT + ".weights", "version": VERSION}
    metadata.update(_model_file.digests(tensors, metadata, weights_file=True))
    data = save(tensors, metadata=metadata)
    write_atomically(path, lambda file: file.write(data))


def _check_target(filepath, overwrite):
    path = Path(os.fspath(filepath))
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder: pass a file name for the model, e.g. "
                                f"{path / 'model.safetensors'}")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    return path


def _model_config(model) -> dict:
    from ._model import Sequential

    if isinstance(model, Sequential):
        shape = model.input_shape or getattr(model, "_seen_shape", None)
        dtype = model._input_symbol.dtype if model._input_symbol is not None else getattr(
            model, "_seen_dtype", None)
        if shape is None:
            raise ValueError("This Sequential model was never called, so its weights do not "
                             "exist yet: fit it, call it on data, or build(input_shape) first")
        return {"class_name": "Sequential", "name": model.name,
                "input": {"shape": list(shape), "dtype": _dtype_name(dtype)},
                "layers": [layer_config(layer) for layer in model.layers]}
    if hasattr(model, "_nodes"):
        return _functional_config(model)
    raise ValueError(f"save supports Sequential and functional models, got {type(model).__name__}")


def _functional_config(model) -> dict:
    nodes = [t.node for t in model._inputs] + list(model._nodes)
    index = {id(node): i for i, node in enumerate(nodes)}

    def ref(value):
        if isinstance(value, SymbolicTensor):
            return {"__tensor__": [index[id(value.node)], value.index]}
        if isinstance(value, (list, tuple)):
            return [ref(v) for v in value] if isinstance(value, list) else {
                "__tuple__": [ref(v) for v in value]}
        if isinstance(value, dict):
            return {"__dict__": {k: ref(v) for k, v in value.items()}}
        return _json_value(value, "a layer call argument")

    return {"class_name": "Functional", "name": model.name,
            "layers": [layer_config(layer) for layer in model.layers],
            "nodes": [{"layer": node.layer.name, "args": ref(list(node.args)),
                       "kwargs": ref(dict(node.kwargs))} for node in nodes],
            "inputs": ref(model._input_structure), "outputs": ref(model._output_structure)}


def layer_config(layer) -> dict:
    """``{"class_name": ..., "config": {...}}`` with nested layers as such dicts."""
    if not isinstance(layer, Layer):
        raise ValueError(f"Only seqlab layers can be saved; got a {type(layer).__name__} module")
    if isinstance(layer, InputLayer):
        return {"class_name": "InputLayer",
                "config": {"shape": list(layer.input_shape[1:]),
                           "batch_size": layer.input_shape[0],
                           "dtype": _dtype_name(layer.input_dtype), "name": layer.name}}
    config = {}
    for key, value in layer.get_config().items():
        if key == "weights":
            continue  # the weights travel as tensors
        config[key] = (layer_config(value) if isinstance(value, Layer)
                       else _json_value(value, f"{layer.name}'s {key}"))
    return {"class_name": type(layer).__name__, "config": config}


def _json_value(value, where):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(v, where) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v, where) for k, v in value.items()}
    if isinstance(value, torch.dtype):
        return _dtype_name(value)
    raise ValueError(f"Cannot save {where} = {value!r}: only names (e.g. activation='relu', "
                     "kernel_initializer='he_normal') and plain values can be stored without "
                     "pickle. Use a name, or rebuild the model in code and use save_weights.")


def _dtype_name(dtype):
    return None if dtype is None else str(dtype).replace("torch.", "")


def _flatten_optimizer(state_dict):
    """Tensors of the per-parameter state as named tensors; everything else as JSON."""
    tensors = {}
    header = {k: v for k, v in state_dict.items() if k != "state"}
    header["state"] = {}
    for param_id, entries in state_dict["state"].items():
        plain = {}
        for key, value in entries.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optimizer/{param_id}/{key}"] = value.detach().contiguous()
            else:
                plain[key] = value
        header["state"][str(param_id)] = plain
    return tensors, header


def describe_compile(optimizer, loss, loss_weights, metrics, clipping):
    """The compile arguments as JSON-ready values (names, or class name + config), or
    None when one of them is an object that cannot be described that way."""
    def describe(value):
        if value is None or isinstance(value, (str, int, float)):
            return value
        if isinstance(value, (list, tuple)):
            described = [describe(v) for v in value]
            return None if any(d is _UNSAVEABLE for d in described) else described
        if isinstance(value, dict):
            described = {k: describe(v) for k, v in value.items()}
            return None if any(d is _UNSAVEABLE for d in described.values()) else described
        if hasattr(value, "get_config") and type(value).__module__.startswith("seqlab."):
            return {"class_name": type(value).__name__, "config": value.get_config()}
        return _UNSAVEABLE

    parts = {"optimizer": describe(optimizer), "loss": describe(loss),
             "loss_weights": describe(loss_weights), "metrics": describe(metrics),
             "clipping": clipping}
    if any(v is _UNSAVEABLE or v is None and k in ("optimizer", "loss") for k, v in parts.items()):
        return None
    return parts


_UNSAVEABLE = object()


# -------------------------------------------------------------------------- loading

def load_model(filepath, compile=True, custom_objects=None):  # noqa: A002 (Keras's name)
    """Rebuild a model saved by ``model.save`` (weights, compile settings, optimizer state,
    and ``model.tokenizer`` when one was saved).

    Args:
        filepath: the file.
        compile: also restore the compile settings (loss, metrics, optimizer and its state).
        custom_objects: ``{name: layer class}`` for layer classes of your own.

    A Keras ``.h5`` or ``.keras`` file (recognised by its contents) is read by
    ``_keras_h5`` / ``_keras_archive``; a folder means its ``model.safetensors``.
    """
    if isinstance(filepath, (str, os.PathLike)):  # else _model_file.read names the value
        from ._keras_files import keras_loader, resolve_run_folder
        filepath = resolve_run_folder(filepath)
        loader = keras_loader(filepath)
        if loader is not None:  # a Keras .h5 / .keras file
            return loader(filepath, compile=compile)
    metadata, tensors = _model_file.read(filepath, FORMAT)
    registry = _registry(custom_objects)
    weights = {k[len("weights/"):]: v for k, v in tensors.items() if k.startswith("weights/")}
    try:
        architecture = _model_file.parse_json(metadata.get("model"), "the architecture")
        _model_file.check_architecture(architecture)
        with WeightBudget(sum(t.numel() for t in weights.values()), "the file"):
            model = _build(architecture, registry)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError,
            OverflowError, RuntimeError, MemoryError) as error:
        raise ValueError(f"{filepath}: the model description in the file is not valid "
                         f"({type(error).__name__}: {error})") from None
    _load_state(model, weights, filepath)
    try:
        if compile and "compile" in metadata:
            _compile_from(model, _model_file.parse_json(metadata["compile"], "compile"))
            if "optimizer" in metadata:
                _load_optimizer(model, metadata, tensors)
        if "tokenizer" in metadata:
            from ..text import tokenizer_from_json
            _model_file.parse_json(metadata["tokenizer"], "the tokenizer")
            model.tokenizer = tokenizer_from_json(metadata["tokenizer"])
        if "preprocessing" in metadata:
            model.preprocessing = _model_file.parse_json(metadata["preprocessing"],
                                                         "the preprocessing settings")
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError,
            OverflowError, RuntimeError) as error:
        raise ValueError(f"{filepath}: the compile settings, optimizer state or tokenizer in "
                         f"the file are not valid ({type(error).__name__}: {error}); "
                         "load_model(path, compile=False) skips the first two") from None
    return model


def _load_optimizer(model, metadata, tensors):
    model._ready(None)
    header = _model_file.parse_json(metadata["optimizer"], "the optimizer state")
    state = {int(k): dict(v) for k, v in header.pop("state").items()}
    for key, value in tensors.items():
        if key.startswith("optimizer/"):
            _, param_id, name = key.split("/", 2)
            state.setdefault(int(param_id), {})[name] = value
    model.optimizer.load_state_dict({**header, "state": state})


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    if isinstance(filepath, (str, os.PathLike)):
        from ._keras_files import keras_weights_loader
        loader = keras_weights_loader(filepath)
        if loader is not None:  # Keras HDF5 weights
            return loader(model, filepath, by_name, skip_mismatch)
    metadata, tensors = _model_file.read(filepath, FORMAT + ".weights", also=FORMAT)
    if metadata.get("format") == FORMAT:  # a whole-model file: take its weights
        tensors = {k[len("weights/"):]: v for k, v in tensors.items() if k.startswith("weights/")}
    _load_state(model, tensors, filepath)


def _load_state(model, weights, filepath):
    expected = model.state_dict()
    missing = sorted(set(expected) - set(weights))
    unexpected = sorted(set(weights) - set(expected))
    wrong = [k for k in expected if k in weights and tuple(weights[k].shape) != tuple(
        expected[k].shape)]
    if missing or unexpected or wrong:
        details = []
        if missing:
            details.append(f"missing {missing[:5]}")
        if unexpected:
            details.append(f"unexpected {unexpected[:5]}")
        if wrong:
            details.append("shape mismatch " + ", ".join(
                f"{k}: file {tuple(weights[k].shape)} vs model {tuple(expected[k].shape)}"
                for k in wrong[:5]))
        raise ValueError(f"{filepath}: the weights do not fit this model ({'; '.join(details)})")
    model.load_state_dict(weights, strict=True)


def _registry(custom_objects) -> dict:
    from ._model import Model, Sequential

    registry = {name: getattr(layer_module, name) for name in layer_module.__all__
                if isinstance(getattr(layer_module, name), type)}
    registry.update(Sequential=Sequential, Functional=Model, Model=Model, InputLayer=InputLayer)
    registry.update(custom_objects or {})
    return registry


def _build(config, registry):
    kind = config["class_name"]
    if kind == "Sequential":
        from ._model import Sequential
        model = Sequential([_layer(c, registry) for c in config["layers"]], name=config["name"])
        model.build(tuple(config["input"]["shape"]))
        dtype = config["input"]["dtype"]
        if dtype:  # "string": a model that starts with TextVectorization
            model._input_symbol.dtype = dtype if dtype == "string" else _torch_dtype(dtype)
        return model
    if kind == "Functional":
        return _build_functional(config, registry)
    raise ValueError(f"unknown model class {kind!r}")


def _layer(config, registry):
    name = config["class_name"]
    if name not in registry:
        raise ValueError(f"unknown layer class {name!r}; pass custom_objects={{{name!r}: "
                         "YourLayer}} to load_model")
    arguments = {k: (_layer(v, registry) if isinstance(v, dict) and "class_name" in v else v)
                 for k, v in config["config"].items()}
    return registry[name].from_config(arguments)


def _build_functional(config, registry):
    from ._model import Model

    layers = {}
    for layer_entry in config["layers"]:
        if layer_entry["class_name"] == "InputLayer":
            continue
        layer = _layer(layer_entry, registry)
        layers[layer.name] = layer
    inputs_by_name = {entry["config"]["name"]: entry["config"] for entry in config["layers"]
                      if entry["class_name"] == "InputLayer"}
    outputs = []  # node index -> its symbolic outputs

    def resolve(value):
        if isinstance(value, dict) and "__tensor__" in value:
            node, output = value["__tensor__"]
            return outputs[node][output]
        if isinstance(value, dict) and "__tuple__" in value:
            return tuple(resolve(v) for v in value["__tuple__"])
        if isinstance(value, dict) and "__dict__" in value:
            return {k: resolve(v) for k, v in value["__dict__"].items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    for node in config["nodes"]:
        if node["layer"] in inputs_by_name:
            entry = inputs_by_name[node["layer"]]
            outputs.append([Input(shape=tuple(entry["shape"]), batch_size=entry["batch_size"],
                                  dtype=entry["dtype"], name=entry["name"])])
            continue
        result = layers[node["layer"]](*resolve(node["args"]), **resolve(node["kwargs"]))
        outputs.append([result] if isinstance(result, SymbolicTensor) else list(result))
    return Model(resolve(config["inputs"]), resolve(config["outputs"]), name=config["name"])


def _compile_from(model, settings):
    from . import losses, metrics, optimizers

    def rebuild(value, module):
        if isinstance(value, dict) and "class_name" in value:
            if not hasattr(module, value["class_name"]):
                raise ValueError(f"unknown {module.__name__} class {value['class_name']!r}")
            return getattr(module, value["class_name"])(**value["config"])
        if isinstance(value, list):
            return [rebuild(v, module) for v in value]
        if isinstance(value, dict):
            return {k: rebuild(v, module) for k, v in value.items()}
        return value

    model.compile(optimizer=rebuild(settings["optimizer"], optimizers),
                  loss=rebuild(settings["loss"], losses), loss_weights=settings.get("loss_weights"),
                  metrics=rebuild(settings.get("metrics"), metrics),
                  **settings.get("clipping", {}))
