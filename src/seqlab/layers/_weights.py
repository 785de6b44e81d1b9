"""Creating a layer's weights: drawn by their initializer, refused by name when larger than
this machine's memory, or (inside a `WeightBudget`, when a model is built to receive a
file's weights) left uninitialised and bounded by what the file holds."""
from __future__ import annotations

import math
import os

import torch

_budget = []  # the innermost weight_budget in force, if any


class WeightBudget:
    """Build layers for weights that will be loaded, not drawn: `add_weight` skips the
    initializer (``torch.empty``) and refuses, before allocating, a weight that would take
    the total past `count` values (those a file holds), so a hostile architecture (an LSTM
    of 6000 units over a file of 800 values) is refused at once instead of allocated."""

    def __init__(self, count: int, source: str):
        self.remaining, self.count, self.source = count, count, source

    def take(self, layer, name, shape):
        size = math.prod(shape)
        if size > self.remaining:
            raise ValueError(
                f"{layer.name} ({type(layer).__name__}) asks for a weight {name!r} of shape "
                f"{tuple(shape)} ({size:,} values), past the {self.count:,} values "
                f"{self.source} holds: the architecture does not match the stored weights "
                "(seqlab never builds more weights than a file holds)")
        self.remaining -= size

    def check_probe(self, layer, count: int, most=2 ** 26):
        """Refuse a `layer` whose inputs hold more than `most` numbers per sample (after
        a RepeatVector(10**9)): running the model must not cost gigabytes a sample."""
        if count > most:
            raise ValueError(f"{layer.name} ({type(layer).__name__}) would receive inputs of "
                             f"{count:,} values per sample, past the {most:,} that a model "
                             f"built from {self.source} may take (a limit against hostile "
                             "files)")

    def __enter__(self):
        _budget.append(self)
        return self

    def __exit__(self, *exc):
        _budget.remove(self)


def initial_value(layer, name, initializer, shape, dtype):
    """`initializer`'s tensor, or a MemoryError naming the layer, weight and size when it
    is larger than this machine's memory (checked before allocating: torch's own message
    names only a number of bytes, and an overcommitting OS may kill the process instead)."""
    size = math.prod(shape) * torch.empty((), dtype=dtype).element_size()
    error = _too_large(layer, name, shape, size) if size > _memory_bytes() else None
    if error is None:
        try:
            return torch.as_tensor(initializer(shape, dtype), dtype=dtype)
        except RuntimeError as failure:
            if "alloc" not in str(failure).lower():
                raise
            error = _too_large(layer, name, shape, size)
    raise error


class WeightTooLargeError(MemoryError, ValueError):
    """A weight larger than this machine's memory: a MemoryError, and a ValueError too,
    because the cause is a size given by mistake (the CLI reports it as bad input)."""


def _too_large(layer, name, shape, size):
    return WeightTooLargeError(f"{layer.name} ({type(layer).__name__}): its weight {name!r} of shape "
                       f"{shape} needs {size / 2**30:,.1f} GiB, more than this machine can "
                       "allocate: check the layer's sizes (an Embedding's input_dim is the "
                       "vocabulary size, e.g. tokenizer.vocab_size)")


def _memory_bytes() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not POSIX: let torch say
        return math.inf
