"""Command-line options made from a recipe's config dataclass, so that the two never drift:
every field ``name`` becomes ``--name`` (underscores as dashes) with the field's default."""
from __future__ import annotations

import argparse
import dataclasses
import os
import shlex
import sys
from pathlib import Path

from ..data import text_lines

_TYPES = {"int": int, "float": float, "str": str}
THREADS_HELP = ("torch threads while training, predicting or decoding (one is fastest for these "
                "small models, above all when other processes share the cores; see the README's "
                "\"Threads and a busy machine\")")


def add_config_options(parser, config_class, help_texts: dict, skip=()):
    """Add ``--field`` for every field of `config_class` except those in `skip`."""
    group = parser.add_argument_group(f"{config_class.__name__} settings")
    for field in dataclasses.fields(config_class):
        if field.name in skip:
            continue
        flag = "--" + field.name.replace("_", "-")
        text = help_texts.get(field.name, "")
        kind = str(field.type).replace(" | None", "")
        if kind == "bool":
            group.add_argument(flag, action="store_true", default=field.default, help=text)
        elif kind == "list[str]":
            group.add_argument(flag, nargs="+", metavar="NAME", default=field.default,
                               help=text)
        else:
            shown = f" (default {field.default})" if field.default not in (None, "") else ""
            group.add_argument(flag, type=_TYPES[kind], default=field.default,
                               metavar=field.name.upper(), help=text + shown)


def config_from(args: argparse.Namespace, config_class, **fixed):
    """The config built from the parsed options (and `fixed` values)."""
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(config_class)
              if hasattr(args, f.name)}
    return config_class(**{**values, **fixed})


def command_name() -> str:
    """The ``seqlab`` command as this shell can type it again: the script that runs
    (``.venv/bin/seqlab`` when it lies under the working directory), or ``PYTHON -m
    seqlab``. Printed hints use it, so that they run as shown without an activated venv."""
    script = sys.argv[0] if sys.argv else ""
    if os.path.basename(script) in ("seqlab", "seqlab.exe") and os.path.isfile(script):
        return _typed(script)
    return f"{_typed(sys.executable)} -m seqlab"


def _typed(path) -> str:
    """`path` relative to the working directory when inside it, else absolute (symlinks
    kept: a venv's python is a link whose target is not the venv), quoted for a shell."""
    path = os.path.abspath(path)
    relative = os.path.relpath(path)
    if relative.startswith(os.pardir):
        return shlex.quote(path)
    return shlex.quote(relative if os.sep in relative else os.path.join(os.curdir, relative))


def say_if_interrupted(command: str, metrics: dict, epochs: int, kept_epoch: int) -> None:
    """On stderr, when Ctrl-C cut training short: what the run folder kept."""
    if metrics.get("interrupted"):
        print(f"seqlab {command}: interrupted (Ctrl-C) after {metrics['finished_epochs']} of "
              f"{epochs} epochs: the run folder keeps epoch {kept_epoch}, the best of those, "
              "and its metrics.json says \"interrupted\": true", file=sys.stderr)


def input_texts(texts, file, verb: str) -> list[str]:
    """The texts given as arguments, or the lines of ``--file FILE`` (standard input
    without one, or with ``-``); `verb` names what the command does with them."""
    if texts and file:
        raise ValueError("give texts as arguments or --file, not both")
    if texts:
        return list(texts)
    if file in (None, "-"):
        lines = list(text_lines(sys.stdin.buffer, "<stdin>"))
    else:
        if not Path(file).is_file():
            raise FileNotFoundError(f"{file}: no such file")
        with open(file, "rb") as handle:
            lines = list(text_lines(handle, file))
    if not lines:
        raise ValueError(f"no texts to {verb}: give them as arguments, with --file FILE, or on "
                         "standard input")
    return lines
