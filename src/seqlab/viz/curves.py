"""Learning curves: ``History.plot(path)``, one panel per metric, training and validation."""
from __future__ import annotations

from pathlib import Path

from .._files import write_atomically


def plot_history(history: dict, path, metrics=None, kept_epoch=None, titles=None) -> Path:
    """Write the curves of `history` (Keras's ``History.history`` dict) to a PNG.

    `metrics` picks the names to draw (default: every name that has no ``val_`` prefix);
    each panel shows the name and its ``val_`` counterpart when logged. `kept_epoch` (from
    1) marks the epoch whose weights a run kept; `titles` maps a name to its panel's title
    (e.g. its unit). Epochs are whole numbers on the x axis.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = history_figure(history, metrics, kept_epoch, titles)
    try:
        return write_atomically(path, lambda file: figure.savefig(file, format="png"))
    finally:
        plt.close(figure)


def history_figure(history: dict, metrics=None, kept_epoch=None, titles=None):
    """The matplotlib figure ``plot_history`` writes (the caller closes it)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    names = metrics or [k for k in history if not k.startswith("val_") and k != "learning_rate"]
    if not names:
        raise ValueError("plot_history: the history is empty (did fit run any epoch?)")
    missing = [n for n in names if n not in history]
    if missing:
        raise ValueError(f"plot_history: {missing} not in the history; it has {list(history)}")
    figure, axes = plt.subplots(1, len(names), figsize=(5 * len(names), 3.8), dpi=100,
                                squeeze=False)
    for ax, name in zip(axes[0], names):
        epochs = range(1, len(history[name]) + 1)
        ax.plot(epochs, history[name], "o-", label=f"training {name}")
        if f"val_{name}" in history:
            ax.plot(range(1, len(history[f"val_{name}"]) + 1), history[f"val_{name}"], "s--",
                    label=f"validation {name}")
        if kept_epoch is not None:
            ax.axvline(kept_epoch, color="0.4", linestyle=":", label=f"kept: epoch {kept_epoch}")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_title((titles or {}).get(name, name))
        ax.grid(alpha=0.3)
        ax.legend()
    figure.tight_layout()
    return figure
