"""Benchmark: one training step (forward, backward, Adam) of the classic IMDB model with
seqlab layers against the same model written with plain torch.nn, side by side.

    Embedding(10000, 32) -> LSTM(32) -> Dense(1), batch 128 x length 200, binary loss

Variants: LSTM(32, recurrent_dropout=0.2), GRU(32), SimpleRNN(32),
Bidirectional(LSTM(32)), and a masked LSTM (mask_zero=True on left-padded rows of
random lengths). Each seqlab variant is compared with the plain-torch model of the
same cell (the masked one with the unmasked plain model: plain torch has no masks).
Repetitions are interleaved so machine noise hits every model alike; the table shows
median milliseconds per step and plain / seqlab (above 1 = seqlab faster).

    python bench/bench_layers.py                 # 5 repetitions of 10 steps each
    python bench/bench_layers.py --repeats 9 --steps 20
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from seqlab import layers as L

VOCAB, EMBED, UNITS, BATCH, LENGTH = 10000, 32, 32, 128, 200


class Plain(nn.Module):
    """The model in plain torch.nn, as one would write it by hand."""

    def __init__(self, kind, bidirectional=False):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMBED)
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[kind]
        self.rnn = rnn(EMBED, UNITS, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear(UNITS * (2 if bidirectional else 1), 1)

    def forward(self, x):
        _, state = self.rnn(self.embedding(x))
        h = state[0] if isinstance(state, tuple) else state  # (directions, batch, units)
        return self.head(torch.cat(list(h), dim=-1))


def seqlab_model(recurrent, mask_zero=False):
    return nn.Sequential(L.Embedding(VOCAB, EMBED, mask_zero=mask_zero), recurrent, L.Dense(1))


VARIANTS = {
    # name: (seqlab model factory, plain model factory, data)
    "LSTM": (lambda: seqlab_model(L.LSTM(UNITS)), lambda: Plain("lstm"), "full"),
    "LSTM recurrent_dropout=0.2": (lambda: seqlab_model(L.LSTM(UNITS, recurrent_dropout=0.2)),
                                   lambda: Plain("lstm"), "full"),
    "GRU": (lambda: seqlab_model(L.GRU(UNITS)), lambda: Plain("gru"), "full"),
    "SimpleRNN": (lambda: seqlab_model(L.SimpleRNN(UNITS)), lambda: Plain("rnn"), "full"),
    "Bidirectional(LSTM)": (lambda: seqlab_model(L.Bidirectional(L.LSTM(UNITS))),
                            lambda: Plain("lstm", bidirectional=True), "full"),
    "LSTM, mask_zero, left-padded": (lambda: seqlab_model(L.LSTM(UNITS), mask_zero=True),
                                     lambda: Plain("lstm"), "padded"),
}


def data(kind, generator):
    x = torch.randint(1, VOCAB, (BATCH, LENGTH), generator=generator)
    if kind == "padded":  # pad_sequences' default: zeros before each text
        lengths = torch.randint(20, LENGTH + 1, (BATCH,), generator=generator)
        x[torch.arange(LENGTH) < (LENGTH - lengths)[:, None]] = 0
    y = torch.randint(0, 2, (BATCH, 1), generator=generator).float()
    return x, y


def timed_steps(model, optimizer, x, y, steps):
    loss_fn = nn.BCEWithLogitsLoss()
    start = time.perf_counter()
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    return (time.perf_counter() - start) / steps * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS))
    args = parser.parse_args()
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    runs = {}
    for name in args.variants:
        make_ours, make_plain, kind = VARIANTS[name]
        x, y = data(kind, generator)
        for peer, make in (("seqlab", make_ours), ("plain", make_plain)):
            model = make()
            model.train()
            model(x)  # build the lazy layers before the optimizer sees the parameters
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            timed_steps(model, optimizer, x, y, 2)  # warm up
            runs[(name, peer)] = (model, optimizer, x, y)
    times = {key: [] for key in runs}
    for repeat in range(args.repeats):
        keys = list(runs) if repeat % 2 == 0 else list(reversed(runs))
        for key in keys:
            times[key].append(timed_steps(*runs[key], args.steps))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; batch {BATCH} x length "
          f"{LENGTH}, Embedding({VOCAB}, {EMBED}), {UNITS} units, Adam; median of "
          f"{args.repeats} x {args.steps} steps")
    print(f"{'model':<32}{'plain ms':>10}{'seqlab ms':>11}{'plain/seqlab':>14}  seqlab path")
    for name in args.variants:
        plain = statistics.median(times[(name, "plain")])
        ours = statistics.median(times[(name, "seqlab")])
        recurrent = runs[(name, "seqlab")][0][1]
        path = getattr(recurrent, "path", None) or getattr(recurrent.forward_layer, "path", "")
        print(f"{name:<32}{plain:>10.1f}{ours:>11.1f}{plain / ours:>14.2f}  {path}")


if __name__ == "__main__":
    main()
