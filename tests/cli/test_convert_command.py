"""seqlab convert and seqlab inspect model on Keras files, end to end."""
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("h5py")

import seqlab.models  # noqa: E402
from seqlab.cli import main  # noqa: E402
from seqlab.models import load_model  # noqa: E402

FIXTURES = Path(__file__).parents[1] / "models" / "keras_fixtures"


@pytest.fixture(autouse=True)
def _environment(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("SEQLAB_DEBUG", raising=False)


@pytest.mark.parametrize("suffix", [".safetensors", ".keras", ".h5"])
def test_convert_writes_a_file_that_gives_keras_outputs(tmp_path, capsys, suffix):
    target = tmp_path / f"model{suffix}"
    assert main(["convert", str(FIXTURES / "k2_functional.h5"), str(target)]) == 0
    assert "max |output difference| on a random input: 0.0e+00" in capsys.readouterr().out
    data = np.load(FIXTURES / "k2_functional.npz")
    tokens, head = load_model(target).predict([data["x0"], data["x1"]], verbose=0)
    np.testing.assert_allclose(head, data["y1"], atol=1e-5)
    np.testing.assert_allclose(tokens, data["y0"], atol=1e-5)


def test_convert_errors_are_one_line(tmp_path, capsys):
    source = str(FIXTURES / "k3_conv_gru.keras")
    assert main(["convert", source, str(tmp_path / "x.txt")]) == 1
    assert "the suffix picks the format" in capsys.readouterr().err
    (tmp_path / "x.keras").write_bytes(b"")
    assert main(["convert", source, str(tmp_path / "x.keras")]) == 1
    assert "exists: pass --force" in capsys.readouterr().err
    assert main(["convert", str(FIXTURES / "k2_hard_sigmoid.h5"), str(tmp_path / "y.keras")]) == 1
    assert "Keras 3 does not have" in capsys.readouterr().err


def test_convert_to_onnx_gives_keras_outputs_in_onnxruntime(tmp_path, capsys):
    onnxruntime = pytest.importorskip("onnxruntime")
    target = tmp_path / "m.onnx"  # Embedding(mask_zero) -> LSTM -> Dense, written by tf.keras
    assert main(["convert", str(FIXTURES / "k2_lstm_mask.h5"), str(target)]) == 0
    assert f"wrote {target} (ONNX)" in capsys.readouterr().out
    data = np.load(FIXTURES / "k2_lstm_mask.npz")
    session = onnxruntime.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    (outputs,) = session.run(None, {"input": data["x"].astype("int64")})
    np.testing.assert_allclose(outputs, data["y"], atol=1e-5)


def test_convert_to_onnx_without_onnx_says_what_to_install(tmp_path, capsys, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "onnx", None)
    target = tmp_path / "m.onnx"
    assert main(["convert", str(FIXTURES / "k2_stacked.h5"), str(target)]) == 1
    assert 'pip install "seqlab[onnx]"' in capsys.readouterr().err
    assert not target.exists()


def test_convert_without_h5py_says_what_to_install(tmp_path, capsys, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "h5py", None)
    assert main(["convert", str(FIXTURES / "k2_stacked.h5"), str(tmp_path / "m.keras")]) == 1
    assert 'pip install "seqlab[keras]"' in capsys.readouterr().err


def test_inspect_model_reads_keras_files(capsys):
    assert main(["inspect", "model", str(FIXTURES / "k2_bidirectional_concat.h5")]) == 0
    out = capsys.readouterr().out
    assert "bidirectional (Bidirectional)" in out and "490" in out
    assert "forward_lstm" in out and "recurrent_kernel" in out
