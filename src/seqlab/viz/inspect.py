"""Plots of ``seqlab inspect``: gradient norms through time (and the accuracy race), gate
activations as heatmaps, and word vectors projected to 2-D."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .._files import write_atomically

CELL_COLOURS = {"simplernn": "tab:red", "lstm": "tab:blue", "gru": "tab:green"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _save(figure, path) -> Path:
    figure.tight_layout()
    return write_atomically(path, lambda file: figure.savefig(file, format="png"))


def plot_gradient_flow(flow: dict, path, race: dict | None = None) -> Path:
    """Left: ``||∂loss/∂h_t||`` against t on a log scale, one line per cell (the band spans
    the seeds); right, when `race` is given: test accuracy against T for each cell."""
    plt = _pyplot()
    norms = flow.get("norms") or {}
    if not norms:
        raise ValueError("plot_gradient_flow: no gradient norms to draw (flow['norms'] is empty)")
    panels = 2 if race else 1
    figure, axes = plt.subplots(1, panels, figsize=(6.5 * panels, 4.2), dpi=100, squeeze=False)
    try:
        left = axes[0][0]
        steps = np.asarray(flow["steps"])
        for cell, values in norms.items():
            colour = CELL_COLOURS.get(cell)
            left.plot(steps, np.asarray(values), label=cell, color=colour)
            if "low" in flow and "high" in flow:
                left.fill_between(steps, flow["low"][cell], flow["high"][cell], color=colour,
                                  alpha=0.2, linewidth=0)
        left.set_yscale("log")
        left.set_xlabel("step t (the label is decided at t = 1)")
        left.set_ylabel("mean ||∂loss/∂h_t||")
        left.set_title(f"Gradient through time at initialisation (T={flow['length']})")
        left.grid(alpha=0.3, which="both")
        left.legend()
        if race:
            right = axes[0][1]
            for cell, values in race["accuracy"].items():
                right.plot(race["lengths"], values, "o-", label=cell, color=CELL_COLOURS.get(cell))
            right.axhline(race.get("chance", 0.5), color="gray", linestyle="--", label="chance")
            right.set_ylim(0.3, 1.02)
            right.set_xlabel("sequence length T")
            right.set_ylabel("test accuracy")
            right.set_title(f"Accuracy race ({race['epochs']} epochs, "
                            f"{race['train_size']:,} sequences)")
            right.grid(alpha=0.3)
            right.legend()
        return _save(figure, path)
    finally:
        plt.close(figure)


def plot_gates(activations: dict, path, title=None, max_labels=60) -> Path:
    """One heatmap per gate (rows) of each recurrent layer (columns of panels):
    units down, steps across with the tokens as labels; sigmoid gates on a fixed 0–1 scale."""
    plt = _pyplot()
    panels = [(layer, gate) for layer in activations["layers"] for gate in layer["shown"]]
    if not panels:
        raise ValueError("plot_gates: no recurrent layer was reached by the text")
    steps = max(len(layer["steps"]) for layer, _ in panels)
    units = max(layer["h"].shape[1] for layer, _ in panels)
    width = min(max(6.0, 0.22 * steps + 2.5), 30.0)
    height = min(max(1.6, 0.04 * units + 1.3), 6.0)
    figure, axes = plt.subplots(len(panels), 1, figsize=(width, height * len(panels)),
                                dpi=100, squeeze=False)
    try:
        for ax, (layer, gate) in zip(axes[:, 0], panels):
            values = layer["gates"][gate].T  # (units, steps)
            sigmoid = layer["type"] != "SimpleRNN" and gate != "h"
            image = ax.imshow(values, aspect="auto", interpolation="nearest",
                              cmap="viridis" if sigmoid else "coolwarm",
                              vmin=0 if sigmoid else -1, vmax=1)
            figure.colorbar(image, ax=ax, fraction=0.03, pad=0.01)
            labels = layer["steps"]
            every = max(1, int(np.ceil(len(labels) / max_labels)))
            ax.set_xticks(range(0, len(labels), every), labels[::every], rotation=90,
                          fontsize=8)
            ax.set_ylabel("unit")
            where = f"{layer['wrapper']}/" if layer["wrapper"] else ""
            meaning = _meaning(layer["type"], gate)
            ax.set_title(f"{where}{layer['name']} ({layer['type']}, {layer['direction']}): "
                         f"{gate} — {meaning}", fontsize=10)
        if title:
            figure.suptitle(title)
        return _save(figure, path)
    finally:
        plt.close(figure)


def _meaning(kind, gate):
    if kind == "SimpleRNN":
        return "hidden state h_t"
    return {"i": "input gate", "f": "forget gate", "o": "output gate", "c": "cell candidate",
            "z": "update gate", "r": "reset gate", "h": "candidate"}.get(gate, gate)


def plot_projection(projection: dict, path, title="Word vectors, first two principal "
                                                   "components") -> Path:
    """A labelled scatter of ``project_words``'s points, one colour per chosen word's group."""
    plt = _pyplot()
    points = np.asarray(projection["points"])
    words, groups = projection["words"], projection["groups"]
    if len(words) != len(points):
        raise ValueError(f"plot_projection: {len(words)} words for {len(points)} points")
    figure, ax = plt.subplots(figsize=(7, 6), dpi=100)
    try:
        colours = plt.get_cmap("tab10")
        order = list(dict.fromkeys(groups))
        for index, group in enumerate(order):
            chosen = [i for i, g in enumerate(groups) if g == group]
            ax.scatter(points[chosen, 0], points[chosen, 1], color=colours(index % 10),
                       label=group if len(order) < len(words) else None, s=30)
        for word, group, (x, y) in zip(words, groups, points):
            ax.annotate(word, (x, y), textcoords="offset points", xytext=(4, 3),
                        fontsize=10 if word == group else 8,
                        fontweight="bold" if word == group else "normal")
        explained = projection.get("explained", (0, 0))
        ax.set_xlabel(f"PC1 ({explained[0]:.0%} of the variance)")
        ax.set_ylabel(f"PC2 ({explained[1]:.0%} of the variance)")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        if len(order) < len(words):
            ax.legend(title="neighbours of", fontsize=8)
        return _save(figure, path)
    finally:
        plt.close(figure)
