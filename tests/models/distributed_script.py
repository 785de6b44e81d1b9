"""Run by test_distributed.py under torchrun: a small data-parallel fit, weights saved by rank 0.

    torchrun --nproc-per-node 2 distributed_script.py OUT.safetensors [--single]
"""
import sys

import numpy as np

import seqlab
from seqlab.layers import LSTM, Dense, Embedding
from seqlab.models import Sequential, optimizers


def main():
    out, single = sys.argv[1], "--single" in sys.argv
    seqlab.set_seed(7)
    rng = np.random.default_rng(0)
    x = rng.integers(1, 30, size=(96, 12))
    y = (x[:, :3].sum(axis=1) > 45).astype("float32")
    model = Sequential([Embedding(30, 8), LSTM(8), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=3, shuffle=True, verbose=0,
                        distributed=not single)
    import torch.distributed as dist
    if single or dist.get_rank() == 0:
        model.save_weights(out)
        print("losses", history.history["loss"])


if __name__ == "__main__":
    main()
