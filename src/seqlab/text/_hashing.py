"""``one_hot`` and ``hashing_trick``: words to indices by hashing, no vocabulary needed.

Each word ``w`` becomes ``hash(w) % (n - 1) + 1``, an index in ``1 .. n - 1``
(0 stays free for padding); different words may share an index.

The one intended difference from Keras 2: Keras's ``one_hot`` (and
``hashing_trick`` with ``hash_function=None``) use Python's built-in ``hash``,
which is salted per process, so the same word gets a different index in every
run. seqlab uses MD5 there, so indices are the same in every process and on
every machine; they equal Keras's ``hash_function='md5'`` output.
"""
from __future__ import annotations

from hashlib import md5

import numpy as np

from ._words import DEFAULT_FILTERS, check_text, word_splitter


def one_hot(input_text, n, filters=DEFAULT_FILTERS, lower=True, split=" ", analyzer=None):
    """Encode a text as word indices in ``1 .. n - 1`` by hashing (deterministic MD5).

    Equal to ``hashing_trick(input_text, n, hash_function='md5', ...)``.

    >>> one_hot("The cat and the hat", 50)
    [43, 32, 14, 43, 39]
    """
    return hashing_trick(input_text, n, "md5", filters, lower, split, analyzer)


def hashing_trick(text, n, hash_function=None, filters=DEFAULT_FILTERS, lower=True, split=" ",
                  analyzer=None):
    """Encode a text as word indices in ``1 .. n - 1`` with a hash function.

    Args:
        text: the text.
        n: size of the index space (indices run from 1 to ``n - 1``).
        hash_function: ``None`` or ``'md5'`` (both MD5 of the UTF-8 word, stable
            across runs), or a function ``str -> int``.
        filters, lower, split: as ``text_to_word_sequence``.
        analyzer: a function ``text -> words`` used instead of the splitting.

    >>> hashing_trick("b a b", 10, hash_function=len)
    [2, 2, 2]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an int >= 2 (indices run 1..n-1; 0 is reserved for padding), "
                         f"got {n!r}")
    if hash_function is None or hash_function == "md5":
        hash_function = _md5
    elif not callable(hash_function):
        raise ValueError(f"hash_function must be None, 'md5' or a function str -> int, "
                         f"got {hash_function!r}")
    if analyzer is None:
        check_text(text, "hashing_trick: text")
        words = word_splitter(filters, lower, split)(text)
    else:
        words = analyzer(text)
    return [hash_function(w) % (n - 1) + 1 for w in words]


def _md5(word: str) -> int:
    """The MD5 digest of the UTF-8 word as an integer (Keras's ``hash_function='md5'``)."""
    return int.from_bytes(md5(word.encode()).digest(), "big")
