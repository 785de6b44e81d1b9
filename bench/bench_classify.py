"""Benchmark: the classification recipes on the full standard datasets, against the issue's
quality floors, with their training time.

    IMDB (25,000 train / 25,000 test, vocabulary 10,000)    lstm >= 87%, bilstm >= 88%
    sarcasm headlines (first 20,000 train / rest test)      bow >= 84%,  bilstm >= 85%

Each run is exactly ``seqlab classify train`` with the settings printed beside it (the
README quotes the same commands), reading the files in ../shared/data. Training time is
``model.fit`` only (reading and tokenizing the data is reported apart); the bar is 15
minutes on 2 CPU cores for the IMDB runs.

    python bench/bench_classify.py                   # all four, seed 0
    python bench/bench_classify.py --seeds 0 1 2     # each three times
    python bench/bench_classify.py --only imdb-lstm sarcasm-bow
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from seqlab.tasks.classify import ClassifyConfig, train

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
IMDB = DATA / "imdb" / "aclImdb_v1.tar.gz"
SARCASM = DATA / "sarcasm" / "Sarcasm_Headlines_Dataset.json"

# name: (floor, the settings that differ from ClassifyConfig's defaults)
RUNS = {
    "imdb-lstm": (0.87, dict(data=str(IMDB), model="lstm", maxlen=500, embedding_dim=32,
                             units=32, dropout=0.3, epochs=5, batch_size=128)),
    "imdb-bilstm": (0.88, dict(data=str(IMDB), model="bilstm", maxlen=500, embedding_dim=32,
                               units=32, dropout=0.3, epochs=5, batch_size=64)),
    "sarcasm-bow": (0.84, dict(data=str(SARCASM), train_size=20000, model="bow",
                               num_words=10000, maxlen=32, embedding_dim=16, epochs=10,
                               batch_size=32)),
    "sarcasm-bilstm": (0.85, dict(data=str(SARCASM), train_size=20000, model="bilstm",
                                  num_words=10000, maxlen=32, embedding_dim=64, units=64,
                                  dropout=0.3, epochs=4, batch_size=64)),
}


def command(settings: dict) -> str:
    """The ``seqlab classify train`` command line for `settings`."""
    options = " ".join(f"--{key.replace('_', '-')} {value}" for key, value in settings.items())
    return f"seqlab classify train {options}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=list(RUNS), default=list(RUNS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0],
                        help="run each recipe once per seed (default: 0)")
    parser.add_argument("--verbose", action="store_true", help="show the training progress")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(),
                        help="torch threads (default: torch's own, one per core, as the "
                             "README's figures; the recipes' default is 1)")
    args = parser.parse_args()
    for path in (IMDB, SARCASM):
        if not path.exists():
            raise SystemExit(f"{path} is missing: the benchmark reads ../shared/data")
    print(f"torch {torch.__version__}, {args.threads} threads")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.only:
            floor, settings = RUNS[name]
            settings = {**settings, "threads": args.threads}
            for seed in args.seeds:
                print(f"\n{name}: {command({**settings, 'seed': seed})}", flush=True)
                started = time.perf_counter()
                metrics = train(ClassifyConfig(**settings, seed=seed,
                                               output=str(Path(folder) / f"{name}-{seed}")),
                                verbose=2 if args.verbose else 0)
                total = time.perf_counter() - started
                rows.append((name, seed, metrics["accuracy"], floor,
                             metrics["majority_baseline_accuracy"], metrics["best_epoch"],
                             metrics["training_seconds"], total))
                print(f"  test accuracy {metrics['accuracy']:.4f} (floor {floor:.2f}), baseline "
                      f"{metrics['majority_baseline_accuracy']:.4f}, best epoch "
                      f"{metrics['best_epoch']}, fit {metrics['training_seconds']:.0f} s, "
                      f"whole run {total:.0f} s", flush=True)
    print(f"\n{'run':<16}{'seed':>5}{'test acc':>10}{'floor':>7}{'baseline':>10}{'epoch':>7}"
          f"{'fit s':>7}{'run s':>7}  met")
    for name, seed, accuracy, floor, baseline, epoch, fit, total in rows:
        print(f"{name:<16}{seed:>5}{accuracy:>10.4f}{floor:>7.2f}{baseline:>10.4f}{epoch:>7}"
              f"{fit:>7.0f}{total:>7.0f}  {'yes' if accuracy >= floor else 'NO'}")


if __name__ == "__main__":
    main()
