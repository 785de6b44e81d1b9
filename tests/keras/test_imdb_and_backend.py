"""keras.datasets.imdb with Keras's load_data rules (on a small aclImdb-shaped folder),
keras.backend, and the tensorflow-shaped shim."""
import numpy as np
import pytest
import torch

import seqlab
from seqlab.keras import backend as K
from seqlab.keras.datasets import imdb

REVIEWS = {  # (split, class) -> texts; word counts in train: the 6, movie 4, good 2, bad 2
    ("train", "pos"): ["The movie the good", "the movie was GOOD"],
    ("train", "neg"): ["the bad movie<br />the end", "bad movie"],
    ("test", "pos"): ["the plot good"],
    ("test", "neg"): ["plot plot bad end"],
}


@pytest.fixture
def acl(tmp_path):
    root = tmp_path / "aclImdb"
    for (split, label), texts in REVIEWS.items():
        folder = root / split / label
        folder.mkdir(parents=True)
        for i, text in enumerate(texts):
            (folder / f"{i}_{8 if label == 'pos' else 2}.txt").write_text(text, encoding="utf-8")
    return root


def test_word_index_ranks_training_words_by_count(acl):
    index = imdb.get_word_index(acl)
    assert index["the"] == 1 and index["movie"] == 2
    assert {index["good"], index["bad"]} == {3, 4}
    assert index["br"] < index["plot"]  # <br /> leaves the word br, as in Keras's index
    assert index["plot"] == max(index.values())  # seen only in the test reviews: last


def test_load_data_follows_keras_rules(acl):
    index = imdb.get_word_index(acl)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(acl)
    assert x_train.dtype == object and len(x_train) == 4 and len(x_test) == 2
    # Keras: shuffled with RandomState(seed), training first, then test
    rng = np.random.RandomState(113)
    order = np.arange(4)
    rng.shuffle(order)
    reader_order = REVIEWS["train", "neg"] + REVIEWS["train", "pos"]  # neg first, by file id
    assert list(y_train) == [0 if i < 2 else 1 for i in order]
    first = reader_order[order[0]]
    words = first.lower().replace("<br />", " ").split()
    assert x_train[0] == [1] + [index[w] + 3 for w in words]  # start_char 1, index_from 3

    (x, _), _ = imdb.load_data(acl, num_words=5)  # ranks >= 5 (after the shift) -> oov 2
    assert all(w < 5 for row in x for w in row) and any(2 in row for row in x)
    # skip_top applies to the shifted indices, as Keras: 5 drops the start mark and 'the' (4)
    (x, _), _ = imdb.load_data(acl, skip_top=5)
    assert all(row[0] == 2 for row in x) and not any(index["the"] + 3 in row for row in x)
    (x, _), _ = imdb.load_data(acl, start_char=None, oov_char=None, index_from=0, num_words=3)
    assert all(set(row) <= {1, 2} for row in x)  # only 'the' and 'movie' survive, unshifted
    (x, y), (xt, _) = imdb.load_data(acl, maxlen=5)  # Keras keeps len < maxlen
    assert all(len(row) < 5 for row in x) and len(x) == 1 and len(xt) == 1
    with pytest.raises(ValueError, match="Increase maxlen"):
        imdb.load_data(acl, maxlen=2)
    (a, _), _ = imdb.load_data(acl, seed=1)
    (b, _), _ = imdb.load_data(acl, seed=1)
    assert list(a) == list(b)


def test_load_data_reads_seqlabs_copy_by_default(acl, monkeypatch):
    import seqlab.keras.datasets.imdb as module

    monkeypatch.setattr(module, "fetch", lambda name: acl)
    (x_train, _), _ = imdb.load_data()
    assert len(x_train) == 4
    with pytest.raises(TypeError, match="unexpected keyword argument 'path_'"):
        imdb.load_data(acl, path_="x")


def test_backend_calls_course_code_makes():
    from seqlab.layers import Dense

    K.clear_session()
    assert Dense(2).name == "dense" and Dense(2).name == "dense_1"
    K.clear_session()
    assert Dense(2).name == "dense"
    assert K.epsilon() == 1e-7 and K.floatx() == "float32"
    assert K.image_data_format() == "channels_last" and K.backend() == "torch"
    assert K.int_shape(torch.zeros(2, 3)) == (2, 3)
    assert K.int_shape(seqlab.layers.Input((None, 4))) == (None, None, 4)
    assert K.count_params(torch.zeros(3, 4)) == 12
    weight = torch.zeros(2)
    K.set_value(weight, [1.0, 2.0])
    assert K.get_value(weight).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match="unknown float type"):
        K.set_floatx("float8")


def test_tensorflow_shim():
    import seqlab.keras
    import seqlab.tensorflow as tf
    from seqlab.tensorflow.keras.layers import Dense
    from seqlab.tensorflow.keras.preprocessing.text import Tokenizer

    assert tf.keras is seqlab.keras and Tokenizer is seqlab.text.Tokenizer
    assert issubclass(Dense, seqlab.layers.Dense)
    assert tf.constant([1.5, 2.0]).dtype == np.float32 and tf.constant([1, 2]).dtype == np.int32
    assert tf.constant(["a text"]).dtype.kind == "U"
    assert tf.convert_to_tensor(torch.ones(2), dtype=tf.float64).dtype == np.float64
    assert tf.constant(0.0, shape=(2, 2)).shape == (2, 2)
    tf.random.set_seed(5)
    first = torch.rand(3)
    tf.random.set_seed(5)
    assert torch.equal(first, torch.rand(3))
    with pytest.raises(AttributeError, match=r"tf.GradientTape is not in seqlab.*backward"):
        tf.GradientTape  # noqa: B018
    with pytest.raises(AttributeError, match=r"tf.split .*torch.split"):
        tf.split  # noqa: B018
    assert tf.data.AUTOTUNE == tf.data.experimental.AUTOTUNE


def test_tensorflow_data_and_strings_are_found_when_seqlab_has_them(monkeypatch):
    import types

    import seqlab.tensorflow as tf

    class Dataset:
        pass

    monkeypatch.setattr(seqlab.data, "Dataset", Dataset, raising=False)
    monkeypatch.delattr(tf.data, "Dataset", raising=False)
    assert tf.data.Dataset is Dataset
    strings = types.ModuleType("seqlab.text.strings")
    strings.lower = str.lower
    monkeypatch.setitem(__import__("sys").modules, "seqlab.text.strings", strings)
    monkeypatch.delattr(tf.strings, "lower", raising=False)
    assert tf.strings.lower is str.lower


def test_real_reviews_give_keras_sizes_and_top_ranks():
    from tests.helpers import shared_data

    path = shared_data("imdb/aclImdb_v1.tar.gz")
    (x_train, y_train), (x_test, y_test) = imdb.load_data(path, num_words=10000)
    assert len(x_train) == len(x_test) == 25000
    assert y_train.sum() == y_test.sum() == 12500
    assert max(max(row) for row in x_train) == 9999 and all(row[0] == 1 for row in x_train)
    index = imdb.get_word_index(path)
    top = sorted(index, key=index.get)[:10]
    # the first ten entries of Keras's imdb_word_index.json
    assert top == ["the", "and", "a", "of", "to", "is", "br", "in", "it", "i"]
