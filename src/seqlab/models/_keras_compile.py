"""A Keras file's compile settings (tf.keras ``training_config``, Keras 3
``compile_config``) as ``model.compile(...)``.

Optimizers by class name with the config keys seqlab's optimizers take (``lr`` is
Keras 1's ``learning_rate``); losses and metrics by name, or by class name with their
config. A setting seqlab cannot express (a custom loss, an unknown optimizer, a learning
rate schedule) leaves the model uncompiled with a logged warning, as Keras does for a
file without a training config: the model still predicts, and ``compile`` can be called.
"""
from __future__ import annotations

import inspect
import logging

from .._log import say_once
from . import losses, metrics, optimizers


def compile_from_keras(model, settings, label):
    try:
        arguments = _arguments(settings)
        model.compile(**arguments)
    except (KeyError, TypeError, ValueError) as error:
        say_once(f"{label}: the model was not compiled, as its compile settings cannot be "
                 f"read ({error}); call model.compile(...) before fit", logging.WARNING)
        return False
    return True


def _arguments(settings):
    if not isinstance(settings, dict):
        raise ValueError(f"compile settings must be an object, got {type(settings).__name__}")
    optimizer = settings.get("optimizer_config", settings.get("optimizer"))
    arguments = {"optimizer": _optimizer(optimizer), "loss": _losses(settings.get("loss"))}
    if settings.get("loss_weights") is not None:
        arguments["loss_weights"] = settings["loss_weights"]
    if settings.get("metrics") not in (None, [], {}):
        arguments["metrics"] = _metrics(settings["metrics"])
    if arguments["loss"] is None:
        raise ValueError("no loss")
    return arguments


def _optimizer(value):
    if isinstance(value, str):
        return optimizers.get(value)
    if not isinstance(value, dict) or not isinstance(value.get("class_name"), str):
        raise ValueError(f"optimizer {str(value)[:80]}")
    name = value["class_name"].split(">")[-1]  # tf.keras writes 'Custom>Adam'
    cls = optimizers.get(name).__class__
    config = dict(value.get("config") or {})
    if "lr" in config:
        config.setdefault("learning_rate", config.pop("lr"))
    if isinstance(config.get("learning_rate"), dict):
        raise ValueError("a learning-rate schedule")
    accepted = set(inspect.signature(cls.__init__).parameters)
    return cls(**{k: v for k, v in config.items() if k in accepted and v is not None})


def _losses(value):
    if isinstance(value, list):
        return [_loss(v) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _loss(v) for k, v in value.items()}
    return _loss(value)


def _loss(value):
    if value is None or isinstance(value, str):
        return None if value is None else losses.get(value)
    if isinstance(value, dict) and isinstance(value.get("class_name"), str):
        cls = losses.get(value["class_name"]).__class__
        config = dict(value.get("config") or {})
        accepted = set(inspect.signature(cls.__init__).parameters)
        config.pop("reduction", None)
        return cls(**{k: v for k, v in config.items() if k in accepted})
    raise ValueError(f"loss {str(value)[:80]}")


def _metrics(value):
    if isinstance(value, dict):
        return {k: _metrics(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_metrics(v) if isinstance(v, (list, dict)) and not _is_object(v) else _metric(v)
                for v in value]
    return _metric(value)


def _is_object(value):
    return isinstance(value, dict) and "class_name" in value


def _metric(value):
    if isinstance(value, str):
        metrics.get(value)  # refuses an unknown name now, not at fit
        return value
    if _is_object(value):
        config = value.get("config") or {}
        name = config.get("fn") or config.get("name") or value["class_name"]
        metrics.get(name)
        return name
    raise ValueError(f"metric {str(value)[:80]}")
