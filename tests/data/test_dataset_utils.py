"""text_dataset_from_directory and timeseries_dataset_from_array: Keras's documented file
order, seeded split, label formats and window examples."""
import numpy as np
import pytest

from seqlab.data import text_dataset_from_directory, timeseries_dataset_from_array
from seqlab.data.dataset import Dataset


@pytest.fixture()
def acl(tmp_path):
    """An aclImdb-shaped train folder: neg, pos, unsup (and a nested folder, a non-.txt
    file and a hidden folder that Keras skips)."""
    root = tmp_path / "aclImdb" / "train"
    for name, count in (("neg", 7), ("pos", 5), ("unsup", 3)):
        (root / name).mkdir(parents=True)
        for i in range(count):
            (root / name / f"{i}_{i % 4 + 1}.txt").write_text(f"{name} review {i}",
                                                              encoding="utf-8")
    (root / "pos" / "extra").mkdir()
    (root / "pos" / "extra" / "z.txt").write_text("pos nested", encoding="utf-8")
    (root / "pos" / "notes.md").write_text("ignored", encoding="utf-8")
    (root / ".cache").mkdir()
    (root / "urls_pos.txt").write_text("a file beside the class folders", encoding="utf-8")
    return root


def texts_and_labels(dataset):
    texts, labels = [], []
    for x, y in dataset.as_numpy_iterator():
        texts += list(x)
        labels += np.asarray(y).tolist()
    return texts, labels


def test_classes_are_the_sorted_subfolders_unsup_included(acl, capsys):
    dataset = text_dataset_from_directory(acl, shuffle=False, batch_size=4)
    assert dataset.class_names == ["neg", "pos", "unsup"]
    assert "Found 16 files belonging to 3 classes." in capsys.readouterr().out
    texts, labels = texts_and_labels(dataset)
    # unshuffled: class by class, files in sorted order, nested folders after their parent
    expected = [f"neg review {i}" for i in range(7)] + [f"pos review {i}" for i in range(5)]
    expected += ["pos nested"] + [f"unsup review {i}" for i in range(3)]
    assert texts == expected and labels == [0] * 7 + [1] * 6 + [2] * 3
    assert dataset.cardinality() == 4


def test_class_names_pick_folders_and_seeded_split_is_keras(acl):
    kwargs = dict(class_names=["pos", "neg"], validation_split=0.25, seed=1337, batch_size=5)
    train = text_dataset_from_directory(acl, subset="training", verbose=False, **kwargs)
    val = text_dataset_from_directory(acl, subset="validation", verbose=False, **kwargs)
    train_texts, train_labels = texts_and_labels(train)
    val_texts, val_labels = texts_and_labels(val)
    everything = [f"pos review {i}" for i in range(5)] + ["pos nested"] + [
        f"neg review {i}" for i in range(7)]
    order = np.random.RandomState(1337).permutation(len(everything))  # Keras's file shuffle
    shuffled = [everything[i] for i in order]
    n_val = int(0.25 * len(everything))
    assert len(val_texts) == n_val == 3
    assert sorted(val_texts) == sorted(shuffled[-n_val:])
    assert sorted(train_texts) == sorted(shuffled[:-n_val])
    for text, label in zip(train_texts + val_texts, train_labels + val_labels):
        assert label == (0 if text.startswith("pos") else 1)
    both = text_dataset_from_directory(acl, subset="both", verbose=False, **kwargs)
    assert sorted(texts_and_labels(both[1])[0]) == sorted(val_texts)


def test_label_modes_max_length_and_no_labels(acl):
    binary = text_dataset_from_directory(acl, class_names=["neg", "pos"], label_mode="binary",
                                         max_length=3, batch_size=32, seed=1, verbose=False)
    x, y = next(iter(binary))
    assert y.dtype == np.float32 and y.shape == (13, 1)
    assert {len(t) for t in x} == {3} and set(x) == {"neg", "pos"}
    onehot = text_dataset_from_directory(acl, label_mode="categorical", seed=1, verbose=False)
    _, y = next(iter(onehot))
    assert y.shape == (16, 3) and y.sum(axis=1).tolist() == [1.0] * 16
    ints = text_dataset_from_directory(acl, seed=1, verbose=False)
    assert next(iter(ints))[1].dtype == np.int32
    unlabeled = text_dataset_from_directory(acl, labels=None, batch_size=None, shuffle=False,
                                            verbose=False)
    first = next(iter(unlabeled))
    assert not isinstance(first, tuple) and unlabeled.cardinality() == 17  # urls_pos.txt too


def test_argument_errors(acl):
    with pytest.raises(ValueError, match="give a seed"):
        text_dataset_from_directory(acl, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="go together"):
        text_dataset_from_directory(acl, validation_split=0.2, seed=1)
    with pytest.raises(ValueError, match="exactly 2 classes"):
        text_dataset_from_directory(acl, label_mode="binary", verbose=False)
    with pytest.raises(ValueError, match="subset of"):
        text_dataset_from_directory(acl, class_names=["good", "bad"])
    with pytest.raises(FileNotFoundError, match="aclImdb/train"):
        text_dataset_from_directory(acl / "missing")


# ------------------------------------------------------------------ windows (Keras docs)


def test_keras_doc_example_strides_and_sampling():
    ds = timeseries_dataset_from_array(np.arange(100), None, sequence_length=10,
                                       sampling_rate=2, sequence_stride=3, batch_size=None)
    windows = list(ds.as_numpy_iterator())
    assert windows[0].tolist() == list(range(0, 20, 2))
    assert windows[1].tolist() == list(range(3, 23, 2))
    assert windows[-1].tolist() == list(range(81, 100, 2))
    assert len(windows) == len(range(0, 100 - 18, 3))


def test_keras_doc_example_next_step_targets():
    data = np.arange(100)
    ds = timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10)
    inputs, targets = next(iter(ds))
    assert np.array_equal(inputs[0], data[:10]) and targets[0] == data[10]
    assert inputs.shape == (81, 10) and ds.cardinality() == 1


def test_keras_doc_example_zipped_inputs_and_targets():
    x, y = np.arange(100), np.arange(100) * 2
    inputs = timeseries_dataset_from_array(x, None, sequence_length=20, sequence_stride=20)
    targets = timeseries_dataset_from_array(y, None, sequence_length=20, sequence_stride=20)
    first_x, first_y = next(iter(Dataset.zip((inputs, targets))))
    assert np.array_equal(first_x[0], x[:20]) and np.array_equal(first_y[1], y[20:40])


def test_jena_style_split_counts_dtype_and_shuffle():
    raw = np.random.default_rng(0).normal(size=(1000, 3))
    temperature = raw[:, 1]
    sequence_length, delay = 12, 12 + 24 - 1
    kwargs = dict(sequence_length=sequence_length, batch_size=32)
    val = timeseries_dataset_from_array(raw[:-delay], temperature[delay:], start_index=500,
                                        end_index=750, **kwargs)
    count = 750 - 500 - (sequence_length - 1)
    assert val.cardinality() == -(-count // 32)
    x, y = next(iter(val))
    assert x.dtype == np.float64 and x.shape == (32, 12, 3)
    np.testing.assert_array_equal(x[0], raw[500:512])
    assert y[0] == temperature[500 + delay]  # the target 24 hours after the last input
    train = timeseries_dataset_from_array(raw[:-delay], temperature[delay:], shuffle=True,
                                          seed=5, start_index=0, end_index=500, **kwargs)
    epoch = [xb[:, 0, 0].tolist() for xb, _ in train.as_numpy_iterator()]
    flat = sorted(v for batch in epoch for v in batch)
    assert flat == sorted(raw[:500 - 11, 0].tolist())  # every window once
    again = [xb[:, 0, 0].tolist() for xb, _ in train.as_numpy_iterator()]
    assert epoch != again  # a new order each epoch, as tf.data's reshuffle
    with pytest.raises(ValueError, match="end_index"):
        timeseries_dataset_from_array(raw, None, 10, end_index=1000)


def test_jena_chapter_second_edition_naive_baseline(capsys):
    """The Keras book's (2nd ed.) Jena set-up on the hourly file: the 'temperature 24 h
    later = temperature now' baseline measured through the datasets is the published
    2.44 degC on the validation split (../shared/data/README.md)."""
    from tests.helpers import shared_data

    path = shared_data("jena/jena_climate_hourly_6vars_2009_2016.csv")
    with open(path, encoding="utf-8") as file:
        lines = file.read().split("\n")[1:]
    raw_data = np.array([[float(v) for v in line.split(",")[1:]] for line in lines if line])
    temperature = raw_data[:, 0]  # T (degC) is this file's first column
    num_train_samples = int(0.5 * len(raw_data))
    num_val_samples = int(0.25 * len(raw_data))
    mean = raw_data[:num_train_samples].mean(axis=0)
    std = raw_data[:num_train_samples].std(axis=0)
    raw_data = (raw_data - mean) / std
    sampling_rate, sequence_length, batch_size = 1, 120, 256  # hourly rows already
    delay = sampling_rate * (sequence_length + 24 - 1)
    val_dataset = timeseries_dataset_from_array(
        raw_data[:-delay], targets=temperature[delay:], sampling_rate=sampling_rate,
        sequence_length=sequence_length, shuffle=True, batch_size=batch_size,
        start_index=num_train_samples, end_index=num_train_samples + num_val_samples)

    def evaluate_naive_method(dataset):
        total_abs_err = 0.0
        samples_seen = 0
        for samples, targets in dataset:
            preds = samples[:, -1, 0] * std[0] + mean[0]
            total_abs_err += np.sum(np.abs(preds - targets))
            samples_seen += samples.shape[0]
        return total_abs_err / samples_seen

    assert evaluate_naive_method(val_dataset) == pytest.approx(2.44, abs=0.005)

    from seqlab import layers, set_seed
    from seqlab.models import Model
    set_seed(0)
    train_dataset = timeseries_dataset_from_array(
        raw_data[:-delay], targets=temperature[delay:], sampling_rate=sampling_rate,
        sequence_length=sequence_length, shuffle=True, batch_size=batch_size, start_index=0,
        end_index=num_train_samples)
    inputs = layers.Input(shape=(sequence_length, raw_data.shape[-1]))
    x = layers.Flatten()(inputs)
    x = layers.Dense(16, activation="relu")(x)
    outputs = layers.Dense(1)(x)
    model = Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    history = model.fit(train_dataset.take(40), epochs=2,
                        validation_data=val_dataset.take(10), verbose=0)
    assert history.history["val_mae"][-1] < 6.0  # learning: from ~10 degC for a zero guess
