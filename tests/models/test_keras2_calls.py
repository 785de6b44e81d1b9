"""Keras 2's spellings that course code uses: optimizer lr=/decay=, compile's positional
order, fit_generator & co., generators of reversed (negative-stride) arrays."""
import warnings

import numpy as np
import pytest
import torch

from seqlab import set_seed
from seqlab.keras import backend as K
from seqlab.layers import Dense, Input
from seqlab.models import Sequential
from seqlab.models.optimizers import SGD, Adam, RMSprop


def test_lr_is_learning_rate():
    assert RMSprop(lr=1e-4).learning_rate == 1e-4
    assert Adam(lr=0.01).lr == 0.01
    assert RMSprop(lr=1e-4, epsilon=None).get_config()["epsilon"] == 1e-7  # K.epsilon()
    with pytest.raises(TypeError, match="both lr"):
        Adam(lr=0.1, learning_rate=0.1)
    with pytest.raises(ValueError, match="decay must be a number >= 0"):
        SGD(decay=-1)


def test_decay_is_keras_2s_inverse_time_decay():
    """Keras 2: lr_t = lr / (1 + decay * iterations), iterations = steps taken before."""
    w = torch.nn.Parameter(torch.tensor([1.0]))
    optimizer = SGD(lr=0.1, decay=0.5, params=[w])
    for _ in range(3):
        w.grad = torch.tensor([1.0])
        optimizer.step()
    expected = 1.0 - 0.1 / 1 - 0.1 / 1.5 - 0.1 / 2.0
    assert w.item() == pytest.approx(expected, rel=1e-6)
    assert optimizer.learning_rate == 0.1  # the base rate, as Keras 2's optimizer.lr
    config = optimizer.get_config()
    assert config["decay"] == 0.5
    assert SGD(**config).decay == 0.5
    assert "decay" not in SGD(lr=0.1).get_config()  # Keras 3's config is unchanged


def test_decay_in_a_compiled_model_matches_the_formula():
    set_seed(0)
    model = Sequential([Input((1,)), Dense(1, use_bias=False, kernel_initializer="zeros")])
    model.compile(optimizer=SGD(lr=0.1, decay=1.0), loss="mse")
    x, y = np.ones((1, 1), np.float32), np.ones((1, 1), np.float32)
    w = 0.0
    for step in range(3):  # d/dw (w - 1)^2 = 2 (w - 1)
        model.train_on_batch(x, y)
        w -= 0.1 / (1 + 1.0 * step) * 2 * (w - 1)
    assert model.layers[0].kernel.item() == pytest.approx(w, rel=1e-6)


def test_backend_set_value_and_get_value_on_the_learning_rate():
    model = Sequential([Input((2,)), Dense(1)])
    model.compile(optimizer=RMSprop(lr=1e-3), loss="mse")
    assert K.get_value(model.optimizer.lr) == pytest.approx(1e-3)
    K.set_value(model.optimizer.lr, 1e-4)
    assert model.optimizer.learning_rate == pytest.approx(1e-4)
    model.fit(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0)  # bound: every group follows
    K.set_value(model.optimizer.learning_rate, 5e-5)
    assert all(group["lr"] == 5e-5 for group in model.optimizer.param_groups)
    model.optimizer.learning_rate.assign(2e-5)  # Keras 3's spelling
    assert model.optimizer.learning_rate.numpy() == pytest.approx(2e-5)
    with pytest.raises(TypeError, match="set model.optimizer.learning_rate = value"):
        K.set_value(0.1, 0.2)


def _history(*compile_args, **compile_kwargs):
    set_seed(1)
    model = Sequential([Input((3,)), Dense(1, activation="sigmoid")])
    model.compile(*compile_args, **compile_kwargs)
    x = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    return model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history


def test_compile_takes_keras_2s_positional_order():
    """Keras 2: compile(optimizer, loss, metrics, loss_weights); Keras 3: (optimizer, loss,
    loss_weights, metrics). Metrics are names/objects/functions, weights are numbers."""
    keras2 = _history("adam", "binary_crossentropy", ["accuracy"])
    assert set(keras2) == {"loss", "accuracy"}
    assert keras2 == _history(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    keras3 = _history("adam", "binary_crossentropy", None, ["accuracy"])
    assert keras3 == keras2
    weighted = _history("adam", "binary_crossentropy", ["accuracy"], 2.0)  # Keras 2's 4th
    # Adam ignores the gradients' scale (up to epsilon): the same steps, twice the loss
    assert weighted["loss"][0] == pytest.approx(2 * keras2["loss"][0], rel=1e-5)
    keras3_weighted = _history("adam", "binary_crossentropy", 2.0, ["accuracy"])
    assert keras3_weighted == weighted


def _batches(seed, count=6, reverse=False):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        samples = rng.normal(size=(8, 5, 2))
        targets = samples[:, -1, :1].sum(axis=1)
        yield (samples[:, ::-1, :] if reverse else samples), targets


def _model():
    set_seed(3)
    from seqlab.layers import GRU
    model = Sequential([Input((None, 2)), GRU(4), Dense(1)])
    model.compile(optimizer="rmsprop", loss="mae")
    return model


def test_fit_generator_is_fit_on_the_generator():
    with pytest.warns(DeprecationWarning, match="fit_generator is Keras 2's name"):
        old = _model().fit_generator(_batches(0), steps_per_epoch=3, epochs=2, verbose=0,
                                     validation_data=_batches(1), validation_steps=2,
                                     max_queue_size=10, workers=1, use_multiprocessing=False)
    new = _model().fit(_batches(0), steps_per_epoch=3, epochs=2, verbose=0,
                       validation_data=_batches(1), validation_steps=2)
    assert old.history == new.history and len(old.history["val_loss"]) == 2


def test_evaluate_and_predict_generator():
    model = _model()
    with pytest.warns(DeprecationWarning, match="evaluate_generator"):
        loss = model.evaluate_generator(_batches(5), steps=2)
    assert loss == model.evaluate(_batches(5), steps=2, verbose=0)
    with pytest.warns(DeprecationWarning, match="predict_generator"):
        predictions = model.predict_generator((x for x, _ in _batches(6)), steps=3)
    assert predictions.shape == (24, 1)
    np.testing.assert_array_equal(predictions, model.predict(_batches(6), steps=3, verbose=0))


def test_generators_of_reversed_arrays():
    """The Keras book's reversed-order experiment yields samples[:, ::-1, :] (negative
    strides, which torch cannot wrap): they train as their copies do."""
    reversed_ = _model().fit(_batches(0, reverse=True), steps_per_epoch=3, verbose=0).history
    copied = _model().fit(((np.ascontiguousarray(x), y) for x, y in _batches(0, reverse=True)),
                          steps_per_epoch=3, verbose=0).history
    assert reversed_ == copied
    model = _model()
    flipped = np.arange(24, dtype=np.float32).reshape(2, 6, 2)[:, ::-1, :]
    np.testing.assert_array_equal(model.predict(flipped, verbose=0),
                                  model.predict(flipped.copy(), verbose=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict_on_batch(flipped)


def test_keras_attributes_course_code_reads():
    from seqlab.layers import LSTM

    model = Sequential([Input((3, 2)), LSTM(2, stateful=True), Dense(1)])
    with pytest.raises(AttributeError, match="not compiled yet: model.compile"):
        model.optimizer  # noqa: B018
    with pytest.raises(AttributeError, match="has not been fitted yet"):
        model.history  # noqa: B018
    with pytest.raises(AttributeError, match=r"to_json\): model.save\(path\)"):
        model.to_json()
    with pytest.raises(AttributeError, match="'Sequential' object has no attribute 'nope'"):
        model.nope  # noqa: B018
    assert getattr(model, "tokenizer", None) is None
    model.compile("sgd", "mse")
    history = model.fit(np.ones((4, 3, 2)), np.ones((4, 1)), batch_size=4, verbose=0)
    assert model.history is history
    assert model.layers[0].states is not None
    model.reset_states()  # Keras's model.reset_states(): every stateful layer
    assert model.layers[0].states is None


def test_learning_rate_scheduler_and_keras_2_predict_methods():
    from seqlab.keras.callbacks import LearningRateScheduler

    model = Sequential([Input((2,)), Dense(3, activation="softmax")])
    model.compile(optimizer=SGD(lr=0.1), loss="sparse_categorical_crossentropy")
    seen = []
    schedule = LearningRateScheduler(lambda epoch: 0.1 * 0.5 ** epoch)
    two_arguments = LearningRateScheduler(lambda epoch, lr: seen.append(lr) or lr)
    x, y = np.random.default_rng(0).normal(size=(8, 2)), np.arange(8) % 3
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[schedule, two_arguments],
                        workers=2, use_multiprocessing=False, max_queue_size=4)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025])
    assert seen == pytest.approx([0.1, 0.05, 0.025])
    with pytest.raises(ValueError, match="must return a number"):
        model.fit(x, y, verbose=0, callbacks=[LearningRateScheduler(lambda epoch: "fast")])
    with pytest.warns(DeprecationWarning, match="predict_classes"):
        classes = model.predict_classes(x)
    np.testing.assert_array_equal(classes, model.predict(x, verbose=0).argmax(-1))
    binary = Sequential([Input((2,)), Dense(1, activation="sigmoid")])
    with pytest.warns(DeprecationWarning):
        labels = binary.predict_classes(x)
    assert labels.dtype == np.int32 and labels.shape == (8, 1)
    np.testing.assert_array_equal(labels, (binary.predict(x, verbose=0) > 0.5).astype(np.int32))
    with pytest.warns(DeprecationWarning, match="predict_proba"):
        np.testing.assert_array_equal(binary.predict_proba(x), binary.predict(x, verbose=0))
