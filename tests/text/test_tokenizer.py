"""Tokenizer: golden values worked out by hand from Keras 2's documented algorithm.

Every test runs twice: on the compiled path and on the pure-Python reference path.
"""
import math
import warnings

import numpy as np
import pytest

from seqlab.text import Tokenizer

CORPUS = ["The cat sat.", "The dog sat down!", "A cat, a dog."]
# tokens: [the cat sat] [the dog sat down] [a cat a dog]
# counts in first-seen order: the 2, cat 2, sat 2, dog 2, down 1, a 2
# by count, ties in first-seen order: the, cat, sat, dog, a, down


def test_vocabulary_order_and_counts(path):
    tokenizer = Tokenizer().fit_on_texts(CORPUS)
    assert list(tokenizer.word_counts.items()) == [
        ("the", 2), ("cat", 2), ("sat", 2), ("dog", 2), ("down", 1), ("a", 2)]
    assert tokenizer.word_index == {"the": 1, "cat": 2, "sat": 3, "dog": 4, "a": 5, "down": 6}
    assert list(tokenizer.word_index) == ["the", "cat", "sat", "dog", "a", "down"]
    assert tokenizer.index_word == {1: "the", 2: "cat", 3: "sat", 4: "dog", 5: "a", 6: "down"}
    assert dict(tokenizer.word_docs) == {"the": 2, "cat": 2, "sat": 2, "dog": 2, "down": 1, "a": 1}
    assert dict(tokenizer.index_docs) == {1: 2, 2: 2, 3: 2, 4: 2, 6: 1, 5: 1}
    assert tokenizer.document_count == 3


def test_ties_keep_first_seen_order_across_fits(path):
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(["b a"])
    tokenizer.fit_on_texts(["a c"])
    assert list(tokenizer.word_counts.items()) == [("b", 1), ("a", 2), ("c", 1)]
    assert tokenizer.word_index == {"a": 1, "b": 2, "c": 3}
    assert tokenizer.document_count == 2


def test_texts_to_sequences_drops_unknown_words(path):
    tokenizer = Tokenizer().fit_on_texts(CORPUS)
    assert tokenizer.texts_to_sequences(["the cat and a dog", "Down, down, DOWN", ""]) == [
        [1, 2, 5, 4], [6, 6, 6], []]


def test_num_words_keeps_indices_below_it(path):
    tokenizer = Tokenizer(num_words=4).fit_on_texts(CORPUS)
    assert len(tokenizer.word_index) == 6  # the vocabulary is not cut
    assert tokenizer.texts_to_sequences(["the cat and a dog", "down"]) == [[1, 2], []]
    assert tokenizer.vocab_size == 4


def test_oov_token_takes_index_one(path):
    tokenizer = Tokenizer(num_words=4, oov_token="<OOV>").fit_on_texts(CORPUS)
    assert tokenizer.word_index == {"<OOV>": 1, "the": 2, "cat": 3, "sat": 4, "dog": 5, "a": 6,
                                    "down": 7}
    # "and" is unknown; "a" (6), "dog" (5) and "down" (7) are beyond num_words: all OOV.
    assert tokenizer.texts_to_sequences(["the cat and a dog", "down down"]) == [
        [2, 3, 1, 1, 1], [1, 1]]
    assert tokenizer.vocab_size == 4
    assert Tokenizer(oov_token="<OOV>").fit_on_texts(CORPUS).vocab_size == 8


def test_num_words_one_keeps_only_the_oov_slot(path):
    with_oov = Tokenizer(num_words=1, oov_token="?").fit_on_texts(["a b"])
    assert with_oov.texts_to_sequences(["a b c"]) == [[1, 1, 1]]
    assert with_oov.vocab_size == 2
    assert Tokenizer(num_words=1).fit_on_texts(["a b"]).texts_to_sequences(["a b c"]) == [[]]


def test_oov_token_that_is_also_a_word(path):
    # Keras builds word_index with dict(zip(["y", "y", "x"], [1, 2, 3])): the later "y" wins,
    # so index 1 is left without a word and unknown words map to 2.
    tokenizer = Tokenizer(oov_token="y").fit_on_texts(["x y y"])
    assert tokenizer.word_index == {"y": 2, "x": 3}
    assert tokenizer.index_word == {2: "y", 3: "x"}
    assert tokenizer.texts_to_sequences(["x z"]) == [[3, 2]]


def test_char_level_ignores_filters_and_split(path):
    tokenizer = Tokenizer(char_level=True).fit_on_texts(["Ab!", "b a"])
    assert list(tokenizer.word_counts.items()) == [("a", 2), ("b", 2), ("!", 1), (" ", 1)]
    assert tokenizer.word_index == {"a": 1, "b": 2, "!": 3, " ": 4}
    assert tokenizer.texts_to_sequences(["A!?"]) == [[1, 3]]


def test_lists_are_pre_tokenized_texts(path):
    tokenizer = Tokenizer().fit_on_texts([["Hello", "World"], ["hello"], ["a,b", ""]])
    # lowered, but neither filtered nor split; the empty token counts as a word
    assert list(tokenizer.word_counts.items()) == [("hello", 2), ("world", 1), ("a,b", 1), ("", 1)]
    assert tokenizer.texts_to_sequences([["WORLD", "x"], "hello world"]) == [[2], [1, 2]]


def test_lists_and_strings_mixed_keep_first_seen_order(path):
    tokenizer = Tokenizer(lower=False).fit_on_texts(["b a", ["c", 1, "a"], "d c"])
    assert list(tokenizer.word_counts.items()) == [("b", 1), ("a", 2), ("c", 2), (1, 1), ("d", 1)]
    assert tokenizer.word_index == {"a": 1, "c": 2, "b": 3, 1: 4, "d": 5}


def test_generators_are_read_once(path):
    tokenizer = Tokenizer().fit_on_texts(text for text in CORPUS)
    assert tokenizer.document_count == 3
    sequences = tokenizer.texts_to_sequences_generator(iter(["cat", "dog"]))
    assert next(sequences) == [2]
    assert list(sequences) == [[4]]


def test_sequences_to_texts(path):
    plain = Tokenizer().fit_on_texts(CORPUS)
    assert plain.sequences_to_texts([[1, 0, 6, 99], []]) == ["the down", ""]
    limited = Tokenizer(num_words=4, oov_token="<OOV>").fit_on_texts(CORPUS)
    # 0 and 9 have no word, 4 is beyond num_words: Keras writes the OOV token for each
    assert limited.sequences_to_texts([[2, 3, 0, 9, 4]]) == ["the cat <OOV> <OOV> <OOV>"]
    assert list(limited.sequences_to_texts_generator(np.array([[2, 3]]))) == ["the cat"]


def test_matrix_modes(path):
    tokenizer = Tokenizer().fit_on_texts(CORPUS)  # width 7; index_docs {1: 2, 2: 2, 6: 1, ...}
    sequences = [[1, 1, 2], [6], []]
    count = np.zeros((3, 7))
    count[0, 1], count[0, 2], count[1, 6] = 2, 1, 1
    np.testing.assert_array_equal(tokenizer.sequences_to_matrix(sequences, "count"), count)
    np.testing.assert_array_equal(tokenizer.sequences_to_matrix(sequences, "binary"), count > 0)
    freq = tokenizer.sequences_to_matrix(sequences, "freq")
    assert (freq[0, 1], freq[0, 2], freq[1, 6]) == (2 / 3, 1 / 3, 1.0)
    tfidf = tokenizer.sequences_to_matrix(sequences, "tfidf")
    assert tfidf[0, 1] == pytest.approx((1 + math.log(2)) * math.log(1 + 3 / 3), rel=1e-15)
    assert tfidf[0, 2] == pytest.approx(math.log(2), rel=1e-15)
    assert tfidf[1, 6] == pytest.approx(math.log(1 + 3 / 2), rel=1e-15)
    assert np.count_nonzero(tfidf) == 3
    assert tokenizer.sequences_to_matrix(sequences).dtype == np.float64


def test_texts_to_matrix(path):
    tokenizer = Tokenizer().fit_on_texts(CORPUS)
    np.testing.assert_array_equal(tokenizer.texts_to_matrix(["the the cat"], mode="count"),
                                  [[0, 2, 1, 0, 0, 0, 0]])


def test_freq_divides_by_the_full_length_and_zero_is_a_column():
    tokenizer = Tokenizer(num_words=3).fit_on_texts(CORPUS)
    np.testing.assert_array_equal(tokenizer.sequences_to_matrix([[1, 5, 5, 2]], "freq"),
                                  [[0, 0.25, 0.25]])
    np.testing.assert_array_equal(tokenizer.sequences_to_matrix([[0, 0, 1]], "count"),
                                  [[2, 1, 0]])


def test_tfidf_after_fit_on_sequences():
    tokenizer = Tokenizer(num_words=5).fit_on_sequences([[1, 2], [2, 2, 3]])
    assert tokenizer.document_count == 2
    assert dict(tokenizer.index_docs) == {1: 1, 2: 2, 3: 1}
    row = tokenizer.sequences_to_matrix([[2, 4]], "tfidf")[0]
    assert row[2] == pytest.approx(math.log(1 + 2 / 3), rel=1e-15)
    assert row[4] == pytest.approx(math.log(1 + 2 / 1), rel=1e-15)
    assert tokenizer.fit_on_sequences(np.array([[4, 4]])).index_docs[4] == 1
    assert all(type(k) is int for k in tokenizer.index_docs)


def test_repr_and_vocab_size():
    tokenizer = Tokenizer(num_words=10, oov_token="<?>")
    assert repr(tokenizer) == "Tokenizer(num_words=10, oov_token='<?>', words=0, documents=0)"
    with pytest.raises(ValueError, match="fit_on_texts"):
        tokenizer.vocab_size
    tokenizer.fit_on_texts(CORPUS)
    assert tokenizer.vocab_size == 8  # 6 words + OOV + padding, below num_words


# ------------------------------------------------------------------ bad input

@pytest.mark.parametrize("num_words", [0, -5, 2.5, True, "10"])
def test_num_words_must_be_positive_int(num_words):
    with pytest.raises(ValueError, match=f"num_words must be .* got {num_words!r}"):
        Tokenizer(num_words=num_words)


@pytest.mark.parametrize("bad, message", [
    (None, r"texts\[1\] is None"),
    (b"caf\xc3\xa9", r"texts\[1\] is bytes.*decode"),
    (float("nan"), r"texts\[1\] is float nan.*fillna"),
    (7, r"texts\[1\] is int"),
])
def test_bad_texts_name_position_and_fix(path, bad, message):
    tokenizer = Tokenizer().fit_on_texts(["a"])
    with pytest.raises(TypeError, match=message):
        tokenizer.fit_on_texts(["b", bad])
    with pytest.raises(TypeError, match=message):
        tokenizer.texts_to_sequences(["b", bad])


def test_failed_fit_changes_nothing(path):
    tokenizer = Tokenizer().fit_on_texts(["a"])
    with pytest.raises(TypeError):
        tokenizer.fit_on_texts(["b c"] * 5000 + [None])
    assert dict(tokenizer.word_counts) == {"a": 1}
    assert tokenizer.document_count == 1
    assert tokenizer.word_index == {"a": 1}


def test_lowering_a_non_str_token_is_explained():
    with pytest.raises(TypeError, match=r"texts\[0\] is a list of tokens holding int 3"):
        Tokenizer().fit_on_texts([["a", 3]])


def test_texts_argument_itself_is_checked():
    with pytest.raises(TypeError, match="got NoneType"):
        Tokenizer().fit_on_texts(None)
    with pytest.raises(TypeError, match="got int"):
        Tokenizer().fit_on_texts(5)
    with pytest.warns(UserWarning, match="single str"):
        tokenizer = Tokenizer().fit_on_texts("abc")
    assert tokenizer.document_count == 3  # as Keras: one text per character


def test_unknown_mode_is_rejected_before_any_work():
    tokenizer = Tokenizer().fit_on_texts(CORPUS)
    with pytest.raises(ValueError, match="Unknown vectorization mode: 'tf-idf'; use one of"):
        tokenizer.sequences_to_matrix([], mode="tf-idf")
    with pytest.raises(ValueError, match="Unknown vectorization mode"):
        tokenizer.texts_to_matrix(iter([None]), mode="onehot")


def test_matrix_errors():
    with pytest.raises(ValueError, match="Specify a dimension"):
        Tokenizer().sequences_to_matrix([[1]])
    with pytest.raises(ValueError, match="Fit the Tokenizer"):
        Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="tfidf")
    tokenizer = Tokenizer(num_words=3)
    with pytest.raises(ValueError, match=r"sequences\[1\] holds the negative index -2"):
        tokenizer.sequences_to_matrix([[1], [0, -2]], mode="count")
    with pytest.raises(TypeError, match=r"sequences\[0\] holds 1.5"):
        tokenizer.sequences_to_matrix([[1.5]], mode="count")
    with pytest.raises(TypeError, match=r"sequences\[1\] is NoneType"):
        tokenizer.sequences_to_matrix([[1], None], mode="count")


def test_unfitted_oov_tokenizer_cannot_convert(path):
    with pytest.raises(ValueError, match="call fit_on_texts"):
        Tokenizer(oov_token="<?>").texts_to_sequences(["a"])
    assert Tokenizer().texts_to_sequences(["a"]) == [[]]  # as Keras


def test_keyword_arguments():
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        Tokenizer(vocab=10)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert Tokenizer(nb_words=7).num_words == 7
    assert "renamed `num_words`" in str(caught[0].message)
    with pytest.raises(ValueError, match="document_count"):
        Tokenizer(document_count=-1)
    with pytest.raises(TypeError, match="analyzer"):
        Tokenizer(analyzer="split")


def test_analyzer_replaces_splitting():
    tokenizer = Tokenizer(analyzer=lambda text: text.split("|")).fit_on_texts(["A|b", "b"])
    assert tokenizer.word_index == {"b": 1, "A": 2}  # the analyzer's tokens, not lowered
    assert tokenizer.texts_to_sequences(["b|A|c"]) == [[1, 2]]
