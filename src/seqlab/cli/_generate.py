"""``seqlab generate train|sample``: language models that write text."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..tasks.configs import GenerateConfig, SamplingSettings
from ._options import THREADS_HELP, add_config_options, config_from, say_if_interrupted

HELP = {
    "data": "the UTF-8 text file to learn from",
    "level": "word (Keras's Tokenizer: lowercased, punctuation dropped) or char",
    "mode": "lines: every line's prefixes predict their next token (the course's lyrics "
            "model); windows: fixed windows of the whole text; stateful: truncated BPTT over "
            "the whole text with states carried between batches",
    "context": "tokens the model reads (default: lines, the longest line - 1; windows 40; "
               "stateful 50 per chunk)",
    "step": "windows: tokens between the starts of two windows",
    "num_words": "keep only the most frequent words (word level)",
    "cell": "lstm, gru or simplernn",
    "layers": "stacked recurrent layers",
    "bidirectional": "one Bidirectional layer, as in the course (sampling then re-runs the "
                     "whole context for every token)",
    "units": "units of each recurrent layer",
    "embedding_dim": "size of the token vectors",
    "dropout": "rate of a Dropout layer before the output",
    "epochs": "passes over the training examples; the epoch with the lowest held-out "
              "perplexity is kept",
    "keep": "best: the epoch of lowest held-out perplexity; last: the last epoch (the "
            "course's habit: it recites the training text)",
    "patience": "keep best: stop after this many epochs without a lower held-out perplexity",
    "batch_size": "examples per gradient step (stateful: parallel parts of the text)",
    "optimizer": "rmsprop, adam, sgd, adagrad or adamw",
    "learning_rate": "the optimizer's learning rate",
    "validation_fraction": "share held out for perplexity: random lines (lines mode) or the "
                           "end of the text",
    "seed": "seed for initialisation, shuffling and the samples in metrics.json",
    "threads": THREADS_HELP,
    "output": "the run folder to write (must not exist unless --overwrite)",
    "overwrite": "replace an existing run folder (only once the new run has succeeded)",
}
DEFAULTS = SamplingSettings()


def add(commands):
    parser = commands.add_parser(
        "generate", help="train language models and generate text",
        description="Word- or character-level language models on any UTF-8 text, and fast "
                    "sampling that carries the recurrent state from token to token.")
    parser.set_defaults(command_parser=parser)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    train = actions.add_parser(
        "train", help="train a language model and write a run folder",
        description="Read the text, hold out a share for perplexity, train, and write one "
                    "run folder: model.safetensors, config.json, metrics.json (perplexity per "
                    "epoch, samples with their repetition figures), curves.png. Defaults: "
                    "the course's next-word model on lines, with two stacked LSTM(150).")
    add_config_options(train, GenerateConfig, HELP)
    train.add_argument("--quiet", action="store_true", help="no progress bars or summaries")
    train.set_defaults(run=_train)

    sample = actions.add_parser(
        "sample", help="continue a seed text with a trained run",
        description="Generate from a run folder. Each token is drawn after the repetition "
                    "penalty, the n-gram ban, temperature, top-k and top-p, in that order.")
    sample.add_argument("run_folder", metavar="RUN")
    sample.add_argument("seed_text", metavar="SEED_TEXT",
                        help="the text to continue (unknown words are left out, with a note)")
    sample.add_argument("--length", type=int, default=100,
                        help="tokens to generate (words or characters; default 100)")
    sample.add_argument("--samples", type=int, default=1, help="texts to generate (one batch)")
    sample.add_argument("--temperature", type=float, default=DEFAULTS.temperature,
                        help=f"0 is greedy; higher is more varied (default "
                             f"{DEFAULTS.temperature})")
    sample.add_argument("--top-k", type=int, default=0,
                        help="keep only the k most likely tokens (default 0: no limit)")
    sample.add_argument("--top-p", type=float, default=DEFAULTS.top_p,
                        help=f"keep the most likely tokens up to this total probability, in "
                             f"(0, 1] (default {DEFAULTS.top_p}; 1 keeps all)")
    sample.add_argument("--repetition-penalty", type=float,
                        default=DEFAULTS.repetition_penalty,
                        help=f"divide the scores of tokens already in the text (>= 1; default "
                             f"{DEFAULTS.repetition_penalty}; 1 is none)")
    sample.add_argument("--no-repeat-ngram-size", type=int,
                        default=DEFAULTS.no_repeat_ngram_size,
                        help=f"never repeat an n-gram of this size (default "
                             f"{DEFAULTS.no_repeat_ngram_size}; 0 is off)")
    sample.add_argument("--greedy", action="store_true",
                        help="always the most likely token: temperature 0, no penalty or ban")
    sample.add_argument("--seed", type=int, default=None, help="seed for repeatable samples")
    sample.set_defaults(run=_sample)


def _train(args) -> int:
    from ..tasks import generate

    config = config_from(args, GenerateConfig)
    metrics = generate.train(config, verbose=0 if args.quiet else 1)
    console = Console()
    console.print(f"held-out perplexity {metrics['held_out_perplexity']:.1f} at epoch "
                  f"{metrics['kept_epoch']} of {config.epochs} (context {metrics['context']} "
                  f"{config.level}s), trained in {metrics['training_seconds']:.0f} s; run "
                  f"folder: {config.output}")
    table = Table(title="100 tokens after the seed text", show_header=True,
                  header_style="bold")
    for column in ("sampling", "distinct-2", "longest run", "text"):
        table.add_column(column, justify="right" if column.startswith(("d", "l")) else "left")
    for name, record in metrics["samples"].items():
        table.add_row(name, f"{record['distinct_2']:.2f}", str(record["longest_run"]),
                      record["text"])
    console.print(table)
    say_if_interrupted("generate train", metrics, config.epochs, metrics["kept_epoch"])
    return 0


def _sample(args) -> int:
    from ..tasks import generate

    if args.greedy:
        settings = SamplingSettings(temperature=0, top_p=None, repetition_penalty=1,
                                    no_repeat_ngram_size=None)
    else:
        settings = SamplingSettings(args.temperature, args.top_k or None, args.top_p,
                                    args.repetition_penalty, args.no_repeat_ngram_size or None)
    texts = generate.sample(args.run_folder, args.seed_text, args.length, args.samples,
                            settings, args.seed, verbose=1)
    for index, text in enumerate(texts):
        if len(texts) > 1:
            print(f"--- sample {index + 1}")
        print(text)
    return 0
