"""Benchmark: the forecasting recipes on the Jena climate record with the Keras book's
setup, beside the baselines, with their training time.

    hourly rows, 120 h in, temperature 24 h after the last input, 50/25/25% time splits
    last value ("T in 24 h = T now"): 2.44 degC validation, 2.62 degC test
    the book's 14-feature models: 2.39-2.45 degC; here 6 features (the file in ../shared/data)

Each run is exactly ``seqlab forecast train`` with the settings printed beside it; the
test MAE must come out below the last-value baseline's.

    python bench/bench_forecast.py                    # dense, gru, lstm
    python bench/bench_forecast.py --only gru stacked
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from seqlab.tasks.forecast import ForecastConfig, train

JENA = (Path(__file__).resolve().parents[1].parent / "shared" / "data" / "jena" /
        "jena_climate_hourly_6vars_2009_2016.csv")

# name: the settings that differ from ForecastConfig's defaults (the book's setup)
RUNS = {
    "dense": dict(model="dense", epochs=10),
    "gru": dict(model="gru", units=32, epochs=10),
    "lstm": dict(model="lstm", units=16, epochs=10),
    "stacked": dict(model="stacked", units=32, dropout=0.2, epochs=10),
    "bidirectional": dict(model="bidirectional", units=16, epochs=10),
    "cnn-gru": dict(model="cnn-gru", units=32, epochs=10),
}
DEFAULT = ["dense", "gru", "lstm"]


def command(settings: dict) -> str:
    options = " ".join(f"--{key.replace('_', '-')} {value}" for key, value in settings.items())
    return f"seqlab forecast train --data {JENA.name} {options}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=list(RUNS), default=DEFAULT)
    parser.add_argument("--verbose", action="store_true", help="show the training progress")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(),
                        help="torch threads (default: torch's own, one per core, as the "
                             "README's figures; the recipes' default is 1)")
    args = parser.parse_args()
    if not JENA.exists():
        raise SystemExit(f"{JENA} is missing: the benchmark reads ../shared/data")
    print(f"torch {torch.__version__}, {args.threads} threads")
    rows, baseline = [], None
    with tempfile.TemporaryDirectory() as folder:
        for name in args.only:
            settings = {**RUNS[name], "threads": args.threads}
            print(f"\n{name}: {command(settings)}", flush=True)
            metrics = train(ForecastConfig(data=str(JENA), **settings,
                                           output=str(Path(folder) / name)),
                            verbose=2 if args.verbose else 0)
            val, test = metrics["validation"], metrics["test"]
            baseline = (val["last_value_mae"], test["last_value_mae"],
                        val["seasonal_naive_mae"], test["seasonal_naive_mae"])
            rows.append((name, val["model_mae"], test["model_mae"], metrics["best_epoch"],
                         metrics["training_seconds"]))
            print(f"  MAE validation {val['model_mae']:.3f}, test {test['model_mae']:.3f} degC "
                  f"(best epoch {metrics['best_epoch']}), fit {metrics['training_seconds']:.0f} s",
                  flush=True)
    started = time.strftime("%Y-%m-%d %H:%M")
    print(f"\nJena hourly, MAE in degC ({started})")
    print(f"{'forecaster':<26}{'validation':>11}{'test':>8}{'epoch':>7}{'fit s':>8}  beats last value")
    for name, val, test, epoch, seconds in rows:
        print(f"{name:<26}{val:>11.3f}{test:>8.3f}{epoch:>7}{seconds:>8.0f}  "
              f"{'yes' if test < baseline[1] else 'NO'}")
    print(f"{'last value':<26}{baseline[0]:>11.3f}{baseline[1]:>8.3f}")
    print(f"{'seasonal naive (24 rows)':<26}{baseline[2]:>11.3f}{baseline[3]:>8.3f}")


if __name__ == "__main__":
    main()
