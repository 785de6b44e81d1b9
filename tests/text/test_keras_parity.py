"""Differential tests: seqlab.text against Keras 2's own implementation (keras-preprocessing).

Random texts mix ASCII and non-ASCII letters, Keras's filter characters, whitespace
that is and is not a separator, and lone surrogates; random settings cover
num_words, oov_token (also one that occurs as a word), lower, char_level, custom
split and non-ASCII filters. Outputs must be identical, floats included. Both the
compiled and the reference path are checked. Where Keras's result depends on
Python's per-process set order (the order of word_docs/index_docs), the contents
are compared instead of the order.
"""
import json

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from seqlab.text import Tokenizer, hashing_trick, pad_sequences, text_to_word_sequence
from tests.helpers import imdb_reviews, keras2_sequence, keras2_text, sarcasm_headlines

ALPHABET = "abcAB yz éÉİß中😀!,.?'-\t\n\r\xa0" + "\ud800"
texts = st.text(alphabet=ALPHABET, max_size=40)
documents = st.one_of(texts, texts, texts, st.lists(st.text(alphabet="aAbé!, ", max_size=4),
                                                   max_size=5))
settings_ = st.fixed_dictionaries({
    "num_words": st.one_of(st.none(), st.integers(1, 12)),
    "oov_token": st.sampled_from([None, None, "<OOV>", "a"]),
    "lower": st.booleans(),
    "char_level": st.sampled_from([False, False, False, True]),
    "split": st.sampled_from([" ", " ", " ", ",", "aa", "é"]),
    "filters": st.sampled_from(['!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n', "", "!a", "é!"]),
})


def assert_same_tokenizer(ours, theirs):
    assert list(ours.word_counts.items()) == list(theirs.word_counts.items())
    assert dict(ours.word_docs) == dict(theirs.word_docs)
    assert list(ours.word_index.items()) == list(theirs.word_index.items())
    assert list(ours.index_word.items()) == list(theirs.index_word.items())
    assert dict(ours.index_docs) == dict(theirs.index_docs)
    assert ours.document_count == theirs.document_count


def assert_same_outcome(call, ours, theirs):
    """call(ours) equals call(theirs), or both raise the same exception type."""
    try:
        expected = call(theirs)
    except Exception as error:
        with pytest.raises(type(error)):
            call(ours)
        return
    np.testing.assert_array_equal(call(ours), expected)


def assert_same_json(ours, theirs):
    mine, keras = json.loads(ours.to_json())["config"], json.loads(theirs.to_json())["config"]
    assert list(mine) == list(keras)
    for key in ("word_docs", "index_docs"):  # Keras's order here is set order: compare contents
        assert json.loads(mine.pop(key)) == json.loads(keras.pop(key))
    assert mine == keras  # everything else byte for byte


@given(fits=st.lists(st.lists(documents, max_size=6), min_size=1, max_size=2),
       queries=st.lists(documents, max_size=5), config=settings_,
       indices=st.lists(st.lists(st.integers(0, 15), max_size=6), max_size=4))
def test_tokenizer_matches_keras(path, fits, queries, config, indices):
    keras = keras2_text()
    ours, theirs = Tokenizer(**config), keras.Tokenizer(**config)
    for corpus in fits:
        ours.fit_on_texts(corpus)
        theirs.fit_on_texts(corpus)
    assert_same_tokenizer(ours, theirs)
    assume(config["oov_token"] is None or theirs.word_index)  # Keras emits None when unfitted
    queries = queries + fits[0]
    assert ours.texts_to_sequences(queries) == theirs.texts_to_sequences(queries)
    assert ours.sequences_to_texts(indices) == theirs.sequences_to_texts(indices)
    for mode in ("binary", "count", "freq", "tfidf"):
        assert_same_outcome(lambda t: t.texts_to_matrix(queries, mode=mode), ours, theirs)
    assert_same_json(ours, theirs)


@given(sequences=st.lists(st.lists(st.integers(0, 9), max_size=6), max_size=5),
       num_words=st.integers(1, 12), mode=st.sampled_from(["binary", "count", "freq", "tfidf"]))
def test_fit_on_sequences_and_matrix_match_keras(sequences, num_words, mode):
    keras = keras2_text()
    ours = Tokenizer(num_words=num_words).fit_on_sequences(sequences)
    theirs = keras.Tokenizer(num_words=num_words)
    theirs.fit_on_sequences(sequences)
    assert dict(ours.index_docs) == dict(theirs.index_docs)
    assume(sequences)  # Keras tfidf needs document_count > 0
    np.testing.assert_array_equal(ours.sequences_to_matrix(sequences, mode),
                                  theirs.sequences_to_matrix(sequences, mode))


@given(text=texts, config=settings_)
def test_text_to_word_sequence_matches_keras(text, config):
    keras = keras2_text()
    args = {k: config[k] for k in ("filters", "lower", "split")}
    assert text_to_word_sequence(text, **args) == keras.text_to_word_sequence(text, **args)


@given(text=st.text(alphabet=ALPHABET.replace("\ud800", ""), max_size=40),
       n=st.integers(2, 1000))
def test_hashing_trick_md5_matches_keras(text, n):
    keras = keras2_text()
    assert hashing_trick(text, n, "md5") == keras.hashing_trick(text, n, "md5")
    assert hashing_trick(text, n, len) == keras.hashing_trick(text, n, len)


@given(sequences=st.lists(st.lists(st.integers(-50, 50), max_size=6), min_size=1, max_size=5),
       maxlen=st.one_of(st.none(), st.integers(1, 8)),
       padding=st.sampled_from(["pre", "post"]), truncating=st.sampled_from(["pre", "post"]),
       dtype=st.sampled_from(["int32", "float32", "int64", "int8"]),
       value=st.sampled_from([0, -1, 0.5, 3]))
def test_pad_sequences_matches_keras(monkeypatch, sequences, maxlen, padding, truncating, dtype,
                                     value):
    keras = keras2_sequence(monkeypatch)
    args = dict(maxlen=maxlen, dtype=dtype, padding=padding, truncating=truncating, value=value)
    expected = keras.pad_sequences(sequences, **args)
    result = pad_sequences(sequences, **args)
    assert result.dtype == expected.dtype
    np.testing.assert_array_equal(result, expected)


def test_pad_sequences_matches_keras_on_strings_and_arrays(monkeypatch):
    keras = keras2_sequence(monkeypatch)
    words = [["a", "bb"], [], ["ccc", "d", "e"]]
    for args in ({"dtype": object, "value": "<pad>"}, {"dtype": "<U3", "value": "-"}):
        np.testing.assert_array_equal(pad_sequences(words, **args),
                                      keras.pad_sequences(words, **args))
    steps = [np.ones((2, 3)), np.zeros((0, 3)), np.arange(12.0).reshape(4, 3)]
    np.testing.assert_array_equal(pad_sequences(steps, maxlen=3, dtype="float32"),
                                  keras.pad_sequences(steps, maxlen=3, dtype="float32"))


def test_real_reviews_match_keras(path):
    """3,000 IMDB reviews (HTML tags, non-ASCII, long texts) through the whole pipeline."""
    keras = keras2_text()
    reviews = imdb_reviews(3000)
    ours = Tokenizer(num_words=2000, oov_token="<OOV>")
    theirs = keras.Tokenizer(num_words=2000, oov_token="<OOV>")
    ours.fit_on_texts(reviews[:2500])
    theirs.fit_on_texts(reviews[:2500])
    assert_same_tokenizer(ours, theirs)
    assert ours.texts_to_sequences(reviews) == theirs.texts_to_sequences(reviews)
    np.testing.assert_array_equal(ours.texts_to_matrix(reviews[2500:], "tfidf"),
                                  theirs.texts_to_matrix(reviews[2500:], "tfidf"))
    assert_same_json(ours, theirs)


def test_real_headlines_match_keras(path):
    """All 26,709 sarcasm headlines, the course's sarcasm tokenizer settings."""
    keras = keras2_text()
    headlines = sarcasm_headlines()
    assert len(headlines) == 26709
    ours = Tokenizer(num_words=10000, oov_token="<OOV>").fit_on_texts(headlines[:20000])
    theirs = keras.Tokenizer(num_words=10000, oov_token="<OOV>")
    theirs.fit_on_texts(headlines[:20000])
    assert_same_tokenizer(ours, theirs)
    assert ours.texts_to_sequences(headlines) == theirs.texts_to_sequences(headlines)
