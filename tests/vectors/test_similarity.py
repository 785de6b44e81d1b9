"""KeyedVectors' similarity API: golden values worked out by hand on 2-D vectors built from
3-4-5 triangles, a brute-force reference in plain Python loops on random vectors, and a few
facts of the real GloVe vectors."""
import logging
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from seqlab.vectors import KeyedVectors, load_vectors
from tests.helpers import shared_data

EPS = 1e-6  # 3CosMul's epsilon

# Unit vectors: x (1, 0), y (0, 1), p (.6, .8), q (.8, .6), n (-.6, .8); p is given at
# length 5 and y at length 2, to check that only directions count; zero stays zero.
WORDS = ["x", "y", "p", "q", "n", "zero"]
ROWS = [[1, 0], [0, 2], [3, 4], [0.8, 0.6], [-0.6, 0.8], [0, 0]]
# Cosines by hand: x·y 0, x·p .6, x·q .8, x·n -.6, y·p .8, y·q .6, y·n .8,
# p·q .48+.48 = .96, p·n -.36+.64 = .28, q·n -.48+.48 = 0; anything·zero 0.


@pytest.fixture
def hand():
    return KeyedVectors(WORDS, ROWS)


def scores(result):
    return [score for _, score in result]


def words(result):
    return [word for word, _ in result]


# --------------------------------------------------------------- normed

def test_normed_by_hand(hand):
    np.testing.assert_allclose(hand.normed, [[1, 0], [0, 1], [0.6, 0.8], [0.8, 0.6],
                                             [-0.6, 0.8], [0, 0]], rtol=1e-6)
    assert hand.normed.dtype == np.float32


def test_normed_is_cached_and_read_only(hand):
    normed = hand.normed
    assert hand.normed is normed
    assert not normed.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        normed[0, 0] = 2.0
    with pytest.raises(ValueError, match="read-only"):
        hand.vector("p", norm=True)[0] = 2.0
    assert hand.vectors.tolist()[2] == [3.0, 4.0]  # the raw vectors are untouched


def test_normed_rows_have_unit_length_and_zero_rows_stay_zero():
    rng = np.random.default_rng(5)
    rows = rng.normal(size=(50, 7)) * rng.uniform(1e-3, 1e3, size=(50, 1))
    rows[[3, 17]] = 0.0
    normed = KeyedVectors([f"w{i}" for i in range(50)], rows).normed
    lengths = np.linalg.norm(normed.astype(np.float64), axis=1)
    np.testing.assert_allclose(np.delete(lengths, [3, 17]), 1.0, rtol=1e-6)
    assert not normed[[3, 17]].any()
    assert not np.isnan(normed).any()


def test_vector_helper(hand):
    assert hand.vector("p").tolist() == [3.0, 4.0]
    np.testing.assert_allclose(hand.vector("p", norm=True), [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(hand.vector(np.array([0.0, -3.0]), norm=True), [0, -1])
    assert hand.get_vector("q").tolist() == hand["q"].tolist()
    with pytest.raises(ValueError, match=r"shape \(2,\) was expected, got shape \(3,\)"):
        hand.vector(np.zeros(3))


# --------------------------------------------------------------- similarity

def test_similarity_by_hand(hand):
    assert hand.similarity("x", "p") == pytest.approx(0.6)
    assert hand.similarity("p", "q") == pytest.approx(0.96)
    assert hand.similarity("x", "n") == pytest.approx(-0.6)
    assert hand.similarity("y", "p") == pytest.approx(0.8)  # lengths 2 and 5 do not count
    assert hand.similarity("q", "n") == pytest.approx(0.0, abs=1e-7)
    assert hand.similarity("p", "p") == pytest.approx(1.0)
    assert isinstance(hand.similarity("x", "p"), float)


def test_similarity_with_a_zero_vector_is_zero(hand):
    assert hand.similarity("zero", "x") == 0.0
    assert hand.similarity("zero", "zero") == 0.0


def test_distance_by_hand(hand):
    assert hand.distance("x", "p") == pytest.approx(0.4)
    assert hand.distance("x", "n") == pytest.approx(1.6)


# --------------------------------------------------------------- most_similar

def test_most_similar_one_word(hand):
    result = hand.most_similar("x")
    # q .8, p .6, then y and zero tie at 0 (the more frequent first), n -.6; x itself out
    assert words(result) == ["q", "p", "y", "zero", "n"]
    assert scores(result) == pytest.approx([0.8, 0.6, 0.0, 0.0, -0.6], abs=1e-6)
    assert all(isinstance(score, float) for score in scores(result))


def test_most_similar_single_word_and_list_agree(hand):
    assert hand.most_similar("p") == hand.most_similar(positive=["p"])
    assert words(hand.most_similar("p")) == ["q", "y", "x", "n", "zero"]
    assert scores(hand.most_similar("p")) == pytest.approx([0.96, 0.8, 0.6, 0.28, 0.0])


def test_most_similar_with_a_negative_word(hand):
    # q = p̂ - x̂ = (-.4, .8), |q| = √.8; cos(n) = (.24 + .64)/√.8, cos(y) = .8/√.8,
    # cos(q) = (-.32 + .48)/√.8; p and x are the inputs, never answers
    result = hand.most_similar(positive=["p"], negative=["x"])
    assert words(result) == ["n", "y", "q", "zero"]
    root = math.sqrt(0.8)
    assert scores(result) == pytest.approx([0.88 / root, 0.8 / root, 0.16 / root, 0.0],
                                           abs=1e-6)


def test_most_similar_negative_only(hand):
    # q = -x̂: the cosines of x, negated
    assert words(hand.most_similar(negative="x")) == ["n", "y", "zero", "p", "q"]


def test_most_similar_topn(hand):
    assert words(hand.most_similar("x", topn=2)) == ["q", "p"]
    assert words(hand.most_similar("x", topn=1)) == ["q"]
    assert len(hand.most_similar("x", topn=100)) == 5  # every word but x


def test_most_similar_topn_none_returns_every_cosine(hand):
    every = hand.most_similar("x", topn=None)
    assert isinstance(every, np.ndarray)
    np.testing.assert_allclose(every, [1, 0, 0.6, 0.8, -0.6, 0], atol=1e-6)  # x included
    assert hand.most_similar("x", topn=None, restrict_vocab=3).shape == (3,)


def test_most_similar_restrict_vocab(hand):
    # only x, y, p are candidates; q, the nearest otherwise, is beyond them
    assert words(hand.most_similar("x", restrict_vocab=3)) == ["p", "y"]
    # an input beyond restrict_vocab still counts
    assert words(hand.most_similar("q", restrict_vocab=3)) == ["p", "x", "y"]


def test_most_similar_accepts_vectors_and_does_not_exclude_them(hand):
    result = hand.most_similar(positive=[np.array([7.0, 0.0])], topn=3)
    assert words(result) == ["x", "q", "p"]  # x, the same direction, is an answer
    assert scores(result) == pytest.approx([1.0, 0.8, 0.6])
    # p's own vector instead of "p": the same query (taken at unit length), p not left out
    result = hand.most_similar(positive=[hand["p"]], negative=["x"])
    assert words(result) == ["n", "y", "p", "q", "zero"]
    root = math.sqrt(0.8)  # cos(p) = (-.24 + .64)/√.8
    assert scores(result) == pytest.approx([0.88 / root, 0.8 / root, 0.4 / root,
                                            0.16 / root, 0.0], abs=1e-6)


def test_most_similar_errors(hand):
    with pytest.raises(ValueError, match="at least one positive or negative"):
        hand.most_similar()
    with pytest.raises(ValueError, match="at least one positive or negative"):
        hand.most_similar(positive=[], negative=[])
    for topn in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="topn must be a positive number"):
            hand.most_similar("x", topn=topn)
    for restrict in (0, -3, 1.5):
        with pytest.raises(ValueError, match="restrict_vocab must be a positive number"):
            hand.most_similar("x", restrict_vocab=restrict)


def reference_most_similar(rows, positive, negative, topn):
    """most_similar in plain Python, in float64: every word scored, sorted, inputs left out."""
    def unit(row):
        length = math.sqrt(sum(value * value for value in row))
        return [value / length if length else 0.0 for value in row]

    query = [0.0] * len(rows[0])
    for index, sign in [(i, 1) for i in positive] + [(i, -1) for i in negative]:
        query = [q + sign * u for q, u in zip(query, unit(rows[index]))]
    query = unit(query)
    scored = [(sum(a * b for a, b in zip(unit(row), query)), index)
              for index, row in enumerate(rows) if index not in positive + negative]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return scored[:topn]


@given(seed=st.integers(0, 2 ** 32 - 1), count=st.integers(2, 40), size=st.integers(1, 6),
       topn=st.integers(1, 12), data=st.data())
def test_most_similar_matches_a_brute_force_reference(seed, count, size, topn, data):
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(count, size)).astype(np.float32).astype(np.float64).tolist()
    inputs = data.draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=min(3, count),
                                unique=True))
    split = data.draw(st.integers(0, len(inputs)))
    positive, negative = inputs[:split], inputs[split:]
    kv = KeyedVectors([f"w{i}" for i in range(count)], rows)
    result = kv.most_similar(positive=[f"w{i}" for i in positive],
                             negative=[f"w{i}" for i in negative], topn=topn)
    expected = reference_most_similar(rows, positive, negative, topn)
    # the same scores in the same order; the words may differ only where scores tie
    assert scores(result) == pytest.approx([score for score, _ in expected], abs=1e-5)
    by_word = {f"w{index}": score for score, index in
               reference_most_similar(rows, positive, negative, count)}
    for word, score in result:
        assert score == pytest.approx(by_word[word], abs=1e-5)
    assert len({word for word, _ in result}) == len(result)


# --------------------------------------------------------------- 3CosMul

def cosmul(sim_positive, sim_negative):
    """Levy & Goldberg's score from the cosines, written out: Π s(+) / (Π s(-) + ε)."""
    shifted = lambda cosines: math.prod((1 + c) / 2 for c in cosines)  # noqa: E731
    return shifted(sim_positive) / (shifted(sim_negative) + EPS)


def test_most_similar_cosmul_by_hand(hand):
    result = hand.most_similar_cosmul(positive=["p"], negative=["x"])
    # n: s(n,p) = 1.28/2 = .64, s(n,x) = .4/2 = .2 -> .64/.200001; y: .9/.5; q: .98/.9;
    # zero: .5/.5
    assert words(result) == ["n", "y", "q", "zero"]
    assert scores(result) == pytest.approx([0.64 / (0.2 + EPS), 0.9 / (0.5 + EPS),
                                            0.98 / (0.9 + EPS), 0.5 / (0.5 + EPS)], rel=1e-5)
    assert scores(result)[0] == pytest.approx(cosmul([0.28], [-0.6]), rel=1e-5)


def test_most_similar_cosmul_positive_only(hand):
    # no negatives: Π s(+) / (1 + ε), the empty product being 1
    result = hand.most_similar_cosmul(positive=["x", "y"], topn=3)
    # p: s(p,x)=.8, s(p,y)=.9 -> .72; q: .9*.8 = .72 too (a tie up to rounding);
    # zero: .5*.5 = .25; n: .2*.9 = .18
    assert set(words(result)[:2]) == {"p", "q"} and words(result)[2] == "zero"
    assert scores(result) == pytest.approx([0.72 / (1 + EPS), 0.72 / (1 + EPS),
                                            0.25 / (1 + EPS)], rel=1e-5)


def test_most_similar_cosmul_topn_none_and_restrict(hand):
    every = hand.most_similar_cosmul(positive=["p"], negative=["x"], topn=None)
    assert every.shape == (6,)
    assert every[1] == pytest.approx(0.9 / (0.5 + EPS), rel=1e-5)
    assert words(hand.most_similar_cosmul(positive=["p"], negative=["x"], restrict_vocab=4)) \
        == ["y", "q"]


def test_most_similar_cosmul_needs_a_positive(hand):
    with pytest.raises(ValueError, match="at least one positive"):
        hand.most_similar_cosmul(negative=["x"])
    with pytest.raises(ValueError, match="topn must be"):
        hand.most_similar_cosmul(positive=["x"], topn=0)


@given(seed=st.integers(0, 2 ** 32 - 1), count=st.integers(4, 30))
def test_most_similar_cosmul_matches_the_formula(seed, count):
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(count, 4))
    kv = KeyedVectors([f"w{i}" for i in range(count)], rows)
    unit = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    cos = unit @ unit.T
    expected = sorted(((cosmul([cos[w, 0], cos[w, 1]], [cos[w, 2]]), w)
                       for w in range(3, count)), key=lambda pair: (-pair[0], pair[1]))[:5]
    result = kv.most_similar_cosmul(positive=["w0", "w1"], negative=["w2"], topn=5)
    assert scores(result) == pytest.approx([score for score, _ in expected], rel=1e-4)


# --------------------------------------------------------------- analogy, doesnt_match, rank

def test_analogy_by_hand(hand):
    # x : p :: y : ?  q = p̂ - x̂ + ŷ = (-.4, 1.8), |q| = √3.4; cos(n) = (.24 + 1.44)/√3.4
    result = hand.analogy("x", "p", "y")
    assert words(result) == ["n"]
    assert scores(result) == pytest.approx([1.68 / math.sqrt(3.4)])
    assert hand.analogy("x", "p", "y", topn=3) == hand.most_similar(
        positive=["p", "y"], negative=["x"], topn=3)


def test_analogy_mul_by_hand(hand):
    # n: s(n,p) s(n,y) / s(n,x) = .64 * .9 / (.2 + ε); q: .98 * .8 / (.9 + ε)
    result = hand.analogy("x", "p", "y", topn=2, method="mul")
    assert words(result) == ["n", "q"]
    assert scores(result) == pytest.approx([0.576 / (0.2 + EPS), 0.784 / (0.9 + EPS)],
                                           rel=1e-5)


def test_analogy_method_is_checked(hand):
    with pytest.raises(ValueError, match="method must be 'add'.*or 'mul'.*got 'sub'"):
        hand.analogy("x", "p", "y", method="sub")


def test_doesnt_match_by_hand(hand):
    # mean of x̂, p̂, q̂, n̂ = (.45, .55): cosines .63, .999, .971, .24 -> n
    assert hand.doesnt_match(["x", "p", "q", "n"]) == "n"
    # mean of x̂, q̂, ŷ = (1.8, 1.6)/3: cosines .747, .997, .664 -> y
    assert hand.doesnt_match(["x", "q", "y"]) == "y"
    assert hand.doesnt_match(("p",)) == "p"


def test_doesnt_match_leaves_out_unknown_words_with_a_warning(hand, caplog):
    with caplog.at_level(logging.WARNING, logger="seqlab"):
        assert hand.doesnt_match(["x", "nope", "q", "y"]) == "y"
    assert "'nope'" in caplog.text and "6 words" in caplog.text


def test_doesnt_match_errors(hand):
    with pytest.raises(ValueError, match="at least one word"):
        hand.doesnt_match([])
    with pytest.raises(TypeError, match="list of words"):
        hand.doesnt_match("xpq")
    with pytest.raises(KeyError, match=r"'nope' is not among the 6 words"):
        hand.doesnt_match(["nope", "nada"])


def test_closer_than_and_rank_by_hand(hand):
    # cosines with x: q .8, p .6, y 0, zero 0, n -.6
    assert hand.closer_than("x", "p") == ["q"]
    assert hand.closer_than("x", "q") == []
    assert hand.closer_than("x", "n") == ["y", "p", "q", "zero"]
    assert hand.rank("x", "q") == 1
    assert hand.rank("x", "p") == 2
    assert hand.rank("x", "n") == 5


# --------------------------------------------------------------- unknown words

OOV_CALLS = {
    "getitem": lambda kv: kv["nope"],
    "vector": lambda kv: kv.vector("nope"),
    "vector normed": lambda kv: kv.vector("nope", norm=True),
    "similarity first": lambda kv: kv.similarity("nope", "x"),
    "similarity second": lambda kv: kv.similarity("x", "nope"),
    "distance": lambda kv: kv.distance("x", "nope"),
    "most_similar": lambda kv: kv.most_similar("nope"),
    "most_similar negative": lambda kv: kv.most_similar(positive=["x"], negative=["nope"]),
    "most_similar topn None": lambda kv: kv.most_similar(["x", "nope"], topn=None),
    "cosmul": lambda kv: kv.most_similar_cosmul(positive=["x", "nope"]),
    "cosmul negative": lambda kv: kv.most_similar_cosmul(positive=["x"], negative=["nope"]),
    "analogy a": lambda kv: kv.analogy("nope", "x", "y"),
    "analogy c mul": lambda kv: kv.analogy("x", "y", "nope", method="mul"),
    "doesnt_match": lambda kv: kv.doesnt_match(["nope"]),
    "closer_than": lambda kv: kv.closer_than("x", "nope"),
    "rank": lambda kv: kv.rank("nope", "x"),
}


@pytest.mark.parametrize("call", OOV_CALLS.values(), ids=OOV_CALLS.keys())
def test_unknown_words_raise_a_key_error_naming_word_and_vocabulary(hand, call):
    with pytest.raises(KeyError, match=r"'nope' is not among the 6 words of these vectors"):
        call(hand)


# --------------------------------------------------------------- the real GloVe vectors

@pytest.fixture(scope="module")
def glove():
    return load_vectors(shared_data("glove/glove.6B.50d.first2446.txt"))


def test_glove_vectors_and_normed_are_read_only(glove):
    assert not glove.vectors.flags.writeable
    assert not glove.normed.flags.writeable
    assert glove.normed is glove.normed


def test_glove_most_similar_matches_numpy_in_float64(glove):
    unit = glove.vectors.astype(np.float64)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    for word in ("king", "france", "good", "three"):
        cosines = unit @ unit[glove.key_to_index[word]]
        cosines[glove.key_to_index[word]] = -np.inf
        expected = [glove.index_to_key[i] for i in np.argsort(-cosines, kind="stable")[:10]]
        result = glove.most_similar(word)
        assert words(result) == expected
        assert scores(result) == pytest.approx(
            [cosines[glove.key_to_index[w]] for w in expected], abs=1e-6)


def test_glove_classic_analogies(glove):
    """Measured: king - man + woman -> queen (cos .852), 3CosMul agrees."""
    assert words(glove.analogy("man", "king", "woman")) == ["queen"]
    assert words(glove.analogy("man", "king", "woman", method="mul")) == ["queen"]
    assert glove.doesnt_match(["france", "germany", "italy", "king"]) == "king"


def test_float16_vectors_give_float32_normed_rows(hand):
    half = KeyedVectors(hand.index_to_key, hand.vectors, dtype="float16")
    assert half.normed.dtype == np.float32 and half.normed is half.normed
    np.testing.assert_allclose(half.normed, hand.normed, atol=1e-3)
    assert half.similarity("x", "p") == pytest.approx(0.6, abs=1e-3)
