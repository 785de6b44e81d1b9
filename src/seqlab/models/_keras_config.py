"""Keras layer configs (Keras 1.2 to 3.x) as seqlab layers: names looked up, never run.

``layer_from_keras(entry, major)`` takes one ``{"class_name": ..., "config": {...}}``
entry of a Keras model config and returns the seqlab layer with the same meaning:

* legacy key names are renamed first (Keras 1: ``output_dim`` -> ``units``, ``init`` ->
  ``kernel_initializer``, ``inner_activation`` -> ``recurrent_activation``, ``dropout_W``
  -> ``dropout``, ``nb_filter``, ``filter_length``, ``border_mode``, ``pool_length``...);
* keys that do not change the outputs are accepted and dropped: ``implementation``,
  ``consume_less``, ``unroll``, ``use_cudnn``, ``seed``, ``input_length``; regularizers and
  constraints (they only shape training) are dropped with a logged warning;
* ``CuDNNLSTM`` is ``LSTM`` with ``recurrent_activation='sigmoid'`` and ``CuDNNGRU`` is
  ``GRU(reset_after=True)`` (their weights are converted in ``_keras_weights``);
* activations keep the meaning of the Keras that wrote the file: ``hard_sigmoid`` of a
  Keras 1 or 2 file is ``hard_sigmoid_keras2`` (``0.2 x + 0.5``), of Keras 3 ``x / 6 + 0.5``;
* masks flow as in Keras: a loaded Conv1D drops the mask and GlobalMaxPooling1D reads
  every step (``masking=False``), where seqlab's own defaults use it;
* a config key missing from an old file takes the default of the Keras that wrote it
  (``GRU``'s ``reset_after`` is False before Keras 3 and tf.keras' v2 GRU always writes it).

Anything else (a class outside the table, an unknown key, ``time_major=True``, a Lambda,
a size beyond ``MAX_SIZE``) raises ``KerasConfigError`` naming the layer, class and key,
before any weight is read.
"""
from __future__ import annotations

import re

from .._log import say_once
from .. import layers as L

MAX_SIZE = 2 ** 24  # largest units / filters / input_dim / output_dim a file may declare


class KerasConfigError(ValueError):
    """A Keras file asks for something seqlab does not do (or is not a valid config)."""


RECURRENT = {"SimpleRNN": L.SimpleRNN, "LSTM": L.LSTM, "GRU": L.GRU,
             "CuDNNLSTM": L.LSTM, "CuDNNGRU": L.GRU}
CELLS = {"SimpleRNNCell": L.SimpleRNNCell, "LSTMCell": L.LSTMCell, "GRUCell": L.GRUCell}
MERGES = {"Concatenate": L.Concatenate, "Add": L.Add, "Subtract": L.Subtract,
          "Multiply": L.Multiply, "Average": L.Average, "Maximum": L.Maximum}
POOLINGS = {"MaxPooling1D": L.MaxPooling1D, "MaxPool1D": L.MaxPooling1D,
            "AveragePooling1D": L.AveragePooling1D, "AvgPool1D": L.AveragePooling1D,
            "GlobalMaxPooling1D": L.GlobalMaxPooling1D, "GlobalMaxPool1D": L.GlobalMaxPooling1D,
            "GlobalAveragePooling1D": L.GlobalAveragePooling1D,
            "GlobalAvgPool1D": L.GlobalAveragePooling1D}
SIMPLE = {"Dense": L.Dense, "Embedding": L.Embedding, "Activation": L.Activation,
          "Dropout": L.Dropout, "SpatialDropout1D": L.Dropout, "Flatten": L.Flatten,
          "RepeatVector": L.RepeatVector, "Conv1D": L.Conv1D, "Convolution1D": L.Conv1D,
          "Masking": L.Masking}
SUPPORTED = sorted({*RECURRENT, *MERGES, *POOLINGS, *SIMPLE, "Bidirectional", "TimeDistributed",
                    "InputLayer", "RNN"})

# Keras 1 (and Keras 2's legacy interfaces) names -> the Keras 2/3 names.
_RENAMES = {
    "output_dim": "units", "init": "kernel_initializer", "inner_init": "recurrent_initializer",
    "inner_activation": "recurrent_activation", "W_regularizer": "kernel_regularizer",
    "U_regularizer": "recurrent_regularizer", "b_regularizer": "bias_regularizer",
    "W_constraint": "kernel_constraint", "U_constraint": "recurrent_constraint",
    "b_constraint": "bias_constraint", "dropout_W": "dropout", "dropout_U": "recurrent_dropout",
    "bias": "use_bias", "nb_filter": "filters", "filter_length": "kernel_size",
    "subsample_length": "strides", "border_mode": "padding", "pool_length": "pool_size",
    "stride": "strides", "p": "rate", "forget_bias_init": "unit_forget_bias",
    "consume_less": "implementation",
}
_EMBEDDING_RENAMES = {"init": "embeddings_initializer", "W_regularizer": "embeddings_regularizer",
                      "W_constraint": "embeddings_constraint"}
# Accepted anywhere and dropped: they do not change what the layer computes.
_IGNORED = {"name", "trainable", "dtype", "batch_input_shape", "batch_shape", "input_shape",
            "input_dim", "input_length", "implementation", "unroll", "use_cudnn", "seed",
            "batch_size", "build_config", "shared_object_id", "input_dtype", "sparse",
            "ragged", "optional"}
_TRAINING_ONLY = ("regularizer", "constraint")
_NONE_ONLY = {"quantization_config", "lora_rank", "lora_alpha", "time_major", "weights",
              "dropout_rate"}

_ALLOWED = {
    "Dense": {"units", "activation", "use_bias", "kernel_initializer", "bias_initializer"},
    "Embedding": {"input_dim", "output_dim", "embeddings_initializer", "mask_zero", "dropout"},
    "Activation": {"activation"},
    "Dropout": {"rate", "noise_shape"},
    "Flatten": {"data_format"},
    "RepeatVector": {"n"},
    "Masking": {"mask_value"},
    "Conv1D": {"filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
               "groups", "activation", "use_bias", "kernel_initializer", "bias_initializer"},
    "pooling": {"pool_size", "strides", "padding", "data_format"},
    "global": {"data_format", "keepdims"},
    "cell": {"units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
             "recurrent_initializer", "bias_initializer", "unit_forget_bias", "dropout",
             "recurrent_dropout", "reset_after"},
    "RNN": {"cell", "return_sequences", "return_state", "go_backwards", "stateful",
            "zero_output_for_mask"},
    "merge": {"axis"},
    "Bidirectional": {"layer", "merge_mode", "backward_layer"},
    "TimeDistributed": {"layer"},
}

_ALLOWED["recurrent"] = _ALLOWED["cell"] | _ALLOWED["RNN"] - {"cell"}

_INITIALIZERS = {"glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "lecun_normal",
                 "lecun_uniform", "orthogonal", "zeros", "ones", "constant", "uniform",
                 "random_uniform", "normal", "random_normal", "truncated_normal",
                 "variance_scaling", "identity"}
_INITIALIZER_ALIASES = {"zero": "zeros", "one": "ones", "orthogonal_initializer": "orthogonal",
                        "glorot_uniform_initializer": "glorot_uniform"}


def keras_major(version) -> int:
    """The major Keras version of a file's ``keras_version`` (1 when the file has none, as
    Keras reads it)."""
    text = version.decode("utf-8") if isinstance(version, bytes) else str(version or "1")
    match = re.match(r"\s*(\d+)", text)
    return int(match.group(1)) if match else 1


def layer_from_keras(entry, major, sizes=None):
    """The seqlab layer for one Keras layer entry (see the module docstring).

    `sizes` (a list) collects ``(layer name, parameter count known from the config)``."""
    kind, config, name = _parts(entry)
    if kind in ("Lambda", "TFOpLambda", "SlicingOpLambda"):
        raise KerasConfigError(f"layer {name!r} is a {kind}: it holds Python code, which seqlab "
                               "never runs from a file. Rebuild that part in code and load the "
                               "weights with load_weights(..., by_name=True)")
    renames = _EMBEDDING_RENAMES if kind == "Embedding" else _RENAMES
    config = {renames.get(k, k): v for k, v in config.items()}
    if kind == "Bidirectional":
        return _bidirectional(config, name, major, sizes)
    if kind == "TimeDistributed":
        _check_keys(config, _ALLOWED[kind], name, kind)
        inner = layer_from_keras(_nested(config, "layer", name, kind), major, sizes)
        return L.TimeDistributed(inner, **_common(config, name, kind))
    if kind in RECURRENT:
        return _recurrent(kind, config, name, major, sizes)
    if kind == "RNN":
        return _rnn(config, name, major, sizes)
    if kind in MERGES:
        _check_keys(config, _ALLOWED["merge"], name, kind)
        arguments = {"axis": config["axis"]} if kind == "Concatenate" and "axis" in config else {}
        return MERGES[kind](**arguments, **_common(config, name, kind))
    if kind in POOLINGS:
        is_global = kind.startswith("Global")
        _check_keys(config, _ALLOWED["global" if is_global else "pooling"], name, kind)
        arguments = _pick(config, _ALLOWED["global" if is_global else "pooling"])
        for key in ("pool_size", "strides"):
            if key in arguments and arguments[key] is not None:
                arguments[key] = _size(arguments[key], key, name, kind)
        if POOLINGS[kind] is L.GlobalMaxPooling1D:
            arguments["masking"] = False  # Keras's max reads masked steps too
        return POOLINGS[kind](**arguments, **_common(config, name, kind))
    if kind in SIMPLE:
        return _simple(kind, config, name, major, sizes)
    raise KerasConfigError(f"layer {name!r}: class {kind!r} is not supported (seqlab reads "
                           f"{', '.join(SUPPORTED)})")


# ------------------------------------------------------------------------ classes

def _simple(kind, config, name, major, sizes):
    family = "Conv1D" if kind == "Convolution1D" else ("Dropout" if kind == "SpatialDropout1D"
                                                       else kind)
    _check_keys(config, _ALLOWED[family], name, kind)
    arguments = _pick(config, _ALLOWED[family])
    common = _common(config, name, kind)
    if "activation" in arguments:
        arguments["activation"] = activation(arguments["activation"], major, name, kind)
    for key in ("kernel_initializer", "bias_initializer", "embeddings_initializer"):
        if key in arguments:
            arguments[key] = initializer(arguments[key], name, kind, key)
    if family == "Dense":
        arguments["units"] = _size(arguments.get("units"), "units", name, kind)
        width = _input_width(config)
        _count(sizes, name, (width or 1) * arguments["units"])
    elif family == "Embedding":
        if config.get("dropout"):
            raise KerasConfigError(f"layer {name!r} ({kind}): Keras 1's Embedding dropout="
                                   f"{config['dropout']!r} is not supported")
        arguments.pop("dropout", None)
        for key in ("input_dim", "output_dim"):
            arguments[key] = _size(arguments.get(key), key, name, kind)
        _count(sizes, name, arguments["input_dim"] * arguments["output_dim"])
        if config.get("input_length") is not None:
            arguments["input_length"] = _size(config["input_length"], "input_length", name, kind)
    elif family == "Conv1D":
        arguments["masking"] = False  # Keras's Conv1D drops the mask
        arguments["filters"] = _size(arguments.get("filters"), "filters", name, kind)
        for key in ("kernel_size", "strides", "dilation_rate"):
            if key in arguments:
                arguments[key] = _size(arguments[key], key, name, kind)
        _count(sizes, name, arguments["filters"] * arguments.get("kernel_size", 1)
               * (_input_width(config) or 1))
    elif family == "Dropout":
        if kind == "SpatialDropout1D":  # one draw per (sample, channel), shared over time
            arguments["noise_shape"] = [None, 1, None]
    elif family == "RepeatVector":
        arguments["n"] = _size(arguments.get("n"), "n", name, kind)
    elif family == "Flatten" and arguments.pop("data_format", None) not in (None, "channels_last"):
        raise KerasConfigError(f"layer {name!r} ({kind}): only data_format='channels_last' is "
                               f"supported, got {config['data_format']!r}")
    try:
        return SIMPLE[kind](**arguments, **common)
    except (TypeError, ValueError) as error:
        raise KerasConfigError(f"layer {name!r} ({kind}): {error}") from None


def _recurrent(kind, config, name, major, sizes):
    _check_keys(config, _ALLOWED["recurrent"], name, kind)
    arguments = _recurrent_arguments(kind, config, name, major, sizes)
    arguments.update(_pick(config, _ALLOWED["RNN"] - {"cell"}))
    try:
        return RECURRENT[kind](**arguments, **_common(config, name, kind))
    except (TypeError, ValueError) as error:
        raise KerasConfigError(f"layer {name!r} ({kind}): {error}") from None


def _rnn(config, name, major, sizes):
    """``RNN(cell)`` with one SimpleRNNCell / LSTMCell / GRUCell."""
    kind = "RNN"
    _check_keys(config, _ALLOWED["RNN"], name, kind)
    entry = config.get("cell")
    cell_kind = entry.get("class_name") if isinstance(entry, dict) else None
    if cell_kind not in CELLS:
        raise KerasConfigError(f"layer {name!r} (RNN): cell {_short(cell_kind or entry)} is not "
                               f"supported (one of {', '.join(CELLS)} is)")
    cell_config = {_RENAMES.get(k, k): v for k, v in (entry.get("config") or {}).items()}
    cell_name = cell_config.get("name", "cell")
    _check_keys(cell_config, _ALLOWED["cell"], cell_name, cell_kind)
    base = cell_kind[:-len("Cell")]
    arguments = _recurrent_arguments(base, cell_config, cell_name, major, sizes)
    try:
        cell = CELLS[cell_kind](**arguments, name=str(cell_name))
        return L.RNN(cell, **_pick(config, _ALLOWED["RNN"] - {"cell"}),
                     **_common(config, name, kind))
    except (TypeError, ValueError) as error:
        raise KerasConfigError(f"layer {name!r} (RNN of {cell_kind}): {error}") from None


def _recurrent_arguments(kind, config, name, major, sizes):
    """The cell arguments of a SimpleRNN / LSTM / GRU / CuDNN* config (or of its cell)."""
    arguments = _pick(config, _ALLOWED["cell"])
    units = arguments["units"] = _size(arguments.get("units"), "units", name, kind)
    if kind == "SimpleRNN":
        arguments.pop("recurrent_activation", None)
        arguments.pop("unit_forget_bias", None)
    if kind in ("LSTM", "CuDNNLSTM") and "unit_forget_bias" in arguments:
        value = arguments["unit_forget_bias"]
        if not isinstance(value, bool):  # Keras 1: forget_bias_init='one'
            value = initializer(value, name, kind, "forget_bias_init") == "ones"
        arguments["unit_forget_bias"] = value
    if kind == "GRU":
        arguments.setdefault("reset_after", False)  # absent from files before tf.keras 2
    elif kind == "CuDNNGRU":
        arguments["reset_after"] = True
    elif "reset_after" in arguments:
        raise KerasConfigError(f"layer {name!r} ({kind}): unknown config key 'reset_after'")
    if kind.startswith("CuDNN"):
        arguments.update(activation="tanh", recurrent_activation="sigmoid")
    for key in ("activation", "recurrent_activation"):
        if key in arguments:
            arguments[key] = activation(arguments[key], major, name, kind)
    for key in ("kernel_initializer", "recurrent_initializer", "bias_initializer"):
        if key in arguments:
            arguments[key] = initializer(arguments[key], name, kind, key)
    gates = {"SimpleRNN": 1, "GRU": 3, "CuDNNGRU": 3}.get(kind, 4)
    _count(sizes, name, gates * units * (units + (_input_width(config) or 1)))
    return arguments


def _bidirectional(config, name, major, sizes):
    kind = "Bidirectional"
    _check_keys(config, _ALLOWED[kind], name, kind)
    inner = layer_from_keras(_nested(config, "layer", name, kind), major, sizes)
    backward = None
    if config.get("backward_layer") is not None:
        backward = layer_from_keras(_nested(config, "backward_layer", name, kind), major, sizes)
    elif sizes is not None and sizes:
        sizes.append((name, sizes[-1][1]))  # the backward copy has as many
    try:
        return L.Bidirectional(inner, merge_mode=config.get("merge_mode", "concat"),
                               backward_layer=backward, **_common(config, name, kind))
    except ValueError as error:
        raise KerasConfigError(f"layer {name!r} ({kind}): {error}") from None


# ------------------------------------------------------------------------- values

def activation(value, major, name, kind):
    """A Keras activation name as seqlab's (the Keras 2 hard_sigmoid in Keras 1/2 files)."""
    if value is None:
        return "linear"
    if isinstance(value, dict):  # Keras 3 may serialize a function as a dict
        value = value.get("config", value.get("class_name"))
        value = value.get("name", value) if isinstance(value, dict) else value
    if not isinstance(value, str) or value not in L.activations.ACTIVATIONS \
            or value == "hard_sigmoid_keras2":
        raise KerasConfigError(f"layer {name!r} ({kind}): activation {value!r} is not a Keras "
                               f"built-in seqlab knows ({', '.join(sorted(_KNOWN))})")
    if value == "hard_sigmoid" and major < 3:
        return "hard_sigmoid_keras2"  # Keras 1/2: clip(0.2 x + 0.5, 0, 1)
    return value


_KNOWN = set(L.activations.ACTIVATIONS) - {"hard_sigmoid_keras2"}


def initializer(value, name, kind, key):
    """A Keras initializer (name or ``{"class_name", "config"}``) as a seqlab name. The
    loaded weights replace what it draws, so its parameters are not kept."""
    if value is None:
        return "zeros"
    raw = value.get("class_name") if isinstance(value, dict) else value
    if isinstance(raw, str):
        snake = _snake(raw)
        snake = _INITIALIZER_ALIASES.get(snake, snake)
        if snake in _INITIALIZERS:
            return snake
    raise KerasConfigError(f"layer {name!r} ({kind}): {key}={raw!r} is not a Keras initializer "
                           f"seqlab knows ({', '.join(sorted(_INITIALIZERS))})")


def input_shape_of(config, kind=None):
    """The batch shape declared on a layer or InputLayer config (or None). Keras 1 and 2
    also declare it by ``input_dim`` (+ ``input_length``) on the first layer."""
    for key in ("batch_shape", "batch_input_shape"):
        if config.get(key) is not None:
            return tuple(config[key])
    if config.get("input_shape") is not None:
        return (None, *config["input_shape"])
    if kind == "Embedding":
        length = config.get("input_length")
        return (None, length) if length is not None else None
    if config.get("input_dim") is not None:
        if kind in ("Dense", None):
            return (None, config["input_dim"])
        return (None, config.get("input_length"), config["input_dim"])
    return None


def _parts(entry):
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str) \
            or not isinstance(entry.get("config", {}), dict):
        raise KerasConfigError(f"a layer entry must be {{'class_name': str, 'config': dict}}, "
                               f"got {str(entry)[:200]}")
    config = entry.get("config", {})
    name = config.get("name", entry.get("name", "?"))
    return entry["class_name"], config, name


def _nested(config, key, name, kind):
    value = config.get(key)
    if not isinstance(value, dict):
        raise KerasConfigError(f"layer {name!r} ({kind}): config key {key!r} must be a layer "
                               f"entry, got {value!r}")
    return value


def _check_keys(config, allowed, name, kind):
    for key, value in config.items():
        if key in allowed or key in _IGNORED:
            continue
        if key.endswith(_TRAINING_ONLY) or key == "activity_regularizer":
            if value is not None:
                say_once(f"Keras file: layer {name!r} ({kind}) has {key}={_short(value)}: "
                         "seqlab has no regularizers or constraints, so it is dropped (outputs "
                         "are unchanged; training from here differs)")
            continue
        if key in _NONE_ONLY:
            if value not in (None, False, 0):
                raise KerasConfigError(f"layer {name!r} ({kind}): config key {key}={value!r} "
                                       "is not supported")
            continue
        raise KerasConfigError(f"layer {name!r} ({kind}): unknown config key {key!r} "
                               f"(value {_short(value)}); seqlab reads {sorted(allowed)}")


def _common(config, name, kind):
    dtype = config.get("dtype")
    if isinstance(dtype, dict):  # Keras 3 DTypePolicy
        dtype = (dtype.get("config") or {}).get("name")
    if dtype not in (None, "float32", "float64"):
        say_once(f"Keras file: layer {name!r} ({kind}) has dtype {dtype!r}; seqlab runs it in "
                 "float32")
        dtype = None
    return {"name": str(name), "trainable": bool(config.get("trainable", True)),
            **({"dtype": dtype} if dtype == "float64" else {})}


def _pick(config, keys):
    return {k: config[k] for k in keys if k in config}


def _size(value, key, name, kind):
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIZE:
        raise KerasConfigError(f"layer {name!r} ({kind}): {key}={_short(value)} must be a whole "
                               f"number from 1 to {MAX_SIZE:,}")
    return value


def _input_width(config):
    shape = input_shape_of(config, "Dense" if "kernel_size" not in config else "Conv1D")
    width = shape[-1] if shape else None
    return width if isinstance(width, int) and 0 < width <= MAX_SIZE else None


def _count(sizes, name, count):
    if sizes is not None:
        sizes.append((name, int(count)))


def _snake(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _short(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
