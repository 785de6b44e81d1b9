"""Checks made when ``fit`` starts, before any step runs: a mistake in the arguments, the
callbacks or the labels fails in a second with a sentence, instead of after an epoch (or
never, training silently on labels the loss cannot mean)."""
from __future__ import annotations

import logging
import numbers
import string

import torch

logger = logging.getLogger("seqlab")


def check_arguments(epochs, initial_epoch, steps_per_epoch, validation_freq) -> None:
    """ValueError (or TypeError) for counts that are not whole numbers in range."""
    for name, value, low in (("epochs", epochs, 0), ("initial_epoch", initial_epoch, 0),
                             ("steps_per_epoch", steps_per_epoch, 1),
                             ("validation_freq", validation_freq, 1)):
        if value is None and name == "steps_per_epoch":
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"fit: {name} must be a whole number, got {name}={value!r}"
                            + (" (epochs counts whole passes over the data)"
                               if name == "epochs" else ""))
        if value < low:
            raise ValueError(f"fit: {name} must be >= {low}, got {name}={value}"
                             + (": one step or more per epoch (or None for the whole data)"
                                if name == "steps_per_epoch" else ""))
    if initial_epoch > epochs:
        raise ValueError(f"fit: initial_epoch={initial_epoch} is past epochs={epochs}: as in "
                         "Keras, epochs is the index of the last epoch, not a number of more "
                         f"epochs; to train {epochs} more, pass epochs={initial_epoch + epochs}")
    if initial_epoch == epochs:
        logger.warning("fit: initial_epoch=%d equals epochs=%d, so no epoch runs and the "
                       "history stays empty", initial_epoch, epochs)


def no_steps(epoch) -> ValueError:
    return ValueError(f"fit: epoch {epoch + 1} ran no training step: the training data gave "
                      "no batches (0 samples, or a generator or DataLoader that yields "
                      "nothing), so there is no loss to report")


def check_callbacks(callbacks, has_validation: bool) -> None:
    """A ModelCheckpoint path naming a validation value (``{val_loss}``) with no
    validation data fails now, not with a KeyError after epoch 1."""
    for callback in callbacks:
        filepath = getattr(callback, "filepath", None)
        if not isinstance(filepath, str):
            continue
        try:
            fields = {field.split(".")[0].split("[")[0]
                      for _, field, _, _ in string.Formatter().parse(filepath) if field}
        except ValueError as error:
            raise ValueError(f"{type(callback).__name__}: filepath {filepath!r} is not a "
                             f"valid format string ({error})") from None
        missing = sorted(f for f in fields if f.startswith("val_") and not has_validation)
        if missing:
            raise ValueError(f"{type(callback).__name__}: filepath {filepath!r} names "
                             f"{', '.join('{' + m + '}' for m in missing)}, which will not be "
                             "logged: there is no validation data (pass validation_data= or "
                             "validation_split= to fit, or drop it from the name)")


def check_labels(model, train, predictions) -> None:
    """All in-memory labels checked against each output's loss, given the first batch's
    `predictions` (called before the first step changes a weight; a loss also checks
    every batch, which covers generators)."""
    y = getattr(train, "y", None)
    if y is None:
        return
    outputs, targets = model._outputs_by_key(predictions), model._targets_by_key(y)
    for key, loss in model._output_losses.items():
        check = getattr(loss, "check_labels", None)
        labels, prediction = targets.get(key), outputs.get(key)
        if check is not None and isinstance(labels, torch.Tensor) and isinstance(
                prediction, torch.Tensor) and prediction.ndim:
            check(labels, prediction.shape[-1])


def check_class_weight(class_weight, classes: int | None) -> None:
    """Keys must be class indices; a class the model does not output is refused."""
    if class_weight is None:
        return
    if not isinstance(class_weight, dict) or not class_weight:
        raise TypeError(f"class_weight must be a dict {{class index: weight}}, got "
                        f"{class_weight!r}")
    for key, weight in class_weight.items():
        if isinstance(key, bool) or not isinstance(key, numbers.Integral) or key < 0:
            raise ValueError(f"class_weight keys must be class indices 0, 1, ..., got {key!r}")
        if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or weight < 0:
            raise ValueError(f"class_weight[{key}] must be a number >= 0, got {weight!r}")
        if classes is not None and key >= classes:
            raise ValueError(f"class_weight names class {key}, but the model's output has "
                             f"{classes} classes (0..{classes - 1}): drop it, or check the "
                             "labels' classes")

