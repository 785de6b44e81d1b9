"""Keras's dataset builders, returning a ``seqlab.data.Dataset``:
``text_dataset_from_directory`` and ``timeseries_dataset_from_array``.

Both follow Keras 3's source: the same files in the same order, the same split between
training and validation for a seed, the same windows. Where Keras also shuffles with
tf.data's buffered shuffle (a buffer of ``batch_size * 8`` elements, a new order every
epoch), seqlab does the same with its own random numbers: which files or windows go
into training is Keras's exactly; the order within an epoch is not TensorFlow's.
"""
from __future__ import annotations

import os

import numpy as np

from .dataset import Dataset
from .windows import timeseries_windows

__all__ = ["text_dataset_from_directory", "timeseries_dataset_from_array"]


# ------------------------------------------------------------------ texts


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, verbose=True):
    """A Dataset of ``(texts, labels)`` batches from ``directory/<class>/*.txt``, as
    ``keras.utils.text_dataset_from_directory``.

    Classes are the subfolders in alphanumeric order (every subfolder: the Keras book
    deletes ``aclImdb/train/unsup`` first; ``class_names=["neg", "pos"]`` picks those two
    instead), or ``class_names`` in its order. Files are listed folder by folder, sorted,
    and ``.txt`` files of nested folders count too (``os.walk``). With ``shuffle`` (the
    default) the list is shuffled by ``np.random.RandomState(seed)`` as Keras does, then
    ``validation_split`` keeps the last ``int(validation_split * n)`` files for
    ``subset="validation"`` and the rest for ``"training"`` (``"both"`` returns both).

    Texts are ``str`` (TensorFlow gives UTF-8 bytes), cut to ``max_length`` bytes when
    given. Labels: ``'int'`` int32 ``(batch,)``, ``'binary'`` float32 ``(batch, 1)``,
    ``'categorical'`` float32 one-hot, None for texts alone. The dataset has
    ``class_names``.
    """
    where = "text_dataset_from_directory"
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"{where}: labels must be 'inferred', None or a list/tuple of int "
                             f"labels (one per file, in sorted path order), got "
                             f"labels={labels!r}")
        if class_names:
            raise ValueError(f"{where}: class_names can only be given with labels='inferred', "
                             f"got labels={labels!r} and class_names={class_names!r}")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f"{where}: label_mode must be 'int', 'categorical', 'binary' or None, "
                         f"got label_mode={label_mode!r}")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    _check_split(validation_split, subset, shuffle, seed, where)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"{where}: no folder {directory!r}; give the folder that holds "
                                "one subfolder per class (e.g. aclImdb/train)")
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, (".txt",), class_names,
                                                 shuffle, seed, follow_links, verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f"{where}: label_mode='binary' needs exactly 2 classes, got "
                         f"class_names={class_names}")
    buffer = batch_size * 8 if batch_size is not None else 1024
    n_classes = len(class_names) if class_names else 0

    def build(subset_name, shuffled):
        part_paths, part_labels = _split(paths, labels, validation_split, subset_name, verbose)
        if not part_paths:
            raise ValueError(f"{where}: no {subset_name or ''} text files found in directory "
                             f"{directory!r}. Allowed format: .txt".replace("  ", " "))
        dataset = _texts_and_labels(part_paths, part_labels, label_mode, n_classes,
                                    max_length, shuffled, buffer, seed)
        if batch_size is not None:
            dataset = dataset.batch(batch_size)
        dataset.class_names = class_names
        return dataset

    if subset == "both":
        return [build("training", shuffle), build("validation", False)]
    return build(subset, shuffle)


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """(file paths, labels, class names) as Keras's ``dataset_utils.index_directory``."""
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ValueError("text_dataset_from_directory: class_names must be names of "
                                 f"subfolders of {directory!r}: expected a subset of {subdirs}, "
                                 f"got class_names={list(class_names)}")
            subdirs = list(class_names)
    else:
        subdirs = [""]
        if class_names is not None:
            raise ValueError("text_dataset_from_directory: class_names can only be given with "
                             "labels='inferred'")
    class_names = subdirs
    filenames, found = [], []
    for index, subdir in enumerate(subdirs):
        folder = os.path.join(directory, subdir)
        walk = sorted(os.walk(folder, followlinks=follow_links), key=lambda item: item[0])
        for root, _, files in walk:
            for name in sorted(files):
                if name.lower().endswith(formats):
                    filenames.append(os.path.join(root, name))
                    found.append(index)
    if labels == "inferred":
        labels = np.asarray(found, dtype=np.int32)
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(f"text_dataset_from_directory: got {len(labels)} labels for the "
                             f"{len(filenames)} files in {directory!r}; give one label per file")
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels)
    if verbose:
        if labels is None:
            print(f"Found {len(filenames)} files.")
        else:
            print(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    if shuffle:  # the same permutation for paths and labels, from the same seed
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(filenames)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return filenames, labels, class_names


def _check_split(validation_split, subset, shuffle, seed, where):
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"{where}: validation_split must be between 0 and 1, got "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError(f"{where}: subset and validation_split go together: give both "
                         f"(got validation_split={validation_split!r}, subset={subset!r})")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f"{where}: subset must be 'training', 'validation' or 'both', got "
                         f"subset={subset!r}")
    if validation_split and shuffle and seed is None:
        raise ValueError(f"{where}: with validation_split and shuffling, give a seed (the same "
                         "for the training and validation calls) so the two do not overlap")


def _split(samples, labels, validation_split, subset, verbose):
    """Keras's get_training_or_validation_split, slices included (``[:-0]`` is empty)."""
    if not validation_split:
        return samples, labels
    count = int(validation_split * len(samples))
    if subset == "training":
        if verbose:
            print(f"Using {len(samples) - count} files for training.")
        part = slice(None, -count)
    else:
        if verbose:
            print(f"Using {count} files for validation.")
        part = slice(-count, None)
    return samples[part], None if labels is None else labels[part]


def _texts_and_labels(paths, labels, label_mode, n_classes, max_length, shuffle, buffer, seed):
    paths = np.asarray(paths, dtype=object)
    if label_mode is None:
        dataset = Dataset.from_tensor_slices(paths)
    else:
        labels = np.asarray(labels)
        if label_mode == "binary":
            labels = labels.astype(np.float32)[:, None]
        elif label_mode == "categorical":
            labels = np.eye(n_classes, dtype=np.float32)[labels]
        else:
            labels = labels.astype(np.int32)
        dataset = Dataset.from_tensor_slices((paths, labels))
    if shuffle:
        dataset = dataset.shuffle(buffer, seed=seed)
    if label_mode is None:
        return dataset.map(lambda path: _read_text(path, max_length))
    return dataset.map(lambda path, label: (_read_text(path, max_length), label))


def _read_text(path, max_length):
    with open(str(path.item() if isinstance(path, np.ndarray) else path), "rb") as file:
        content = file.read()
    if max_length is not None:
        content = content[:max_length]
    return np.array(content.decode("utf-8", errors="replace"), dtype=object)


# ------------------------------------------------------------------ time series


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None):
    """A Dataset of sliding windows over `data`, as ``keras.utils.timeseries_dataset_from_array``.

    Window ``i`` is the rows ``s + k * sampling_rate`` (``k < sequence_length``) from
    ``s = start_index + i * sequence_stride``, its target ``targets[s]``; batches of
    ``batch_size`` ``(inputs, targets)`` (inputs alone when ``targets`` is None), the
    dtype of `data` kept. ``shuffle`` permutes the windows with
    ``np.random.RandomState(seed)`` as Keras does, then shuffles them again within a
    buffer of ``batch_size * 8`` every epoch. Argument checks are
    ``seqlab.data.windows.timeseries_windows``'s (Keras's rules).

    The Keras book's Jena set-up (hourly rows here, so ``sampling_rate=1``)::

        delay = sampling_rate * (sequence_length + 24 - 1)
        train_dataset = timeseries_dataset_from_array(
            raw_data[:-delay], targets=temperature[delay:], sampling_rate=sampling_rate,
            sequence_length=sequence_length, shuffle=True, batch_size=256,
            start_index=0, end_index=num_train_samples)
    """
    data = np.asarray(data)
    windows = timeseries_windows(data, targets, sequence_length, sampling_rate,
                                 sequence_stride, start_index, end_index)
    rows, positions = windows.inputs, windows.targets
    target_array = None if targets is None else np.asarray(targets)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        order = np.arange(len(rows))
        np.random.RandomState(seed).shuffle(order)
        rows = rows[order]
        positions = None if positions is None else positions[order]

    def element(index):
        inputs = data[rows[index]]
        if target_array is None:
            return inputs
        return inputs, target_array[positions[index]]

    count = len(rows)
    if not shuffle and batch_size is not None:  # whole batches at once: one gather each
        def batches():
            for start in range(0, count, batch_size):
                yield element(slice(start, start + batch_size))

        dataset = Dataset(batches, -(-count // batch_size))
        dataset._batch_size = batch_size
        return dataset
    order = Dataset.range(count)  # shuffle window numbers, then gather whole batches
    if shuffle:
        order = order.shuffle(batch_size * 8 if batch_size is not None else 1024, seed=seed)
    if batch_size is not None:
        order = order.batch(batch_size)
    dataset = order.map(element)
    dataset._batch_size = batch_size
    return dataset
