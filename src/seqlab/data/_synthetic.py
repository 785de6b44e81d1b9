"""A generated review corpus whose labels depend on word order (synthetic, not real reviews).

Each review is built from short clauses about a film ("the plot was clever", "the
ending was not moving") and its label is positive (1) or negative (0):

* a clause's sentiment is its adjective's, flipped by "not" or "never";
* in "A but B" the clause after "but" decides; in "A although B" the one before does.

Most reviews join two clauses of opposite sentiment, so the same words appear in
positive and negative reviews and only their order tells them apart: a bag-of-words
model stays near chance on those, an order-aware one (LSTM, GRU, CNN) learns the rule.
Generation is seeded and repeatable.
"""
from __future__ import annotations

import numpy as np

_ASPECTS = ("the plot", "the acting", "the music", "the ending", "the script", "the pacing",
            "the dialogue", "the camera work", "the lead actor", "the story", "the effects",
            "the cast", "the soundtrack", "the direction", "the humour", "the final scene")
_POSITIVE = ("good", "great", "wonderful", "brilliant", "moving", "clever", "gripping",
             "funny", "beautiful", "superb", "charming", "excellent", "fresh", "delightful")
_NEGATIVE = ("bad", "dull", "awful", "boring", "clumsy", "weak", "predictable", "flat",
             "tedious", "messy", "lifeless", "poor", "silly", "forgettable")
_VERBS = ("was", "felt", "seemed", "is")
_NEGATIONS = ("not", "never")
_OPENERS = ("", "", "", "honestly ", "i think ", "overall ", "to be fair ", "sadly ",
            "frankly ")


def synthetic_reviews(n=4000, seed=0, single_clause_share=0.2):
    """``(texts, labels)``: `n` generated reviews (see the module docstring), labels 0/1."""
    if n < 2:
        raise ValueError(f"synthetic_reviews needs n >= 2, got {n!r}")
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        sentiment = 1 if label else -1
        if rng.random() < single_clause_share:
            text = _clause(rng, sentiment)
        elif rng.random() < 0.7:  # the clause after "but" decides
            text = f"{_clause(rng, -sentiment)} but {_clause(rng, sentiment)}"
        else:  # the clause before "although" decides
            text = f"{_clause(rng, sentiment)} although {_clause(rng, -sentiment)}"
        texts.append(_OPENERS[rng.integers(len(_OPENERS))] + text)
        labels.append(label)
    return texts, np.array(labels, dtype=np.int64)


def _clause(rng, sentiment):
    """A clause of the given sentiment (+1/-1), negated half of the time."""
    negated = rng.random() < 0.5
    polarity = -sentiment if negated else sentiment
    adjectives = _POSITIVE if polarity > 0 else _NEGATIVE
    words = [_ASPECTS[rng.integers(len(_ASPECTS))], _VERBS[rng.integers(len(_VERBS))]]
    if negated:
        words.append(_NEGATIONS[rng.integers(len(_NEGATIONS))])
    words.append(adjectives[rng.integers(len(adjectives))])
    return " ".join(words)
