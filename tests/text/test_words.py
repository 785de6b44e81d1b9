"""text_to_word_sequence: Keras 2's lower -> translate filters to split -> split -> drop empties."""
import pytest

from seqlab.text import DEFAULT_FILTERS, text_to_word_sequence


def test_default_filters_are_keras_punctuation_without_apostrophe():
    assert DEFAULT_FILTERS == '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
    assert "'" not in DEFAULT_FILTERS


@pytest.mark.parametrize("text, words", [
    ("The cat sat on the mat.", ["the", "cat", "sat", "on", "the", "mat"]),
    ("Hello,world!!  Foo", ["hello", "world", "foo"]),
    ("Don't stop", ["don't", "stop"]),
    ("a\tb\nc", ["a", "b", "c"]),                   # tab and newline are filters
    ("a\rb c\xa0d", ["a\rb", "c\xa0d"]),            # other whitespace is not
    ("  ...  ", []),
    ("", []),
    ("ÉCOLE Straße", ["école", "straße"]),
    ("İ", ["i\u0307"]),                             # str.lower, full Unicode
])
def test_default_splitting(text, words):
    assert text_to_word_sequence(text) == words


def test_lower_false_keeps_case():
    assert text_to_word_sequence("ABC def", lower=False) == ["ABC", "def"]


def test_custom_split_and_filters():
    assert text_to_word_sequence("a,b;;c", filters=";", split=",", lower=False) == ["a", "b", "c"]
    assert text_to_word_sequence("x!y?z", filters=["!", "?"]) == ["x", "y", "z"]
    assert text_to_word_sequence("x!y", filters="") == ["x!y"]


def test_multi_character_split_follows_translate_then_split():
    # "a!a" -> translate "!" to "aa" -> "aaaa" -> split("aa") -> ["", "", ""]: no words.
    assert text_to_word_sequence("a!a", filters="!", split="aa", lower=False) == []
    assert text_to_word_sequence("xaabb", filters="", split="aa", lower=False) == ["x", "bb"]


@pytest.mark.parametrize("bad, message", [
    (None, "None"),
    (b"caf\xc3\xa9", "decode"),
    (float("nan"), "fillna"),
    (42, "int"),
])
def test_non_text_input_names_the_value(bad, message):
    with pytest.raises(TypeError, match=message):
        text_to_word_sequence(bad)


def test_bad_split_and_filters_are_explained():
    with pytest.raises(ValueError, match="split must be a non-empty str"):
        text_to_word_sequence("a b", split="")
    with pytest.raises(ValueError, match="single characters"):
        text_to_word_sequence("a b", filters=["ab"])
    with pytest.raises(TypeError, match="filters must be a str"):
        text_to_word_sequence("a b", filters=3)
