"""``KeyedVectors``: words and their vectors, kept apart from whatever trained them.

Besides lookups, the class answers the usual similarity questions (cosine similarity,
nearest neighbours, analogies, the odd one out) with the semantics of gensim's
KeyedVectors, and evaluates itself on the standard benchmark files (see ``evaluation``).
"""
from __future__ import annotations

import logging

import numpy as np

logger = logging.getLogger("seqlab")

# 3CosMul's epsilon (Levy & Goldberg 2014): keeps the division finite when a negative
# term's shifted similarity is 0.
COSMUL_EPSILON = 1e-6
DTYPES = ("float32", "float16")  # float16 halves the memory of a large table


class KeyedVectors:
    """A read-only table of word vectors: ``vectors[word]``, ``word in vectors``, ``len``.

    The rows are expected in frequency order (as vector files are): ``restrict_vocab=N``
    arguments mean "the N most frequent words".
    """

    def __init__(self, words, vectors, dtype="float32"):
        vectors = _stored(np.asarray(vectors), words, checked_dtype(dtype))
        if vectors.ndim != 2 or len(words) != vectors.shape[0]:
            raise ValueError(f"KeyedVectors needs one row per word: {len(words)} words, "
                             f"vectors of shape {vectors.shape}")
        self.index_to_key = list(words)
        self.key_to_index = {word: i for i, word in enumerate(self.index_to_key)}
        if len(self.key_to_index) != len(self.index_to_key):
            repeated = next(w for i, w in enumerate(self.index_to_key)
                            if self.key_to_index[w] != i)
            raise ValueError(f"KeyedVectors: the words must be unique; {repeated!r} appears "
                             "more than once")
        if vectors.size and not np.isfinite(vectors).all():
            row = int(np.argmin(np.isfinite(vectors).all(axis=1)))
            raise ValueError(f"KeyedVectors: the vector of {self.index_to_key[row]!r} (row "
                             f"{row}) holds NaN or infinity, which is not a coordinate "
                             "(every similarity with it would be nan)")
        vectors.setflags(write=False)
        self.vectors = vectors
        self._normed = None

    @classmethod
    def load(cls, path, **options) -> KeyedVectors:
        """``load_vectors(path, ...)``: word2vec text or binary, or GloVe, detected."""
        from ._text_files import load_vectors
        return load_vectors(path, **options)

    def save(self, path, format="word2vec", binary=False):
        """``save_vectors(self, path, ...)``: word2vec text or binary, or GloVe text."""
        from ._text_files import save_vectors
        return save_vectors(self, path, format=format, binary=binary)

    @property
    def vector_size(self) -> int:
        return self.vectors.shape[1]

    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, word):
        return word in self.key_to_index

    def __getitem__(self, word):
        return self.vectors[self._index(word)]

    def __repr__(self):
        return f"KeyedVectors({len(self):,} words x {self.vector_size})"

    # ------------------------------------------------------------------ lookups

    def _index(self, word) -> int:
        """The row of `word`; every lookup goes through here, so every method raises the
        same KeyError for a word it does not know."""
        try:
            return self.key_to_index[word]
        except KeyError:
            raise KeyError(f"{word!r} is not among the {len(self):,} words of these vectors") \
                from None

    @property
    def normed(self) -> np.ndarray:
        """The rows scaled to unit length, ``v / ||v||`` (float32, read-only, computed once).

        A zero row stays zero rather than becoming NaN, so its cosine with anything is 0.
        """
        if self._normed is None:
            self._normed = _unit_rows(self.vectors)
        return self._normed

    def vector(self, word_or_vector, norm=False) -> np.ndarray:
        """The vector of a word, or a given vector checked for size; ``norm=True`` returns
        it at unit length (a zero vector stays zero)."""
        if isinstance(word_or_vector, np.ndarray):
            given = np.asarray(word_or_vector, dtype=np.float32)
            if given.shape != (self.vector_size,):
                raise ValueError(f"a vector of shape ({self.vector_size},) was expected, got "
                                 f"shape {given.shape}")
            return _unit_rows(given[None, :])[0] if norm else given
        index = self._index(word_or_vector)
        return self.normed[index] if norm else self.vectors[index]

    get_vector = vector  # gensim's name

    # ------------------------------------------------------------------ similarity

    def similarity(self, word1, word2) -> float:
        """Cosine similarity ``u·v / (||u|| ||v||)``, in [-1, 1]; 0 if either vector is 0."""
        return float(self.vector(word1, norm=True) @ self.vector(word2, norm=True))

    def distance(self, word1, word2) -> float:
        """Cosine distance, ``1 - similarity(word1, word2)``."""
        return 1.0 - self.similarity(word1, word2)

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """The `topn` words nearest to ``mean(+p̂ for p in positive, -n̂ for n in negative)``.

        `positive` and `negative` are words or vectors (a single word or 1-D vector may be
        given alone); each is taken at unit length, weighted +1 or -1, averaged, and the
        mean normalised to q̂. The score of word w is ``cos(w, q) = ŵ·q̂``. Only the first
        `restrict_vocab` words (the most frequent) are candidates, and the words given
        as input are never returned (vectors given as input exclude nothing).

        Returns ``[(word, cosine), ...]``, best first (ties: the more frequent word first).
        ``topn=None`` returns instead the array of cosines of every candidate, input words
        included, as gensim does.
        """
        _check_topn(topn)
        positive, negative, excluded = self._query_terms(positive, negative, "most_similar")
        query = _unit_rows(positive.sum(axis=0, keepdims=True)
                           - negative.sum(axis=0, keepdims=True))[0]
        similarities = self._candidates(restrict_vocab) @ query
        if topn is None:
            return similarities
        return self._best(similarities, topn, excluded)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Nearest words by 3CosMul (Levy & Goldberg 2014, eq. 4):

        ``score(w) = Π_{p in positive} s(w, p) / (Π_{n in negative} s(w, n) + 1e-6)``

        where ``s(w, x) = (1 + cos(w, x)) / 2`` shifts each cosine into [0, 1] so that
        the products cannot change sign. Inputs, exclusions, `restrict_vocab` and the
        return value are as for :meth:`most_similar`; at least one positive is needed.
        """
        _check_topn(topn)
        positive, negative, excluded = self._query_terms(positive, negative,
                                                         "most_similar_cosmul")
        if not len(positive):
            raise ValueError("most_similar_cosmul needs at least one positive word or vector")
        candidates = self._candidates(restrict_vocab)
        shifted_positive = (1.0 + candidates @ positive.T) / 2.0  # (words, terms), in [0, 1]
        shifted_negative = (1.0 + candidates @ negative.T) / 2.0
        scores = (shifted_positive.prod(axis=1)
                  / (shifted_negative.prod(axis=1) + COSMUL_EPSILON))
        if topn is None:
            return scores
        return self._best(scores, topn, excluded)

    def analogy(self, a, b, c, topn=1, method="add", restrict_vocab=None):
        """"`a` is to `b` as `c` is to ?": the `topn` answers, best first.

        ``method="add"`` is 3CosAdd, ``argmax_d cos(d, b̂ - â + ĉ)``, that is
        ``most_similar(positive=[b, c], negative=[a])``; ``"mul"`` is 3CosMul,
        ``most_similar_cosmul(positive=[b, c], negative=[a])``. a, b and c are never
        answers.
        """
        search = {"add": self.most_similar, "mul": self.most_similar_cosmul}.get(method)
        if search is None:
            raise ValueError(f"method must be 'add' (3CosAdd) or 'mul' (3CosMul), got "
                             f"{method!r}")
        return search(positive=[b, c], negative=[a], topn=topn, restrict_vocab=restrict_vocab)

    def doesnt_match(self, words) -> str:
        """The word that fits least: the one whose unit vector has the lowest cosine with
        the normalised mean of the words' unit vectors (ties: the first in sorted order).

        As in gensim, words without a vector are left out with a warning on the
        ``"seqlab"`` logger; if none is left, the KeyError of the first one is raised.
        """
        if isinstance(words, str):
            raise TypeError("doesnt_match takes a list of words, not a single string")
        words = list(words)
        if not words:
            raise ValueError("doesnt_match needs at least one word")
        known = [word for word in words if word in self.key_to_index]
        unknown = [word for word in words if word not in self.key_to_index]
        if not known:
            self._index(unknown[0])  # raises the usual KeyError
        if unknown:
            logger.warning("doesnt_match: leaving out %d words not among the %s words of "
                           "these vectors: %s", len(unknown), f"{len(self):,}", unknown)
        units = self.normed[[self.key_to_index[word] for word in known]]
        mean = _unit_rows(units.mean(axis=0, keepdims=True))[0]
        return min(zip((units @ mean).tolist(), known))[1]

    def closer_than(self, word1, word2) -> list:
        """The words whose cosine with `word1` is higher than `word2`'s (`word1` left out)."""
        index1, index2 = self._index(word1), self._index(word2)
        similarities = self.normed @ self.normed[index1]
        closer = np.flatnonzero(similarities > similarities[index2])
        return [self.index_to_key[i] for i in closer if i != index1]

    def rank(self, word1, word2) -> int:
        """The position of `word2` among `word1`'s neighbours: 1 + len(closer_than)."""
        return len(self.closer_than(word1, word2)) + 1

    # ------------------------------------------------------------------ evaluation

    def evaluate_analogies(self, path, **options):
        """Accuracy on a ``questions-words.txt`` file; see
        :func:`seqlab.vectors.evaluation.evaluate_analogies` for the options."""
        from .evaluation import evaluate_analogies  # here: evaluation imports this module

        return evaluate_analogies(self, path, **options)

    def evaluate_word_pairs(self, path, **options):
        """Correlation with human similarity scores (WordSim-353, SimLex-999); see
        :func:`seqlab.vectors.evaluation.evaluate_word_pairs` for the options."""
        from .evaluation import evaluate_word_pairs

        return evaluate_word_pairs(self, path, **options)

    # ------------------------------------------------------------------ helpers

    def _query_terms(self, positive, negative, caller):
        """The unit vectors of the positive and of the negative terms, as two
        ``(terms, vector_size)`` matrices, and the rows of the words among them (never
        answers)."""
        positive, negative = _as_list(positive), _as_list(negative)
        if not positive and not negative:
            raise ValueError(f"{caller} needs at least one positive or negative word or vector")
        excluded = {self._index(term) for term in positive + negative
                    if not isinstance(term, np.ndarray)}
        return self._unit_matrix(positive), self._unit_matrix(negative), excluded

    def _unit_matrix(self, terms) -> np.ndarray:
        units = [self.vector(term, norm=True) for term in terms]
        return np.stack(units) if units else np.zeros((0, self.vector_size), np.float32)

    def _candidates(self, restrict_vocab) -> np.ndarray:
        """The unit rows of the first `restrict_vocab` words (all if None)."""
        return self.normed[:check_restrict_vocab(restrict_vocab)]

    def _best(self, scores, topn, excluded) -> list:
        """The `topn` highest scores outside `excluded`, as (word, score), best first."""
        wanted = min(topn + len(excluded), len(scores))
        if wanted < len(scores):  # argpartition: O(n) to find the few, then sort only them
            rows = np.argpartition(-scores, wanted - 1)[:wanted]
        else:
            rows = np.arange(len(scores))
        rows = rows[np.lexsort((rows, -scores[rows]))]  # by score, then frequency
        best = [row for row in rows.tolist() if row not in excluded][:topn]
        return [(self.index_to_key[row], float(scores[row])) for row in best]


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` with each row divided by its length; zero rows stay zero."""
    lengths = np.linalg.norm(matrix.astype(np.float64), axis=1, keepdims=True)
    unit = np.divide(matrix, lengths, out=np.zeros(matrix.shape), where=lengths > 0)
    unit = unit.astype(np.float32)
    unit.setflags(write=False)
    return unit


def _as_list(terms) -> list:
    """None, a word, a 1-D vector, a 2-D array of vectors or a list of words and vectors,
    as a list."""
    if terms is None:
        return []
    if isinstance(terms, str) or (isinstance(terms, np.ndarray) and terms.ndim == 1):
        return [terms]
    return list(terms)


def _is_count(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1


def _check_topn(topn):
    if topn is not None and not _is_count(topn):
        raise ValueError(f"topn must be a positive number of words or None, got {topn!r}")


def check_restrict_vocab(restrict_vocab):
    """`restrict_vocab`, once checked to be None or a positive number of words."""
    if restrict_vocab is not None and not _is_count(restrict_vocab):
        raise ValueError(f"restrict_vocab must be a positive number of words or None, got "
                         f"{restrict_vocab!r}")
    return restrict_vocab


def checked_dtype(dtype) -> np.dtype:
    """`dtype` if it is one of ``DTYPES`` (a name or a numpy type), else a ValueError."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in DTYPES:
        raise ValueError(f"dtype must be {' or '.join(map(repr, DTYPES))}, got {dtype!r}")
    return np.dtype(name)


def _stored(vectors: np.ndarray, words, dtype: np.dtype) -> np.ndarray:
    """A copy of `vectors` as `dtype` (the caller keeps its array); a value beyond float16's
    range (65504) is an error rather than a silent inf."""
    with np.errstate(over="ignore"):
        stored = np.array(vectors, dtype=dtype)
    overflows = np.isinf(stored) & np.isfinite(vectors)
    if overflows.any():
        row, column = np.argwhere(overflows)[0]
        raise ValueError(f"{int(overflows.sum())} values do not fit float16 (largest 65504), "
                         f"the first {vectors[row, column]} in the vector of {words[row]!r}: "
                         "use dtype='float32'")
    return stored
