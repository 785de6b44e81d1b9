"""Time-series windows for forecasting that cannot misalign.

The same windows in two forms:

* ``timeseries_windows`` is the reference: the index arrays that Keras's
  ``keras.utils.timeseries_dataset_from_array`` gathers (start rows, ``sampling_rate``, ...).
* ``make_windows`` is the friendly form: how many rows to look back, at which step, and how
  many rows after the last input the target lies. ``Windows.describe()`` prints the rows
  used, so a window can be checked before any training is done on it.

The Keras book's Jena forecast (hourly rows, 120 hours in, temperature 24 hours after the
last input) in both forms::

    delay = sampling_rate * (sequence_length + 24 - 1)        # 143 rows when hourly
    timeseries_windows(raw[:-delay], temperature[delay:], 120,
                       start_index=num_train, end_index=num_train + num_val)
    make_windows(raw, lookback=120, horizon=24, target=0,
                 start=num_train, end=num_train + num_val)

A typical run: ``train_end, val_end = time_splits(len(raw))`` and a ``Standardizer``
fitted on ``raw[:train_end]`` only (``splits.py``), windows over the standardized series,
and the baselines (``last_value_forecast``, ``seasonal_naive_forecast``) in the raw units,
scored with ``mae(predictions, raw[windows.target_rows, target])`` (``baselines.py``).
"""
from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

__all__ = ["KerasWindows", "Windows", "make_windows", "timeseries_windows"]


# --------------------------------------------------------------------------- checks


def _integer(value, name, where, low=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: {name} must be an int, got {name}={value!r} "
                        f"({type(value).__name__})")
    if low is not None and value < low:
        raise ValueError(f"{where}: {name} must be >= {low}, got {name}={value}")
    return int(value)


def _table(values, where, name="series"):
    """A 2-D float64 array (rows = time, columns = features) of finite numbers."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{where}: {name} must be a 2-D array of numbers ({error})") from None
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        fix = f": for one feature use {name}[:, None]" if array.ndim == 1 else ""
        raise ValueError(f"{where}: {name} must be 2-D (rows = time, columns = features) with "
                         f"at least one row and column, got shape {array.shape}{fix}")
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        row, column = bad[0]
        raise ValueError(f"{where}: {name} has a non-finite value ({array[row, column]}) at row "
                         f"{row}, column {column}: fill or drop such rows first")
    return array


def _column(target, n_columns, where):
    target = _integer(target, "target", where)
    if not 0 <= target < n_columns:
        raise ValueError(f"{where}: target={target} is not a column of a series with {n_columns} "
                         f"columns: use a column index 0..{n_columns - 1}")
    return target


# --------------------------------------------------------------------------- Keras reference


class KerasWindows(NamedTuple):
    """Index arrays of ``timeseries_dataset_from_array``: ``inputs`` (n, sequence_length) are
    rows of ``data``; ``targets`` (n,) are positions in ``targets`` (None without targets)."""

    inputs: np.ndarray
    targets: np.ndarray | None


def timeseries_windows(data, targets, sequence_length, sampling_rate=1, sequence_stride=1,
                       start_index=None, end_index=None) -> KerasWindows:
    """The rows Keras's ``timeseries_dataset_from_array`` uses, in time order (unshuffled).

    Window ``i`` starts at row ``s_i = start_index + i * sequence_stride``; its inputs are
    the rows ``s_i + k * sampling_rate`` for ``k < sequence_length`` and its target is
    ``targets[s_i]``. Windows are made while their inputs stay below ``end_index``; their
    count is ``end_index - start_index - (sequence_length - 1) * sampling_rate`` at stride 1,
    capped at ``len(targets)`` as Keras does. The arguments are checked as Keras checks them,
    including its rule ``end_index < len(data)`` (``end_index == len(data)`` is refused; pass
    None). Differences: ``end_index=0`` and ``sequence_length < 1`` raise here (Keras makes
    an empty dataset), and a target position past ``targets`` raises here instead of failing
    during iteration.

    >>> w = timeseries_windows(np.zeros(99), None, 10, sampling_rate=2, sequence_stride=3)
    >>> w.inputs[1].tolist(), w.inputs[-1].tolist(), w.targets
    ([3, 5, 7, 9, 11, 13, 15, 17, 19, 21], [78, 80, 82, 84, 86, 88, 90, 92, 94, 96], None)
    """
    where = "timeseries_windows"
    n = len(data)
    sequence_length = _integer(sequence_length, "sequence_length", where, low=1)
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if _integer(value, name, where, low=1) >= n:
            raise ValueError(f"{where}: {name}={value} must be lower than len(data)={n}")
    start = 0 if start_index is None else _integer(start_index, "start_index", where, low=0)
    if start >= n:
        raise ValueError(f"{where}: start_index={start} must be lower than len(data)={n}")
    end = n
    if end_index is not None:
        end = _integer(end_index, "end_index", where, low=1)
        if end <= start:
            raise ValueError(f"{where}: end_index={end} must be higher than start_index={start}")
        if end >= n:
            raise ValueError(f"{where}: end_index={end} must be lower than len(data)={n}, as in "
                             "Keras: pass end_index=None to use the data up to its end")
    count = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    starts = start + np.arange(0, max(count, 0), sequence_stride, dtype=np.int64)
    inputs = starts[:, None] + sampling_rate * np.arange(sequence_length, dtype=np.int64)
    if targets is None:
        return KerasWindows(inputs, None)
    if len(starts) and starts[-1] >= len(targets):
        raise ValueError(f"{where}: the window starting at row {starts[-1]} needs targets"
                         f"[{starts[-1]}] but targets has {len(targets)} rows (Keras fails "
                         "while iterating): give targets as long as data")
    return KerasWindows(inputs, starts.copy())


# --------------------------------------------------------------------------- friendly form


def make_windows(series, lookback, step=1, horizon=1, target=0, start=0, end=None,
                 batch_size=128, shuffle=False, seed=None) -> Windows:
    """Forecasting windows over ``series`` (2-D, rows = time, columns = features).

    The sample whose last input row is ``t`` has the inputs ``t - lookback + step, ...,
    t - step, t`` (``lookback`` rows back, including row ``t``, at stride ``step``: that is
    ``lookback // step`` inputs, so ``step`` must divide ``lookback``) and the target
    ``series[t + horizon, target]``, the value ``horizon`` rows after the last input.
    A sample is made for every ``t`` whose input rows all lie in ``[start, end)``, in time
    order. Its target may lie at or after ``end`` (as in the Keras book, where validation
    targets reach into the test rows) but never past the end of the series.

    >>> series = np.arange(20.0)[:, None]          # row r holds the value r
    >>> w = make_windows(series, lookback=6, step=2, horizon=3)
    >>> len(w), w.inputs_for(0).tolist(), w.target_for(0), w.target_for(-1)
    (13, [0, 2, 4], 7, 19)
    """
    where = "make_windows"
    values = _table(series, where)
    n_rows, n_columns = values.shape
    lookback = _integer(lookback, "lookback", where, low=1)
    step = _integer(step, "step", where, low=1)
    if lookback % step:
        below, above = lookback // step * step, (lookback // step + 1) * step
        fix = f"lookback={below} or {above}" if below else f"lookback={above}"
        raise ValueError(f"{where}: lookback={lookback} is not a multiple of step={step}; a "
                         f"window holds lookback // step inputs: use {fix}")
    horizon = _integer(horizon, "horizon", where)
    if horizon < 1:
        raise ValueError(f"{where}: horizon={horizon}, but the target is `horizon` rows after "
                         "the last input row: use horizon >= 1 (1 is the next row)")
    target = _column(target, n_columns, where)
    start = _integer(start, "start", where, low=0)
    end = n_rows if end is None else _integer(end, "end", where, low=0)
    if end > n_rows:
        raise ValueError(f"{where}: end={end} is beyond the series, which has {n_rows} rows: use "
                         f"end <= {n_rows} (or end=None for all rows)")
    if start >= end:
        raise ValueError(f"{where}: start={start} must be below end={end}")
    if lookback > end - start:
        raise ValueError(f"{where}: lookback={lookback} rows, but only {end - start} rows lie in "
                         f"[start, end) = [{start}, {end}) of the {n_rows}-row series: use "
                         f"lookback <= {end - start} or widen start/end")
    first = start + lookback - step
    if first + horizon >= n_rows:
        raise ValueError(f"{where}: no windows: the first one ends at row {first} and its target "
                         f"row {first + horizon} is past the last row ({n_rows - 1}) of the "
                         f"series: use horizon <= {n_rows - 1 - first} or an earlier start")
    batch_size = _integer(batch_size, "batch_size", where, low=1)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"{where}: shuffle must be True or False, got shuffle={shuffle!r}")
    if seed is not None:
        _integer(seed, "seed", where, low=0)
    last = min(end - 1, n_rows - 1 - horizon)
    return Windows(values.astype(np.float32), np.arange(first, last + 1), lookback, step,
                   horizon, target, start, end, batch_size, bool(shuffle), seed)


class Windows:
    """Samples made by ``make_windows``: index arithmetic visible, batches of NumPy arrays.

    ``len(w)`` is the number of samples (not batches). ``inputs_for(i)``/``target_for(i)``
    give the rows of sample ``i``; ``input_rows`` (n, lookback // step) and ``target_rows``
    (n,) give them all. ``arrays()`` returns ``(x, y)`` float32 in time order; iterating gives
    batches ``(x, y)`` of ``batch_size`` samples, reshuffled at every pass when
    ``shuffle=True`` (repeatably with ``seed``), so ``model.fit(windows, epochs=...)`` sees
    one pass per epoch.
    """

    def __init__(self, values, last_rows, lookback, step, horizon, target, start, end,
                 batch_size, shuffle, seed):
        self._values = values
        self._values.setflags(write=False)
        self._last_rows = last_rows
        self.lookback, self.step, self.horizon, self.target = lookback, step, horizon, target
        self.start, self.end = start, end
        self.batch_size, self.shuffle, self.seed = batch_size, shuffle, seed
        self._offsets = np.arange(step - lookback, 1, step)
        self._rng = np.random.default_rng(seed)

    @property
    def n_rows(self) -> int:
        """Rows of the series the windows were made from."""
        return self._values.shape[0]

    @property
    def timesteps(self) -> int:
        """Inputs per sample: lookback // step."""
        return len(self._offsets)

    @property
    def input_rows(self) -> np.ndarray:
        """(n, timesteps) row indices of every sample's inputs."""
        return self._last_rows[:, None] + self._offsets

    @property
    def target_rows(self) -> np.ndarray:
        """(n,) row index of every sample's target."""
        return self._last_rows + self.horizon

    @property
    def num_batches(self) -> int:
        """Batches per pass: ceil(len / batch_size)."""
        return math.ceil(len(self) / self.batch_size)

    def __len__(self) -> int:
        return len(self._last_rows)

    def _sample(self, i) -> int:
        i = _integer(i, "i", "Windows")
        if not -len(self) <= i < len(self):
            raise IndexError(f"Windows: sample {i} is out of range: there are {len(self)} "
                             f"samples (0..{len(self) - 1})")
        return i % len(self)

    def inputs_for(self, i) -> np.ndarray:
        """Row indices of sample ``i``'s inputs (negative ``i`` counts from the end)."""
        return self._last_rows[self._sample(i)] + self._offsets

    def target_for(self, i) -> int:
        """Row index of sample ``i``'s target."""
        return int(self._last_rows[self._sample(i)] + self.horizon)

    def _span(self, i) -> str:
        rows = self.inputs_for(i)
        target = self.target_for(i)
        return f"input rows {rows[0]}..{rows[-1]} step {self.step} -> target row {target}"

    def describe(self) -> str:
        """The exact rows used, as text: first and last sample, counts and batching."""
        n_rows, n_columns = self._values.shape
        order = (f"shuffled every pass (seed {self.seed})" if self.shuffle else "in time order")
        lines = [
            f"{len(self)} samples from a {n_rows}-row series "
            f"({n_columns} column{'s' if n_columns > 1 else ''}), "
            f"inputs within rows [{self.start}, {self.end})",
            f"each: {self.timesteps} inputs (lookback {self.lookback} rows at step {self.step}) "
            f"-> column {self.target}, {self.horizon} rows after the last input",
            f"first sample: {self._span(0)}",
            f"last sample: {self._span(-1)}",
        ]
        beyond = int(np.sum(self.target_rows >= self.end))
        if beyond:
            lines.append(f"targets of the last {beyond} samples lie at or after row {self.end} "
                         "(allowed: only inputs are kept within [start, end))")
        lines.append(f"batches: {self.num_batches} per pass of up to {self.batch_size} samples, "
                     f"{order}")
        return "\n".join(lines)

    def _batch(self, samples):
        rows = self._last_rows[samples]
        x = self._values[rows[:, None] + self._offsets]  # (B, timesteps, features)
        y = self._values[rows + self.horizon, self.target]  # (B,)
        return x, y

    def arrays(self):
        """All samples in time order: x (n, timesteps, features) and y (n,), float32."""
        return self._batch(np.arange(len(self)))

    def __iter__(self):
        order = self._rng.permutation(len(self)) if self.shuffle else np.arange(len(self))
        return (self._batch(order[i:i + self.batch_size])
                for i in range(0, len(self), self.batch_size))

    def __repr__(self) -> str:
        return (f"<Windows: {len(self)} samples, {self._span(0)} ... {self._span(-1)}, "
                f"column {self.target}>")
