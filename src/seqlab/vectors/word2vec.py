"""word2vec (Mikolov et al. 2013): CBOW and skip-gram with negative sampling.

    >>> corpus = [["the", "cat", "sat"], ["the", "dog", "sat"]] * 50
    >>> model = Word2Vec(corpus, vector_size=8, min_count=1, epochs=2, workers=1, verbose=0)
    >>> model.wv["cat"].shape
    (8,)
"""
from __future__ import annotations

import os
import time
from numbers import Integral, Real

import numpy as np

from ._corpus import restartable_corpus
from ._keyed import KeyedVectors
from ._word2vec_reference import job_seed
from ._word2vec_training import Display, TrainingReport, kernel, make_jobs, run
from ._word2vec_vocab import Vocabulary, count_words


class Word2Vec:
    """Train word vectors on a corpus of tokenized sentences, as word2vec.c and gensim do.

    Pass the corpus as `sentences` (lists of str tokens; a list, or any iterable whose
    ``__iter__`` starts a new pass) or as `corpus_file` (a UTF-8 text file, one sentence
    per line, tokens separated by whitespace). Either is streamed: read once to count
    words, then once per epoch, never held in memory. With a corpus, the constructor
    trains at once; without, call `build_vocab` and `train`.

    Args:
        sg: 0 for CBOW (predict a word from its context's mean vector), 1 for skip-gram
            (predict each context word from the word).
        vector_size: dimensions of the vectors.
        window: the largest distance between a word and its context words. With
            `shrink_windows` (the default), each position uses a random reach from 1 to
            `window`, which weights near words more (word2vec.c's behaviour).
        min_count: words seen fewer times are dropped before training.
        max_vocab_size: bound the number of distinct words held while counting (rare
            words are pruned as in word2vec.c); None for no bound.
        sample: frequent-word subsampling threshold (word2vec.c's formula); 0 for none.
        negative: negative words drawn per prediction.
        ns_exponent: negatives are drawn with probability ∝ count**ns_exponent.
        cbow_mean: CBOW averages (1) or sums (0) the context vectors.
        alpha, min_alpha: the learning rate falls linearly from alpha to min_alpha over all
            epochs' tokens.
        epochs: passes over the corpus.
        workers: training threads (default: the CPU count, at most 8).
        seed: seeds the initial vectors and every random choice.
        batch_words: tokens per job handed to a worker.
        deterministic: require one worker, so that the same corpus, settings and seed give
            bit-identical vectors on every run (on the same machine and build). With more
            workers, threads' updates interleave differently from run to run, so vectors
            differ slightly each time (quality does not).
        verbose: 1 a progress bar on a terminal and a line per epoch, 2 lines only, 0 quiet.

    After training: ``wv`` holds the word vectors (a `KeyedVectors`, most frequent word
    first), ``syn1neg`` the output vectors, ``counts`` the corpus count of each word in
    ``wv`` order, and ``report`` what the last `train` call did (tokens, seconds).
    """

    def __init__(self, sentences=None, corpus_file=None, *, sg=0, vector_size=100, window=5,
                 min_count=5, max_vocab_size=None, sample=1e-3, negative=5, ns_exponent=0.75,
                 cbow_mean=1, alpha=0.025, min_alpha=0.0001, epochs=5, workers=None, seed=1,
                 batch_words=10000, shrink_windows=True, deterministic=False, verbose=1):
        _check_int("vector_size", vector_size, 1)
        _check_int("window", window, 1)
        _check_int("min_count", min_count, 1)
        _check_int("negative", negative, 1, "seqlab trains with negative sampling only")
        _check_int("epochs", epochs, 1)
        _check_int("batch_words", batch_words, 1)
        _check_int("seed", seed, 0)
        if max_vocab_size is not None:
            _check_int("max_vocab_size", max_vocab_size, 1)
        if sg not in (0, 1):
            raise ValueError(f"sg must be 0 (CBOW) or 1 (skip-gram), got {sg!r}")
        if cbow_mean not in (0, 1):
            raise ValueError(f"cbow_mean must be 0 (sum) or 1 (mean), got {cbow_mean!r}")
        if not isinstance(sample, Real) or not 0 <= sample < 1:
            raise ValueError(f"sample must be a fraction in [0, 1) (e.g. 1e-3; 0 turns "
                             f"subsampling off), got {sample!r}")
        if not isinstance(ns_exponent, Real) or not np.isfinite(ns_exponent):
            raise ValueError(f"ns_exponent must be a finite number, got {ns_exponent!r}")
        if not isinstance(alpha, Real) or not alpha > 0:
            raise ValueError(f"alpha must be a positive learning rate, got {alpha!r}")
        if not isinstance(min_alpha, Real) or not 0 <= min_alpha <= alpha:
            raise ValueError(f"min_alpha must be in [0, alpha={alpha}], got {min_alpha!r}")
        if workers is None:
            workers = 1 if deterministic else min(os.cpu_count() or 1, 8)
        _check_int("workers", workers, 1)
        if deterministic and workers != 1:
            raise ValueError(f"deterministic=True needs workers=1 (got workers={workers}): "
                             "with several threads the order of updates varies between runs")
        if verbose not in (0, 1, 2):
            raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}")
        self.sg, self.vector_size, self.window = int(sg), int(vector_size), int(window)
        self.min_count, self.max_vocab_size, self.sample = min_count, max_vocab_size, sample
        self.negative, self.ns_exponent, self.cbow_mean = negative, float(ns_exponent), cbow_mean
        self.alpha, self.min_alpha, self.epochs = float(alpha), float(min_alpha), epochs
        self.workers, self.seed, self.batch_words = workers, int(seed), batch_words
        self.shrink_windows, self.deterministic = bool(shrink_windows), deterministic
        self.verbose = verbose
        self.wv = self.syn1neg = self.counts = self.report = None
        self._vocabulary = None
        self._trainings = 0  # a second train() call draws different random numbers
        if sentences is not None or corpus_file is not None:
            self.build_vocab(sentences, corpus_file)
            self.train(sentences, corpus_file)

    def build_vocab(self, sentences=None, corpus_file=None):
        """Count the corpus, keep the words seen `min_count` times, and initialise the
        vectors: input vectors uniform in ±0.5 / vector_size, output vectors zero."""
        corpus = restartable_corpus(sentences, corpus_file)
        counted, raw, number = count_words(corpus, self.max_vocab_size)
        vocabulary = Vocabulary.build(counted, raw, number, self.min_count)
        del counted
        rng = np.random.default_rng(self.seed)
        syn0 = rng.random((len(vocabulary), self.vector_size), dtype=np.float32)
        syn0 -= np.float32(0.5)
        syn0 /= np.float32(self.vector_size)
        self._syn0 = syn0
        self.syn1neg = np.zeros_like(syn0)
        self._vocabulary, self.counts = vocabulary, vocabulary.counts
        self._index = vocabulary.index()
        self._keep = vocabulary.keep_thresholds(self.sample)
        self._alias_prob, self._alias_index = vocabulary.alias_table(self.ns_exponent)
        self._trainings = 0
        self._publish()
        return self

    @property
    def corpus_word_count(self) -> int:
        """Tokens in one pass over the corpus counted by `build_vocab`."""
        return self._vocabulary.raw_words if self._vocabulary else 0

    def train(self, sentences=None, corpus_file=None, epochs=None, *, use_compiled=True):
        """Train `epochs` passes (default: the constructor's) over the corpus; the
        learning rate falls from alpha to min_alpha across them. Returns the report.

        ``use_compiled=False`` runs the pure-Python reference trainer (for tests)."""
        if self._vocabulary is None:
            raise RuntimeError("call build_vocab(...) before train(...), or pass the corpus "
                               "to Word2Vec(...) to do both")
        epochs = self.epochs if epochs is None else epochs
        _check_int("epochs", epochs, 1)
        corpus = restartable_corpus(sentences, corpus_file)
        code = kernel(use_compiled)
        total = epochs * self._vocabulary.raw_words
        decay = self.alpha - self.min_alpha

        def alpha_at(done):
            return self.alpha - decay * min(done / total, 1.0)

        settings = (self._keep, self._alias_prob, self._alias_index, self.sg, self.window,
                    int(self.shrink_windows), self.negative, self.cbow_mean)
        call_seed = job_seed(self.seed, self._trainings)
        self._trainings += 1

        def train_job(job):
            return code.train_job(self._syn0, self.syn1neg, job.words, job.ends, *settings,
                                  job.alpha_start, job.alpha_end, job_seed(call_seed, job.number))

        jobs = make_jobs(corpus, self._index, code.encode, epochs, self.batch_words, alpha_at)
        self.wv = None  # its copy of the vectors is stale from here on, and takes memory
        start = time.perf_counter()
        with Display(self.verbose, epochs, self._vocabulary.raw_words) as display:
            try:
                raw, trained = run(jobs, train_job, self.workers, display)
            finally:  # interrupted or not, wv shows the training done
                self._publish()
        self.report = TrainingReport(epochs, raw, trained, time.perf_counter() - start)
        return self.report

    def _publish(self):
        """Expose the current input vectors as ``wv`` (KeyedVectors keeps a read-only copy)."""
        self.wv = KeyedVectors(self._vocabulary.words, self._syn0)

    def __repr__(self):
        model = "skip-gram" if self.sg else "CBOW"
        words = len(self._vocabulary) if self._vocabulary else 0
        return (f"Word2Vec({model}, vector_size={self.vector_size}, window={self.window}, "
                f"negative={self.negative}, {words} words)")


def _check_int(name, value, smallest, why=""):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < smallest:
        because = f" ({why})" if why else ""
        raise ValueError(f"{name} must be an integer ≥ {smallest}{because}, got {value!r}")
