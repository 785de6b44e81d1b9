"""Reading and writing vector files: GloVe text, word2vec text and word2vec binary.

The three formats, byte by byte (words are UTF-8; ``dim`` is the vector size):

GloVe text
    One line per word and no header: the word, then ``dim`` decimal numbers, each after a
    single space, then ``\\n`` (``the 0.418 0.24968 ... -0.78581\\n``). The last line may
    lack its ``\\n``.
word2vec text
    A first line ``count dim\\n`` in ASCII decimal (``400000 300\\n``), then ``count`` lines
    as in GloVe text.
word2vec binary
    The same ASCII header line, then ``count`` records, each: the word's bytes, one space
    (0x20), ``dim`` float32 values in little-endian order (``4 * dim`` raw bytes), and
    usually a ``\\n`` (the original C tool and gensim write it; some writers do not, so a
    reader skips any ``\\n`` before a word). A word therefore cannot hold a space, and the
    raw values may hold any byte, ``\\n`` included.

Which of the three a file is (``detect_vector_format``): without a ``count dim`` header
it is GloVe text (a binary file always has one). After the header, the first two record
lines decide (a line is the bytes up to a ``\\n``; empty lines are skipped): the file is
text if each reads as a word followed only by numbers written in ASCII (``-0.418``,
``1e-08``, ``nan``), binary otherwise. Raw float32 bytes practically never read so twice:
a negative value's last byte is 0x80 or more, a zero's are 0x00, and any byte other than a
digit, sign, ``.``, ``e`` or space spoils the reading before the 0x0A that ends the "line".
How many numbers a text line holds is left to the text reader, whose error names the line.
"""
from __future__ import annotations

import logging
import mmap
import numbers
import re
from pathlib import Path

import numpy as np

from .._files import decode_utf8, write_atomically
from ._keyed import KeyedVectors, checked_dtype

logger = logging.getLogger("seqlab")

FORMATS = ("word2vec", "glove")

_BYTE_ORDER_MARK = b"\xef\xbb\xbf"
_HEADER = re.compile(rb"(\d+) (\d+)")
_NUMBER = re.compile(rb"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)",
                     re.IGNORECASE)
_PROBE_BYTES = 1 << 20    # detection reads this much: a text line of 300 values is ~4 KB
_HEADER_BYTES = 4096      # a header line is never longer
_NEWLINE = 0x0A


# ---------------------------------------------------------------------------- loading

def load_vectors(path, limit=None, unicode_errors="backslashreplace", binary=None,
                 dtype="float32") -> KeyedVectors:
    """Read GloVe text, word2vec text or word2vec binary vectors; `limit` reads only the
    first N words.

    `binary` None detects the format (see the module's docstring); True or False forces
    word2vec binary or text. `dtype` "float16" stores the vectors in half the memory (the
    float32 values rounded to float16; one beyond float16's range, 65504, is an error); the
    default is "float32".

    A line or record cut short (e.g. the end of a partial download) raises a ValueError
    naming the line or record, and the ``limit=`` that reads the complete words before it,
    so no vector is ever silently truncated; so does a word2vec file with fewer words than
    its header announces.

    Words are UTF-8. Some published files hold a few words that are not (GloVe 6B has
    single Windows-1252 bytes such as ``\\x96``); by default such bytes are kept as
    ``\\x96`` escapes, which no tokenized text can contain, so those words are simply
    never looked up. ``unicode_errors="strict"`` raises instead. A word listed twice keeps
    its first vector (a warning on the ``"seqlab"`` logger counts the repeats).
    """
    path = Path(path)
    storage = checked_dtype(dtype)  # a bad value fails before the file is read
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, numbers.Integral)
                              or limit < 1):
        raise ValueError(f"limit must be None (every word) or a whole number >= 1 (the first "
                         f"N words), got limit={limit!r}")
    if binary not in (None, True, False):
        raise ValueError(f"binary must be None (detect), True or False, got {binary!r}")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such vectors file")
    forced = binary is not None
    if not forced:
        binary = detect_vector_format(path)[1]
    reader = _read_binary if binary else _read_text
    try:
        words, rows = reader(path, limit, unicode_errors)
    except ValueError as error:
        if not forced or detect_vector_format(path)[1] == binary:
            raise
        # Reading with the wrong format fails somewhere inside the file: say what it is.
        looks = "text" if binary else "binary word2vec"
        raise ValueError(f"{error} (the file looks like {looks}: pass binary={not binary}, "
                         "or leave binary=None to detect the format)") from None
    try:
        return KeyedVectors(words, rows, dtype=storage)
    except ValueError as error:  # values beyond float16's range
        raise ValueError(f"{path}: {error}") from None


def detect_vector_format(path) -> tuple:
    """``(format, binary)`` of a vectors file, as ``save_vectors`` takes them:
    ``("glove", False)``, ``("word2vec", False)`` or ``("word2vec", True)``.

    Reads at most the first MiB; the rule is in the module's docstring.
    """
    with open(path, "rb") as file:
        probe = file.read(_PROBE_BYTES)
        whole_file = not file.read(1)
    header_line, _, body = probe.partition(b"\n")
    header = _parse_header(header_line)
    if header is None:
        return ("glove", False)
    if not whole_file:
        body = _without_partial_value(body)
    first, second = _first_lines(body)
    return ("word2vec", _records_look_binary(first, second))


def _first_lines(body: bytes) -> tuple:
    """The first two non-empty lines of `body` (b"" for a missing one)."""
    first, _, rest = body.lstrip(b"\n").partition(b"\n")
    second, _, _ = rest.lstrip(b"\n").partition(b"\n")
    return first, second


def _records_look_binary(first: bytes, second: bytes) -> bool:
    """Whether the first two record lines (`second` empty if there is none) are not text."""
    if not first:
        return False  # no record at all: read as text, which reports the empty file
    return not _reads_as_text(first) or bool(second) and not _reads_as_text(second)


def _reads_as_text(line: bytes) -> bool:
    """Whether `line` reads as a text record: a word, then numbers written in ASCII (how
    many is left to the reader, whose error names the line)."""
    _, _, rest = line.rstrip(b"\r ").partition(b" ")
    values = [value for value in rest.split(b" ") if value]
    return bool(values) and all(_NUMBER.fullmatch(value) for value in values)


def _without_partial_value(body: bytes) -> bytes:
    """`body` cut at its last space or newline: the probe may end inside a number."""
    return body[:max(body.rfind(b" "), body.rfind(b"\n"), 0)]


def _parse_header(line: bytes):
    """``(count, dim)`` if `line` is a word2vec header, else None."""
    if line.startswith(_BYTE_ORDER_MARK):
        line = line[len(_BYTE_ORDER_MARK):]
    match = _HEADER.fullmatch(line.rstrip(b"\r\n").rstrip(b" "))
    return (int(match[1]), int(match[2])) if match else None


def _read_text(path: Path, limit, unicode_errors: str):
    """The words and float32 rows of a GloVe or word2vec text file."""
    words, rows, seen = [], [], set()
    dimension, announced, repeats = None, None, 0
    with open(path, "rb") as file:
        for number, raw in enumerate(file, start=1):
            if limit is not None and len(words) >= limit:
                break
            line = _decode(raw, number, path, unicode_errors)
            parts = line.rstrip("\r\n").rstrip(" ").split(" ")
            if number == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
                announced, dimension = int(parts[0]), int(parts[1])  # word2vec's header
                continue
            if len(parts) < 2:
                raise ValueError(f"{path} line {number}: expected a word and its values, "
                                 f"got {line[:60]!r}")
            if dimension is None:
                dimension = len(parts) - 1
            if len(parts) - 1 != dimension:
                raise ValueError(f"{path} line {number}: {len(parts) - 1} values where every "
                                 f"line has {dimension}" + _cut_hint(len(words), "fewer lines"))
            try:
                vector = np.array(parts[1:], dtype=np.float32)
            except ValueError:
                raise ValueError(f"{path} line {number}: the values of {parts[0]!r} are not "
                                 "all numbers") from None
            if not np.isfinite(vector).all():
                raise _not_finite(path, f"line {number}", parts[0], vector)
            if parts[0] in seen:
                repeats += 1
                continue
            seen.add(parts[0])
            words.append(parts[0])
            rows.append(vector)
    if not words:
        raise ValueError(f"{path} holds no vectors")
    if announced is not None and limit is None and len(words) + repeats < announced:
        raise _fewer_than_announced(path, announced, len(words) + repeats, len(words))
    _warn_repeats(path, repeats)
    return words, np.stack(rows)


def _read_binary(path: Path, limit, unicode_errors: str):
    """The words and float32 rows of a word2vec binary file.

    The file is memory-mapped (a 400k x 300 file is 480 MB; the page cache holds it, not
    a copy) and walked with ``find``: each vector is one ``np.frombuffer`` on its
    ``4 * dim`` bytes, so no Python code runs per value.
    """
    with open(path, "rb") as file:
        header_line = file.readline(_HEADER_BYTES)
        if not header_line:
            raise ValueError(f"{path} holds no vectors")
        count, dimension = _binary_header(header_line, path)
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            words, rows, repeats = _binary_records(data, len(header_line), count, dimension,
                                                   limit, path, unicode_errors)
    if not words:
        raise ValueError(f"{path} holds no vectors")
    if limit is None and len(words) + repeats < count:
        raise _fewer_than_announced(path, count, len(words) + repeats, len(words))
    _warn_repeats(path, repeats)
    return words, rows


def _binary_header(line: bytes, path: Path) -> tuple:
    header = _parse_header(line)
    if header is None or not line.endswith(b"\n"):
        raise ValueError(f"{path} line 1: a word2vec binary file starts with a line "
                         f"'count dimension', got {line[:60]!r}")
    if header[1] == 0 and header[0]:
        raise ValueError(f"{path} line 1: the header announces vectors of 0 values")
    return header


def _binary_records(data, position: int, count: int, dimension: int, limit, path: Path,
                    unicode_errors: str) -> tuple:
    """``(words, rows, repeats)`` from the records that start at `data[position]`."""
    value_bytes, size = 4 * dimension, len(data)
    wanted = count if limit is None else max(min(count, limit), 0)
    # The shortest record is a 1-byte word, its space and its values: a header that
    # announces more cannot make this allocate more than the file can hold.
    capacity = min(wanted, (size - position) // (value_bytes + 2))
    rows = np.empty((capacity, dimension), dtype=np.float32)
    words, seen, repeats = [], set(), 0
    for number in range(1, count + 1):
        if len(words) >= wanted:
            break
        while position < size and data[position] == _NEWLINE:
            position += 1  # the newline that ends the previous record (or the header)
        if position == size:
            break  # no more records: fewer than announced, which the caller reports
        space = data.find(b" ", position)
        if space < 0:
            raise ValueError(f"{path} record {number}: the file ends in the middle of the "
                             f"word {data[position:position + 60]!r}"
                             + _cut_hint(len(words), "the complete words"))
        word = _decode(data[position:space], number, path, unicode_errors, unit="record")
        position = space + 1 + value_bytes
        if position > size:
            raise ValueError(f"{path} record {number} ({word!r}): the file ends after "
                             f"{size - space - 1} of its {value_bytes} value bytes"
                             + _cut_hint(len(words), "the complete words"))
        if word in seen:
            repeats += 1
            continue
        seen.add(word)
        # A slice (a copy) rather than a view: a view would pin the mmap open.
        rows[len(words)] = np.frombuffer(data[space + 1:position], dtype="<f4")
        words.append(word)
    rows = rows[:len(words)]
    finite = np.isfinite(rows).all(axis=1)
    if not finite.all():
        first = int(np.argmin(finite))
        raise _not_finite(path, "(binary word2vec)", words[first], rows[first])
    return words, rows, repeats


def _not_finite(path, where, word, vector) -> ValueError:
    bad = vector[~np.isfinite(vector)][0]
    return ValueError(f"{path} {where}: the vector of {word!r} holds {bad} (NaN or infinity "
                      "is not a coordinate: similarities with it would all be nan); fix or "
                      "drop that line")


def _fewer_than_announced(path: Path, announced: int, held: int, complete: int) -> ValueError:
    return ValueError(f"{path}: the header announces {announced} words but the file holds "
                      f"{held}" + _cut_hint(complete, "them"))


def _cut_hint(complete: int, what: str) -> str:
    """The end of a truncation error: the `limit=` that reads the words before it (none
    when not one word is whole: limit counts from 1)."""
    if complete < 1:
        return " (a truncated or damaged file: not one word before it is whole)"
    return f" (a truncated file? read {what} with limit={complete})"


def _warn_repeats(path: Path, repeats: int) -> None:
    if repeats:
        logger.warning("%s: %d words appear more than once; the first vector of each is kept",
                       path, repeats)


def _decode(raw: bytes, number: int, path: Path, errors: str, unit="line") -> str:
    """A text line or a binary record's word as UTF-8; `number` names it in errors."""
    return decode_utf8(raw, str(path), number, errors, unit, hint=(
        " (or pass unicode_errors='backslashreplace' to keep them as escapes)"))


# ---------------------------------------------------------------------------- saving

def save_vectors(vectors, path, format="word2vec", binary=False) -> Path:
    """Write `vectors` (a KeyedVectors) as word2vec text (the default), word2vec binary
    (``binary=True``) or GloVe text (``format="glove"``); the formats are described in the
    module's docstring. Returns the path written.

    Text values are the shortest decimals that read back as the same float32 (``0.418``,
    not ``0.41800001``), so a save and a load give bit-identical vectors; float16 vectors
    are written as their float32 values. The file is written under a temporary name next to
    `path` and renamed at the end, so `path` never holds a half-written file.

    A word that is empty or holds a space or a line break cannot be written in these
    formats: ValueError naming it, before anything is written.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be {' or '.join(map(repr, FORMATS))}, got {format!r}")
    if binary and format != "word2vec":
        raise ValueError("binary=True needs format='word2vec': GloVe files are text only")
    encoded = [_encode_word(word) for word in vectors.index_to_key]
    matrix = np.asarray(vectors.vectors, dtype="<f4")  # float16 is written as float32
    record = _binary_record if binary else _text_record

    def write(file):
        if format == "word2vec":
            file.write(f"{matrix.shape[0]} {matrix.shape[1]}\n".encode("ascii"))
        for word, row in zip(encoded, matrix):
            file.write(record(word, row))

    return write_atomically(path, write)


def _encode_word(word: str) -> bytes:
    if not word or any(separator in word for separator in " \n\r"):
        raise ValueError(f"the word {word!r} cannot be written to a vectors file: words are "
                         "separated by spaces and line breaks, and cannot be empty")
    try:
        # surrogateescape gives back the original bytes of words read with
        # unicode_errors="surrogateescape".
        return word.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:
        raise ValueError(f"the word {word!r} cannot be written as UTF-8") from None


def _text_record(word: bytes, row: np.ndarray) -> bytes:
    """``word v1 ... vN\\n``; str() of a float32 is its shortest round-tripping decimal."""
    return word + b" " + " ".join(map(str, row)).encode("ascii") + b"\n"


def _binary_record(word: bytes, row: np.ndarray) -> bytes:
    """``word``, a space, the little-endian float32 bytes, ``\\n``."""
    return word + b" " + row.tobytes() + b"\n"
