"""String operations with ``tf.strings``' names and answers, on Python strings and NumPy arrays.

What ``TextVectorization`` uses, and what the Keras book and the TensorFlow course write
in custom ``standardize`` / ``split`` functions::

    def custom_standardization(input_data):
        lowercase = strings.lower(input_data)
        stripped_html = strings.regex_replace(lowercase, "<br />", " ")
        return strings.regex_replace(stripped_html, f"[{re.escape(string.punctuation)}]", "")

Inputs are a ``str`` (or ``bytes``, read as UTF-8) or an array / list of them; elementwise
functions return a ``str`` for a ``str`` and otherwise a NumPy object array of the same
shape. ``split``, ``unicode_split`` and ``ngrams`` return lists of lists where TensorFlow
returns a RaggedTensor. As in TensorFlow, ``lower``/``upper`` change ASCII letters only
unless ``encoding='utf-8'``, and whitespace means ASCII whitespace (`` \\t\\n\\v\\f\\r``).
Patterns are Python ``re`` patterns (TensorFlow uses RE2: the common syntax is the same;
a rewrite's ``\\0`` means the whole match in both). Nothing here imports torch.

>>> lower("Hello, WORLD É")
'hello, world É'
>>> regex_replace(["a<br />b", "c"], "<br />", " ").tolist()
['a b', 'c']
>>> split(["  two  words ", "one"])
[['two', 'words'], ['one']]
>>> ngrams([["a", "b", "c"]], (1, 2))
[['a', 'b', 'c', 'a b', 'b c']]
"""
from __future__ import annotations

import re

import numpy as np

__all__ = ["join", "length", "lower", "ngrams", "reduce_join", "regex_full_match",
           "regex_replace", "split", "strip", "substr", "unicode_split", "upper"]

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ASCII_SPACE = " \t\n\v\f\r"
_WORDS = re.compile(f"[^{re.escape(_ASCII_SPACE)}]+")
_SPACES = re.compile(f"[{re.escape(_ASCII_SPACE)}]+")


def as_text(value) -> str:
    """One string as ``str`` (bytes decoded as UTF-8, invalid bytes replaced)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        return value if type(value) is str else str(value)  # np.str_ -> str
    if isinstance(value, np.generic):
        return as_text(value.item())
    raise TypeError(f"Expected a string, got {type(value).__name__} {value!r}")


def as_text_array(values) -> np.ndarray:
    """Strings (a str, bytes, a list/array of them) as a NumPy object array of ``str``."""
    array = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    out = np.empty(array.shape, dtype=object)
    for index, value in np.ndenumerate(array):
        out[index] = as_text(value)
    return out


def _elementwise(function, values):
    if isinstance(values, (str, bytes, np.generic)):
        return function(as_text(values))
    array = as_text_array(values)
    out = np.empty(array.shape, dtype=object)
    for index, value in np.ndenumerate(array):
        out[index] = function(value)
    return out


def lower(input, encoding="", name=None):  # noqa: A002 (tf.strings' argument name)
    """Lowercase: ASCII letters only (TensorFlow's default), every letter with
    ``encoding='utf-8'``."""
    if encoding:
        return _elementwise(str.lower, input)
    return _elementwise(lambda s: s.translate(_ASCII_LOWER), input)


def upper(input, encoding="", name=None):  # noqa: A002
    """Uppercase: ASCII letters only unless ``encoding='utf-8'``."""
    if encoding:
        return _elementwise(str.upper, input)
    return _elementwise(lambda s: s.translate(_ASCII_UPPER), input)


def _rewrite(rewrite: str) -> str:
    r"""RE2's rewrite syntax (``\0``-``\9``, ``\\``) as Python's ``re.sub`` template."""
    return re.sub(r"\\(\\|\d)", lambda m: "\\\\" if m.group(1) == "\\" else
                  f"\\g<{m.group(1)}>", rewrite)


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Replace matches of `pattern` by `rewrite` (every match, or the first one with
    ``replace_global=False``)."""
    compiled = re.compile(as_text(pattern))
    template = _rewrite(as_text(rewrite))
    count = 0 if replace_global else 1
    return _elementwise(lambda s: compiled.sub(template, s, count=count), input)


def regex_full_match(input, pattern, name=None):  # noqa: A002
    """True where the whole string matches `pattern` (a bool array, or a bool)."""
    compiled = re.compile(as_text(pattern))
    result = _elementwise(lambda s: compiled.fullmatch(s) is not None, input)
    return result if isinstance(result, bool) else result.astype(bool)


def strip(input, name=None):  # noqa: A002
    """Remove leading and trailing ASCII whitespace."""
    return _elementwise(lambda s: s.strip(_ASCII_SPACE), input)


def length(input, unit="BYTE", name=None):  # noqa: A002
    """The length in UTF-8 bytes (``unit='BYTE'``) or characters (``'UTF8_CHAR'``)."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"length: unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}")
    count = (lambda s: len(s.encode("utf-8"))) if unit == "BYTE" else len
    result = _elementwise(count, input)
    return result if isinstance(result, int) else result.astype(np.int32)


def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002
    """`len` bytes (or ``'UTF8_CHAR'`` characters) from position `pos`; a cut inside a
    character drops that character's partial bytes."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise ValueError(f"substr: unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}")
    if unit == "UTF8_CHAR":
        return _elementwise(lambda s: s[pos:pos + len], input)
    return _elementwise(lambda s: s.encode("utf-8")[pos:pos + len].decode("utf-8", "ignore"),
                        input)


def join(inputs, separator="", name=None):
    """Elementwise concatenation of several strings or same-shape arrays of strings."""
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise TypeError("join takes a list of strings or of arrays of strings, e.g. "
                        f"join([a, b], separator=' '), got {inputs!r}")
    if all(isinstance(v, (str, bytes)) for v in inputs):
        return as_text(separator).join(as_text(v) for v in inputs)
    arrays = np.broadcast_arrays(*(as_text_array(v) for v in inputs))
    out = np.empty(arrays[0].shape, dtype=object)
    for index in np.ndindex(out.shape):
        out[index] = as_text(separator).join(a[index] for a in arrays)
    return out


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """Join the strings along `axis` (all of them when None)."""
    array = as_text_array(inputs)
    if axis is None:
        return separator.join(array.ravel().tolist())
    moved = np.moveaxis(array, axis, -1)
    out = np.empty(moved.shape[:-1], dtype=object)
    for index in np.ndindex(out.shape):
        out[index] = separator.join(moved[index].tolist())
    return np.expand_dims(out, axis) if keepdims else out


def _split_one(text, sep, maxsplit):
    if sep is None:  # as Python's str.split(None, maxsplit), on ASCII whitespace only
        if maxsplit < 0:
            return _WORDS.findall(text)
        pieces = _SPACES.split(text.lstrip(_ASCII_SPACE), maxsplit)
        return pieces[:-1] if pieces and pieces[-1] == "" else pieces
    return text.split(sep, maxsplit) if text else []


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002
    """Split on runs of ASCII whitespace (``sep=None``, empty pieces dropped) or on `sep`
    (empty pieces kept); a string gives a list, an array a list of lists (ragged)."""
    sep = None if sep is None else as_text(sep)
    if sep == "":
        raise ValueError("split: sep must not be empty; use unicode_split for characters")
    if isinstance(input, (str, bytes)):
        return _split_one(as_text(input), sep, maxsplit)
    return _nested(lambda s: _split_one(s, sep, maxsplit), as_text_array(input))


def unicode_split(input, input_encoding="UTF-8", errors="replace", name=None):  # noqa: A002
    """The characters (Unicode code points) of each string."""
    if isinstance(input, (str, bytes)):
        return list(as_text(input))
    return _nested(list, as_text_array(input))


def _nested(function, array):
    if array.ndim == 0:
        return function(array.item())
    return [_nested(function, row) if array.ndim > 1 else function(row) for row in array]


def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None,
           preserve_short_sequences=False, name=None):
    """The n-grams of each token list (a list of tokens, or a list of such lists), for
    each width in `ngram_width` (an int or a tuple) in turn, joined by `separator`; a
    sequence shorter than a width gives no n-gram of it. Padding is not supported."""
    if pad_values is not None or padding_width is not None or preserve_short_sequences:
        raise NotImplementedError("ngrams: pad_values, padding_width and "
                                  "preserve_short_sequences are not supported")
    widths = (ngram_width,) if isinstance(ngram_width, int) else tuple(ngram_width)
    for width in widths:
        if isinstance(width, bool) or not isinstance(width, int) or width < 1:
            raise ValueError(f"ngrams: widths must be positive ints, got {ngram_width!r}")

    def one(tokens):
        tokens = list(tokens)
        if not set(map(type, tokens)) <= {str}:
            tokens = [as_text(t) for t in tokens]
        grams = []
        for w in widths:
            grams += tokens if w == 1 else map(separator.join,
                                               zip(*(tokens[i:] for i in range(w))))
        return grams

    if isinstance(data, np.ndarray) and data.dtype != object:
        data = data.tolist()
    rows = list(data)
    if rows and all(isinstance(t, (str, bytes, np.str_)) for t in rows):
        return one(rows)
    return [one(row) for row in rows]
