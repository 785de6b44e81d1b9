"""plot_confusion writes a real PNG, atomically."""
import os

import numpy as np
import pytest

from seqlab.viz import plot_confusion

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png(path):
    import matplotlib.image

    assert path.read_bytes()[:8] == PNG_SIGNATURE
    return matplotlib.image.imread(path)


def test_two_labels(tmp_path):
    target = tmp_path / "plots" / "confusion.png"
    path = plot_confusion([[50, 3], [7, 40]], ["neg", "pos"], target, title="IMDB")
    assert path == target
    height, width, channels = read_png(path).shape
    # figsize max(4, 0.6 * 2 + 2.5) = 4 inches wide, 0.85 of that high, at 100 dpi
    assert (width, height, channels) == (400, 340, 4)


def test_five_labels(tmp_path):
    matrix = np.arange(25).reshape(5, 5) * 11
    labels = ["anger", "fear", "joy", "love", "sadness"]
    image = read_png(plot_confusion(matrix, labels, tmp_path / "five.png"))
    height, width, _ = image.shape
    # 0.6 * 5 + 2.5 = 5.5 inches wide, 0.85 of that high
    assert width == 550
    assert abs(height - 467.5) <= 1
    assert len(np.unique(image.reshape(-1, image.shape[-1]), axis=0)) > 20  # not blank


def test_returns_a_path_for_a_str(tmp_path):
    path = plot_confusion(np.eye(2, dtype=int), ["a", "b"], str(tmp_path / "c.png"))
    assert path == tmp_path / "c.png"
    assert isinstance(path, os.PathLike) and path.is_file()


def dark_blue_pixels(image):
    """Pixels of the darkest Blues colour, about (0.03, 0.19, 0.42): the largest counts."""
    return int((np.abs(image[..., :3] - [0.031, 0.188, 0.420]).max(axis=-1) < 0.03).sum())


def test_cells_are_shaded_by_count(tmp_path):
    one = dark_blue_pixels(read_png(plot_confusion([[0, 0], [0, 9]], ["a", "b"],
                                                   tmp_path / "one.png")))
    three = dark_blue_pixels(read_png(plot_confusion([[9, 9], [9, 0]], ["a", "b"],
                                                     tmp_path / "three.png")))
    assert one > 5000                        # one full cell (plus the colorbar's top)
    assert 2.5 < three / one < 3.5           # three full cells


def test_leaves_no_temporary_files(tmp_path):
    for labels in (["a", "b"], ["a", "b", "c", "d", "e"]):
        size = len(labels)
        plot_confusion(np.ones((size, size), dtype=int), labels, tmp_path / "c.png")
    assert os.listdir(tmp_path) == ["c.png"]
    assert read_png(tmp_path / "c.png").shape[1] == 550  # the second plot replaced the first


def test_a_failing_save_keeps_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    import matplotlib.figure

    target = tmp_path / "c.png"
    target.write_bytes(b"old")

    def broken_savefig(self, file, **kwargs):
        file.write(b"\x89PNG half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", broken_savefig)
    with pytest.raises(RuntimeError, match="disk full"):
        plot_confusion([[1, 0], [0, 1]], ["a", "b"], target)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["c.png"]


def test_labels_must_match_the_matrix(tmp_path):
    with pytest.raises(ValueError, match=r"shape \(3, 3\) for 2 labels"):
        plot_confusion(np.eye(3, dtype=int), ["a", "b"], tmp_path / "c.png")
    assert list(tmp_path.iterdir()) == []
