"""Splitting a text into words the Keras 2 way, and the checks every text goes through.

Keras 2 splits a text in three steps, and so does seqlab:

1. lowercase it (``str.lower``, full Unicode) when ``lower=True``;
2. replace every character of ``filters`` by ``split`` (``str.translate``);
3. ``text.split(split)`` and drop the empty strings.

Only the characters of ``filters`` and ``split`` separate words: other whitespace
(``\\r``, ``\\xa0``, ...) stays inside words, exactly as in Keras.
"""
from __future__ import annotations

import math
from functools import lru_cache

#: Keras's default ``filters``: ASCII punctuation except the apostrophe, plus tab
#: and newline.
DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_word_sequence(input_text, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """Split a text into a list of words, as ``keras.preprocessing.text`` does.

    Args:
        input_text: the text (``str``).
        filters: characters to treat as separators (a ``str``, or a list of
            one-character strings). Default: ASCII punctuation except ``'``,
            plus tab and newline.
        lower: lowercase the text first.
        split: the separator (a non-empty ``str``).

    Returns:
        The list of non-empty words.

    >>> text_to_word_sequence("The cat sat on the mat.")
    ['the', 'cat', 'sat', 'on', 'the', 'mat']
    >>> text_to_word_sequence("Don't stop-believing!")
    ["don't", 'stop', 'believing']
    >>> text_to_word_sequence("a,b;;c", filters=";", split=",", lower=False)
    ['a', 'b', 'c']
    """
    check_text(input_text, "text_to_word_sequence: input_text")
    return word_splitter(filters, lower, split)(input_text)


def word_splitter(filters, lower, split):
    """The function ``text -> words`` for these settings (tables built once)."""
    table = _translation(_filter_chars(filters), _checked_split(split))
    if lower:
        return lambda text: [w for w in text.lower().translate(table).split(split) if w]
    return lambda text: [w for w in text.translate(table).split(split) if w]


@lru_cache(maxsize=64)
def _translation(filter_chars: str, split: str) -> dict:
    return str.maketrans(dict.fromkeys(filter_chars, split))


def _filter_chars(filters) -> str:
    """``filters`` as one string of characters, with a clear error if it is not."""
    if isinstance(filters, str):
        return filters
    if filters is None:
        return ""
    try:
        chars = list(filters)
    except TypeError:
        raise TypeError(
            f"filters must be a str of characters to remove, got {type(filters).__name__} "
            f"({filters!r}); e.g. filters='!\"#$%&()*+,-./:;<=>?@[\\\\]^_`{{|}}~\\t\\n'"
        ) from None
    bad = [c for c in chars if not (isinstance(c, str) and len(c) == 1)]
    if bad:
        raise ValueError(
            f"filters must contain single characters, got {bad[0]!r}; "
            "pass a str such as '!?.,' (each character is one filter)"
        )
    return "".join(chars)


def _checked_split(split) -> str:
    if not isinstance(split, str) or not split:
        raise ValueError(
            f"split must be a non-empty str (the word separator), got {split!r}; "
            "the Keras default is split=' '"
        )
    return split


def check_text(text, where: str) -> None:
    """Raise a TypeError that names `where` and the fix if `text` is not a str."""
    if not isinstance(text, str):
        raise TypeError(f"{where} {describe_bad_text(text)}")


def describe_bad_text(value) -> str:
    """Why `value` is not a text, and what to do about it (used in error messages)."""
    kind = type(value).__name__
    if value is None:
        return "is None; expected a str. Drop or fill missing texts first (e.g. '' for empty)."
    if isinstance(value, (bytes, bytearray)):
        preview = bytes(value[:30])
        return (f"is {kind} ({preview!r}...); expected a str. Decode it first, "
                "e.g. text.decode('utf-8').")
    if isinstance(value, float) and math.isnan(value):
        return ("is float nan (a missing value, as pandas gives for empty cells); expected "
                "a str. Fill or drop missing texts first, e.g. df[column].fillna('').")
    return f"is {kind} ({value!r:.60}); expected a str (or a list of str tokens)."
