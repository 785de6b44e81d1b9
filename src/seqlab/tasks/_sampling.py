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
7. one token is drawn from ``softmax`` of what is left, with the seeded ``generator``:
   one sort of each row, and inverse transform sampling on the kept prefix's
   cumulative probabilities.

Every rule is whole-tensor work on the batch, without a Python loop over rows or over the
history: the history becomes a ``(B, L)`` tensor (rows of unequal length are padded on
the left with an id past the vocabulary, which matches nothing), repeats are one gather
and one scatter, and the n-grams one comparison of the last ``n - 1`` tokens with every
window of the text.
"""
from __future__ import annotations

import torch

from .configs import SamplingSettings


def choose_next(logits, history, settings: SamplingSettings, generator=None, banned=()):
    """The next token of every row: a LongTensor ``(B,)``.

    Args:
        logits: ``(B, V)`` scores (not modified).
        history: each row's text so far (seed included): a list of B lists of token ids,
            or a LongTensor ``(B, L)``.
        settings: a checked ``SamplingSettings``.
        generator: a ``torch.Generator`` for repeatable draws.
        banned: token ids never to produce.
    """
    scores = logits.detach().to(torch.float64, copy=True)
    vocab = scores.shape[1]
    if banned:
        scores[:, list(banned)] = float("-inf")
    penalize = settings.repetition_penalty != 1
    if penalize or settings.no_repeat_ngram_size:
        tokens = _as_tensor(history, vocab)
        padded = not isinstance(history, torch.Tensor) and bool(tokens.numel()) and bool(
            (tokens[:, 0] == vocab).any())
        if padded:  # one more column, for the padding id to land in (-inf: never a choice)
            scores = torch.cat([scores, scores.new_full((scores.shape[0], 1), float("-inf"))],
                               dim=1)
        if penalize:
            scores = _penalize_repeats(scores, tokens, settings.repetition_penalty)
        if settings.no_repeat_ngram_size:
            scores = _ban_repeated_ngrams(scores, tokens, settings.no_repeat_ngram_size)
        scores = scores[:, :vocab]
    if settings.temperature == 0:
        return scores.argmax(dim=1)
    scores = scores / settings.temperature
    if settings.top_k is not None and settings.top_k < vocab:
        kth_best = scores.topk(settings.top_k, dim=1).values[:, -1:]
        scores = scores.masked_fill(scores < kth_best, float("-inf"))
    return _draw(scores, settings.top_p, generator)


def _as_tensor(history, vocab):
    """``(B, L)`` token ids; shorter rows padded on the left with ``vocab`` (no token)."""
    if isinstance(history, torch.Tensor):
        return history.to(torch.long)
    longest = max((len(row) for row in history), default=0)
    if all(len(row) == longest for row in history):
        return torch.tensor(history, dtype=torch.long).reshape(len(history), longest)
    return torch.tensor([[vocab] * (longest - len(row)) + list(row) for row in history],
                        dtype=torch.long)


def _penalize_repeats(scores, tokens, penalty):
    """Every score of a token in the row's text, divided (positive) or multiplied
    (negative) by `penalty`: a token seen twice is gathered twice and written back twice
    with the same value."""
    if not tokens.numel():
        return scores
    values = scores.gather(1, tokens)
    return scores.scatter(1, tokens, torch.where(values > 0, values / penalty,
                                                 values * penalty))


def _ban_repeated_ngrams(scores, tokens, n):
    """-inf for each token that followed an earlier occurrence of the last n-1 tokens
    (rows padded on the left: a window holding padding matches no real prefix)."""
    length = tokens.shape[1]
    if length < n:
        return scores
    prefix = tokens[:, length - n + 1:]  # (B, n-1): the last n-1 tokens
    windows = tokens.unfold(1, n - 1, 1)[:, :length - n + 1]  # (B, L-n+1, n-1)
    matches = (windows == prefix.unsqueeze(1)).all(dim=2)  # window i is the prefix
    # the token after window i gets -inf where it matched (adding 0 elsewhere)
    allowed = scores.scatter_add(1, tokens[:, n - 1:], torch.where(
        matches, float("-inf"), 0.0).to(scores.dtype))
    keep = torch.isfinite(allowed).any(dim=1, keepdim=True)  # never leave nothing to pick
    return torch.where(keep, allowed, scores)


def _draw(scores, top_p, generator):
    """One token per row from ``softmax(scores)``, restricted to the nucleus when
    `top_p` is given: the kept tokens are a prefix of the sorted row (``_sorted_nucleus``),
    and a uniform draw on their probability mass, looked up in the cumulative sum, picks
    token j with probability ``p_j / mass`` (inverse transform sampling)."""
    order, cumulative, kept = _sorted_nucleus(scores, top_p)
    mass = cumulative.gather(1, kept - 1)  # (B, 1)
    uniform = torch.rand(mass.shape, dtype=mass.dtype, generator=generator)
    position = torch.searchsorted(cumulative, uniform * mass, right=True)
    return order.gather(1, torch.minimum(position, kept - 1)).squeeze(1)


def _nucleus(scores, top_p):
    """`scores` with -inf outside the smallest set of best tokens whose probabilities
    reach `top_p` (what ``_draw`` draws from)."""
    order, _, kept = _sorted_nucleus(scores, top_p)
    ranks = torch.arange(scores.shape[1]).expand_as(order)
    outside = torch.zeros_like(scores, dtype=torch.bool).scatter(1, order, ranks >= kept)
    return scores.masked_fill(outside, float("-inf"))


def _sorted_nucleus(scores, top_p):
    """One sort of each row: ``(order, cumulative probabilities in that order, kept
    (B, 1))``, where the first `kept` tokens of `order` are the nucleus: a token stays
    while the better tokens do not yet reach `top_p` (with a rounding margin, so that
    0.5 + 0.3 reaches 0.8; None or 1: every token of non-zero probability); the best
    token always stays."""
    ordered, order = scores.sort(dim=1, descending=True)
    probabilities = torch.softmax(ordered, dim=1)
    cumulative = probabilities.cumsum(dim=1)
    before = cumulative - probabilities  # the mass of the better tokens
    limit = float("inf") if top_p is None or top_p >= 1 else top_p - 1e-9
    kept = ((before < limit) & (probabilities > 0)).sum(dim=1, keepdim=True).clamp_(min=1)
    return order, cumulative, kept

