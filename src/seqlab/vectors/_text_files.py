"""Reading vector files in text form: GloVe (``word v1 ... vN`` per line, no header) and
word2vec text (a first line ``count dimension``, then the same), told apart by the first
line."""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from ._keyed import KeyedVectors

logger = logging.getLogger("seqlab")


def load_vectors(path, limit=None, unicode_errors="backslashreplace") -> KeyedVectors:
    """Read GloVe or word2vec text vectors; `limit` reads only the first N words.

    A line with the wrong number of values (e.g. the last line of a file that was cut
    short) raises a ValueError naming the line, so no vector is ever silently truncated;
    so does a word2vec file with fewer lines than its header announces.

    Words are UTF-8. Some published files hold a few words that are not (GloVe 6B has
    single Windows-1252 bytes such as ``\\x96``); by default such bytes are kept as
    ``\\x96`` escapes, which no tokenized text can contain, so those words are simply
    never looked up. ``unicode_errors="strict"`` raises instead. A word listed twice keeps
    its first vector (a warning on the ``"seqlab"`` logger counts the repeats).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such vectors file")
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
                                 f"line has {dimension} (a truncated file? read fewer lines "
                                 f"with limit={len(words)})")
            try:
                vector = np.array(parts[1:], dtype=np.float32)
            except ValueError:
                raise ValueError(f"{path} line {number}: the values of {parts[0]!r} are not "
                                 "all numbers") from None
            if parts[0] in seen:
                repeats += 1
                continue
            seen.add(parts[0])
            words.append(parts[0])
            rows.append(vector)
    if not words:
        raise ValueError(f"{path} holds no vectors")
    if announced is not None and limit is None and len(words) + repeats < announced:
        raise ValueError(f"{path}: the header announces {announced} words but the file holds "
                         f"{len(words) + repeats} (a truncated file? read them with "
                         f"limit={len(words)})")
    if repeats:
        logger.warning("%s: %d words appear more than once; the first vector of each is kept",
                       path, repeats)
    return KeyedVectors(words, np.stack(rows))


def _decode(raw: bytes, number: int, path: Path, errors: str) -> str:
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark
        raw = raw[3:]
    try:
        return raw.decode("utf-8", errors=errors)
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} line {number}: bytes {raw[error.start:error.end]!r} are not "
                         "UTF-8 (pass unicode_errors='backslashreplace' to keep them as "
                         "escapes)") from None
