"""Checks of a recipe's settings, made before any data is read or model trained, so that a
typo fails in a second with a message naming the setting."""
from __future__ import annotations

import numbers

from ..models import optimizers


def check_settings(config, counts=(), fractions=(), choices=None, positive=()):
    """Raise ValueError unless every name in `counts` is an int >= 1, every name in
    `fractions` a number in [0, 1), every ``name: allowed`` of `choices` in `allowed`, and
    every name in `positive` None or a number > 0."""
    for name in counts:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {name}={value!r}")
    for name in fractions:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
            raise ValueError(f"{name} must be a fraction in [0, 1), got {name}={value!r}")
    for name in positive:
        value = getattr(config, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real)
                                  or not value > 0):
            raise ValueError(f"{name} must be a number > 0, got {name}={value!r}")
    for name, allowed in (choices or {}).items():
        value = getattr(config, name)
        if value not in allowed:
            raise ValueError(f"{name}={value!r} is not one of: {', '.join(map(str, allowed))}")


def optimizer_for(config):
    """The optimizer a recipe's config names, at its `learning_rate` when one is set (else
    Keras's default for it). The checks build it too, so an unknown name fails early."""
    optimizer = optimizers.get(config.optimizer)
    if config.learning_rate is not None:
        optimizer.learning_rate = config.learning_rate
    return optimizer


def check_label_column(data, text_column: str, label_column: str, least: int = 10) -> None:
    """Refuse a label column whose every value is different (once there are `least`
    texts): a classifier needs several texts per class, so the columns are probably
    swapped (or the label column is an id)."""
    counts = data.counts()
    if len(data) >= least and max(counts.values()) == 1:
        examples = ", ".join([repr(name[:30]) for name, n in counts.items() if n][:3])
        raise ValueError(
            f"{data.source}: every one of the {len(data):,} values of the label column "
            f"{label_column!r} is different ({examples}, ...), so each text would be its own "
            f"class: are the columns swapped? Pass the column of class names as the label "
            f"column and the texts as the text column (now text_column={text_column!r}, "
            f"label_column={label_column!r}; --text-column/--label-column)")


def check_run(folder, config, label_names, model) -> list:
    """A run folder's config.json checked against its model file: label names a list of
    distinct strings, one per model output class; maxlen and padding valid and, where the
    model records it, the length it was trained on. Returns the label names."""
    where = f"{folder}/config.json"
    if not isinstance(label_names, list) or not all(isinstance(n, str) for n in label_names):
        raise ValueError(f"{where}: label_names must be the list of class names the run was "
                         f"trained with, got {label_names!r}; the file was edited or damaged "
                         "(restore it, or train the run again)")
    if len(set(label_names)) != len(label_names):
        raise ValueError(f"{where}: label_names {label_names} repeats a name")
    outputs = _output_classes(model)
    if outputs is not None and outputs != len(label_names):
        raise ValueError(f"{where} names {len(label_names)} classes {label_names[:5]}, but the "
                         f"model in {folder} outputs {outputs}: config.json does not belong "
                         "to this model (edited, or copied from another run)")
    try:
        check_settings(config, counts=("maxlen",), choices={"padding": ["pre", "post"]})
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    stored = getattr(model, "preprocessing", None) or {}
    for name, value in (("maxlen", config.maxlen), ("padding", config.padding),
                        ("label_names", label_names)):
        if name in stored and stored[name] != value:
            raise ValueError(f"{where} says {name}={value!r}, but the model was trained with "
                             f"{name}={stored[name]!r} (stored in its model file): restore "
                             f"{name}={stored[name]!r} (config.json was edited)")
    shape = getattr(model, "input_shape", None)
    length = shape[1] if isinstance(shape, tuple) and len(shape) == 2 else None
    if length is not None and length != config.maxlen:
        raise ValueError(f"{where} says maxlen={config.maxlen}, but the model was trained on "
                         f"sequences of length {length}: restore maxlen={length} (config.json "
                         "was edited)")
    return label_names


def _output_classes(model):
    layers = getattr(model, "layers", None) or []
    units = getattr(layers[-1], "units", None) if layers else None
    return max(2, units) if isinstance(units, int) else None  # one sigmoid unit: 2 classes
