"""How long are the texts? The picture for choosing ``pad_sequences(maxlen=...)``."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .._files import write_atomically


def plot_lengths(lengths, path, maxlen: int | None = None, title: str = "Tokens per text") -> Path:
    """Write a histogram of sequence lengths to `path` (PNG), marking the median,
    the 95th percentile and `maxlen` with the share of texts it truncates.

    Returns the path written.
    """
    import matplotlib

    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt

    lengths = np.asarray(lengths)
    if lengths.size == 0:
        raise ValueError("plot_lengths: no texts to plot")
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=100)
    try:
        axes.hist(lengths, bins=min(60, max(1, int(lengths.max()) + 1)), color="#4c72b0")
        marks = [("median", np.median(lengths), "#55a868", "--"),
                 ("95th percentile", np.percentile(lengths, 95), "#8172b2", ":")]
        if maxlen is not None:
            cut = np.count_nonzero(lengths > maxlen) / lengths.size
            marks.append((f"maxlen {maxlen} (truncates {cut:.1%})", maxlen, "#c44e52", "-"))
        for label, x, color, style in marks:
            axes.axvline(x, color=color, linestyle=style, linewidth=2,
                         label=f"{label}" if label.startswith("maxlen") else f"{label}: {x:.0f}")
        axes.set_xlabel("tokens per text (after tokenization)")
        axes.set_ylabel("texts")
        axes.set_title(f"{title} ({lengths.size:,} texts)")
        axes.legend()
        figure.tight_layout()
        return write_atomically(path, lambda file: figure.savefig(file, format="png"))
    finally:
        plt.close(figure)
