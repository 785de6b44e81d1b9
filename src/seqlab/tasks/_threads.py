"""How many threads torch may use while a recipe runs."""
from __future__ import annotations

from contextlib import contextmanager

import torch


@contextmanager
def torch_threads(count=1):
    """Run the block with `count` torch intra-op threads (None: leave the setting), then
    restore the setting.

    The recipes' models are small: a step's matrices are too small to split, and when other
    processes keep the cores busy, torch's threads wait for each other at every op
    (measured on 2 busy cores: a tanh on 150 numbers took 8 ms on two threads, 2 µs on
    one; a seq2seq epoch 250 s against 9-13 s).
    """
    before = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)
