"""``seqlab seq2seq train|translate|evaluate``: the encoder-decoder recipe."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..data import PAIR_TASKS
from ..tasks.configs import Seq2SeqConfig
from ._options import (
    THREADS_HELP,
    add_config_options,
    config_from,
    input_texts,
    say_if_interrupted,
)

HELP = {
    "data": "a generated task (" + ", ".join(f"'{name}': {description}" for name, (_, description)
                                             in PAIR_TASKS.items())
            + ") or a UTF-8 file of source<TAB>target lines",
    "samples": "pairs to generate for a built-in task",
    "limit": "use at most this many pairs of a file (a seeded sample)",
    "level": "tokens: 'char' (every character, case kept) or 'word' (lowercased words and "
             "punctuation)",
    "num_words": "keep the num_words-1 most frequent tokens per side (default: all)",
    "cell": "recurrent cell of the encoder and the decoder: lstm or gru",
    "bidirectional": "a Bidirectional encoder (the decoder gets twice the units)",
    "units": "recurrent units of the encoder",
    "embedding_dim": "embedding size of the source and target tokens",
    "dropout": "input dropout of the encoder and the decoder",
    "epochs": "passes over the training pairs (the epoch with the best validation exact "
              "match is kept)",
    "batch_size": "pairs per gradient step",
    "optimizer": "adam, rmsprop, sgd, adagrad or adamw",
    "learning_rate": "the optimizer's learning rate (twice Keras's Adam default)",
    "clipnorm": "clip each gradient step to this norm",
    "validation_fraction": "share of the pairs watched during training",
    "test_fraction": "share of the pairs held out for the reported exact match",
    "beam_width": "beams of the reported beam search (and translate's default)",
    "length_penalty": "GNMT length penalty alpha for ranking beams (0: log-probability)",
    "seed": "seed for generating, splitting, initialisation and shuffling",
    "threads": THREADS_HELP,
    "output": "the run folder to write (must not exist unless --overwrite)",
    "overwrite": "replace an existing run folder (only once the new run has succeeded)",
}


def add(commands):
    parser = commands.add_parser(
        "seq2seq", help="train encoder-decoders and translate",
        description="Sequence to sequence: an LSTM/GRU encoder reads the source, its final "
                    "states start a decoder that writes the target token by token.")
    parser.set_defaults(command_parser=parser)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    train = actions.add_parser(
        "train", help="train an encoder-decoder and write a run folder",
        description="Train with teacher forcing, report held-out exact match of greedy and "
                    "beam-search decoding, and write one run folder: model.safetensors, "
                    "source_tokenizer.json, target_tokenizer.json, config.json, "
                    "metrics.json, curves.png. Default: the generated 'dates' task.")
    add_config_options(train, Seq2SeqConfig, HELP)
    train.add_argument("--quiet", action="store_true", help="no progress bars or summaries")
    train.set_defaults(run=_train)

    translate = actions.add_parser(
        "translate", help="translate texts with a trained run",
        description="Prints one line per text: the translation, a tab, the text. Texts come "
                    "from the arguments, from --file (one per line), or from standard input "
                    "when neither is given.")
    translate.add_argument("run_folder", metavar="RUN")
    translate.add_argument("texts", nargs="*", metavar="TEXT")
    translate.add_argument("--file", help="a UTF-8 file with one text per line ('-': stdin)")
    _decoding_options(translate)
    translate.add_argument("--max-length", type=int, metavar="N",
                           help="stop after N output tokens (default: the run's limit, "
                                "at least twice its longest training target)")
    translate.set_defaults(run=_translate)

    evaluate = actions.add_parser(
        "evaluate", help="exact match of a run on its test pairs or on a TSV file",
        description="Exact match of greedy and beam decoding, and per-token accuracy.")
    evaluate.add_argument("run_folder", metavar="RUN")
    evaluate.add_argument("--data", help="a file of source<TAB>target lines (default: the "
                                         "run's own test pairs)")
    _decoding_options(evaluate)
    evaluate.set_defaults(run=_evaluate)


def _decoding_options(parser):
    parser.add_argument("--beam-width", type=int, metavar="K",
                        help="beams (1: greedy; default: the run's beam width)")
    parser.add_argument("--length-penalty", type=float, metavar="ALPHA",
                        help="GNMT length penalty (default: the run's)")


def _train(args) -> int:
    from ..tasks import seq2seq

    config = config_from(args, Seq2SeqConfig)
    metrics = seq2seq.train(config, verbose=0 if args.quiet else 1)
    console = Console()
    model = f"{'bidirectional ' if config.bidirectional else ''}{config.cell}"
    console.print(scores_table(metrics, f"{model} on {config.data}: "
                                        f"{metrics['test_pairs']:,} held-out pairs"))
    console.print(examples_table(metrics["examples"][:5]))
    console.print(f"best epoch {metrics['best_epoch']} of {config.epochs}, trained in "
                  f"{metrics['training_seconds']:.0f} s; run folder: {config.output} "
                  "(model.safetensors, metrics.json, curves.png)")
    say_if_interrupted("seq2seq train", metrics, config.epochs, metrics["best_epoch"])
    return 0


def _translate(args) -> int:
    from ..tasks import seq2seq

    texts = input_texts(args.texts, args.file, "translate")
    outputs = seq2seq.translate(args.run_folder, texts, beam_width=args.beam_width,
                                length_penalty=args.length_penalty,
                                max_length=args.max_length)
    for text, output in zip(texts, outputs):
        print(f"{output}\t{text}")
    return 0


def _evaluate(args) -> int:
    from ..tasks import seq2seq

    metrics = seq2seq.evaluate(args.run_folder, args.data, beam_width=args.beam_width,
                               length_penalty=args.length_penalty)
    Console().print(scores_table(metrics, f"{args.run_folder} on "
                                          f"{args.data or 'its test pairs'}: "
                                          f"{metrics['test_pairs']:,} pairs"))
    return 0


def scores_table(metrics, title) -> Table:
    """Exact match and decoding time of greedy and beam search, then token accuracy."""
    table = Table(title=escape(title), show_header=True, header_style="bold")
    for column in ("decoding", "exact match", "decoding time"):
        table.add_column(column, justify="left" if column == "decoding" else "right")
    rows = (("greedy", "greedy"), (f"beam (width {metrics['beam_width']})", "beam"))
    for label, key in rows:
        table.add_row(label, f"{metrics['exact_match'][key]:.4f}",
                      f"{metrics['decoding_seconds'][key]:.2f} s")
    table.add_section()
    table.add_row("per-token accuracy (teacher forced)", f"{metrics['token_accuracy']:.4f}", "")
    return table


def examples_table(examples) -> Table:
    """Source, target and both decodings of a few pairs; a wrong decoding is marked ✗."""
    table = Table(title="first held-out pairs", show_header=True, header_style="bold")
    for column in ("source", "target", "greedy", "beam"):
        table.add_column(column)
    for example in examples:
        table.add_row(Text(example["source"]), Text(example["target"]),
                      *(Text(example[key] + ("" if example[f"{key}_exact"] else " ✗"))
                        for key in ("greedy", "beam")))
    return table
