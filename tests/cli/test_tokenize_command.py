"""seqlab tokenize: its files, its streams and its errors."""
import io
import re
import sys

import numpy as np
import pytest

from seqlab.cli import main
from seqlab.text import Tokenizer, pad_sequences, tokenizer_from_json


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "texts.txt"
    path.write_text("The cat sat.\nThe dog sat down!\r\n\nA cat, a dog.\n", encoding="utf-8")
    return path


def test_tokenize_writes_batch_and_tokenizer(tmp_path, corpus, capsys):
    batch, saved = tmp_path / "out" / "batch.npy", tmp_path / "tok.json"
    code = main(["tokenize", str(corpus), "--num-words", "5", "--oov-token", "<OOV>",
                 "--maxlen", "3", "--output", str(batch), "--save-tokenizer", str(saved)])
    assert code == 0
    texts = ["The cat sat.", "The dog sat down!", "", "A cat, a dog."]
    reference = Tokenizer(num_words=5, oov_token="<OOV>").fit_on_texts(texts)
    expected = pad_sequences(reference.texts_to_sequences(texts), maxlen=3)
    np.testing.assert_array_equal(np.load(batch), expected)
    assert tokenizer_from_json(saved.read_text()).word_index == reference.word_index
    out = capsys.readouterr().out
    assert "int32 (4, 3), 2 texts truncated" in out  # the 4-word texts


def test_tokenize_plots_lengths(tmp_path, corpus, capsys):
    plot = tmp_path / "lengths.png"
    assert main(["tokenize", str(corpus), "--maxlen", "3", "--plot", str(plot)]) == 0
    assert plot.read_bytes()[:4] == b"\x89PNG"
    assert "length plot" in capsys.readouterr().out


def test_tokenize_reuses_a_saved_tokenizer_and_streams_rows(tmp_path, corpus, capsys):
    saved = tmp_path / "tok.json"
    saved.write_text(Tokenizer().fit_on_texts(["cat dog"]).to_json())
    assert main(["tokenize", str(corpus), "--tokenizer", str(saved), "--num-words", "2",
                 "--output", "-"]) == 0
    captured = capsys.readouterr()
    # only "cat" (index 1) is below num_words=2; the longest sequence has one index
    assert captured.out.splitlines() == ["1", "0", "0", "1"]
    assert "texts" in captured.err  # the report moves to stderr


class _Stdin:
    def __init__(self, data):
        self.buffer = io.BytesIO(data)


def test_tokenize_reads_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Stdin(b"b a b\nc\n"))
    assert main(["tokenize", "-", "--output", "-"]) == 0
    assert capsys.readouterr().out.splitlines() == ["1 2 1", "0 0 3"]


@pytest.mark.parametrize("argv, message", [
    (["missing.txt"], "missing.txt: no such file"),
    (["{corpus}", "--num-words", "0"], "num_words must be None .* got 0"),
    (["{corpus}", "--maxlen", "-2"], "maxlen must be None or an int >= 0, got -2"),
    (["{corpus}", "--output", "out.csv"], "use a .npy path"),
    (["{corpus}", "--tokenizer", "{corpus}"], "not a Tokenizer JSON string"),
    (["{corpus}", "--tokenizer", "x.json", "--char-level"], "--char-level would be ignored"),
])
def test_tokenize_errors_are_one_clear_line(corpus, capsys, argv, message):
    argv = [a.format(corpus=corpus) for a in argv]
    assert main(["tokenize", *argv]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("seqlab tokenize: error: ")
    assert len(err.splitlines()) == 1
    assert re.search(message, err), err


def test_bad_utf8_is_reported_with_its_line(tmp_path, capsys):
    path = tmp_path / "latin1.txt"
    path.write_bytes("ok\ncaf\xe9\n".encode("latin-1"))
    assert main(["tokenize", str(path)]) == 1
    assert "line 2, column 4: byte b'\\xe9' is not UTF-8" in capsys.readouterr().err


def test_report_counts_oov(corpus, capsys):
    assert main(["tokenize", str(corpus), "--num-words", "3", "--oov-token", "?"]) == 0
    # index 2 is "the" (2 of the 11 tokens); every other token becomes "?"
    assert "OOV tokens           81.8% of output tokens" in capsys.readouterr().out
