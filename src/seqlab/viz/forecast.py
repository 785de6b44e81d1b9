"""A stretch of a forecast beside the truth: one line per forecaster, as a PNG."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .._files import write_atomically


def plot_forecast(truth, forecasts: dict, path, times=None, title="Forecast",
                  ylabel="value") -> Path:
    """Draw `truth` and every ``{name: values}`` of `forecasts` (same length) against
    `times` (datetimes or numbers; default the sample number) and write a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    truth = np.asarray(truth, dtype=np.float64)
    for name, values in forecasts.items():
        if np.shape(values) != truth.shape:
            raise ValueError(f"plot_forecast: {name!r} has shape {np.shape(values)} but the "
                             f"truth has shape {truth.shape}")
    x = np.arange(len(truth)) if times is None else np.asarray(times)
    figure, axes = plt.subplots(figsize=(10, 4), dpi=100)
    try:
        axes.plot(x, truth, color="black", linewidth=1.6, label="truth")
        for name, values in forecasts.items():
            axes.plot(x, values, linewidth=1.1, label=name)
        axes.set_ylabel(ylabel)
        axes.set_xlabel("time of the target" if times is not None else "sample")
        axes.set_title(title)
        axes.grid(alpha=0.3)
        axes.legend()
        figure.autofmt_xdate()
        figure.tight_layout()
        return write_atomically(path, lambda file: figure.savefig(file, format="png"))
    finally:
        plt.close(figure)
