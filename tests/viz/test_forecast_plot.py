"""plot_forecast draws the truth beside each forecast and refuses misaligned ones."""
import numpy as np
import pytest
from matplotlib.image import imread

from seqlab.viz import plot_forecast


def test_writes_a_png_with_dates(tmp_path):
    times = np.arange("2015-01-01T00", "2015-01-03T00", dtype="datetime64[h]")
    truth = np.sin(np.arange(len(times)) / 4)
    path = plot_forecast(truth, {"model": truth + 0.1, "last value": np.roll(truth, 24)},
                         tmp_path / "f.png", times=times, ylabel="T (degC)")
    assert path == tmp_path / "f.png"
    assert imread(path).shape[:2] == (400, 1000)
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]


def test_forecasts_must_match_the_truth(tmp_path):
    with pytest.raises(ValueError, match=r"'model' has shape \(9,\) but the truth has shape"):
        plot_forecast(np.zeros(10), {"model": np.zeros(9)}, tmp_path / "f.png")
    assert list(tmp_path.iterdir()) == []
