"""Small texts that ship with seqlab, for the demo, docs and tests.

They were written for seqlab (they are not real reviews): short movie-review
sentences with negation and "but" clauses, the cases that make word order matter.
"""

_REVIEWS = (
    "The film was a delight from start to finish.",
    "I did not enjoy the film, and the ending was weak.",
    "A weak plot, but the actors were a delight!",
    "Not bad at all: I would watch it again.",
    "The actors did their best with a weak script.",
    "I would not watch it again, not even for free.",
    "What a finish! The best ending in years.",
    "It was not the best film, but not the worst either.",
)


def sample_reviews() -> list[str]:
    """Eight short review sentences written for seqlab (a fresh list each call)."""
    return list(_REVIEWS)
