"""Data-parallel training with torch.distributed (``fit(..., distributed=True)``).

Run the training script under ``torchrun --nproc-per-node N script.py``: every process
builds the same model and reads the same data. ``fit`` then

* copies the first process's initial weights to all (so they start equal),
* shuffles every epoch in the first process's order (so all see the same batches),
* splits each global batch of ``batch_size`` samples into N contiguous shards, one per
  process, and scales each process's loss by ``shard / batch`` before ``backward``,
  so that summing the gradients over processes gives exactly the gradient of the
  whole batch's loss (the same update as one process),
* averages the logged loss and metrics over the processes, and lets only the first
  process print, log and save.

gloo is used on CPU, nccl on GPU. Outside ``distributed=True`` the same calls go to a
``Group.single()`` that does nothing.
"""
from __future__ import annotations

import atexit
import os

import torch
import torch.distributed as dist


class Group:
    def __init__(self, rank=0, world=1, active=False):
        self.rank, self.world, self.active = rank, world, active
        self._shared = False

    @classmethod
    def single(cls):
        return cls()

    @classmethod
    def start(cls):
        """Join the process group torchrun set up (initialising it if needed)."""
        if not dist.is_available():
            raise RuntimeError("fit(distributed=True): this torch has no torch.distributed")
        if not dist.is_initialized():
            if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
                raise RuntimeError("fit(distributed=True) runs under torchrun: "
                                   "torchrun --nproc-per-node 2 your_script.py")
            dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
            atexit.register(_leave)  # we started the group, so we close it (else: abort at exit)
        return cls(dist.get_rank(), dist.get_world_size(), True)

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def share_weights(self, model):
        """Every process starts from the first process's weights (once, once built)."""
        if self.active and not self._shared:
            with torch.no_grad():
                for parameter in model.parameters():
                    dist.broadcast(parameter.data, src=0)
            self._shared = True

    def epoch_order(self, data):
        """The shuffle order of this epoch, the same everywhere (None: the data decides)."""
        if not self.active or not getattr(data, "shuffle", False) or data.size is None:
            return None
        order = torch.randperm(data.size) if self.is_main else torch.empty(data.size,
                                                                          dtype=torch.long)
        dist.broadcast(order, src=0)
        return order

    def shard(self, x, y, sample_weight):
        """This process's contiguous share of a global batch, and its fraction of it."""
        if not self.active:
            return x, y, sample_weight, 1.0
        total = _length(x)
        bounds = [total * r // self.world for r in range(self.world + 1)]
        part = slice(bounds[self.rank], bounds[self.rank + 1])
        take = lambda v: None if v is None else _slice(v, part)  # noqa: E731
        return take(x), take(y), take(sample_weight), (part.stop - part.start) / total

    def sum_gradients(self, model):
        if not self.active:
            return
        for parameter in model.parameters():
            if parameter.grad is not None:
                dist.all_reduce(parameter.grad, op=dist.ReduceOp.SUM)

    def average_logs(self, logs: dict) -> dict:
        if not self.active or not logs:
            return logs
        values = torch.tensor(list(logs.values()), dtype=torch.float64)
        dist.all_reduce(values, op=dist.ReduceOp.SUM)
        return dict(zip(logs, (values / self.world).tolist()))

    def agree(self, flag: bool) -> bool:
        """The first process's decision (e.g. stop_training), everywhere."""
        if not self.active:
            return flag
        value = torch.tensor([1 if flag else 0])
        dist.broadcast(value, src=0)
        return bool(value.item())


def _leave():
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def _length(x):
    if isinstance(x, dict):
        x = next(iter(x.values()))
    if isinstance(x, (list, tuple)):
        x = x[0]
    return x.shape[0]


def _slice(value, part):
    if isinstance(value, dict):
        return {k: v[part] for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(v[part] for v in value)
    return value[part]
