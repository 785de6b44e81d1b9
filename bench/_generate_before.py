"""seqlab's incremental text generation as it was before issue 22, kept as the bench's
"before" contender (bench_generate.py times it in the same run as today's path).

Per token: one torch fused cell op per recurrent layer (``torch.lstm_cell`` etc. on the
weights converted once by ``fused.torch_weights``), the Dense layer's logits, and the
sampling rules written as Python loops over the rows and the history, with
``torch.multinomial`` for the draw. Same rules and the same decoder contract as
``seqlab.tasks._decoding.IncrementalDecoder`` and ``_sampling.choose_next``.
"""
from __future__ import annotations

import torch

from seqlab.layers import Dropout, GRUCell, LSTMCell, fused
from seqlab.tasks import generate as recipe


class OldIncrementalDecoder:
    def __init__(self, model, context=None):
        layers = [layer for layer in model.layers if not isinstance(layer, Dropout)]
        self.embedding, self.recurrent, self.dense = layers[0], layers[1:-1], layers[-1]
        self.context = context
        self.steppers = [_native_stepper(layer.cell) for layer in self.recurrent]

    @torch.no_grad()
    def start(self, tokens):
        self.tokens = torch.as_tensor(tokens, dtype=torch.long)
        batch = self.tokens.shape[0]
        dtype = self.embedding.embeddings.dtype
        self.states = [layer.cell.get_initial_state(batch, dtype) for layer in self.recurrent]
        self.steps_read = 0
        return self._read(self.tokens)

    @torch.no_grad()
    def push(self, next_tokens):
        next_tokens = torch.as_tensor(next_tokens, dtype=torch.long).reshape(-1, 1)
        self.tokens = torch.cat([self.tokens, next_tokens], dim=1)
        if self.context is not None and self.steps_read >= self.context:
            return self.start(self.tokens[:, -max(1, self.context // 2):])
        return self._read(next_tokens)

    def _read(self, tokens):
        x = self.embedding.embeddings[tokens]
        for index, step in enumerate(self.steppers):
            states, outputs = self.states[index], []
            for t in range(x.shape[1]):
                output, states = step(x[:, t], states)
                outputs.append(output)
            self.states[index] = states
            x = outputs[0].unsqueeze(1) if len(outputs) == 1 else torch.stack(outputs, dim=1)
        self.steps_read += tokens.shape[1]
        dense = self.dense
        return torch.addmm(dense.bias, x[:, -1], dense.kernel)  # a softmax layer's logits


def _native_stepper(cell):
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


def old_choose_next(logits, history, settings, generator=None, banned=()):
    scores = logits.detach().to(torch.float64).clone()
    if banned:
        scores[:, list(banned)] = float("-inf")
    if settings.repetition_penalty != 1:
        for row, tokens in enumerate(history):
            if tokens:
                seen = torch.tensor(sorted(set(tokens)), dtype=torch.long)
                values = scores[row, seen]
                scores[row, seen] = torch.where(values > 0, values / settings.repetition_penalty,
                                                values * settings.repetition_penalty)
    n = settings.no_repeat_ngram_size
    if n:
        for row, tokens in enumerate(history):
            if len(tokens) < n:
                continue
            prefix = tuple(tokens[len(tokens) - n + 1:])
            followers = [tokens[i + n - 1] for i in range(len(tokens) - n + 1)
                         if tuple(tokens[i:i + n - 1]) == prefix]
            if followers:
                allowed = scores[row].clone()
                allowed[followers] = float("-inf")
                if torch.isfinite(allowed).any():
                    scores[row] = allowed
    if settings.temperature == 0:
        return scores.argmax(dim=1)
    scores = scores / settings.temperature
    if settings.top_k is not None and settings.top_k < scores.shape[1]:
        kth_best = scores.topk(settings.top_k, dim=1).values[:, -1:]
        scores = scores.masked_fill(scores < kth_best, float("-inf"))
    if settings.top_p is not None and settings.top_p < 1:
        ordered, order = scores.sort(dim=1, descending=True)
        probabilities = torch.softmax(ordered, dim=1)
        drop = probabilities.cumsum(dim=1) - probabilities >= settings.top_p - 1e-9
        drop[:, 0] = False
        scores = scores.scatter(1, order, ordered.masked_fill(drop, float("-inf")))
    return torch.multinomial(torch.softmax(scores, dim=1), 1, generator=generator).squeeze(1)


def old_generate(model, config, context, seed_text, length, settings, seed=0):
    """The loop of ``recipe.generate`` before issue 22 (one sample, lists for the history)."""
    tokenizer = model.tokenizer
    tokens = recipe.encode_seed(tokenizer, config, context, seed_text)
    generator = torch.Generator().manual_seed(seed)
    decoder = OldIncrementalDecoder(model, None if config.mode == "stateful" else context)
    banned = {0} | ({tokenizer.word_index[tokenizer.oov_token]} if tokenizer.oov_token else set())
    history = [list(tokens)]
    scores = decoder.start(torch.tensor(history))
    for _ in range(length):
        chosen = old_choose_next(scores, history, settings, generator, banned)
        history[0].append(int(chosen[0]))
        scores = decoder.push(chosen)
    return history[0]
