"""Plain-text corpora: one document per line, UTF-8 (the reader is seqlab's one UTF-8
reader, `seqlab._files.text_lines`: a byte-order mark is dropped, invalid bytes named)."""
from __future__ import annotations

from .._files import text_lines

__all__ = ["text_lines"]
