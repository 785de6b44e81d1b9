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

import logging


from .._log import say_once
from .. import layers as L
from ._keras_values import (MAX_SIZE, KerasConfigError, activation, initializer, input_shape_of,
                            short, size)

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
# Layers whose Keras config keys are seqlab's constructor arguments as they stand.
AS_GIVEN = {"Reshape": (L.Reshape, {"target_shape"}), "Permute": (L.Permute, {"dims"}),
            "LeakyReLU": (L.LeakyReLU, {"alpha", "negative_slope"}),
            "GaussianNoise": (L.GaussianNoise, {"stddev"}),
            "ZeroPadding1D": (L.ZeroPadding1D, {"padding", "data_format"}),
            "UpSampling1D": (L.UpSampling1D, {"size"}),
            "Cropping1D": (L.Cropping1D, {"cropping"}),
            "BatchNormalization": (L.BatchNormalization, {
                "axis", "momentum", "epsilon", "center", "scale", "beta_initializer",
                "gamma_initializer", "moving_mean_initializer",
                "moving_variance_initializer", "synchronized"})}
SUPPORTED = sorted({*RECURRENT, *MERGES, *POOLINGS, *SIMPLE, *AS_GIVEN, "Bidirectional",
                    "TimeDistributed", "InputLayer", "RNN"})

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
            "ragged", "optional", "fused", "renorm_momentum"}
_TRAINING_ONLY = ("regularizer", "constraint")
_NONE_ONLY = {"quantization_config", "lora_rank", "lora_alpha", "time_major", "weights",
              "dropout_rate", "renorm", "renorm_clipping", "virtual_batch_size", "adjustment"}

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
    layer = _other(kind, config, name, major, sizes)
    if layer is not None:
        return layer
    raise KerasConfigError(f"layer {name!r}: class {kind!r} is not supported (seqlab reads "
                           f"{', '.join(SUPPORTED)})")


def _other(kind, config, name, major, sizes):
    """Merges, poolings and the simple layers (None for another class)."""
    if kind in MERGES:
        _check_keys(config, _ALLOWED["merge"], name, kind)
        arguments = {"axis": config["axis"]} if kind == "Concatenate" and "axis" in config else {}
        return _made(MERGES[kind], arguments, config, name, kind)
    if kind in POOLINGS:
        is_global = kind.startswith("Global")
        _check_keys(config, _ALLOWED["global" if is_global else "pooling"], name, kind)
        arguments = _pick(config, _ALLOWED["global" if is_global else "pooling"])
        for key in ("pool_size", "strides"):
            if key in arguments and arguments[key] is not None:
                arguments[key] = size(arguments[key], key, name, kind)
        if POOLINGS[kind] is L.GlobalMaxPooling1D:
            arguments["masking"] = False  # Keras's max reads masked steps too
        return _made(POOLINGS[kind], arguments, config, name, kind)
    if kind in SIMPLE:
        return _simple(kind, config, name, major, sizes)
    if kind in AS_GIVEN:
        cls, allowed = AS_GIVEN[kind]
        _check_keys(config, allowed, name, kind)
        arguments = _pick(config, allowed)
        for key in [k for k in arguments if k.endswith("_initializer")]:
            arguments[key] = initializer(arguments[key], name, kind, key)
        if isinstance(arguments.get("axis"), list) and len(arguments["axis"]) == 1:
            arguments["axis"] = arguments["axis"][0]  # Keras 2 writes BatchNormalization's axis as a list
        return _made(cls, arguments, config, name, kind)
    return None


def _made(cls, arguments, config, name, kind):
    try:
        return cls(**arguments, **_common(config, name, kind))
    except (TypeError, ValueError) as error:
        raise KerasConfigError(f"layer {name!r} ({kind}): {error}") from None


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
        arguments["units"] = size(arguments.get("units"), "units", name, kind)
        width = _input_width(config)
        _count(sizes, name, (width or 1) * arguments["units"])
    elif family == "Embedding":
        if config.get("dropout"):
            raise KerasConfigError(f"layer {name!r} ({kind}): Keras 1's Embedding dropout="
                                   f"{config['dropout']!r} is not supported")
        arguments.pop("dropout", None)
        for key in ("input_dim", "output_dim"):
            arguments[key] = size(arguments.get(key), key, name, kind)
        _count(sizes, name, arguments["input_dim"] * arguments["output_dim"])
        if config.get("input_length") is not None:
            arguments["input_length"] = size(config["input_length"], "input_length", name, kind)
    elif family == "Conv1D":
        arguments["masking"] = False  # Keras's Conv1D drops the mask
        arguments["filters"] = size(arguments.get("filters"), "filters", name, kind)
        for key in ("kernel_size", "strides", "dilation_rate"):
            if key in arguments:
                arguments[key] = size(arguments[key], key, name, kind)
        _count(sizes, name, arguments["filters"] * arguments.get("kernel_size", 1)
               * (_input_width(config) or 1))
    elif family == "Dropout":
        if kind == "SpatialDropout1D":  # one draw per (sample, channel), shared over time
            arguments["noise_shape"] = [None, 1, None]
    elif family == "RepeatVector":
        arguments["n"] = size(arguments.get("n"), "n", name, kind)
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
        raise KerasConfigError(f"layer {name!r} (RNN): cell {short(cell_kind or entry)} is not "
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
    units = arguments["units"] = size(arguments.get("units"), "units", name, kind)
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
                say_once(f"Keras file: layer {name!r} ({kind}) has {key}={short(value)}: "
                         "seqlab has no regularizers or constraints, so it is dropped (outputs "
                         "are unchanged; training from here differs)", logging.WARNING)
            continue
        if key in _NONE_ONLY:
            if value not in (None, False, 0):
                raise KerasConfigError(f"layer {name!r} ({kind}): config key {key}={value!r} "
                                       "is not supported")
            continue
        raise KerasConfigError(f"layer {name!r} ({kind}): unknown config key {key!r} "
                               f"(value {short(value)}); seqlab reads {sorted(allowed)}")


def _common(config, name, kind):
    dtype = config.get("dtype")
    if isinstance(dtype, dict):  # Keras 3 DTypePolicy
        dtype = (dtype.get("config") or {}).get("name")
    if dtype not in (None, "float32", "float64"):
        say_once(f"Keras file: layer {name!r} ({kind}) has dtype {dtype!r}; seqlab runs it in "
                 "float32", logging.WARNING)
        dtype = None
    return {"name": str(name), "trainable": bool(config.get("trainable", True)),
            **({"dtype": dtype} if dtype == "float64" else {})}


def _pick(config, keys):
    return {k: config[k] for k in keys if k in config}


def _input_width(config):
    shape = input_shape_of(config, "Dense" if "kernel_size" not in config else "Conv1D")
    width = shape[-1] if shape else None
    return width if isinstance(width, int) and 0 < width <= MAX_SIZE else None


def _count(sizes, name, count):
    if sizes is not None:
        sizes.append((name, int(count)))
