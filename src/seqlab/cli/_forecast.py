"""``seqlab forecast train|evaluate``: the time-series forecasting recipe."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..tasks.configs import FORECASTERS, ForecastConfig
from ._options import THREADS_HELP, add_config_options, config_from, say_if_interrupted

HELP = {
    "data": "'jena' (downloaded; 10-minute rows, every 6th kept) or a CSV file with a header",
    "target": "the column to forecast",
    "columns": "the input columns (default: every numeric column); the target is added",
    "date_column": "the dates' column (default: the first column when it holds dates)",
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
