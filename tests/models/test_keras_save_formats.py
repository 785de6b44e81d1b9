"""Which format model.save writes for a .keras / .h5 name, and Keras 2's hard_sigmoid of
the seqlab.keras namespace in Keras files."""
from __future__ import annotations

import json
import logging
import zipfile

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

from seqlab.cli import main  # noqa: E402
from seqlab.keras import layers as keras_layers  # noqa: E402
from seqlab.layers import LSTM, Dense, Embedding, GlobalAveragePooling1D, LayerNormalization  # noqa: E402
from seqlab.models import Sequential, load_model  # noqa: E402

X = np.array([[1, 2, 3, 0], [4, 5, 6, 7]])


def _normalized_model():
    model = Sequential([Embedding(10, 4), LayerNormalization(), GlobalAveragePooling1D(),
                        Dense(1)])
    model(X)
    return model


def test_a_layer_no_keras_file_holds_goes_to_seqlabs_format_with_a_warning(tmp_path, caplog):
    model = _normalized_model()
    path = tmp_path / "book.keras"
    with caplog.at_level(logging.WARNING, logger="seqlab"):
        model.save(path)  # Keras code saves to .keras names: it must still round-trip
    assert "LayerNormalization) has no Keras equivalent" in caplog.text
    assert "seqlab's own format under this name" in caplog.text
    assert not zipfile.is_zipfile(path)
    np.testing.assert_array_equal(load_model(path).predict(X, verbose=0),
                                  model.predict(X, verbose=0))


@pytest.mark.parametrize("save_format", ["keras", "h5"])
def test_an_explicit_keras_format_refuses_such_a_layer(tmp_path, save_format):
    path = tmp_path / f"m.{save_format}"
    with pytest.raises(ValueError, match="layer_normalization.*no Keras equivalent"):
        _normalized_model().save(path, save_format=save_format)
    assert not path.exists()


def test_save_format_is_checked(tmp_path):
    with pytest.raises(ValueError, match="save_format must be one of.*'tf'.*SavedModel"):
        _normalized_model().save(tmp_path / "m", save_format="tf")


def test_convert_to_keras_refuses_a_layer_keras_files_cannot_hold(tmp_path, capsys):
    source = tmp_path / "m.safetensors"
    _normalized_model().save(source)
    target = tmp_path / "m.keras"
    assert main(["convert", str(source), str(target)]) == 1
    assert "no Keras equivalent" in capsys.readouterr().err
    assert not target.exists()


def _lstm(layer_class):
    model = Sequential([Embedding(10, 4), layer_class(3, recurrent_activation="hard_sigmoid")])
    model(X)
    return model


def test_keras2_hard_sigmoid_of_seqlab_keras_goes_to_h5_only(tmp_path):
    model = _lstm(keras_layers.LSTM)  # code through seqlab.keras: Keras 2's 0.2 x + 0.5
    assert model.layers[1].cell.recurrent_activation.__name__ == "hard_sigmoid_keras2"
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as file:
        config = json.loads(file.attrs["model_config"])
    assert config["config"]["layers"][-1]["config"]["recurrent_activation"] == "hard_sigmoid"
    loaded = load_model(tmp_path / "m.h5")  # a Keras 2 file: read back as Keras 2's
    assert loaded.layers[1].cell.recurrent_activation.__name__ == "hard_sigmoid_keras2"
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0),
                               atol=1e-6)
    with pytest.raises(ValueError, match="Keras 3 does not have"):
        model.save(tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()


def test_keras3_hard_sigmoid_of_seqlab_layers_goes_to_keras_only(tmp_path):
    model = _lstm(LSTM)  # seqlab.layers: Keras 3's x / 6 + 0.5
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.layers[1].cell.recurrent_activation.__name__ == "hard_sigmoid"
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0),
                               atol=1e-6)
    with pytest.raises(ValueError, match="Keras 2 does not have"):
        model.save(tmp_path / "m.h5")


@pytest.mark.parametrize("name", ["k2_lstm_mask.h5", "k3_functional.keras"])
def test_keras_files_are_built_without_drawing_weights(monkeypatch, name):
    from pathlib import Path

    from seqlab.layers import _base

    def no_draw(layer, *args):
        raise AssertionError(f"{layer.name}: an initializer ran while loading a Keras file")

    monkeypatch.setattr(_base, "initial_value", no_draw)
    fixtures = Path(__file__).parent / "keras_fixtures"
    model = load_model(fixtures / name)
    arrays = np.load(fixtures / name.replace(".h5", ".npz").replace(".keras", ".npz"))
    inputs = [arrays[k] for k in sorted(arrays.files) if k.startswith("x")]
    expected = [arrays[k] for k in sorted(arrays.files) if k.startswith("y")]
    got = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    for a, b in zip(got if isinstance(got, list) else [got], expected):
        np.testing.assert_allclose(a, b, atol=1e-5)
