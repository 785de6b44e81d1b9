"""N-gram helpers: word and character n-grams for texts, fastText-style n-grams for index sequences.

``word_ngrams`` and ``char_ngrams`` return strings, so they plug into
``Tokenizer(analyzer=...)``::

    from functools import partial
    tokenizer = Tokenizer(analyzer=partial(word_ngrams, ngram_range=(1, 2)))

``ngram_index`` and ``add_ngrams`` do what the Keras fastText IMDB example does
with its ``create_ngram_set``/``add_ngram``: give each n-gram of word indices a
new index above the vocabulary and append the known n-grams to each sequence.
Unlike the example, ids follow first-seen order (the example's came from set
order, different in every run) and n-grams are taken from the original sequence
only (the example also read n-grams across the ids it had just appended).
"""
from __future__ import annotations

from ._words import DEFAULT_FILTERS, check_text, word_splitter


def ngrams(sequence, n):
    """The consecutive windows of `n` items of a sequence, as tuples.

    >>> ngrams(["a", "b", "c"], 2)
    [('a', 'b'), ('b', 'c')]
    >>> ngrams([1, 2], 3)
    []
    """
    n = _order(n, "n")
    items = list(sequence)
    return list(zip(*(items[i:] for i in range(n))))


def word_ngrams(text, ngram_range=(1, 2), filters=DEFAULT_FILTERS, lower=True, split=" ",
                separator=" "):
    """The word n-grams of a text for each n in `ngram_range` (inclusive), shortest first.

    Words come from ``text_to_word_sequence(text, filters, lower, split)``; the
    words of an n-gram are joined by `separator`.

    >>> word_ngrams("The cat sat.", ngram_range=(1, 2))
    ['the', 'cat', 'sat', 'the cat', 'cat sat']
    """
    check_text(text, "word_ngrams: text")
    low, high = _range(ngram_range)
    words = word_splitter(filters, lower, split)(text)
    return [separator.join(gram) for n in range(low, high + 1) for gram in ngrams(words, n)]


def char_ngrams(text, ngram_range=(2, 3), lower=True):
    """The character n-grams of a text for each n in `ngram_range` (inclusive), shortest first.

    >>> char_ngrams("Abc", ngram_range=(1, 2))
    ['a', 'b', 'c', 'ab', 'bc']
    """
    check_text(text, "char_ngrams: text")
    low, high = _range(ngram_range)
    if lower:
        text = text.lower()
    return [text[i:i + n] for n in range(low, high + 1) for i in range(len(text) - n + 1)]


def ngram_index(sequences, ngram_range=(2, 2), start_index=None):
    """Give every n-gram of word indices found in `sequences` its own new index.

    Args:
        sequences: lists of word indices (e.g. ``texts_to_sequences`` output).
        ngram_range: the n-gram orders to index, ``(min_n, max_n)`` with ``min_n >= 2``.
        start_index: the first new index; default one above the largest index in
            `sequences`, so that n-gram ids never collide with word ids.

    Returns:
        A dict ``tuple -> index`` in first-seen order.

    >>> ngram_index([[1, 3, 4], [1, 3]], start_index=5)
    {(1, 3): 5, (3, 4): 6}
    """
    low, high = _range(ngram_range, smallest=2)
    rows = [list(row) for row in sequences]
    if start_index is None:
        start_index = max((max(row) for row in rows if row), default=0) + 1
    index = {}
    for row in rows:
        for n in range(low, high + 1):
            for gram in ngrams(row, n):
                index.setdefault(gram, start_index + len(index))
    return index


def add_ngrams(sequences, index, ngram_range=(2, 2)):
    """Append to each sequence the indices of its n-grams found in `index`.

    >>> add_ngrams([[1, 3, 4], [1, 3, 7]], {(1, 3): 5, (3, 4): 6})
    [[1, 3, 4, 5, 6], [1, 3, 7, 5]]
    """
    low, high = _range(ngram_range, smallest=2)
    result = []
    for row in sequences:
        row = list(row)
        found = [index[gram] for n in range(low, high + 1) for gram in ngrams(row, n)
                 if gram in index]
        result.append(row + found)
    return result


def _order(n, name):
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{name} must be an int >= 1, got {n!r}")
    return n


def _range(ngram_range, smallest=1):
    try:
        low, high = ngram_range
    except (TypeError, ValueError):
        raise ValueError(f"ngram_range must be a pair (min_n, max_n), got {ngram_range!r}") from None
    _order(low, "ngram_range[0]")
    _order(high, "ngram_range[1]")
    if low < smallest or high < low:
        raise ValueError(f"ngram_range must satisfy {smallest} <= min_n <= max_n, "
                         f"got {ngram_range!r}")
    return low, high
