"""Word vectors by counting (Saito, *Deep Learning from Scratch 2*, chapter 2).

The pipeline has four steps, one function each::

    corpus ──vocabulary──▶ words ──cooccurrence_matrix──▶ M ──ppmi──▶ P ──svd_vectors──▶ vectors

1. ``vocabulary``: the words to keep, in order of first appearance.
2. ``cooccurrence_matrix``: ``M[i, j]`` counts how often word ``j`` occurs within
   ``window`` tokens of word ``i`` (a sparse, symmetric V × V matrix).
3. ``ppmi``: raw counts favour frequent words ("the" is next to everything), so each
   count becomes positive pointwise mutual information, how much more often the pair
   occurs than it would by chance. Levy, Goldberg & Dagan (2015) add context
   distribution smoothing (``smoothing=0.75``).
4. ``svd_vectors``: a truncated SVD squeezes the V-dimensional PPMI rows into dense
   ``dim``-dimensional vectors.

A corpus is an iterable of documents; a document is a string (split on whitespace,
case kept: tokenization is the caller's job) or a list/tuple of string tokens.
Co-occurrence windows never cross document boundaries.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import numpy as np
import scipy.sparse as sparse
from scipy.sparse.linalg import svds

# Word pairs per batch of documents turned into (row, col, weight) arrays at once: enough
# for numpy to amortise its per-call cost, few enough to bound the memory (~50 MB).
_PAIRS_PER_BATCH = 2_000_000
# Below this size (or when dim is too close to it for ARPACK) numpy's dense SVD is cheap.
_ARPACK_MIN_SIZE = 100


def vocabulary(corpus, min_count=1) -> list[str]:
    """The words occurring at least `min_count` times, in order of first appearance.

    One pass over `corpus`, so a generator is fine.
    """
    if not _is_count(min_count) or min_count < 1:
        raise ValueError(f"min_count must be an integer ≥ 1, got {min_count!r}")
    counts = Counter()  # a dict: it keeps the order in which words were first seen
    for document in _documents(corpus):
        counts.update(document)
    return [word for word, count in counts.items() if count >= min_count]


def cooccurrence_matrix(corpus, window=1, vocab=None, distance_weighting=False):
    """The symmetric ``(V, V)`` float64 CSR matrix of co-occurrence counts.

    For every token position ``t`` and every offset ``1 ≤ d ≤ window``::

        M[w_t, w_{t+d}] += weight(d)     and     M[w_{t+d}, w_t] += weight(d)

    with ``weight(d) = 1``, or ``1/d`` with ``distance_weighting=True`` (as GloVe does),
    counting only pairs inside the same document. Summed over all pairs,
    ``M.sum() = 2 · Σ_doc Σ_{d=1..window} max(0, n_doc − d)`` unweighted. A word next to
    itself ("very very") adds 2 to the diagonal, once as centre and once as context.

    Row and column ``i`` belong to ``vocab[i]``; `vocab` is a list of words or a dict
    word → index (indices 0..V−1), by default ``vocabulary(corpus)``. Words missing from
    `vocab` are removed from a document *before* windowing, as word2vec does, so with
    ``vocab=["a", "b"]`` the document "a x b" makes a and b neighbours at distance 1.

    `corpus` is read once when `vocab` is given; with ``vocab=None`` it is read twice
    (once for the vocabulary), so it must then be a list, not a generator.
    """
    if not _is_count(window) or window < 1:
        raise ValueError(f"window must be an integer ≥ 1 (tokens on each side), got {window!r}")
    if vocab is None:
        if isinstance(corpus, Iterator):
            raise TypeError("cooccurrence_matrix: with vocab=None the corpus is read twice, "
                            f"but a {type(corpus).__name__} can be read only once; pass a "
                            "list of documents, or pass vocab=vocabulary(...) yourself")
        vocab = vocabulary(corpus)
    index = _word_index(vocab)
    size = len(index)
    upper = sparse.csr_matrix((size, size), dtype=np.float64)  # pairs (t, t+d): centre left
    batch, pending = [], 0
    for document in _documents(corpus):
        ids = np.fromiter((index.get(token, -1) for token in document), dtype=np.int64,
                          count=len(document))
        ids = ids[ids >= 0]  # out-of-vocabulary words go before windowing
        if len(ids) > 1:
            batch.append(ids)
            pending += len(ids)
        if pending * window >= _PAIRS_PER_BATCH:
            upper = upper + _right_context_counts(batch, window, distance_weighting, size)
            batch, pending = [], 0
    if batch:
        upper = upper + _right_context_counts(batch, window, distance_weighting, size)
    # Each pair was counted once, centre on the left; the mirror counts it from the right.
    matrix = (upper + upper.T).tocsr()
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix


def ppmi(matrix, smoothing=1.0, base=2.0):
    """Positive pointwise mutual information of a square co-occurrence matrix.

    With ``N = Σ_ij M_ij``, row sums ``r_i`` and column sums ``c_j``::

        P(i, j) = M_ij / N        P(i) = r_i / N        P_α(j) = c_j^α / Σ_k c_k^α
        PPMI(i, j) = max(0, log_base( P(i, j) / (P(i) · P_α(j)) ))

    which for ``α = smoothing = 1`` is ``max(0, log_base(M_ij · N / (r_i · c_j)))``
    (Saito's formula; row and column sums agree on a symmetric matrix). ``α = 0.75``
    is the context distribution smoothing of Levy, Goldberg & Dagan (2015): it raises
    the probability of rare contexts, damping PMI's bias towards rare words.

    Only stored nonzero entries are computed, so zeros stay zero (where PMI would be
    −∞). `matrix` may be a scipy sparse matrix or a dense array; the result is always a
    float64 CSR matrix without stored zeros.
    """
    if not (isinstance(smoothing, (int, float, np.number)) and np.isfinite(smoothing)
            and smoothing > 0):
        raise ValueError(f"smoothing must be a number > 0 (1 for none, 0.75 as Levy et al.), "
                         f"got {smoothing!r}")
    if not (isinstance(base, (int, float, np.number)) and np.isfinite(base)
            and base > 0 and base != 1):
        raise ValueError(f"base must be a number > 0 and ≠ 1 (2 as Saito, e for nats), "
                         f"got {base!r}")
    counts = _square_csr(matrix, "ppmi")
    if counts.nnz and counts.data.min() < 0:
        at = np.argmin(counts.data)
        row = np.searchsorted(counts.indptr, at, side="right") - 1
        raise ValueError(f"ppmi: the matrix holds a negative count {float(counts.data[at])!r} at "
                         f"({row}, {counts.indices[at]}); PPMI needs co-occurrence counts "
                         "≥ 0, such as those of cooccurrence_matrix")
    total = counts.sum()
    if total == 0:
        raise ValueError(f"ppmi: the {counts.shape[0]}×{counts.shape[1]} matrix is all zeros, "
                         "so no probability is defined; build it from a corpus with at least "
                         "two in-vocabulary tokens in one document")
    counts.eliminate_zeros()
    row_sums = np.asarray(counts.sum(axis=1)).ravel()
    context = np.asarray(counts.sum(axis=0)).ravel() ** smoothing
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    # log(P(i,j) / (P(i) P_α(j))) = log(M_ij · Σ_k c_k^α / (r_i · c_j^α)); N cancels.
    pmi = np.log(counts.data * context.sum() / (row_sums[rows] * context[counts.indices]))
    counts.data = np.maximum(pmi / np.log(base), 0.0)
    counts.eliminate_zeros()
    return counts


def svd_vectors(matrix, dim, power=0.0, seed=0) -> np.ndarray:
    """Dense ``(V, dim)`` float32 word vectors from the truncated SVD of `matrix`.

    With ``M ≈ U_dim Σ_dim V_dimᵀ`` (the `dim` largest singular values), the vectors are
    the rows of ``U_dim · Σ_dim^power``: ``power=0`` gives ``U`` as in Saito's book
    (orthonormal columns), ``power=0.5`` the symmetric variant of Levy et al. (2015),
    ``power=1`` the classic LSA ``U Σ``.

    Components come in order of decreasing singular value. The sign of a singular vector
    is arbitrary, so each column is flipped to make its entry of largest magnitude
    positive (the first one on a tie): the result is the same on every call and solver.

    A large matrix is decomposed by ARPACK (``scipy.sparse.linalg.svds``) started from a
    vector drawn with `seed`; a small one, or ``dim ≥ min(shape) − 1`` (ARPACK's limit), by
    ``numpy.linalg.svd`` on the dense matrix.
    """
    if sparse.issparse(matrix):
        matrix = sparse.csr_matrix(matrix, dtype=np.float64)
    else:
        matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"svd_vectors: the matrix must be 2-D, got shape {matrix.shape}")
    limit = min(matrix.shape)
    if not _is_count(dim) or not 1 <= dim <= limit:
        raise ValueError(f"svd_vectors: dim must be an integer from 1 to min{matrix.shape} = "
                         f"{limit}, got {dim!r}; ask for fewer dimensions")
    if not (isinstance(power, (int, float, np.number)) and np.isfinite(power) and power >= 0):
        raise ValueError(f"svd_vectors: power must be a number ≥ 0 (0 for U, 0.5 for U·√Σ), "
                         f"got {power!r}")
    if limit < _ARPACK_MIN_SIZE or dim >= limit - 1:
        dense = matrix.toarray() if sparse.issparse(matrix) else matrix
        u, singular, _ = np.linalg.svd(dense, full_matrices=False)
        u, singular = u[:, :dim], singular[:dim]
    else:
        start = np.random.default_rng(seed).uniform(-1.0, 1.0, limit)
        u, singular, _ = svds(matrix, k=dim, v0=start)
        order = np.argsort(-singular, kind="stable")  # svds returns them ascending
        u, singular = u[:, order], singular[order]
    largest = np.argmax(np.abs(u), axis=0)
    u = u * np.where(u[largest, np.arange(dim)] < 0, -1.0, 1.0)
    return (u * singular**power).astype(np.float32) + np.float32(0.0)  # no -0.0 from the flip


def _documents(corpus):
    """The documents of `corpus` as lists (or tuples) of string tokens."""
    if isinstance(corpus, (str, bytes)):
        raise TypeError("corpus must be an iterable of documents, got a single "
                        f"{type(corpus).__name__}; wrap it in a list: [text]")
    for number, document in enumerate(corpus):
        if isinstance(document, str):
            yield document.split()
        elif isinstance(document, (list, tuple)):
            if not all(isinstance(token, str) for token in document):
                bad = next(token for token in document if not isinstance(token, str))
                raise TypeError(f"document {number} holds the token {bad!r} of type "
                                f"{type(bad).__name__}; tokens must be strings (map ids "
                                "back to words first)")
            yield document
        else:
            raise TypeError(f"document {number} is a {type(document).__name__}; a document "
                            "must be a string or a list/tuple of string tokens")


def _word_index(vocab) -> dict:
    """`vocab` (a list of words or a dict word → index) as a checked dict word → index."""
    if isinstance(vocab, (str, bytes)):
        raise TypeError(f"vocab must be a list of words or a dict word → index, got the "
                        f"single {type(vocab).__name__} {vocab[:40]!r}; wrap it in a list")
    if isinstance(vocab, dict):
        if sorted(vocab.values()) != list(range(len(vocab))):
            raise ValueError(f"vocab: the indices of a dict vocab must be 0..{len(vocab) - 1}, "
                             "each once (one row per word); pass a list of words instead")
        index = dict(vocab)
    else:
        words = list(vocab)
        index = {word: i for i, word in enumerate(words)}
        if len(index) < len(words):
            repeated = next(word for word, count in Counter(words).items() if count > 1)
            raise ValueError(f"vocab lists the word {repeated!r} more than once; each word has "
                             "one row (drop the repeats: list(dict.fromkeys(vocab)))")
    if not index:
        raise ValueError("the vocabulary is empty (an empty corpus, or min_count above every "
                         "word's count); nothing to count")
    return index


def _right_context_counts(batch, window, distance_weighting, size):
    """Counts of the pairs (w_t, w_{t+d}), 1 ≤ d ≤ window, within each document of `batch`."""
    ids = np.concatenate(batch)
    document = np.repeat(np.arange(len(batch)), [len(doc_ids) for doc_ids in batch])
    rows, cols, weights = [], [], []
    for distance in range(1, min(window, len(ids) - 1) + 1):
        same = document[:-distance] == document[distance:]  # the window stays in its document
        rows.append(ids[:-distance][same])
        cols.append(ids[distance:][same])
        weight = 1.0 / distance if distance_weighting else 1.0
        weights.append(np.full(len(rows[-1]), weight))
    pairs = (np.concatenate(rows), np.concatenate(cols))
    coo = sparse.coo_matrix((np.concatenate(weights), pairs), shape=(size, size))
    return coo.tocsr()  # duplicates are summed here


def _is_count(value) -> bool:
    """Whether `value` is an integer (a bool is not, though Python says it is)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _square_csr(matrix, caller):
    """`matrix` (sparse or dense) as a float64 CSR copy, checked to be square and finite."""
    if not sparse.issparse(matrix):
        matrix = np.asarray(matrix, dtype=np.float64)
        if matrix.ndim != 2:
            raise ValueError(f"{caller}: the co-occurrence matrix must be 2-D (V × V), got "
                             f"shape {matrix.shape}")
    counts = sparse.csr_matrix(matrix, dtype=np.float64, copy=True)
    if counts.shape[0] != counts.shape[1]:
        raise ValueError(f"{caller}: the co-occurrence matrix must be square (V × V), got shape "
                         f"{counts.shape}")
    if not np.all(np.isfinite(counts.data)):
        raise ValueError(f"{caller}: the matrix holds NaN or infinite values; counts must be "
                         "finite")
    return counts
