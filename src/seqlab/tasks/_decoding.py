"""Next-token scores from a trained language model, one token at a time.

A language model here is ``Embedding → recurrent layers → (Dropout) → Dense(V)``. Two ways
to get the scores of the token after a text:

* ``IncrementalDecoder`` carries every recurrent layer's state: each new token costs one
  cell step per layer (torch's fused cell op when the cell's math is torch's), however
  long the text already is. A model trained on windows of at
  most ``context`` tokens is kept inside what it was trained on: when the state has read
  ``context`` tokens, it is rebuilt from the last ``context // 2`` tokens, so every
  prediction sees between ``context // 2`` and ``context`` tokens and the cost per token
  stays at most two cell steps on average. ``context=None`` (a stateful model trained
  on a continuous text) carries the state for ever.
* ``RerunDecoder`` is the course's loop: pad the last ``context`` tokens and run the whole
  model again for every new token. It is the only way for a Bidirectional model (its
  backward direction starts from the newest token) and the reference for the fast one.

With ``mask_zero=True`` in the Embedding, pre-padding is skipped by the recurrent layers,
so both give the same scores while the text is at most ``context`` tokens long (tested).
"""
from __future__ import annotations

import torch

from ..layers import RNN, Bidirectional, Dense, Dropout, Embedding, GRUCell, LSTMCell, fused


class IncrementalDecoder:
    """``start(tokens (B, n))`` → scores ``(B, V)`` of the next token; ``push(next (B,))``
    appends one token per row and returns the scores after it."""

    def __init__(self, model, context=None):
        self.embedding, self.recurrent, self.dense = _parts(model)
        for layer in self.recurrent:
            if not isinstance(layer, RNN) or layer.go_backwards:
                raise ValueError(f"{layer.name} cannot be decoded one token at a time "
                                 "(only forward SimpleRNN/LSTM/GRU layers can); use "
                                 "RerunDecoder")
        self.context = context
        self.tokens = None
        self.states = None
        self.steps_read = 0  # tokens the states have read since the last start
        # One fused torch op per layer and step where the cell's math is torch's (the
        # same test as the layers' fast path); else the cell's own step.
        self.steppers = [_native_stepper(layer.cell) or _cell_stepper(layer.cell)
                         for layer in self.recurrent]

    @torch.no_grad()
    def start(self, tokens):
        """Read `tokens` ``(B, n)`` (no padding) from zero states."""
        self.tokens = torch.as_tensor(tokens, dtype=torch.long)
        if self.tokens.ndim != 2 or self.tokens.shape[1] < 1:
            raise ValueError("start() needs a (batch, n >= 1) array of token ids")
        batch = self.tokens.shape[0]
        dtype = self.embedding.embeddings.dtype
        self.states = [layer.cell.get_initial_state(batch, dtype) for layer in self.recurrent]
        self.steps_read = 0
        return self._read(self.tokens)

    @torch.no_grad()
    def push(self, next_tokens):
        """Append `next_tokens` ``(B,)`` and return the scores of the token after them."""
        next_tokens = torch.as_tensor(next_tokens, dtype=torch.long).reshape(-1, 1)
        self.tokens = torch.cat([self.tokens, next_tokens], dim=1)
        if self.context is not None and self.steps_read >= self.context:
            return self.start(self.tokens[:, -max(1, self.context // 2):])
        return self._read(next_tokens)

    def _read(self, tokens):
        x = self.embedding.embeddings[tokens]  # (B, n, E)
        for index, step in enumerate(self.steppers):
            states, outputs = self.states[index], []
            for t in range(x.shape[1]):
                output, states = step(x[:, t], states)
                outputs.append(output)
            self.states[index] = states
            x = outputs[0].unsqueeze(1) if len(outputs) == 1 else torch.stack(outputs, dim=1)
        self.steps_read += tokens.shape[1]
        return _scores(self.dense, x[:, -1])


class RerunDecoder:
    """The course's loop: the last `context` tokens, pre-padded, through the whole model."""

    def __init__(self, model, context):
        self.model = model
        self.context = context
        self.tokens = None

    def start(self, tokens):
        self.tokens = torch.as_tensor(tokens, dtype=torch.long)
        return self._scores()

    def push(self, next_tokens):
        next_tokens = torch.as_tensor(next_tokens, dtype=torch.long).reshape(-1, 1)
        self.tokens = torch.cat([self.tokens, next_tokens], dim=1)
        return self._scores()

    @torch.no_grad()
    def _scores(self):
        window = self.tokens[:, -self.context:]
        padded = torch.zeros(window.shape[0], self.context, dtype=torch.long)
        padded[:, self.context - window.shape[1]:] = window
        probabilities = self.model(padded, training=False)
        if probabilities.ndim == 3:  # a sequence model: the last step predicts the next
            probabilities = probabilities[:, -1]
        return torch.log(probabilities.clamp_min(1e-30))


def decoder_for(model, context, stateful=False):
    """The fastest decoder the model allows (incremental unless it is bidirectional)."""
    if any(isinstance(layer, Bidirectional) for layer in model.layers):
        return RerunDecoder(model, context)
    return IncrementalDecoder(model, None if stateful else context)


def _cell_stepper(cell):
    def step(x, states):
        return cell.step(cell.project(x), states)
    return step


def _native_stepper(cell):
    """One step as torch's fused cell op (``lstm_cell``, ``gru_cell``, ``rnn_*_cell``) on
    the weights converted once, or None when the cell's math is not torch's."""
    if fused.reason(cell, None, False) is not None:
        return None
    weights = [w.detach().contiguous() for w in fused.torch_weights(cell)]
    if isinstance(cell, LSTMCell):
        def step(x, states):
            h, c = torch.lstm_cell(x, states, *weights)
            return h, [h, c]
    else:
        function = (torch.gru_cell if isinstance(cell, GRUCell) else torch.rnn_tanh_cell
                    if cell.activation is torch.tanh else torch.rnn_relu_cell)

        def step(x, states):
            h = function(x, states[0], *weights)
            return h, [h]
    return step


def _parts(model):
    layers = [layer for layer in model.layers if not isinstance(layer, Dropout)]
    if len(layers) < 3 or not isinstance(layers[0], Embedding) or \
            not isinstance(layers[-1], Dense):
        raise ValueError("a language model is Embedding → recurrent layers → Dense; this one "
                         f"is {' → '.join(type(layer).__name__ for layer in model.layers)}")
    return layers[0], layers[1:-1], layers[-1]


def _scores(dense, h):
    """Log-probabilities up to a constant: the Dense layer's pre-softmax output."""
    scores = torch.addmm(dense.bias, h, dense.kernel) if dense.use_bias else h @ dense.kernel
    if dense.activation.__name__ == "softmax":
        return scores
    return torch.log(dense.activation(scores).clamp_min(1e-30))
