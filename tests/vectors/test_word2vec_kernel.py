"""The word2vec kernel: C against the Python reference, the reference against the loss
gradient computed by torch in float64, and the sampling tables against their formulas."""
import numpy as np
import pytest
import torch

from seqlab.vectors import _word2vec_reference as reference
from seqlab.vectors._word2vec_training import compiled
from seqlab.vectors._word2vec_vocab import Vocabulary
from tests.helpers import IN_CI

needs_kernel = pytest.mark.skipif(compiled is None and not IN_CI,
                                  reason="the compiled word2vec kernel is not built")


def random_job(rng, vocab_size=30, dim=12, sentences=25):
    counts = np.sort(rng.integers(1, 500, vocab_size))[::-1].astype(np.int64)
    vocabulary = Vocabulary([f"w{i}" for i in range(vocab_size)], counts, int(counts.sum()), 1)
    lengths = rng.integers(1, 15, sentences)
    words = rng.integers(0, vocab_size, lengths.sum()).astype(np.int32)
    syn0 = ((rng.random((vocab_size, dim)) - 0.5) / dim).astype(np.float32)
    syn1neg = ((rng.random((vocab_size, dim)) - 0.5) / dim).astype(np.float32)
    return vocabulary, words, np.cumsum(lengths).astype(np.int64), syn0, syn1neg


def train_both(rng, sg, window=3, shrink=1, negative=4, cbow_mean=1, sample=0.05,
               ns_exponent=0.75, seed=12345):
    vocabulary, words, ends, syn0, syn1neg = random_job(rng)
    keep = vocabulary.keep_thresholds(sample)
    alias_prob, alias_index = vocabulary.alias_table(ns_exponent)
    results = []
    for code in (compiled, reference):
        a, b = syn0.copy(), syn1neg.copy()
        trained = code.train_job(a, b, words.tobytes(), ends.tobytes(), keep, alias_prob,
                                 alias_index, sg, window, shrink, negative, cbow_mean, 0.05,
                                 0.01, seed)
        results.append((trained, a, b))
    return results, syn0


@needs_kernel
@pytest.mark.parametrize("sg", [0, 1])
@pytest.mark.parametrize("options", [
    {}, {"shrink": 0}, {"cbow_mean": 0}, {"sample": 0.0}, {"negative": 1},
    {"window": 1}, {"ns_exponent": 0.0}, {"ns_exponent": -0.5}, {"seed": 2**64 - 1},
])
def test_compiled_kernel_matches_the_reference(sg, options):
    results, _ = train_both(np.random.default_rng(7), sg, **options)
    (c_trained, c0, c1), (r_trained, r0, r1) = results
    assert c_trained == r_trained  # the same random choices: same words kept
    np.testing.assert_allclose(c0, r0, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(c1, r1, rtol=1e-5, atol=1e-7)


@needs_kernel
def test_training_moves_the_vectors():
    ((_, trained, _), _), syn0 = train_both(np.random.default_rng(3), sg=1)
    assert np.abs(trained - syn0).max() > 1e-4


@needs_kernel
@pytest.mark.parametrize("code", ["compiled", "reference"])
def test_encode_drops_unknown_tokens_and_empty_sentences(code):
    encode = compiled.encode if code == "compiled" else reference.encode
    vocab = {"a": 0, "b": 1, "c": 2}
    words, ends, raw = encode([["a", "x", "b"], ["y"], [], ("c", "a")], vocab)
    assert np.frombuffer(words, np.int32).tolist() == [0, 1, 2, 0]
    assert np.frombuffer(ends, np.int64).tolist() == [2, 4]
    assert raw == 6
    with pytest.raises(TypeError, match=r"token 1 of a sentence is 7 \(int\), not a str"):
        encode([["a", 7]], vocab)


@needs_kernel
def test_kernel_rejects_inconsistent_arrays():
    vocabulary, words, ends, syn0, syn1neg = random_job(np.random.default_rng(0))
    keep = vocabulary.keep_thresholds(0)
    prob, alias = vocabulary.alias_table(0.75)
    args = [keep, prob, alias, 1, 2, 1, 2, 1, 0.1, 0.1, 1]
    bad_words = np.array([0, 99], np.int32).tobytes()
    with pytest.raises(ValueError, match="word id 99 is outside the vocabulary of 30"):
        compiled.train_job(syn0, syn1neg, bad_words, np.array([2], np.int64).tobytes(), *args)
    with pytest.raises(ValueError, match="syn1neg"):
        compiled.train_job(syn0, syn1neg[:5], words.tobytes(), ends.tobytes(), *args)


def negative_loss(h, target, negatives):
    """word2vec's negative-sampling loss for one prediction."""
    loss = -torch.nn.functional.logsigmoid(h @ target)
    for v in negatives:
        loss = loss - torch.nn.functional.logsigmoid(-(h @ v))
    return loss


def draws(seed, vocabulary, count, ns_exponent=0.75):
    """The negatives a job with this seed draws first (no subsampling, no shrinking)."""
    prob, alias = vocabulary.alias_table(ns_exponent)
    random = reference.SplitMix64(seed)
    out = []
    for _ in range(count):
        r = random()
        column = reference.below(r, len(prob))
        out.append(column if (r & 0xFFFFFFFF) < int(prob[column]) else int(alias[column]))
    return out


@pytest.mark.parametrize("sg", [1, 0])
def test_one_update_is_a_gradient_step_on_the_negative_sampling_loss(sg):
    """Sentence [0, 1], window 1, no subsampling or shrinking: the first prediction is word
    0 from h = u_1 (skip-gram: the context word's vector; CBOW: the mean of the one context
    vector), the second word 1 from u_0. The first must be one SGD step with learning rate
    alpha on -log σ(h·v_0) - Σ log σ(-h·v_n), the gradient computed here by torch in
    float64; the rows the second prediction touches are left out of the comparison."""
    counts = np.array([50, 40, 30, 20, 10, 5], np.int64)
    vocabulary = Vocabulary([str(i) for i in range(6)], counts, 155, 1)

    def separable(seed):
        n = draws(seed, vocabulary, 6)
        first, second = n[:3], n[3:]
        return len(set(first)) == 3 and 0 not in first and not ({0, *first} & {1, *second})

    seed = next(s for s in range(10000) if separable(s))
    negatives = draws(seed, vocabulary, 3)
    rng = np.random.default_rng(1)
    syn0 = rng.normal(0, 0.5, (6, 5)).astype(np.float32)
    syn1neg = rng.normal(0, 0.5, (6, 5)).astype(np.float32)
    h = torch.tensor(syn0[1], dtype=torch.float64, requires_grad=True)
    v = torch.tensor(syn1neg, dtype=torch.float64, requires_grad=True)
    negative_loss(h, v[0], [v[n] for n in negatives]).backward()
    alpha = 0.1
    expected_u1 = syn0[1] - alpha * h.grad.numpy()
    expected_v = syn1neg - alpha * v.grad.numpy()
    codes = [reference] + ([compiled] if compiled is not None else [])
    for code in codes:
        a, b = syn0.copy(), syn1neg.copy()
        code.train_job(a, b, np.array([0, 1], np.int32).tobytes(),
                       np.array([2], np.int64).tobytes(), vocabulary.keep_thresholds(0),
                       *vocabulary.alias_table(0.75), sg, 1, 0, 3, 1, alpha, alpha, seed)
        np.testing.assert_allclose(a[1], expected_u1, rtol=1e-5, atol=1e-6)
        for row in [0, *negatives]:
            np.testing.assert_allclose(b[row], expected_v[row], rtol=1e-5, atol=1e-6)
            assert not np.allclose(b[row], syn1neg[row])


def test_keep_thresholds_follow_word2vec_formula():
    counts = np.array([1000, 100, 10, 1], np.int64)
    vocabulary = Vocabulary(list("abcd"), counts, 1111, 1)
    keep = vocabulary.keep_thresholds(1e-2)
    t = 1e-2 * 1111
    probability = np.minimum((np.sqrt(counts / t) + 1) * t / counts, 1.0)
    np.testing.assert_allclose(keep / 2.0**32, probability, rtol=1e-9)
    assert keep[-1] == reference.FULL_THRESHOLD
    assert (vocabulary.keep_thresholds(0) == reference.FULL_THRESHOLD).all()


@pytest.mark.parametrize("exponent", [0.75, 1.0, 0.0, -0.5])
def test_alias_table_draws_each_word_with_its_probability(exponent):
    counts = np.array([500, 300, 120, 77, 3, 1, 1], np.int64)
    prob, alias = Vocabulary(list("abcdefg"), counts, 1002, 1).alias_table(exponent)
    n = len(counts)
    drawn = np.zeros(n)
    for column in range(n):  # a column is picked with 1/n, then itself or its alias
        own = int(prob[column]) / 2.0**32
        drawn[column] += own / n
        drawn[alias[column]] += (1 - own) / n
    weights = counts.astype(float) ** exponent
    np.testing.assert_allclose(drawn, weights / weights.sum(), atol=1e-9)


def test_random_numbers_are_splitmix64():
    """Published first outputs of splitmix64 seeded with 0 (as in Vigna's reference)."""
    random = reference.SplitMix64(0)
    assert [random() for _ in range(3)] == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4,
                                            0x06C45D188009454F]
    assert reference.below(2**64 - 1, 10) == 9 and reference.below(0, 10) == 0
