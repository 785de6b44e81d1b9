"""Keras config values as seqlab's: versions, activations, initializers, shapes, sizes.

Shared by the config translation (``_keras_config``) and the model builder
(``_keras_model``); every refusal is a ``KerasConfigError`` naming the layer and key.
"""
from __future__ import annotations

import re

from .. import layers as L

MAX_SIZE = 2 ** 24  # largest units / filters / input_dim / output_dim a file may declare


class KerasConfigError(ValueError):
    """A Keras file asks for something seqlab does not do (or is not a valid config)."""


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
        snake = snake_case(raw)
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


def size(value, key, name, kind):
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIZE:
        raise KerasConfigError(f"layer {name!r} ({kind}): {key}={short(value)} must be a whole "
                               f"number from 1 to {MAX_SIZE:,}")
    return value


def snake_case(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def short(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
