"""The ``seqlab`` command. It parses arguments, calls a recipe in ``seqlab.tasks``, and prints.

    seqlab demo                               bag-of-words vs LSTM on generated reviews
    seqlab tokenize FILE... [opts]            tokenize and pad your texts (one per line)
    seqlab datasets list|info|download        the downloadable datasets
    seqlab classify train|evaluate|predict    text classification
    seqlab forecast train|evaluate            time-series forecasting
    seqlab generate train|sample              word- and character-level text generation
    seqlab seq2seq train|translate|evaluate   encoder-decoders on paired text
    seqlab inspect gradients|model|vectors    see inside networks and word vectors
    seqlab convert IN OUT                     Keras .h5/.keras <-> .safetensors, .onnx

Every command is also one Python call: see ``seqlab.tasks``. A user mistake (a missing
file, a bad option value, an unknown column) ends in one line on stderr and exit code 1;
``SEQLAB_DEBUG=1`` shows the traceback instead.
"""
from __future__ import annotations

import argparse
import difflib
import os
import sys
import tarfile
import zipfile

from .. import __version__
from . import (_classify, _convert, _datasets, _demo, _forecast, _generate, _inspect, _seq2seq,
               _tokenize)

# What a user's mistake raises: bad values, missing or unreadable files, broken archives.
USER_ERRORS = (ValueError, TypeError, OSError, KeyError, zipfile.BadZipFile, tarfile.TarError)


def main(argv=None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and isinstance(getattr(args, "texts", None), list) and \
            not any(e.startswith("-") for e in extra):
        args.texts += extra  # texts after an option: `classify predict RUN --all "text"`
    elif extra:  # reported by the command that got them, with the option it likely meant
        args.parser.error(f"unrecognized arguments: {' '.join(extra)}"
                          + _suggestion(args.parser, extra))
    if not hasattr(args, "run"):
        (getattr(args, "command_parser", None) or parser).print_help()
        return 2
    # Before torch loads (the commands import it when they run): OpenMP threads that wait
    # sleep instead of spinning on a core that another process needs. OpenMP reads this
    # once, at import; a value the user set is kept.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        return args.run(args)
    except USER_ERRORS as error:  # bad input: say what and how to fix
        if os.environ.get("SEQLAB_DEBUG") == "1":
            raise
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"seqlab {args.command}: error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"seqlab {args.command}: interrupted (Ctrl-C); nothing was saved",
              file=sys.stderr)
        return 130


class _Parser(argparse.ArgumentParser):
    """No abbreviated options (``--mod`` is not silently ``--model``), and every parser
    records itself, so that the deepest command parsed reports unknown options."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.set_defaults(parser=self)


def _suggestion(parser, extra) -> str:
    """' (did you mean --model?)' for the first unknown option close to a real one."""
    known = [option for action in parser._actions for option in action.option_strings
             if option.startswith("--")]
    for given in extra:
        close = difflib.get_close_matches(given.split("=")[0], known, n=1, cutoff=0.6)
        if given.startswith("-") and close:
            return f" (did you mean {close[0]}?)"
    return ""


def _parser():
    parser = _Parser(
        prog="seqlab", description="The classic sequence-modeling stack, Keras semantics on "
                                   "PyTorch. Run `seqlab COMMAND --help` for a command's options.")
    parser.add_argument("--version", action="version", version=f"seqlab {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (_demo, _tokenize, _datasets, _classify, _forecast, _generate, _seq2seq,
                   _inspect, _convert):
        module.add(commands)
    return parser
