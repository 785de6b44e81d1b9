"""Access to the compiled tokenizer kernel: when it can be used, and how texts reach it.

The kernel (``_ctokenize.c``) is built at install time when a C compiler is
available. Without it everything still works through the pure-Python path; the
first tokenizer call then logs one warning saying so.
"""
from __future__ import annotations

import gc
import logging
from typing import NamedTuple

from .._extensions import optional_extension
from .._log import say_once

kernel, UNAVAILABLE_REASON = optional_extension(f"{__package__}._ctokenize",
                                                "the compiled tokenizer")

# Batches of texts for the kernel start small (a generator's first results come
# quickly) and double, so that the per-call work is amortised on large inputs.
FIRST_BATCH, LAST_BATCH = 1024, 65536


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


class Single(NamedTuple):
    """A text the kernel does not take (not a str, or the kernel is off), with its position."""

    position: int
    text: object


def batches(texts, kernel_on: bool):
    """Consecutive str texts as lists for the kernel, every other text as a ``Single``, in order."""
    batch, size = [], FIRST_BATCH
    for position, text in enumerate(texts):
        if kernel_on and isinstance(text, str):
            batch.append(text)
            if len(batch) == size:
                yield batch
                batch, size = [], min(2 * size, LAST_BATCH)
            continue
        if batch:
            yield batch
            batch, size = [], min(2 * size, LAST_BATCH)
        yield Single(position, text)
    if batch:
        yield batch


def index_texts(texts, lower, separators, word_index, limit, oov_index, oov_missing):
    """The kernel's ``index_texts``, with the cyclic garbage collector paused.

    Each new list counts towards the next collection, and every collection walks
    every element of the young lists: a fifth of texts_to_sequences' time on IMDB,
    for nothing, since lists of ints hold no cycles. The kernel keeps the GIL
    throughout, so no other Python code runs while the collector is off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return kernel.index_texts(texts, bool(lower), separators, word_index, limit, oov_index,
                                  oov_missing)
    finally:
        if was_enabled:
            gc.enable()
