"""``seqlab forecast train|evaluate``: the time-series forecasting recipe."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..tasks.configs import FORECASTERS, LTSF_MODELS, ForecastConfig
from ._options import THREADS_HELP, add_config_options, config_from, say_if_interrupted

HELP = {
    "data": "'jena' (downloaded; 10-minute rows, every 6th kept) or a CSV file with a header",
    "target": "the column to forecast",
    "columns": "the input columns (default: every numeric column); the target is added",
    "date_column": "the dates' column (default: the first column when it holds dates)",
    "date_format": "strptime codes for dates in a layout not recognised by itself, e.g. "
                   "'%%d-%%b-%%Y %%H:%%M'",
    "missing": "missing cells (empty, NA, NaN): ffill (the value above, counted) or error",
    "drop_categorical": "leave out columns of words (default: one-hot encode them)",
    "every": "keep every n-th row (default 6 for 'jena', else 1)",
    "lookback": "rows of history in each window",
    "step": "use every step-th row of the lookback",
    "horizon": "forecast the target this many rows after the last input",
    "train_fraction": "first share of the rows for training",
    "val_fraction": "next share for validation (the rest is the test split)",
    "season": "rows per season for the seasonal-naive baseline",
    "model": "architecture: " + ", ".join(FORECASTERS),
    "units": "recurrent units (filters for cnn-gru)",
    "dropout": "input dropout of recurrent layers, and a Dropout layer before the output",
    "recurrent_dropout": "dropout on the recurrent state (slower: no fused kernel)",
    "epochs": "passes over the training windows; the best validation epoch is kept",
    "batch_size": "windows per gradient step",
    "optimizer": "rmsprop, adam, sgd, adagrad or adamw",
    "learning_rate": "the optimizer's learning rate (default: Keras's for that optimizer)",
    "seed": "seed for initialisation and shuffling",
    "threads": THREADS_HELP,
    "output": "the run folder to write (must not exist unless --overwrite)",
    "overwrite": "replace an existing run folder (only once the new run has succeeded)",
}


def add(commands):
    forecast_parser = commands.add_parser(
        "forecast", help="train and evaluate time-series forecasters",
        description="Forecast one column some rows ahead, beside the last-value and "
                    "seasonal-naive baselines, all in the column's own units.")
    forecast_parser.set_defaults(command_parser=forecast_parser)
    actions = forecast_parser.add_subparsers(dest="action", metavar="ACTION")

    train = actions.add_parser(
        "train", help="train a forecaster and write a run folder",
        description="Split the rows in time order, standardize with the training rows' "
                    "statistics, window, train, and write one run folder: model.safetensors, "
                    "config.json, scaler.json, metrics.json, curves.png, forecast.png. "
                    "Defaults: the Keras book's Jena setup (120 h in, 24 h ahead, 50/25/25%).")
    add_config_options(train, ForecastConfig, HELP)
    train.add_argument("--quiet", action="store_true", help="no progress bars or summaries")
    train.set_defaults(run=_train)

    evaluate = actions.add_parser(
        "evaluate", help="score a run folder on its test split or on another CSV",
        description="MAE of the model and of the baselines, in the target's units.")
    evaluate.add_argument("run_folder", metavar="RUN")
    evaluate.add_argument("--data", help="a CSV with the same columns, scored on all of its "
                                         "windows (default: the run's own test split)")
    evaluate.set_defaults(run=_evaluate)
    _add_benchmark(actions)


def _add_benchmark(actions):
    bench = actions.add_parser(
        "benchmark", help="the long-horizon benchmark (LTSF) on one CSV, every horizon",
        description="The Informer/Autoformer/DLinear/SegRNN protocol: ETT borders (12/4/4 "
                    "months; 15-minute files 4x the rows) or the 70/10/20 split for other "
                    "CSVs, z-scores with the training rows, every window at stride 1, MSE and "
                    "MAE over every channel and horizon step, beside 'repeat the last value' "
                    "and a closed-form linear map. Writes DIR/metrics.json and "
                    "DIR/forecast.png.")
    add = bench.add_argument
    add("--data", required=True, help="a CSV file with a header (a date column first)")
    add("--protocol", default="ltsf", choices=["ltsf"], help="the benchmark protocol")
    add("--lookback", type=int, default=96, help="rows in each window (default 96)")
    add("--horizons", type=int, nargs="+", default=[96, 192, 336, 720], metavar="H",
        help="rows to forecast, all at once (default 96 192 336 720)")
    add("--features", default="M", choices=["M", "S"],
        help="M: every column in and out; S: the target column only")
    add("--target", default="OT", help="the column for --features S (default OT)")
    add("--model", default="segrnn", choices=list(LTSF_MODELS),
        help="segrnn (default), linear, gru or lstm; every one channel-independent, with "
             "instance normalisation")
    add("--layout", choices=["etth", "ettm", "custom"],
        help="the split (default: from the file name: ETTh*, ETTm*, else 70/10/20)")
    add("--units", type=int, help="hidden size (default: the model's published setting)")
    add("--dropout", type=float, help="dropout before the head (default: published setting)")
    add("--seg-len", type=int, default=24, help="rows per segment for segrnn/gru/lstm")
    add("--norm", default="last", choices=["last", "mean", "none"],
        help="instance normalisation: subtract the window's last value (default), or its "
             "mean and divide by its std (RevIN), or none")
    add("--affine", action="store_true", help="learnable per-channel scale and shift (RevIN)")
    add("--train-linear", action="store_true",
        help="--model linear trained by Adam instead of solved by least squares")
    add("--epochs", type=int, default=30, help="at most this many epochs (default 30)")
    add("--patience", type=int, default=5,
        help="stop after this many epochs without a better validation loss (default 5)")
    add("--batch-size", type=int, help="windows per step (default: published setting)")
    add("--learning-rate", type=float, help="Adam's rate (default: published setting)")
    add("--seed", type=int, default=2024, help="seed for initialisation and shuffling")
    add("--date-column", help="the dates' column (default: the first, when it holds dates)")
    add("--date-format", help="strptime codes for the dates, e.g. '%%d/%%m/%%Y %%H:%%M'")
    add("--missing", default="ffill", choices=["ffill", "error"],
        help="missing cells (empty, NA, NaN): filled with the value above (default, counted "
             "in the log) or refused")
    add("--drop-categorical", action="store_true",
        help="leave out columns of words (default: one-hot encode them)")
    add("--output", required=True, metavar="DIR", help="the folder to write")
    add("--overwrite", action="store_true", help="replace DIR if it exists")
    add("--quiet", action="store_true", help="no progress lines")
    bench.set_defaults(run=_benchmark)


def _benchmark(args) -> int:
    from ..tasks import benchmark

    config = config_from(args, benchmark.BenchmarkConfig)
    metrics = benchmark.run(config, verbose=0 if args.quiet else 1)
    console = Console()
    console.print(benchmark_table(metrics))
    for horizon, entry in metrics["results"].items():
        if entry["worse_than_baseline"]:
            console.print(f"[bold red]horizon {horizon}: {metrics['model']} is worse than "
                          f"{' and '.join(entry['worse_than_baseline'])} on validation[/]")
    console.print(f"written: {args.output}/metrics.json, {args.output}/forecast.png")
    return 0


def benchmark_table(metrics) -> Table:
    """Rows: horizons; columns: the model's and the baselines' test MSE / MAE."""
    table = Table(title=f"{Path(metrics['data']).name}: {metrics['protocol']} "
                        f"{metrics['features']}, lookback {metrics['lookback']}, test MSE / MAE",
                  header_style="bold")
    for name in ("horizon", f"{metrics['model']} (model)", "repeat", "linear", "epoch", "fit s"):
        table.add_column(name, justify="right", no_wrap=True)
    for horizon, entry in metrics["results"].items():
        pair = (lambda s: f"{s['mse']:.3f} / {s['mae']:.3f}")  # noqa: E731
        table.add_row(horizon, pair(entry), pair(entry["baselines"]["repeat"]),
                      pair(entry["baselines"]["linear"]),
                      f"{entry['best_epoch']}/{entry['epochs']}",
                      f"{entry['training_seconds']:.0f}")
    return table


def _train(args) -> int:
    from ..tasks import forecast

    config = config_from(args, ForecastConfig)
    metrics = forecast.train(config, verbose=0 if args.quiet else 1)
    table = mae_table({"validation": metrics["validation"], "test": metrics["test"]},
                      metrics["unit"], f"{config.model}: {config.target}, {config.horizon} rows "
                                       "ahead, mean absolute error")
    console = Console()
    console.print(table)
    console.print(f"best epoch {metrics['best_epoch']} of {config.epochs}, trained in "
                  f"{metrics['training_seconds']:.0f} s; run folder: {config.output} "
                  "(model.safetensors, metrics.json, curves.png, forecast.png)")
    say_if_interrupted("forecast train", metrics, config.epochs, metrics["best_epoch"])
    return 0


def _evaluate(args) -> int:
    from ..tasks import forecast

    scores = forecast.evaluate(args.run_folder, args.data)
    Console().print(mae_table({args.data or "test": scores}, scores["unit"],
                              f"{args.run_folder}: {scores['target']}, mean absolute error"))
    return 0


def mae_table(splits: dict, unit: str, title: str) -> Table:
    """Rows: the model and the baselines; columns: the splits."""
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("forecaster")
    for name, scores in splits.items():
        table.add_column(f"{name} ({scores['samples']:,} windows)", justify="right")
    season = next(iter(splits.values()))["season"]
    rows = (("model", "model_mae"), ("last value (value now)", "last_value_mae"),
            (f"seasonal naive (season {season} rows)", "seasonal_naive_mae"))
    for label, key in rows:
        table.add_row(label, *(f"{scores[key]:.4f} {unit}".rstrip() for scores in
                               splits.values()))
    return table
