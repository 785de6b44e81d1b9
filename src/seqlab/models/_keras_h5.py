"""Keras HDF5 files (Keras 1, Keras 2 / tf.keras, and the legacy ``.h5`` Keras 3 writes).

A full-model file (``model.save("model.h5")``) holds, as in tf-keras
``saving/legacy/hdf5_format.py``:

* root attributes ``model_config`` (the architecture, JSON), ``training_config`` (the
  compile settings, JSON, optional), ``keras_version`` and ``backend``;
* a group ``model_weights`` whose attribute ``layer_names`` lists the layers; each layer
  has a group with an attribute ``weight_names`` and one dataset per name (the path
  inside the layer's group is the weight's name, e.g. ``lstm/lstm_cell/kernel:0``).
  Attributes too long for HDF5's 64 KB header are split into ``layer_names0``,
  ``layer_names1``...

A weights-only file (``save_weights("w.h5")``) has that layout at its root. Files that
tf.keras >= 2.13 and Keras 3 write as ``*.weights.h5`` use Keras 3's layout instead
(``layers/<name>/vars/0``...), read by ``_keras_archive``.

Nothing in a file is executed: JSON is parsed, layers are looked up by name, and every
dataset's shape is checked before its values are read.
"""
from __future__ import annotations

import logging

import json
import os

import numpy as np

from .._log import say_once
from ..layers._weights import WeightBudget

from ._keras_values import KerasConfigError, keras_major
from ._keras_model import model_from_keras
from ._keras_weights import check_and_set, convert, has_weights, layer_budget, read_datasets

EXTRA = 'pip install "seqlab[keras]"'


def h5py_module():
    """h5py, or an ImportError that says how to get it."""
    try:
        import h5py
    except ImportError:
        raise ImportError("Reading and writing Keras .h5 and .keras files needs h5py, which is "
                          f"not installed: {EXTRA}") from None
    return h5py


def open_h5(source, label=None):
    """An open read-only h5py.File of a path or a binary file object, or a ValueError."""
    h5py = h5py_module()
    label = label or str(source)
    try:
        return h5py.File(source, "r")
    except (OSError, ValueError) as error:
        raise ValueError(f"{label} is not a readable HDF5 file (truncated or corrupted?): "
                         f"{error}") from None


def text_attribute(holder, name):
    value = holder.attrs.get(name)
    if value is None:
        return None
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value[()]
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def list_attribute(group, name) -> list:
    """Keras's ``load_attributes_from_hdf5_group``: a list attribute, or its chunks."""
    def decode(values):
        return [v.decode("utf-8") if isinstance(v, bytes) else str(v)
                for v in np.atleast_1d(values)]

    if name in group.attrs:
        return decode(group.attrs[name])
    values, chunk = [], 0
    while f"{name}{chunk}" in group.attrs:
        values.extend(decode(group.attrs[f"{name}{chunk}"]))
        chunk += 1
    return values


# --------------------------------------------------------------------- full models

def load_h5_model(filepath, compile=True):  # noqa: A002
    """The model of a Keras ``.h5`` full-model file (see the module docstring)."""
    from ._keras_compile import compile_from_keras

    label = str(filepath)
    with open_h5(os.fspath(filepath), label) as file:
        config_text = text_attribute(file, "model_config")
        if config_text is None:
            if "layer_names" in file.attrs or "layers" in file:
                raise ValueError(f"{label} holds only weights (save_weights), no architecture: "
                                 "build the model in code, then model.load_weights(path)")
            raise ValueError(f"{label} is an HDF5 file but not a Keras model file (no "
                             "model_config attribute)")
        if "model_weights" not in file:
            raise ValueError(f"{label}: the Keras file has no model_weights group (truncated?)")
        group = file["model_weights"]
        major = keras_major(text_attribute(group, "keras_version")
                            or text_attribute(file, "keras_version"))
        config = _json(config_text, label, "model_config")
        limit = _limit(group)  # no random init, and never more weights than this
        with WeightBudget(limit, f"the bound for {label}"):  # (shape errors name the weight)
            model, _ = model_from_keras(config, major, limit)
        stored = _stored_layers(group, label)
        pairs = []
        for layer in model.layers:
            if not has_weights(layer):
                continue
            if layer.name not in stored:
                raise ValueError(f"{label}: the file has no weights for layer {layer.name!r}")
            pairs.append(_converted(layer, stored[layer.name], major, label, file))
        check_and_set(pairs, label)
        training = text_attribute(file, "training_config")
    if compile and training is not None:
        compile_from_keras(model, _json(training, label, "training_config"), label)
    model.eval()
    return model


# ---------------------------------------------------------------------- weights only

def load_h5_weights(model, filepath, by_name=False, skip_mismatch=False):
    """``model.load_weights(path)`` for a Keras HDF5 weights file (or a full-model one):
    by layer order as Keras does by default, or by layer name with ``by_name=True``."""
    label = str(filepath)
    with open_h5(os.fspath(filepath), label) as file:
        if "layer_names" not in file.attrs and "model_weights" not in file and (
                "layers" in file or "_layer_checkpoint_dependencies" in file):
            if by_name:
                raise ValueError(f"{label} has Keras 3's weights layout, whose groups are "
                                 "numbered by layer class, not named: it loads in layer order "
                                 "only (leave by_name=False), as in Keras")
            from ._keras_archive import load_v3_weights
            return load_v3_weights(model, file, label)
        group = file["model_weights"] if "model_weights" in file else file
        if "layer_names" not in group.attrs and "layer_names0" not in group.attrs:
            raise ValueError(f"{label} is an HDF5 file but not a Keras weights file (no "
                             "layer_names attribute)")
        major = keras_major(text_attribute(group, "keras_version"))
        stored = _stored_layers(group, label)
        layers = [layer for layer in model.layers if has_weights(layer)]
        pairs = []
        if by_name:
            for layer in layers:
                if layer.name not in stored:
                    continue  # as Keras: layers the file does not name keep their weights
                try:
                    pair = _converted(layer, stored[layer.name], major, label, file)
                    check_and_set([pair], label) if skip_mismatch else pairs.append(pair)
                except ValueError as error:
                    if not skip_mismatch:
                        raise
                    say_once(f"load_weights: skipped layer {layer.name!r}: {error}",
                             logging.WARNING)
        else:
            names = [name for name, datasets in stored.items() if datasets]
            if len(names) != len(layers):
                raise ValueError(f"{label} has weights for {len(names)} layers ({names}), the "
                                 f"model has {len(layers)} layers with weights "
                                 f"({[layer.name for layer in layers]}); pass by_name=True to "
                                 "match them by name")
            pairs = [_converted(layer, stored[name], major, label, file)
                     for layer, name in zip(layers, names)]
        check_and_set(pairs, label)


# ------------------------------------------------------------------------- helpers

def _stored_layers(group, label) -> dict:
    """``{layer name: [datasets]}`` in the file's layer order (datasets not read)."""
    stored = {}
    for name in list_attribute(group, "layer_names"):
        if name not in group:
            raise ValueError(f"{label}: layer_names lists {name!r} but the file has no such "
                             "group (truncated or corrupted?)")
        layer_group = group[name]
        datasets = []
        for weight in list_attribute(layer_group, "weight_names"):
            try:
                datasets.append(layer_group[weight])
            except (KeyError, OSError, ValueError):
                raise ValueError(f"{label}: layer {name!r} lists weight {weight!r} but the "
                                 "file does not hold it (truncated or corrupted?)") from None
        stored[name] = datasets
    return stored


def _converted(layer, datasets, major, label, file):
    arrays = read_datasets(datasets, layer_budget(layer), label, layer, (file.filename,))
    try:
        return layer, convert(layer, arrays, major)
    except (ValueError, IndexError) as error:
        raise ValueError(f"{label}: layer {layer.name!r}: {error}") from None


def _limit(group) -> int:
    """How many weights the config may declare: all the file holds (datasets' shapes), or
    2**28 (1 GB of float32) when that is more."""
    total = 0

    def add(_, item):
        nonlocal total
        shape = getattr(item, "shape", None)
        if shape is not None:
            total += int(np.prod(shape, dtype=np.int64)) if shape else 1

    group.visititems(add)
    return max(2 ** 28, 2 * total)


def _json(text, label, what):
    try:
        return json.loads(text)
    except (json.JSONDecodeError, TypeError, RecursionError) as error:
        raise KerasConfigError(f"{label}: {what} is not valid JSON ({error})") from None
