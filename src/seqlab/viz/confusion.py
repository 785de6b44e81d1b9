"""The confusion matrix of a classifier as a PNG: rows the true class, columns the predicted."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .._files import write_atomically


def plot_confusion(matrix, labels, path, title="Confusion matrix") -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matrix = np.asarray(matrix)
    if matrix.shape != (len(labels), len(labels)):
        raise ValueError(f"plot_confusion: a matrix of shape {matrix.shape} for {len(labels)} "
                         f"labels; it must be ({len(labels)}, {len(labels)})")
    size = max(4.0, 0.6 * len(labels) + 2.5)
    figure, axes = plt.subplots(figsize=(size, size * 0.85), dpi=100)
    try:
        image = axes.imshow(matrix, cmap="Blues")
        figure.colorbar(image, ax=axes, fraction=0.046)
        axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
        axes.set_yticks(range(len(labels)), labels)
        axes.set_xlabel("predicted")
        axes.set_ylabel("true")
        axes.set_title(title)
        threshold = matrix.max() / 2 if matrix.size else 0
        for (row, column), count in np.ndenumerate(matrix):
            axes.text(column, row, f"{count:,}", ha="center", va="center",
                      color="white" if count > threshold else "black")
        figure.tight_layout()
        return write_atomically(path, lambda file: figure.savefig(file, format="png"))
    finally:
        plt.close(figure)
