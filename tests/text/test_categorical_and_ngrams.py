"""to_categorical and the n-gram helpers: golden values by hand."""
import numpy as np
import pytest

from seqlab.text import (
    Tokenizer,
    add_ngrams,
    char_ngrams,
    ngram_index,
    ngrams,
    to_categorical,
    word_ngrams,
)


def test_to_categorical_golden():
    np.testing.assert_array_equal(to_categorical([0, 2, 1]), [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert to_categorical([1], num_classes=4).tolist() == [[0, 1, 0, 0]]
    assert to_categorical([0, 1]).dtype == np.float32
    assert to_categorical([0, 1], dtype="int64").dtype == np.int64


def test_to_categorical_shapes():
    assert to_categorical([[1], [0]], 3).shape == (2, 3)          # trailing 1 is replaced
    assert to_categorical([[0, 1], [1, 2]]).shape == (2, 2, 3)
    assert to_categorical(np.array(2)).tolist() == [0, 0, 1]       # a scalar label
    assert to_categorical([], num_classes=3).shape == (0, 3)
    assert to_categorical([1.0, 0.0]).tolist() == [[0, 1], [1, 0]]  # whole floats are fine
    assert to_categorical(["2", "0"]).tolist() == [[0, 0, 1], [1, 0, 0]]  # as Keras


@pytest.mark.parametrize("labels, num_classes, error, message", [
    ([0, 3], 3, ValueError, "label 3 is outside 0..2"),
    ([-1, 0], 2, ValueError, "label -1 is outside 0..1"),
    ([0.5], None, ValueError, "whole numbers, got 0.5"),
    (["cat"], None, TypeError, "map class names to 0..C-1"),
    ([], None, ValueError, "no labels and no num_classes"),
    ([1], 2.5, ValueError, "num_classes must be None or an int"),
])
def test_to_categorical_errors(labels, num_classes, error, message):
    with pytest.raises(error, match=message):
        to_categorical(labels, num_classes)


def test_ngrams():
    assert ngrams("abcd", 3) == [("a", "b", "c"), ("b", "c", "d")]
    assert ngrams([1, 2], 3) == []
    assert word_ngrams("The cat sat.", (1, 2)) == ["the", "cat", "sat", "the cat", "cat sat"]
    assert word_ngrams("a b c", (2, 3), separator="_") == ["a_b", "b_c", "a_b_c"]
    assert char_ngrams("Abc", (1, 2)) == ["a", "b", "c", "ab", "bc"]
    assert char_ngrams("Abc", (3, 5), lower=False) == ["Abc"]


def test_word_ngrams_as_tokenizer_analyzer():
    tokenizer = Tokenizer(analyzer=lambda text: word_ngrams(text, (1, 2)))
    tokenizer.fit_on_texts(["not good", "good"])
    assert tokenizer.word_index == {"good": 1, "not": 2, "not good": 3}


def test_fasttext_ngram_features():
    sequences = [[1, 3, 4], [1, 3, 7]]
    index = ngram_index(sequences)
    assert index == {(1, 3): 8, (3, 4): 9, (3, 7): 10}  # above the largest word index, 7
    assert add_ngrams(sequences, index) == [[1, 3, 4, 8, 9], [1, 3, 7, 8, 10]]
    trigrams = ngram_index(sequences, ngram_range=(2, 3), start_index=100)
    assert trigrams[(1, 3, 4)] == 102
    # n-grams come from the original sequence only, never from appended ids
    assert add_ngrams([[1, 3]], {(1, 3): 5, (3, 5): 6}, ngram_range=(2, 3)) == [[1, 3, 5]]


@pytest.mark.parametrize("bad", [(0, 2), (3, 2), 2, (1, 2.5)])
def test_bad_ngram_ranges(bad):
    with pytest.raises(ValueError, match="ngram_range"):
        word_ngrams("a b", bad)


def test_index_ngrams_start_at_two():
    with pytest.raises(ValueError, match="2 <= min_n"):
        ngram_index([[1, 2]], ngram_range=(1, 2))
