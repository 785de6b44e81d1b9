"""``to_categorical``: class labels to one-hot rows (Keras 2's ``keras.utils``)."""
from __future__ import annotations

import numpy as np


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encode integer class labels; the class axis is added last.

    A trailing axis of size 1 is replaced (``(n, 1)`` labels give ``(n, C)``), as in
    Keras. Labels must be whole numbers in ``0 .. num_classes - 1``; Keras 2
    silently truncated fractions and wrapped negative labels, seqlab raises.

    Args:
        y: array-like of labels.
        num_classes: number of classes; ``None`` (or 0) uses ``max(y) + 1``.
        dtype: output dtype.

    >>> to_categorical([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]], dtype=float32)
    >>> to_categorical([[1], [0]], num_classes=3).shape
    (2, 3)
    """
    labels = np.asarray(y)
    if labels.dtype.kind == "f":
        fractional = labels != np.floor(labels)
        if fractional.any():
            raise ValueError(f"to_categorical: labels must be whole numbers, got "
                             f"{labels[fractional].reshape(-1)[0].item()!r}")
    try:
        labels = labels.astype(int)  # as Keras: np.array(y, dtype='int'), so '3' is 3
    except (TypeError, ValueError):
        raise TypeError(f"to_categorical: labels must be integers, got dtype {labels.dtype} "
                        f"(e.g. {labels.reshape(-1)[:1].tolist()}); map class names to "
                        "0..C-1 first") from None
    if num_classes is not None and (isinstance(num_classes, bool)
                                    or not isinstance(num_classes, (int, np.integer))
                                    or num_classes < 0):
        raise ValueError(f"to_categorical: num_classes must be None or an int >= 1, "
                         f"got {num_classes!r}")
    shape = labels.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if not num_classes:
        if labels.size == 0:
            raise ValueError("to_categorical: no labels and no num_classes; pass num_classes=")
        num_classes = int(labels.max()) + 1
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels[(labels < 0) | (labels >= num_classes)][0]
        raise ValueError(f"to_categorical: label {bad} is outside 0..{num_classes - 1}; "
                         f"labels must be in 0..num_classes-1 (num_classes={num_classes})")
    one_hot = np.zeros((labels.size, num_classes), dtype=dtype)
    one_hot[np.arange(labels.size), labels] = 1
    return one_hot.reshape(shape + (num_classes,))
