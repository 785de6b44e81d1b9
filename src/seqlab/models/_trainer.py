"""The Keras training API shared by ``Model`` and ``Sequential``: compile, fit, evaluate,
predict, the ``*_on_batch`` methods, and the entry points to summary and saving.

One training step (``_train_step``)::

    predictions = model(x, training=True)             # eval/train mode set per call
    loss = sum_k  weight_k * loss_k(y_k, predictions_k, sample_weight * mask)
    loss.backward(); clip; optimizer.step()

``loss`` and the metrics logged for an epoch are means over its samples (batches
weighted by their size), as Keras reports them. A time mask on an output (e.g. from
``Embedding(mask_zero=True)`` through ``return_sequences``) leaves the masked steps
out of the loss and the metrics, as Keras does.
"""
from __future__ import annotations

import math
import numbers
import sys
import warnings

import torch

from . import _data, _distributed, _fit_checks, _outputs, _saving, losses, metrics as metrics_module, optimizers
from .callbacks import CallbackList, EarlyStopping, History, ProgbarLogger


class Trainer:
    """Mixin giving a torch module Keras's compile/fit/evaluate/predict."""

    stop_training = False
    _compiled = False

    # ---------------------------------------------------------------- compile

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                clipnorm=None, clipvalue=None, global_clipnorm=None, **unused):
        """Choose the optimizer, loss(es) and metrics, as Keras's ``compile``.

        Positional order: Keras 3's is ``(optimizer, loss, loss_weights, metrics)``,
        Keras 2's ``(optimizer, loss, metrics, loss_weights)``. Both work: loss weights are
        numbers and metrics are names, Metric objects or functions, so a third positional
        argument holding metrics (``compile("adam", "mse", ["mae"])``) is read as metrics
        and a fourth holding numbers as loss weights.

        Args:
            optimizer: a Keras name ('adam', 'rmsprop', 'sgd', 'adagrad', 'adamw') with
                Keras's defaults, a ``seqlab.models.optimizers`` instance, or a torch
                optimizer already holding this model's parameters.
            loss: a Keras name, a Loss, or a function ``(y_true, y_pred) -> losses``;
                a list or dict (by output name) for several outputs.
            loss_weights: how much each output's loss counts (list or dict).
            metrics: names ('accuracy', 'mae', ...), Metric objects or functions; a dict
                or list of lists per output for several outputs.
            clipnorm, clipvalue, global_clipnorm: gradient clipping, Keras's rules, for
                any optimizer (Keras takes them on its optimizers, which also works here).
        """
        for keyword in unused:
            if keyword not in ("run_eagerly", "steps_per_execution", "jit_compile",
                               "weighted_metrics", "auto_scale_loss"):
                raise TypeError(f"compile got an unexpected keyword argument {keyword!r}")
        if loss is None:
            raise ValueError("compile needs a loss, e.g. loss='binary_crossentropy' for one "
                             "sigmoid output or 'sparse_categorical_crossentropy' for classes")
        loss_weights, metrics = _keras2_order(loss_weights, metrics)
        self.optimizer = optimizers.get(optimizer)
        self._output_losses = _outputs.per_output(loss, self._output_keys(), losses.get, "loss")
        weights = _outputs.per_output(loss_weights if loss_weights is not None else 1.0,
                              self._output_keys(), float, "loss_weights")
        self._loss_weights = weights
        self._metric_requests = metrics
        self._clipping = dict(clipnorm=clipnorm, clipvalue=clipvalue,
                              global_clipnorm=global_clipnorm)
        self._metrics = None  # made on the first batch, when the outputs are known
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._compiled = True
        self._compile_config = _saving.describe_compile(optimizer, loss, loss_weights, metrics,
                                               self._clipping)

    @property
    def metrics_names(self) -> list:
        names = ["loss"]
        if self._metrics:
            names += [name for name, _ in self._metric_entries()]
        return names

    @property
    def learning_rate(self) -> float:
        """The optimizer's learning rate (what ReduceLROnPlateau lowers)."""
        self._require_compiled("learning_rate")
        if hasattr(self.optimizer, "bind"):  # seqlab's Keras optimizers
            return float(self.optimizer.learning_rate)
        return float(self.optimizer.param_groups[0]["lr"])

    @learning_rate.setter
    def learning_rate(self, value):
        self._require_compiled("learning_rate")
        if hasattr(self.optimizer, "bind"):
            self.optimizer.learning_rate = value
        else:
            for group in self.optimizer.param_groups:
                group["lr"] = value

    # -------------------------------------------------------------------- fit

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1, distributed=False,
            max_queue_size=10, workers=1, use_multiprocessing=False):
        """Train for `epochs` epochs (Keras's ``fit``); returns a ``History``.

        ``distributed=True`` trains data-parallel under ``torchrun --nproc-per-node N``:
        every global batch of ``batch_size`` samples is split across the processes and
        the gradients are summed, so the result equals one process on the same batches;
        only the first process prints, logs and saves.

        ``max_queue_size``, ``workers`` and ``use_multiprocessing`` (Keras 2's) are accepted
        and ignored: batches are read in this process, in order.
        """
        self._require_compiled("fit")
        _fit_checks.check_arguments(epochs, initial_epoch, steps_per_epoch, validation_freq)
        _fit_checks.check_class_weight(class_weight, None)
        train = _data.adapter(x, y, sample_weight, batch_size, shuffle, steps_per_epoch)
        validation = None
        if validation_split:
            if not isinstance(train, _data.ArrayData):
                raise ValueError("validation_split needs arrays; with a generator or DataLoader "
                                 "pass validation_data instead")
            train, validation = train.split(validation_split)
        elif validation_data is not None:
            validation = _data.validation_adapter(validation_data, validation_batch_size or
                                             batch_size, validation_steps)
        _fit_checks.check_callbacks(callbacks or [], validation is not None)
        group = _distributed.Group.start() if distributed else _distributed.Group.single()
        verbose = 1 if verbose == "auto" else int(verbose)
        history = History()
        shown = [ProgbarLogger(verbose)] if verbose and group.is_main else []
        extra = list(callbacks or []) if group.is_main else [
            c for c in callbacks or [] if not getattr(c, "writes_files", False)]
        steps = train.steps
        # As Keras: History and the progress bar come last, so they see what the user's
        # callbacks add to the logs (e.g. ReduceLROnPlateau's learning_rate).
        callbacks = CallbackList([*extra, history, *shown], self,
                                 {"epochs": epochs, "steps": steps, "verbose": verbose})
        self.stop_training = False
        callbacks.on_train_begin()
        logs, epoch = {}, initial_epoch
        try:
            for epoch in range(initial_epoch, epochs):
                self._reset_trackers()
                callbacks.on_epoch_begin(epoch)
                order = group.epoch_order(train)
                ran = 0
                for step, (xb, yb, wb) in enumerate(train.batches(order)):
                    callbacks.on_train_batch_begin(step)
                    check = (lambda p: _fit_checks.check_labels(self, train, p)) if (
                        epoch == initial_epoch and step == 0) else None
                    batch_logs = self._train_step(xb, yb, wb, class_weight, epoch, step, group,
                                                  check)
                    callbacks.on_train_batch_end(step, batch_logs)
                    ran += 1
                    if self.stop_training:
                        break
                if not ran:
                    raise _fit_checks.no_steps(epoch)
                logs = group.average_logs(self._current_logs())
                if validation is not None and (epoch + 1) % validation_freq == 0:
                    validation_logs = self._run_evaluation(validation, group)
                    logs.update({f"val_{k}": v for k, v in validation_logs.items()})
                callbacks.on_epoch_end(epoch, logs)
                self.stop_training = group.agree(self.stop_training)
                if self.stop_training:
                    break
        except KeyboardInterrupt:  # Ctrl-C: keep what the finished epochs gave
            history.interrupted = True
            callbacks.on_train_end(logs)  # EarlyStopping puts its best epoch back
            if group.is_main:
                print(_interrupted_note(epoch, epochs, history, extra), file=sys.stderr)
            self.history = history
            return history
        callbacks.on_train_end(logs)
        self.history = history  # as Keras: the last fit's History
        return history

    def _train_step(self, x, y, sample_weight, class_weight, epoch=0, step=0, group=None,
                    check=None):
        group = group or _distributed.Group.single()
        self._ready(x)
        group.share_weights(self)
        x, y, sample_weight, share = group.shard(x, y, sample_weight)
        self.train()
        predictions = self(x, training=True)
        if check is not None:  # the first step: all in-memory labels against the outputs
            check(predictions)
        if class_weight is not None and isinstance(predictions, torch.Tensor):
            _fit_checks.check_class_weight(class_weight, max(2, predictions.shape[-1]))
        weights = _outputs.with_class_weight(sample_weight, y, class_weight)
        loss = self._total_loss(y, predictions, weights)
        value = float(loss.detach())
        if not math.isfinite(value):
            raise FloatingPointError(
                f"The loss became {value} at epoch {epoch + 1}, batch {step + 1}. Training "
                "diverged: try clipping gradients (compile(..., clipnorm=1.0)) or a smaller "
                "learning rate, and check the inputs for NaN or inf.")
        self.optimizer.zero_grad(set_to_none=True)
        (loss * share).backward()
        group.sum_gradients(self)
        if any(v is not None for v in self._clipping.values()):
            optimizers.clip_gradients(self.parameters(), **self._clipping)
        self.optimizer.step()
        self._track(y, predictions, weights, value, _data.count_samples(x))
        return self._current_logs()

    # ------------------------------------------ Keras 2's generator methods

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1,
                      callbacks=None, validation_data=None, validation_steps=None,
                      validation_freq=1, class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Keras 2's ``fit_generator``: ``fit`` on a generator of ``(x, y)`` batches (the
        queue and worker arguments are accepted and ignored: batches are read in this
        process, in order)."""
        _deprecated("fit_generator", "fit")
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
                        verbose=verbose, callbacks=callbacks, validation_data=validation_data,
                        validation_steps=validation_steps, validation_freq=validation_freq,
                        class_weight=class_weight, shuffle=shuffle, initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0):
        """Keras 2's ``evaluate_generator``: ``evaluate`` on a generator of batches."""
        _deprecated("evaluate_generator", "evaluate")
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0):
        """Keras 2's ``predict_generator``: ``predict`` on a generator of batches (of x, or
        of ``(x, y)`` whose y is ignored)."""
        _deprecated("predict_generator", "predict")
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Keras 2's ``Sequential.predict_classes``: the argmax of each prediction, or, for
        one output unit, ``prediction > 0.5`` as 0/1 (int32)."""
        _deprecated("predict_classes", "predict", "then takes the argmax (or > 0.5)")
        probabilities = self.predict(x, batch_size=batch_size, verbose=verbose)
        if probabilities.shape[-1] > 1:
            return probabilities.argmax(axis=-1)
        return (probabilities > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Keras 2's ``Sequential.predict_proba``: ``predict``."""
        _deprecated("predict_proba", "predict", "which returns the same")
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    # --------------------------------------------------------- evaluate/predict

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, max_queue_size=10, workers=1,
                 use_multiprocessing=False):
        """Loss and metrics on data, without training: a number (loss only), a list
        ``[loss, *metrics]``, or with ``return_dict`` a dict by name."""
        self._require_compiled("evaluate")
        data = _data.adapter(x, y, sample_weight, batch_size, False, steps, "evaluate")
        logs = self._run_evaluation(data, _distributed.Group.single())
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        return values[0] if len(values) == 1 else values

    def _run_evaluation(self, data, group):
        self._reset_trackers()
        was_training = self.training
        self.eval()
        try:
            with torch.no_grad():
                for x, y, sample_weight in data.batches():
                    self._ready(x)
                    if y is None:
                        raise ValueError("evaluate needs targets y (or batches of (x, y))")
                    predictions = self(x, training=False)
                    loss = self._total_loss(y, predictions, sample_weight)
                    self._track(y, predictions, sample_weight, float(loss), _data.count_samples(x))
        finally:
            self.train(was_training)
        return group.average_logs(self._current_logs())

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False):
        """Outputs for `x`, batched, in eval mode without gradients, as NumPy arrays."""
        data = _data.adapter(x, None, None, batch_size, False, steps, "predict")
        was_training = self.training
        self.eval()
        outputs = []
        try:
            with torch.no_grad():
                for xb, _, _ in data.batches():
                    outputs.append(self(xb, training=False))
        finally:
            self.train(was_training)
        if not outputs:
            raise ValueError("predict got no data")
        return _outputs.to_numpy(_outputs.concatenate(outputs))

    def predict_on_batch(self, x):
        was_training = self.training
        self.eval()
        try:
            with torch.no_grad():
                return _outputs.to_numpy(self(_data.to_tensors(x, "x"), training=False))
        finally:
            self.train(was_training)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on one batch; returns the loss (and metrics) so far."""
        self._require_compiled("train_on_batch")
        x, y = _data.to_tensors(x, "x"), _data.to_tensors(y, "y")
        weight = None if sample_weight is None else _data.to_tensors(sample_weight,
                                                                     "sample_weight")
        logs = self._train_step(x, y, weight, class_weight)
        return logs if return_dict else _as_list(logs, self.metrics_names)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._require_compiled("test_on_batch")
        batch = [(_data.to_tensors(x, "x"), _data.to_tensors(y, "y"),
                  None if sample_weight is None else _data.to_tensors(sample_weight, "w"))]
        data = type("OneBatch", (), {"batches": lambda self, order=None: iter(batch)})()
        logs = self._run_evaluation(data, _distributed.Group.single())
        return logs if return_dict else _as_list(logs, self.metrics_names)

    def reset_metrics(self):
        self._reset_trackers()

    def reset_states(self):
        """Zero the carried states of every stateful layer (Keras's ``model.reset_states()``,
        e.g. between texts with a stateful generator)."""
        for module in self.modules():
            if module is not self and getattr(module, "stateful", False) and hasattr(
                    module, "reset_states") and not isinstance(module, Trainer):
                module.reset_states()

    # ------------------------------------------------------------ save, summary

    def summary(self, print_fn=None, **unused):
        """Print Keras's summary table (layer, output shape, parameters, totals)."""
        from ._summary import summary
        return summary(self, print_fn)

    def save(self, filepath, tokenizer=None, overwrite=True, save_format=None):
        """Save config, weights (and compile settings, a tokenizer) in one file; see load_model.
        A ``.keras`` / ``.h5`` name (or ``save_format="keras"`` / ``"h5"``) writes Keras's
        format; a model with layers no Keras file holds goes into seqlab's own format under
        that name, with a warning, unless `save_format` asks for the Keras one."""
        from ._saving import save_model
        save_model(self, filepath, tokenizer=tokenizer, overwrite=overwrite,
                   save_format=save_format)

    def save_weights(self, filepath, overwrite=True):
        from ._saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False):
        """Weights from ``save_weights`` (or a model file), or a Keras HDF5 weights file: in
        layer order as Keras, or matched by layer name with ``by_name=True``."""
        from ._saving import load_weights
        load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    # ------------------------------------------------------------------ parts

    def _require_compiled(self, what):
        if not self._compiled:
            raise RuntimeError(f"{what} needs a compiled model: call model.compile(optimizer=..., "
                               "loss=..., metrics=[...]) first")

    def _output_keys(self) -> list:
        names = getattr(self, "output_names", None)
        return names if names and len(names) > 1 else [None]

    def _ready(self, x):
        """Build lazy layers on a first batch, then give the optimizer the parameters."""
        if not self._all_built():
            was_training = self.training
            self.eval()
            with torch.no_grad():
                self(x, training=False)
            self.train(was_training)
            for module in self.modules():  # the probe must not leave states behind
                if getattr(module, "stateful", False) and hasattr(module, "reset_states"):
                    module.reset_states()
        optimizer = getattr(self, "optimizer", None)
        if hasattr(optimizer, "bind") and not optimizer.is_bound:
            optimizer.bind(self.parameters())

    def _all_built(self):
        return all(getattr(m, "built", True) for m in self.modules())

    def _outputs_by_key(self, predictions):
        keys = self._output_keys()
        if keys == [None]:
            return {None: predictions}
        if isinstance(predictions, dict):
            return predictions
        return dict(zip(keys, predictions))

    def _targets_by_key(self, y):
        keys = self._output_keys()
        if keys == [None]:
            return {None: y}
        if isinstance(y, dict):
            return y
        if not isinstance(y, (list, tuple)) or len(y) != len(keys):
            raise ValueError(f"The model has {len(keys)} outputs ({keys}): give y as a list or "
                             "a dict by output name")
        return dict(zip(keys, y))

    def _total_loss(self, y, predictions, sample_weight):
        if y is None:
            raise ValueError("Training needs targets: pass y, or batches of (x, y)")
        outputs, targets = self._outputs_by_key(predictions), self._targets_by_key(y)
        total = 0.0
        for key, loss_function in self._output_losses.items():
            prediction = outputs[key]
            weights = _outputs.mask_weights(sample_weight, prediction)
            total = total + self._loss_weights[key] * loss_function(targets[key], prediction,
                                                                     weights)
        return total

    def _metric_entries(self):
        """``(logged name, metric)`` pairs; names get the output's name for several outputs."""
        return [(name if key is None else f"{key}_{name}", metric)
                for key, group in self._metrics.items() for name, metric in group]

    def _track(self, y, predictions, sample_weight, loss_value, batch_size):
        self._loss_tracker.update_state(torch.tensor(loss_value), sample_weight=batch_size)
        outputs, targets = self._outputs_by_key(predictions), self._targets_by_key(y)
        if self._metrics is None:
            self._metrics = _outputs.make_metrics(self._metric_requests, outputs, self._output_losses)
        for key, group in self._metrics.items():
            # As Keras 3: compiled metrics see the time mask but not the sample weights.
            mask = getattr(outputs[key], "_keras_mask", None)
            weights = None if mask is None or outputs[key].dim() < 3 else mask.to(
                outputs[key].dtype)
            for _, metric in group:
                metric.update_state(targets[key], outputs[key].detach(), weights)

    def _current_logs(self) -> dict:
        logs = {"loss": float(self._loss_tracker.result())}
        if self._metrics:
            logs.update({name: float(metric.result()) for name, metric in self._metric_entries()})
        return logs

    def _reset_trackers(self):
        self._loss_tracker.reset_state()
        if self._metrics:
            for _, metric in self._metric_entries():
                metric.reset_state()


def _deprecated(old, new, detail="which takes generators too"):
    warnings.warn(f"Model.{old} is Keras 2's name (removed in Keras 3): it runs Model.{new}, "
                  f"{detail}", DeprecationWarning, stacklevel=3)


def _keras2_order(loss_weights, metrics):
    """``(loss_weights, metrics)`` given in either positional order (see ``compile``)."""
    if _holds(loss_weights, _is_metric) and (metrics is None or _holds(metrics, _is_weight)):
        return metrics, loss_weights
    return loss_weights, metrics


def _holds(value, test) -> bool:
    """Whether `value` (one item, a list/tuple, a dict or nested) is non-empty and every
    leaf passes `test`."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_holds(v, test) for v in value)
    return test(value)


def _is_metric(value) -> bool:
    return isinstance(value, (str, metrics_module.Metric)) or (
        callable(value) and not isinstance(value, numbers.Number))


def _is_weight(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _interrupted_note(epoch, epochs, history, callbacks) -> str:
    """What ``fit`` kept when Ctrl-C stopped it in `epoch`."""
    finished = len(history.epoch)
    restored = [c for c in callbacks if isinstance(c, EarlyStopping) and c.restore_best_weights
                and c.best_weights is not None]
    if restored:
        kept = (f"the weights of epoch {restored[0].best_epoch + 1}, the best "
                f"{restored[0].monitor} (EarlyStopping)")
    else:
        kept = "the weights it had when stopped"
    done = (f"History holds the {finished} finished epoch{'s' * (finished != 1)}" if finished
            else "no epoch had finished")
    return (f"fit: interrupted (Ctrl-C) in epoch {epoch + 1}/{epochs}: {done}; the model "
            f"keeps {kept}")


def _as_list(logs, names):
    values = [logs[n] for n in names if n in logs]
    return values[0] if len(values) == 1 else values

