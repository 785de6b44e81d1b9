"""Plain-text corpora: one document per line, UTF-8."""
from __future__ import annotations

from typing import BinaryIO, Iterator


def text_lines(file: BinaryIO, name: str) -> Iterator[str]:
    """The lines of a UTF-8 file opened in binary mode, without their line ends.

    ``\\n`` and ``\\r\\n`` both end a line; a final line end adds no empty line.
    Invalid UTF-8 raises a ValueError naming the file, line and byte.
    """
    for number, raw in enumerate(file, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(f"{name} line {number}: not valid UTF-8 (byte "
                             f"{raw[error.start:error.start + 1]!r} at column {error.start + 1}); "
                             "convert the file to UTF-8 first, e.g. iconv -t UTF-8") from None
        if line.endswith("\n"):
            line = line[:-2] if line.endswith("\r\n") else line[:-1]
        yield line
