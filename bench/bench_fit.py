"""Benchmark: what Keras's API costs. ``model.fit`` against a hand-written torch training loop
over the same seqlab layers, the same optimizer and the same batches, side by side.

    Embedding(10000, 32) -> LSTM(32) -> Dense(1, sigmoid), batch 128 x length 200,
    binary cross-entropy, Adam; one epoch of 20 batches per repetition

Repetitions alternate the two, so machine noise hits both alike; the table shows median
milliseconds per step and loop / fit (the bar: at least 0.9, i.e. the API costs at most
10%).

    python bench/bench_fit.py                 # 5 repetitions
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import seqlab
from seqlab.layers import LSTM, Dense, Embedding
from seqlab.models import Sequential, losses, optimizers

BATCH, LENGTH, STEPS = 128, 200, 20


def model_and_optimizer():
    model = Sequential([Embedding(10000, 32), LSTM(32), Dense(1, activation="sigmoid")])
    model(np.zeros((2, LENGTH), dtype=np.int64))
    return model, optimizers.Adam(params=model.parameters())


def run_fit(model, x, y):
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=True, verbose=0)
    return (time.perf_counter() - start) / STEPS * 1000


def run_loop(model, optimizer, x, y):
    loss_function = losses.BinaryCrossentropy()
    start = time.perf_counter()
    model.train()
    order = torch.randperm(len(x))
    x, y = torch.as_tensor(x), torch.as_tensor(y)
    for begin in range(0, len(x), BATCH):
        index = order[begin:begin + BATCH]
        optimizer.zero_grad()
        loss = loss_function(y[index], model(x[index]))
        loss.backward()
        optimizer.step()
        float(loss.detach())  # fit reads the loss every step too (for the logs)
    return (time.perf_counter() - start) / STEPS * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    seqlab.set_seed(0)
    x = np.random.default_rng(0).integers(1, 10000, size=(BATCH * STEPS, LENGTH))
    y = (np.random.default_rng(1).random(BATCH * STEPS) < 0.5).astype("float32")
    fitted, _ = model_and_optimizer()
    fitted.compile(optimizer=optimizers.Adam(), loss="binary_crossentropy",
                   metrics=["accuracy"])
    looped, optimizer = model_and_optimizer()
    run_fit(fitted, x[:BATCH * 2], y[:BATCH * 2])  # warm up both
    run_loop(looped, optimizer, x[:BATCH * 2], y[:BATCH * 2])
    times = {"fit": [], "loop": []}
    for repeat in range(args.repeats):
        for name in (("fit", "loop") if repeat % 2 == 0 else ("loop", "fit")):
            if name == "fit":
                times["fit"].append(run_fit(fitted, x, y))
            else:
                times["loop"].append(run_loop(looped, optimizer, x, y))
    fit, loop = statistics.median(times["fit"]), statistics.median(times["loop"])
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; batch {BATCH} x "
          f"length {LENGTH}, {STEPS} steps per epoch, median of {args.repeats} epochs")
    print(f"{'hand-written loop':<20}{loop:>8.1f} ms/step")
    print(f"{'model.fit':<20}{fit:>8.1f} ms/step   (accuracy metric, progress logs off)")
    ratio = loop / fit
    verdict = "PASS" if ratio >= 0.9 else "FAIL"
    print(f"{verdict}: fit runs at {ratio:.3f}x the loop's speed; the bar is >= 0.9")


if __name__ == "__main__":
    main()
