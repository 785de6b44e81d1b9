"""The inspect plots: gradient norms (log scale) with the race, gate heatmaps, PCA scatter."""
import os

import numpy as np
import pytest

from seqlab.viz import plot_gates, plot_gradient_flow, plot_projection
from tests.viz.test_confusion import read_png


def flow(length=30):
    steps = np.arange(1, length + 1)
    norms = {"simplernn": 0.5 * np.ones(length), "lstm": 10.0 ** (steps - length),
             "gru": 10.0 ** ((steps - length) / 2)}
    return {"length": length, "steps": list(steps), "norms": norms,
            "low": {c: v / 2 for c, v in norms.items()}, "high": {c: v * 2 for c, v in norms.items()}}


RACE = {"lengths": [10, 50], "accuracy": {"simplernn": [1.0, 1.0], "lstm": [1.0, 0.5],
                                          "gru": [1.0, 0.48]},
        "chance": 0.5, "epochs": 5, "train_size": 1000}


def colour_pixels(image, rgb, tolerance=0.05):
    return int((np.abs(image[..., :3] - rgb).max(axis=-1) < tolerance).sum())


def test_gradient_flow_alone_and_with_the_race(tmp_path):
    alone = read_png(plot_gradient_flow(flow(), tmp_path / "a.png"))
    both = read_png(plot_gradient_flow(flow(), tmp_path / "b.png", RACE))
    assert alone.shape[:2] == (420, 650) and both.shape[:2] == (420, 1300)
    red = (0.839, 0.153, 0.157)  # tab:red, the SimpleRNN line
    assert colour_pixels(alone, red) > 100
    assert colour_pixels(both, red) > colour_pixels(alone, red)  # its race line too
    assert sorted(os.listdir(tmp_path)) == ["a.png", "b.png"]


def test_log_scale_spreads_the_lines(tmp_path):
    """On a log axis 1e-29 .. 1 the LSTM line climbs across the panel height."""
    image = read_png(plot_gradient_flow(flow(), tmp_path / "g.png"))
    blue = (0.122, 0.467, 0.706)  # tab:blue, the LSTM line
    rows = np.nonzero((np.abs(image[..., :3] - blue).max(axis=-1) < 0.05).any(axis=1))[0]
    assert rows.max() - rows.min() > 200


def test_gradient_flow_needs_norms(tmp_path):
    with pytest.raises(ValueError, match=r"no gradient norms to draw"):
        plot_gradient_flow({"norms": {}}, tmp_path / "g.png")
    assert list(tmp_path.iterdir()) == []


def gates(steps=12, units=5, kind="LSTM"):
    rng = np.random.default_rng(0)
    names = {"LSTM": "ifco", "GRU": "zrh", "SimpleRNN": "h"}[kind]
    shown = {"LSTM": ("i", "f", "o"), "GRU": ("z", "r"), "SimpleRNN": ("h",)}[kind]
    layer = {"name": kind.lower(), "type": kind, "wrapper": None, "direction": "forward",
             "shown": shown, "gates": {g: rng.uniform(size=(steps, units)) for g in names},
             "h": rng.uniform(-1, 1, size=(steps, units)),
             "steps": [f"w{i}" for i in range(steps)]}
    return {"tokens": layer["steps"], "layers": [layer]}


@pytest.mark.parametrize("kind, panels", [("LSTM", 3), ("GRU", 2), ("SimpleRNN", 1)])
def test_one_heatmap_per_shown_gate(tmp_path, kind, panels):
    image = read_png(plot_gates(gates(kind=kind), tmp_path / "gates.png", title="t"))
    # width max(6, 0.22*12 + 2.5) = 6 in; each panel max(1.6, 0.04*5 + 1.3) = 1.6 in
    assert image.shape[1] == 600
    assert image.shape[0] == pytest.approx(160 * panels, abs=1)


def test_many_steps_widen_the_figure_and_thin_the_labels(tmp_path):
    image = read_png(plot_gates(gates(steps=200, units=40), tmp_path / "wide.png"))
    assert image.shape[1] == 3000  # capped at 30 inches
    assert image.shape[0] == pytest.approx(3 * (0.04 * 40 + 1.3) * 100, abs=2)


def test_gates_need_a_layer(tmp_path):
    with pytest.raises(ValueError, match=r"no recurrent layer was reached"):
        plot_gates({"tokens": [], "layers": []}, tmp_path / "g.png")


def test_projection_scatter(tmp_path):
    projection = {"words": ["king", "man", "paris", "france"], "groups": ["king", "king",
                                                                         "paris", "paris"],
                  "points": np.array([[1.0, 0.5], [0.8, 0.4], [-1.0, -0.2], [-0.9, 0.1]]),
                  "explained": np.array([0.7, 0.2])}
    image = read_png(plot_projection(projection, tmp_path / "p.png"))
    assert image.shape[:2] == (600, 700)
    blue, orange = (0.122, 0.467, 0.706), (1.0, 0.498, 0.055)  # tab10's first two
    assert colour_pixels(image, blue) > 20 and colour_pixels(image, orange) > 20
    with pytest.raises(ValueError, match=r"4 words for 3 points"):
        plot_projection({**projection, "points": projection["points"][:3]}, tmp_path / "x.png")
