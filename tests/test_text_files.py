"""One UTF-8 reader for every path: a byte-order mark never becomes part of a word, and
text that is not UTF-8 gets one message naming the file, line and fix (issue 16)."""
import io

import numpy as np
import pytest

from seqlab import data
from seqlab._files import decode_utf8, read_text, text_lines
from seqlab.cli import main
from seqlab.vectors import KeyedVectors, LineSentences, evaluate_word_pairs, load_vectors

BOM = b"\xef\xbb\xbf"


def test_text_lines_takes_a_path_and_a_name(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(BOM + b"hello world\r\nhello\n")
    assert list(data.text_lines(path)) == ["hello world", "hello"]
    assert list(data.text_lines(str(path), "my notes")) == ["hello world", "hello"]
    with open(path, encoding="utf-8") as file:  # a file opened in text mode works too
        assert list(data.text_lines(file)) == ["hello world", "hello"]
    with pytest.raises(FileNotFoundError, match="missing.txt does not exist"):
        list(data.text_lines(tmp_path / "missing.txt"))


def test_only_a_leading_byte_order_mark_is_dropped():
    lines = list(text_lines(io.BytesIO(BOM + b"a\n" + BOM + b"b\n"), "x"))
    assert lines == ["a", "\ufeffb"]  # in the middle it is text (a zero-width space)
    assert decode_utf8(BOM + b"a", "x") == "a"


READERS = [
    lambda p: read_text(p),
    lambda p: list(text_lines(p)),
    lambda p: list(LineSentences(p)),
    lambda p: data.read_labeled(p, format="csv"),
    lambda p: load_vectors(p, unicode_errors="strict"),
]


@pytest.mark.parametrize("reader", READERS)
def test_every_reader_gives_the_same_message(tmp_path, reader):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"hello 0.1 0.2\ncaf\xe9 0.1 0.2\n")
    with pytest.raises(ValueError, match=r"latin1.txt line 2, column 4: byte b'\\xe9' is not "
                                         r"UTF-8: convert the file to UTF-8 first"):
        reader(path)
    if reader is READERS[-1]:
        return  # a vectors file that is not text is read as word2vec binary
    binary = tmp_path / "model.npy"
    binary.write_bytes(b"\x93NUMPY\x01\x00v\x00{'descr': '<f8'}\x00\x00\xff\xfe")
    with pytest.raises(ValueError, match="model.npy line 1, column 1: .*looks like a binary "
                                         "file, not text"):
        reader(binary)


def test_tokenize_does_not_glue_the_mark_to_the_first_word(tmp_path, capsys):
    path = tmp_path / "bom.txt"
    path.write_bytes(BOM + b"hello world\nhello\n")
    saved = tmp_path / "tok.json"
    assert main(["tokenize", str(path), "--save-tokenizer", str(saved)]) == 0
    assert "\\ufeff" not in saved.read_text() and "\ufeff" not in saved.read_text()


def test_tokenize_names_an_empty_input_and_a_binary_tokenizer(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main(["tokenize", str(empty)]) == 1
    assert "no texts to tokenize" in capsys.readouterr().err
    texts = tmp_path / "t.txt"
    texts.write_text("a b\n")
    bad = tmp_path / "tok.json"
    bad.write_bytes(b"\x00\x01\xff\xfe")
    assert main(["tokenize", str(texts), "--tokenizer", str(bad)]) == 1
    assert "tok.json line 1, column 3: byte b'\\xff'" in capsys.readouterr().err


def test_word2vec_corpus_and_evaluation_files_with_a_mark(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(BOM + b"hello world\nworld hello\n")
    assert list(LineSentences(corpus))[0] == ["hello", "world"]
    pairs = tmp_path / "pairs.tsv"
    pairs.write_bytes(BOM + b"hello\tworld\t5\nworld\tfoo\t1\nhello\tfoo\t2\n")
    vectors = KeyedVectors(["hello", "world", "foo"], np.array(
        [[1, 0, 0], [0.9, 0.1, 0], [0, 0, 1]], dtype="float32"))
    result = evaluate_word_pairs(vectors, pairs)
    assert result.oov_ratio == 0.0
