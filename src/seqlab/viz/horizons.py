"""Multi-step forecasts as a PNG: a few test windows (history, truth, forecasts) and the
error at each horizon step, one column of panels per horizon."""
from __future__ import annotations

import numpy as np

from .._files import write_atomically


def plot_horizons(figures: dict, columns, path, title="Forecast", windows=3):
    """`figures` maps a horizon to ``{"x": (n, L, C), "y": (n, H, C), "model": (n, H, C),
    "linear": (n, H, C), "by_step": {"mse": (H,), "mae": (H,)}}``; the last channel is
    drawn for `windows` test windows spread over the split, then MSE by horizon step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    horizons = list(figures)
    rows = windows + 1
    figure, axes = plt.subplots(rows, len(horizons), figsize=(4.2 * len(horizons), 2.3 * rows),
                                dpi=90, squeeze=False)
    channel = len(columns) - 1
    try:
        for j, horizon in enumerate(horizons):
            data = figures[horizon]
            n, lookback = data["x"].shape[:2]
            picks = np.linspace(0, n - 1, windows).astype(int)
            for i, pick in enumerate(picks):
                ax = axes[i, j]
                past = np.arange(-lookback + 1, 1)
                future = np.arange(1, horizon + 1)
                ax.plot(past, data["x"][pick, :, channel], color="gray", linewidth=0.8,
                        label="input")
                ax.plot(future, data["y"][pick, :, channel], color="black", linewidth=1.0,
                        label="truth")
                ax.plot(future, data["model"][pick, :, channel], linewidth=1.0, label="model")
                ax.plot(future, data["linear"][pick, :, channel], linewidth=0.8,
                        linestyle="--", label="linear")
                ax.axhline(data["x"][pick, -1, channel], color="gray", linestyle=":",
                           linewidth=0.8, label="repeat")
                ax.set_title(f"horizon {horizon}: test window {pick}, {columns[channel]}",
                             fontsize=8)
                ax.tick_params(labelsize=7)
                if i == 0 and j == 0:
                    ax.legend(fontsize=6)
            ax = axes[-1, j]
            steps = np.arange(1, horizon + 1)
            ax.plot(steps, data["by_step"]["mse"], label="MSE")
            ax.plot(steps, data["by_step"]["mae"], label="MAE")
            ax.set_xlabel("horizon step", fontsize=8)
            ax.set_title(f"horizon {horizon}: test error by step (z-scores)", fontsize=8)
            ax.tick_params(labelsize=7)
            ax.legend(fontsize=6)
        figure.suptitle(title)
        figure.tight_layout()
        return write_atomically(path, lambda file: figure.savefig(file, format="png"))
    finally:
        plt.close(figure)
