"""``seqlab tokenize``: fit a Tokenizer on text files (or load one) and pad the texts."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import rich.progress
from rich.console import Console
from rich.table import Table

from .._files import read_text, write_atomically
from ..data import text_lines
from ..tasks.tokenize import TokenizeConfig, TokenizeResult, tokenize
from ..text import DEFAULT_FILTERS, tokenizer_from_json
from ..viz import plot_lengths


def add(commands):
    tok = commands.add_parser(
        "tokenize", help="fit a Tokenizer on text files and pad the sequences",
        description="Each line of each FILE is one text ('-' reads standard input). Fits a "
                    "Keras-compatible Tokenizer (or loads one with --tokenizer), converts the "
                    "texts to padded integer sequences and reports what you need to choose "
                    "num_words and maxlen.")
    tok.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text file, one text per line")
    tok.add_argument("--num-words", type=int, help="keep the num_words-1 most frequent words")
    tok.add_argument("--oov-token", help="token for out-of-vocabulary words (index 1)")
    tok.add_argument("--no-lower", dest="lower", action="store_false", help="keep letter case")
    tok.add_argument("--char-level", action="store_true", help="one token per character")
    tok.add_argument("--filters", default=DEFAULT_FILTERS,
                     help="characters treated as separators (default: punctuation, tab, newline)")
    tok.add_argument("--split", default=" ", help="word separator (' ')")
    tok.add_argument("--maxlen", type=int, help="pad/truncate to this length (default: longest)")
    tok.add_argument("--padding", choices=["pre", "post"], default="pre")
    tok.add_argument("--truncating", choices=["pre", "post"], default="pre")
    tok.add_argument("--tokenizer", type=Path, metavar="JSON",
                     help="use this saved tokenizer instead of fitting one")
    tok.add_argument("--save-tokenizer", type=Path, metavar="JSON",
                     help="write the tokenizer as Keras JSON")
    tok.add_argument("--output", metavar="PATH",
                     help="write the padded array: PATH.npy, or '-' for text rows on stdout")
    tok.add_argument("--plot", type=Path, metavar="PNG",
                     help="draw a histogram of tokens per text, with maxlen marked")
    tok.add_argument("--show", type=int, default=5, metavar="N",
                     help="print the first N padded rows (5)")
    tok.set_defaults(run=_tokenize)


def _tokenize(args) -> int:
    to_stdout = args.output == "-"
    console = Console(stderr=to_stdout)  # keep stdout for the data when it carries the data
    if args.output not in (None, "-") and not args.output.endswith(".npy"):
        raise ValueError(f"--output {args.output}: use a .npy path, or '-' for text rows on stdout")
    texts = _read_texts(args.files)
    config = TokenizeConfig(num_words=args.num_words, oov_token=args.oov_token, lower=args.lower,
                            char_level=args.char_level, filters=args.filters, split=args.split,
                            maxlen=args.maxlen, padding=args.padding, truncating=args.truncating)
    tokenizer = _load_tokenizer(args) if args.tokenizer else None
    with console.status("tokenizing...", spinner="dots"):
        result = tokenize(texts, config, tokenizer)

    if args.save_tokenizer:
        write_atomically(args.save_tokenizer, lambda f: f.write(result.tokenizer.to_json()), "w")
    if args.plot:
        plot_lengths(result.lengths, args.plot, maxlen=result.padded.shape[1])
    if to_stdout:
        np.savetxt(sys.stdout, result.padded, fmt="%d")
    elif args.output:
        write_atomically(args.output, lambda f: np.save(f, result.padded))
    _report(console, args, result)
    return 0


def _read_texts(files) -> list[str]:
    texts = []
    err = Console(stderr=True)
    for name in files:
        if name == "-":
            texts.extend(text_lines(sys.stdin.buffer, "<stdin>"))
            continue
        if not Path(name).is_file():
            raise OSError(f"{name}: no such file (give text files with one text per line, "
                          "or '-' for standard input)")
        with rich.progress.open(name, "rb", description=f"reading {name}", transient=True,
                                console=err, disable=not err.is_terminal) as file:
            texts.extend(text_lines(file, name))
    return texts


def _load_tokenizer(args):
    fitting = {"--oov-token": args.oov_token is not None, "--no-lower": not args.lower,
               "--char-level": args.char_level, "--filters": args.filters != DEFAULT_FILTERS,
               "--split": args.split != " "}
    clashing = [option for option, given in fitting.items() if given]
    if clashing:
        raise ValueError(f"--tokenizer loads a fitted tokenizer, so {', '.join(clashing)} would "
                         "be ignored: drop them (--num-words may be given to change its limit)")
    try:
        tokenizer = tokenizer_from_json(read_text(args.tokenizer, "tokenizer JSON"))
    except ValueError as error:
        if str(args.tokenizer) in str(error):
            raise
        raise ValueError(f"{args.tokenizer}: {error} (save one with --save-tokenizer, or "
                         "Tokenizer.to_json())") from None
    if args.num_words is not None:
        tokenizer.num_words = args.num_words
    return tokenizer


def _report(console, args, result: TokenizeResult) -> None:
    tokenizer, lengths = result.tokenizer, result.lengths
    summary = Table(show_header=False, box=None)
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("texts", f"{len(lengths):,}")
    summary.add_row("tokenizer", repr(tokenizer) + (f" (from {args.tokenizer})"
                                                    if args.tokenizer else ""))
    summary.add_row("Embedding input_dim", f"{tokenizer.vocab_size:,} (tokenizer.vocab_size)")
    if len(lengths):
        summary.add_row("tokens per text", f"mean {lengths.mean():.1f}, median "
                        f"{np.median(lengths):.0f}, 95th percentile "
                        f"{np.percentile(lengths, 95):.0f}, max {lengths.max()}")
    summary.add_row("padded batch", f"{result.padded.dtype} {result.padded.shape}, "
                    f"{result.truncated:,} texts truncated")
    if result.oov_share is not None:
        summary.add_row("OOV tokens", f"{result.oov_share:.1%} of output tokens")
    if args.save_tokenizer:
        summary.add_row("tokenizer saved", str(args.save_tokenizer))
    if args.output not in (None, "-"):
        summary.add_row("batch saved", args.output)
    if args.plot:
        summary.add_row("length plot", str(args.plot))
    console.print(summary)
    console.print(vocabulary_table(tokenizer, 10))
    if args.show > 0 and args.output != "-":
        console.print(f"first {min(args.show, len(lengths))} padded rows:")
        console.print(np.array2string(result.padded[:args.show], threshold=200, edgeitems=8))


def vocabulary_table(tokenizer, rows: int) -> Table:
    table = Table(show_header=True, header_style="bold")
    for column in ("index", "word", "count", "in texts"):
        table.add_column(column, justify="right" if column != "word" else "left")
    for word, index in list(tokenizer.word_index.items())[:rows]:
        table.add_row(str(index), json.dumps(word, ensure_ascii=False),
                      str(tokenizer.word_counts.get(word, "")),
                      str(tokenizer.word_docs.get(word, "")))
    return table
