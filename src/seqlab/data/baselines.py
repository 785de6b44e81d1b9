"""The single-step forecasting baselines over ``make_windows`` samples, and their score."""
from __future__ import annotations

import math

import numpy as np

from .windows import Windows, _column, _integer, _table

__all__ = ["last_value_forecast", "mae", "seasonal_naive_forecast"]


def _baseline_rows(windows, series, target, where):
    if not isinstance(windows, Windows):
        raise TypeError(f"{where}: windows must come from make_windows, got "
                        f"{type(windows).__name__}")
    values = _table(series, where)
    if len(values) != windows.n_rows:
        raise ValueError(f"{where}: the windows were made from a {windows.n_rows}-row series but "
                         f"series has {len(values)} rows: pass the same series (in the units "
                         "you want the forecast in)")
    return values, _column(target, values.shape[1], where)


def last_value_forecast(windows, series, target) -> np.ndarray:
    """For every sample, ``series[t, target]`` at its last input row ``t``: "the value
    ``horizon`` rows later equals the value now" (float64, in the series' units)."""
    values, target = _baseline_rows(windows, series, target, "last_value_forecast")
    return values[windows.target_rows - windows.horizon, target]


def seasonal_naive_forecast(windows, series, target, season) -> np.ndarray:
    """For every sample, the value one or more whole seasons before its target row: row
    ``target_row - season * ceil(horizon / season)``, the latest one known at the last input
    row. It must lie within the sample's lookback. With ``season == horizon`` this is the
    last-value forecast."""
    where = "seasonal_naive_forecast"
    values, target = _baseline_rows(windows, series, target, where)
    season = _integer(season, "season", where, low=1)
    lag = season * math.ceil(windows.horizon / season)
    back, step = lag - windows.horizon, windows.step  # rows before the last input row
    if back > windows.lookback - step:
        raise ValueError(f"{where}: season={season} reaches {back} rows before the last input, "
                         f"past the first input (lookback={windows.lookback}, step={step}): "
                         f"use windows with lookback >= {math.ceil(back / step) * step + step} "
                         "or a shorter season")
    return values[windows.target_rows - lag, target]


def mae(predictions, truth) -> float:
    """Mean absolute error of two arrays of the same shape (no broadcasting)."""
    predictions = np.asarray(predictions, dtype=np.float64)
    truth = np.asarray(truth, dtype=np.float64)
    if predictions.shape != truth.shape:
        raise ValueError(f"mae: predictions have shape {predictions.shape} but truth has shape "
                         f"{truth.shape}: make them match (e.g. predictions[:, 0] for a model's "
                         "(n, 1) output); broadcasting would silently compare every pair")
    if predictions.size == 0:
        raise ValueError("mae: no values given (empty arrays)")
    return float(np.mean(np.abs(predictions - truth)))
