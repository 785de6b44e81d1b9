"""seqlab.data.Dataset: tf.data's documented behaviour for the methods courses use, and
Model.fit/evaluate/predict reading it."""
import numpy as np
import pytest
import torch

from seqlab.data import Dataset
from seqlab.data.dataset import INFINITE, UNKNOWN


def values(dataset):
    return [np.asarray(e).tolist() if not isinstance(e, (tuple, dict)) else e
            for e in dataset.as_numpy_iterator()]


def test_range_batch_and_drop_remainder():
    assert values(Dataset.range(10).batch(3)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert values(Dataset.range(10).batch(3, drop_remainder=True)) == [[0, 1, 2], [3, 4, 5],
                                                                       [6, 7, 8]]
    assert Dataset.range(10).batch(3).cardinality() == 4
    assert Dataset.range(10).batch(3, drop_remainder=True).cardinality() == 3
    assert len(Dataset.range(10).batch(3)) == 4


def test_from_tensor_slices_tuples_and_dicts():
    pairs = Dataset.from_tensor_slices((np.array([[1, 2], [3, 4], [5, 6]]), np.array([0, 1, 0])))
    first = next(iter(pairs))
    assert first[0].tolist() == [1, 2] and int(first[1]) == 0 and first[0].numpy().shape == (2,)
    batch = next(iter(pairs.batch(2)))
    assert batch[0].shape == (2, 2) and batch[1].tolist() == [0, 1]
    named = Dataset.from_tensor_slices({"a": np.array([1, 2]), "b": np.array([3, 4])})
    assert [{k: int(v) for k, v in e.items()} for e in named] == [{"a": 1, "b": 3},
                                                                   {"a": 2, "b": 4}]
    texts = Dataset.from_tensor_slices(["x", "yy"]).batch(2)
    assert next(iter(texts)).dtype == object and next(iter(texts)).tolist() == ["x", "yy"]
    with pytest.raises(ValueError, match="same first size"):
        Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))


def test_map_unpacks_tuples_filter_unbatch():
    pairs = Dataset.from_tensor_slices((np.arange(4), np.arange(4) * 10))
    assert [int(v) for v in pairs.map(lambda x, y: x + y)] == [0, 11, 22, 33]
    assert values(Dataset.range(10).filter(lambda x: x % 3 == 0)) == [0, 3, 6, 9]
    assert Dataset.range(10).filter(lambda x: x > 2).cardinality() == UNKNOWN
    assert values(Dataset.range(5).batch(2).unbatch()) == [0, 1, 2, 3, 4]
    mapped = pairs.map(lambda x, y: (torch.tensor([int(x)]), y))  # tensors become arrays
    assert isinstance(next(mapped.as_numpy_iterator())[0], np.ndarray)


def test_take_skip_repeat_concatenate_zip_cardinality():
    ds = Dataset.range(5)
    assert values(ds.take(2)) == [0, 1] and values(ds.skip(3)) == [3, 4]
    assert ds.take(-1).cardinality() == 5 and ds.skip(9).cardinality() == 0
    assert values(ds.repeat(2)) == [0, 1, 2, 3, 4] * 2 and ds.repeat(2).cardinality() == 10
    assert ds.repeat().cardinality() == INFINITE
    assert values(ds.repeat().take(7)) == [0, 1, 2, 3, 4, 0, 1]
    assert ds.repeat().take(7).cardinality() == 7
    assert values(ds.concatenate(Dataset.range(5, 7))) == [0, 1, 2, 3, 4, 5, 6]
    zipped = Dataset.zip((Dataset.range(3), Dataset.range(4, 10)))
    assert [tuple(int(v) for v in e) for e in zipped] == [(0, 4), (1, 5), (2, 6)]
    assert zipped.cardinality() == 3
    assert [tuple(int(v) for v in e) for e in Dataset.zip(Dataset.range(2), Dataset.range(2))] \
        == [(0, 0), (1, 1)]
    with pytest.raises(TypeError, match="infinite"):
        len(ds.repeat())
    with pytest.raises(TypeError, match="unknown"):
        len(ds.filter(lambda x: True))
    assert ds.cardinality().numpy() == 5


def test_shuffle_buffer_seed_and_reshuffle():
    ds = Dataset.range(100)
    once = values(ds.shuffle(100, seed=7))
    assert sorted(once) == list(range(100)) and once != list(range(100))
    assert values(Dataset.range(100).shuffle(100, seed=7)) == once  # repeatable
    shuffled = ds.shuffle(100, seed=7)
    assert values(shuffled) != values(shuffled)  # a new order each pass by default
    import seqlab
    seqlab.set_seed(3)
    unseeded = values(ds.shuffle(100))
    seqlab.set_seed(3)
    assert values(ds.shuffle(100)) == unseeded  # set_seed makes an unseeded shuffle repeat
    fixed = ds.shuffle(100, seed=7, reshuffle_each_iteration=False)
    assert values(fixed) == values(fixed)
    # a buffer of 1 keeps the order; a buffer of k moves an element at most k-1 earlier
    assert values(ds.shuffle(1, seed=0)) == list(range(100))
    small = values(ds.shuffle(5, seed=3))
    assert all(small.index(v) >= v - 4 for v in range(100))


def test_cache_prefetch_element_spec_and_numpy():
    calls = []
    ds = Dataset.range(3).map(lambda x: calls.append(int(x)) or x).cache()
    assert values(ds) == [0, 1, 2] and values(ds) == [0, 1, 2]
    assert calls == [0, 1, 2]  # the second pass reads the cache
    assert ds.prefetch(2) is ds
    spec = Dataset.from_tensor_slices((np.zeros((4, 3)), np.array(["a"] * 4))).batch(2).element_spec
    assert spec[0].shape == (None, 3) and spec[0].dtype == "float64" and spec[1].dtype == "string"
    with pytest.raises(ValueError, match="in-memory"):
        Dataset.range(3).cache("file.cache")


def test_from_generator_runs_the_generator_each_pass():
    def numbers():
        yield from range(3)

    ds = Dataset.from_generator(numbers, output_signature=None)
    assert values(ds) == [0, 1, 2] and values(ds) == [0, 1, 2]
    with pytest.raises(TypeError, match="callable"):
        Dataset.from_generator(numbers())


def _model(seed=0):
    from seqlab.layers import Dense
    from seqlab.models import Sequential
    torch.manual_seed(seed)
    model = Sequential([Dense(4, activation="relu"), Dense(1)])
    model.build((None, 3))
    model.compile("sgd", "mse", metrics=["mae"])
    return model


def test_fit_on_a_dataset_equals_fit_on_the_same_batches():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 3)).astype("float32"), rng.normal(size=(20, 1)).astype("float32")
    by_arrays, by_dataset = _model(), _model()
    by_arrays.fit(x, y, batch_size=6, epochs=2, shuffle=False, verbose=0)
    history = by_dataset.fit(Dataset.from_tensor_slices((x, y)).batch(6), epochs=2, verbose=0,
                             validation_data=Dataset.from_tensor_slices((x, y)).batch(8))
    for a, b in zip(by_arrays.get_weights(), by_dataset.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert "val_loss" in history.history
    loss = by_dataset.evaluate(Dataset.from_tensor_slices((x, y)).batch(7), verbose=0)
    assert loss == pytest.approx(by_dataset.evaluate(x, y, verbose=0), rel=1e-5)
    predicted = by_dataset.predict(Dataset.from_tensor_slices(x).batch(7), verbose=0)
    np.testing.assert_allclose(predicted, by_dataset.predict(x, verbose=0), rtol=1e-6)
    forever = Dataset.from_tensor_slices((x, y)).batch(5).repeat()
    with pytest.raises(ValueError, match="steps_per_epoch"):
        by_dataset.fit(forever, epochs=1, verbose=0)
    by_dataset.fit(forever, epochs=2, steps_per_epoch=3, verbose=0)


def test_padded_batch_enumerate_flat_map_reduce_and_unsupported_names():
    ragged = Dataset.from_generator(lambda: (np.arange(n) + 1 for n in (1, 3, 2)))
    assert values(ragged.padded_batch(2)) == [[[1, 0, 0], [1, 2, 3]], [[1, 2]]]
    assert values(ragged.padded_batch(3, padded_shapes=(4,), padding_values=-1)) == [
        [[1, -1, -1, -1], [1, 2, 3, -1], [1, 2, -1, -1]]]
    with pytest.raises(ValueError, match="longer"):
        next(iter(ragged.padded_batch(3, padded_shapes=(2,))))
    assert [(int(i), int(v)) for i, v in Dataset.range(3, 6).enumerate(1)] == [(1, 3), (2, 4),
                                                                            (3, 5)]
    assert values(Dataset.range(3).flat_map(lambda x: Dataset.range(int(x)))) == [0, 0, 1]
    assert int(Dataset.range(5).reduce(np.int64(0), lambda state, x: state + x)) == 10
    assert values(Dataset.range(4).apply(lambda ds: ds.skip(2))) == [2, 3]
    with pytest.raises(AttributeError, match="interleave.*flat_map"):
        Dataset.range(3).interleave(lambda x: x)


def test_dataset_and_strings_do_not_import_torch():
    import subprocess
    import sys
    code = ("import sys, seqlab.data, seqlab.text.strings; "
            "seqlab.data.Dataset.range(3).batch(2); print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


def test_the_courses_padding_func_with_ragged_batch():
    """The TensorFlow course's padding_func: all sequences in one ragged batch, padded."""
    from seqlab import pad_sequences
    from seqlab.layers import TextVectorization
    vectorize_layer = TextVectorization()
    vectorize_layer.adapt(["a b c", "b c", "c"])
    sequences = Dataset.from_tensor_slices(["a b c", "c", "b c"]).map(vectorize_layer)

    def padding_func(sequences):
        sequences = sequences.ragged_batch(batch_size=sequences.cardinality())
        sequences = sequences.get_single_element()
        padded_sequences = pad_sequences(sequences.numpy(), maxlen=4, truncating="post",
                                         padding="pre")
        return Dataset.from_tensor_slices(padded_sequences)

    assert sequences.ragged_batch(3).get_single_element().to_list() == [[4, 3, 2], [2],
                                                                          [3, 2]]
    assert values(padding_func(sequences)) == [[0, 4, 3, 2], [0, 0, 0, 2], [0, 0, 3, 2]]
    with pytest.raises(ValueError, match="exactly one"):
        Dataset.range(2).get_single_element()
