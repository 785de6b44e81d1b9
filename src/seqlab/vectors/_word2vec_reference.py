"""word2vec's training updates in plain Python: the specification of the compiled kernel.

``_cword2vec.c`` does exactly this, with the same random numbers, in C; the tests train
both on the same jobs and compare the vectors. Used for real only when the kernel is
not built (it is about a thousand times slower).

Negative sampling (Mikolov et al. 2013). For an input (hidden) vector h, a target word t
and k negative words n_1..n_k drawn from the unigram distribution raised to
``ns_exponent``, with output vectors v (``syn1neg``) and learning rate α:

    g_w = α · (label_w − σ(h · v_w))      label = 1 for t, 0 for each n_i
    e   = Σ_w g_w · v_w                   (accumulated before v_w changes)
    v_w ← v_w + g_w · h

and the input vectors that formed h get ``+ e``. A negative equal to t is skipped.

- skip-gram: for every context word c around the centre word t, h = u_c (its input
  vector, ``syn0``) and u_c ← u_c + e.
- CBOW: h = mean (``cbow_mean``) or sum of the context words' u; then each u_c ← u_c + e.

A sentence is first subsampled (word w kept with probability ``keep[w] / 2**32``), then
each kept position gets a window reach of ``window`` minus a random 0..window−1
(``shrink_windows``); windows never cross sentence ends. The learning rate falls linearly
from ``alpha_start`` to ``alpha_end`` across a job, sentence by sentence.
"""
from __future__ import annotations

import numpy as np

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
FULL_THRESHOLD = 1 << 32  # a keep/alias threshold meaning "always"


def mix(z: int) -> int:
    """splitmix64's output function."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def job_seed(seed: int, number: int) -> int:
    """The random state a job starts from: depends on the seed and the job's number only."""
    return mix((seed + (number + 1) * GOLDEN) & MASK64)


class SplitMix64:
    """The kernel's random numbers (Steele, Lea & Flood 2014): 64 bits per call."""

    def __init__(self, state: int):
        self.state = state & MASK64

    def __call__(self) -> int:
        self.state = (self.state + GOLDEN) & MASK64
        return mix(self.state)


def below(r: int, n: int) -> int:
    """An integer in [0, n) from the top 32 bits of r (multiply-shift, no division)."""
    return ((r >> 32) * n) >> 32


def encode(sentences, vocab: dict):
    """Sentences of str tokens -> (int32 word ids, int64 sentence ends, raw token count).

    Out-of-vocabulary tokens are dropped; sentences left empty take no end.
    """
    words, ends, raw = [], [], 0
    for sentence in sentences:
        for position, token in enumerate(sentence):
            if not isinstance(token, str):
                raise TypeError(f"token {position} of a sentence is {token!r} "
                                f"({type(token).__name__}), not a str")
            index = vocab.get(token)
            if index is not None:
                words.append(index)
        raw += len(sentence)
        if len(words) != (ends[-1] if ends else 0):
            ends.append(len(words))
    return np.array(words, dtype=np.int32), np.array(ends, dtype=np.int64), raw


def train_job(syn0, syn1neg, words, ends, keep, alias_prob, alias_index, sg, window,
              shrink_windows, negative, cbow_mean, alpha_start, alpha_end, seed) -> int:
    """Train on one job (see the module docstring); returns the words kept by subsampling."""
    words = np.frombuffer(words, dtype=np.int32)
    ends = np.frombuffer(ends, dtype=np.int64)
    keep = np.frombuffer(keep, dtype=np.uint64)
    alias_prob = np.frombuffer(alias_prob, dtype=np.uint64)
    alias_index = np.frombuffer(alias_index, dtype=np.int32)
    random = SplitMix64(seed)
    vocab_size = len(keep)

    def negative_word():
        r = random()
        column = below(r, vocab_size)
        return column if (r & 0xFFFFFFFF) < int(alias_prob[column]) else int(alias_index[column])

    def predict(h, target, alpha):
        error = np.zeros_like(h)
        for d in range(negative + 1):
            word, label = target, 1.0
            if d > 0:
                word, label = negative_word(), 0.0
                if word == target:
                    continue
            v = syn1neg[word]
            f = np.float32(np.dot(h, v))
            g = np.float32(alpha) * np.float32(label - 1.0 / (1.0 + np.exp(-f, dtype=np.float32)))
            error += g * v
            v += g * h
        return error

    total = int(ends[-1]) if len(ends) else 0
    start = trained = 0
    for end in ends:
        alpha = np.float32(alpha_start + (alpha_end - alpha_start) * start / total)
        kept = [int(w) for w in words[start:end]
                if keep[w] >= FULL_THRESHOLD or (random() & 0xFFFFFFFF) < int(keep[w])]
        trained += len(kept)
        for i, center in enumerate(kept):
            reach = window - (below(random(), window) if shrink_windows else 0)
            context = [kept[j] for j in range(max(0, i - reach), min(len(kept), i + reach + 1))
                       if j != i]
            if sg:
                for word in context:
                    syn0[word] += predict(syn0[word].copy(), center, alpha)
            elif context:
                h = syn0[context].sum(axis=0, dtype=np.float32)
                if cbow_mean:
                    h *= np.float32(1.0) / np.float32(len(context))
                error = predict(h, center, alpha)
                for word in context:
                    syn0[word] += error
        start = int(end)
    return trained
