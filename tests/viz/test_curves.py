"""Learning curves: whole-number epochs, the kept epoch marked, panel titles."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from seqlab.viz import plot_history  # noqa: E402
from seqlab.viz.curves import history_figure  # noqa: E402

HISTORY = {"loss": [0.9, 0.7], "val_loss": [0.8, 0.75], "mae": [2.0, 1.5], "val_mae": [1.9, 1.7]}


def test_two_epochs_get_whole_number_ticks_only():
    figure = history_figure(HISTORY)
    try:
        for ax in figure.axes:
            ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
            assert ticks and all(float(t).is_integer() for t in ticks), ticks
    finally:
        plt.close(figure)


def test_the_kept_epoch_is_marked_on_every_panel_and_titles_apply():
    figure = history_figure(HISTORY, kept_epoch=2, titles={"mae": "MAE (°C)"})
    try:
        assert [ax.get_title() for ax in figure.axes] == ["loss", "MAE (°C)"]
        for ax in figure.axes:
            labels = ax.get_legend_handles_labels()[1]
            assert "kept: epoch 2" in labels
            marks = [line for line in ax.get_lines() if line.get_label() == "kept: epoch 2"]
            assert list(marks[0].get_xdata()) == [2, 2]
    finally:
        plt.close(figure)


def test_plot_history_writes_a_png(tmp_path):
    path = plot_history(HISTORY, tmp_path / "c.png", kept_epoch=1)
    assert path.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="the history is empty"):
        plot_history({}, tmp_path / "d.png")


def test_forecast_curves_show_mae_in_the_target_s_units():
    from seqlab.tasks.forecast import _curves_in_units

    history = {"loss": [1.0, 0.5], "mae": [0.5, 0.4], "val_mae": [0.25, 0.3]}
    curves, titles = _curves_in_units(history, 8.5, "°C")  # std of the training rows: 8.5 °C
    assert curves == {"loss": [1.0, 0.5], "mae": [4.25, pytest.approx(3.4)],
                      "val_mae": [2.125, pytest.approx(2.55)]}
    assert titles["mae"] == "MAE (°C)"
