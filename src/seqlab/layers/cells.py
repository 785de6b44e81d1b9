"""Recurrent cells: the step math only, with Keras's weights.

A cell owns ``kernel (input_dim, G u)``, ``recurrent_kernel (u, G u)`` and ``bias``,
where ``G`` is its number of gate blocks, stacked in Keras's order. It splits one
step into two parts so that the loop can hoist the first out of time:

* ``project(x)``: the input part of every gate, ``x @ kernel + input_bias``, for one
  step ``(batch, input_dim)`` or all steps at once ``(batch, time, input_dim)``;
* ``step(projected_t, states, recurrent_mask)``: the recurrent part and the gate
  non-linearities for one step, returning ``(output, new_states)``.

``recurrent_mask`` is the recurrent-dropout mask (already scaled by ``1/(1-rate)``),
one per sequence, multiplied into ``h_{t-1}`` where it enters a recurrent matmul; the
un-dropped ``h_{t-1}`` is used everywhere else. ``call(inputs, states)`` is Keras's
cell API, ``step(project(inputs), states)``.

Shapes: ``x_t (B, input_dim)``, ``h (B, u)``, ``c (B, u)``, projections ``(B, G u)``.
"""
from __future__ import annotations

import torch

from . import activations, initializers
from ._base import Layer


class _Cell(Layer):
    gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise ValueError(f"{type(self).__name__}: units must be a positive int, got {units!r}")
        for label, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0 <= rate < 1:
                raise ValueError(f"{type(self).__name__}: {label} must be in [0, 1), got {rate!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.seed = seed

    state_count = 1

    @property
    def state_size(self):
        return [self.units] * self.state_count

    def build(self, input_shape):
        width = self.gates * self.units
        self.add_weight("kernel", (input_shape[-1], width), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (self.units, width), self.recurrent_initializer)
        if self.use_bias:
            self.add_weight("bias", self._bias_shape(), self._bias_initializer())

    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def _input_bias(self):
        return self.bias if self.use_bias else None

    def project(self, x):
        """The input part of every gate: ``x @ kernel + input_bias`` (any leading shape)."""
        bias = self._input_bias()
        if bias is None:
            return x @ self.kernel
        # one addmm: the bias is the product's starting value, not a second pass
        flat = torch.addmm(bias, x.reshape(-1, x.shape[-1]), self.kernel)
        return flat.view(*x.shape[:-1], flat.shape[-1])

    def step(self, projected, states, recurrent_mask=None):
        raise NotImplementedError

    def get_initial_state(self, batch_size, dtype=None, device=None):
        dtype = dtype or self.compute_dtype
        return [torch.zeros(batch_size, self.units, dtype=dtype, device=device)
                for _ in range(self.state_count)]

    def call(self, inputs, states, training=False):
        """Keras's cell API: one step from raw inputs. Dropout, if any, draws fresh masks."""
        if not isinstance(states, (list, tuple)):
            states = [states]
        if training and self.dropout:
            inputs = inputs * dropout_mask(inputs.shape, self.dropout, inputs)
        recurrent_mask = None
        if training and self.recurrent_dropout:
            recurrent_mask = dropout_mask(states[0].shape, self.recurrent_dropout, states[0])
        return self.step(self.project(inputs), list(states), recurrent_mask)


class SimpleRNNCell(_Cell):
    """``h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)``; output ``h_t``.

    Weights: ``kernel (input_dim, u)``, ``recurrent_kernel (u, u)``, ``bias (u,)``.
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, activation, None, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, dropout, recurrent_dropout, seed,
                         **kwargs)

    def step(self, projected, states, recurrent_mask=None):
        h = states[0] if recurrent_mask is None else states[0] * recurrent_mask
        h = self.activation(projected + h @ self.recurrent_kernel)
        return h, [h]


class LSTMCell(_Cell):
    """Long short-term memory, gate blocks ``[i | f | c | o]``::

        z = x_t @ kernel + bias + h_{t-1} @ recurrent_kernel          (B, 4u)
        i = ra(z_i)   f = ra(z_f)   g = a(z_c)   o = ra(z_o)            ra: recurrent_activation
        c_t = f * c_{t-1} + i * g                                       a: activation
        h_t = o * a(c_t)                      output h_t, states [h_t, c_t]

    Weights: ``kernel (input_dim, 4u)``, ``recurrent_kernel (u, 4u)``, ``bias (4u,)``;
    ``unit_forget_bias=True`` starts the forget block of the bias at 1.
    """

    gates = 4
    state_count = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, dropout, recurrent_dropout, seed,
                         **kwargs)
        self.unit_forget_bias = unit_forget_bias

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        units, base = self.units, initializers.get(self.bias_initializer)

        def forget_at_one(shape, dtype=None):
            return torch.cat([base((units,), dtype), torch.ones(units, dtype=dtype),
                              base((2 * units,), dtype)])
        return forget_at_one

    def step(self, projected, states, recurrent_mask=None):
        h, c = states
        h_in = h if recurrent_mask is None else h * recurrent_mask
        z = projected + h_in @ self.recurrent_kernel
        z_i, z_f, z_c, z_o = z.chunk(4, dim=-1)
        ra = self.recurrent_activation
        c = ra(z_f) * c + ra(z_i) * self.activation(z_c)
        h = ra(z_o) * self.activation(c)
        return h, [h, c]


class GRUCell(_Cell):
    """Gated recurrent unit, gate blocks ``[z | r | h]``. With ``reset_after=True``
    (Keras's default, cuDNN's convention; ``bias (2, 3u)`` = input and recurrent rows)::

        x_z, x_r, x_h = split(x_t @ kernel + bias[0])
        h_z, h_r, h_h = split(h_{t-1} @ recurrent_kernel + bias[1])
        z = ra(x_z + h_z)   r = ra(x_r + h_r)   hh = a(x_h + r * h_h)
        h_t = z * h_{t-1} + (1 - z) * hh

    With ``reset_after=False`` (``bias (3u,)``, input side only) the reset gate acts
    before the matmul: ``hh = a(x_h + (r * h_{t-1}) @ recurrent_kernel[:, 2u:])``, and
    ``h_z, h_r`` come from ``h_{t-1} @ recurrent_kernel[:, :2u]``.
    """

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, dropout, recurrent_dropout, seed,
                         **kwargs)
        self.reset_after = reset_after

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        if not self.use_bias:
            return None
        return self.bias[0] if self.reset_after else self.bias

    def recurrent_projection(self, h):
        """``h @ recurrent_kernel + bias[1]``: the recurrent part of every gate, with
        ``reset_after=True`` only (``step`` = ``combine(projected, this, h)``; one state
        shared by many inputs needs it once)."""
        inner = h @ self.recurrent_kernel
        return inner + self.bias[1] if self.use_bias else inner

    def combine(self, projected, inner, h):
        """The new state from the input part `projected` and the recurrent part `inner`
        of the gates (``reset_after=True``); returns ``(h_t, [h_t])`` as ``step``."""
        ra = self.recurrent_activation
        x_z, x_r, x_h = projected.chunk(3, dim=-1)
        h_z, h_r, h_h = inner.chunk(3, dim=-1)
        z, r = ra(x_z + h_z), ra(x_r + h_r)
        candidate = self.activation(x_h + r * h_h)
        h = z * h + (1 - z) * candidate
        return h, [h]

    def step(self, projected, states, recurrent_mask=None):
        h = states[0]
        h_in = h if recurrent_mask is None else h * recurrent_mask
        if self.reset_after:
            return self.combine(projected, self.recurrent_projection(h_in), h)
        u, ra = self.units, self.recurrent_activation
        x_z, x_r, x_h = projected.chunk(3, dim=-1)
        h_z, h_r = (h_in @ self.recurrent_kernel[:, :2 * u]).chunk(2, dim=-1)
        z, r = ra(x_z + h_z), ra(x_r + h_r)
        candidate = self.activation(x_h + (r * h_in) @ self.recurrent_kernel[:, 2 * u:])
        h = z * h + (1 - z) * candidate
        return h, [h]


def dropout_mask(shape, rate, like):
    """A scaled dropout mask: 0 with probability `rate`, else ``1 / (1 - rate)``."""
    keep = torch.empty(shape, dtype=like.dtype, device=like.device).bernoulli_(1 - rate)
    return keep / (1 - rate)
