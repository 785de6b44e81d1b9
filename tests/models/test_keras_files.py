"""Keras model files in and out: fixtures written by real tf.keras / Keras 3
(keras_fixtures/make_fixtures.py) give Keras's own outputs, which seqlab must reproduce."""
from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

from seqlab.layers import GRU, LSTM, Dense, Embedding  # noqa: E402
from seqlab.models import Sequential, load_model, model_from_json  # noqa: E402
from seqlab.models import _keras_weights  # noqa: E402
from seqlab.models._keras_values import KerasConfigError  # noqa: E402

FIXTURES = Path(__file__).parent / "keras_fixtures"
MODELS = sorted(p.name for p in FIXTURES.iterdir()
                if p.suffix in (".h5", ".keras") and "weights" not in p.name)


def data(name):
    arrays = np.load(FIXTURES / f"{name}.npz")
    xs = [arrays[k] for k in sorted(arrays.files) if k.startswith("x")]
    ys = [arrays[k] for k in sorted(arrays.files) if k.startswith("y")]
    return (xs if len(xs) > 1 else xs[0]), ys


def outputs(model, x):
    result = model.predict(x, verbose=0)
    return result if isinstance(result, list) else [result]


def assert_keras_outputs(model, name):
    x, expected = data(name)
    got = outputs(model, x)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, atol=1e-5, rtol=0)


@pytest.mark.parametrize("filename", MODELS)
def test_outputs_equal_keras(filename):
    model = load_model(FIXTURES / filename)
    assert_keras_outputs(model, filename.rsplit(".", 1)[0])


def test_fixture_set_covers_the_issue():
    assert len(MODELS) >= 29
    for needed in ("k2_gru_reset_after_true.h5", "k2_gru_reset_after_false.h5",
                   "k2_lstm_mask.h5", "k2_bidirectional_mul.h5", "k2_conv_gru.h5",
                   "k2_time_distributed.h5", "k2_hard_sigmoid.h5", "k2_functional.h5",
                   "k2_cudnn_lstm.h5", "k3_hard_sigmoid.keras", "k3_functional.keras",
                   "k2_shared.h5", "k3_shared.keras", "k2_hard_sigmoid.keras",
                   "k2_masking.h5", "k3_masking.keras", "k2_rnn_cells.h5", "k3_rnn_cell.keras",
                   "k3_hierarchical.keras"):
        assert needed in MODELS


def test_hard_sigmoid_keeps_the_meaning_of_the_writing_keras():
    keras2 = load_model(FIXTURES / "k2_hard_sigmoid.h5")
    keras3 = load_model(FIXTURES / "k3_hard_sigmoid.keras")
    assert keras2.layers[0].cell.recurrent_activation.__name__ == "hard_sigmoid_keras2"
    assert keras3.layers[0].cell.recurrent_activation.__name__ == "hard_sigmoid"
    # the other meaning would give other outputs: the fixture tells them apart
    from seqlab.layers import activations
    keras2.layers[0].cell.recurrent_activation = activations.hard_sigmoid
    keras2.layers[1].cell.recurrent_activation = activations.hard_sigmoid
    keras2.layers[2].activation = activations.hard_sigmoid
    x, (expected,) = data("k2_hard_sigmoid")
    assert np.abs(outputs(keras2, x)[0] - expected).max() > 1e-3


@pytest.mark.parametrize("filename, layer", [("k2_mask_conv.h5", 1), ("k3_mask_max.keras", 2)])
def test_masks_flow_as_in_keras(filename, layer):
    """Keras's Conv1D drops the mask and its GlobalMaxPooling1D reads padded steps too:
    the loaded layers do the same, where seqlab's own defaults would give other outputs."""
    model = load_model(FIXTURES / filename)
    assert model.layers[layer].masking is False
    model.layers[layer].masking = True
    x, (expected,) = data(filename.rsplit(".", 1)[0])
    assert np.abs(outputs(model, x)[0] - expected).max() > 1e-3


def test_training_config_compiles_the_model():
    model = load_model(FIXTURES / "k2_lstm_mask.h5")
    assert model._compiled and type(model.optimizer).__name__ == "Adam"
    assert abs(model.optimizer.learning_rate - 0.001) < 1e-7
    assert not load_model(FIXTURES / "k2_lstm_mask.h5", compile=False)._compiled
    x, (y,) = data("k2_lstm_mask")
    model.fit(x, y, epochs=1, verbose=0)  # it trains
    functional = load_model(FIXTURES / "k2_functional.h5")  # RMSprop(0.01), a loss per output
    assert type(functional.optimizer).__name__ == "RMSprop"
    assert abs(functional.optimizer.learning_rate - 0.01) < 1e-7
    shared = load_model(FIXTURES / "k3_shared.keras")  # Keras 3: a loss object with a config
    assert shared._compile_config["loss"]["config"]["label_smoothing"] == pytest.approx(0.1)


def weights_only_model(names=("emb", "gru", "out")):
    model = Sequential([Embedding(20, 8, name=names[0]), GRU(5, name=names[1]),
                        Dense(2, name=names[2])])
    model.build((None, 9))
    return model


@pytest.mark.parametrize("filename", ["k2_weights_only.h5", "k2_weights_only.weights.h5"])
def test_load_weights_in_order(filename):
    model = weights_only_model(("a", "b", "c"))  # other names: order decides
    model.load_weights(FIXTURES / filename)
    assert_keras_outputs(model, "k2_weights_only")


def test_load_weights_by_name_skips_other_layers():
    model = Sequential([Embedding(20, 8, name="emb"), GRU(5, name="gru"),
                        Dense(2, name="other")])
    model.build((None, 9))
    before = model.layers[2].get_weights()
    model.load_weights(FIXTURES / "k2_weights_only.h5", by_name=True)
    np.testing.assert_array_equal(model.layers[2].get_weights()[0], before[0])
    model.layers[2].set_weights(weights_only_from_file("out"))
    assert_keras_outputs(model, "k2_weights_only")


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def weights_only_from_file(layer):
    with h5py.File(FIXTURES / "k2_weights_only.h5") as file:
        group = file[layer]
        return [np.asarray(group[n]) for n in group.attrs["weight_names"]]


def test_model_from_json_then_load_weights():
    text = (FIXTURES / "k2_to_json.json").read_text()
    model = model_from_json(text)
    assert [type(layer).__name__ for layer in model.layers] == ["Embedding", "GRU", "Dense"]
    assert model.layers[1].cell.reset_after is True
    model.load_weights(FIXTURES / "k2_weights_only.h5")
    assert_keras_outputs(model, "k2_weights_only")


def test_model_from_keras3_json():
    model = model_from_json((FIXTURES / "k3_to_json.json").read_text())
    reference = load_model(FIXTURES / "k3_bidirectional.keras")
    assert [type(layer).__name__ for layer in model.layers] == [
        type(layer).__name__ for layer in reference.layers]
    model.set_weights(reference.get_weights())
    assert_keras_outputs(model, "k3_bidirectional")


def test_keras3_weights_layout_has_no_names():
    with pytest.raises(ValueError, match="layer order only"):
        weights_only_model().load_weights(FIXTURES / "k2_weights_only.weights.h5", by_name=True)


def test_saved_model_folder_is_named(tmp_path):
    (tmp_path / "saved_model.pb").write_bytes(b"")
    with pytest.raises(ValueError, match="TensorFlow SavedModel folder"):
        load_model(tmp_path)


@pytest.mark.parametrize("filename", ["k2_functional.h5", "k3_bidirectional.keras",
                                      "k2_conv_gru.h5", "k2_mask_conv.h5"])
@pytest.mark.parametrize("suffix", [".keras", ".h5", ".safetensors"])
def test_save_and_load_back(tmp_path, filename, suffix):
    model = load_model(FIXTURES / filename)
    target = tmp_path / f"model{suffix}"
    model.save(target)
    again = load_model(target)
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]
    assert_keras_outputs(again, filename.rsplit(".", 1)[0])


def test_keras2_hard_sigmoid_cannot_go_to_keras3(tmp_path):
    model = load_model(FIXTURES / "k2_hard_sigmoid.h5")
    with pytest.raises(ValueError, match="Keras 3 does not have"):
        model.save(tmp_path / "x.keras")
    assert not (tmp_path / "x.keras").exists()
    model.save(tmp_path / "x.h5")  # tf.keras has it
    assert_keras_outputs(load_model(tmp_path / "x.h5"), "k2_hard_sigmoid")


def test_a_tokenizer_has_no_place_in_a_keras_file(tmp_path):
    from seqlab.text import Tokenizer
    model = load_model(FIXTURES / "k2_lstm_mask.h5")
    with pytest.raises(ValueError, match="no place for a tokenizer"):
        model.save(tmp_path / "x.keras", tokenizer=Tokenizer())
    assert not (tmp_path / "x.keras").exists()


def test_a_conv_stack_of_unknown_length_builds():
    """Keras configs often leave the length None: the shape probes must leave a Conv1D and
    pooling stack steps to work on (they once used 2 and 3 steps)."""
    from seqlab.layers import Conv1D, MaxPooling1D
    model = Sequential([Embedding(20, 4), Conv1D(3, 5), MaxPooling1D(2), Conv1D(3, 5), GRU(2)])
    model.build((None, None))
    assert model.output_shapes()[model.layers[-2].name] == [(None, None, 3)]


def test_run_folder(tmp_path):
    model = load_model(FIXTURES / "k2_lstm_mask.h5")
    model.save(tmp_path / "model.safetensors")
    assert_keras_outputs(load_model(tmp_path), "k2_lstm_mask")


# ------------------------------------------------------------------- old formats

def test_keras_2_0_to_2_2_sequential_config_is_a_list(tmp_path):
    """Keras 2.0 - 2.2.4 wrote a Sequential's config as the bare list of its layers,
    the input shape on the first layer, and bytes attributes."""
    def to_list(file):
        config = json.loads(file.attrs["model_config"])
        layers = config["config"]["layers"][1:]  # no InputLayer entry then
        layers[0]["config"]["batch_input_shape"] = [None, 9]
        file.attrs["model_config"] = json.dumps({"class_name": "Sequential",
                                                 "config": layers}).encode()
        file.attrs["keras_version"] = b"2.2.4"
        file["model_weights"].attrs["keras_version"] = b"2.2.4"
    model = load_model(edited_copy(tmp_path, "k2_stacked.h5", to_list))
    assert model.input_shape == (None, 9)
    assert_keras_outputs(model, "k2_stacked")


def test_keras1_config_and_twelve_lstm_weights(tmp_path):
    config = {"class_name": "Sequential", "keras_version": "1.2.2", "config": [
        {"class_name": "Embedding", "config": {
            "name": "embedding_1", "input_dim": 10, "output_dim": 4, "input_length": 6,
            "init": "uniform", "W_regularizer": None, "dropout": 0.0, "mask_zero": True,
            "batch_input_shape": [None, 6], "input_dtype": "int32", "trainable": True}},
        {"class_name": "LSTM", "config": {
            "name": "lstm_1", "output_dim": 3, "init": "glorot_uniform",
            "inner_init": "orthogonal", "forget_bias_init": "one", "activation": "tanh",
            "inner_activation": "hard_sigmoid", "W_regularizer": None, "U_regularizer": None,
            "b_regularizer": None, "dropout_W": 0.0, "dropout_U": 0.0, "consume_less": "cpu",
            "return_sequences": False, "go_backwards": False, "stateful": False,
            "unroll": False, "input_dim": 4, "input_length": None, "trainable": True}}]}
    model = model_from_json(json.dumps(config))
    lstm = model.layers[1]
    assert lstm.units == 3 and lstm.cell.recurrent_activation.__name__ == "hard_sigmoid_keras2"
    # a Keras 1 weights file (no keras_version attribute): W, U, b per gate, order i, c, f, o
    rng = np.random.default_rng(0)
    gates = {g: [rng.normal(size=s).astype(np.float32) for s in ((4, 3), (3, 3), (3,))]
             for g in "icfo"}
    embeddings = rng.normal(size=(10, 4)).astype(np.float32)
    path = tmp_path / "keras1.h5"
    with h5py.File(path, "w") as file:
        file.attrs["layer_names"] = [b"embedding_1", b"lstm_1"]
        group = file.create_group("embedding_1")
        group.attrs["weight_names"] = [b"embedding_1_W"]
        group["embedding_1_W"] = embeddings
        group = file.create_group("lstm_1")
        names = [f"lstm_1_{part}_{g}" for g in "icfo" for part in "WUb"]
        group.attrs["weight_names"] = [n.encode() for n in names]
        for g in "icfo":
            for part, value in zip("WUb", gates[g]):
                group[f"lstm_1_{part}_{g}"] = value
    model.load_weights(path)
    kernel, recurrent, bias = lstm.get_weights()
    np.testing.assert_array_equal(kernel, np.concatenate([gates[g][0] for g in "ifco"], -1))
    np.testing.assert_array_equal(recurrent, np.concatenate([gates[g][1] for g in "ifco"], -1))
    np.testing.assert_array_equal(bias, np.concatenate([gates[g][2] for g in "ifco"], -1))


def keras1_weights(path, layers):
    """A Keras 1 weights file: no keras_version attribute, ``{layer: [(name, array)]}``."""
    with h5py.File(path, "w") as file:
        file.attrs["layer_names"] = [name.encode() for name in layers]
        for name, arrays in layers.items():
            group = file.create_group(name)
            group.attrs["weight_names"] = [n.encode() for n, _ in arrays]
            for weight, value in arrays:
                group[weight] = value


@pytest.mark.parametrize("layout", ["keras 1.2: (k, 1, in, filters)",
                                    "keras 1.1: (filters, in, k, 1)"])
def test_keras1_conv1d_and_gru_weights(tmp_path, layout):
    config = {"class_name": "Sequential", "keras_version": "1.2.2", "config": [
        {"class_name": "Convolution1D", "config": {
            "name": "conv", "nb_filter": 4, "filter_length": 3, "border_mode": "same",
            "subsample_length": 1, "activation": "relu", "init": "glorot_uniform", "bias": True,
            "W_regularizer": None, "b_regularizer": None, "activity_regularizer": None,
            "W_constraint": None, "b_constraint": None, "input_dim": 2, "input_length": 5,
            "batch_input_shape": [None, 5, 2], "trainable": True}},
        {"class_name": "GRU", "config": {
            "name": "gru", "output_dim": 3, "inner_activation": "hard_sigmoid",
            "activation": "tanh", "consume_less": "mem", "return_sequences": False,
            "go_backwards": False, "stateful": False, "unroll": False, "trainable": True,
            "init": "glorot_uniform", "inner_init": "orthogonal", "dropout_W": 0.0,
            "dropout_U": 0.0, "W_regularizer": None, "U_regularizer": None,
            "b_regularizer": None}}]}
    model = model_from_json(json.dumps(config))
    conv, gru = model.layers
    assert (conv.filters, conv.kernel_size, conv.padding) == (4, 3, "same")
    assert gru.cell.reset_after is False and gru.units == 3
    rng = np.random.default_rng(1)
    kernel = rng.normal(size=(3, 2, 4)).astype(np.float32)  # (k, in, filters)
    stored = kernel[:, None] if layout.startswith("keras 1.2") else \
        np.transpose(kernel[:, None], (3, 2, 0, 1))
    gates = {g: [rng.normal(size=s).astype(np.float32) for s in ((4, 3), (3, 3), (3,))]
             for g in "zrh"}
    keras1_weights(tmp_path / "w.h5", {
        "conv": [("conv_W", stored), ("conv_b", np.zeros(4, np.float32))],
        "gru": [(f"gru_{part}_{g}", gates[g][i]) for g in "zrh" for i, part in enumerate("WUb")]})
    model.load_weights(tmp_path / "w.h5")
    np.testing.assert_array_equal(conv.get_weights()[0], kernel)
    for got, part in zip(gru.get_weights(), range(3)):
        np.testing.assert_array_equal(got, np.concatenate([gates[g][part] for g in "zrh"], -1))


# ------------------------------------------------------------------ hostile files

def edited_copy(tmp_path, source, edit):
    target = tmp_path / Path(source).name
    shutil.copy(FIXTURES / source, target)
    with h5py.File(target, "r+") as file:
        edit(file)
    return target


def edit_config(change):
    def edit(file):
        config = json.loads(file.attrs["model_config"])
        change(config)
        file.attrs["model_config"] = json.dumps(config)
    return edit


def layers_of(config):
    return config["config"]["layers"]


@pytest.fixture
def no_weight_read(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a weight was read before the config was refused")
    monkeypatch.setattr(_keras_weights, "read_datasets", refuse)
    from seqlab.models import _keras_h5
    monkeypatch.setattr(_keras_h5, "read_datasets", refuse)


@pytest.mark.parametrize("change, message", [
    (lambda c: layers_of(c)[2].update(class_name="Lambda"),
     r"'lstm(_\d+)?' is a Lambda: .*never runs"),
    (lambda c: layers_of(c)[2].update(class_name="MyAttention"),
     "class 'MyAttention' is not supported"),
    (lambda c: layers_of(c)[2]["config"].update(time_major=True), "time_major=True"),
    (lambda c: layers_of(c)[2]["config"].update(frobnicate=1), "unknown config key 'frobnicate'"),
    (lambda c: layers_of(c)[2]["config"].update(units=10 ** 9), "units=1000000000 must be"),
    (lambda c: layers_of(c)[2]["config"].update(units=10 ** 6), "declares at least 4,000,00"),
    (lambda c: layers_of(c)[2]["config"].update(activation="my_fn"), "activation 'my_fn'"),
    (lambda c: c.update(class_name="MyModel"), "model class 'MyModel'"),
])
def test_refused_before_any_weight_is_read(tmp_path, no_weight_read, change, message):
    path = edited_copy(tmp_path, "k2_lstm_mask.h5", edit_config(change))
    started = time.perf_counter()
    with pytest.raises(KerasConfigError, match=message):
        load_model(path)
    assert time.perf_counter() - started < 5


def test_wrong_weight_shape_is_refused_and_nothing_is_changed(tmp_path):
    def shrink(file):
        group = file["model_weights/dense_2"]
        name = [text(n) for n in group.attrs["weight_names"] if "kernel" in text(n)][0]
        del group[name]
        group[name] = np.zeros((4, 3), np.float32)
    path = edited_copy(tmp_path, "k2_lstm_mask.h5", shrink)
    with pytest.raises(ValueError, match=r"dense_2.*'kernel' should have shape \(5, 3\).*\(4, 3\)"):
        load_model(path)
    model = load_model(FIXTURES / "k2_lstm_mask.h5")
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="should have shape"):
        model.load_weights(path)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_links_to_other_files_and_strings_are_refused(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as file:
        file["secret"] = np.zeros((20, 8), np.float32)

    def link(file):
        group = file["model_weights/embedding_2"]
        name = text(group.attrs["weight_names"][0])
        del group[name]
        group[name] = h5py.ExternalLink(str(other), "secret")
    with pytest.raises(ValueError, match="lives in another file"):
        load_model(edited_copy(tmp_path, "k2_lstm_mask.h5", link))

    def strings(file):
        group = file["model_weights/embedding_2"]
        name = text(group.attrs["weight_names"][0])
        del group[name]
        group[name] = np.array([b"rm -rf /"] * 3)
    with pytest.raises(ValueError, match="not numbers"):
        load_model(edited_copy(tmp_path, "k2_lstm_mask.h5", strings))


def test_deeply_nested_configs_are_refused():
    depth = 5000
    layer = ('{"class_name": "TimeDistributed", "config": {"name": "t", "layer": ' * depth
             + '{"class_name": "Dense", "config": {"units": 2}}' + "}}" * depth)
    text = ('{"class_name": "Sequential", "keras_version": "2.15.0", "config": {"name": "s", '
            '"layers": [' + layer + "]}}")
    with pytest.raises(ValueError, match="nested too deeply|not valid JSON"):
        model_from_json(text)


def test_nan_weights_are_refused(tmp_path):
    def poison(file):
        group = file["model_weights/embedding_2"]
        name = text(group.attrs["weight_names"][0])
        group[name][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        load_model(edited_copy(tmp_path, "k2_lstm_mask.h5", poison))


@pytest.mark.parametrize("source", ["k2_stacked.h5", "k3_gru_lstm_mask.keras"])
@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_truncated_files(tmp_path, source, keep):
    data = (FIXTURES / source).read_bytes()
    path = tmp_path / source
    path.write_bytes(data[:int(len(data) * keep)])
    with pytest.raises(ValueError, match="truncated or corrupted|cannot be read|no "):
        load_model(path)


def test_corrupted_files(tmp_path):
    fake = tmp_path / "model.h5"
    fake.write_bytes(b"this is no model at all" * 10)
    with pytest.raises(ValueError, match="neither HDF5 nor a zip"):
        load_model(fake)
    import zipfile
    archive = tmp_path / "model.keras"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("config.json", "{not json")
        zf.writestr("model.weights.h5", b"")
    with pytest.raises(ValueError, match="config.json is not valid JSON"):
        load_model(archive)
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("metadata.json", "{}")
    with pytest.raises(ValueError, match="no config.json"):
        load_model(archive)
    with pytest.raises(ValueError, match="holds only weights"):
        load_model(FIXTURES / "k2_weights_only.h5")


def test_missing_h5py_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match=r'pip install "seqlab\[keras\]"'):
        load_model(FIXTURES / "k2_stacked.h5")


def test_cudnn_gru_weights_do_not_fit_reset_before(tmp_path):
    model = Sequential([Embedding(20, 6, name="emb"), GRU(5, reset_after=False, name="rnn"),
                        Dense(2, name="out")])
    model.build((None, 9))
    with pytest.raises(ValueError, match="reset_after=True"):
        model.load_weights(FIXTURES / "k2_cudnn_gru.h5", by_name=True)
    lstm = Sequential([Embedding(20, 6, name="emb"), LSTM(5, name="rnn"), Dense(2, name="out")])
    lstm.build((None, 9))
    lstm.load_weights(FIXTURES / "k2_cudnn_lstm.h5", by_name=True)  # Keras's conversion
    assert_keras_outputs(lstm, "k2_cudnn_lstm")
