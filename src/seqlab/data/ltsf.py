"""The long-horizon forecasting benchmark protocol (LTSF: Informer, Autoformer, DLinear,
PatchTST, SegRNN) as data: splits, multi-step windows, the "repeat" baseline, the
closed-form linear baseline and the scores, all in NumPy.

The protocol, as the published tables use it:

* splits: ETT hourly files (ETTh1, ETTh2): rows ``[0, 8640)`` train (12 months),
  ``[8640, 11520)`` validation, ``[11520, 14400)`` test (4 + 4 months); ETT 15-minute
  files (ETTm1, ETTm2) 4x those rows; any other CSV ``num_train = int(0.7 * n)``,
  ``num_test = int(0.2 * n)``, validation the rows between. Validation and test inputs
  start ``lookback`` rows before their split, so their first window forecasts the split's
  first row.
* z-scores with the training rows' mean and std (``Standardizer``), on every column.
* every window at stride 1; MSE and MAE on the z-scored values, averaged over every
  window, horizon step and channel.

>>> ltsf_splits(17420, 96, "ETTh1.csv")["test"]
(11424, 14400)
>>> horizon_windows(np.zeros((2976, 7)), 96, 96).count
2785
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from .windows import _integer, _table

__all__ = ["HorizonWindows", "errors_by_step", "horizon_windows", "linear_baseline",
           "ltsf_layout", "ltsf_splits", "repeat_forecast", "scores"]

_ETT_HOUR = (12 * 30 * 24, 4 * 30 * 24, 4 * 30 * 24)  # train, validation, test rows
_LAYOUTS = ("etth", "ettm", "custom")


def ltsf_layout(path) -> str:
    """'etth' for an ETTh* file, 'ettm' for ETTm*, else 'custom' (70/10/20 split)."""
    name = Path(str(path)).name.lower()
    if re.match(r"etth\d", name):
        return "etth"
    if re.match(r"ettm\d", name):
        return "ettm"
    return "custom"


def ltsf_splits(n_rows, lookback, layout="custom") -> dict:
    """``{"train": (start, end), "val": ..., "test": ...}``: the rows each split's windows
    are made from (a later split starts ``lookback`` rows early). `layout` is 'etth',
    'ettm', 'custom' or a file name (see ``ltsf_layout``). The training statistics are those
    of ``rows[:splits["train"][1]]``."""
    where = "ltsf_splits"
    n_rows = _integer(n_rows, "n_rows", where, low=1)
    lookback = _integer(lookback, "lookback", where, low=1)
    if layout not in _LAYOUTS:
        layout = ltsf_layout(layout)
    if layout == "custom":
        num_train, num_test = int(n_rows * 0.7), int(n_rows * 0.2)
        ends = (num_train, n_rows - num_test, n_rows)
    else:
        scale = 1 if layout == "etth" else 4
        train, val, test = (rows * scale for rows in _ETT_HOUR)
        ends = (train, train + val, train + val + test)
        if ends[-1] > n_rows:
            raise ValueError(f"{where}: the {layout.upper()} protocol needs {ends[-1]:,} rows "
                             f"(train {train:,}, validation {val:,}, test {test:,}) but the "
                             f"series has {n_rows:,}: use the full ETT file, or "
                             "layout='custom' for the 70/10/20 split")
    if lookback >= ends[0]:
        raise ValueError(f"{where}: lookback={lookback} is not shorter than the {ends[0]} "
                         "training rows: use a shorter lookback")
    return {"train": (0, ends[0]), "val": (ends[0] - lookback, ends[1]),
            "test": (ends[1] - lookback, ends[2])}


class HorizonWindows:
    """Every window of ``lookback`` rows followed by ``horizon`` rows, at stride 1, over
    ``values[start:end]``: ``x`` (n, lookback, channels) and ``y`` (n, horizon, targets).

    ``count`` windows; ``first_rows[i]`` is the row where window ``i``'s inputs start.
    Iterating gives batches ``(x, y)`` of ``batch_size`` windows, reshuffled at every pass
    when ``shuffle=True`` (repeatably with ``seed``), so ``model.fit(windows)`` sees one
    pass per epoch. ``arrays()`` gives all of them in time order.
    """

    def __init__(self, values, lookback, horizon, targets, start, end, batch_size, shuffle,
                 seed):
        self._values = values
        self.lookback, self.horizon, self.targets = lookback, horizon, targets
        self.start, self.end = start, end
        self.batch_size, self.shuffle = batch_size, shuffle
        self.first_rows = np.arange(start, end - lookback - horizon + 1)
        self._rng = np.random.default_rng(seed)
        self._x_offsets = np.arange(lookback)
        self._y_offsets = lookback + np.arange(horizon)

    @property
    def count(self) -> int:
        return len(self.first_rows)

    def __len__(self) -> int:  # batches per pass, as a DataLoader's len
        return math.ceil(self.count / self.batch_size)

    def batch(self, windows):
        """x (B, lookback, channels) and y (B, horizon, targets), float32."""
        rows = self.first_rows[windows][:, None]
        x = self._values[rows + self._x_offsets]
        y = self._values[rows + self._y_offsets][..., self.targets]
        return x, y

    def arrays(self):
        return self.batch(np.arange(self.count))

    def __iter__(self):
        order = self._rng.permutation(self.count) if self.shuffle else np.arange(self.count)
        return (self.batch(order[i:i + self.batch_size])
                for i in range(0, self.count, self.batch_size))

    def describe(self) -> str:
        return (f"{self.count:,} windows over rows [{self.start}, {self.end}): "
                f"{self.lookback} rows in, the next {self.horizon} out")


def horizon_windows(values, lookback, horizon, start=0, end=None, targets=None,
                    batch_size=256, shuffle=False, seed=None) -> HorizonWindows:
    """The windows of ``values[start:end]`` (rows = time): see ``HorizonWindows``.
    `targets` are the column indices forecast (default: all). Raises ValueError naming the
    horizon when no window fits."""
    where = "horizon_windows"
    array = _table(values, where, "values").astype(np.float32)
    n_rows, n_columns = array.shape
    lookback = _integer(lookback, "lookback", where, low=1)
    horizon = _integer(horizon, "horizon", where, low=1)
    start = _integer(start, "start", where, low=0)
    end = n_rows if end is None else _integer(end, "end", where, low=1)
    if end > n_rows or start >= end:
        raise ValueError(f"{where}: rows [start, end) = [{start}, {end}) do not lie in the "
                         f"{n_rows}-row series")
    if lookback + horizon > end - start:
        raise ValueError(f"{where}: horizon={horizon} with lookback={lookback} needs "
                         f"{lookback + horizon} rows but rows [{start}, {end}) hold "
                         f"{end - start}: use horizon <= {end - start - lookback}")
    targets = list(range(n_columns)) if targets is None else [int(t) for t in targets]
    bad = [t for t in targets if not 0 <= t < n_columns]
    if bad or not targets:
        raise ValueError(f"{where}: targets={targets} are not columns 0..{n_columns - 1}")
    array.setflags(write=False)
    return HorizonWindows(array, lookback, horizon, targets, start, end,
                          _integer(batch_size, "batch_size", where, low=1), bool(shuffle), seed)


def repeat_forecast(x, targets=None) -> np.ndarray:
    """The last input row repeated over the horizon: (n, lookback, c) -> (n, 1, c) that
    broadcasts over (n, horizon, c). "Tomorrow equals today."""
    last = np.asarray(x)[:, -1:, :]
    return last if targets is None else last[..., targets]


def scores(predictions, truth) -> dict:
    """``{"mse", "mae"}`` over every window, step and channel; `predictions` may broadcast
    over the horizon axis (as ``repeat_forecast``'s), never over windows or channels."""
    predictions = np.asarray(predictions, dtype=np.float64)
    truth = np.asarray(truth, dtype=np.float64)
    if (predictions.ndim != 3 or predictions.shape[0] != truth.shape[0]
            or predictions.shape[2] != truth.shape[2]
            or predictions.shape[1] not in (1, truth.shape[1])):
        raise ValueError(f"scores: predictions of shape {predictions.shape} do not match the "
                         f"truth's {truth.shape} (windows, horizon, channels)")
    error = predictions - truth
    return {"mse": float(np.mean(error ** 2)), "mae": float(np.mean(np.abs(error)))}


def errors_by_step(predictions, truth) -> dict:
    """MSE and MAE at each horizon step (averaged over windows and channels)."""
    error = np.asarray(predictions, np.float64) - np.asarray(truth, np.float64)
    return {"mse": np.mean(error ** 2, axis=(0, 2)), "mae": np.mean(np.abs(error), axis=(0, 2))}


def linear_baseline(windows: HorizonWindows, ridge=1e-3):
    """The closed-form "linear" baseline fitted on `windows` (the training windows): one
    linear map from the lookback to the horizon shared by every channel, on each window
    minus its last value (NLinear's normalisation), by least squares with a small ridge.
    Returns ``predict(x) -> (n, horizon, targets)``."""
    x, y = windows.arrays()
    targets = windows.targets

    def design(x_new):  # (n, L, c) -> rows (n*c, L) of x - last, the last lag (0) dropped
        x_new = np.asarray(x_new, np.float64)[..., targets]
        last = x_new[:, -1:, :]
        shifted = np.transpose(x_new[:, :-1] - last, (0, 2, 1)).reshape(-1, x_new.shape[1] - 1)
        return np.concatenate([shifted, np.ones((len(shifted), 1))], axis=1), last

    inputs, last = design(x)
    outputs = np.transpose(y - last, (0, 2, 1)).reshape(-1, y.shape[1])
    gram = inputs.T @ inputs
    gram[np.diag_indices(len(gram) - 1)] += ridge * len(inputs)
    weights = np.linalg.lstsq(gram, inputs.T @ outputs, rcond=None)[0]  # (L, H): lags, bias

    def predict(x_new):
        rows, last_new = design(x_new)
        out = (rows @ weights).reshape(len(last_new), last_new.shape[2], -1)  # (n, c, H)
        return np.transpose(out, (0, 2, 1)) + last_new

    return predict
