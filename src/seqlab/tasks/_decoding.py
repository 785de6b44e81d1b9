"""Next-token scores from a trained language model, one token at a time.

A language model here is ``Embedding → recurrent layers → (Dropout) → Dense(V)``. Two ways
to get the scores of the token after a text:

* ``IncrementalDecoder`` carries every recurrent layer's state: each new token costs one
  ``RNN.step`` per layer (one step of the compiled loop), however long the text
  already is; a prompt is one ``RNN.read`` per layer. A model trained on windows of at
  most ``context`` tokens is kept inside what it was trained on: when the state has read
  ``context`` tokens, it is rebuilt from the last ``context // 2`` tokens, so every
  prediction sees between ``context // 2`` and ``context`` tokens and the cost per token
  stays at most two steps on average (the rebuild is one ``RNN.read``). ``context=None``
  (a stateful model trained on a continuous text) carries the state for ever.
* ``RerunDecoder`` is the course's loop: pad the last ``context`` tokens and run the whole
  model again for every new token. It is the only way for a Bidirectional model (its
  backward direction starts from the newest token) and the reference for the fast one.

With ``mask_zero=True`` in the Embedding, pre-padding is skipped by the recurrent layers,
so both give the same scores while the text is at most ``context`` tokens long (tested).
"""
from __future__ import annotations

import torch

from ..layers import RNN, Bidirectional, Dense, Dropout, Embedding


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
        if tokens.shape[1] == 1:  # one token: one step of every layer
            # the row itself (``embeddings[index]``, what the layer computes), not the
            # layer's call: its index checks and mask cost more than the row; a token id
            # the Embedding does not have still raises IndexError (below 0 too)
            if int(tokens.min()) < 0:
                raise IndexError(f"token ids must be >= 0, got {int(tokens.min())}")
            x = self.embedding.embeddings[tokens[:, 0]]  # (B, E)
            for index, layer in enumerate(self.recurrent):
                x, self.states[index] = layer.step(x, self.states[index])
        else:  # a prompt or a rebuilt window: one pass of every layer
            x = self.embedding(tokens)  # (B, n, E)
            for index, layer in enumerate(self.recurrent):
                x, self.states[index] = layer.read(x, self.states[index])
            x = x[:, -1]
        self.steps_read += tokens.shape[1]
        return _scores(self.dense, x)


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


def _parts(model):
    layers = [layer for layer in model.layers if not isinstance(layer, Dropout)]
    if len(layers) < 3 or not isinstance(layers[0], Embedding) or \
            not isinstance(layers[-1], Dense):
        raise ValueError("a language model is Embedding → recurrent layers → Dense; this one "
                         f"is {' → '.join(type(layer).__name__ for layer in model.layers)}")
    return layers[0], layers[1:-1], layers[-1]


def _scores(dense, h):
    """Log-probabilities up to a constant: a softmax layer's logits, else the log of
    the layer's output."""
    if dense.activation.__name__ == "softmax":
        return dense.logits(h)
    return torch.log(dense(h).clamp_min(1e-30))
