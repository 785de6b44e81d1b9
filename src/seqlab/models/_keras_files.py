"""The doors from ``load_model`` / ``load_weights`` / ``save`` to the Keras file formats.

A file is recognised by its first bytes, whatever its name: HDF5 (``\\x89HDF``) is a
Keras ``.h5`` file, a zip (``PK``) a Keras 3 ``.keras`` file; anything else is left to
seqlab's own safetensors format. A folder is a seqlab run folder: its
``model.safetensors``.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from .._log import logger
from ._keras_values import keras_major
from ._keras_model import model_from_keras

_HDF5, _ZIP = b"\x89HDF\r\n\x1a\n", b"PK\x03\x04"


def resolve_run_folder(filepath):
    """`filepath`, or the ``model.safetensors`` of a run folder."""
    path = Path(os.fspath(filepath))
    if path.is_dir():
        model_file = path / "model.safetensors"
        if (path / "saved_model.pb").is_file():
            raise ValueError(f"{path} is a TensorFlow SavedModel folder, which holds TensorFlow "
                             "graphs, not a Keras config: in TensorFlow, save the model with "
                             "model.save('model.h5') or model.save('model.keras') instead")
        if not model_file.is_file():
            raise FileNotFoundError(f"{path} is a folder without model.safetensors: give a "
                                    "seqlab run folder, a model file (.safetensors, Keras .h5 "
                                    "or .keras)")
        return model_file
    return filepath


def _kind(filepath):
    path = Path(os.fspath(filepath))
    if not path.is_file():
        return None
    with open(path, "rb") as file:
        start = file.read(9)
    if start[:8] == _HDF5:
        return "h5"
    if start[:4] == _ZIP:
        return "keras"
    if start[8:9] == b"{":  # safetensors (a length, then the JSON header): seqlab's own file
        return None
    if path.suffix.lower() in (".h5", ".hdf5", ".keras"):
        raise ValueError(f"{path} is named like a Keras file but is neither HDF5 nor a zip "
                         "archive (truncated or corrupted?)")
    return None


def keras_loader(filepath):
    """The function that loads this Keras model file, or None for other files."""
    kind = _kind(filepath)
    if kind == "h5":
        from ._keras_h5 import load_h5_model
        return load_h5_model
    if kind == "keras":
        from ._keras_archive import load_keras_archive
        return load_keras_archive
    return None


def keras_weights_loader(filepath):
    """``f(model, path, by_name, skip_mismatch)`` for a Keras weights file, or None."""
    kind = _kind(filepath)
    if kind == "h5":
        from ._keras_h5 import load_h5_weights
        return load_h5_weights
    if kind == "keras":
        def from_archive(model, path, by_name=False, skip_mismatch=False):
            raise ValueError(f"{path} is a whole .keras model: load it with load_model(path), "
                             "or give its weights file (.weights.h5)")
        return from_archive
    return None


SAVE_FORMATS = (None, "keras", "h5", "safetensors")


def save_keras_file(model, path, tokenizer=None, save_format=None) -> bool:
    """Write `model` as the Keras file `save_format` names (by default the suffix: ``.keras``
    or ``.h5``); False when it goes into seqlab's own file instead: another suffix,
    ``save_format="safetensors"``, or, with no `save_format`, a layer that no Keras file
    seqlab writes can hold (TextVectorization, attention, a class of your own), said in a
    warning. An explicit ``"keras"`` / ``"h5"`` raises for such a layer instead."""
    if save_format not in SAVE_FORMATS:
        extra = " (TensorFlow's SavedModel is not written)" if save_format == "tf" else ""
        raise ValueError(f"save_format must be one of {SAVE_FORMATS}, got {save_format!r}{extra}")
    kind = save_format or {".keras": "keras", ".h5": "h5", ".hdf5": "h5"}.get(
        Path(os.fspath(path)).suffix.lower())
    if kind not in ("keras", "h5"):
        return False
    from ._keras_write import NoKerasEquivalent, save_h5, save_keras
    try:
        (save_keras if kind == "keras" else save_h5)(model, path, tokenizer)
    except NoKerasEquivalent as error:
        if save_format is not None:
            raise
        logger.warning("%s: %s, so the model is saved in seqlab's own format under this name "
                       "(seqlab's load_model reads it, Keras cannot); name it .safetensors to "
                       "say so, or pass save_format=%r to get an error instead", path, error,
                       kind)
        return False
    return True


def model_from_json(json_string, custom_objects=None):
    """A model (fresh weights) from the JSON of Keras's ``model.to_json()`` (tf.keras, Keras
    2 and 3), or of its ``model_config``. Layers are looked up by name, nothing is run."""
    if custom_objects:
        raise ValueError("model_from_json reads Keras's built-in layers only; custom_objects "
                         "are not supported")
    try:
        config = json.loads(json_string)
    except (TypeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"model_from_json: not valid JSON ({error})") from None
    version = config.get("keras_version", "3" if "module" in config else "2") if isinstance(
        config, dict) else "2"
    model, _ = model_from_keras(config, keras_major(version))
    return model
