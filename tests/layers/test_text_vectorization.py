"""TextVectorization, StringLookup, IntegerLookup: Keras's documented examples and rules
(expected values from the Keras docs or worked out by hand from the documented steps)."""
import math
import re
import string

import numpy as np
import pytest
import torch

from seqlab.layers import (Dense, Embedding, GlobalAveragePooling1D, Input, IntegerLookup,
                           StringLookup, TextVectorization)
from seqlab.models import Model, Sequential
from seqlab.text import strings


def test_keras_docstring_examples():
    layer = TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    out = layer([["foo qux bar"], ["qux baz"]])
    assert out.dtype == torch.int64
    assert out.tolist() == [[4, 1, 3, 0], [1, 2, 0, 0]]
    given = TextVectorization(max_tokens=5000, output_sequence_length=4,
                              vocabulary=["earth", "wind", "and", "fire"])
    assert given.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]
    assert given.vocabulary_size() == 6
    assert given.get_vocabulary(include_special_tokens=False) == ["earth", "wind", "and", "fire"]


def test_default_standardization_is_keras_regex_and_ascii_lowercase():
    layer = TextVectorization()
    layer.adapt(["Hello, World! It's <br /> A-B_c", "ÉCOLE École ¿qué?"])
    vocabulary = layer.get_vocabulary()[2:]
    # Keras deletes ! , ' < / > - _ ? and lowercases ASCII letters only (tf.strings.lower)
    assert sorted(vocabulary) == sorted(["hello", "world", "its", "br", "abc", "École",
                                         "¿qué"])
    assert layer(["hello école"]).tolist() == [[vocabulary.index("hello") + 2, 1]]


def test_vocabulary_ranked_by_count_ties_high_to_low_and_max_tokens():
    layer = TextVectorization()
    layer.adapt(["b a c a", "c"])
    assert layer.get_vocabulary() == ["", "[UNK]", "c", "a", "b"]  # a, c: 2 each; c > a
    small = TextVectorization(max_tokens=4)
    small.adapt(["b a c a", "c"])
    assert small.get_vocabulary() == ["", "[UNK]", "c", "a"]


def test_ngrams_and_count_mode():
    layer = TextVectorization(ngrams=2, output_mode="count")
    layer.adapt(["a b a"])
    # counts: a 2; b, "a b", "b a" 1 each, ties high to low: "b a" > "b" > "a b"
    assert layer.get_vocabulary() == ["[UNK]", "a", "b a", "b", "a b"]
    # "a b a x": a, b, a, x, "a b", "b a", "a x" -> OOV gets x and "a x"
    assert layer(["a b a x"]).tolist() == [[2.0, 2.0, 1.0, 1.0, 1.0]]
    assert TextVectorization(ngrams=(2,), vocabulary=["a b"])(["a b c"]).tolist() == [[2, 1]]


def test_multi_hot_and_pad_to_max_tokens():
    layer = TextVectorization(output_mode="multi_hot", max_tokens=10, pad_to_max_tokens=True)
    layer.adapt(["x y y", "z"])
    out = layer(["y y q", ""])
    assert out.shape == (2, 10) and out.dtype == torch.float32
    assert out[0].tolist()[:5] == [1.0, 1.0, 0.0, 0.0, 0.0]  # [UNK] (q), y
    assert out[1].sum() == 0
    unpadded = TextVectorization(output_mode="multi_hot")
    unpadded.adapt(["x y y", "z"])
    assert unpadded(["z"]).shape == (1, 4)


def test_tf_idf_formula():
    layer = TextVectorization(output_mode="tf_idf")
    layer.adapt(["a a b", "b c"])
    assert layer.get_vocabulary() == ["[UNK]", "b", "a", "c"]
    idf = {"b": math.log(1 + 2 / 3), "a": math.log(1 + 2 / 2), "c": math.log(1 + 2 / 2)}
    oov = (idf["b"] + idf["a"] + idf["c"]) / 3  # OOV slot: the mean weight
    np.testing.assert_allclose(layer(["a a z"]).numpy(), [[oov, 0, 2 * idf["a"], 0]],
                               rtol=1e-6)
    given = TextVectorization(output_mode="tf_idf", vocabulary=["p", "q"],
                              idf_weights=[0.5, 1.5])
    np.testing.assert_allclose(given(["q q x"]).numpy(), [[1.0, 0.0, 3.0]])


def test_custom_standardize_and_split_callables():
    def custom_standardization(input_data):
        lowercase = strings.lower(input_data)
        stripped_html = strings.regex_replace(lowercase, "<br />", " ")
        return strings.regex_replace(stripped_html, f"[{re.escape(string.punctuation)}]", "")

    seen = []

    def split_on_commas(batch):
        seen.append(np.shape(batch))
        return strings.split(batch, sep=",")

    layer = TextVectorization(standardize=custom_standardization)
    layer.adapt(["Great<br />movie!", "great"])
    assert layer.get_vocabulary() == ["", "[UNK]", "great", "movie"]
    commas = TextVectorization(standardize=None, split=split_on_commas)
    commas.adapt([["a b,c"], ["c"]])
    assert seen[0] == (2,)  # the split callable sees the 1st dimension squeezed out
    assert commas.get_vocabulary() == ["", "[UNK]", "c", "a b"]


def test_character_split_no_split_and_sequence_length():
    chars = TextVectorization(split="character", standardize=None)
    chars.adapt(["abca"])
    assert chars.get_vocabulary() == ["", "[UNK]", "a", "c", "b"]
    assert chars(["cab", "a"]).tolist() == [[3, 2, 4], [2, 0, 0]]
    whole = TextVectorization(split=None, vocabulary=["new york", "paris"])
    assert whole([["New York"], ["Rome"]]).tolist() == [[2], [1]]
    short = TextVectorization(output_sequence_length=2, vocabulary=["a", "b", "c"])
    assert short(["c b a", "a"]).tolist() == [[4, 3], [2, 0]]
    assert short("a b").tolist() == [2, 3]  # one text, as a rank-0 input


def test_adapt_on_a_dataset_of_batches_and_config_round_trip():
    from seqlab.data import Dataset
    texts = np.array(["the cat", "the dog", "a cat"])
    pairs = Dataset.from_tensor_slices((texts, np.array([0, 1, 0]))).batch(2)
    layer = TextVectorization()
    with pytest.raises(ValueError, match="lambda x, y: x"):
        layer.adapt(pairs)
    layer.adapt(pairs.map(lambda x, y: x))
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "cat", "dog", "a"]
    rebuilt = TextVectorization.from_config(layer.get_config())
    assert rebuilt.get_vocabulary() == layer.get_vocabulary()
    assert rebuilt(["a dog"]).tolist() == layer(["a dog"]).tolist()


def test_argument_errors_name_the_value():
    with pytest.raises(ValueError, match="standardize=.lowercase."):
        TextVectorization(standardize="lowercase")
    with pytest.raises(ValueError, match="output_sequence_length"):
        TextVectorization(output_mode="multi_hot", output_sequence_length=4)
    with pytest.raises(RuntimeError, match="adapt"):
        TextVectorization(output_mode="count")(["a"])
    with pytest.raises(ValueError, match="last dimension of 1"):
        TextVectorization(vocabulary=["a"])([["a", "b"]])
    layer = TextVectorization(vocabulary=["a"])
    with pytest.raises(ValueError, match="cannot adapt"):
        layer.adapt(["b"])


def test_in_a_functional_model_with_string_input_and_in_sequential():
    texts = np.array(["good fun", "bad awful", "fun good good", "awful"])
    labels = np.array([1.0, 0.0, 1.0, 0.0])
    vectorize = TextVectorization(max_tokens=10, output_sequence_length=3)
    vectorize.adapt(texts)
    inputs = Input(shape=(1,), dtype="string")
    x = vectorize(inputs)
    assert x.shape == (None, 3) and x.dtype == torch.int64
    x = GlobalAveragePooling1D()(Embedding(10, 4)(x))
    model = Model(inputs, Dense(1, activation="sigmoid")(x))
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(texts[:, None], labels, epochs=2, batch_size=2, verbose=0)
    assert model.predict(texts[:, None], verbose=0).shape == (4, 1)
    scalar_inputs = Input(shape=(), dtype="string")
    ids = Model(scalar_inputs, vectorize(scalar_inputs))
    assert ids.predict(np.array(["good", "zzz"]), verbose=0).tolist() == [
        [vectorize(["good"]).tolist()[0][0], 0, 0], [1, 0, 0]]
    bag = TextVectorization(output_mode="multi_hot")
    bag.adapt(texts)
    stack = Sequential([bag, Dense(1, activation="sigmoid")])
    stack.compile("rmsprop", "binary_crossentropy")
    stack.fit(texts, labels, epochs=1, verbose=0)
    assert stack.predict(texts, verbose=0).shape == (4, 1)
    numeric = Sequential([Dense(1)])
    with pytest.raises(TypeError, match="turn texts into indices first"):
        numeric.predict(texts, verbose=0)


# ---------------------------------------------------------------- lookups (Keras docs)

VOCAB = ["a", "b", "c", "d"]


def test_string_lookup_documented_examples():
    data = [["a", "c", "d"], ["d", "z", "b"]]
    assert StringLookup(vocabulary=VOCAB)(data).tolist() == [[1, 3, 4], [4, 0, 2]]
    learned = StringLookup()
    learned.adapt(np.array(data))
    assert learned.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    masked = StringLookup(vocabulary=VOCAB, mask_token="")
    assert masked([["a", "c", "d"], ["d", "", "b"]]).tolist() == [[2, 4, 5], [5, 0, 3]]
    inverse = StringLookup(vocabulary=VOCAB, invert=True)
    assert inverse([[1, 3, 4], [4, 0, 2]]).tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]
    bags = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
    assert StringLookup(vocabulary=VOCAB, output_mode="multi_hot")(bags).tolist() == [
        [0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]
    assert StringLookup(vocabulary=VOCAB, output_mode="count")(bags).tolist() == [
        [0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]
    tf_idf = StringLookup(output_mode="tf_idf", vocabulary=VOCAB,
                          idf_weights=[0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(tf_idf(bags).numpy(), [[0, 0.25, 0, 0.6, 0.8],
                                                      [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    assert StringLookup(vocabulary=VOCAB, output_mode="one_hot")(["a", "z"]).tolist() == [
        [0, 1, 0, 0, 0], [1, 0, 0, 0, 0]]


def test_integer_lookup_documented_examples():
    vocab = [12, 36, 1138, 42]
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    assert IntegerLookup(vocabulary=vocab)(data).tolist() == [[1, 3, 4], [4, 0, 2]]
    learned = IntegerLookup()
    learned.adapt(data)
    assert learned.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    two = IntegerLookup(vocabulary=vocab, num_oov_indices=2)
    assert two(np.array([[12, 1138, 42], [37, 1000, 36]])).tolist() == [[2, 4, 5], [1, 0, 3]]
    inverse = IntegerLookup(vocabulary=vocab, invert=True)
    assert inverse(torch.tensor([[1, 3, 4], [4, 0, 2]])).tolist() == [[12, 1138, 42],
                                                                      [42, -1, 36]]
    with pytest.raises(ValueError, match="repeated"):
        IntegerLookup(vocabulary=[1, 1])
    with pytest.raises(ValueError, match="num_oov_indices=1"):
        IntegerLookup(vocabulary=vocab, num_oov_indices=0)(np.array([5]))


def test_ranking_equals_keras_lexsort_on_random_counts():
    """The vocabulary order is Keras's np.lexsort((tokens, counts))[::-1] on UTF-8 bytes."""
    from seqlab.layers._index_table import _ranked
    rng = np.random.default_rng(0)
    alphabet = list("abcé中z ") + ["ab", "a", "é"]
    for trial in range(30):
        tokens = {"".join(rng.choice(alphabet, size=rng.integers(1, 4))) for _ in range(60)}
        counts = {t: int(rng.integers(1, 5)) for t in tokens}
        keys = np.array([t.encode("utf-8") for t in counts], dtype=object)
        values = np.array(list(counts.values()))
        oracle = [keys[i].decode("utf-8") for i in np.lexsort((keys, values))[::-1]]
        keep = int(rng.integers(0, len(counts) + 2))
        assert [t for t, _ in _ranked(counts, None)] == oracle
        assert [t for t, _ in _ranked(counts, keep)] == oracle[:keep]


def test_course_lab_vocabulary_and_mapped_dataset_of_sentences():
    """The TensorFlow course's first tokenizer lab (TextVectorization version), worked by
    hand: my 4; love, dog 3; you, i 2; the rest once, ties high to low."""
    from seqlab import pad_sequences
    from seqlab.data import Dataset
    sentences = ["I love my dog", "I love my cat", "You love my dog!",
                 "Do you think my dog is amazing?"]
    vectorize_layer = TextVectorization()
    vectorize_layer.adapt(sentences)
    assert vectorize_layer.get_vocabulary() == ["", "[UNK]", "my", "love", "dog", "you", "i",
                                                "think", "is", "do", "cat", "amazing"]
    sequences = Dataset.from_tensor_slices(sentences).map(vectorize_layer)
    assert [s.tolist() for s in sequences] == [[6, 3, 2, 4], [6, 3, 2, 10], [5, 3, 2, 4],
                                               [9, 5, 7, 2, 4, 8, 11]]
    assert pad_sequences(sequences, padding="pre")[0].tolist() == [0, 0, 0, 6, 3, 2, 4]
    assert vectorize_layer(sentences).tolist()[0] == [6, 3, 2, 4, 0, 0, 0]
