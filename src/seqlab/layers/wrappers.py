"""``Bidirectional``: a recurrent layer run forwards and backwards, outputs merged."""
from __future__ import annotations

import torch

from ._base import Layer, clone
from .recurrent import RNN

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """Runs a copy of `layer` forwards and another (``go_backwards=True``) backwards.

    Both copies get fresh weights, named ``forward_<name>`` and ``backward_<name>``
    (or pass your own ``backward_layer``). The backward sequence is reversed back into
    time order before merging (``concat`` on the last axis, ``sum``, ``mul``, ``ave``,
    or ``None`` for the pair), so with ``return_sequences`` step ``t`` of the output
    sees the whole text from both sides. Masks go to both directions; masked steps of
    the returned sequences are zeros, and left- and right-padded rows give the same
    results. ``initial_state`` takes the forward states then the backward ones;
    ``return_state`` returns ``output, *forward_states, *backward_states``.
    ``get_weights()`` lists the forward layer's weights, then the backward layer's.
    """

    supports_masking = True

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, RNN):
            raise ValueError(f"Bidirectional wraps a recurrent layer (SimpleRNN, LSTM, GRU, RNN), "
                             f"got {layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: merge_mode must be one of "
                             f"{', '.join(map(repr, _MERGE_MODES))}, got {merge_mode!r}")
        self.merge_mode = merge_mode
        base = layer.name.removeprefix("forward_")
        self.forward_layer = clone(layer, name=f"forward_{base}")
        if backward_layer is None:
            backward_layer = clone(layer, name=f"backward_{base}", go_backwards=True)
        elif not isinstance(backward_layer, RNN):
            raise ValueError(f"backward_layer must be a recurrent layer, got {backward_layer!r}")
        self.backward_layer = backward_layer
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError("Bidirectional: the forward and backward layers must have different "
                             f"go_backwards, both have {self.forward_layer.go_backwards}")
        for attribute in ("stateful", "return_sequences", "return_state"):
            ours, theirs = (getattr(self.forward_layer, attribute),
                            getattr(self.backward_layer, attribute))
            if ours != theirs:
                raise ValueError(f"Bidirectional: the forward and backward layers must have the "
                                 f"same {attribute}, got {ours} and {theirs}")
        # Keras: the directions write zeros at masked steps when sequences are returned.
        for direction in (self.forward_layer, self.backward_layer):
            direction.zero_output_for_mask = direction.return_sequences
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = layer.stateful

    def build(self, input_shape):
        self.forward_layer._build_once(input_shape)
        self.backward_layer._build_once(input_shape)

    def call(self, inputs, mask=None, training=None, initial_state=None):
        forward_state = backward_state = None
        if initial_state is not None:
            initial_state = list(initial_state)
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(inputs, mask=mask, training=training, initial_state=forward_state)
        y_rev = self.backward_layer(inputs, mask=mask, training=training,
                                    initial_state=backward_state)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev.flip(1)
        if self.merge_mode == "concat":
            output = torch.cat([y, y_rev], dim=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = (y, y_rev)
        if self.merge_mode is None:
            return output + states
        return (output, *states) if states else output

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences and self.merge_mode is not None else None

    def compute_output_shape(self, input_shape):
        forward = self.forward_layer.compute_output_shape(input_shape)
        backward = self.backward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            states = forward[1:] + backward[1:]
            forward, backward = forward[0], backward[0]
        if self.merge_mode is None:
            return [forward, backward] + states
        output = forward
        if self.merge_mode == "concat":
            output = forward[:-1] + (forward[-1] + backward[-1],)
        return [output] + states if states else output

    def reset_states(self, states=None):
        if not self.stateful:
            raise AttributeError(f"{self.name} is not stateful")
        half = None if states is None else len(states) // 2
        self.forward_layer.reset_states(None if states is None else states[:half])
        self.backward_layer.reset_states(None if states is None else states[half:])

    reset_state = reset_states

    @property
    def fast_path_reason(self):
        return self.forward_layer.fast_path_reason or self.backward_layer.fast_path_reason
