"""plot_lengths writes a real PNG, atomically."""
import numpy as np
import pytest

from seqlab.viz import plot_lengths


def test_writes_a_png(tmp_path):
    import matplotlib.image

    lengths = np.random.default_rng(0).poisson(120, size=500)
    path = plot_lengths(lengths, tmp_path / "plots" / "lengths.png", maxlen=150)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width, _ = matplotlib.image.imread(path).shape
    assert (width, height) == (800, 450)


def test_no_texts_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no texts"):
        plot_lengths([], tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
