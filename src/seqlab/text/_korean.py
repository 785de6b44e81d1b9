"""Korean morphemes with Kiwi (``kiwipiepy``), as a Tokenizer analyzer.

A Korean word (어절) glues a stem to its particles and endings, so splitting on spaces gives
an exploding vocabulary (재미없는거같다, 재미없다, 재미없어요 are three words). A
morphological analyzer splits them into morphemes: 재미없는거같다 -> 재미 없 는 거 같 다.
Kiwi (Lee Minchul, https://github.com/bab2min/kiwipiepy) is a fast analyzer installed
from the package registry with its model, with no Java.

    >>> KoreanAnalyzer(tags=True)("재미있다")
    ['재미있/VA', '다/EF']
    >>> korean_morphemes("재미없는거같다")
    ['재미', '없', '는', '거', '같', '다']

``Tokenizer(analyzer=KoreanAnalyzer())`` counts and indexes those morphemes.
"""
from __future__ import annotations

from functools import lru_cache

_INSTALL = 'pip install "seqlab[korean]"'


def _kiwi_class():
    try:
        from kiwipiepy import Kiwi
    except ImportError:
        raise ImportError("Korean morphological analysis needs the kiwipiepy package: "
                          f"{_INSTALL}") from None
    return Kiwi


@lru_cache(maxsize=1)
def _kiwi():
    """One analyzer per process (loading its model takes about a second)."""
    return _kiwi_class()(num_workers=1)


def korean_morphemes(text, tags=False, lower=True) -> list[str]:
    """The morphemes of `text` in order, as Kiwi finds them; with ``tags=True`` each is
    ``form/TAG`` (Sejong tags: NNG common noun, VA adjective, EF final ending, SF
    punctuation, ...). ``lower`` lowercases Latin letters of the morphemes."""
    if not isinstance(text, str):
        raise TypeError(f"korean_morphemes takes a text (str), got {type(text).__name__}")
    tokens = _kiwi().tokenize(text)
    forms = [t.form.lower() if lower else t.form for t in tokens]
    return [f"{form}/{t.tag}" for form, t in zip(forms, tokens)] if tags else forms


class KoreanAnalyzer:
    """``text -> morphemes``: pass it as ``Tokenizer(analyzer=KoreanAnalyzer())``.

    Unlike a plain function it is saved with the tokenizer (``to_json`` records its
    settings and ``tokenizer_from_json`` rebuilds it), so a trained run restores it.

    Args:
        tags: append the part-of-speech tag to each morpheme (``좋/VA``), which keeps
            homographs of different classes apart.
        lower: lowercase Latin letters.
    """

    def __init__(self, tags=False, lower=True):
        if not isinstance(tags, bool) or not isinstance(lower, bool):
            raise TypeError(f"KoreanAnalyzer takes tags and lower as True/False, got "
                            f"tags={tags!r}, lower={lower!r}")
        _kiwi_class()  # fail now, with the fix, rather than at the first text
        self.tags = tags
        self.lower = lower

    def __call__(self, text) -> list[str]:
        return korean_morphemes(text, self.tags, self.lower)

    def get_config(self) -> dict:
        return {"tags": self.tags, "lower": self.lower}

    def __repr__(self):
        return f"KoreanAnalyzer(tags={self.tags}, lower={self.lower})"

    def __eq__(self, other):
        return isinstance(other, KoreanAnalyzer) and self.get_config() == other.get_config()

    __hash__ = None
