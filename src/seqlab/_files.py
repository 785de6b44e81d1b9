"""Writing files so that a crash or a bad value never leaves a half-written one behind."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

# mkstemp creates files readable by the owner only; finished files get the usual
# permissions instead (0o666 minus the umask), read once here.
_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomically(path, write: Callable, mode: str = "wb") -> Path:
    """Call ``write(file)`` on a temporary file next to `path`, then rename it into place.

    The rename is atomic on POSIX and Windows, so `path` holds either its old
    content or the complete new one. Returns the path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(handle, mode, encoding=encoding) as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
            os.chmod(file.fileno(), 0o666 & ~_UMASK)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
