"""Word2Vec as users meet it: corpora, settings, repeatability, errors, progress, quality."""
import threading

import numpy as np
import pytest

from seqlab.text import text_to_word_sequence
from seqlab.vectors import KeyedVectors, LineSentences, Word2Vec
from seqlab.vectors._word2vec_training import compiled, make_jobs
from seqlab.vectors._word2vec_vocab import count_words
from tests.helpers import IN_CI, shared_data


def topic_corpus(sentences=400, seed=0):
    """Sentences drawn from two topics that share no words, plus common glue words."""
    rng = np.random.default_rng(seed)
    topics = [["cat", "dog", "pet", "fur", "paw", "tail"],
              ["car", "road", "wheel", "engine", "fuel", "drive"]]
    glue = ["the", "a", "and", "of"]
    corpus = []
    for _ in range(sentences):
        topic = topics[rng.integers(2)]
        corpus.append([str(rng.choice(topic if rng.random() < 0.7 else glue))
                       for _ in range(rng.integers(5, 12))])
    return corpus


class CountingCorpus:
    """A restartable corpus that counts how often it is read."""

    def __init__(self, sentences):
        self.sentences, self.passes = sentences, 0

    def __iter__(self):
        self.passes += 1
        return iter(self.sentences)


QUIET = {"verbose": 0, "vector_size": 16, "min_count": 1, "sample": 0}


def test_trains_cbow_and_skipgram_into_keyed_vectors():
    for sg in (0, 1):
        model = Word2Vec(topic_corpus(), sg=sg, epochs=10, seed=3, workers=1, **QUIET)
        wv = model.wv
        assert isinstance(wv, KeyedVectors) and wv.vectors.shape == (16, 16)
        assert wv.vectors.dtype == np.float32 and not wv.vectors.flags.writeable
        assert list(model.counts) == sorted(model.counts, reverse=True)
        same = wv.similarity("cat", "dog") + wv.similarity("car", "wheel")
        across = wv.similarity("cat", "wheel") + wv.similarity("car", "dog")
        assert same > across + 0.5, (sg, same, across)
        assert model.report.epochs == 10 and model.report.raw_words == 10 * model.corpus_word_count
        assert 0 < model.report.trained_words <= model.report.raw_words


def test_corpus_is_read_once_to_count_and_once_per_epoch():
    corpus = CountingCorpus(topic_corpus(50))
    Word2Vec(corpus, epochs=3, workers=2, **QUIET)
    assert corpus.passes == 4


def test_corpus_file_gives_the_same_vectors_as_the_same_sentences(tmp_path):
    sentences = topic_corpus(100)
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in sentences) + "\n", encoding="utf-8")
    from_file = Word2Vec(corpus_file=path, epochs=2, deterministic=True, **QUIET)
    from_list = Word2Vec(sentences, epochs=2, deterministic=True, **QUIET)
    assert from_file.wv.index_to_key == from_list.wv.index_to_key
    np.testing.assert_array_equal(from_file.wv.vectors, from_list.wv.vectors)


def test_line_sentences_cut_long_lines_and_name_bad_lines(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes(b"a b c d e\n\n  f   g\n")
    assert list(LineSentences(path, max_sentence_length=2)) == [
        ["a", "b"], ["c", "d"], ["e"], [], ["f", "g"]]
    path.write_bytes(b"fine line\nbad \xff byte\n")
    with pytest.raises(ValueError, match=r"line 2, column 5: byte b'\\xff' is not UTF-8"):
        list(LineSentences(path))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        LineSentences(tmp_path / "missing.txt")


def test_deterministic_runs_are_bit_identical_and_seeds_matter():
    corpus = topic_corpus(200)
    runs = [Word2Vec(corpus, sg=sg, epochs=2, deterministic=True, seed=seed, **QUIET).wv.vectors
            for sg in (0, 1) for seed in (5, 5, 6)]
    for first, again, other in (runs[:3], runs[3:]):
        np.testing.assert_array_equal(first, again)
        assert not np.array_equal(first, other)


def test_several_workers_train_as_well_as_one():
    corpus = topic_corpus(300)
    model = Word2Vec(corpus, sg=1, epochs=5, workers=2, seed=1, **QUIET)
    wv = model.wv
    assert wv.similarity("cat", "dog") > wv.similarity("cat", "wheel") + 0.2


@pytest.mark.skipif(compiled is None and not IN_CI, reason="the compiled kernel is not built")
@pytest.mark.parametrize("sg", [0, 1])
def test_compiled_and_reference_trainers_agree_on_a_whole_model(sg):
    corpus = topic_corpus(60)
    settings = dict(QUIET, sg=sg, epochs=2, deterministic=True, seed=9, sample=0.01)
    fast = Word2Vec(**settings).build_vocab(corpus)
    fast.train(corpus)
    slow = Word2Vec(**settings).build_vocab(corpus)
    slow.train(corpus, use_compiled=False)
    assert fast.report.trained_words == slow.report.trained_words
    np.testing.assert_allclose(fast.wv.vectors, slow.wv.vectors, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(fast.syn1neg, slow.syn1neg, rtol=1e-4, atol=1e-6)


def test_learning_rate_falls_linearly_over_all_epochs():
    corpus = [["w"] * 10] * 10  # 100 tokens per epoch, jobs of 30 tokens → 4 per epoch
    index = {"w": 0}
    total = 2 * 100

    def alpha_at(done):
        return 0.025 - (0.025 - 0.0001) * done / total

    from seqlab.vectors._word2vec_reference import encode
    jobs = list(make_jobs(corpus, index, encode, 2, 30, alpha_at))
    assert [job.epoch for job in jobs] == [0] * 4 + [1] * 4
    assert [job.raw for job in jobs] == [30, 30, 30, 10] * 2
    assert jobs[0].alpha_start == 0.025 and jobs[-1].alpha_end == pytest.approx(0.0001)
    for before, after in zip(jobs, jobs[1:]):
        assert before.alpha_end == after.alpha_start


def test_max_vocab_size_prunes_rare_words_while_counting():
    corpus = [["a", "b"], ["a", "c"], ["a", "d"], ["b", "e"]]
    counts, raw, sentences = count_words(corpus, max_vocab_size=3)
    # after ["a","d"]: 4 words > 3, so every word seen once so far goes (b, c, d); then
    # the last sentence brings b back and e
    assert dict(counts) == {"a": 3, "b": 1, "e": 1}
    assert (raw, sentences) == (8, 4)


def test_continued_training_moves_the_vectors_and_keeps_the_vocabulary():
    corpus = topic_corpus(100)
    model = Word2Vec(corpus, epochs=1, workers=1, **QUIET)
    before, words = model.wv.vectors.copy(), model.wv.index_to_key
    model.train(corpus, epochs=1)
    assert model.wv.index_to_key == words
    assert not np.array_equal(before, model.wv.vectors)


def test_progress_lines_show_words_per_second_and_learning_rate(capsys):
    Word2Vec(topic_corpus(50), epochs=2, workers=1, vector_size=8, min_count=1, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" - ")[0] for line in lines] == ["Epoch 1/2", "Epoch 2/2"]
    assert all("words/s" in line and " lr 0.0" in line for line in lines)


@pytest.mark.parametrize("bad, message", [
    ({"vector_size": 0}, r"vector_size must be an integer ≥ 1, got 0"),
    ({"vector_size": -3}, r"vector_size must be an integer ≥ 1, got -3"),
    ({"vector_size": 2.5}, r"vector_size must be an integer ≥ 1, got 2.5"),
    ({"window": 0}, r"window must be"),
    ({"negative": 0}, r"negative sampling only"),
    ({"sg": 2}, r"sg must be 0 \(CBOW\) or 1 \(skip-gram\)"),
    ({"sample": 1.5}, r"sample must be a fraction"),
    ({"alpha": 0}, r"alpha must be a positive"),
    ({"min_alpha": 0.5}, r"min_alpha must be in"),
    ({"workers": 0}, r"workers must be"),
    ({"deterministic": True, "workers": 2}, r"deterministic=True needs workers=1"),
    ({"verbose": 3}, r"verbose must be"),
])
def test_bad_settings_are_named(bad, message):
    with pytest.raises(ValueError, match=message):
        Word2Vec(**{"verbose": 0, **bad})


@pytest.mark.parametrize("corpus, error, message", [
    ([], ValueError, r"the corpus is empty"),
    ([[], []], ValueError, r"the corpus is empty"),
    ([["rare", "words", "only"]], ValueError,
     r"no word occurs min_count=5 times .*the most frequent, 'rare', occurs 1 times"),
    ([["a", 3, "b"]], TypeError, r"token 3 of type int: tokens must be str"),
    (["a sentence as a string"], TypeError, r"sentence 1 is a str .* split the text first"),
    ((s for s in [["a"]]), TypeError, r"is an iterator .* can be read only once"),
    ("just text", TypeError, r"single string"),
    (42, TypeError, r"must be an iterable of token lists, got int"),
])
def test_bad_corpora_are_named(corpus, error, message):
    with pytest.raises(error, match=message):
        Word2Vec(corpus, verbose=0)


def test_corpus_needs_exactly_one_source(tmp_path):
    with pytest.raises(ValueError, match="exactly one of sentences= .* or corpus_file="):
        Word2Vec(verbose=0).build_vocab([["a"]], corpus_file=tmp_path / "x.txt")
    with pytest.raises(RuntimeError, match="call build_vocab"):
        Word2Vec(verbose=0).train([["a"]])


def test_a_corpus_failing_mid_training_stops_cleanly():
    class Failing:
        def __init__(self):
            self.passes = 0

        def __iter__(self):
            self.passes += 1
            for number, sentence in enumerate(topic_corpus(200)):
                if self.passes == 3 and number == 150:
                    raise OSError("disk went away")
                yield sentence

    threads = threading.active_count()
    model = Word2Vec(epochs=3, workers=2, **QUIET).build_vocab(Failing())
    with pytest.raises(OSError, match="disk went away"):
        model.train(Failing())
    assert threading.active_count() == threads  # every worker has left
    assert model.wv is not None and np.isfinite(model.wv.vectors).all()


def test_a_token_that_is_not_a_string_in_a_later_pass_is_reported():
    class Changing:
        passes = 0

        def __iter__(self):
            Changing.passes += 1
            yield ["a", "b", "a", "b", "a"] if Changing.passes == 1 else ["a", None]

    with pytest.raises(TypeError, match=r"token 1 of a sentence is None \(NoneType\)"):
        Word2Vec(Changing(), min_count=1, verbose=0, workers=1)


def lee_sentences(name):
    lines = shared_data(f"lee_corpus/{name}").read_text(encoding="latin-1").splitlines()
    return [text_to_word_sequence(line) for line in lines if line.strip()]


def test_lee_corpus_sanity_floor():
    """The Lee background corpus (300 news stories): with a fixed seed, words of the same
    story line find each other among the nearest neighbours."""
    model = Word2Vec(lee_sentences("lee_background.cor"), sg=1, vector_size=50, min_count=2,
                     epochs=20, deterministic=True, seed=42, verbose=0)
    wv = model.wv
    assert len(wv) > 3000
    assert wv.rank("afghanistan", "taliban") <= 10
    assert wv.rank("fire", "brigade") <= 10
    assert wv.rank("bowler", "fast") <= 10
    assert wv.rank("palestinian", "arafat's") <= 10
    assert wv.similarity("afghanistan", "taliban") > wv.similarity("afghanistan", "cricket")
    assert wv.doesnt_match(["afghanistan", "taliban", "kabul", "cricket"]) == "cricket"


def test_a_sentence_longer_than_10000_tokens_is_cut_as_gensim_limits_it():
    from seqlab.vectors._word2vec_reference import encode

    jobs = list(make_jobs([["w"] * 25001, ["w", "w"]], {"w": 0}, encode, 1, 10 ** 6,
                          lambda done: 0.025))
    ends = jobs[0].ends
    ends = np.frombuffer(ends, np.int64) if isinstance(ends, bytes) else np.asarray(ends)
    assert ends.tolist() == [10000, 20000, 25001, 25003] and jobs[0].raw == 25003
