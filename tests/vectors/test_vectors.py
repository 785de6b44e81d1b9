"""load_vectors, KeyedVectors and embedding_matrix: golden values from the raw text of the
real GloVe file (parsed here with str.split) and from small vectors written by hand."""
import numpy as np
import pytest

from seqlab.text import Tokenizer
from seqlab.vectors import KeyedVectors, embedding_matrix, load_vectors
from tests.helpers import shared_data

GLOVE = "glove/glove.6B.50d.first2446.txt"
GLOVE_LINES = 2446
# GloVe 6B holds a few words that are single Windows-1252 bytes, not UTF-8 (1-based lines).
GLOVE_NOT_UTF8 = {218: b"\x96", 785: b"\x92s", 1329: b"\x97", 1409: b"\x93", 1420: b"\x94"}



def raw_lines(path):
    """The lines of a vectors file as bytes split on spaces, read without the code under test."""
    return [line.split(b" ") for line in path.read_bytes().split(b"\n")]


def raw_vector(parts):
    return np.array([np.float32(float(value)) for value in parts[1:]], dtype=np.float32)


def raw_word(parts):
    return parts[0].decode("utf-8")


@pytest.fixture(scope="module")
def glove_path():
    return shared_data(GLOVE)


@pytest.fixture(scope="module")
def glove_raw(glove_path):
    return raw_lines(glove_path)


def write(tmp_path, text, name="vectors.txt"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


# --------------------------------------------------------------- the real GloVe file

def test_glove_raw_file_is_as_described(glove_path, glove_raw):
    """Guards the premises of the tests below."""
    assert len(glove_raw) == GLOVE_LINES
    assert not glove_path.read_bytes().endswith(b"\n")
    assert glove_raw[0][0] == b"the" and glove_raw[1][0] == b","
    assert all(len(parts) == 51 for parts in glove_raw[:-1])
    assert {number: glove_raw[number - 1][0] for number in GLOVE_NOT_UTF8} == GLOVE_NOT_UTF8


def test_glove_the_and_comma_exact_values(glove_path, glove_raw):
    vectors = load_vectors(glove_path, limit=10)
    assert vectors.vector_size == 50
    the = vectors["the"]
    assert the.dtype == np.float32
    np.testing.assert_array_equal(the, raw_vector(glove_raw[0]))
    # spot checks typed from the file itself
    assert the[0] == np.float32(0.418)
    assert the[1] == np.float32(0.24968)
    assert the[49] == np.float32(float(glove_raw[0][50]))
    assert vectors.index_to_key[1] == ","
    np.testing.assert_array_equal(vectors[","], raw_vector(glove_raw[1]))


def test_glove_limit_reads_the_first_words(glove_path, glove_raw):
    vectors = load_vectors(glove_path, limit=100)
    assert vectors.index_to_key == [raw_word(parts) for parts in glove_raw[:100]]
    np.testing.assert_array_equal(vectors.vectors,
                                  np.stack([raw_vector(parts) for parts in glove_raw[:100]]))


def test_glove_cut_short_line_names_line_and_limit(tmp_path, glove_raw):
    """The first 101 real lines, the last cut in the middle as a partial download leaves it."""
    lines = [b" ".join(parts) for parts in glove_raw[:100]]
    lines.append(b" ".join(glove_raw[100][:31]))  # the word and 30 of its 50 values
    path = write(tmp_path, b"\n".join(lines))
    with pytest.raises(ValueError) as error:
        load_vectors(path)
    message = str(error.value)
    assert "line 101: 30 values where every line has 50" in message
    assert "limit=100" in message
    assert len(load_vectors(path, limit=100)) == 100


def test_glove_whole_file(glove_path, glove_raw):
    """Every line read, in order, with its values; the last line has no final newline."""
    last = glove_raw[-1]
    if len(last) - 1 < 50:  # the last line was cut short: readable only with a limit
        assert len(load_vectors(glove_path, limit=GLOVE_LINES - 1)) == GLOVE_LINES - 1
        with pytest.raises(ValueError, match=rf"line {GLOVE_LINES}:.*limit={GLOVE_LINES - 1}"):
            load_vectors(glove_path)
        return
    vectors = load_vectors(glove_path)
    assert len(vectors) == GLOVE_LINES
    assert vectors.vectors.shape == (GLOVE_LINES, 50)
    np.testing.assert_array_equal(vectors.vectors,
                                  np.stack([raw_vector(parts) for parts in glove_raw]))
    for number, parts in enumerate(glove_raw, start=1):
        if number not in GLOVE_NOT_UTF8:
            assert vectors.index_to_key[number - 1] == raw_word(parts)
    np.testing.assert_array_equal(vectors[raw_word(last)], raw_vector(last))


def test_glove_limit_2445_leaves_out_the_last_line(glove_path, glove_raw):
    vectors = load_vectors(glove_path, limit=GLOVE_LINES - 1)
    assert len(vectors) == GLOVE_LINES - 1
    assert vectors.index_to_key[-1] == raw_word(glove_raw[-2])
    np.testing.assert_array_equal(vectors.vectors[-1], raw_vector(glove_raw[-2]))
    assert raw_word(glove_raw[-1]) not in vectors


def test_glove_cut_short_last_line_of_the_whole_file(tmp_path, glove_path):
    head, last = glove_path.read_bytes().rsplit(b"\n", 1)
    path = write(tmp_path, head + b"\n" + b" ".join(last.split(b" ")[:31]))
    assert len(load_vectors(path, limit=GLOVE_LINES - 1)) == GLOVE_LINES - 1
    with pytest.raises(ValueError, match=rf"line {GLOVE_LINES}: 30 values.*limit={GLOVE_LINES - 1}"):
        load_vectors(path)


# --------------------------------------------------------------- formats and limit

WORD2VEC = "3 4\ncat 0.5 -1 2.25 0\ndog 1e-3 -0.125 3 4\nfish -2 0.75 -0.5 8\n"


def test_word2vec_header_is_not_a_word(tmp_path):
    vectors = load_vectors(write(tmp_path, WORD2VEC))
    assert vectors.index_to_key == ["cat", "dog", "fish"]
    assert vectors.vector_size == 4
    assert "3" not in vectors
    np.testing.assert_array_equal(vectors.vectors, np.array(
        [[0.5, -1, 2.25, 0], [0.001, -0.125, 3, 4], [-2, 0.75, -0.5, 8]], dtype=np.float32))


def test_word2vec_header_fixes_the_dimension(tmp_path):
    path = write(tmp_path, "2 4\ncat 1 2 3\ndog 1 2 3\n")  # rows of 3 under a header of 4
    with pytest.raises(ValueError, match=r"line 2: 3 values where every line has 4"):
        load_vectors(path)


def test_word2vec_limit(tmp_path):
    path = write(tmp_path, WORD2VEC)
    assert load_vectors(path, limit=2).index_to_key == ["cat", "dog"]
    assert load_vectors(path, limit=1).index_to_key == ["cat"]
    assert load_vectors(path, limit=99).index_to_key == ["cat", "dog", "fish"]


def test_glove_text_without_header(tmp_path):
    vectors = load_vectors(write(tmp_path, "a 1 2\nb -3 4.5\n"))
    assert vectors.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(vectors.vectors, [[1, 2], [-3, 4.5]])


def test_trailing_spaces_and_crlf_are_tolerated(tmp_path):
    vectors = load_vectors(write(tmp_path, "a 1 2 \nb 3 4\r\n"))
    np.testing.assert_array_equal(vectors.vectors, [[1, 2], [3, 4]])
    assert vectors.index_to_key == ["a", "b"]


def test_limit_stops_before_a_bad_line(tmp_path):
    path = write(tmp_path, "a 1 2\nb 3 4\nc 5\n")
    assert load_vectors(path, limit=2).index_to_key == ["a", "b"]
    with pytest.raises(ValueError, match=r"line 3: 1 values where every line has 2.*limit=2"):
        load_vectors(path)


def test_accepts_str_paths(tmp_path):
    assert len(load_vectors(str(write(tmp_path, "a 1 2\n")))) == 1


# --------------------------------------------------------------- errors

def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        load_vectors(tmp_path / "nope.txt")


def test_a_folder_is_not_a_vectors_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_vectors(tmp_path)


def test_non_numbers_name_the_line_and_word(tmp_path):
    path = write(tmp_path, "a 1 2\nb 3 4\nc 5 x\n")
    with pytest.raises(ValueError, match=r"line 3: the values of 'c' are not all numbers"):
        load_vectors(path)


def test_non_numbers_on_the_first_line(tmp_path):
    with pytest.raises(ValueError, match=r"line 1: .*'a'"):
        load_vectors(write(tmp_path, "a one two\n"))


def test_empty_file(tmp_path):
    with pytest.raises(ValueError, match="holds no vectors"):
        load_vectors(write(tmp_path, ""))


def test_header_only_file(tmp_path):
    with pytest.raises(ValueError, match="holds no vectors"):
        load_vectors(write(tmp_path, "0 50\n"))


def test_line_with_only_a_word(tmp_path):
    path = write(tmp_path, "a 1 2\nlonely\nb 3 4\n")
    with pytest.raises(ValueError, match=r"line 2: expected a word and its values, got 'lonely"):
        load_vectors(path)


def test_first_line_with_only_a_word(tmp_path):
    with pytest.raises(ValueError, match=r"line 1: expected a word and its values"):
        load_vectors(write(tmp_path, "lonely \n"))


def test_duplicate_words_in_a_file_keep_the_first(tmp_path, caplog):
    vectors = load_vectors(write(tmp_path, "a 1 2\nb 3 4\na 5 6\n"))
    assert vectors.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(vectors["a"], [1, 2])
    assert "1 words appear more than once" in caplog.text


def test_glove_words_that_are_not_utf8(glove_path, glove_raw):
    """GloVe 6B's single Windows-1252 bytes are kept as escapes, one word each."""
    vectors = load_vectors(glove_path)
    for number, word in GLOVE_NOT_UTF8.items():
        escaped = word.decode("utf-8", errors="backslashreplace")
        assert vectors.index_to_key[number - 1] == escaped
        np.testing.assert_array_equal(vectors[escaped], raw_vector(glove_raw[number - 1]))
    with pytest.raises(ValueError, match=r"line 218, column 1: byte b'\\x96' is not UTF-8"):
        load_vectors(glove_path, unicode_errors="strict")


def test_byte_order_mark_is_not_part_of_the_first_word(tmp_path):
    vectors = load_vectors(write(tmp_path, b"\xef\xbb\xbfa 1 2\nb 3 4\n"))
    assert vectors.index_to_key == ["a", "b"]


def test_word2vec_file_shorter_than_its_header(tmp_path):
    path = write(tmp_path, "5 3\na 1 2 3\nb 4 5 6\n")
    with pytest.raises(ValueError, match=r"announces 5 words but the file holds 2.*limit=2"):
        load_vectors(path)
    assert len(load_vectors(path, limit=2)) == 2


# --------------------------------------------------------------- KeyedVectors

@pytest.fixture
def small():
    return KeyedVectors(["x", "y", "z"], [[1.0, 2.0], [3.0, 4.0], [5.0, 6.5]])


def test_keyed_basics(small):
    assert len(small) == 3
    assert small.vector_size == 2
    assert small.vectors.dtype == np.float32
    assert small.index_to_key == ["x", "y", "z"]
    assert small.key_to_index == {"x": 0, "y": 1, "z": 2}
    assert small["z"].tolist() == [5.0, 6.5]
    assert repr(small) == "KeyedVectors(3 words x 2)"


def test_keyed_contains(small):
    assert "y" in small
    assert "w" not in small
    assert "Y" not in small


def test_keyed_missing_word_message(small):
    with pytest.raises(KeyError, match=r"'w' is not among the 3 words"):
        small["w"]


def test_keyed_vectors_are_read_only(small):
    with pytest.raises(ValueError, match="read-only"):
        small.vectors[0, 0] = 9.0
    with pytest.raises(ValueError, match="read-only"):
        small["x"][1] = 9.0
    assert small["x"].tolist() == [1.0, 2.0]


def test_keyed_rejects_duplicate_words():
    with pytest.raises(ValueError, match="unique; 'a' appears more than once"):
        KeyedVectors(["a", "b", "a"], np.zeros((3, 2)))


def test_keyed_copies_the_callers_array():
    mine = np.zeros((2, 5), dtype=np.float32)
    vectors = KeyedVectors(["a", "b"], mine[:, :3])
    mine[0, 0] = 7.0  # still writable, and not seen through the vectors
    assert vectors["a"].tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("words, shape", [
    (["a", "b", "c"], (2, 4)),   # fewer rows than words
    (["a"], (2, 4)),             # more rows than words
    (["a", "b"], (2,)),          # not a matrix
    (["a", "b"], (2, 3, 1)),
])
def test_keyed_shape_mismatch(words, shape):
    with pytest.raises(ValueError, match="one row per word"):
        KeyedVectors(words, np.zeros(shape))


# --------------------------------------------------------------- embedding_matrix

TEXTS = ["the the the the the of of of of zzqx zzqx zzqx and and in"]
HAND = KeyedVectors(["in", "and", "of", "the", "unused"], np.array([
    [1.0, 0.0, -2.0],    # in
    [0.5, 4.0, 2.0],     # and
    [-1.0, 2.0, 0.5],    # of
    [3.0, -2.0, 1.5],    # the
    [9.0, 9.0, 9.0],     # unused: not in the texts
]))


def fitted(**kwargs):
    tokenizer = Tokenizer(**kwargs)
    tokenizer.fit_on_texts(TEXTS)
    return tokenizer


def test_embedding_tokenizer_premise():
    """The word indices the expectations below are written for (by frequency)."""
    assert fitted().word_index == {"the": 1, "of": 2, "zzqx": 3, "and": 4, "in": 5}
    assert fitted().vocab_size == 6
    assert fitted(num_words=4).vocab_size == 4


def test_embedding_rows_follow_the_indices():
    matrix, _ = embedding_matrix(fitted(), HAND, oov="zeros")
    expected = np.array([
        [0, 0, 0],          # 0: padding
        [3, -2, 1.5],       # 1: the
        [-1, 2, 0.5],       # 2: of
        [0, 0, 0],          # 3: zzqx, no vector
        [0.5, 4, 2],        # 4: and
        [1, 0, -2],         # 5: in
    ], dtype=np.float32)
    assert matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix, expected)


def test_embedding_report():
    _, report = embedding_matrix(fitted(), HAND, oov="zeros")
    assert report == {"words": 5, "found": 4, "missing": 1, "coverage": 0.8}


def test_embedding_oov_mean_is_the_mean_of_the_found_words():
    matrix, _ = embedding_matrix(fitted(), HAND, oov="mean")
    # (the + of + and + in) / 4, by hand
    np.testing.assert_allclose(matrix[3], [(3 - 1 + 0.5 + 1) / 4, (-2 + 2 + 4 + 0) / 4,
                                           (1.5 + 0.5 + 2 - 2) / 4], rtol=1e-6)
    assert not matrix[0].any()
    np.testing.assert_array_equal(matrix[1], [3, -2, 1.5])


def test_embedding_num_words_excludes_the_rarer_words():
    matrix, report = embedding_matrix(fitted(num_words=4), HAND, oov="mean")
    assert matrix.shape == (4, 3)
    np.testing.assert_array_equal(matrix[:3], [[0, 0, 0], [3, -2, 1.5], [-1, 2, 0.5]])
    # 'and' and 'in' are beyond num_words: not in the matrix, nor in the mean
    np.testing.assert_allclose(matrix[3], [(3 - 1) / 2, (-2 + 2) / 2, (1.5 + 0.5) / 2])
    assert report == {"words": 3, "found": 2, "missing": 1, "coverage": 2 / 3}


def test_embedding_oov_token_row_is_an_oov_row():
    tokenizer = fitted(num_words=4, oov_token="<OOV>")
    assert tokenizer.word_index["<OOV>"] == 1 and tokenizer.vocab_size == 4
    matrix, report = embedding_matrix(tokenizer, HAND, oov="zeros")
    np.testing.assert_array_equal(matrix, [[0, 0, 0], [0, 0, 0], [3, -2, 1.5], [-1, 2, 0.5]])
    assert report == {"words": 3, "found": 2, "missing": 1, "coverage": 2 / 3}


def test_embedding_oov_random():
    matrix, _ = embedding_matrix(fitted(), HAND, oov="random", seed=3)
    row = matrix[3]
    assert np.all(row >= -0.05) and np.all(row <= 0.05)
    assert np.count_nonzero(row) == 3
    assert len(set(row.tolist())) == 3
    assert not matrix[0].any()  # padding stays zeros
    zeros, _ = embedding_matrix(fitted(), HAND, oov="zeros")
    np.testing.assert_array_equal(np.delete(matrix, 3, axis=0), np.delete(zeros, 3, axis=0))


def test_embedding_oov_random_range_on_many_rows():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts([" ".join(f"w{i}" for i in range(200))])
    matrix, report = embedding_matrix(tokenizer, HAND, oov="random", seed=0)
    assert report["found"] == 0 and report["missing"] == 200 and report["coverage"] == 0.0
    values = matrix[1:]
    assert values.min() >= -0.05 and values.max() <= 0.05
    assert values.min() < -0.04 and values.max() > 0.04   # spread over the whole range
    assert abs(float(values.mean())) < 0.005


def test_embedding_oov_random_is_deterministic_by_seed():
    first, _ = embedding_matrix(fitted(), HAND, oov="random", seed=7)
    again, _ = embedding_matrix(fitted(), HAND, oov="random", seed=7)
    other, _ = embedding_matrix(fitted(), HAND, oov="random", seed=8)
    default, _ = embedding_matrix(fitted(), HAND)
    seed0, _ = embedding_matrix(fitted(), HAND, oov="random", seed=0)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first[3], other[3])
    np.testing.assert_array_equal(default, seed0)


def test_embedding_oov_mean_without_any_vector_found():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(["qqxv zzyw"])
    with pytest.raises(ValueError, match="oov='mean' needs at least one word"):
        embedding_matrix(tokenizer, HAND, oov="mean")


@pytest.mark.parametrize("oov", ["Random", "skip", None, ""])
def test_embedding_bad_oov(oov):
    with pytest.raises(ValueError, match="oov must be 'random', 'zeros' or 'mean'"):
        embedding_matrix(fitted(), HAND, oov=oov)


def test_embedding_with_the_real_glove_vectors(glove_path, glove_raw):
    raw = {raw_word(parts): raw_vector(parts) for parts in glove_raw[:100]}
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(["the cat of the year", "of the qqxv and the cat"])
    matrix, report = embedding_matrix(tokenizer, load_vectors(glove_path, limit=100),
                                      oov="zeros")
    assert matrix.shape == (len(tokenizer.word_index) + 1, 50)
    expected_found = 0
    for word, index in tokenizer.word_index.items():
        if word in raw:
            expected_found += 1
            np.testing.assert_array_equal(matrix[index], raw[word])
        else:
            assert not matrix[index].any()
    assert {"the", "of", "and"} <= raw.keys() and "qqxv" not in raw
    assert report["found"] == expected_found
    assert report["words"] == len(tokenizer.word_index)
