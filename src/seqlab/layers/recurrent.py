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
        batch = inputs.shape[0]
        states = self._initial_states(inputs, initial_state)
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

        if (path := self._choose_path(inputs, mask, recurrent_mask is not None)) == "compiled":  # reads the steps backwards itself: no flipped copy
            last, sequence, final = compiled.run(cell, inputs, states, recurrent_mask, mask,
                                                 self.go_backwards, self.return_sequences,
                                                 self.zero_output_for_mask)
        else:
            if self.go_backwards:
                inputs = inputs.flip(1)
                mask = None if mask is None else mask.flip(1)
            last, sequence, final = self._run_forwards(path, inputs, states, mask,
                                                       recurrent_mask, training)

        if self.stateful:
            self.states = [s.detach() for s in final]
        output = sequence if self.return_sequences else last
        return (output, *final) if self.return_state else output

    def _run_forwards(self, path, inputs, states, mask, recurrent_mask, training):
        """The paths other than the compiled one, on inputs already in processing order."""
        cell, sequences, zeros = self.cell, self.return_sequences, self.zero_output_for_mask
        if path == "native":
            return fused.run(cell, inputs, states, mask, sequences, zeros, bool(training),
                             self._need_states)
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
