"""Choosing the next token from a language model's scores.

``choose_next(logits, history, settings, generator)`` applies, in this order, to a batch of
next-token scores ``logits (B, V)`` (log-probabilities up to a constant):

1. banned tokens (padding, the OOV token) get ``-inf``;
2. ``repetition_penalty`` p (CTRL's rule): for every token already in the row's text, a
   positive score s becomes ``s / p`` and a negative one ``s * p``, so p > 1 makes
   repeats less likely whatever the sign;
3. ``no_repeat_ngram_size`` n: a token that would complete an n-gram already in the text
   gets ``-inf`` (unless that would ban every token);
4. ``temperature`` T: 0 picks the best remaining token (greedy); otherwise the scores are
   divided by T (T < 1 sharpens, T > 1 flattens);
5. ``top_k`` k: only the k best tokens stay;
6. ``top_p`` q (nucleus): only the smallest set of best tokens whose probabilities sum to
   at least q stays (the best token always stays);
7. one token is drawn from ``softmax`` of what is left, with the seeded ``generator``.
"""
from __future__ import annotations

import torch

from .configs import SamplingSettings


def choose_next(logits, history, settings: SamplingSettings, generator=None, banned=()):
    """The next token of every row: a LongTensor ``(B,)``.

    Args:
        logits: ``(B, V)`` scores (not modified).
        history: list of B lists of token ids, each row's text so far (seed included).
        settings: a checked ``SamplingSettings``.
        generator: a ``torch.Generator`` for repeatable draws.
        banned: token ids never to produce.
    """
    scores = logits.detach().to(torch.float64).clone()
    if banned:
        scores[:, list(banned)] = float("-inf")
    if settings.repetition_penalty != 1:
        scores = _penalize_repeats(scores, history, settings.repetition_penalty)
    if settings.no_repeat_ngram_size:
        scores = _ban_repeated_ngrams(scores, history, settings.no_repeat_ngram_size)
    if settings.temperature == 0:
        return scores.argmax(dim=1)
    scores = scores / settings.temperature
    if settings.top_k is not None and settings.top_k < scores.shape[1]:
        kth_best = scores.topk(settings.top_k, dim=1).values[:, -1:]
        scores = scores.masked_fill(scores < kth_best, float("-inf"))
    if settings.top_p is not None and settings.top_p < 1:
        scores = _nucleus(scores, settings.top_p)
    probabilities = torch.softmax(scores, dim=1)
    return torch.multinomial(probabilities, 1, generator=generator).squeeze(1)


def _penalize_repeats(scores, history, penalty):
    for row, tokens in enumerate(history):
        if not tokens:
            continue
        seen = torch.tensor(sorted(set(tokens)), dtype=torch.long)
        values = scores[row, seen]
        scores[row, seen] = torch.where(values > 0, values / penalty, values * penalty)
    return scores


def _ban_repeated_ngrams(scores, history, n):
    for row, tokens in enumerate(history):
        if len(tokens) < n:
            continue
        prefix = tuple(tokens[len(tokens) - n + 1:])  # the last n-1 tokens
        followers = [tokens[i + n - 1] for i in range(len(tokens) - n + 1)
                     if tuple(tokens[i:i + n - 1]) == prefix]
        if followers:
            allowed = scores[row].clone()
            allowed[followers] = float("-inf")
            if torch.isfinite(allowed).any():  # never leave a row with nothing to pick
                scores[row] = allowed
    return scores


def _nucleus(scores, top_p):
    ordered, order = scores.sort(dim=1, descending=True)
    probabilities = torch.softmax(ordered, dim=1)
    before = probabilities.cumsum(dim=1) - probabilities  # the mass of the better tokens
    # Drop a token when the better tokens already reach top_p (with a rounding margin, so
    # that 0.5 + 0.3 reaches 0.8).
    drop = before >= top_p - 1e-9
    drop[:, 0] = False
    return scores.scatter(1, order, ordered.masked_fill(drop, float("-inf")))

