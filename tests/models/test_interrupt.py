"""Ctrl-C during fit: the History of the finished epochs comes back, EarlyStopping puts its
best epoch back, and one line says what was kept."""
import numpy as np

from seqlab.layers import Dense
from seqlab.models import Sequential
from seqlab.models.callbacks import Callback, EarlyStopping


class CtrlC(Callback):
    """Raises KeyboardInterrupt at a batch of an epoch; keeps every finished epoch's
    weights and feeds scripted val_loss values."""

    def __init__(self, epoch, batch, losses):
        super().__init__()
        self.at, self.losses, self.weights = (epoch, batch), losses, []

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            raise KeyboardInterrupt

    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"] = self.losses[epoch]
        self.weights.append(self.model.get_weights())


def _model():
    model = Sequential([Dense(3, activation="tanh"), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(64, 4)).astype("float32"), rng.normal(size=(64, 1)).astype("float32")


def test_fit_returns_the_finished_epochs_and_the_best_weights(capsys):
    model, (x, y) = _model(), _data()
    ctrl_c = CtrlC(epoch=3, batch=1, losses=[0.9, 0.5, 0.7, 0.8])
    history = model.fit(x, y, epochs=6, batch_size=16, verbose=0,
                        callbacks=[ctrl_c, EarlyStopping(patience=9, restore_best_weights=True)])
    assert history.interrupted and history.epoch == [0, 1, 2]
    assert len(history.history["loss"]) == 3
    for kept, best in zip(model.get_weights(), ctrl_c.weights[1]):  # epoch 2: val_loss 0.5
        np.testing.assert_array_equal(kept, best)
    assert capsys.readouterr().err.strip() == (
        "fit: interrupted (Ctrl-C) in epoch 4/6: History holds the 3 finished epochs; the "
        "model keeps the weights of epoch 2, the best val_loss (EarlyStopping)")


def test_without_early_stopping_the_weights_stay_as_they_were(capsys):
    model, (x, y) = _model(), _data()
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0,
                        callbacks=[CtrlC(epoch=0, batch=2, losses=[1, 1, 1])])
    assert history.interrupted and history.epoch == [] and history.history == {}
    assert capsys.readouterr().err.strip() == (
        "fit: interrupted (Ctrl-C) in epoch 1/3: no epoch had finished; the model keeps the "
        "weights it had when stopped")
    again = model.fit(x, y, epochs=1, batch_size=16, verbose=0)  # the model is still usable
    assert not again.interrupted and again.epoch == [0]
