"""``Tokenizer``: Keras 2's text tokenization utility, same behaviour, faster.

The vocabulary is built exactly as in Keras 2:

* ``word_counts`` holds every word in first-seen order with its count;
* ``word_index`` ranks words by count (descending); ties keep first-seen order.
  Index 0 is never used (it is padding); with ``oov_token`` that token takes
  index 1 and pushes every word down one place;
* ``num_words`` does not shrink the vocabulary: ``texts_to_sequences`` keeps
  only indices ``< num_words``, i.e. the ``num_words - 1`` most frequent entries
  of ``word_index`` (the OOV token included), and maps the others to the OOV
  index when there is one (otherwise drops them).

Documents that are ``list``/``tuple`` are taken as already tokenized (each item a
token, lowercased when ``lower=True``). With ``char_level=True`` every character
is a token and ``filters``/``split`` are ignored.

Word splitting runs in a compiled kernel when it can (see ``fast_path_reason``);
the pure-Python path in this file is the reference it is tested against.
"""
from __future__ import annotations

import json
import warnings
from collections import Counter, OrderedDict, defaultdict
from operator import itemgetter

import numpy as np

from . import _native
from ._counting import WordCounting
from ._korean import KoreanAnalyzer
from ._matrix import MODES, bag_of_words
from ._words import DEFAULT_FILTERS, _checked_split, _filter_chars, describe_bad_text, word_splitter



class Tokenizer:
    """Turns texts into sequences of word indices (or bag-of-words matrices).

    Arguments, defaults and attributes are those of Keras 2's
    ``keras.preprocessing.text.Tokenizer``.

    Args:
        num_words: keep the ``num_words - 1`` most frequent words (indices
            ``1 .. num_words - 1``) when converting texts; ``None`` keeps all.
        filters: characters replaced by ``split`` before splitting (default:
            ASCII punctuation except ``'``, plus tab and newline).
        lower: lowercase the texts.
        split: the word separator.
        char_level: every character is a token.
        oov_token: if given, it gets index 1 and replaces out-of-vocabulary
            words in ``texts_to_sequences``; otherwise they are dropped.
        analyzer: a function ``text -> tokens`` used instead of the default
            splitting (not saved by ``to_json``, Keras's format has no field, except
            seqlab's ``KoreanAnalyzer``, which is).
        document_count: starting value of ``document_count``.

    Attributes:
        word_counts: ``OrderedDict`` word -> count, first-seen order.
        word_docs: word -> number of documents containing it.
        word_index: word -> index (1-based, by decreasing count).
        index_word: index -> word.
        index_docs: index -> number of documents containing it.
        document_count: number of documents fitted on.

    >>> tokenizer = Tokenizer(num_words=4, oov_token="<?>")
    >>> tokenizer.fit_on_texts(["the cat sat", "the dog sat down"])
    Tokenizer(num_words=4, oov_token='<?>', words=6, documents=2)
    >>> tokenizer.word_index
    {'<?>': 1, 'the': 2, 'sat': 3, 'cat': 4, 'dog': 5, 'down': 6}
    >>> tokenizer.texts_to_sequences(["the cat sat on the mat"])
    [[2, 1, 3, 1, 2, 1]]
    >>> tokenizer.vocab_size  # input_dim for an Embedding fed these sequences
    4
    """

    def __init__(self, num_words=None, filters=DEFAULT_FILTERS, lower=True, split=" ",
                 char_level=False, oov_token=None, analyzer=None, document_count=0, **kwargs):
        if "nb_words" in kwargs:  # Keras 1 name, still accepted by Keras 2
            warnings.warn("The `nb_words` argument in `Tokenizer` has been renamed `num_words`.",
                          stacklevel=2)
            num_words = kwargs.pop("nb_words")
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments: {kwargs}. Tokenizer takes num_words, "
                            "filters, lower, split, char_level, oov_token, analyzer, document_count.")
        _checked_num_words(num_words)
        _filter_chars(filters)
        _checked_split(split)
        if analyzer is not None and not callable(analyzer):
            raise TypeError(f"analyzer must be a function text -> tokens or None, got {analyzer!r}")
        if isinstance(document_count, bool) or not isinstance(document_count, (int, np.integer)) \
                or document_count < 0:
            raise ValueError(f"document_count must be an int >= 0, got {document_count!r}")
        self.word_counts = OrderedDict()
        self.word_docs = defaultdict(int)
        self.filters = filters
        self.split = split
        self.lower = lower
        self.num_words = num_words
        self.document_count = int(document_count)
        self.char_level = char_level
        self.oov_token = oov_token
        self.index_docs = defaultdict(int)
        self.word_index = {}
        self.index_word = {}
        self.analyzer = analyzer

    # ------------------------------------------------------------------ info

    @property
    def vocab_size(self) -> int:
        """The ``input_dim`` an ``Embedding`` needs for ``texts_to_sequences`` output.

        One more than the largest index those sequences can contain: with
        ``num_words`` set that is ``num_words`` (or less for a small corpus),
        otherwise ``len(word_index) + 1``.
        """
        if not self.word_index:
            raise ValueError("This Tokenizer has no vocabulary yet: call fit_on_texts(texts) first.")
        limit = _checked_num_words(self.num_words)
        indices = self.word_index.values()
        largest = max((i for i in indices if i < limit), default=0) if limit else max(indices)
        oov_index = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        if oov_index is not None:
            largest = max(largest, oov_index)
        return int(largest) + 1

    @property
    def fast_path_reason(self) -> str | None:
        """Why texts are split by the pure-Python path, or None when the compiled one is used."""
        return _native.fast_path_reason(_filter_chars(self.filters), _checked_split(self.split),
                                        self.char_level, self.analyzer)

    def __repr__(self):
        shown = [f"num_words={self.num_words}"] if self.num_words is not None else []
        if self.oov_token is not None:
            shown.append(f"oov_token={self.oov_token!r}")
        if self.char_level:
            shown.append("char_level=True")
        shown += [f"words={len(self.word_index)}", f"documents={self.document_count}"]
        return f"Tokenizer({', '.join(shown)})"

    # ---------------------------------------------------------------- fitting

    def fit_on_texts(self, texts):
        """Update the vocabulary from `texts` (strings, or lists of tokens); returns self.

        `texts` may be any iterable, including a generator (read once). On an
        error nothing is changed.
        """
        texts = _iterable_of_texts(texts, "fit_on_texts")
        separators, split_words = self._separators(), self._splitter()
        counting = WordCounting(separators, self.lower, split_words)
        for item in _native.batches(texts, kernel_on=separators is not None):
            if isinstance(item, _native.Single):
                counting.add_tokens(self._tokens(item.text, item.position, "fit_on_texts",
                                                 split_words))
            else:
                counting.add_texts(item)
        counts, docs = counting.result()

        for word, count in counts.items():
            self.word_counts[word] = self.word_counts.get(word, 0) + count
        for word, in_docs in docs.items():
            self.word_docs[word] = self.word_docs.get(word, 0) + in_docs
        self.document_count += counting.documents
        self._index_vocabulary()
        return self

    def _index_vocabulary(self):
        """Rank words by count (stable, so ties keep first-seen order) into the index maps."""
        ranked = sorted(self.word_counts.items(), key=itemgetter(1), reverse=True)
        vocabulary = [] if self.oov_token is None else [self.oov_token]
        vocabulary.extend(word for word, _ in ranked)
        # dict(zip(...)) as Keras: if oov_token is also a word, its later index wins.
        self.word_index = dict(zip(vocabulary, range(1, len(vocabulary) + 1)))
        self.index_word = {index: word for word, index in self.word_index.items()}
        if not isinstance(self.index_docs, defaultdict):
            self.index_docs = defaultdict(int, self.index_docs)
        for word, in_docs in self.word_docs.items():
            self.index_docs[self.word_index[word]] = in_docs

    def fit_on_sequences(self, sequences):
        """Update ``index_docs`` and ``document_count`` from sequences of word indices; returns self.

        Needed before ``sequences_to_matrix(mode='tfidf')`` when the tokenizer was
        never fitted on texts.
        """
        if sequences is None or isinstance(sequences, (str, bytes)):
            raise TypeError(f"Tokenizer.fit_on_sequences: sequences must be a list of lists of "
                            f"word indices, got {type(sequences).__name__}")
        in_docs, n_docs = Counter(), 0
        for position, sequence in enumerate(sequences):
            if sequence is None or isinstance(sequence, (str, bytes)):
                raise TypeError(f"Tokenizer.fit_on_sequences: sequences[{position}] is "
                                f"{type(sequence).__name__}; expected a list of word indices")
            in_docs.update({_plain_index(i) for i in sequence})
            n_docs += 1
        if not isinstance(self.index_docs, defaultdict):
            self.index_docs = defaultdict(int, self.index_docs)
        for index, count in in_docs.items():
            self.index_docs[index] += count
        self.document_count += n_docs
        return self

    # ---------------------------------------------------------- texts -> ints

    def texts_to_sequences(self, texts):
        """Convert each text to a list of word indices (see the class docstring for the rules).

        >>> tokenizer = Tokenizer().fit_on_texts(["a b b", "c"])
        >>> tokenizer.texts_to_sequences(["b a d", "", "C!"])
        [[1, 2], [], [3]]
        """
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        """Like ``texts_to_sequences``, yielding one list at a time."""
        texts = _iterable_of_texts(texts, "texts_to_sequences")
        limit = _checked_num_words(self.num_words)
        oov_index = None if self.oov_token is None else self.word_index.get(self.oov_token)
        oov_missing = self.oov_token is not None and oov_index is None
        separators, split_words = self._separators(), self._splitter()
        if type(self.word_index) is not dict:
            separators = None  # the kernel reads a plain dict; other mappings take the Python path
        for item in _native.batches(texts, kernel_on=separators is not None):
            if isinstance(item, _native.Single):
                tokens = self._tokens(item.text, item.position, "texts_to_sequences", split_words)
                yield self._indices(tokens, limit, oov_index, oov_missing)
            else:
                yield from _native.index_texts(item, self.lower, separators, self.word_index,
                                               limit, oov_index, oov_missing)

    def _indices(self, tokens, limit, oov_index, oov_missing):
        """The reference rule, token by token, exactly as Keras 2 applies it."""
        get = self.word_index.get
        sequence = []
        for token in tokens:
            index = get(token)
            if index is not None:
                if limit and index >= limit:
                    if oov_index is not None:
                        sequence.append(oov_index)
                else:
                    sequence.append(index)
            elif self.oov_token is not None:
                if oov_missing:
                    raise ValueError("oov_token is set but has no index in word_index: "
                                     "call fit_on_texts before texts_to_sequences")
                sequence.append(oov_index)
        return sequence

    # ---------------------------------------------------------- ints -> texts

    def sequences_to_texts(self, sequences):
        """Convert lists of word indices back to space-joined texts.

        Indices not in ``index_word`` (0 included) become the OOV token when
        there is one, as in Keras; indices ``>= num_words`` likewise.

        >>> tokenizer = Tokenizer().fit_on_texts(["hello world", "hello"])
        >>> tokenizer.sequences_to_texts([[1, 2], [2, 7, 1]])
        ['hello world', 'world hello']
        """
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        """Like ``sequences_to_texts``, yielding one text at a time."""
        limit = _checked_num_words(self.num_words)
        oov_index = None if self.oov_token is None else self.word_index.get(self.oov_token)
        index_word = self.index_word
        oov_word = None if oov_index is None else index_word.get(oov_index)
        for position, sequence in enumerate(sequences):
            if sequence is None or isinstance(sequence, (str, bytes)):
                raise TypeError(f"Tokenizer.sequences_to_texts: sequences[{position}] is "
                                f"{type(sequence).__name__}; expected a list of word indices")
            words = []
            for index in sequence:
                word = index_word.get(index)
                if word is not None and not (limit and index >= limit):
                    words.append(word)
                    continue
                # Unknown index, or one beyond num_words: Keras substitutes the OOV word
                # for the first when oov_token is set, for the second when it has an index.
                if self.oov_token is not None if word is None else oov_index is not None:
                    if oov_word is None:
                        raise ValueError("oov_token is set but has no entry in index_word: "
                                         "call fit_on_texts before sequences_to_texts")
                    words.append(oov_word)
            yield " ".join(words)

    # ------------------------------------------------------------- matrices

    def texts_to_matrix(self, texts, mode="binary"):
        """Bag-of-words matrix of `texts`: ``sequences_to_matrix(texts_to_sequences(texts))``."""
        _checked_mode(mode)
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """Bag-of-words matrix, shape ``(len(sequences), num_words or len(word_index) + 1)``.

        Modes (``c`` = count of index ``j`` in the row, ``n`` = row length):
        ``binary`` 1 if present; ``count`` c; ``freq`` c / n (n counts every index,
        kept or not); ``tfidf`` (1 + ln c) * ln(1 + document_count / (1 + index_docs[j])).
        Indices ``>= num_words`` are ignored. Returns float64, as Keras.

        >>> tokenizer = Tokenizer().fit_on_texts(["a a b", "b c"])
        >>> tokenizer.sequences_to_matrix([[1, 1, 2], [9]], mode="count")
        array([[0., 2., 1., 0.],
               [0., 0., 0., 0.]])
        """
        _checked_mode(mode)
        limit = _checked_num_words(self.num_words)
        if limit:
            width = limit
        elif self.word_index:
            width = len(self.word_index) + 1
        else:
            raise ValueError("Specify a dimension (`num_words` argument), or fit on some text "
                             "data first.")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Fit the Tokenizer on some data before using tfidf mode "
                             "(fit_on_texts or fit_on_sequences).")
        return bag_of_words(sequences, width, mode, self.document_count, self.index_docs)

    # --------------------------------------------------------- serialisation

    def get_config(self):
        """The Keras 2 config dict (the count maps JSON-encoded, as Keras writes them)."""
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs):
        """The tokenizer as Keras 2's JSON (``json.dumps`` kwargs pass through).

        Read it back with ``tokenizer_from_json`` here or in Keras 2. A seqlab analyzer
        (``KoreanAnalyzer``) is saved beside Keras's ``config`` as ``"analyzer"`` and rebuilt
        by seqlab's ``tokenizer_from_json`` (Keras 2 ignores that key and splits on spaces).
        """
        config = {"class_name": type(self).__name__, "config": self.get_config()}
        if isinstance(self.analyzer, KoreanAnalyzer):
            config["analyzer"] = {"class_name": type(self.analyzer).__name__,
                                  "config": self.analyzer.get_config()}
        elif self.analyzer is not None:
            warnings.warn("Tokenizer.to_json: the analyzer is not saved (Keras's format has no "
                          "field for it); pass it again: tokenizer_from_json(s, analyzer=...).",
                          stacklevel=2)
        return json.dumps(config, **kwargs)

    # --------------------------------------------------------------- helpers

    def _separators(self):
        """The kernel's separator characters, or None when texts take the Python path."""
        reason = self.fast_path_reason
        _native.report(reason)
        if reason is not None:
            return None
        return _native.word_separators(_filter_chars(self.filters), self.split)

    def _splitter(self):
        return word_splitter(self.filters, self.lower, self.split)

    def _tokens(self, text, position, method, split_words):
        """The tokens of one document by the reference (pure-Python) rules."""
        if isinstance(text, (list, tuple)):
            if not self.lower:
                return list(text)
            try:
                return [token.lower() for token in text]
            except AttributeError:
                bad = next(t for t in text if not hasattr(t, "lower"))
                raise TypeError(f"Tokenizer.{method}: texts[{position}] is a list of tokens "
                                f"holding {type(bad).__name__} {bad!r}; tokens must be str "
                                "when lower=True") from None
        if isinstance(text, str):
            if self.char_level:
                return text.lower() if self.lower else text
            if self.analyzer is not None:
                return list(self.analyzer(text))
            return split_words(text)
        if self.analyzer is not None and not self.char_level and text is not None:
            return list(self.analyzer(text))  # an analyzer may take objects other than str
        raise TypeError(f"Tokenizer.{method}: texts[{position}] {describe_bad_text(text)}")


# ---------------------------------------------------------------- argument checks

def _checked_num_words(num_words):
    if num_words is None:
        return None
    if isinstance(num_words, bool) or not isinstance(num_words, (int, np.integer)) or num_words < 1:
        raise ValueError(
            f"num_words must be None (keep every word) or an int >= 1, got {num_words!r}. "
            "num_words=N keeps the N-1 most frequent words (index 0 is padding).")
    return int(num_words)


def _checked_mode(mode):
    if mode not in MODES:
        raise ValueError(f"Unknown vectorization mode: {mode!r}; use one of {', '.join(MODES)}.")


def _iterable_of_texts(texts, method):
    if texts is None or isinstance(texts, (bytes, bytearray)):
        raise TypeError(f"Tokenizer.{method}: texts must be a list (or iterable) of str, "
                        f"got {type(texts).__name__}")
    if isinstance(texts, str):
        warnings.warn(f"Tokenizer.{method} got a single str, so each of its characters is one "
                      "text (as in Keras). Pass a list to treat it as one text: [text].",
                      stacklevel=3)
    try:
        return iter(texts)
    except TypeError:
        raise TypeError(f"Tokenizer.{method}: texts must be a list (or iterable) of str, "
                        f"got {type(texts).__name__}") from None


def _plain_index(index):
    """Numpy integers become ints so that index_docs stays JSON-serialisable."""
    return int(index) if isinstance(index, np.integer) else index
