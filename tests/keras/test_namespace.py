"""seqlab.keras: the Keras-shaped namespace, resolved by name, with clear errors."""
import numpy as np
import pytest
import torch

import seqlab
import seqlab.keras as keras
from seqlab import layers as seqlab_layers
from seqlab.keras import MissingKerasFeature, MissingKerasImport


def test_the_imports_course_code_writes():
    from seqlab.keras import (  # noqa: F401
        activations,
        backend,
        callbacks,
        datasets,
        initializers,
        layers,
        losses,
        metrics,
        models,
        optimizers,
        preprocessing,
        regularizers,
        utils,
    )
    from seqlab.keras.callbacks import EarlyStopping, ModelCheckpoint
    from seqlab.keras.layers import LSTM, Bidirectional, Dense, Embedding
    from seqlab.keras.models import Sequential, load_model
    from seqlab.keras.preprocessing.sequence import pad_sequences
    from seqlab.keras.preprocessing.text import Tokenizer

    assert keras.Model is seqlab.models.Model and keras.Sequential is seqlab.models.Sequential
    assert keras.Input is seqlab_layers.Input and Sequential is keras.Sequential
    assert load_model is seqlab.models.load_model
    assert Tokenizer is seqlab.text.Tokenizer and pad_sequences is seqlab.text.pad_sequences
    assert keras.utils.to_categorical is seqlab.text.to_categorical
    assert keras.utils.pad_sequences is seqlab.text.pad_sequences
    assert keras.preprocessing.text.Tokenizer is Tokenizer
    assert EarlyStopping is seqlab.models.callbacks.EarlyStopping
    assert ModelCheckpoint is keras.callbacks.ModelCheckpoint
    assert Embedding is seqlab_layers.Embedding  # no activation argument: the class itself
    assert issubclass(LSTM, seqlab_layers.LSTM) and issubclass(Dense, seqlab_layers.Dense)
    assert Bidirectional is seqlab_layers.Bidirectional
    assert keras.optimizers.Adam is seqlab.models.optimizers.Adam
    assert keras.layers.experimental.preprocessing.__name__.endswith("preprocessing")


def test_a_course_model_through_the_namespace():
    model = keras.Sequential([
        keras.layers.Embedding(100, 8),
        keras.layers.Bidirectional(keras.layers.LSTM(4)),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(loss=keras.losses.binary_crossentropy, optimizer=keras.optimizers.Adam(),
                  metrics=["accuracy"])
    x = np.random.default_rng(0).integers(1, 100, (16, 5))
    history = model.fit(x, np.arange(16) % 2, epochs=1, verbose=0)
    assert set(history.history) == {"loss", "accuracy"}
    assert isinstance(model.layers[1].forward_layer, seqlab_layers.LSTM)


@pytest.mark.parametrize("expression, feature, hint", [
    ("keras.layers.Conv2D", "keras.layers.Conv2D", "Conv1D"),
    ("keras.layers.CuDNNLSTM", "keras.layers.CuDNNLSTM", "LSTM"),
    ("keras.utils.plot_model", "keras.utils.plot_model", "model.summary()"),
    ("keras.optimizers.Nadam", "keras.optimizers.Nadam", "torch.optim.NAdam"),
    ("keras.regularizers.l2", "keras.regularizers.l2", "weight_decay="),
    ("keras.backend.function", "keras.backend.function", "calling the model"),
    ("keras.preprocessing.sequence.TimeseriesGenerator", "TimeseriesGenerator", "make_windows"),
    ("keras.datasets.mnist", "keras.datasets.mnist", "sequence datasets"),
    ("keras.callbacks.TensorBoard", "keras.callbacks.TensorBoard", "CSVLogger"),
    ("keras.applications", "keras.applications", "no pretrained image models"),
])
def test_what_seqlab_lacks_is_named_with_the_nearest_equivalent(expression, feature, hint):
    with pytest.raises(MissingKerasFeature) as caught:
        eval(expression)
    message = str(caught.value)
    assert feature in message and hint in message and "not in seqlab" in message
    assert isinstance(caught.value, AttributeError)
    assert "Module" not in message  # never torch's Module.__getattr__ message


def test_an_unknown_name_points_to_dir():
    with pytest.raises(AttributeError, match=r"keras.layers.Dens is not in seqlab.*"
                                             r"dir\(seqlab.keras.layers\)"):
        keras.layers.Dens  # noqa: B018
    assert not hasattr(keras.layers, "Conv2D")
    assert "LSTM" in dir(keras.layers) and "Tokenizer" in dir(keras.preprocessing.text)


def test_from_import_of_a_missing_name_keeps_the_message():
    with pytest.raises(MissingKerasImport, match="keras.layers.Conv2D is not in seqlab.*Conv1D"):
        from seqlab.keras.layers import Conv2D  # noqa: F401
    with pytest.raises(ImportError, match="TimeseriesGenerator.*make_windows"):
        from seqlab.keras.preprocessing.sequence import TimeseriesGenerator  # noqa: F401


def test_names_are_found_when_used_so_later_seqlab_names_appear(monkeypatch):
    class TextVectorization(seqlab_layers.Layer):
        def call(self, inputs):
            return inputs

    monkeypatch.setattr(seqlab_layers, "TextVectorization", TextVectorization, raising=False)
    monkeypatch.setattr(seqlab_layers, "__all__", [*seqlab_layers.__all__, "TextVectorization"])
    monkeypatch.delattr(keras.layers, "TextVectorization", raising=False)
    assert keras.layers.TextVectorization is TextVectorization
    monkeypatch.delattr(keras.layers.experimental.preprocessing, "TextVectorization",
                        raising=False)  # looked up (and kept) by an earlier test
    from seqlab.keras.layers.experimental.preprocessing import TextVectorization as found
    assert found is TextVectorization

    def text_dataset_from_directory(directory):
        return directory

    monkeypatch.setattr(seqlab.data, "text_dataset_from_directory", text_dataset_from_directory,
                        raising=False)
    monkeypatch.delattr(keras.utils, "text_dataset_from_directory", raising=False)
    assert keras.utils.text_dataset_from_directory("x") == "x"
    monkeypatch.delattr(keras.utils, "text_dataset_from_directory")
    monkeypatch.delattr(seqlab.data, "text_dataset_from_directory")
    with pytest.raises(MissingKerasFeature, match="read_labeled"):
        keras.utils.text_dataset_from_directory  # noqa: B018


def test_hard_sigmoid_through_the_namespace_is_keras_2s(tmp_path):
    x = torch.tensor([-3.0, -1.0, 0.0, 1.0, 2.0, 3.0])
    keras2 = torch.clamp(0.2 * x + 0.5, 0, 1)
    keras3 = torch.clamp(x / 6 + 0.5, 0, 1)
    torch.testing.assert_close(keras.activations.hard_sigmoid(x), keras2)
    torch.testing.assert_close(keras.activations.get("hard_sigmoid")(x), keras2)
    torch.testing.assert_close(seqlab_layers.activations.get("hard_sigmoid")(x), keras3)
    layer = keras.layers.LSTM(3, recurrent_activation="hard_sigmoid")
    torch.testing.assert_close(layer.cell.recurrent_activation(x), keras2)
    assert layer.get_config()["recurrent_activation"] == "hard_sigmoid_keras2"
    torch.testing.assert_close(keras.layers.Dense(2, "hard_sigmoid").activation(x), keras2)
    torch.testing.assert_close(keras.layers.Activation("hard_sigmoid").activation(x), keras2)
    plain = seqlab_layers.LSTM(3, recurrent_activation="hard_sigmoid")
    torch.testing.assert_close(plain.cell.recurrent_activation(x), keras3)

    model = keras.Sequential([keras.Input((4, 2)), keras.layers.GRU(3, recurrent_activation=
                                                                    "hard_sigmoid")])
    data = torch.randn(2, 4, 2)
    expected = model.predict(data, verbose=0)
    model.save(tmp_path / "m.safetensors")
    restored = keras.models.load_model(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(restored.predict(data, verbose=0), expected)


def test_keras_utils_sequence_feeds_fit():
    class Batches(keras.utils.Sequence):
        def __init__(self):
            self.epochs_seen = 0

        def __len__(self):
            return 3

        def __getitem__(self, index):
            x = np.full((4, 2), float(index), dtype=np.float32)
            return x, x.sum(axis=1, keepdims=True)

        def on_epoch_end(self):
            self.epochs_seen += 1

    batches = Batches()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(batches, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and batches.epochs_seen == 2
    np.testing.assert_allclose(keras.utils.normalize([[3.0, 4.0], [0.0, 0.0]]),
                               [[0.6, 0.8], [0.0, 0.0]])


def test_snake_case_names_of_losses_and_initializers():
    assert keras.losses.mse.name == "mse"
    assert keras.losses.BinaryCrossentropy is seqlab.models.losses.BinaryCrossentropy
    assert keras.initializers.glorot_uniform is seqlab_layers.initializers.GlorotUniform
    assert keras.initializers.RandomNormal is seqlab_layers.initializers.RandomNormal
    assert keras.activations.relu is torch.relu
    assert keras.metrics.binary_accuracy is seqlab.models.metrics.binary_accuracy


def test_activation_functions_are_recorded_by_name(tmp_path):
    model = keras.Sequential([keras.Input((3,)),
                              keras.layers.Dense(2, activation=keras.activations.relu),
                              keras.layers.Dense(1, activation=keras.activations.hard_sigmoid)])
    assert model.layers[0].get_config()["activation"] == "relu"
    assert model.layers[1].get_config()["activation"] == "hard_sigmoid_keras2"
    model.save(tmp_path / "m.safetensors")
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    np.testing.assert_array_equal(keras.models.load_model(tmp_path / "m.safetensors").predict(
        x, verbose=0), model.predict(x, verbose=0))


def test_models_of_namespace_layers_pickle_and_copy():
    import copy
    import io

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="hard_sigmoid"),
                              keras.layers.BatchNormalization()])
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    restored = torch.load(buffer, weights_only=False)
    x = torch.ones(2, 3)
    model.eval(), restored.eval()
    torch.testing.assert_close(restored(x), model(x))
    assert type(copy.deepcopy(model).layers[0]) is keras.layers.Dense
