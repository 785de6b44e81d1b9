"""Callbacks: hook order, EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, CSVLogger,
LambdaCallback, History.plot."""
import csv

import numpy as np
import pytest

from seqlab.layers import Dense
from seqlab.models import Sequential, load_model, optimizers
from seqlab.models.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    ModelCheckpoint,
    ReduceLROnPlateau,
)


class Scripted(Callback):
    """Feeds scripted val_loss values and records which hooks ran."""

    def __init__(self, values=()):
        super().__init__()
        self.values, self.calls = list(values), []

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(f"epoch_begin {epoch}")

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(f"batch_end {batch}")

    def on_epoch_end(self, epoch, logs=None):
        if self.values:
            logs["val_loss"] = self.values[epoch]
        self.calls.append(f"epoch_end {epoch}")

    def on_train_end(self, logs=None):
        self.calls.append("train_end")


def linear_model(learning_rate=0.1):
    model = Sequential([Dense(1, input_shape=(1,))])
    model.compile(optimizer=optimizers.SGD(learning_rate=learning_rate), loss="mse")
    return model


DATA = (np.ones((4, 1), dtype="float32"), np.full(4, 3.0, dtype="float32"))


def test_hook_order():
    script = Scripted()
    linear_model().fit(*DATA, batch_size=2, epochs=2, callbacks=[script], verbose=0)
    assert script.calls == ["train_begin", "epoch_begin 0", "batch_end 0", "batch_end 1",
                            "epoch_end 0", "epoch_begin 1", "batch_end 0", "batch_end 1",
                            "epoch_end 1", "train_end"]


def test_early_stopping_patience_and_restore():
    model = linear_model()
    # val_loss improves at epochs 0 and 1, then not for 2 epochs: stop after epoch 3
    script = Scripted([1.0, 0.5, 0.7, 0.6, 0.4, 0.3])
    weights_by_epoch = []
    record = LambdaCallback(on_epoch_end=lambda e, logs: weights_by_epoch.append(
        model.get_weights()))
    stopper = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(*DATA, epochs=6, callbacks=[script, record, stopper], verbose=0)
    assert history.epoch == [0, 1, 2, 3]
    assert stopper.stopped_epoch == 3 and stopper.best_epoch == 1
    for restored, best in zip(model.get_weights(), weights_by_epoch[1]):
        np.testing.assert_array_equal(restored, best)


def test_early_stopping_mode_and_missing_metric():
    stopper = EarlyStopping(monitor="val_accuracy")
    assert stopper._direction() == "max"
    with pytest.raises(ValueError, match="pass mode='max' or mode='min'"):
        EarlyStopping(monitor="val_score")._direction()
    with pytest.warns(UserWarning, match="'val_loss', which is not logged"):
        linear_model().fit(*DATA, epochs=1, callbacks=[EarlyStopping()], verbose=0)


def test_model_checkpoint_best_only(tmp_path):
    model = linear_model()
    script = Scripted([0.5, 0.9, 0.2])
    saved = []
    checkpoint = ModelCheckpoint(tmp_path / "best-{epoch:02d}.safetensors", save_best_only=True)
    record = LambdaCallback(on_epoch_end=lambda e, logs: saved.append(sorted(
        p.name for p in tmp_path.iterdir())))
    model.fit(*DATA, epochs=3, callbacks=[script, checkpoint, record], verbose=0)
    assert saved == [["best-01.safetensors"], ["best-01.safetensors"],
                     ["best-01.safetensors", "best-03.safetensors"]]
    restored = load_model(tmp_path / "best-03.safetensors")
    np.testing.assert_allclose(restored.predict(DATA[0], verbose=0), model.predict(DATA[0],
                                                                                  verbose=0))
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_reduce_lr_on_plateau():
    model = linear_model(learning_rate=1.0)
    script = Scripted([1.0, 1.0, 1.0, 1.0, 1.0])
    reducer = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=0.3)
    history = model.fit(*DATA, epochs=5, callbacks=[script, reducer], verbose=0)
    # no improvement after epoch 0: halved after epochs 2 and 4, never below min_lr
    assert history.history["learning_rate"] == [1.0, 1.0, 1.0, 0.5, 0.5]
    assert model.learning_rate == pytest.approx(0.3)


def test_csv_logger(tmp_path):
    path = tmp_path / "log.csv"
    linear_model().fit(*DATA, epochs=2, callbacks=[CSVLogger(path)], verbose=0)
    linear_model().fit(*DATA, epochs=1, callbacks=[CSVLogger(path, append=True)], verbose=0)
    rows = list(csv.DictReader(path.open()))
    assert [row["epoch"] for row in rows] == ["0", "1", "0"]
    assert all(float(row["loss"]) >= 0 for row in rows)


def test_lambda_callback_rejects_unknown_hooks():
    with pytest.raises(ValueError, match="unknown hook 'on_epoch_finish'"):
        LambdaCallback(on_epoch_finish=print)


def test_history_plot(tmp_path):
    history = linear_model().fit(*DATA, epochs=3, validation_data=DATA, verbose=0)
    path = history.plot(tmp_path / "curves.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="not in the history"):
        history.plot(tmp_path / "x.png", metrics=["accuracy"])
