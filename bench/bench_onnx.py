"""Benchmark: a model run by seqlab and by onnxruntime on the graph ``export_onnx`` wrote.

A sentiment-style batch (128 texts of 20-199 word indices out of 10,000, left padded
to 200), Embedding(10000, 32) -> a recurrent layer -> Dense(1, sigmoid), with and
without ``mask_zero``. Both run inference on one thread; the best of 5 runs is kept,
and the largest difference between the two outputs is printed beside the times.

    python bench/bench_onnx.py
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime
import torch

from seqlab.layers import GRU, LSTM, Bidirectional, Dense, Embedding
from seqlab.models import Sequential, export_onnx
from seqlab.text import pad_sequences

RECURRENT = {"LSTM(64)": lambda: LSTM(64), "Bidirectional(GRU(64))": lambda: Bidirectional(GRU(64))}


def best_time(run, repeats=5) -> float:
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    texts = [list(rng.integers(1, 10000, size=rng.integers(20, 200))) for _ in range(128)]
    x = pad_sequences(texts, maxlen=200).astype(np.int64)  # (128, 200)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    print(f"{'model':24s} {'mask':5s} {'seqlab':>9s} {'onnxruntime':>12s} {'ratio':>6s} "
          f"{'max |diff|':>10s}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.onnx"
        for name, make in RECURRENT.items():
            for masked in (False, True):
                model = Sequential([Embedding(10000, 32, mask_zero=masked), make(),
                                    Dense(1, activation="sigmoid")])
                model(x[:2])
                model.eval()
                export_onnx(model, path)
                session = onnxruntime.InferenceSession(str(path), options,
                                                       providers=["CPUExecutionProvider"])
                with torch.no_grad():
                    ours = best_time(lambda: model(x))
                    expected = model(x).numpy()
                theirs = best_time(lambda: session.run(None, {"input": x}))
                difference = np.abs(session.run(None, {"input": x})[0] - expected).max()
                print(f"{name:24s} {str(masked):5s} {ours * 1e3:7.1f}ms {theirs * 1e3:10.1f}ms "
                      f"{theirs / ours:6.2f} {difference:10.1e}")


if __name__ == "__main__":
    main()
