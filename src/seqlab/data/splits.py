"""Time-ordered splits and the scaler fitted on the training rows only."""
from __future__ import annotations

import numbers

import numpy as np

from .windows import _column, _integer, _table

__all__ = ["Standardizer", "time_splits"]


def time_splits(n_rows, train=0.5, val=0.25):
    """``(train_end, val_end)``: rows ``[0, train_end)`` train, ``[train_end, val_end)``
    validation, the rest test; as the Keras book, ``int(train * n_rows)`` training rows and
    ``int(val * n_rows)`` validation rows.

    >>> time_splits(70038)
    (35019, 52528)
    """
    where = "time_splits"
    n_rows = _integer(n_rows, "n_rows", where, low=1)
    for name, value in (("train", train), ("val", val)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:
            raise ValueError(f"{where}: {name} is a fraction of the rows in (0, 1), got "
                             f"{name}={value!r}")
    if train + val > 1:
        raise ValueError(f"{where}: train={train} + val={val} is more than all the rows: make "
                         "them sum to at most 1 (the rest is the test split)")
    num_train, num_val = int(train * n_rows), int(val * n_rows)
    if num_train == 0 or num_val == 0:
        raise ValueError(f"{where}: with n_rows={n_rows}, train={train} and val={val} give "
                         f"{num_train} training and {num_val} validation rows: each needs >= 1")
    return num_train, num_train + num_val


class Standardizer:
    """Per-column ``(x - mean) / std`` (population std, as ``np.std``).

    Fit it on the training rows only (``Standardizer.from_training_rows(series, train_end)``):
    statistics taken from validation or test rows leak them into training.
    """

    def __init__(self):
        self.mean = None
        self.std = None

    @classmethod
    def from_training_rows(cls, series, train_end) -> Standardizer:
        """A Standardizer fitted on ``series[:train_end]``."""
        n_rows = len(series)
        train_end = _integer(train_end, "train_end", "Standardizer.from_training_rows", low=1)
        if train_end > n_rows:
            raise ValueError(f"Standardizer.from_training_rows: train_end={train_end} is beyond "
                             f"the series, which has {n_rows} rows: use time_splits(len(series))")
        return cls().fit(np.asarray(series)[:train_end])

    def fit(self, values) -> Standardizer:
        """Mean and std of every column of ``values`` (rows = time); returns self."""
        array = _table(values, "Standardizer.fit", "values")
        std = array.std(axis=0)
        constant = np.flatnonzero(std == 0)
        if len(constant):
            raise ValueError(f"Standardizer.fit: column {constant[0]} is constant over the "
                             f"{len(array)} rows given (std 0): drop it or fit on more rows")
        self.mean, self.std = array.mean(axis=0), std
        self.mean.setflags(write=False)
        self.std.setflags(write=False)
        return self

    def _fitted(self, where):
        if self.mean is None:
            raise ValueError(f"Standardizer.{where}: not fitted yet: call fit(training_rows) or "
                             "use Standardizer.from_training_rows(series, train_end)")

    def transform(self, values) -> np.ndarray:
        """``(values - mean) / std`` for ``values`` of shape (..., columns), as float64."""
        self._fitted("transform")
        array = np.asarray(values, dtype=np.float64)
        if array.ndim == 0 or array.shape[-1] != len(self.mean):
            raise ValueError(f"Standardizer.transform: values of shape {array.shape} do not end "
                             f"in the {len(self.mean)} columns it was fitted on")
        return (array - self.mean) / self.std

    def inverse(self, values, column=None) -> np.ndarray:
        """Back to the original units: all columns (last axis), or, with ``column``, values of
        that one column (e.g. a model's standardized predictions of the target)."""
        self._fitted("inverse")
        array = np.asarray(values, dtype=np.float64)
        if column is None:
            if array.ndim == 0 or array.shape[-1] != len(self.mean):
                raise ValueError(f"Standardizer.inverse: values of shape {array.shape} do not "
                                 f"end in {len(self.mean)} columns: for one column's values "
                                 "pass column=<its index>")
            return array * self.std + self.mean
        column = _column(column, len(self.mean), "Standardizer.inverse")
        return array * self.std[column] + self.mean[column]
