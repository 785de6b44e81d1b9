"""Access to the compiled tokenizer kernel, and why it may not be used.

The kernel (``_ctokenize.c``) is built at install time when a C compiler is
available. Without it everything still works through the pure-Python path; the
first tokenizer call then logs one warning saying so.
"""
from __future__ import annotations

import logging

from .._log import say_once

try:
    from . import _ctokenize as kernel
    UNAVAILABLE_REASON = None
except ImportError as error:  # not built on this machine
    kernel = None
    UNAVAILABLE_REASON = f"the compiled tokenizer is not built ({error}); reinstall with a C compiler"


def word_separators(filters: str, split: str) -> str | None:
    """The separator characters for the kernel, or None if it cannot split this way.

    The kernel splits UTF-8 bytes on ASCII separators, which equals Keras's
    translate-then-split only when ``split`` is one ASCII character and every
    filter is ASCII.
    """
    if len(split) != 1 or not split.isascii() or not filters.isascii():
        return None
    return "".join(dict.fromkeys(split + filters))


def fast_path_reason(filters: str, split: str, char_level: bool, analyzer) -> str | None:
    """Why a tokenizer with these settings runs on the pure-Python path (None: it doesn't)."""
    if UNAVAILABLE_REASON:
        return UNAVAILABLE_REASON
    if char_level:
        return "char_level=True (characters are counted by the Python path)"
    if analyzer is not None:
        return "a custom analyzer is set"
    if word_separators(filters, split) is None:
        return "split is not one ASCII character or filters contain non-ASCII characters"
    return None


def report(reason: str | None) -> None:
    """Log, once per process and reason, that the Python path is used."""
    if reason is None:
        return
    level = logging.WARNING if reason is UNAVAILABLE_REASON else logging.INFO
    say_once(f"Tokenizer uses the pure-Python path: {reason}", level)
