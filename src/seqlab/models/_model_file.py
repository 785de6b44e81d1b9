"""The checks that make a model file safe to open: digests, and bounds on the header.

A seqlab model file is safetensors: tensors, and a header of JSON strings. On saving,
``digests`` adds the SHA-256 of the weights (with the architecture), of the optimizer
state (its tensors and settings) and of the rest of the header; on loading ``read``
refuses a file whose bytes no longer match them, naming the file. A digest detects a
damaged or edited file; it is not a signature (whoever edits the file can recompute it).

Before anything is built, ``parse_architecture`` bounds what a header may ask for: JSON
nested at most ``MAX_DEPTH`` levels, at most ``MAX_LAYERS`` layers, input shapes of whole
numbers with at most ``MAX_SAMPLE_VALUES`` values per sample, dtype names that are
dtypes. The build itself then runs inside a ``WeightBudget`` (no random initialisation,
never more weights than the file holds), so a 3 KB file cannot make seqlab allocate
gigabytes.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from pathlib import Path

import torch

from ..layers._base import _torch_dtype

logger = logging.getLogger("seqlab")

MAX_DEPTH = 64  # JSON nesting in a header (a Bidirectional(LSTM) model needs about 8)
MAX_LAYERS = 10_000
MAX_SAMPLE_VALUES = 2 ** 24  # values per sample of a declared input shape (batch included)

# which tensors (by key prefix) and header entries each digest covers
_DIGESTS = {"sha256.weights": ("weights/", ("model",)),
            "sha256.optimizer": ("optimizer/", ("optimizer",))}
_WEIGHTS_FILE_DIGEST = "sha256.weights"  # a save_weights file: all its tensors are weights
_OTHER = "sha256.header"  # every other header entry (compile settings, tokenizer, format...)


def digests(tensors: dict, metadata: dict, weights_file: bool = False) -> dict:
    """The digest entries to add to `metadata` for a file holding `tensors`."""
    if weights_file:
        return {_WEIGHTS_FILE_DIGEST: _digest(tensors, list(tensors), [])}
    entries = {}
    covered = set()
    for name, (prefix, texts) in _DIGESTS.items():
        keys = [k for k in tensors if k.startswith(prefix)]
        present = [t for t in texts if t in metadata]
        covered.update(present)
        if keys or present:
            entries[name] = _digest(tensors, keys, [metadata[t] for t in present])
    rest = sorted(k for k in metadata if k not in covered and not k.startswith("sha256."))
    entries[_OTHER] = _digest({}, [], [f"{k}={metadata[k]}" for k in rest])
    return entries


def read(filepath, expected: str, also: str | None = None):
    """``(metadata, tensors)`` of a seqlab safetensors file, after checking its format and
    digests; ValueError naming the file for anything unreadable or altered."""
    from safetensors import safe_open

    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(f"expected the path of a model file, got {filepath!r}")
    path = Path(os.fspath(filepath))
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file" if not path.is_dir() else
                                f"{path} is a folder: pass the model file inside it")
    try:
        with safe_open(str(path), framework="pt") as file:
            metadata = file.metadata() or {}
            tensors = {key: file.get_tensor(key) for key in file.keys()}
    except Exception as error:  # safetensors raises its own error types for bad files
        raise ValueError(f"{path} is not a readable seqlab file (truncated or corrupted?): "
                         f"{error}") from None
    if metadata.get("format") not in (expected, also):
        raise ValueError(f"{path} is a safetensors file but not a {expected} file "
                         f"(format={metadata.get('format')!r}); was it written by model.save?")
    _check_digests(path, metadata, tensors)
    return metadata, tensors


def _check_digests(path, metadata, tensors):
    stored = {k: v for k, v in metadata.items() if k.startswith("sha256.")}
    if not stored:
        if metadata.get("version") == "1":
            logger.warning("%s was written before seqlab stored digests (version 1): it "
                           "cannot be checked for damage; save it again to add them", path)
            return
        raise ValueError(f"{path}: the file has no digests (sha256.*), which every seqlab "
                         "model file since version 2 stores: it was altered after saving; "
                         "refusing to load it")
    weights_file = metadata.get("format", "").endswith(".weights")
    header = {k: v for k, v in metadata.items() if not k.startswith("sha256.")}
    computed = digests(tensors, header, weights_file)
    for name in sorted(set(stored) | set(computed)):
        if stored.get(name) != computed.get(name):
            part = {"sha256.weights": "the weights or architecture", "sha256.optimizer":
                    "the optimizer state values"}.get(name, "the header entries")
            raise ValueError(f"{path} was altered or damaged after saving ({part} differ from "
                             f"the {name} digest stored in it): refusing to load it; save "
                             "the model again")


def _digest(tensors, keys, texts) -> str:
    sha = hashlib.sha256()
    for key in sorted(keys):
        tensor = tensors[key].detach().contiguous().cpu()
        sha.update(f"{key}\0{str(tensor.dtype)}\0{tuple(tensor.shape)}\0".encode())
        if tensor.numel():
            sha.update(tensor.reshape(-1).view(torch.uint8).numpy())
    for text in texts:
        sha.update(b"\0" + text.encode("utf-8", "surrogatepass"))
    return sha.hexdigest()


# ------------------------------------------------------------------- the header

def parse_json(text, what: str):
    """`text` parsed as JSON, refusing nesting deeper than MAX_DEPTH (ValueError)."""
    if not isinstance(text, str):
        raise ValueError(f"{what} is not text")
    try:
        value = json.loads(text)
    except RecursionError:
        value = None
        depth = MAX_DEPTH + 1
    else:
        depth = _depth(value)
    if depth > MAX_DEPTH:
        raise ValueError(f"{what} nests more than {MAX_DEPTH} levels deep, more than any "
                         f"model needs (a limit against hostile files)")
    return value


def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        children = item.values() if isinstance(item, dict) else item if isinstance(
            item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def check_architecture(config) -> None:
    """ValueError unless the architecture's layer count, input shapes and dtype names are
    within the bounds above (called before anything is built)."""
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ValueError("the architecture is not a dict with a list of layers")
    if len(config["layers"]) > MAX_LAYERS or len(config.get("nodes") or ()) > MAX_LAYERS:
        raise ValueError(f"the architecture has more than {MAX_LAYERS} layers (a limit "
                         "against hostile files)")
    if config.get("class_name") == "Sequential":
        entry = config.get("input") or {}
        _check_shape(entry.get("shape"), "the input shape")
        _check_dtype(entry.get("dtype"))
    for layer in config["layers"]:
        if isinstance(layer, dict) and layer.get("class_name") == "InputLayer":
            entry = layer.get("config") or {}
            _check_shape([entry.get("batch_size"), *(entry.get("shape") or [])],
                         f"the shape of Input {entry.get('name')!r}")
            _check_dtype(entry.get("dtype"))
        elif isinstance(layer, dict) and isinstance(layer.get("config"), dict):
            _check_dtype(layer["config"].get("dtype"))


def _check_shape(shape, what):
    if not isinstance(shape, list) or not all(
            d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0)
            for d in shape):
        raise ValueError(f"{what} must be a list of whole numbers or null, got {shape!r}")
    values = math.prod(d for d in shape if d is not None)
    if values > MAX_SAMPLE_VALUES:
        raise ValueError(f"{what} {tuple(shape)} declares {values:,} values per sample, past "
                         f"the {MAX_SAMPLE_VALUES:,} a model file may ask for (a limit "
                         "against hostile files)")


def _check_dtype(dtype):
    if dtype is not None and dtype != "string":  # "string": texts for TextVectorization
        _torch_dtype(dtype)  # ValueError naming it when it is not a dtype
