"""Recipe: forecast one column of a time series some rows ahead, beside honest baselines.

    CSV --read_series--> rows x columns --standardize (training rows only)-->
    windows (lookback rows at step) --model--> the target `horizon` rows after the last input

``train(ForecastConfig(...))`` splits the rows in time order (train, validation, test),
fits the scaler on the training rows only, makes the windows (``make_windows``), scores
the last-value and seasonal-naive baselines, trains the model by name
(``_forecasters.ARCHITECTURES``) keeping the weights of its best validation epoch, and
writes one run folder:

    model.safetensors   the trained model (``seqlab.models.load_model``)
    config.json         the settings of the run
    scaler.json         the columns and the training rows' mean and std
    metrics.json        model and baseline MAE on validation and test, in the target's
                        units; the exact rows of every split; training time; history
    curves.png          learning curves (MSE loss and MAE, standardized units)
    forecast.png        two weeks of test targets: truth, model and last-value baseline

The folder is written under a temporary name and renamed at the end, so a failed run
leaves nothing behind. The defaults are the Keras book's Jena setup: hourly rows, 5 days
(120 rows) in, the temperature 24 hours after the last input, 50/25/25% splits.
"""
from __future__ import annotations

import shutil
import time
import zipfile
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .. import set_seed
from .._files import write_atomically
from ..data import Standardizer, TimeSeries, make_windows, read_series, registry, time_splits
from ..data.baselines import last_value_forecast, mae, seasonal_naive_forecast
from ..models import callbacks, load_model
from ..viz import plot_forecast, plot_history
from ._checks import check_settings, optimizer_for
from ._forecasters import ARCHITECTURES, build_forecaster
from ._runs import (
    check_output,
    config_record,
    how_it_ended,
    read_config,
    read_json,
    reporter,
    run_folder,
    write_json,
)
from ._threads import config_threads, torch_threads
from .configs import ForecastConfig

JENA_10_MINUTES = 6  # the downloaded Jena file has a row every 10 minutes: keep every 6th


@config_threads
def train(config: ForecastConfig, verbose=1) -> dict:
    """Run the recipe; returns the metrics written to ``metrics.json``."""
    _check(config)
    say = reporter(verbose)
    set_seed(config.seed)
    notes = []
    series = load_series(config, notes)
    for note in notes:
        say(f"data: {note}")
    target = series.index_of(config.target)
    train_end, val_end = time_splits(len(series), config.train_fraction, config.val_fraction)
    say(f"data: {series.source}: {len(series):,} rows x {len(series.columns)} columns "
        f"{series.columns}; rows [0, {train_end}) train, [{train_end}, {val_end}) validation, "
        f"[{val_end}, {len(series)}) test")
    _check_varies(series, train_end)
    scaler = Standardizer.from_training_rows(series.values, train_end)
    splits = _windows(scaler.transform(series.values), config, target, train_end, val_end)
    for name, windows in splits.items():
        say(f"{name} windows: " + windows.describe().replace("\n", "\n    "))
    model = build_forecaster(config.model, splits["train"].timesteps, len(series.columns),
                             config.units, config.dropout, config.recurrent_dropout)
    model.compile(optimizer=optimizer_for(config), loss="mse", metrics=["mae"])
    if verbose:
        model.summary()
    best = callbacks.EarlyStopping(monitor="val_mae", patience=config.epochs,
                                   restore_best_weights=True)
    started = time.perf_counter()
    history = model.fit(splits["train"], validation_data=splits["val"], epochs=config.epochs,
                        callbacks=[best], verbose=verbose)
    seconds = time.perf_counter() - started
    ended = how_it_ended(history)
    unit = _unit(config.target)
    scores, forecasts = {}, {}
    for name in ("val", "test"):
        scores[name], forecasts[name] = _score(model, splits[name], series.values, target,
                                               scaler, config.season)
    val_mae = history.history["val_mae"]
    metrics = {
        "target": config.target, "unit": unit,
        "validation": scores["val"], "test": scores["test"],
        "best_epoch": int(np.argmin(val_mae)) + 1,
        "training_seconds": round(seconds, 1),
        "parameters": model.count_params(),
        "rows": {"total": len(series), "train": [0, train_end], "val": [train_end, val_end],
                 "test": [val_end, len(series)]},
        "windows": {name: w.describe() for name, w in splits.items()},
        "history": history.history,
        **ended,
    }
    with run_folder(config.output, config.overwrite) as folder:
        model.save(folder / "model.safetensors")
        write_json(folder / "config.json", config_record(config))
        write_json(folder / "scaler.json", {"columns": series.columns, "mean": scaler.mean,
                                            "std": scaler.std})
        write_json(folder / "metrics.json", metrics)
        curves, titles = _curves_in_units(history.history, scaler.std[target], unit)
        plot_history(curves, folder / "curves.png", kept_epoch=metrics["best_epoch"],
                     titles=titles)
        _plot(forecasts["test"], scores["test"], splits["test"], series, config, unit,
              folder / "forecast.png")
    return metrics


@torch_threads(1)
def evaluate(run, data=None) -> dict:
    """MAE of a trained run and of the baselines on its test split, or on every window of
    `data` (another CSV with the same columns), in the target's units."""
    folder = Path(run)
    config, _ = read_config(folder, ForecastConfig, "forecasting")
    saved = read_json(folder / "scaler.json")
    model = load_model(folder / "model.safetensors")
    series = load_series(config if data is None else
                         ForecastConfig(**{**asdict(config), "data": str(data),
                                           "columns": saved["columns"]}))
    if series.columns != saved["columns"]:
        raise ValueError(f"{series.source} has the columns {series.columns}, but the model was "
                         f"trained on {saved['columns']}")
    scaler = Standardizer()
    scaler.mean, scaler.std = np.array(saved["mean"]), np.array(saved["std"])
    target = series.index_of(config.target)
    scaled = scaler.transform(series.values)
    start = 0  # another file: all of its windows
    if data is None:
        _, start = time_splits(len(series), config.train_fraction, config.val_fraction)
    windows = make_windows(scaled, config.lookback, config.step, config.horizon, target,
                           start=start, batch_size=config.batch_size)
    scores, _ = _score(model, windows, series.values, target, scaler, config.season)
    return {"target": config.target, "unit": _unit(config.target), **scores}


# ------------------------------------------------------------------------------ data

def load_series(config, notes=None) -> TimeSeries:
    """The configured series: every `every`-th row, the input columns with the target;
    what was filled or encoded is appended to `notes`."""
    if config.data == "jena" and not Path(config.data).exists():
        path, every = _jena_csv(registry.fetch("jena")), config.every or JENA_10_MINUTES
    else:
        path, every = Path(config.data), config.every or 1
        if not path.is_file():
            raise FileNotFoundError(f"{config.data}: no such file, and not the dataset name "
                                    "'jena'")
    columns = None
    if config.columns:
        columns = list(config.columns) + ([config.target] if config.target not in
                                          config.columns else [])
    series = read_series(path, date_column=config.date_column, columns=columns,
                         date_format=getattr(config, "date_format", None),
                         missing=getattr(config, "missing", "ffill"),
                         categorical="drop" if getattr(config, "drop_categorical", False)
                         else "onehot", notes=notes)
    series.index_of(config.target)  # an unknown target names the columns found
    times = None if series.times is None else series.times[::every]
    return TimeSeries(times, series.values[::every], series.columns, series.source)


def _jena_csv(archive) -> Path:
    """The CSV inside the downloaded Jena zip, extracted once next to it."""
    archive = Path(archive)
    with zipfile.ZipFile(archive) as opened:
        members = [m for m in opened.namelist() if m.endswith(".csv") and "/" not in m]
        if len(members) != 1:
            raise ValueError(f"{archive}: expected one CSV file in the archive, found "
                             f"{opened.namelist()}")
        path = archive.with_name(members[0])
        if not path.exists():
            with opened.open(members[0]) as source:
                write_atomically(path, lambda file: shutil.copyfileobj(source, file))
    return path


def _windows(scaled, config, target, train_end, val_end):
    """Train (shuffled), validation and test windows. Inputs stay inside their split;
    targets may reach into the next one, as in the Keras book."""
    common = dict(lookback=config.lookback, step=config.step, horizon=config.horizon,
                  target=target, batch_size=config.batch_size)
    return {
        "train": make_windows(scaled, start=0, end=train_end, shuffle=True, seed=config.seed,
                              **common),
        "val": make_windows(scaled, start=train_end, end=val_end, **common),
        "test": make_windows(scaled, start=val_end, **common),
    }


def _check_varies(series, train_end):
    """A column constant over the training rows cannot be standardized: name it."""
    flat = [name for name, std in zip(series.columns, series.values[:train_end].std(axis=0))
            if std == 0]
    if flat:
        raise ValueError(f"{series.source}: {flat} never change over the {train_end:,} "
                         "training rows, so they cannot be standardized: leave them out "
                         "(choose the input columns with columns=/--columns)")


def _check(config):
    check_settings(config, counts=("lookback", "step", "horizon", "season", "units", "epochs",
                                   "batch_size"),
                   fractions=("dropout", "recurrent_dropout"),
                   positive=("learning_rate",), choices={"model": list(ARCHITECTURES)})
    if config.every is not None:
        check_settings(config, counts=("every",))
    if config.missing not in ("ffill", "error"):
        raise ValueError(f"missing={config.missing!r}: use 'ffill' (fill a missing cell with "
                         "the value above) or 'error'")
    for name in ("train_fraction", "val_fraction"):
        if not 0 < getattr(config, name) < 1:
            raise ValueError(f"{name} must be between 0 and 1, got {getattr(config, name)!r}")
    if config.train_fraction + config.val_fraction > 1:
        raise ValueError(f"train_fraction={config.train_fraction} + val_fraction="
                         f"{config.val_fraction} is more than all the rows: the rest is the "
                         "test split")
    if config.lookback % config.step:
        raise ValueError(f"lookback={config.lookback} is not a multiple of step={config.step}")
    back = config.season * -(-config.horizon // config.season) - config.horizon
    if back > config.lookback - config.step:  # the seasonal-naive value must be an input
        raise ValueError(f"season={config.season} with horizon={config.horizon} needs the value "
                         f"{back} rows before the last input, outside lookback="
                         f"{config.lookback}: use a shorter season or a longer lookback")
    optimizer_for(config)  # an unknown name fails here, not after loading data
    check_output(config.output, config.overwrite)


# --------------------------------------------------------------------------- scoring

def _score(model, windows, values, target, scaler, season):
    """MAE of the model and the baselines on `windows`, in the target's units, and the
    forecasts themselves."""
    truth = values[windows.target_rows, target]
    x, _ = windows.arrays()
    predicted = scaler.inverse(model.predict(x, batch_size=1024, verbose=0)[:, 0], target)
    last_value = last_value_forecast(windows, values, target)
    scores = {"samples": len(windows), "model_mae": mae(predicted, truth),
              "last_value_mae": mae(last_value, truth),
              "seasonal_naive_mae": mae(seasonal_naive_forecast(windows, values, target,
                                                                season), truth),
              "season": season}
    return scores, {"truth": truth, "model": predicted, "last value": last_value}


def _curves_in_units(history, std, unit):
    """``(history, titles)`` for curves.png: MAE in the target's units, as every table
    (the model trains on standardized values: one standardized unit is `std`)."""
    curves = {key: [value * float(std) for value in values] if key.endswith("mae") else values
              for key, values in history.items()}
    shown = f" ({unit})" if unit else " (the target's units)"
    return curves, {"mae": "MAE" + shown, "loss": "loss (MSE of the standardized target)"}


def _unit(column):
    """The unit in a column name such as ``T (degC)``, else ''."""
    name = str(column)
    if name.endswith(")") and "(" in name:
        unit = name[name.rindex("(") + 1:-1]
        return "°C" if unit == "degC" else unit
    return ""


def _plot(forecasts, scores, windows, series, config, unit, path):
    shown = slice(0, min(len(windows), 14 * config.season))  # two weeks of hourly rows
    times = None if series.times is None else series.times[windows.target_rows[shown]]
    label = (lambda name, key: f"{name} (test MAE {scores[key]:.2f} {unit})".replace(" )", ")"))
    plot_forecast(forecasts["truth"][shown],
                  {label(config.model, "model_mae"): forecasts["model"][shown],
                   label("last value", "last_value_mae"): forecasts["last value"][shown]},
                  path, times=times, ylabel=config.target,
                  title=f"{config.model}: {config.target} {config.horizon} rows after the last "
                        "input, first test windows")
