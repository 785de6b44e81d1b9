"""Benchmark: the forecasting recipes on the Jena climate record with the Keras book's
setup, beside the baselines, with their training time.

    hourly rows, 120 h in, temperature 24 h after the last input, 50/25/25% time splits
    last value ("T in 24 h = T now"): 2.44 degC validation, 2.62 degC test
    the book's 14-feature models: 2.39-2.45 degC; here 6 features (the file in ../shared/data)

Each run is exactly ``seqlab forecast train`` with the settings printed beside it; the
test MAE must come out below the last-value baseline's.

    python bench/bench_forecast.py                    # dense, gru, lstm
    python bench/bench_forecast.py --only gru stacked

The long-horizon benchmark (``seqlab forecast benchmark``, lookback 96, multivariate) on
ETTh1 and ETTh2, printed next to the published test MSE (DLinear: Zeng et al. 2023;
SegRNN: Lin et al. 2023; PatchTST: Nie et al. 2023), every model with its published
settings and early stopping on validation (nothing tuned to these files):

    python bench/bench_forecast.py ltsf --models linear gru segrnn --datasets ETTh1 ETTh2
    python bench/bench_forecast.py ltsf --report runs/bench_ltsf   # print saved results
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from seqlab.tasks.forecast import ForecastConfig, train

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
JENA = SHARED / "jena" / "jena_climate_hourly_6vars_2009_2016.csv"
HORIZONS = (96, 192, 336, 720)
# published test MSE, lookback 96, multivariate (the tables the issue cites)
PUBLISHED = {
    "ETTh1": {"SegRNN": (0.368, 0.408, 0.444, 0.446), "DLinear": (0.386, 0.437, 0.481, 0.519),
              "PatchTST": (0.414, 0.460, 0.501, 0.500)},
    "ETTh2": {"SegRNN": (0.278, 0.359, 0.421, 0.432), "DLinear": (0.333, 0.477, 0.594, 0.831)},
}

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


def ltsf(argv):
    from seqlab.tasks.benchmark import BenchmarkConfig, run

    parser = argparse.ArgumentParser(description="the LTSF benchmark on ETTh1/ETTh2")
    parser.add_argument("--models", nargs="+", default=["linear", "gru", "segrnn"])
    parser.add_argument("--datasets", nargs="+", default=["ETTh1", "ETTh2"])
    parser.add_argument("--horizons", nargs="+", type=int, default=list(HORIZONS))
    parser.add_argument("--output", default="runs/bench_ltsf",
                        help="one folder per dataset and model (kept, for --report)")
    parser.add_argument("--report", metavar="DIR", help="only print the results saved in DIR")
    args = parser.parse_args(argv)
    root = Path(args.report or args.output)
    if not args.report:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
        for dataset in args.datasets:
            path = SHARED / "ett" / f"{dataset}.csv"
            if not path.exists():
                raise SystemExit(f"{path} is missing: the benchmark reads ../shared/data")
            for model in args.models:
                print(f"\n{dataset} {model}: seqlab forecast benchmark --data {path.name} "
                      f"--model {model} --horizons {' '.join(map(str, args.horizons))}",
                      flush=True)
                started = time.perf_counter()
                run(BenchmarkConfig(data=str(path), model=model, horizons=args.horizons,
                                    output=str(root / f"{dataset}_{model}"), overwrite=True))
                print(f"{dataset} {model}: {time.perf_counter() - started:.0f} s", flush=True)
    report(root)


def report(root):
    """A table per dataset: each saved model's test MSE beside the published ones."""
    import json

    for dataset, published in PUBLISHED.items():
        saved = {}
        for folder in sorted(root.glob(f"{dataset}_*")):
            metrics = json.loads((folder / "metrics.json").read_text())
            saved[metrics["model"]] = metrics["results"]
        if not saved:
            continue
        first = next(iter(saved.values()))
        print(f"\n{dataset}, lookback 96, multivariate: test MSE (MAE); * beats DLinear")
        print(f"{'horizon':<8}" + "".join(f"{name:>16}" for name in saved) +
              f"{'repeat':>9}{'lin.base':>9}" + "".join(f"{name:>10}" for name in published))
        for i, horizon in enumerate(HORIZONS):
            key = str(horizon)
            if key not in first:
                continue
            cells = []
            for results in saved.values():
                entry = results.get(key)
                star = "*" if entry and entry["mse"] < published["DLinear"][i] else " "
                cells.append(f"{entry['mse']:.3f} ({entry['mae']:.3f}){star}" if entry else "-")
            base = first[key]["baselines"]
            print(f"{horizon:<8}" + "".join(f"{c:>16}" for c in cells) +
                  f"{base['repeat']['mse']:>9.3f}{base['linear']['mse']:>9.3f}" +
                  "".join(f"{v[i]:>10.3f}" for v in published.values()))
        for name, results in saved.items():
            shared = [i for i, h in enumerate(HORIZONS) if str(h) in results]
            ratio = np.mean([results[str(HORIZONS[i])]["mse"] / published["SegRNN"][i]
                             for i in shared])
            seconds = sum(results[str(HORIZONS[i])]["training_seconds"] for i in shared)
            print(f"  {name}: mean MSE / SegRNN's published {ratio:.3f} over "
                  f"{len(shared)} horizons; training {seconds:.0f} s")


def main():
    if sys.argv[1:2] == ["ltsf"]:
        return ltsf(sys.argv[2:])
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
