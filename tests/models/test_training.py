"""compile / fit / evaluate / predict / *_on_batch: data kinds, logs, weights, masks, errors,
and repeatability with set_seed."""
import numpy as np
import pytest
import torch

import seqlab
from seqlab.layers import LSTM, Dense, Embedding, GlobalAveragePooling1D, Input, TimeDistributed
from seqlab.models import Model, Sequential, optimizers


def toy_data(n=256, seed=0):
    """Label: does the sequence contain token 3? Left-padded with zeros."""
    rng = np.random.default_rng(seed)
    x = rng.integers(4, 30, size=(n, 10))
    lengths = rng.integers(3, 11, size=n)
    for row, length in enumerate(lengths):
        x[row, :10 - length] = 0
    y = (rng.random(n) < 0.5).astype("float32")
    for row in np.flatnonzero(y):
        x[row, rng.integers(10 - lengths[row], 10)] = 3
    return x, y


def classifier(mask_zero=True):
    model = Sequential([Embedding(30, 8, mask_zero=mask_zero), LSTM(12),
                        Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.02), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def test_fit_learns_and_logs_like_keras():
    seqlab.set_seed(0)
    x, y = toy_data()
    model = classifier()
    history = model.fit(x, y, epochs=8, batch_size=32, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.epoch == list(range(8))
    assert history.history["loss"][-1] < 0.3 < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.9
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy > 0.9 and loss < 0.3
    assert model.evaluate(x, y, return_dict=True, verbose=0).keys() == {"loss", "accuracy"}
    predictions = model.predict(x[:5], verbose=0)
    assert isinstance(predictions, np.ndarray) and predictions.shape == (5, 1)


def test_logged_loss_is_the_sample_mean_over_the_epoch():
    """With a learning rate of 0 the weights stay put, so the logged epoch loss must equal
    the loss of the whole data set, batches of unequal size included."""
    seqlab.set_seed(1)
    x, y = toy_data(100)
    model = classifier()
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0)
    whole = model.evaluate(x, y, batch_size=100, return_dict=True, verbose=0)
    assert history.history["loss"][0] == pytest.approx(whole["loss"], rel=1e-5)
    assert history.history["accuracy"][0] == pytest.approx(whole["accuracy"])


def test_validation_split_takes_the_last_samples():
    x = np.arange(10, dtype="float32").reshape(10, 1)
    y = np.arange(10, dtype="float32").reshape(10, 1)
    model = Sequential([Dense(1, kernel_initializer="zeros", use_bias=False)])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss="mae")
    history = model.fit(x, y, epochs=1, validation_split=0.2, verbose=0)
    assert history.history["loss"][0] == pytest.approx(np.mean(np.arange(8)))
    assert history.history["val_loss"][0] == pytest.approx(np.mean([8, 9]))


def test_sample_and_class_weights():
    x = np.zeros((4, 1), dtype="float32")
    y = np.array([0, 1, 1, 1], dtype="float32")
    model = Sequential([Dense(1, kernel_initializer="zeros", bias_initializer="zeros")])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0), loss="mse")
    plain = model.fit(x, y, verbose=0, shuffle=False).history["loss"][0]
    assert plain == pytest.approx(0.75)
    weighted = model.fit(x, y, class_weight={0: 1.0, 1: 0.0}, verbose=0).history["loss"][0]
    assert weighted == pytest.approx(0.0)
    samples = model.fit(x, y, sample_weight=np.array([0, 2, 2, 2.0]), verbose=0,
                        shuffle=False).history["loss"][0]
    assert samples == pytest.approx(1.5)  # sum(w * loss) / number of samples, as Keras


def test_generators_and_dataloaders():
    seqlab.set_seed(2)
    x, y = toy_data(128)

    def batches():  # the Keras book's style: an endless generator of (x, y) batches
        while True:
            for start in range(0, 128, 32):
                yield x[start:start + 32], y[start:start + 32]

    model = classifier()
    history = model.fit(batches(), steps_per_epoch=4, epochs=2, validation_data=batches(),
                        validation_steps=2, verbose=0)
    assert len(history.history["val_loss"]) == 2
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=32)
    history = model.fit(loader, epochs=2, validation_data=loader, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(loader).shape == (128, 1)
    finite = iter([(x[:32], y[:32])])
    model.fit(finite, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="generator ran out of batches"):
        model.fit(finite, epochs=1, verbose=0)


def test_multi_input_dict_and_multi_output():
    seqlab.set_seed(3)
    words, numbers = Input(shape=(5,), dtype="int64", name="words"), Input(shape=(2,),
                                                                           name="numbers")
    pooled = GlobalAveragePooling1D()(Embedding(10, 4)(words))
    joined = Dense(6, activation="relu")(pooled)
    kind = Dense(3, activation="softmax", name="kind")(joined)
    size = Dense(1, name="size")(Dense(2)(numbers))
    model = Model({"words": words, "numbers": numbers}, [kind, size])
    model.compile(optimizer="adam", loss={"kind": "sparse_categorical_crossentropy",
                                          "size": "mse"},
                  loss_weights={"kind": 1.0, "size": 0.5}, metrics={"kind": ["accuracy"]})
    data = {"words": np.random.randint(0, 10, (40, 5)), "numbers": np.random.rand(40, 2)}
    targets = [np.random.randint(0, 3, 40), np.random.rand(40)]
    history = model.fit(data, targets, epochs=2, batch_size=8, verbose=0)
    assert set(history.history) == {"loss", "kind_accuracy"}
    kind_out, size_out = model.predict(data, verbose=0)
    assert kind_out.shape == (40, 3) and size_out.shape == (40, 1)


def test_masked_sequence_outputs_leave_padding_out_of_loss_and_metrics():
    """A per-step classifier: steps masked by mask_zero do not count."""
    seqlab.set_seed(4)
    model = Sequential([Embedding(10, 4, mask_zero=True), LSTM(6, return_sequences=True),
                        TimeDistributed(Dense(3, activation="softmax"))])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.0),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.array([[0, 0, 5, 6], [7, 8, 9, 1]])
    y = np.array([[2, 2, 0, 1], [0, 1, 2, 0]])
    logs = model.evaluate(x, y, return_dict=True, verbose=0)
    probabilities = model.predict(x, verbose=0)
    real = x != 0
    picked = probabilities[np.arange(2)[:, None], np.arange(4), y]
    assert logs["loss"] == pytest.approx(float(-np.log(picked[real]).mean()), rel=1e-5)
    correct = probabilities.argmax(-1) == y
    assert logs["accuracy"] == pytest.approx(np.mean(
        [correct[0, 2:].mean(), correct[1].mean()]))  # per-sample means, as Keras


def test_on_batch_methods():
    seqlab.set_seed(5)
    x, y = toy_data(64)
    model = classifier()
    first = model.train_on_batch(x[:32], y[:32])
    assert isinstance(first, list) and len(first) == 2
    logs = model.test_on_batch(x[:32], y[:32], return_dict=True)
    assert set(logs) == {"loss", "accuracy"}
    assert model.predict_on_batch(x[:3]).shape == (3, 1)


def test_same_seed_same_losses_to_the_last_bit():
    runs = []
    for _ in range(2):
        seqlab.set_seed(123)
        x, y = toy_data(96)
        model = Sequential([Embedding(30, 8, mask_zero=True), LSTM(8, recurrent_dropout=0.2),
                            Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        runs.append(model.fit(x, y, epochs=2, batch_size=16, verbose=0).history["loss"])
    assert runs[0] == runs[1]


def test_bad_inputs_are_clear_errors():
    x, y = toy_data(20)
    model = classifier()
    with pytest.raises(RuntimeError, match="compiled model"):
        Sequential([Dense(1)]).fit(x, y)
    with pytest.raises(ValueError, match="same number of samples: x has 20, y has 19"):
        model.fit(x, y[:19], verbose=0)
    with pytest.raises(TypeError, match="non-integer index 0.5"):
        model.fit(x + 0.5, y, verbose=0)
    with pytest.raises(TypeError, match="holds strings"):
        model.fit(np.array([["a", "b"]]), np.array([1.0]), verbose=0)
    wrong = Sequential([Embedding(30, 4), GlobalAveragePooling1D(), Dense(3)])
    wrong.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="one-hot"):
        wrong.fit(x, np.eye(3)[np.zeros(20, int)], verbose=0)


def test_nan_loss_stops_with_epoch_batch_and_advice():
    x = np.array([[1.0], [np.nan]], dtype="float32")
    model = Sequential([Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(FloatingPointError, match=r"epoch 1, batch 1.*clipnorm"):
        model.fit(x, np.ones(2), verbose=0)


def test_clipping_and_learning_rate():
    model = Sequential([Dense(1, kernel_initializer="ones", use_bias=False)])
    model.compile(optimizer="sgd", loss="mse", clipvalue=0.1)
    model.fit(np.ones((1, 1)) * 100, np.zeros(1), verbose=0)
    assert model.layers[0].kernel.item() == pytest.approx(1 - 0.01 * 0.1)
    assert model.learning_rate == pytest.approx(0.01)
    model.learning_rate = 0.5
    assert model.optimizer.learning_rate == 0.5


def test_progress_output(capsys):
    x, y = toy_data(40)
    model = classifier()
    model.fit(x, y, epochs=2, batch_size=20, verbose=1)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Epoch 1/2 - ") and "loss: " in out[0] and "accuracy: " in out[0]
    model.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_torch_optimizer_and_models_inside_plain_torch():
    """compile accepts a torch optimizer; a seqlab model is an ordinary torch module."""
    seqlab.set_seed(6)
    x, y = toy_data(64)
    model = Sequential([Embedding(30, 8), LSTM(8), Dense(1, activation="sigmoid")])
    model(x[:2])
    model.compile(optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
                  loss="binary_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, y, epochs=1, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    model.set_weights(before)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))

    class Wrapper(torch.nn.Module):  # plain torch code around a seqlab model
        def __init__(self):
            super().__init__()
            self.body, self.scale = model, torch.nn.Parameter(torch.ones(1))

        def forward(self, x):
            return self.body(x) * self.scale

    wrapper = Wrapper()
    assert wrapper(torch.as_tensor(x[:3])).shape == (3, 1)
    assert "body._stack.1.cell.kernel" in wrapper.state_dict()
    model.train()
    model.predict(x[:2], verbose=0)
    assert model.training  # predict restores the mode it found


def test_live_progress_bar_on_a_terminal():
    import io

    from rich.console import Console

    from seqlab.models.callbacks import ProgbarLogger

    buffer = io.StringIO()
    bar = ProgbarLogger(verbose=1, console=Console(file=buffer, force_terminal=True, width=120))
    bar.set_params({"epochs": 3, "steps": 4})
    bar.on_epoch_begin(0)
    for step in range(4):
        bar._last_draw = 0.0  # draw every step in the test
        bar.on_train_batch_end(step, {"loss": 0.5, "accuracy": 0.75})
    bar.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75, "val_loss": 0.6})
    text = buffer.getvalue()
    assert "Epoch 1/3" in text and "4/4" in text
    assert "loss: 0.5000 - accuracy: 0.7500 - val_loss: 0.6000" in text
