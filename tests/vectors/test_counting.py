"""The counting pipeline (vocabulary → co-occurrence → PPMI → SVD): Saito's textbook example
worked out by hand, a brute-force double loop as the reference for the co-occurrence counts,
dense numpy formulas for PPMI and SVD, and a sanity check on the Lee background corpus."""
from __future__ import annotations

import re
import time
from math import log2

import numpy as np
import pytest
import scipy.sparse as sparse
from hypothesis import given, strategies as st

import seqlab.vectors.counting as counting
from seqlab.vectors.counting import cooccurrence_matrix, ppmi, svd_vectors, vocabulary
from tests.helpers import shared_data

TEXT = "you say goodbye and i say hello ."
WORDS = ["you", "say", "goodbye", "and", "i", "hello", "."]
# Saito, Deep Learning from Scratch 2, section 2.3.4 (window 1).
TEXTBOOK = np.array([[0, 1, 0, 0, 0, 0, 0],
                     [1, 0, 1, 0, 1, 1, 0],
                     [0, 1, 0, 1, 0, 0, 0],
                     [0, 0, 1, 0, 1, 0, 0],
                     [0, 1, 0, 1, 0, 0, 0],
                     [0, 1, 0, 0, 0, 0, 1],
                     [0, 0, 0, 0, 0, 1, 0]], dtype=float)

# Small random corpora: a few documents over a five-letter alphabet, so words repeat.
tokens = st.sampled_from(list("abcde"))
documents = st.lists(tokens, min_size=1, max_size=12)
corpora = st.lists(documents, min_size=1, max_size=4)


def brute_force(corpus, window, vocab, weighted):
    """M[i, j] by the definition: every ordered pair of positions at most `window` apart."""
    index = {word: i for i, word in enumerate(vocab)}
    matrix = np.zeros((len(vocab), len(vocab)))
    for document in corpus:
        ids = [index[token] for token in document if token in index]
        for center in range(len(ids)):
            for context in range(len(ids)):
                distance = abs(center - context)
                if 0 < distance <= window:
                    matrix[ids[center], ids[context]] += 1 / distance if weighted else 1
    return matrix


def sign_fixed(u):
    """The documented convention: each column's entry of largest magnitude is positive."""
    u = u.copy()
    for column in range(u.shape[1]):
        if u[np.argmax(np.abs(u[:, column])), column] < 0:
            u[:, column] *= -1
    return u


@pytest.fixture(scope="module")
def textbook_ppmi():
    return ppmi(cooccurrence_matrix([TEXT]))


# vocabulary ---------------------------------------------------------------------------

def test_vocabulary_keeps_the_order_of_first_appearance_and_the_case():
    assert vocabulary([TEXT]) == WORDS
    assert vocabulary(["b a\tB", "c\na b"]) == ["b", "a", "B", "c"]


def test_vocabulary_min_count_counts_over_all_documents():
    corpus = ["a b c", "b c", "c"]
    assert vocabulary(corpus, min_count=2) == ["b", "c"]
    assert vocabulary(corpus, min_count=3) == ["c"]
    assert vocabulary(corpus, min_count=4) == []


def test_vocabulary_reads_a_generator_once():
    assert vocabulary(document for document in ["a b", ["c", "a"]]) == ["a", "b", "c"]


@pytest.mark.parametrize("min_count", [0, -1, 1.5, True, "2"])
def test_vocabulary_rejects_a_bad_min_count(min_count):
    with pytest.raises(ValueError, match=rf"min_count must be an integer ≥ 1, got {min_count!r}"):
        vocabulary(["a"], min_count=min_count)


# cooccurrence_matrix ------------------------------------------------------------------

def test_the_textbook_cooccurrence_matrix():
    matrix = cooccurrence_matrix([TEXT])
    assert isinstance(matrix, sparse.csr_matrix) and matrix.dtype == np.float64
    np.testing.assert_array_equal(matrix.toarray(), TEXTBOOK)


@pytest.mark.parametrize("corpus", [[TEXT.split()], [tuple(TEXT.split())],
                                    ["you  say\tgoodbye and\ni say hello . "]])
def test_pre_tokenized_documents_give_the_same_matrix(corpus):
    np.testing.assert_array_equal(cooccurrence_matrix(corpus).toarray(), TEXTBOOK)


def test_a_generator_is_fine_when_the_vocabulary_is_given():
    matrix = cooccurrence_matrix((document for document in [TEXT]), vocab=WORDS)
    np.testing.assert_array_equal(matrix.toarray(), TEXTBOOK)


def test_a_dict_vocab_orders_the_rows():
    matrix = cooccurrence_matrix(["a b b c"], vocab={"c": 0, "b": 1, "a": 2})
    # b–b adds 2 on the diagonal: once with each b as the centre.
    np.testing.assert_array_equal(matrix.toarray(), [[0, 1, 0], [1, 2, 1], [0, 1, 0]])


def test_distance_weighting_by_hand():
    matrix = cooccurrence_matrix(["a b c"], window=2, distance_weighting=True)
    np.testing.assert_array_equal(matrix.toarray(), [[0, 1, 0.5], [1, 0, 1], [0.5, 1, 0]])


def test_windows_do_not_cross_documents():
    matrix = cooccurrence_matrix(["a b", "c d"], window=3)
    np.testing.assert_array_equal(matrix.toarray(), [[0, 1, 0, 0], [1, 0, 0, 0],
                                                     [0, 0, 0, 1], [0, 0, 1, 0]])


def test_out_of_vocabulary_words_are_dropped_before_windowing():
    matrix = cooccurrence_matrix(["a x b"], window=1, vocab=["a", "b"])
    np.testing.assert_array_equal(matrix.toarray(), [[0, 1], [1, 0]])


@given(corpus=corpora, window=st.integers(1, 4), weighted=st.booleans(),
       vocab=st.none() | st.lists(tokens, min_size=1, max_size=5, unique=True))
def test_matches_the_brute_force_double_loop(corpus, window, vocab, weighted):
    expected_vocab = vocabulary(corpus) if vocab is None else vocab
    matrix = cooccurrence_matrix(corpus, window=window, vocab=vocab, distance_weighting=weighted)
    expected = brute_force(corpus, window, expected_vocab, weighted)
    np.testing.assert_allclose(matrix.toarray(), expected, rtol=1e-12)
    assert (matrix != matrix.T).nnz == 0  # symmetric
    assert not np.any(matrix.data == 0)  # no stored zeros


@given(corpus=corpora, window=st.integers(1, 4))
def test_the_total_is_twice_the_pairs_in_each_document(corpus, window):
    pairs = sum(max(0, len(document) - distance)
                for document in corpus for distance in range(1, window + 1))
    assert cooccurrence_matrix(corpus, window=window).sum() == 2 * pairs


def test_a_million_tokens_take_seconds():
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(5000)])
    corpus = [list(words[rng.zipf(1.3, 1000) % 5000]) for _ in range(1000)]
    start = time.perf_counter()
    matrix = cooccurrence_matrix(corpus, window=2, vocab=list(words))
    assert time.perf_counter() - start < 10  # about 1 s on a quiet 2-core machine
    assert matrix.sum() == 2 * 1000 * (999 + 998)


@pytest.mark.parametrize("corpus, vocab, error, message", [
    (iter([TEXT]), None, TypeError, r"read twice, but a list_iterator can be read only once; "
                                    r"pass a list"),
    (TEXT, None, TypeError, r"got a single str; wrap it in a list"),
    ([[1, 2]], WORDS, TypeError, r"document 0 holds the token 1 of type int; tokens must be "
                                 r"strings"),
    (["a", 3], None, TypeError, r"document 1 is a int; a document must be a string or"),
    ([TEXT], "you", TypeError, r"got the single str 'you'; wrap it in a list"),
    ([TEXT], ["a", "b", "a"], ValueError, r"the word 'a' more than once"),
    ([TEXT], {"a": 0, "b": 2}, ValueError, r"must be 0\.\.1, each once"),
    ([""], None, ValueError, r"the vocabulary is empty"),
])
def test_cooccurrence_errors(corpus, vocab, error, message):
    with pytest.raises(error, match=message):
        cooccurrence_matrix(corpus, vocab=vocab)


@pytest.mark.parametrize("window", [0, -2, 1.0, True])
def test_cooccurrence_rejects_a_bad_window(window):
    with pytest.raises(ValueError, match=rf"window must be an integer ≥ 1 .*, got {window!r}"):
        cooccurrence_matrix([TEXT], window=window)


# ppmi -----------------------------------------------------------------------------------

def test_the_textbook_ppmi_by_hand():
    # N = 14 pairs; row sums you 1, say 4, goodbye 2, and 2, i 2, hello 2, . 1.
    you_say = log2(1 * 14 / (1 * 4))  # 1.807
    say_goodbye = log2(1 * 14 / (4 * 2))  # 0.807 (so say–i and say–hello too)
    goodbye_and = log2(1 * 14 / (2 * 2))  # 1.807 (and–i too)
    hello_stop = log2(1 * 14 / (2 * 1))  # 2.807
    s, g, a, h = you_say, say_goodbye, goodbye_and, hello_stop
    expected = np.array([[0, s, 0, 0, 0, 0, 0],
                         [s, 0, g, 0, g, g, 0],
                         [0, g, 0, a, 0, 0, 0],
                         [0, 0, a, 0, a, 0, 0],
                         [0, g, 0, a, 0, 0, 0],
                         [0, g, 0, 0, 0, 0, h],
                         [0, 0, 0, 0, 0, h, 0]])
    result = ppmi(cooccurrence_matrix([TEXT]))
    assert isinstance(result, sparse.csr_matrix) and result.dtype == np.float64
    np.testing.assert_allclose(result.toarray(), expected, rtol=1e-12)
    # The values printed in the book.
    np.testing.assert_array_equal(np.round(result.toarray()[1], 3),
                                  [1.807, 0, 0.807, 0, 0.807, 0.807, 0])
    assert round(result[5, 6], 3) == 2.807


def dense_ppmi(counts, alpha, base):
    """The formula of the docstring, one dense array at a time."""
    joint = counts / counts.sum()
    word = counts.sum(axis=1, keepdims=True) / counts.sum()
    context = counts.sum(axis=0, keepdims=True) ** alpha
    context = context / context.sum()
    with np.errstate(divide="ignore", invalid="ignore"):  # log 0 and 0/0 where counts are 0
        pmi = np.log(joint / (word * context)) / np.log(base)
    return np.where(counts > 0, np.maximum(pmi, 0), 0)


@pytest.mark.parametrize("alpha, base", [(1.0, 2.0), (0.75, 2.0), (0.75, np.e), (0.5, 10.0)])
def test_ppmi_matches_the_dense_formula(alpha, base):
    rng = np.random.default_rng(1)
    counts = rng.poisson(0.7, (30, 30)) * rng.integers(1, 5, (30, 30))  # not symmetric
    counts[:, 3] = 0  # a context never seen
    result = ppmi(sparse.csr_matrix(counts), smoothing=alpha, base=base)
    np.testing.assert_allclose(result.toarray(), dense_ppmi(counts.astype(float), alpha, base),
                               rtol=1e-12, atol=1e-12)


def test_smoothing_raises_rare_contexts():
    counts = cooccurrence_matrix(["a b a c a b a b"])
    plain, smoothed = ppmi(counts).toarray(), ppmi(counts, smoothing=0.75).toarray()
    # c is the rarest context: smoothing inflates P(c), so PMI with c drops.
    assert smoothed[0, 2] < plain[0, 2]


def test_zeros_stay_zero_and_no_zero_is_stored():
    counts = sparse.csr_matrix(np.array([[0, 2, 0], [2, 0, 9], [0, 9, 4]], dtype=float))
    counts.data[0] = 0  # an explicitly stored zero
    before = counts.copy()
    result = ppmi(counts)
    assert np.all(result.data > 0)
    nonzero = result.toarray() != 0
    assert not np.any(nonzero & (counts.toarray() == 0))
    assert (counts != before).nnz == 0  # the input is left alone


def test_ppmi_accepts_a_dense_array_and_returns_csr():
    result = ppmi(TEXTBOOK)
    assert isinstance(result, sparse.csr_matrix)
    np.testing.assert_array_equal(result.toarray(), ppmi(sparse.csr_matrix(TEXTBOOK)).toarray())


@pytest.mark.parametrize("matrix, kwargs, message", [
    (np.array([[0, 1], [-2.5, 0]]), {}, r"negative count -2\.5 at \(1, 0\); PPMI needs "
                                       r"co-occurrence counts ≥ 0"),
    (np.ones((2, 3)), {}, r"must be square \(V × V\), got shape \(2, 3\)"),
    (np.ones(3), {}, r"must be 2-D \(V × V\), got shape \(3,\)"),
    (np.zeros((3, 3)), {}, r"the 3×3 matrix is all zeros"),
    (np.array([[0, np.nan], [1, 0]]), {}, r"NaN or infinite"),
    (TEXTBOOK, {"smoothing": 0}, r"smoothing must be a number > 0 .*got 0"),
    (TEXTBOOK, {"smoothing": -0.75}, r"smoothing must be a number > 0 .*got -0\.75"),
    (TEXTBOOK, {"base": 1}, r"base must be a number > 0 and ≠ 1 .*got 1"),
    (TEXTBOOK, {"base": 0}, r"base must be a number > 0 and ≠ 1 .*got 0"),
    (TEXTBOOK, {"base": -2.0}, r"base must be a number > 0 and ≠ 1 .*got -2\.0"),
])
def test_ppmi_errors(matrix, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ppmi(matrix, **kwargs)


# svd_vectors ----------------------------------------------------------------------------

def test_full_svd_reconstructs_the_textbook_ppmi(textbook_ppmi):
    dense = textbook_ppmi.toarray()
    u_sigma = svd_vectors(textbook_ppmi, 7, power=1.0).astype(float)
    # (UΣ)(UΣ)ᵀ = U Σ Vᵀ V Σ Uᵀ = M Mᵀ, whatever V is.
    np.testing.assert_allclose(u_sigma @ u_sigma.T, dense @ dense.T, atol=1e-5)
    u = svd_vectors(textbook_ppmi, 7).astype(float)
    # U is square orthogonal, so U Σ Vᵀ with Vᵀ = Σ⁻¹ Uᵀ M gives back M from U alone.
    np.testing.assert_allclose(u @ u.T, np.eye(7), atol=1e-6)


@pytest.mark.parametrize("dim", [2, 4, 6])
def test_truncated_svd_matches_numpy(textbook_ppmi, dim):
    dense = textbook_ppmi.toarray()
    u, singular, _ = np.linalg.svd(dense)
    # Every singular value of this matrix is doubled (3.168, 2.703, 1.514 twice, then 0),
    # so the basis inside a pair is not unique: dim 2, 4, 6 take whole pairs, whose
    # projector U Uᵀ is unique.
    assert np.allclose(singular[0:6:2], singular[1:6:2])
    ours = svd_vectors(textbook_ppmi, dim).astype(float)
    np.testing.assert_allclose(ours @ ours.T, u[:, :dim] @ u[:, :dim].T, atol=1e-6)
    np.testing.assert_allclose(ours, sign_fixed(u[:, :dim]), atol=1e-6)
    scaled = svd_vectors(textbook_ppmi, dim, power=1.0).astype(float)
    np.testing.assert_allclose(np.linalg.norm(scaled, axis=0), singular[:dim], rtol=1e-6)
    half = svd_vectors(textbook_ppmi, dim, power=0.5).astype(float)
    np.testing.assert_allclose(half, ours * np.sqrt(singular[:dim]), atol=1e-6)


def test_columns_are_orthonormal_sign_fixed_and_repeatable(textbook_ppmi):
    u = svd_vectors(textbook_ppmi, 5)
    assert u.dtype == np.float32 and u.shape == (7, 5)
    np.testing.assert_allclose(u.T @ u, np.eye(5), atol=1e-6)
    assert np.all(u[np.argmax(np.abs(u), axis=0), np.arange(5)] > 0)
    np.testing.assert_array_equal(svd_vectors(textbook_ppmi, 5), u)


@pytest.fixture(scope="module")
def random_symmetric():
    rng = np.random.default_rng(1)
    matrix = sparse.random(200, 200, density=0.05, random_state=rng, format="csr")
    return (matrix + matrix.T).tocsr()


def test_arpack_and_dense_paths_agree(random_symmetric, monkeypatch):
    singular = np.linalg.svd(random_symmetric.toarray(), compute_uv=False)
    # The first 11 singular values are apart, so each of the 10 vectors is unique up to sign.
    assert np.min(-np.diff(singular[:11]) / singular[:10]) > 5e-3
    calls = []
    real_svds = counting.svds
    monkeypatch.setattr(counting, "svds", lambda *a, **k: calls.append(1) or real_svds(*a, **k))
    arpack = svd_vectors(random_symmetric, 10, power=0.5, seed=3)
    np.testing.assert_array_equal(svd_vectors(random_symmetric, 10, power=0.5, seed=3), arpack)
    np.testing.assert_allclose(svd_vectors(random_symmetric, 10, power=0.5, seed=4), arpack,
                               atol=1e-4)
    assert len(calls) == 3
    monkeypatch.setattr(counting, "_ARPACK_MIN_SIZE", 10**9)
    dense = svd_vectors(random_symmetric, 10, power=0.5)
    assert len(calls) == 3  # numpy's SVD this time
    np.testing.assert_allclose(arpack, dense, atol=1e-4)
    u, singular, _ = np.linalg.svd(random_symmetric.toarray())
    np.testing.assert_allclose(arpack, sign_fixed(u[:, :10]) * np.sqrt(singular[:10]), atol=1e-4)


def test_arpack_on_a_tall_matrix():
    rng = np.random.default_rng(2)
    matrix = sparse.random(300, 150, density=0.1, random_state=rng, format="csr")
    u, singular, _ = np.linalg.svd(matrix.toarray(), full_matrices=False)
    assert np.min(-np.diff(singular[:6]) / singular[:5]) > 5e-3
    np.testing.assert_allclose(svd_vectors(matrix, 5), sign_fixed(u[:, :5]), atol=1e-4)


@pytest.mark.parametrize("dim", [149, 150])
def test_dim_at_arpacks_limit_falls_back_to_the_dense_svd(random_symmetric, dim):
    matrix = random_symmetric[:150, :150]
    u = svd_vectors(matrix, dim)
    assert u.shape == (150, dim)
    np.testing.assert_allclose(u.T @ u, np.eye(dim), atol=1e-5)


@pytest.mark.parametrize("dim, message", [
    (0, r"dim must be an integer from 1 to min\(7, 7\) = 7, got 0; ask for fewer"),
    (8, r"dim must be an integer from 1 to min\(7, 7\) = 7, got 8"),
    (2.0, r"got 2\.0"),
    (True, r"got True"),
])
def test_svd_rejects_a_bad_dim(textbook_ppmi, dim, message):
    with pytest.raises(ValueError, match=message):
        svd_vectors(textbook_ppmi, dim)


def test_svd_rejects_a_bad_power_or_shape(textbook_ppmi):
    with pytest.raises(ValueError, match=r"power must be a number ≥ 0 .*got -0\.5"):
        svd_vectors(textbook_ppmi, 2, power=-0.5)
    with pytest.raises(ValueError, match=r"must be 2-D, got shape \(7,\)"):
        svd_vectors(np.ones(7), 2)


# Real text ------------------------------------------------------------------------------

def test_lee_background_corpus_gives_sensible_neighbours():
    path = shared_data("lee_corpus/lee_background.cor")
    lines = path.read_text(encoding="utf-8").splitlines()
    corpus = [re.findall(r"[a-z]+", line.lower()) for line in lines]  # one document a line
    words = vocabulary(corpus, min_count=5)
    vectors = svd_vectors(ppmi(cooccurrence_matrix(corpus, window=2, vocab=words)), 50)
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    index = {word: i for i, word in enumerate(words)}

    def cosine(first, second):
        return float(vectors[index[first]] @ vectors[index[second]])

    # Measured: days–months 0.74 vs days–israeli −0.16, killed–wounded 0.69 vs
    # killed–sydney −0.17, president–bush 0.70 vs president–fire −0.20.
    for word, related, unrelated in [("days", "months", "israeli"),
                                     ("killed", "wounded", "sydney"),
                                     ("president", "bush", "fire")]:
        assert cosine(word, related) > cosine(word, unrelated) + 0.5, (word, related, unrelated)
    nearest = np.argsort(-(vectors @ vectors[index["days"]]))[1:6]
    assert {"months", "weeks", "years"} & {words[i] for i in nearest}
