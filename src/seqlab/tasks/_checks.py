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
