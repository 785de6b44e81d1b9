"""Vector files: word2vec binary files built by hand with struct, save/load round trips in
the three formats, format detection, cut-short files, float16 storage, atomic saves and
the real GloVe subset. Expected values come from struct and from the files' raw bytes,
never from the code under test."""
import re
import struct

import numpy as np
import pytest

from seqlab.vectors import KeyedVectors
from seqlab.vectors import _text_files
from seqlab.vectors._text_files import detect_vector_format, load_vectors, save_vectors
from tests.helpers import shared_data

GLOVE = "glove/glove.6B.50d.first2446.txt"  # ../shared/data/glove/...

# A value whose 4 little-endian bytes are a newline, a space, a newline and '?': raw
# values may hold any byte, and a reader that splits on them breaks.
AWKWARD = struct.unpack("<f", b"\n \n?")[0]
HAND_WORDS = ["cat", "naïve", "dog"]
HAND_VALUES = [(0.5, -1.0, 2.25), (1e-3, AWKWARD, -0.0), (-2.0, 0.75, 3.4e38)]


def binary_record(word: str, values, newline=True) -> bytes:
    """One word2vec binary record, by the format's definition."""
    packed = struct.pack(f"<{len(values)}f", *values)
    return word.encode("utf-8") + b" " + packed + (b"\n" if newline else b"")


def hand_binary(newline=True, header=b"3 3\n") -> bytes:
    return header + b"".join(binary_record(word, values, newline)
                             for word, values in zip(HAND_WORDS, HAND_VALUES))


def as_float32(rows) -> np.ndarray:
    """The float32 values struct writes for `rows` (struct rounds to float32 itself)."""
    return np.array([struct.unpack(f"<{len(row)}f", struct.pack(f"<{len(row)}f", *row))
                     for row in rows], dtype=np.float32)


def bits(array) -> np.ndarray:
    """The raw bits, so that -0.0 != 0.0 and NaN == NaN compare as the bytes do."""
    array = np.ascontiguousarray(array)
    return array.view({2: np.uint16, 4: np.uint32}[array.dtype.itemsize])


def write(tmp_path, data: bytes, name="vectors.bin"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --------------------------------------------------------------- binary files by hand

@pytest.mark.parametrize("newline", [True, False], ids=["newline", "no-newline"])
def test_hand_written_binary_loads_exactly(tmp_path, newline):
    path = write(tmp_path, hand_binary(newline))
    assert detect_vector_format(path) == ("word2vec", True)
    vectors = load_vectors(path)
    assert vectors.index_to_key == HAND_WORDS
    assert vectors.vectors.dtype == np.float32
    np.testing.assert_array_equal(bits(vectors.vectors), bits(as_float32(HAND_VALUES)))
    assert vectors["naïve"][1] == np.float32(AWKWARD)
    assert np.signbit(vectors["naïve"][2])  # -0.0 kept


def test_hand_written_binary_limit(tmp_path):
    vectors = load_vectors(write(tmp_path, hand_binary(newline=False)), limit=2)
    assert vectors.index_to_key == HAND_WORDS[:2]
    np.testing.assert_array_equal(bits(vectors.vectors), bits(as_float32(HAND_VALUES[:2])))


def test_binary_read_as_text_is_a_clear_error(tmp_path):
    path = write(tmp_path, hand_binary())
    with pytest.raises(ValueError, match=r"looks like binary word2vec: pass binary=True"):
        load_vectors(path, binary=False)


def test_text_read_as_binary_is_a_clear_error(tmp_path):
    path = write(tmp_path, b"3 4\ncat 0.5 -1 2.25 0\ndog 1e-3 -0.125 3 4\nfish -2 0.75 -0.5 8\n")
    with pytest.raises(ValueError, match=r"looks like text: pass binary=False"):
        load_vectors(path, binary=True)


def test_values_that_start_like_text_are_still_binary(tmp_path):
    """The first record's bytes read as ``cat 1`` up to a 0x0A: the next line decides."""
    first = struct.unpack("<f", b"1\n3 ")[0]
    data = b"2 2\n" + binary_record("cat", (first, 1.0)) + binary_record("dog", (2.0, -3.0))
    path = write(tmp_path, data)
    assert detect_vector_format(path) == ("word2vec", True)
    np.testing.assert_array_equal(bits(load_vectors(path).vectors),
                                  bits(as_float32([(first, 1.0), (2.0, -3.0)])))


def test_binary_words_that_are_not_utf8(tmp_path):
    data = b"2 1\n" + b"a " + struct.pack("<f", 1.5) + b"\n\x96 " + struct.pack("<f", 2.5)
    path = write(tmp_path, data)
    assert load_vectors(path).index_to_key == ["a", "\\x96"]
    with pytest.raises(ValueError, match=r"record 2, byte 1: byte b'\\x96' is not UTF-8.*unicode_errors="):
        load_vectors(path, unicode_errors="strict")


def test_binary_duplicate_words_keep_the_first(tmp_path, caplog):
    data = b"3 1\n" + b"".join(binary_record(word, (value,))
                               for word, value in [("a", 1.0), ("b", 2.0), ("a", 3.0)])
    vectors = load_vectors(write(tmp_path, data))
    assert vectors.index_to_key == ["a", "b"]
    assert vectors["a"].tolist() == [1.0]
    assert "1 words appear more than once" in caplog.text


# --------------------------------------------------------------- cut-short binary files

def test_binary_cut_in_the_middle_of_a_vector(tmp_path):
    data = hand_binary()
    second_values = data.index("naïve ".encode()) + len("naïve ".encode())
    path = write(tmp_path, data[:second_values + 5])  # 5 of the 12 value bytes
    with pytest.raises(ValueError, match=r"record 2 \('naïve'\): the file ends after 5 of its "
                                         r"12 value bytes.*limit=1\)"):
        load_vectors(path)
    assert load_vectors(path, limit=1).index_to_key == ["cat"]


def test_binary_cut_in_the_middle_of_a_word(tmp_path):
    data = hand_binary()
    path = write(tmp_path, data[:data.index(b"dog ") + 2])
    with pytest.raises(ValueError, match=r"record 3: the file ends in the middle of the word "
                                         r"b'do'.*limit=2\)"):
        load_vectors(path)
    assert load_vectors(path, limit=2).index_to_key == HAND_WORDS[:2]


@pytest.mark.parametrize("announced", [b"5", b"4000000000"])
def test_binary_header_announcing_more_words(tmp_path, announced):
    """A huge count must not make the reader allocate for it either."""
    path = write(tmp_path, hand_binary(header=announced + b" 3\n"))
    with pytest.raises(ValueError, match=rf"announces {int(announced)} words but the file "
                                         r"holds 3.*limit=3\)"):
        load_vectors(path)
    assert len(load_vectors(path, limit=3)) == 3


@pytest.mark.parametrize("header", [b"3\n", b"three 3\n", b"3 3 3\n", b"-3 3\n"])
def test_binary_with_a_wrong_header(tmp_path, header):
    path = write(tmp_path, header + hand_binary(header=b""))
    with pytest.raises(ValueError, match=r"line 1: a word2vec binary file starts with a line "
                                         r"'count dimension'"):
        load_vectors(path, binary=True)


@pytest.mark.parametrize("binary", [None, True, False])
def test_missing_folder_and_empty_files(tmp_path, binary):
    with pytest.raises(FileNotFoundError, match="nope.bin"):
        load_vectors(tmp_path / "nope.bin", binary=binary)
    with pytest.raises(FileNotFoundError):
        load_vectors(tmp_path, binary=binary)
    with pytest.raises(ValueError, match="holds no vectors"):
        load_vectors(write(tmp_path, b""), binary=binary)
    with pytest.raises(ValueError, match="holds no vectors"):
        load_vectors(write(tmp_path, b"0 300\n"), binary=binary)


@pytest.mark.parametrize("binary", ["yes", 2])
def test_bad_binary_argument(tmp_path, binary):
    with pytest.raises(ValueError, match="binary must be None"):
        load_vectors(write(tmp_path, hand_binary()), binary=binary)


# --------------------------------------------------------------- round trips

def awkward_vectors() -> KeyedVectors:
    """Values that need all 9 digits, extremes, subnormals, -0.0; words beyond ASCII."""
    rng = np.random.default_rng(5)
    values = rng.standard_normal((6, 7)).astype(np.float32)
    values[0] = [0.418, 1e-3, -0.0, 1.4e-45, 3.4028235e38, -1.1754944e-38, 0.1]
    values[1, :3] = [np.float32(1) / 3, 1e-8, -123456.79]
    words = ["the", ",", "naïve", "日本", "\\x96", "e=mc²"]
    return KeyedVectors(words, values)


FORMATS = [("word2vec", False), ("word2vec", True), ("glove", False)]


@pytest.mark.parametrize("format, binary", FORMATS)
def test_round_trip_is_bit_exact(tmp_path, format, binary):
    original = awkward_vectors()
    path = save_vectors(original, tmp_path / "out", format=format, binary=binary)
    assert path == tmp_path / "out"
    assert detect_vector_format(path) == (format, binary)
    loaded = load_vectors(path)
    assert loaded.index_to_key == original.index_to_key
    np.testing.assert_array_equal(bits(loaded.vectors), bits(original.vectors))
    assert load_vectors(path, binary=binary).index_to_key == original.index_to_key
    limited = load_vectors(path, limit=2)
    assert limited.index_to_key == ["the", ","]
    np.testing.assert_array_equal(bits(limited.vectors), bits(original.vectors[:2]))


def test_round_trip_of_random_values_in_text(tmp_path):
    """Many random bit patterns (every finite float32 kind) through the text format."""
    rng = np.random.default_rng(0)
    patterns = rng.integers(0, 2**32, size=(300, 40), dtype=np.uint64).astype(np.uint32)
    values = patterns.view(np.float32)
    values = np.where(np.isfinite(values), values, np.float32(0))
    original = KeyedVectors([f"w{i}" for i in range(300)], values)
    loaded = load_vectors(save_vectors(original, tmp_path / "random.txt"))
    np.testing.assert_array_equal(bits(loaded.vectors), bits(original.vectors))


def test_saved_bytes_by_format(tmp_path):
    """The exact bytes: shortest decimals in text, struct's bytes in binary."""
    vectors = KeyedVectors(["a", "ü"], [[0.418, 1e-3, -0.125], [2.0, -0.0, 1e20]])
    text = b"a 0.418 0.001 -0.125\n\xc3\xbc 2.0 -0.0 1e+20\n"
    save_vectors(vectors, tmp_path / "w.txt")
    assert (tmp_path / "w.txt").read_bytes() == b"2 3\n" + text
    save_vectors(vectors, tmp_path / "g.txt", format="glove")
    assert (tmp_path / "g.txt").read_bytes() == text
    save_vectors(vectors, tmp_path / "w.bin", binary=True)
    assert (tmp_path / "w.bin").read_bytes() == (
        b"2 3\n" + binary_record("a", (0.418, 1e-3, -0.125))
        + binary_record("ü", (2.0, -0.0, 1e20)))


def test_detection_of_text_files(tmp_path):
    assert detect_vector_format(write(tmp_path, b"a 1 2\nb 3 4\n", "g.txt")) == ("glove", False)
    assert detect_vector_format(write(tmp_path, b"2 2\na 1 2\nb 3 4\n", "w.txt")) == \
        ("word2vec", False)
    assert detect_vector_format(write(tmp_path, b"2 2\r\na 1 -2e5\r\nb nan inf\r\n", "crlf.txt")) \
        == ("word2vec", False)
    assert detect_vector_format(write(tmp_path, b"0 50\n", "empty.txt")) == ("word2vec", False)


def test_detection_when_the_probe_ends_inside_a_number(tmp_path, monkeypatch):
    """Only the first bytes are read; a number cut at their end (``1e-``) is not a reason
    to call the file binary."""
    path = write(tmp_path, b"2 3\nword 1.5 2.5 1e-05\nnext 1 2 3\n", "w.txt")
    monkeypatch.setattr(_text_files, "_PROBE_BYTES", len(b"2 3\nword 1.5 2.5 1e-"))
    assert detect_vector_format(path) == ("word2vec", False)


# --------------------------------------------------------------- float16 storage

def half_friendly_vectors() -> KeyedVectors:
    """Values within float16's range, some of them awkward for it."""
    values = np.random.default_rng(6).standard_normal((5, 8)).astype(np.float32)
    values[0] = [0.418, 1e-3, -0.0, 1e-8, 65504.0, -60000.0, 6e-8, 0.1]
    return KeyedVectors(["the", ",", "naïve", "of", "and"], values)


@pytest.mark.parametrize("binary", [False, True])
def test_float16_storage(tmp_path, binary):
    path = save_vectors(half_friendly_vectors(), tmp_path / "v", binary=binary)
    full = load_vectors(path)
    half = load_vectors(path, dtype="float16")
    assert half.vectors.dtype == np.float16
    assert half.vectors.nbytes * 2 == full.vectors.nbytes
    assert half.index_to_key == full.index_to_key
    np.testing.assert_array_equal(bits(half.vectors), bits(full.vectors.astype(np.float16)))
    assert half["the"][0] == np.float16(np.float32(0.418))
    assert half["the"][3] == 0 and half["the"][4] == 65504
    with pytest.raises(ValueError, match="read-only"):
        half.vectors[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        half["the"][0] = 1.0
    assert load_vectors(path, dtype=np.float16).vectors.dtype == np.float16
    assert load_vectors(path, limit=2, dtype="float16").index_to_key == ["the", ","]


def test_float16_out_of_range_is_an_error(tmp_path):
    """Past 65504 float16 has only inf: say so rather than store it."""
    values = [[1.0, 2.0], [3.0, 65520.0], [-1e6, 0.5]]
    path = save_vectors(KeyedVectors(["a", "b", "c"], values), tmp_path / "v")
    with pytest.raises(ValueError, match=r"2 values do not fit float16 .*65520.0 in the "
                                         r"vector of 'b': use dtype='float32'"):
        load_vectors(path, dtype="float16")
    inf = load_vectors(path, limit=1, dtype="float16")
    assert inf.vectors.dtype == np.float16


def test_keyed_vectors_take_float16_directly():
    keyed = KeyedVectors(["a", "b"], [[0.1, 1.0], [2.0, -3.0]], dtype="float16")
    assert keyed.vectors.dtype == np.float16 and not keyed.vectors.flags.writeable
    assert keyed.normed.dtype == np.float32
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float16', got 'int8'"):
        KeyedVectors(["a"], [[1.0]], dtype="int8")
    with pytest.raises(ValueError, match=r"1 values do not fit float16 .* vector of 'b'"):
        KeyedVectors(["a", "b"], [[1.0], [1e5]], dtype=np.float16)


def test_float16_vectors_are_saved_as_float32(tmp_path):
    half = load_vectors(save_vectors(KeyedVectors(["a"], [[0.1, -2.5]]), tmp_path / "v"),
                        dtype="float16")
    for binary in (False, True):
        path = save_vectors(half, tmp_path / f"half{binary}", binary=binary)
        np.testing.assert_array_equal(bits(load_vectors(path).vectors),
                                      bits(half.vectors.astype(np.float32)))
    binary_bytes = (tmp_path / "halfTrue").read_bytes()
    assert binary_bytes == b"1 2\n" + binary_record("a", (float(np.float16(0.1)), -2.5))


@pytest.mark.parametrize("dtype", ["float64", "int8", "banana", None])
def test_bad_dtype(tmp_path, dtype):
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float16'"):
        load_vectors(write(tmp_path, hand_binary()), dtype=dtype)


# --------------------------------------------------------------- saving: atomic, refusals

class Crash(Exception):
    pass


@pytest.mark.parametrize("binary, record", [(False, "_text_record"), (True, "_binary_record")])
def test_a_failed_save_leaves_no_file(tmp_path, monkeypatch, binary, record):
    written = []
    real = getattr(_text_files, record)

    def crash_on_the_third(word, row):
        if len(written) == 2:
            raise Crash("disk full")
        written.append(word)
        return real(word, row)

    monkeypatch.setattr(_text_files, record, crash_on_the_third)
    with pytest.raises(Crash):
        save_vectors(awkward_vectors(), tmp_path / "new.vec", binary=binary)
    assert written == [b"the", b","]  # it did fail midway
    assert list(tmp_path.iterdir()) == []  # no final file and no temporary left

    older = write(tmp_path, b"older content", "old.vec")
    written.clear()
    with pytest.raises(Crash):
        save_vectors(awkward_vectors(), older, binary=binary)
    assert older.read_bytes() == b"older content"
    assert list(tmp_path.iterdir()) == [older]


def test_saving_over_an_older_file(tmp_path):
    older = write(tmp_path, b"older content", "v.txt")
    save_vectors(KeyedVectors(["a"], [[1.0]]), str(older))
    assert older.read_bytes() == b"1 1\na 1.0\n"


@pytest.mark.parametrize("word", ["new york", "line\nbreak", "carriage\rreturn", ""])
def test_words_that_cannot_be_written(tmp_path, word):
    vectors = KeyedVectors(["ok", word], np.zeros((2, 3)))
    for format, binary in FORMATS:
        with pytest.raises(ValueError, match=re.escape(f"the word {word!r}")):
            save_vectors(vectors, tmp_path / "v", format=format, binary=binary)
    assert list(tmp_path.iterdir()) == []


def test_glove_has_no_binary_form(tmp_path):
    with pytest.raises(ValueError, match="binary=True needs format='word2vec'"):
        save_vectors(awkward_vectors(), tmp_path / "v", format="glove", binary=True)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("format", ["fasttext", "GloVe", "", None])
def test_unknown_format(tmp_path, format):
    with pytest.raises(ValueError, match=r"format must be 'word2vec' or 'glove', got"):
        save_vectors(awkward_vectors(), tmp_path / "v", format=format)


# --------------------------------------------------------------- the real GloVe file

@pytest.fixture(scope="module")
def glove_path():
    return shared_data(GLOVE)


def test_real_glove_through_binary(tmp_path, glove_path):
    assert detect_vector_format(glove_path) == ("glove", False)
    original = load_vectors(glove_path)
    path = save_vectors(original, tmp_path / "glove.bin", binary=True)
    assert detect_vector_format(path) == ("word2vec", True)
    assert path.stat().st_size == len(b"2446 50\n") + sum(
        len(word.encode()) + 1 + 4 * 50 + 1 for word in original.index_to_key)
    again = load_vectors(path)
    assert again.index_to_key == original.index_to_key
    np.testing.assert_array_equal(bits(again.vectors), bits(original.vectors))
    assert load_vectors(path, limit=100).index_to_key == original.index_to_key[:100]


def test_real_glove_saved_as_glove_keeps_its_decimals(tmp_path, glove_path):
    """GloVe writes the shortest decimals too: saving reproduces every value's text, except
    integers (``-1`` becomes ``-1.0``) and the non-UTF-8 words (kept as escapes)."""
    path = save_vectors(load_vectors(glove_path), tmp_path / "glove.txt", format="glove")
    raw = glove_path.read_bytes().split(b"\n")
    saved = path.read_bytes().split(b"\n")
    assert len(saved) == len(raw) + 1 and saved[-1] == b""  # a final newline added
    for ours, theirs in zip(saved, raw):
        for mine, original in zip(ours.split(b" ")[1:], theirs.split(b" ")[1:]):
            assert mine == original or (b"." not in original and float(mine) == float(original))


def test_keyed_vectors_save_and_load_methods_round_trip(tmp_path):
    keyed = KeyedVectors(["a", "ü"], [[0.1, -2.5], [3.0, 1e-8]])
    for format, binary in (("word2vec", False), ("word2vec", True), ("glove", False)):
        path = keyed.save(tmp_path / f"{format}-{binary}", format=format, binary=binary)
        assert detect_vector_format(path) == (format, binary)
        again = KeyedVectors.load(path, limit=1)
        assert again.index_to_key == ["a"]
        np.testing.assert_array_equal(again.vectors, keyed.vectors[:1])


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_nan_and_infinite_values_are_refused_naming_the_line(tmp_path, value):
    path = tmp_path / "vectors.txt"
    path.write_text(f"good 0.1 0.2\nbad 0.3 {value}\n")
    with pytest.raises(ValueError, match=rf"vectors.txt line 2: the vector of 'bad' holds "
                                         rf"{value.replace('+', '')}"):
        load_vectors(path)
    vectors = KeyedVectors(["a", "b"], np.array([[1, 0], [0, 1]], "float32"))
    binary = tmp_path / "v.bin"
    save_vectors(vectors, binary, binary=True)
    data = bytearray(binary.read_bytes())
    data[-5:-1] = np.array([float(value)], "<f4").tobytes()  # b's last value
    binary.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="the vector of 'b' holds"):
        load_vectors(binary)


@pytest.mark.parametrize("limit", [-1, 0, 2.5, "3", True])
def test_limit_must_be_a_count(tmp_path, limit):
    path = tmp_path / "vectors.txt"
    path.write_text("good 0.1 0.2\n")
    with pytest.raises(ValueError, match=rf"limit must be None .* got limit={limit!r}"):
        load_vectors(path, limit=limit)


def test_keyed_vectors_refuse_nan_and_a_cut_file_suggests_no_limit_0(tmp_path):
    with pytest.raises(ValueError, match=r"the vector of 'b' \(row 1\) holds NaN or infinity"):
        KeyedVectors(["a", "b"], [[0.0, 1.0], [np.nan, 1.0]])
    path = tmp_path / "cut.txt"
    path.write_text("2 3\na 1 2\n")
    with pytest.raises(ValueError, match="not one word before it is whole") as error:
        load_vectors(path)
    assert "limit=0" not in str(error.value)
