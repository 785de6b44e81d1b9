"""seqlab.text.strings: tf.strings' documented answers."""
import re
import string

import numpy as np
import pytest

from seqlab.text import strings


def test_lower_upper_ascii_by_default_unicode_on_request():
    assert strings.lower("ÀB Ç") == "Àb Ç"
    assert strings.lower("ÀB Ç", encoding="utf-8") == "àb ç"
    assert strings.upper(["ab", "é"]).tolist() == ["AB", "é"]
    out = strings.lower(np.array([["A"], ["B"]]))
    assert out.shape == (2, 1) and out.dtype == object
    assert strings.lower(b"ABC") == "abc"


def test_regex_replace_global_first_and_groups():
    punctuation = f"[{re.escape(string.punctuation)}]"
    assert strings.regex_replace("it's <br />fine!", punctuation, "") == "its br fine"
    assert strings.regex_replace("aaa", "a", "b", replace_global=False) == "baa"
    assert strings.regex_replace("ab", "(a)(b)", r"\2\1") == "ba"
    assert strings.regex_replace("ab", "a", r"<\0>") == "<a>b"
    assert strings.regex_full_match(["ab", "abc"], "a.").tolist() == [True, False]


def test_split_whitespace_separator_maxsplit_and_characters():
    assert strings.split(" a\tb\n c ") == ["a", "b", "c"]
    assert strings.split("a\xa0b") == ["a\xa0b"]  # non-breaking space is not ASCII space
    assert strings.split("1<>2<><>3", sep="<>") == ["1", "2", "", "3"]
    assert strings.split("1 2 3", maxsplit=1) == ["1", "2 3"]
    assert strings.split(["a b", "c"]) == [["a", "b"], ["c"]]
    assert strings.unicode_split("héé") == ["h", "é", "é"]
    with pytest.raises(ValueError, match="unicode_split"):
        strings.split("ab", sep="")


def test_strip_length_substr_join_reduce_join_ngrams():
    assert strings.strip("  x y \n") == "x y"
    assert strings.length(["héllo", ""]).tolist() == [6, 0]
    assert strings.length("héllo", unit="UTF8_CHAR") == 5
    assert strings.substr("héllo", 0, 2) == "h"  # byte 2 cuts é: its partial byte dropped
    assert strings.substr("héllo", 1, 3, unit="UTF8_CHAR") == "éll"
    assert strings.join(["a", "b"], separator="-") == "a-b"
    assert strings.join([np.array(["a", "b"]), np.array(["x", "y"])], " ").tolist() == ["a x",
                                                                                      "b y"]
    assert strings.reduce_join([["a", "b"], ["c", "d"]], axis=-1, separator=" ").tolist() == [
        "a b", "c d"]
    assert strings.ngrams(["a", "b", "c"], 2) == ["a b", "b c"]
    assert strings.ngrams([["a", "b", "c"], ["d"]], (1, 3)) == [["a", "b", "c", "a b c"], ["d"]]
