"""``keras.datasets.imdb``: ``load_data`` and ``get_word_index`` with Keras's arguments and
rules, built from the Large Movie Review Dataset (aclImdb) by ``seqlab.data.load_imdb``.

Keras downloads ``imdb.npz``, reviews already turned into word ranks by a tokenizer it
does not publish. seqlab builds the same kind of data from the reviews themselves:

* words are what Keras 2's ``Tokenizer`` finds (lowercase, its default punctuation
  filters, so ``<br />`` leaves the word ``br``, as in Keras's index), ranked by their
  count in the 25,000 training reviews (ties in order of first appearance); words seen
  only in the test reviews come after, by their test count. Index 1 is the most frequent
  word (``the``), as in ``get_word_index()``;
* then exactly Keras's ``load_data``: the two splits shuffled with
  ``np.random.RandomState(seed)`` (training first, then test), ``start_char`` prepended,
  ranks shifted by ``index_from``, rows of ``maxlen`` words or more dropped, ranks
  outside ``[skip_top, num_words)`` replaced by ``oov_char`` (or left out when
  ``oov_char=None``); object arrays of lists out, labels 0 (neg) / 1 (pos).

So the arguments mean what they mean in Keras and the sizes agree (25,000 + 25,000
reviews), but the word ranks and the review order are not those of Keras's download:
a review's indices differ from ``imdb.npz``'s, and accuracy figures are comparable
while individual rows are not. The first call reads and tokenizes the reviews (about
15 s); later calls in the same process reuse that.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from ...data import fetch, load_imdb_splits
from ...text import Tokenizer


def load_data(path=None, num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1,
              oov_char=2, index_from=3, **kwargs):
    """``(x_train, y_train), (x_test, y_test)`` as Keras's ``imdb.load_data`` returns them.

    Args:
        path: the aclImdb folder, a folder holding it, or ``aclImdb_v1.tar.gz``; by default
            seqlab's copy (``seqlab.data.fetch('imdb')``, downloaded and checked once).
        num_words: keep the ranks below it (others become `oov_char`); None keeps all.
        skip_top: ranks below it become `oov_char` too (the most frequent words).
        maxlen: drop the reviews of ``maxlen`` indices or more (Keras's rule).
        seed: the shuffle's seed; start_char, oov_char, index_from: as Keras.
    """
    for name in kwargs:
        if name != "nb_words":
            raise TypeError(f"load_data got an unexpected keyword argument {name!r}")
    if "nb_words" in kwargs:  # Keras 1's name
        num_words = kwargs["nb_words"]
    (x_train, labels_train), (x_test, labels_test) = _ranked(_source(path))[:2]
    rng = np.random.RandomState(seed)
    order = np.arange(len(x_train))
    rng.shuffle(order)
    x_train, labels_train = [x_train[i] for i in order], labels_train[order]
    order = np.arange(len(x_test))
    rng.shuffle(order)
    x_test, labels_test = [x_test[i] for i in order], labels_test[order]

    shift = index_from if index_from else 0
    head = [] if start_char is None else [start_char]
    x_train = [head + (x + shift).tolist() for x in x_train]
    x_test = [head + (x + shift).tolist() for x in x_test]
    if maxlen:
        x_train, labels_train = _shorter_than(maxlen, x_train, labels_train)
        x_test, labels_test = _shorter_than(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no "
                             "sequence was kept. Increase maxlen.")
    xs = x_train + x_test
    labels = np.concatenate([labels_train, labels_test])
    if not num_words:
        num_words = max(max(x) for x in xs if x)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]
    split = len(x_train)
    return ((_object_array(xs[:split]), labels[:split]),
            (_object_array(xs[split:]), labels[split:]))


def get_word_index(path=None) -> dict:
    """``{word: rank}``, rank 1 the most frequent word, as Keras's ``get_word_index``
    (the ranks before ``index_from`` is added: the word of index ``i`` in ``load_data``'s
    rows is the word of rank ``i - index_from``). `path` as in ``load_data``."""
    return dict(_ranked(_source(path))[2])


def _source(path) -> Path:
    return Path(fetch("imdb")) if path is None else Path(path).expanduser().resolve()


@functools.lru_cache(maxsize=2)
def _ranked(source: Path):
    """The reviews as word ranks (see the module docstring), in the reader's order."""
    splits = load_imdb_splits(source, ("train", "test"))
    train, test = splits["train"], splits["test"]
    ranks = dict(Tokenizer().fit_on_texts(train.texts).word_index)
    for word in Tokenizer().fit_on_texts(test.texts).word_index:
        ranks.setdefault(word, len(ranks) + 1)
    tokenizer = Tokenizer()
    tokenizer.word_index = ranks
    # int32 arrays, not lists of Python ints: the cache holds 12 M ranks in 50 MB, not 400
    x_train = [np.array(x, dtype=np.int32) for x in tokenizer.texts_to_sequences(train.texts)]
    x_test = [np.array(x, dtype=np.int32) for x in tokenizer.texts_to_sequences(test.texts)]
    return (x_train, train.labels), (x_test, test.labels), ranks


def _shorter_than(maxlen, sequences, labels):
    kept = [i for i, x in enumerate(sequences) if len(x) < maxlen]
    return [sequences[i] for i in kept], labels[kept]


def _object_array(rows) -> np.ndarray:
    array = np.empty(len(rows), dtype=object)
    array[:] = rows
    return array
