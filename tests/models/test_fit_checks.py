"""fit refuses what it cannot mean before any step runs, with a sentence (issue 16)."""
import logging

import numpy as np
import pytest
import torch

import seqlab
from seqlab.layers import LSTM, Conv1D, Dense
from seqlab.models import Sequential, callbacks

X = np.random.default_rng(0).normal(size=(12, 4)).astype("float32")


def model(units=1, activation="sigmoid", loss="binary_crossentropy"):
    seqlab.set_seed(0)
    m = Sequential([Dense(units, activation=activation)])
    m.compile(optimizer="adam", loss=loss)
    return m


def weights_of(m):
    return [w.copy() for w in m.get_weights()] if m.built else None


@pytest.mark.parametrize("labels, found", [
    (np.arange(12) % 6, "2, 3, 4, 5"), (np.where(np.arange(12) % 2, 1, -1), "-1"),
])
def test_binary_crossentropy_refuses_labels_outside_0_1_naming_them(labels, found):
    m = model()
    with pytest.raises(ValueError, match=rf"labels in \[0, 1\].*include {found}.*"
                                         "sparse_categorical_crossentropy"):
        m.fit(X, labels, epochs=1, verbose=0)
    m.fit(X, np.linspace(0, 1, 12), epochs=1, verbose=0)  # probabilities are fine


def test_sparse_labels_are_checked_over_all_the_data_before_a_step():
    m = model(3, "softmax", "sparse_categorical_crossentropy")
    labels = np.zeros(12, int)
    labels[-1] = 7  # in the last batch only
    m.build((None, 4))
    before = weights_of(m)
    with pytest.raises(ValueError, match=r"got labels 7 but y_pred has 3 classes"):
        m.fit(X, labels, epochs=1, batch_size=4, verbose=0)
    for old, new in zip(before, m.get_weights()):
        np.testing.assert_array_equal(old, new)  # no step ran


def test_steps_per_epoch_zero_and_empty_generators():
    m = model()
    with pytest.raises(ValueError, match="steps_per_epoch must be >= 1, got steps_per_epoch=0"):
        m.fit(X, X[:, 0] > 0, steps_per_epoch=0, verbose=0)

    empty = torch.utils.data.TensorDataset(torch.zeros(0, 4), torch.zeros(0))
    with pytest.raises(ValueError, match="epoch 1 ran no training step"):
        m.fit(torch.utils.data.DataLoader(empty, batch_size=4), epochs=1, verbose=0)


@pytest.mark.parametrize("arguments, error, message", [
    ({"epochs": 2.5}, TypeError, "epochs must be a whole number, got epochs=2.5"),
    ({"epochs": "3"}, TypeError, "epochs must be a whole number, got epochs='3'"),
    ({"epochs": -1}, ValueError, "epochs must be >= 0, got epochs=-1"),
    ({"epochs": 2, "initial_epoch": 5}, ValueError, "initial_epoch=5 is past epochs=2.*epochs=7"),
    ({"validation_freq": 0}, ValueError, "validation_freq must be >= 1"),
])
def test_epoch_counts(arguments, error, message):
    with pytest.raises(error, match=message):
        model().fit(X, X[:, 0] > 0, verbose=0, **arguments)


def test_no_epoch_to_run_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="seqlab"):
        history = model().fit(X, X[:, 0] > 0, epochs=3, initial_epoch=3, verbose=0)
    assert history.history == {} and "no epoch runs" in caplog.text


def test_checkpoint_naming_val_loss_without_validation_fails_at_the_start(tmp_path):
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "ck-{val_loss:.2f}.safetensors"))
    with pytest.raises(ValueError, match=r"names \{val_loss\}.*no validation data"):
        model().fit(X, X[:, 0] > 0, epochs=1, verbose=0, callbacks=[checkpoint])
    model().fit(X, X[:, 0] > 0, epochs=1, verbose=0, callbacks=[checkpoint],
                validation_split=0.25)
    assert len(list(tmp_path.glob("ck-*.safetensors"))) == 1


@pytest.mark.parametrize("class_weight, message", [
    ({0: 1.0, 5: 2.0}, r"class_weight names class 5, but the model's output has 3 classes"),
    ({"a": 1.0}, "keys must be class indices"),
    ({0: -1}, r"class_weight\[0\] must be a number >= 0"),
])
def test_class_weight_for_a_class_that_does_not_exist(class_weight, message):
    m = model(3, "softmax", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=message):
        m.fit(X, np.arange(12) % 3, epochs=1, verbose=0, class_weight=class_weight)


@pytest.mark.parametrize("layers, shape, bad, name", [
    ([Dense(3), Dense(1)], (None, 4), (2, 5), r"dense_?\d* \(Dense\) expects inputs of shape "
                                             r"\(\.\.\., 4\).*received inputs of shape \(2, 5\)"),
    ([LSTM(3)], (None, 6, 4), (2, 6, 5), r"\(LSTM\) expects inputs of shape \(batch, steps, 4\)"),
    ([Conv1D(2, 3)], (None, 6, 4), (2, 6, 5), r"\(Conv1D\) expects inputs of shape"),
])
def test_predict_on_the_wrong_feature_count_names_the_layer(layers, shape, bad, name):
    m = Sequential(layers)
    m.build(shape)
    with pytest.raises(ValueError, match=name):
        m.predict(np.zeros(bad, "float32"), verbose=0)


def test_fit_on_a_string_and_load_model_on_none():
    from seqlab.models import load_model

    with pytest.raises(TypeError, match=r"fit: x is a string \('abc'\)"):
        model().fit("abc", [1], verbose=0)
    with pytest.raises(TypeError, match="expected the path of a model file, got None"):
        load_model(None)
