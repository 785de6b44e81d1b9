"""Recipe: the long-horizon forecasting benchmark (LTSF) on one CSV, every horizon.

    CSV --read_series--> rows x channels --ltsf_splits (ETT borders or 70/10/20)-->
    z-scores with the training rows --horizon_windows (stride 1)--> for each horizon:
    baselines (repeat, closed-form linear) + the model trained with early stopping on
    validation --> MSE / MAE on the z-scores over every window, step and channel

``run(BenchmarkConfig(data="ETTh1.csv", model="segrnn"))`` is the whole protocol; it
writes ``metrics.json`` (layout below) and ``forecast.png`` in ``output`` and returns the
metrics::

    {"protocol": "ltsf", "features": "M", "lookback": 96, "model": "segrnn",
     "results": {"96": {"mse": .., "mae": .., "baselines": {"repeat": {"mse": .., "mae": ..},
                                                          "linear": {"mse": .., "mae": ..}},
                        "validation": {...same for the validation split...},
                        "worse_than_baseline": [...baselines that beat it on validation...],
                        "best_epoch": .., "epochs": .., "training_seconds": .., "windows": ..},
                 ...}}

``model="linear"`` is the closed-form least-squares map (the "linear" baseline itself)
unless ``train_linear=True``. The other models' settings default to their published ones
(``MODEL_DEFAULTS``; SegRNN's ETTh1 script: seg_len 24, 512 units, dropout 0.1, Adam
3e-4, batch 64, MAE loss, 30 epochs, patience 5, the learning rate kept for 4 epochs then
x0.9 per epoch); nothing is chosen per dataset.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from .. import set_seed
from ..data import Standardizer, TimeSeries, read_series, series_from_dataframe
from ..data.ltsf import (
    errors_by_step,
    horizon_windows,
    linear_baseline,
    ltsf_layout,
    ltsf_splits,
    repeat_forecast,
    scores,
)
from ..models import Input, Sequential, callbacks, optimizers
from ._ltsf_models import LTSF_MODELS, NORMS, build_ltsf_model
from ._runs import check_output, config_record, reporter, run_folder, write_json

PROTOCOLS = ("ltsf",)
# the published settings of each model (SegRNN: lss-1138/SegRNN scripts/SegRNN/etth1.sh;
# DLinear/NLinear: batch 32, lr 0.005, MSE loss; the recurrent encoders: Keras's Adam)
MODEL_DEFAULTS = {
    "segrnn": dict(units=512, dropout=0.1, learning_rate=3e-4, batch_size=64, loss="mae"),
    "linear": dict(units=None, dropout=0.0, learning_rate=5e-3, batch_size=32, loss="mse"),
    "gru": dict(units=128, dropout=0.0, learning_rate=1e-3, batch_size=64, loss="mae"),
    "lstm": dict(units=128, dropout=0.0, learning_rate=1e-3, batch_size=64, loss="mae"),
}


@dataclass
class BenchmarkConfig:
    """Everything a benchmark run depends on (saved in metrics.json as "config")."""

    data: str | object = ""  # a CSV file (or a TimeSeries / pandas DataFrame in Python)
    protocol: str = "ltsf"
    lookback: int = 96
    horizons: list[int] = field(default_factory=lambda: [96, 192, 336, 720])
    features: str = "M"  # M: every column in and out; S: the target column only
    target: str = "OT"
    model: str = "segrnn"
    layout: str | None = None  # etth, ettm or custom (default: from the file name)
    units: int | None = None  # default: MODEL_DEFAULTS
    dropout: float | None = None
    seg_len: int = 24
    norm: str = "last"  # instance normalisation: last, mean or none
    affine: bool = False
    train_linear: bool = False  # linear: least squares (default) or trained by Adam
    epochs: int = 30
    patience: int = 5
    batch_size: int | None = None
    learning_rate: float | None = None
    loss: str | None = None
    seed: int = 2024
    date_column: str | None = None  # default: the first column, when it holds dates
    date_format: str | None = None
    missing: str = "ffill"  # missing cells: ffill (filled with the value above) or error
    drop_categorical: bool = False  # columns of words: one-hot encoded, or dropped
    output: str = "runs/benchmark"
    overwrite: bool = False


def run(config: BenchmarkConfig, verbose=1) -> dict:
    """Run the protocol on every horizon; returns (and writes) the metrics."""
    say = reporter(verbose)
    _check(config)
    series = load(config, verbose)
    layout = config.layout or ltsf_layout(series.source)
    splits = ltsf_splits(len(series), config.lookback, layout)
    _check_horizons(config, splits)
    train_end = splits["train"][1]
    _check_varies(series, train_end)
    scaled = Standardizer.from_training_rows(series.values, train_end).transform(series.values)
    say(f"data: {series.source}: {len(series):,} rows x {len(series.columns)} channels "
        f"{series.columns}; {layout} split: " +
        ", ".join(f"{name} rows [{a}, {b})" for name, (a, b) in splits.items()))
    settings = {key: getattr(config, key) if getattr(config, key) is not None else value
                for key, value in MODEL_DEFAULTS[config.model].items()}
    results, figures = {}, {}
    for horizon in config.horizons:
        results[str(horizon)], figures[horizon] = _one_horizon(config, settings, scaled,
                                                               splits, horizon, verbose)
    metrics = {"protocol": config.protocol, "features": config.features,
               "lookback": config.lookback, "model": config.model, "results": results,
               "data": series.source, "columns": series.columns, "layout": layout,
               "settings": settings, "config": config_record(_recordable(config))}
    with run_folder(config.output, config.overwrite) as folder:
        write_json(folder / "metrics.json", metrics)
        _plot(figures, series.columns, config, folder / "forecast.png")
    return metrics


def _one_horizon(config, settings, scaled, splits, horizon, verbose):
    say = reporter(verbose)
    make = lambda split, **kw: horizon_windows(  # noqa: E731
        scaled, config.lookback, horizon, *splits[split], batch_size=settings["batch_size"],
        **kw)
    train = make("train", shuffle=True, seed=config.seed)
    val, test = make("val"), make("test")
    say(f"horizon {horizon}: train {train.describe()}; validation {val.count:,}; "
        f"test {test.count:,} windows")
    linear = linear_baseline(train)
    outcome = {}
    for name, windows in (("validation", val), ("test", test)):
        x, y = windows.arrays()
        outcome[name] = (x, y, {"repeat": scores(repeat_forecast(x), y),
                                "linear": scores(linear(x), y)})
    set_seed(config.seed)
    started = time.perf_counter()
    if config.model == "linear" and not config.train_linear:  # the closed form: no epochs
        forecast, best_epoch, epochs = linear, 0, 0
    else:
        model, best_epoch, epochs = _train(config, settings, train, val, horizon,
                                           scaled.shape[1], verbose=2 if verbose else 0)
        forecast = lambda x: model.predict(x, batch_size=512, verbose=0)  # noqa: E731
    seconds = time.perf_counter() - started
    predicted = {name: forecast(x) for name, (x, _, _) in outcome.items()}
    val_scores = scores(predicted["validation"], outcome["validation"][1])
    test_scores = scores(predicted["test"], outcome["test"][1])
    worse = [name for name, base in outcome["validation"][2].items()
             if base["mse"] < val_scores["mse"]]
    entry = {**test_scores, "baselines": outcome["test"][2],
             "validation": {**val_scores, "baselines": outcome["validation"][2]},
             "worse_than_baseline": worse, "best_epoch": best_epoch, "epochs": epochs,
             "training_seconds": round(seconds, 1),
             "windows": {"train": train.count, "val": val.count, "test": test.count}}
    say(f"horizon {horizon}: test MSE {test_scores['mse']:.4f} MAE {test_scores['mae']:.4f} "
        f"(repeat {entry['baselines']['repeat']['mse']:.4f}, linear "
        f"{entry['baselines']['linear']['mse']:.4f}); best epoch {best_epoch}/{epochs}, "
        f"{seconds:.0f} s")
    if worse:
        print(f"WARNING: horizon {horizon}: the trained {config.model} is worse than "
            f"{' and '.join(worse)} on validation (MSE {val_scores['mse']:.4f} vs " +
            ", ".join(f"{n} {outcome['validation'][2][n]['mse']:.4f}" for n in worse) +
            "): use the baseline, or train longer / differently", file=sys.stderr)
    x, y, _ = outcome["test"]
    figure = {"x": x, "y": y, "model": predicted["test"], "linear": linear(x),
              "by_step": errors_by_step(predicted["test"], y)}
    return entry, figure


def _train(config, settings, train, val, horizon, channels, verbose):
    inner = build_ltsf_model(config.model, config.lookback, horizon, channels,
                             settings["units"], settings["dropout"], config.seg_len,
                             config.norm, config.affine)
    model = Sequential([Input(shape=(config.lookback, channels)), inner],
                       name=f"ltsf_{config.model}")
    model.compile(optimizer=optimizers.Adam(learning_rate=settings["learning_rate"]),
                  loss=settings["loss"])
    rate = settings["learning_rate"]
    schedule = callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs=None: setattr(
        model, "learning_rate", rate if epoch <= 3 else rate * 0.9 ** (epoch - 3)))
    best = callbacks.EarlyStopping(monitor="val_loss", patience=config.patience,
                                   restore_best_weights=True)
    history = model.fit(train, validation_data=val, epochs=config.epochs,
                        callbacks=[schedule, best], verbose=verbose)
    val_loss = history.history["val_loss"]
    return model, int(np.argmin(val_loss)) + 1, len(val_loss)


# ------------------------------------------------------------------------------ data

def load(config, verbose=0) -> TimeSeries:
    """The configured series: a CSV path, a TimeSeries, or a pandas DataFrame; with
    ``features="S"`` only the target column."""
    data, notes, say = config.data, [], reporter(verbose)
    options = dict(missing=config.missing, notes=notes,
                   categorical="drop" if config.drop_categorical else "onehot")
    if isinstance(data, TimeSeries):
        series = data
    elif hasattr(data, "columns") and hasattr(data, "to_numpy"):  # a pandas DataFrame
        series = series_from_dataframe(data, config.date_column, **options)
    else:
        path = Path(str(data))
        if not path.is_file():
            raise FileNotFoundError(f"data={str(data)!r}: no such file: pass a CSV file")
        series = read_series(path, config.date_column, date_format=config.date_format,
                             **options)
    for note in notes:
        say(f"data: {note}")
    if config.features == "S" or config.target in series.columns:
        target = series.index_of(config.target)  # an unknown target names the columns
        if config.features == "S":
            return TimeSeries(series.times, series.values[:, [target]], [config.target],
                              series.source)
    return series


def _check(config):
    if config.protocol not in PROTOCOLS:
        raise ValueError(f"protocol={config.protocol!r}: the protocols are {PROTOCOLS}")
    if config.features not in ("M", "S"):
        raise ValueError(f"features={config.features!r}: use 'M' (every column in and out) or "
                         "'S' (the target column only)")
    if config.model not in LTSF_MODELS:
        raise ValueError(f"model={config.model!r}; choose one of: {', '.join(LTSF_MODELS)}")
    if config.missing not in ("ffill", "error"):
        raise ValueError(f"missing={config.missing!r}: use 'ffill' or 'error'")
    if config.norm not in NORMS:
        raise ValueError(f"norm={config.norm!r}; choose one of {NORMS}")
    for name in ("lookback", "epochs", "patience", "seg_len"):
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    if not config.horizons or any(isinstance(h, bool) or not isinstance(h, int) or h < 1
                                  for h in config.horizons):
        raise ValueError(f"horizons must be positive ints, got {config.horizons!r}")
    if config.model != "linear":  # segments: checked before any data is read or trained
        rows = [("lookback", config.lookback)] + (
            [("horizon", h) for h in config.horizons] if config.model == "segrnn" else [])
        for name, value in rows:
            if value % config.seg_len:
                raise ValueError(f"{config.model}: {name}={value} is not a multiple of "
                                 f"seg_len={config.seg_len}: use a seg_len that divides the "
                                 "lookback (and, for segrnn, every horizon)")
    check_output(config.output, config.overwrite)


def _check_horizons(config, splits):
    for horizon in config.horizons:
        for name, (start, end) in splits.items():
            if config.lookback + horizon > end - start:
                split = {"train": "training", "val": "validation"}.get(name, name)
                raise ValueError(f"horizon={horizon} is longer than the {split} split allows: "
                                 f"its rows [{start}, {end}) hold {end - start} rows, fewer "
                                 f"than lookback {config.lookback} + horizon {horizon}: use "
                                 f"horizon <= {end - start - config.lookback}")


def _check_varies(series, train_end):
    flat = [name for name, std in zip(series.columns, series.values[:train_end].std(axis=0))
            if std == 0]
    if flat:
        raise ValueError(f"{series.source}: the columns {flat} are constant over the "
                         f"{train_end:,} training rows, so they cannot be z-scored: drop them "
                         "from the file (or use features='S' with another target)")


def _recordable(config):
    """The config with a non-path ``data`` (a DataFrame, a TimeSeries) named by its type."""
    values = {f.name: getattr(config, f.name) for f in fields(config)}
    if not isinstance(values["data"], (str, Path)):
        values["data"] = f"<{type(values['data']).__name__}>"
    return BenchmarkConfig(**values)


def _plot(figures, columns, config, path):
    from ..viz import plot_horizons

    plot_horizons(figures, columns, path, title=f"{config.model}, lookback {config.lookback}")
