"""Callbacks with Keras's hook names: History, the progress bar, EarlyStopping,
ModelCheckpoint, ReduceLROnPlateau, CSVLogger, LambdaCallback.

A callback gets ``set_model(model)`` and ``set_params(params)`` and any of the hooks
``on_train_begin/end(logs)``, ``on_epoch_begin/end(epoch, logs)``,
``on_train_batch_begin/end(batch, logs)``, ``on_test_begin/end``,
``on_test_batch_begin/end``, ``on_predict_begin/end``, ``on_predict_batch_begin/end``.
``logs`` is a dict of floats (``loss``, metrics, ``val_*`` at epoch end). Setting
``model.stop_training = True`` ends ``fit`` after the current epoch.
"""
from __future__ import annotations

import csv
import math
import numbers
import os
import time
import warnings

from rich.console import Console


class Callback:
    """Base class: every hook does nothing."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...


class CallbackList(Callback):
    """Calls a hook on every callback in order."""

    def __init__(self, callbacks, model, params):
        super().__init__()
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"callbacks must be Callback instances, got {callback!r}")
            callback.set_model(model)
            callback.set_params(params)

    def __getattribute__(self, name):
        if name.startswith("on_"):
            def call_all(*args):
                for callback in object.__getattribute__(self, "callbacks"):
                    getattr(callback, name)(*args)
            return call_all
        return object.__getattribute__(self, name)


class History(Callback):
    """Records the logs of every epoch: ``history.history['loss']``, ``history.epoch``."""

    def __init__(self):
        super().__init__()
        self.history, self.epoch = {}, []
        self.interrupted = False  # True when Ctrl-C ended fit (the finished epochs are here)

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def plot(self, path, metrics=None, kept_epoch=None):
        """Write learning curves (one panel per metric, training and validation) as a PNG;
        `kept_epoch` (from 1) marks the epoch whose weights were kept."""
        from ..viz.curves import plot_history
        return plot_history(self.history, path, metrics, kept_epoch)


class ProgbarLogger(Callback):
    """Keras's progress display: a live bar per epoch on a terminal (steps, ETA, loss,
    metrics), one line per epoch otherwise (``verbose=2`` or a log file)."""

    def __init__(self, verbose=1, console=None):
        super().__init__()
        self.verbose = verbose
        self.console = console or Console()
        self._progress = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        self._epoch = epoch
        epochs = self.params.get("epochs", 1)
        self._title = f"Epoch {epoch + 1}/{epochs}"
        if self.verbose == 1 and self.console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
            from rich.progress import TimeRemainingColumn
            self._progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                      MofNCompleteColumn(), TimeRemainingColumn(),
                                      TextColumn("{task.fields[metrics]}"), console=self.console,
                                      transient=True)
            self._progress.start()
            self._task = self._progress.add_task(self._title, total=self.params.get("steps"),
                                                 metrics="")
            self._last_draw = 0.0

    def on_train_batch_end(self, batch, logs=None):
        if self._progress is None:
            return
        now = time.perf_counter()
        if now - self._last_draw > 0.1:  # drawing costs; a few times a second is enough
            self._progress.update(self._task, completed=batch + 1, metrics=_format(logs))
            self._last_draw = now

    def on_epoch_end(self, epoch, logs=None):
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        if self.verbose:
            seconds = time.perf_counter() - self._start
            steps = self.params.get("steps")
            per_step = f" {seconds / steps * 1000:.0f}ms/step" if steps else ""
            self.console.print(f"{self._title} - {seconds:.0f}s{per_step} - {_format(logs)}",
                               highlight=False, soft_wrap=True)

    def on_train_end(self, logs=None):
        if self._progress is not None:  # an epoch cut short (Ctrl-C): close its bar
            self._progress.stop()
            self._progress = None


def _format(logs):
    logs = logs or {}
    keys = sorted(logs, key=lambda k: (k.startswith("val_"), k != "loss" and k != "val_loss", k))
    return " - ".join(f"{k}: {logs[k]:.4f}" for k in keys if isinstance(logs[k], float))


class _Monitoring(Callback):
    """Shared by the callbacks that watch one logged value for improvement."""

    def __init__(self, monitor, mode, min_delta=0.0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor, self.mode, self.min_delta = monitor, mode, abs(min_delta)

    def _direction(self):
        if self.mode != "auto":
            return self.mode
        name = self.monitor.removeprefix("val_")
        if name.endswith("loss") or name in _LOWER_IS_BETTER:
            return "min"
        if name.endswith(("acc", "accuracy", "precision", "recall", "auc")):
            return "max"
        raise ValueError(f"{type(self).__name__}: cannot tell whether {self.monitor!r} should go "
                         "up or down; pass mode='max' or mode='min'")

    def _better(self, value, best):
        """An improvement by more than min_delta (Keras's rule)."""
        if self._direction() == "min":
            return value + self.min_delta < best
        return value - self.min_delta > best

    def _worst(self):
        return math.inf if self._direction() == "min" else -math.inf

    def _value(self, logs):
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(f"{type(self).__name__} watches {self.monitor!r}, which is not logged; "
                          f"available: {', '.join(logs or {})}", stacklevel=3)
        return value


_LOWER_IS_BETTER = {"mae", "mse", "mean_absolute_error", "mean_squared_error", "mape", "msle",
                    "huber", "kl_divergence", "kld"}


class EarlyStopping(_Monitoring):
    """Stop when `monitor` has not improved for `patience` epochs (Keras 3's rules); with
    ``restore_best_weights`` the weights of the best epoch are put back at the end."""

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta)
        self.patience, self.verbose, self.baseline = patience, verbose, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights = self._worst(), None

    def on_epoch_end(self, epoch, logs=None):
        current = self._value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._better(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(_Monitoring):
    """Save the model (or its weights) at the end of every epoch, or only when `monitor`
    improves (``save_best_only``). `filepath` may hold ``{epoch:02d}`` and any logged
    value, e.g. ``"ckpt-{epoch:02d}-{val_loss:.2f}.safetensors"``. Files are written to
    a temporary name and renamed, so a crash never leaves half a checkpoint."""

    writes_files = True  # in distributed training, only the first process runs it

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch"):
        super().__init__(monitor, mode)
        if save_freq != "epoch":
            raise ValueError("ModelCheckpoint: only save_freq='epoch' is supported")
        self.filepath, self.verbose = os.fspath(filepath), verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.best = None

    def on_train_begin(self, logs=None):
        if self.best is None:
            self.best = self._worst()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            current = self._value(logs)
            if current is None or not self._better(current, self.best):
                return
            if self.verbose:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


class ReduceLROnPlateau(_Monitoring):
    """Multiply the learning rate by `factor` when `monitor` stalls for `patience` epochs."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__(monitor, mode, min_delta)
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be < 1, got {factor!r}")
        self.factor, self.patience, self.verbose = factor, patience, verbose
        self.cooldown, self.min_lr = cooldown, min_lr

    def on_train_begin(self, logs=None):
        self.wait, self.cooldown_counter, self.best = 0, 0, self._worst()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(self.model.learning_rate)
        current = self._value(logs)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._better(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = float(self.model.learning_rate)
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    self.model.learning_rate = new
                    if self.verbose:
                        print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                              f"to {new}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of every epoch to ``schedule(epoch, lr)`` (or
    ``schedule(epoch)`` for a one-argument function; epochs count from 0), and log it as
    ``learning_rate``, as Keras's callback does."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler takes a function schedule(epoch, lr), got "
                            f"{schedule!r}")
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        current = float(self.model.learning_rate)
        try:
            rate = self.schedule(epoch, current)
        except TypeError:  # a schedule of the epoch alone (Keras tries this order too)
            rate = self.schedule(epoch)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
            raise ValueError(f"LearningRateScheduler: the schedule must return a number, got "
                             f"{rate!r} at epoch {epoch}")
        self.model.learning_rate = float(rate)
        if self.verbose:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{float(rate)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.learning_rate)


class CSVLogger(Callback):
    """Append each epoch's logs as a CSV row (header first), flushed every epoch."""

    writes_files = True  # in distributed training, only the first process runs it

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.separator, self.append = os.fspath(filename), separator, append
        self._file = self._writer = None

    def on_train_begin(self, logs=None):
        has_rows = self.append and os.path.exists(self.filename) and os.path.getsize(
            self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w", newline="",
                          encoding="utf-8")
        self._header_written = has_rows
        self._keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
            self._writer = csv.DictWriter(self._file, ["epoch"] + self._keys,
                                          delimiter=self.separator, extrasaction="ignore")
            if not self._header_written:
                self._writer.writeheader()
        self._writer.writerow({"epoch": epoch, **{k: logs.get(k, "NA") for k in self._keys}})
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None


class LambdaCallback(Callback):
    """A callback from functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``."""

    def __init__(self, **hooks):
        super().__init__()
        for name, function in hooks.items():
            if not name.startswith("on_") or not hasattr(Callback, name):
                raise ValueError(f"LambdaCallback: unknown hook {name!r}")
            setattr(self, name, function)


__all__ = ["Callback", "CSVLogger", "EarlyStopping", "History", "LambdaCallback",
           "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger", "ReduceLROnPlateau"]
