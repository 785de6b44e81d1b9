"""The compiled tokenizer: it runs when it should, says why when it doesn't, and gives
exactly the reference path's results (batches, growth and odd characters included)."""
import logging

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from seqlab import _log
from seqlab.text import Tokenizer, _native
from tests.helpers import require_kernel


def test_kernel_is_built_in_ci():
    require_kernel()
    assert _native.kernel.WordCounter is not None


class Spy:
    """Stands in for the kernel module and counts the calls that reach it."""

    def __init__(self, kernel):
        self.kernel, self.calls = kernel, []

    def WordCounter(self):  # noqa: N802 (mirrors the kernel's name)
        self.calls.append("WordCounter")
        return self.kernel.WordCounter()

    def index_texts(self, *args):
        self.calls.append("index_texts")
        return self.kernel.index_texts(*args)


def test_default_settings_run_the_kernel(monkeypatch):
    require_kernel()
    spy = Spy(_native.kernel)
    monkeypatch.setattr(_native, "kernel", spy)
    tokenizer = Tokenizer(num_words=100, oov_token="<OOV>").fit_on_texts(["a b", "c"])
    tokenizer.texts_to_sequences(["a b d"])
    assert spy.calls == ["WordCounter", "index_texts"]
    assert tokenizer.fast_path_reason is None


@pytest.mark.parametrize("settings, reason", [
    ({"char_level": True}, "char_level=True"),
    ({"analyzer": str.split}, "a custom analyzer is set"),
    ({"split": "ab"}, "split is not one ASCII character"),
    ({"split": "é"}, "split is not one ASCII character"),
    ({"filters": "!é"}, "filters contain non-ASCII characters"),
])
def test_other_settings_say_why_and_log_once(monkeypatch, caplog, settings, reason):
    require_kernel()
    monkeypatch.setattr(_log, "_said", set())
    tokenizer = Tokenizer(**settings)
    assert reason in tokenizer.fast_path_reason
    with caplog.at_level(logging.INFO, logger="seqlab"):
        tokenizer.fit_on_texts(["a b"])
        tokenizer.texts_to_sequences(["a b"])
    assert [r.getMessage() for r in caplog.records] == [
        f"Tokenizer uses the pure-Python path: {tokenizer.fast_path_reason}"]


def test_missing_kernel_is_a_warning(monkeypatch, caplog):
    monkeypatch.setattr(_log, "_said", set())
    monkeypatch.setattr(_native, "UNAVAILABLE_REASON", "the compiled tokenizer is not built (x)")
    with caplog.at_level(logging.INFO, logger="seqlab"):
        assert Tokenizer().fit_on_texts(["a b"]).word_index == {"a": 1, "b": 2}
    assert caplog.records[0].levelno == logging.WARNING
    assert "not built" in caplog.records[0].getMessage()


ODD = "aAzZ09 é İ ß 中文 😀 \x00 \r \xa0 \ud800 !,.'-\t\n"
documents = st.one_of(st.text(alphabet=ODD, max_size=60),
                      st.lists(st.text(alphabet="aAé😀 ", max_size=3), max_size=4))


@given(corpus=st.lists(documents, max_size=12), queries=st.lists(documents, max_size=8),
       num_words=st.one_of(st.none(), st.integers(1, 6)),
       oov=st.sampled_from([None, "<OOV>"]), lower=st.booleans())
def test_kernel_equals_reference(monkeypatch, corpus, queries, num_words, oov, lower):
    require_kernel()
    monkeypatch.setattr(_native, "FIRST_BATCH", 2)  # many batches, and batches that grow
    monkeypatch.setattr(_native, "LAST_BATCH", 4)
    settings = dict(num_words=num_words, oov_token=oov, lower=lower)
    fast = Tokenizer(**settings).fit_on_texts(corpus)
    with monkeypatch.context() as reference:
        reference.setattr(_native, "UNAVAILABLE_REASON", "forced by the test")
        slow = Tokenizer(**settings).fit_on_texts(corpus)
        expected = slow.texts_to_sequences(queries + corpus)
    assert list(fast.word_counts.items()) == list(slow.word_counts.items())
    assert list(fast.word_docs.items()) == list(slow.word_docs.items())
    assert list(fast.word_index.items()) == list(slow.word_index.items())
    assert fast.texts_to_sequences(queries + corpus) == expected


def test_large_vocabulary_long_texts_and_str_subclasses():
    words = [f"w{i}É" if i % 3 else f"W{i}" for i in range(120_000)]  # forces table growth
    corpus = [" ".join(words[i:i + 3000]) for i in range(0, len(words), 3000)]
    corpus.append(np.str_("Numpy Strings Work"))
    fast = Tokenizer(oov_token="<OOV>").fit_on_texts(corpus)
    assert len(fast.word_index) == 120_000 + 3 + 1
    assert list(fast.word_counts)[:3] == ["w0", "w1é", "w2é"]
    assert fast.texts_to_sequences(["w1É nothere numpy"]) == [
        [fast.word_index["w1é"], 1, fast.word_index["numpy"]]]
