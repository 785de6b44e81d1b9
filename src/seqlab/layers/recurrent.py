"""Recurrent layers: ``RNN(cell)`` and its SimpleRNN, LSTM and GRU, with Keras's arguments.

A layer runs its cell over ``(batch, time, features)`` inputs by one of these paths,
chosen per call in ``_choose_path``:

* ``compiled``: seqlab's C time loop (``compiled.py``), the default on a CPU;
* ``native``: torch's own kernel (``fused.py``), when the semantics match exactly
  (on other devices, or where the compiled loop is not built);
* ``bptt``: the hand-derived backward loop in torch (``bptt.py``), for the rest;
* ``loop``: the input projection of all steps as one matrix product
  (``cell.project``), then the time loop (``rnn.rnn_loop``) over ``cell.step``;
* ``reference``: Keras's literal loop, ``cell.call`` step by step (tests only).

``layer.path`` says which ran last and ``layer.fast_path_reason`` why it was not the
compiled loop (None when it was); the first time a reason comes up it is logged.

Dropout draws one mask per sequence and reuses it at every step (training only):
``dropout`` on the inputs, ``recurrent_dropout`` on ``h_{t-1}`` where it enters the
recurrent matmul, one mask shared by all gates (Keras 2's default implementation).
"""
from __future__ import annotations

import torch

from .._log import say_once
from . import bptt, compiled, fused
from ._base import Layer, check_features
from .cells import GRUCell, LSTMCell, SimpleRNNCell, _Cell, dropout_mask
from .rnn import rnn_loop


class RNN(Layer):
    """Runs a cell over time (Keras's ``keras.layers.RNN``).

    Call: ``layer(inputs, mask=None, training=None, initial_state=None)``; returns
    the last output ``(batch, units)``, or the sequence ``(batch, time, units)`` with
    ``return_sequences``, followed by the final states with ``return_state``
    (LSTM: ``h, c``). ``stateful`` keeps the final states (detached) as the next
    call's initial states, for batches of the same size; ``reset_states()`` zeroes them.
    """

    supports_masking = True

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll  # accepted for Keras code; the loop is never unrolled
        self.zero_output_for_mask = zero_output_for_mask
        self.states = None  # stateful: the states carried between calls
        self.path = None
        self.fast_path_reason = None
        self._path_override = None  # tests: "reference", "loop" or "native"
        self._step_reason = None  # (device, dtype): why step cannot be compiled, or None

    @property
    def units(self):
        return self._state_sizes[0]

    @property
    def _state_sizes(self) -> list:
        sizes = self.cell.state_size
        return list(sizes) if isinstance(sizes, (list, tuple)) else [sizes]

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{self.name} expects inputs of shape (batch, time, features), got "
                             f"{tuple(input_shape)}")
        if isinstance(self.cell, Layer):
            self.cell._build_once((input_shape[0], input_shape[-1]))

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def compute_output_shape(self, input_shape):
        batch, time = input_shape[0], input_shape[1]
        output = (batch, time, self.units) if self.return_sequences else (batch, self.units)
        if not self.return_state:
            return output
        return [output] + [(batch, size) for size in self._state_sizes]

    @property
    def _need_states(self):
        """Whether the final states are returned or kept (else only the output is used)."""
        return self.return_state or self.stateful

    def reset_states(self, states=None):
        """Zero the carried states (or set them to `states`), as Keras's reset_states()."""
        if not self.stateful:
            raise AttributeError(f"{self.name} is not stateful: create it with stateful=True")
        if states is None:
            self.states = None
        else:
            states = states if isinstance(states, (list, tuple)) else [states]
            self.states = [torch.as_tensor(s, dtype=self.cell.compute_dtype) for s in states]

    reset_state = reset_states

    def call(self, inputs, mask=None, training=None, initial_state=None):
        kernel = getattr(self.cell, "kernel", None)
        if isinstance(kernel, torch.Tensor):
            check_features(self, inputs, kernel.shape[0], ndim=3)
        states = self._initial_states(inputs, initial_state)
        last, sequence, final = self._run(inputs, states, mask, training, self.return_sequences,
                                          self._need_states)
        if self.stateful:
            self.states = [s.detach() for s in final]
        output = sequence if self.return_sequences else last
        return (output, *final) if self.return_state else output

    def read(self, inputs, states=None, mask=None):
        """Run over ``inputs (B, T, features)`` from `states` (None: zeros) and return
        ``(outputs (B, T, units), final states)`` whatever ``return_sequences`` and
        ``return_state`` say, at inference (no dropout, no gradients; stateful layers keep
        their carried states): a decoder's prompt, read in one pass where ``step`` would take
        T calls. Masks, ``go_backwards`` and the path as in a call."""
        inputs = self._as_tensor(inputs)
        self._build_once(tuple(inputs.shape))
        states = self._initial_states(inputs, states)
        with torch.no_grad():
            _, sequence, final = self._run(inputs, states, mask, False, True, True)
        return sequence, final

    def _run(self, inputs, states, mask, training, return_sequences, need_states):
        """``(last output, sequence or None, final states)`` of the chosen path."""
        batch = inputs.shape[0]
        if mask is not None:
            mask = torch.as_tensor(mask, device=inputs.device).bool()
            if tuple(mask.shape) != tuple(inputs.shape[:2]):
                raise ValueError(f"{self.name}: mask of shape {tuple(mask.shape)} does not match "
                                 f"inputs (batch, time) = {tuple(inputs.shape[:2])}")
        cell = self.cell
        if training and getattr(cell, "dropout", 0):
            inputs = inputs * dropout_mask((batch, inputs.shape[-1]), cell.dropout,
                                           inputs).unsqueeze(1)
        recurrent_mask = None
        if training and getattr(cell, "recurrent_dropout", 0):
            recurrent_mask = dropout_mask((batch, cell.units), cell.recurrent_dropout, inputs)

        path = self._choose_path(inputs, mask, recurrent_mask is not None)
        if path == "compiled":  # reads the steps backwards itself: no flipped copy
            return compiled.run(cell, inputs, states, recurrent_mask, mask, self.go_backwards,
                                return_sequences, self.zero_output_for_mask)
        if self.go_backwards:
            inputs = inputs.flip(1)
            mask = None if mask is None else mask.flip(1)
        return self._run_forwards(path, inputs, states, mask, recurrent_mask, training,
                                  return_sequences, need_states)

    def step(self, x_t, states=None, mask=None):
        """One time step: ``x_t (B, features)`` from `states` (a list, LSTM ``[h, c]``;
        None: zeros) gives ``(output (B, units), new_states)``, inference only (no
        dropout), whatever ``go_backwards`` says (the caller orders the steps).

        This is what every step-by-step decoder calls. Without gradients it is one
        step (T = 1) of the compiled loop (``layer.path == "compiled"``); otherwise, or
        where that loop cannot run (``fast_path_reason`` says why), the cell's own
        ``step``. With a `mask` ``(B,)``, a row where it is False keeps its states and
        outputs its carried ``h`` (which is the sequence call's output once the row has
        read a real step, as in Keras).
        """
        cell = self.cell
        if not isinstance(x_t, torch.Tensor):
            x_t = torch.as_tensor(x_t)
        if x_t.ndim != 2:
            raise ValueError(f"{self.name}.step expects one step of inputs (batch, features), "
                             f"got shape {tuple(x_t.shape)}")
        if not self.built:
            self._build_once((x_t.shape[0], 1, x_t.shape[-1]))
        states = self._step_states(x_t, states)
        if mask is not None:
            mask = torch.as_tensor(mask, device=x_t.device).bool().reshape(-1)
            if mask.shape[0] != x_t.shape[0]:
                raise ValueError(f"{self.name}.step: mask of shape {tuple(mask.shape)} does "
                                 f"not match the batch of {x_t.shape[0]} rows")
            if bool(mask.all()):
                mask = None
        if self._choose_step_path(x_t, states) == "compiled":
            return compiled.step(cell, x_t, states, mask)
        if isinstance(cell, _Cell):
            output, new_states = cell.step(cell.project(x_t.to(states[0].dtype)), states)
        else:
            output, new_states = _keras_step(cell)(x_t, states)
        if mask is not None:
            real = mask.unsqueeze(-1)
            new_states = [torch.where(real, new, old) for new, old in zip(new_states, states)]
            output = new_states[0] if isinstance(cell, _Cell) else torch.where(
                real, output, states[0])
        return output, list(new_states)

    def _step_states(self, x_t, states):
        """`states` as a list of ``(B, size)`` tensors of the weights' dtype (checked as
        ``initial_state`` is; None: zeros), quickly when they already are."""
        if states is None or isinstance(states, torch.Tensor) or not isinstance(
                self.cell, _Cell):
            return self._initial_states(x_t.unsqueeze(1), states)
        dtype, batch, units = self.cell.recurrent_kernel.dtype, x_t.shape[0], self.cell.units
        if len(states) == self.cell.state_count and all(
                isinstance(s, torch.Tensor) and s.dtype == dtype and s.shape == (batch, units)
                for s in states):
            return list(states)
        return self._initial_states(x_t.unsqueeze(1), states)

    def _choose_step_path(self, x_t, states):
        cell = self.cell
        if self._path_override is not None:
            reason = f"forced to the {self._path_override} path"
        elif not isinstance(cell, _Cell):
            reason = f"{type(cell).__name__} is a custom cell, run step by step"
        elif torch.is_grad_enabled() and any(
                t.requires_grad for t in (x_t, *states, *cell.parameters())):
            reason = "gradients are needed, and the compiled step is for inference"
        else:  # the same answer for the same device and weights' dtype
            key = (x_t.device.type, cell.recurrent_kernel.dtype)
            cached = self.__dict__["_step_reason"]
            if cached is None or cached[0] != key:
                self._step_reason = cached = (key, compiled.reason(cell, x_t))
            reason = cached[1]
        path = "compiled" if reason is None else "loop"
        if self.__dict__["path"] != path or self.__dict__["fast_path_reason"] != reason:
            self.path, self.fast_path_reason = path, reason  # (a module's setattr is slow)
        return path

    def _run_forwards(self, path, inputs, states, mask, recurrent_mask, training, sequences,
                      need_states):
        """The paths other than the compiled one, on inputs already in processing order."""
        cell, zeros = self.cell, self.zero_output_for_mask
        if path == "native":
            return fused.run(cell, inputs, states, mask, sequences, zeros, bool(training),
                             need_states)
        if path == "bptt":
            return bptt.run(cell, cell.project(inputs), states, recurrent_mask, mask, sequences,
                            zeros)
        if path == "loop":
            return rnn_loop(lambda x_t, s: cell.step(x_t, s, recurrent_mask),
                            cell.project(inputs), states, mask, False, sequences, zeros)
        if isinstance(cell, _Cell):
            return rnn_loop(lambda x_t, s: cell.step(cell.project(x_t), s, recurrent_mask),
                            inputs, states, mask, False, sequences, zeros)
        # a cell with Keras's API: call(inputs, states) -> (output, new_states)
        return rnn_loop(_keras_step(cell), inputs, states, mask, False, sequences, zeros)

    def _initial_states(self, inputs, initial_state):
        batch, dtype = inputs.shape[0], self.cell.compute_dtype
        if initial_state is not None:
            given = initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
            states = [torch.as_tensor(s, dtype=dtype, device=inputs.device) for s in given]
        elif self.stateful and self.states is not None:
            states = self.states
        else:
            return [torch.zeros(batch, size, dtype=dtype, device=inputs.device)
                    for size in self._state_sizes]
        sizes = self._state_sizes
        if len(states) != len(sizes):
            raise ValueError(f"{self.name} takes {len(sizes)} initial state tensor(s) "
                             f"({'h, c' if len(sizes) == 2 else 'h'}), got {len(states)}")
        for state, size in zip(states, sizes):
            if tuple(state.shape) != (batch, size):
                raise ValueError(f"{self.name}: a state must have shape (batch, units) = "
                                 f"{(batch, size)}, got {tuple(state.shape)}"
                                 + (" (a stateful layer needs the same batch size every call; "
                                    "reset_states() to start over)" if self.stateful else ""))
        return list(states)

    def _choose_path(self, inputs, mask, recurrent_dropout_on):
        if not isinstance(self.cell, _Cell):
            self.path = "reference"
            self.fast_path_reason = f"{type(self.cell).__name__} is a custom cell, run step by step"
            return self.path
        reason = "the sequence has no steps" if inputs.shape[1] == 0 else compiled.reason(
            self.cell, inputs)
        if reason is None:
            path = "compiled"
        else:
            path = self._slower_path(inputs, mask, recurrent_dropout_on)
        if self._path_override is not None:
            path = self._path_override
            reason = f"forced to the {path} path"
        elif reason is not None:
            say_once(f"{type(self).__name__} runs without seqlab's compiled loop: {reason}")
        self.path, self.fast_path_reason = path, reason
        return path

    def _slower_path(self, inputs, mask, recurrent_dropout_on):
        """torch's kernel where its semantics match, else the hand-derived loop, else the
        plain loop."""
        if inputs.shape[1] == 0:
            return "loop"
        if fused.reason(self.cell, mask, recurrent_dropout_on) is None and not (
                mask is not None and torch.is_grad_enabled()
                and isinstance(self.cell, LSTMCell) and self._need_states):
            return "native"  # (a masked LSTM whose final c is needed would go through
            # packed sequences, which torch trains slowly on a CPU)
        return "bptt" if bptt.reason(self.cell) is None else "loop"


def _keras_step(cell):
    def step(x_t, states):
        output, new_states = cell(x_t, states)
        return output, list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
    return step


class _CellLayer(RNN):
    """A recurrent layer that makes its own cell from the cell's arguments."""

    _cell_class = None

    def __init__(self, cell_arguments, return_sequences, return_state, go_backwards, stateful,
                 unroll, **kwargs):
        layer_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _LAYER_KEYWORDS}
        cell = self._cell_class(**cell_arguments, **kwargs,
                                dtype=layer_kwargs.get("dtype"), name="cell")
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful, unroll,
                         **layer_kwargs)


_LAYER_KEYWORDS = {"name", "trainable", "dtype", "input_shape", "batch_input_shape", "input_dim",
                   "weights", "zero_output_for_mask"}


class SimpleRNN(_CellLayer):
    """Fully-connected RNN, ``h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)``
    (see ``SimpleRNNCell``). Weights: ``kernel (in, u)``, ``recurrent_kernel (u, u)``, ``bias (u,)``."""

    _cell_class = SimpleRNNCell

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        super().__init__(dict(units=units, activation=activation, use_bias=use_bias,
                              kernel_initializer=kernel_initializer,
                              recurrent_initializer=recurrent_initializer,
                              bias_initializer=bias_initializer, dropout=dropout,
                              recurrent_dropout=recurrent_dropout, seed=seed),
                         return_sequences, return_state, go_backwards, stateful, unroll, **kwargs)


class LSTM(_CellLayer):
    """Long short-term memory (see ``LSTMCell`` for the equations, gates ``i, f, c, o``).

    Weights: ``kernel (in, 4u)``, ``recurrent_kernel (u, 4u)``, ``bias (4u,)``.
    """

    _cell_class = LSTMCell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        super().__init__(dict(units=units, activation=activation,
                              recurrent_activation=recurrent_activation, use_bias=use_bias,
                              kernel_initializer=kernel_initializer,
                              recurrent_initializer=recurrent_initializer,
                              bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                              dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed),
                         return_sequences, return_state, go_backwards, stateful, unroll, **kwargs)


class GRU(_CellLayer):
    """Gated recurrent unit (see ``GRUCell``, gates ``z, r, h``).

    Weights: ``kernel (in, 3u)``, ``recurrent_kernel (u, 3u)``, ``bias (2, 3u)`` with
    ``reset_after=True`` (default) or ``(3u,)`` with ``reset_after=False``.
    """

    _cell_class = GRUCell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0, seed=None,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, reset_after=True, **kwargs):
        super().__init__(dict(units=units, activation=activation,
                              recurrent_activation=recurrent_activation, use_bias=use_bias,
                              kernel_initializer=kernel_initializer,
                              recurrent_initializer=recurrent_initializer,
                              bias_initializer=bias_initializer, dropout=dropout,
                              recurrent_dropout=recurrent_dropout, reset_after=reset_after,
                              seed=seed),
                         return_sequences, return_state, go_backwards, stateful, unroll, **kwargs)
