"""The vectorised sampling rules of ``_sampling.choose_next`` against their definitions.

* repetition penalty and n-gram ban: equal to the rules written as loops over rows and
  the history (the reference below, the pre-#22 implementation) on random histories of
  unequal lengths, for n = 1..4, and as a LongTensor history;
* hand-made cases: a left-padded short row bans nothing; a ban that would leave a row
  with no token is not applied; banned tokens, top-k and the nucleus are never drawn;
* the draw: the counts of 40000 seeded draws follow softmax over the nucleus (a chi-square
  bound), and a seeded generator repeats its draws.
"""
import pytest
import torch

from seqlab.tasks._sampling import (SamplingSettings, _ban_repeated_ngrams, _draw,
                                    _penalize_repeats, _as_tensor, choose_next)


def _reference_penalty(scores, history, penalty):
    scores = scores.clone()
    for row, tokens in enumerate(history):
        if tokens:
            seen = torch.tensor(sorted(set(tokens)), dtype=torch.long)
            values = scores[row, seen]
            scores[row, seen] = torch.where(values > 0, values / penalty, values * penalty)
    return scores


def _reference_ngrams(scores, history, n):
    scores = scores.clone()
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
    return scores


def _histories(seed, rows=6, vocab=5):
    """Short texts over a tiny vocabulary, so that n-grams repeat; unequal lengths."""
    g = torch.Generator().manual_seed(seed)
    return [torch.randint(0, vocab, (int(length),), generator=g).tolist()
            for length in torch.randint(0, 30, (rows,), generator=g)]


def _padded(scores):
    """`scores` with the padding column choose_next adds for ragged histories."""
    return torch.cat([scores, scores.new_full((scores.shape[0], 1), -torch.inf)], dim=1)


@pytest.mark.parametrize("seed", range(5))
def test_repetition_penalty_equals_the_loop_rule(seed):
    history = _histories(seed)
    scores = torch.randn(6, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(9))
    tokens = _as_tensor(history, 5)
    mine = _penalize_repeats(_padded(scores), tokens, 1.7)[:, :5]
    torch.testing.assert_close(mine, _reference_penalty(scores, history, 1.7), rtol=0, atol=0)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", range(5))
def test_ngram_ban_equals_the_loop_rule(seed, n):
    history = _histories(seed)
    scores = torch.randn(6, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(9))
    tokens = _as_tensor(history, 5)
    mine = _ban_repeated_ngrams(_padded(scores), tokens, n)[:, :5]
    torch.testing.assert_close(mine, _reference_ngrams(scores, history, n), rtol=0, atol=0)


def test_a_tensor_history_gives_the_list_history_choice():
    settings = SamplingSettings(temperature=0, top_p=None, repetition_penalty=2.0,
                                no_repeat_ngram_size=2)
    history = [[1, 2, 1, 3, 1], [4, 4, 0, 2, 4]]
    logits = torch.tensor([[0.0, 1.0, 3.0, 2.9, 0.6], [1.0, 0.0, 0.2, 0.05, 3.0]])
    # row 0: repeats halved -> [0, 0.5, 1.5, 1.45, 0.6]; 2 and 3 followed "1" before
    # (banned): 4 (0.6) wins over 1 (0.5)
    # row 1: repeats halved -> [0.5, 0, 0.1, 0.05, 1.5]; 4 and 0 followed "4": 2 wins
    expected = [4, 2]
    assert choose_next(logits, history, settings).tolist() == expected
    assert choose_next(logits, torch.tensor(history), settings).tolist() == expected


def test_a_short_left_padded_row_and_a_ban_of_everything():
    scores = torch.zeros(2, 3, dtype=torch.float64)
    # row 0 has two tokens (< n = 3): nothing banned; row 1 would ban its only finite token
    history = [[2, 2], [0, 1, 0, 1, 0]]
    row1 = torch.tensor([0.0, -torch.inf, -torch.inf], dtype=torch.float64)
    scores[1] = row1
    mine = _ban_repeated_ngrams(_padded(scores), _as_tensor(history, 3), 3)[:, :3]
    torch.testing.assert_close(mine, _reference_ngrams(scores, history, 3), rtol=0, atol=0)
    assert mine[0].tolist() == [0.0, 0.0, 0.0] and mine[1].tolist() == row1.tolist()


def test_draws_follow_softmax_over_the_nucleus_and_repeat_with_a_seed():
    probabilities = torch.tensor([0.4, 0.25, 0.15, 0.1, 0.06, 0.04], dtype=torch.float64)
    scores = torch.log(probabilities).expand(40000, -1)[:, [3, 0, 5, 1, 4, 2]]  # shuffled
    drawn = _draw(scores, 0.85, torch.Generator().manual_seed(4))
    counts = torch.bincount(drawn, minlength=6).double()
    # the nucleus of 0.85: 0.4 + 0.25 + 0.15 = 0.8 < 0.85, so 0.1 is in, the rest out
    nucleus = torch.tensor([0.1, 0.4, 0, 0.25, 0, 0.15], dtype=torch.float64) / 0.9
    assert counts[[2, 4]].sum() == 0
    expected = nucleus * 40000
    inside = nucleus > 0
    chi2 = float(((counts[inside] - expected[inside]) ** 2 / expected[inside]).sum())
    assert chi2 < 16.3  # chi-square, 3 degrees of freedom, p = 0.001
    again = _draw(scores, 0.85, torch.Generator().manual_seed(4))
    assert torch.equal(drawn, again)


def test_banned_and_top_k_are_never_drawn():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(500, 30, generator=g)
    settings = SamplingSettings(temperature=1.5, top_k=4, top_p=None, repetition_penalty=1,
                                no_repeat_ngram_size=None)
    drawn = choose_next(logits, [[]] * 500, settings, g, banned={int(i) for i in
                                                                  logits[0].topk(2).indices})
    masked = logits.clone()
    masked[:, logits[0].topk(2).indices] = -torch.inf
    best = masked.topk(4, dim=1).indices
    assert bool((drawn.unsqueeze(1) == best).any(dim=1).all())
