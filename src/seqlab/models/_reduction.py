"""Shapes and reductions shared by the losses and metrics, as Keras 3 does them.

Data (NumPy arrays, lists, tensors) becomes tensors; labels and predictions get the same
rank by Keras's ``squeeze_or_expand_to_same_rank``; shapes that cannot pair raise a
ValueError naming them and the fix; weighted losses are reduced with Keras's
``sum_over_batch_size`` rule (``sum_i w_i l_i / n``, n the number of loss elements).
See ``losses`` for the full story.
"""
from __future__ import annotations

import numpy as np
import torch

EPSILON = 1e-7  # keras.backend.epsilon()
REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# ---------------------------------------------------------------------------- tensors

def _shape(x):
    return tuple(x.shape)


def as_predictions(y_pred):
    """``y_pred`` as a floating tensor (torch's default float for non-tensors)."""
    if isinstance(y_pred, torch.Tensor):
        return y_pred if y_pred.is_floating_point() else y_pred.to(torch.get_default_dtype())
    return torch.as_tensor(np.asarray(y_pred), dtype=torch.get_default_dtype())


def as_labels(y_true, like):
    """``y_true`` as a tensor on ``like``'s device, dtype untouched."""
    tensor = y_true if isinstance(y_true, torch.Tensor) else torch.as_tensor(np.asarray(y_true))
    return tensor.to(like.device)


def check_same_batch(name, y_true, y_pred):
    if y_true.ndim and y_pred.ndim and y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(
            f"{name}: y_true has {y_true.shape[0]} samples but y_pred has {y_pred.shape[0]} "
            f"(shapes {_shape(y_true)} and {_shape(y_pred)}): pass the labels of the same "
            "batch as the predictions")


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras's rank alignment: if the ranks differ by one and the longer tensor ends in a
    1, expand the rank-1 shorter one to ``(N, 1)`` (when ``expand_rank_1``), otherwise
    squeeze that trailing 1. Any other pair is returned unchanged."""
    def align(longer, shorter):
        if longer.ndim == shorter.ndim + 1 and longer.shape[-1] == 1:
            if shorter.ndim == 1 and expand_rank_1:
                return longer, shorter.unsqueeze(-1)
            return longer.squeeze(-1), shorter
        return longer, shorter

    if x1.ndim > x2.ndim:
        return align(x1, x2)
    if x2.ndim > x1.ndim:
        x2, x1 = align(x2, x1)
    return x1, x2


def _looks_sparse(y_true, y_pred):
    """Labels that fit ``y_pred`` without its class axis: ``(N,)`` or ``(N, 1)``."""
    head = _shape(y_pred)[:-1]
    return y_pred.ndim >= 1 and y_pred.shape[-1] > 1 and (
        _shape(y_true) == head or _shape(y_true) == head + (1,))


def _mismatch(name, y_true, y_pred, sparse_name=None):
    message = (f"{name} needs y_true and y_pred of the same shape, got y_true "
               f"{_shape(y_true)} and y_pred {_shape(y_pred)}")
    if sparse_name and _looks_sparse(y_true, y_pred):
        return ValueError(
            f"{message}: labels of shape {_shape(y_true)} look like class indices for "
            f"{y_pred.shape[-1]} classes; use {sparse_name}, or one-hot encode them to "
            f"shape {_shape(y_pred)} with to_categorical")
    return ValueError(f"{message}: reshape the labels to {_shape(y_pred)}")


def paired_tensors(name, y_true, y_pred, per_sample=True, sparse_name=None):
    """Float tensors of one shape: converted, batch-checked, rank-aligned as in Keras.

    With ``per_sample``, a 1-D pair is read as one value per sample, ``(N, 1)``."""
    y_pred = as_predictions(y_pred)
    y_true = as_labels(y_true, y_pred).to(y_pred.dtype)
    check_same_batch(name, y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if _shape(y_true) != _shape(y_pred):
        raise _mismatch(name, y_true, y_pred, sparse_name)
    if per_sample and y_pred.ndim == 1:
        y_true, y_pred = y_true.unsqueeze(-1), y_pred.unsqueeze(-1)
    return y_true, y_pred


# ------------------------------------------------------------------------- reduction

def align_weights(sample_weight, values):
    """``sample_weight`` as a tensor that broadcasts against ``values``.

    Keras's rank rule first (``(N, 1)`` and ``(N,)`` pair up); then a weight whose shape
    is a prefix of the values' shape gets trailing axes of size 1, so one weight per
    sample covers all of that sample's time steps."""
    weights = torch.as_tensor(
        sample_weight.detach() if isinstance(sample_weight, torch.Tensor)
        else np.asarray(sample_weight), dtype=values.dtype, device=values.device)
    values, weights = squeeze_or_expand_to_same_rank(values, weights)
    if 0 < weights.ndim < values.ndim and _shape(weights) == _shape(values)[:weights.ndim]:
        weights = weights.reshape(_shape(weights) + (1,) * (values.ndim - weights.ndim))
    try:
        torch.broadcast_shapes(weights.shape, values.shape)
    except RuntimeError:
        fix = f"pass one weight per sample, shape ({values.shape[0]},)" if values.ndim else (
            "pass a scalar weight")
        if values.ndim > 1:
            fix += f", or one per loss element, shape {_shape(values)}"
        raise ValueError(f"sample_weight of shape {_shape(weights)} does not fit losses of "
                         f"shape {_shape(values)}: {fix}") from None
    return values, weights


def reduce_weighted(values, sample_weight=None, mask=None, reduction="sum_over_batch_size"):
    """Weight and reduce element-wise losses as Keras's ``reduce_weighted_values``.

    ``mask`` (bool, shape of ``values``) drops entries; for ``"sum_over_batch_size"`` and
    ``"mean"`` the divisor is then the number of kept entries (Keras's ``apply_mask``)::

        loss = sum(w * m * l) / sum(m)          (= sum(w * l) / numel without a mask)
    """
    weights = None
    if mask is not None:
        weights = mask.to(values.dtype)
        if reduction in ("sum_over_batch_size", "mean"):
            kept = weights.sum()
            weights = weights * torch.where(kept > 0, weights.numel() / kept, 0.0)
    if sample_weight is not None:
        values, sample_weight = align_weights(sample_weight, values)
        weights = sample_weight if weights is None else weights * sample_weight
    if weights is not None:
        values = values * weights
    if reduction in (None, "none") or values.ndim == 0 or values.numel() == 0:
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and weights is not None:
        divisor = weights.broadcast_to(values.shape).sum()
        return torch.where(divisor != 0, total / divisor, torch.zeros_like(total))
    return total / values.numel()
