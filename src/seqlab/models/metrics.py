"""Keras 3 metrics that accumulate over an epoch.

Mean-style metrics keep a weighted ``total`` and ``count`` as Keras's ``Mean`` does
(``keras/src/metrics/reduction_metrics.py``). Per batch, the values ``v`` (one per sample,
``(N,)``; or ``(N, T)`` for sequences) and the weights ``w`` are reduced to one number per
sample, then::

    total += sum_i w_i * v_i          count += sum_i w_i      (count += N without weights)
    result = total / count            (0 before any update)

so, unlike a loss, a weighted metric divides by the sum of the weights: ``w = [1, 0]``
gives the first sample's value. A weight per time step ``(N, T)`` enters as
``v_i = mean_t(w_it v_it)`` and ``w_i = mean_t(w_it)``. The epoch value therefore equals
the value over the concatenated batches.

``get("accuracy")`` (or ``"acc"``) follows Keras 3's ``compile``: an :class:`AutoAccuracy`
picks binary, sparse categorical or categorical accuracy from the shapes of the first
batch, and keeps the name the user wrote.

Differences from Keras, each deliberate:

- A 1-D ``y_pred`` (one value per sample) is compared per sample, ``(N,)`` as ``(N, 1)``;
  Keras averages it to one number per batch and counts the batch as one sample.
- ``BinaryAccuracy``, ``Precision`` and ``Recall`` accept any threshold (Keras requires
  one inside (0, 1) / [0, 1]), so that ``threshold=0.0`` works on logits; and ``get`` uses
  0.0 for the binary metrics ('accuracy', 'binary_accuracy', 'precision', 'recall') when
  the loss is ``BinaryCrossentropy(from_logits=True)``. Keras keeps 0.5, which on logits
  means a probability of sigmoid(0.5) = 0.62.
- AutoAccuracy reads a 1-D ``y_pred`` as binary; Keras's rule would choose categorical
  accuracy and take an argmax over the batch.
"""
from __future__ import annotations

import numpy as np
import torch

from . import _reduction, losses

__all__ = [
    "Metric", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
    "SparseCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError", "Precision",
    "Recall", "AutoAccuracy", "accuracy", "binary_accuracy", "categorical_accuracy",
    "sparse_categorical_accuracy", "get",
]


def _shape(x):
    return tuple(x.shape)


# ------------------------------------------------------------------- metric functions

def accuracy(y_true, y_pred):
    """Exact match, averaged over the last axis: ``mean(y_true == y_pred)``."""
    y_true, y_pred = _reduction.paired_tensors("accuracy", y_true, y_pred)
    return (y_true == y_pred).to(y_pred.dtype).mean(dim=-1)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """``mean(y_true == (y_pred > threshold))`` over the last axis."""
    y_true, y_pred = _reduction.paired_tensors("binary_accuracy", y_true, y_pred)
    predicted = (y_pred > threshold).to(y_pred.dtype)
    return (y_true == predicted).to(y_pred.dtype).mean(dim=-1)


def categorical_accuracy(y_true, y_pred):
    """``argmax(y_true) == argmax(y_pred)`` on the last axis (the first maximum wins)."""
    y_true, y_pred = _reduction.paired_tensors("categorical_accuracy", y_true, y_pred,
                                           per_sample=False,
                                           sparse_name="sparse_categorical_accuracy")
    return (y_true.argmax(dim=-1) == y_pred.argmax(dim=-1)).to(y_pred.dtype)


def sparse_categorical_accuracy(y_true, y_pred):
    """``y_true == argmax(y_pred)``; labels ``(N,)`` or ``(N, 1)`` for ``(N, C)``."""
    y_pred = _reduction.as_predictions(y_pred)
    y_true = _reduction.as_labels(y_true, y_pred)
    _reduction.check_same_batch("sparse_categorical_accuracy", y_true, y_pred)
    expected = _shape(y_pred)[:-1]
    if _shape(y_true) == _shape(y_pred) and y_pred.shape[-1] > 1:
        raise ValueError(
            f"sparse_categorical_accuracy: labels of shape {_shape(y_true)} look one-hot: "
            f"use categorical_accuracy, or pass class indices of shape {expected}")
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    if _shape(y_true) != expected:
        raise ValueError(
            f"sparse_categorical_accuracy needs class indices of shape {expected} (y_pred's "
            f"shape {_shape(y_pred)} without the class axis), got {_shape(y_true)}")
    return (y_true.to(y_pred.dtype) == y_pred.argmax(dim=-1).to(y_pred.dtype)).to(y_pred.dtype)


# ----------------------------------------------------------------------------- base

class Metric:
    """Base class: ``update_state`` per batch, ``result()`` as a float, ``reset_state()``."""

    def __init__(self, name):
        self.name = name

    def update_state(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """Update with one batch and return the running result, as Keras metrics do."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _as_values(x):
    if isinstance(x, torch.Tensor):
        return x.detach().to(torch.float64)
    return torch.as_tensor(np.asarray(x, dtype=np.float64))


def _per_sample(values, sample_weight):
    """Keras's ``reduce_to_samplewise_values`` with a mean: ``(values, weights)``, one per
    sample (``weights`` is None without ``sample_weight``)."""
    def mean_from(x, axis):
        return x.mean(dim=tuple(range(axis, x.ndim))) if x.ndim > axis else x

    if sample_weight is None:
        return mean_from(values, 1), None
    weights = _as_values(sample_weight)
    values, weights = _reduction.squeeze_or_expand_to_same_rank(values, weights)
    values = mean_from(values, weights.ndim)
    try:
        weights = weights.broadcast_to(values.shape)
    except RuntimeError:
        n = f"{values.shape[0]}," if values.ndim else ""
        raise ValueError(
            f"sample_weight of shape {_shape(weights)} does not fit metric values of shape "
            f"{_shape(values)}: pass one weight per sample, shape ({n})") from None
    return mean_from(values * weights, 1), mean_from(weights, 1)


class Mean(Metric):
    """The weighted mean of the given values: ``sum(w v) / sum(w)`` over all updates.

    For the loss, Keras passes the batch loss with ``sample_weight=batch_size``.

    >>> m = Mean()
    >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    >>> m.result()
    2.0
    """

    def __init__(self, name="mean"):
        super().__init__(name)
        self.reset_state()

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None):
        values, weights = _per_sample(_as_values(values), sample_weight)
        self.total += float(values.sum())
        if weights is not None:
            self.count += float(weights.sum())
        else:
            self.count += values.shape[0] if values.ndim else 1

    def result(self):
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)``, a per-sample function."""

    def __init__(self, fn, name=None, **kwargs):
        super().__init__(name or getattr(fn, "__name__", "mean_metric_wrapper"))
        self.fn = fn
        self.fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        with torch.no_grad():
            values = self.fn(y_true, y_pred, **self.fn_kwargs)
        super().update_state(values, sample_weight)

    def get_config(self):
        return {"name": self.name, **self.fn_kwargs}


class Accuracy(MeanMetricWrapper):
    """How often ``y_pred`` equals ``y_true`` exactly."""

    def __init__(self, name="accuracy"):
        super().__init__(accuracy, name)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` equals the 0/1 label. Any threshold is accepted
    (Keras requires one in (0, 1)); use ``threshold=0.0`` when ``y_pred`` holds logits."""

    def __init__(self, name="binary_accuracy", threshold=0.5):
        super().__init__(binary_accuracy, name, threshold=float(threshold))
        self.threshold = float(threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of ``y_pred`` is the argmax of the one-hot label."""

    def __init__(self, name="categorical_accuracy"):
        super().__init__(categorical_accuracy, name)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of ``y_pred`` is the integer label."""

    def __init__(self, name="sparse_categorical_accuracy"):
        super().__init__(sparse_categorical_accuracy, name)


class MeanSquaredError(MeanMetricWrapper):
    """The running mean of ``mean((y_true - y_pred)^2)`` over the last axis."""

    def __init__(self, name="mean_squared_error"):
        super().__init__(losses.MeanSquaredError().elementwise, name)


class MeanAbsoluteError(MeanMetricWrapper):
    """The running mean of ``mean(|y_true - y_pred|)`` over the last axis."""

    def __init__(self, name="mean_absolute_error"):
        super().__init__(losses.MeanAbsoluteError().elementwise, name)


# ------------------------------------------------------------------ precision, recall

class _Confusion(Metric):
    """Weighted true-positive, false-positive and false-negative counts per threshold.

    A label is positive when non-zero; a prediction when ``y_pred > threshold``. All
    entries count (``(N, T)`` outputs are flattened); a weight broadcasts over them."""

    def __init__(self, name, thresholds):
        super().__init__(name)
        self.thresholds = thresholds
        listed = [0.5] if thresholds is None else (
            list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds])
        self._thresholds = torch.tensor([float(t) for t in listed], dtype=torch.float64)
        self.reset_state()

    def reset_state(self):
        zeros = torch.zeros(len(self._thresholds), dtype=torch.float64)
        self.true_positives, self.false_positives, self.false_negatives = (
            zeros.clone(), zeros.clone(), zeros.clone())

    def update_state(self, y_true, y_pred, sample_weight=None):
        with torch.no_grad():
            y_true, y_pred = _reduction.paired_tensors(self.name, y_true, y_pred)
            y_true, y_pred = y_true.to(torch.float64), y_pred.to(torch.float64)
            weights = torch.ones_like(y_pred)
            if sample_weight is not None:
                y_pred, weights = _reduction.align_weights(sample_weight, y_pred)
                weights = weights.broadcast_to(y_pred.shape)
                y_true = y_true.reshape(y_pred.shape)
            label = (y_true != 0).flatten()
            weights = weights.flatten()
            predicted = y_pred.flatten()[None, :] > self._thresholds[:, None]  # (K, entries)
            self.true_positives += (weights * (predicted & label)).sum(dim=1)
            self.false_positives += (weights * (predicted & ~label)).sum(dim=1)
            self.false_negatives += (weights * (~predicted & label)).sum(dim=1)

    def _ratio(self, numerator, denominator):
        values = [float(n / d) if d > 0 else 0.0 for n, d in zip(numerator, denominator)]
        return values[0] if len(values) == 1 else values

    def get_config(self):
        return {"name": self.name, "thresholds": self.thresholds}


class Precision(_Confusion):
    """``TP / (TP + FP)`` (0 when nothing is predicted positive), for binary outputs.

    ``thresholds``: None (0.5), a float, or a list (then ``result()`` is a list)."""

    def __init__(self, thresholds=None, name="precision"):
        super().__init__(name, thresholds)

    def result(self):
        return self._ratio(self.true_positives, self.true_positives + self.false_positives)


class Recall(_Confusion):
    """``TP / (TP + FN)`` (0 when there is no positive label), for binary outputs."""

    def __init__(self, thresholds=None, name="recall"):
        super().__init__(name, thresholds)

    def result(self):
        return self._ratio(self.true_positives, self.true_positives + self.false_negatives)


# --------------------------------------------------------------------- auto accuracy

def resolve_accuracy(true_shape, pred_shape, name="accuracy", threshold=0.5):
    """Keras 3's choice for 'accuracy' (``compile_utils.get_metric``) from two shapes:

    - binary if y_pred's last dimension is 1 (or y_pred is 1-D: a seqlab addition);
    - sparse categorical if y_true has a lower rank than y_pred, or its last dimension
      is 1 while y_pred's is larger;
    - categorical otherwise.
    """
    true_shape, pred_shape = tuple(true_shape), tuple(pred_shape)
    if len(pred_shape) <= 1 or pred_shape[-1] == 1:
        return BinaryAccuracy(name=name, threshold=threshold)
    if len(true_shape) < len(pred_shape) or (true_shape[-1:] == (1,) and pred_shape[-1] > 1):
        return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)


class AutoAccuracy(Metric):
    """'accuracy' as Keras 3 resolves it: the concrete metric (``self.metric``) is chosen
    by :func:`resolve_accuracy` on the first update and kept after ``reset_state``.

    ``threshold`` is used if the choice is binary. ``get('accuracy', loss)`` sets it to 0.0
    when ``loss`` is ``BinaryCrossentropy(from_logits=True)``: a difference from Keras,
    which thresholds logits at 0.5."""

    def __init__(self, name="accuracy", threshold=0.5):
        super().__init__(name)
        self.threshold = threshold
        self.metric = None

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.metric is None:
            self.metric = resolve_accuracy(_shape_of(y_true), _shape_of(y_pred), self.name,
                                           self.threshold)
        self.metric.update_state(y_true, y_pred, sample_weight)

    def result(self):
        return self.metric.result() if self.metric is not None else 0.0

    def reset_state(self):
        if self.metric is not None:
            self.metric.reset_state()

    def get_config(self):
        return {"name": self.name, "threshold": self.threshold}


def _shape_of(x):
    return tuple(x.shape) if hasattr(x, "shape") else tuple(torch.as_tensor(x).shape)


# ------------------------------------------------------------------------------- get

_BY_NAME = {
    "binary_accuracy": BinaryAccuracy, "BinaryAccuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy, "CategoricalAccuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "SparseCategoricalAccuracy": SparseCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "MeanSquaredError": MeanSquaredError, "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError, "MeanAbsoluteError": MeanAbsoluteError,
    "precision": Precision, "Precision": Precision, "recall": Recall, "Recall": Recall,
}
# Keras metrics that are the mean of a loss's per-sample values.
_LOSS_NAMES = ("binary_crossentropy", "categorical_crossentropy",
               "sparse_categorical_crossentropy", "kl_divergence", "poisson", "hinge",
               "mean_absolute_percentage_error", "mape", "MAPE",
               "mean_squared_logarithmic_error", "msle", "MSLE")


def _binary_threshold(loss):
    from_logits = isinstance(loss, losses.BinaryCrossentropy) and loss.from_logits
    return 0.0 if from_logits else 0.5


def get(identifier, loss=None):
    """A Metric from a Keras name, a Metric (returned as is) or a function.

    'accuracy'/'acc' (any case) give an :class:`AutoAccuracy`; like Keras's ``compile``,
    a name given as a string becomes the metric's name (as reported in History), and a
    function ``f(y_true, y_pred)`` is averaged per sample under its ``__name__``. With
    ``loss=BinaryCrossentropy(from_logits=True)`` the binary metrics threshold at 0.0.
    """
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        threshold = _binary_threshold(loss)
        if identifier.lower() in ("accuracy", "acc"):
            return AutoAccuracy(name=identifier, threshold=threshold)
        cls = _BY_NAME.get(identifier)
        if cls is BinaryAccuracy:
            return BinaryAccuracy(name=identifier, threshold=threshold)
        if cls in (Precision, Recall):
            return cls(thresholds=threshold, name=identifier)
        if cls is not None:
            return cls(name=identifier)
        if identifier in _LOSS_NAMES:
            return MeanMetricWrapper(losses.get(identifier).elementwise, name=identifier)
        known = sorted(set(_BY_NAME) | set(_LOSS_NAMES) | {"accuracy", "acc"})
        raise ValueError(f"Unknown metric {identifier!r}; use a Metric, a function "
                         f"f(y_true, y_pred) or one of: {', '.join(known)}")
    if isinstance(identifier, losses.Loss):
        return MeanMetricWrapper(identifier.elementwise, name=identifier.name)
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ValueError(f"Could not interpret metric {identifier!r} of type "
                     f"{type(identifier).__name__}: pass a name such as 'accuracy', a Metric "
                     "or a function f(y_true, y_pred)")
