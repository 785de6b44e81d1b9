"""Built-in sample texts and the one-text-per-line reader."""
import io

import pytest

from seqlab.data import sample_reviews, text_lines


def test_sample_reviews_are_fresh_lists():
    reviews = sample_reviews()
    assert len(reviews) == 8 and all(isinstance(r, str) and r for r in reviews)
    reviews.clear()
    assert len(sample_reviews()) == 8


def test_line_ends_and_unicode():
    raw = "first\r\nsecond é\n\nlast".encode("utf-8")
    assert list(text_lines(io.BytesIO(raw), "x")) == ["first", "second é", "", "last"]
    assert list(text_lines(io.BytesIO(b"a\n"), "x")) == ["a"]
    assert list(text_lines(io.BytesIO(b""), "x")) == []


def test_invalid_utf8_names_file_line_and_byte():
    with pytest.raises(ValueError, match=r"notes.txt line 2, column 3: byte b'\\xff' is not "
                                         r"UTF-8: convert the file to UTF-8 first"):
        list(text_lines(io.BytesIO(b"ok\nab\xffc\n"), "notes.txt"))
