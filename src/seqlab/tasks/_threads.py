"""How many threads torch may use while a recipe runs: the one switch for training,
prediction and decoding.

The recipes' models are small: a step's matrices are too small to split, and when other
processes keep the cores busy, torch's threads wait for each other at every op (measured
on 2 busy cores: a tanh on 150 numbers took 8 ms on two threads, 2 µs on one; a seq2seq
epoch 250 s against 9-13 s). So every recipe runs on one thread unless told otherwise
(``threads=`` in its config, ``--threads`` on the command line), and a fixed count also
keeps a seeded run repeatable: a sum split over another number of threads rounds
differently.

The ``seqlab`` command also sets ``OMP_WAIT_POLICY=PASSIVE`` (unless it is set) before
torch loads, so that with ``--threads 2`` or more a waiting thread sleeps instead of
spinning on a core another process needs. OpenMP reads it once, when torch is imported:
a Python program sets it in the environment before ``import torch``.
"""
from __future__ import annotations

import functools
import numbers
from contextlib import contextmanager

import torch


@contextmanager
def torch_threads(count=1):
    """Run the block with `count` torch intra-op threads (None: leave the setting), then
    restore the setting. Also a decorator: ``@torch_threads(1)``."""
    check_threads(count)
    before = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def check_threads(count):
    """Raise ValueError unless `count` is None or a whole number >= 1."""
    if count is not None and (isinstance(count, bool) or not isinstance(count, numbers.Integral)
                              or count < 1):
        raise ValueError(f"threads must be a whole number >= 1 (or None for torch's own "
                         f"setting), got threads={count!r}")


def config_threads(recipe):
    """Decorate ``recipe(config, ...)`` to run inside ``torch_threads(config.threads)``."""
    @functools.wraps(recipe)
    def run(config, *args, **kwargs):
        with torch_threads(config.threads):
            return recipe(config, *args, **kwargs)
    return run
