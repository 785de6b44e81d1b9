"""``seqlab demo``: the main job on built-in data, end to end, in about 15 seconds."""
from __future__ import annotations

import dataclasses
import shlex

from rich.console import Console
from rich.table import Table

from ..data import synthetic_reviews
from ..tasks.configs import DemoConfig
from ._options import THREADS_HELP, command_name

HINT_SENTENCE = "the acting was great but the plot was dull"


def add(commands):
    parser = commands.add_parser(
        "demo", help="bag-of-words vs LSTM on generated reviews (no download)",
        description="Train a bag-of-words model and an LSTM on generated reviews whose labels "
                    "depend on word order, compare them with the majority-class baseline, and "
                    "write each run folder (model, metrics, learning curves, confusion matrix). "
                    "The reviews are synthetic, made by seqlab.data.synthetic_reviews.")
    parser.add_argument("--output", default="runs/demo",
                        help="where the run folders go (default runs/demo; the demo replaces "
                             "its own earlier runs there)")
    parser.add_argument("--epochs", type=int, default=6, help="epochs per model (6)")
    parser.add_argument("--seed", type=int, default=0, help="seed (0)")
    parser.add_argument("--threads", type=int, default=DemoConfig.threads, metavar="THREADS",
                        help=THREADS_HELP + f" (default {DemoConfig.threads})")
    parser.add_argument("--quiet", action="store_true", help="no summaries or progress bars")
    parser.set_defaults(run=_demo)


def _demo(args) -> int:
    from ..tasks import demo

    console = Console()
    config = DemoConfig(output=args.output, epochs=args.epochs, seed=args.seed,
                        threads=args.threads)
    demo.check(config)  # a bad setting fails before the banner
    texts, labels = synthetic_reviews(4, seed=args.seed)
    console.print("[bold]seqlab demo[/]: texts -> Tokenizer -> padded sequences -> "
                  "Embedding -> bag-of-words or LSTM -> positive/negative")
    console.print("Data: 12,000 synthetic reviews (10,000 to train, 2,000 to test) whose "
                  "labels depend on word order (\"but\", \"although\", \"not\"), e.g.:")
    for text, label in zip(texts, labels):
        console.print(f"  [{'green' if label else 'red'}]{'positive' if label else 'negative'}"
                      f"[/]  {text}")
    results = {}
    for model in config.models:
        console.rule(f"[bold]{model}")
        results.update(demo.run(dataclasses.replace(config, models=[model]),
                                verbose=0 if args.quiet else 1))
    console.rule("[bold]results on the 2,000 test reviews")
    console.print(_comparison(results))
    console.print(f"Run folders: {', '.join(f'{args.output}/{m}' for m in results)} "
                  "(model.safetensors, metrics.json, curves.png, confusion.png)")
    seqlab = command_name()
    lstm = shlex.quote(f"{args.output}/lstm")
    console.print(f"Your own sentence (no download):\n  {seqlab} classify predict {lstm} "
                  f"\"{HINT_SENTENCE}\"\n  {seqlab} inspect model {lstm} --text "
                  f"\"{HINT_SENTENCE}\"", markup=False, highlight=False, soft_wrap=True)
    console.print("The same on real reviews (downloads IMDB, 84 MB, once):\n"
                  f"  {seqlab} classify train --data imdb --model lstm --maxlen 500 "
                  "--dropout 0.3 --epochs 5 --batch-size 128 --output runs/imdb-lstm",
                  markup=False, highlight=False, soft_wrap=True)
    return 0


def _comparison(results) -> Table:
    table = Table(show_header=True, header_style="bold")
    for column in ("model", "test accuracy", "macro F1", "parameters", "training time"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for model, metrics in results.items():
        table.add_row(model, f"{metrics['accuracy']:.4f}", f"{metrics['macro_f1']:.4f}",
                      f"{metrics['parameters']:,}", f"{metrics['training_seconds']:.1f} s")
    metrics = next(iter(results.values()))
    table.add_row(f"baseline: always '{metrics['majority_label']}'",
                  f"{metrics['majority_baseline_accuracy']:.4f}", "", "", "")
    return table
