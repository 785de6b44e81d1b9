"""Keras 3 ``.keras`` files, and weights in Keras 3's HDF5 layout.

A ``.keras`` file (Keras 3 ``saving/saving_lib.py``) is a zip archive of
``metadata.json`` (``keras_version``), ``config.json`` (the model, as
``serialize_keras_object`` writes it, with ``compile_config``) and ``model.weights.h5``.
In the weights file each layer's variables sit at ``layers/<name>/vars/0, 1, ...``, where
``<name>`` is the snake-case class name made unique by a counter in the order of
``model.layers`` (``lstm``, ``lstm_1``, ``dense``...), not the layer's own name. Nested
parts have their own paths: a recurrent layer's weights are its cell's
(``layers/lstm/cell/vars``), a Bidirectional's are ``forward_layer/cell`` then
``backward_layer/cell``, a TimeDistributed's ``layer``. tf.keras 2.13 wrote
``_layer_checkpoint_dependencies`` for ``layers``. ``*.weights.h5`` files
(``save_weights``) have the same layout at their root.

The archive is read with limits: the members must be the ones named above, and their
unpacked sizes are checked before reading (a zip bomb or a truncated archive gives a
ValueError, never a crash).
"""
from __future__ import annotations

import io
import json
import os
import re
import zipfile

from ..layers import Bidirectional, TimeDistributed
from ..layers.recurrent import RNN
from ._keras_values import KerasConfigError, keras_major
from ..layers._weights import WeightBudget
from ._keras_h5 import open_h5
from ._keras_model import model_from_keras
from ._keras_weights import check_and_set, convert, has_weights, layer_budget, read_datasets

CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
MAX_JSON = 64 * 2 ** 20  # bytes of config.json / metadata.json
MAX_WEIGHTS = 8 * 2 ** 30


def load_keras_archive(filepath, compile=True):  # noqa: A002
    """The model of a Keras 3 ``.keras`` file."""
    from ._keras_compile import compile_from_keras

    label = str(filepath)
    try:
        archive = zipfile.ZipFile(os.fspath(filepath))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ValueError(f"{label} is not a readable .keras (zip) file (truncated or "
                         f"corrupted?): {error}") from None
    with archive:
        names = set(archive.namelist())
        if CONFIG not in names:
            raise ValueError(f"{label}: the archive has no {CONFIG}; members: {sorted(names)[:10]}")
        if WEIGHTS not in names:
            extra = " (npz weights are not supported)" if "model.weights.npz" in names else ""
            raise ValueError(f"{label}: the archive has no {WEIGHTS}{extra}")
        config = _read_json(archive, CONFIG, label)
        metadata = _read_json(archive, METADATA, label) if METADATA in names else {}
        major = keras_major(metadata.get("keras_version", "3")) if isinstance(
            metadata, dict) else 3
        size = archive.getinfo(WEIGHTS).file_size
        if size > MAX_WEIGHTS:
            raise ValueError(f"{label}: {WEIGHTS} claims {size:,} bytes, more than seqlab reads")
        data = _read_member(archive, WEIGHTS, label, size)
    with open_h5(io.BytesIO(data), f"{label}/{WEIGHTS}") as weights:
        limit = max(2 ** 28, len(data))  # no random init, and never more weights than this
        with WeightBudget(limit, f"the bound for {label}"):  # (shape errors name the weight)
            model, entries = model_from_keras(config, major, limit)
        classes = [(name, entry.get("class_name")) for name, entry in entries.items()]
        _assign(model, weights, classes, major, label)
    settings = config.get("compile_config") if isinstance(config, dict) else None
    if compile and settings:
        compile_from_keras(model, settings, label)
    model.eval()
    return model


def load_v3_weights(model, file, label):
    """``model.load_weights`` from an open ``*.weights.h5`` in Keras 3's layout, matching
    layers in ``model.layers`` order as Keras does."""
    classes = [(layer.name, type(layer).__name__) for layer in model.layers]
    _assign(model, file, classes, 3, label)


def layer_paths(classes, root="layers"):
    """``{layer name: path}`` for ``[(name, Keras class name), ...]`` in model order."""
    counts, paths = {}, {}
    for name, kind in classes:
        base = _snake(kind)
        index = counts.get(base, -1) + 1
        counts[base] = index
        paths[name] = f"{root}/{base}" if index == 0 else f"{root}/{base}_{index}"
    return paths


def parts(layer, path):
    """``[(path, sublayer)]`` whose ``vars`` hold `layer`'s weights, in get_weights order."""
    if isinstance(layer, Bidirectional):
        return parts(layer.forward_layer, f"{path}/forward_layer") + parts(
            layer.backward_layer, f"{path}/backward_layer")
    if isinstance(layer, TimeDistributed):
        return parts(layer.layer, f"{path}/layer")
    if isinstance(layer, RNN):
        return [(f"{path}/cell", layer.cell)]
    return [(path, layer)]


def _assign(model, weights, classes, major, label):
    root = "layers" if "layers" in weights or "_layer_checkpoint_dependencies" not in weights \
        else "_layer_checkpoint_dependencies"
    paths = layer_paths(classes, root)
    by_name = {layer.name: layer for layer in model.layers}
    pairs = []
    for name, _ in classes:
        layer = by_name.get(name)
        if layer is None or not has_weights(layer):
            continue
        datasets = []
        for path, _part in parts(layer, paths[name]):
            datasets.extend(_vars(weights, path, label, layer))
        arrays = read_datasets(datasets, layer_budget(layer), label, layer,
                               (weights.file.filename,))
        try:
            pairs.append((layer, convert(layer, arrays, major)))
        except (ValueError, IndexError) as error:
            raise ValueError(f"{label}: layer {name!r}: {error}") from None
    check_and_set(pairs, label)


def _vars(weights, path, label, layer):
    group = weights.get(f"{path}/vars") if path in weights else None
    if group is None:
        raise ValueError(f"{label}: no weights at {path}/vars for layer {layer.name!r} "
                         f"({type(layer).__name__}); was the file written for another model?")
    keys = [key for key in group.keys()]
    if any(not key.isdigit() for key in keys):
        raise ValueError(f"{label}: {path}/vars holds {keys}, expected 0, 1, ...")
    return [group[key] for key in sorted(keys, key=int)]


def _read_member(archive, name, label, size):
    stored = archive.getinfo(name).compress_size
    if size > 2 ** 26 and size > 100 * stored:  # as Keras's _reject_zip_bomb
        raise ValueError(f"{label}: {name} would unpack {stored:,} stored bytes into "
                         f"{size:,}: refusing a likely decompression bomb")
    try:
        with archive.open(name) as member:
            data = member.read(size + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
        raise ValueError(f"{label}: {name} cannot be read (truncated or corrupted?): "
                         f"{error}") from None
    if len(data) != size:
        raise ValueError(f"{label}: {name} is {len(data):,} bytes, the archive says {size:,}")
    return data


def _read_json(archive, name, label):
    size = archive.getinfo(name).file_size
    if size > MAX_JSON:
        raise ValueError(f"{label}: {name} claims {size:,} bytes, more than seqlab reads")
    try:
        return json.loads(_read_member(archive, name, label, size).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise KerasConfigError(f"{label}: {name} is not valid JSON ({error})") from None


def _snake(name):
    """Keras's ``naming.to_snake_case``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
