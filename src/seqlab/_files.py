"""Files in and out: one UTF-8 text reader for every path, and writes that a crash or a
bad value never leaves half-done.

Reading: `read_text` (a whole file), `text_lines` (a file line by line) and `decode_utf8`
(bytes from elsewhere, e.g. an archive member) are the only places seqlab decodes text.
All three drop a leading UTF-8 byte-order mark and refuse anything that is not UTF-8 with
one message naming the file, the line and the fix.

Writing: `write_atomically` writes a file under a temporary name next to it (carrying
the writer's process id) and renames it into place. A process killed mid-write leaves
that temporary file behind: `remove_leftovers` (run by every atomic write and run folder
save, before writing) deletes the leftovers of dead processes next to the target.
"""
from __future__ import annotations

import codecs
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterator

# mkstemp creates files readable by the owner only; finished files get the usual
# permissions instead (0o666 minus the umask), read once here.
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK
FOLDER_MODE = 0o777 & ~_UMASK

_BOM = codecs.BOM_UTF8


# ------------------------------------------------------------------------------ reading

def read_text(path, what: str = "text") -> str:
    """The whole of a UTF-8 file as text, without a leading byte-order mark.

    FileNotFoundError for a missing file (or a folder), ValueError naming the line of the
    first byte that is not UTF-8. `what` names the expected content in those messages.
    """
    path = Path(os.fspath(path))
    if not path.is_file():
        raise FileNotFoundError(f"{path} {_state(path)}: pass the path of a {what} file")
    return decode_utf8(path.read_bytes(), str(path))


def _state(path: Path) -> str:
    if path.is_dir():
        return "is a folder, not a file"
    return "is not a regular file" if path.exists() else "does not exist"


def decode_utf8(data: bytes, name: str, line: int | None = None, errors: str = "strict",
                unit: str = "line", hint: str = "") -> str:
    """`data` decoded as UTF-8 without a leading byte-order mark; ValueError naming `name`
    (and the line, or the `unit` numbered `line`, when `data` is one line or record of a
    file) otherwise. `errors` is Python's (``"replace"`` keeps going); `hint` is added to
    the fix in the message."""
    if data.startswith(_BOM) and line in (None, 1) and unit == "line":
        data = data[len(_BOM):]
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as error:
        raise not_utf8(name, data, error.start, line, unit, hint) from None


def text_lines(source, name: str | None = None) -> Iterator[str]:
    """The lines of a UTF-8 text, without their line ends or a leading byte-order mark.

    `source` is a path, or a file opened in binary mode (e.g. ``sys.stdin.buffer``), or
    in text mode; `name` names it in errors (default: the path or the file's name).
    ``\\n`` and ``\\r\\n`` both end a line; a final line end adds no empty line. A line
    that is not UTF-8 raises a ValueError naming the file, the line and the fix.
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(os.fspath(source))
        if not path.is_file():
            raise FileNotFoundError(f"{path} {_state(path)}: pass a UTF-8 text file")
        with open(path, "rb") as file:
            yield from text_lines(file, name or str(path))
        return
    name = name or str(getattr(source, "name", "<text>"))
    for number, raw in enumerate(source, start=1):
        line = raw if isinstance(raw, str) else decode_utf8(raw, name, number)
        if number == 1:
            line = line.removeprefix("\ufeff")
        if line.endswith("\n"):
            line = line[:-2] if line.endswith("\r\n") else line[:-1]
        yield line


def not_utf8(name: str, data: bytes, at: int, line: int | None = None, unit: str = "line",
             hint: str = "") -> ValueError:
    """The one error for text that is not UTF-8: the file, where, the byte and the fix.
    `at` is the offset of the bad byte in `data`; `line` the number of the line (or
    `unit`) that `data` is, or None when `data` is the whole file."""
    byte = data[at:at + 1]
    if line is None:
        line = data.count(b"\n", 0, at) + 1
        column = at - (data.rfind(b"\n", 0, at) + 1) + 1
    else:
        column = at + 1
    where = f"line {line}, column {column}" if unit == "line" else f"{unit} {line}, byte {column}"
    if b"\x00" in data[:8192]:
        fix = ("it looks like a binary file, not text: pass the text file itself (UTF-8, "
               "one text per line)")
    else:
        fix = ("convert the file to UTF-8 first, e.g. iconv -f LATIN1 -t UTF-8 FILE > "
               "FILE.utf8 (or save it as UTF-8 from your editor)")
    return ValueError(f"{name} {where}: byte {byte!r} is not UTF-8: {fix}{hint}")


# ------------------------------------------------------------------------------ writing

def write_atomically(path, write: Callable, mode: str = "wb") -> Path:
    """Call ``write(file)`` on a temporary file next to `path`, then rename it into place.

    The rename is atomic on POSIX and Windows, so `path` holds either its old
    content or the complete new one. Returns the path written.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder: pass a file name to write to")
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=temporary_prefix(path),
                                         suffix=".tmp")
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(handle, mode, encoding=encoding) as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
            os.chmod(file.fileno(), FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def temporary_prefix(path: Path) -> str:
    """``.NAME.PID.``: the start of the temporary names used while writing `path`."""
    return f".{path.name}.{os.getpid()}."


def remove_leftovers(path: Path) -> list:
    """Delete what killed writers left next to `path`: ``.NAME.PID.XXXX.tmp`` files and
    folders (and ``.NAME.PID.old`` backups) of processes no longer running, and the
    ``.NAME.XXXX.tmp`` of seqlab versions before the process id was added. Returns the
    paths removed. Leftovers of a running process (a save in progress) are kept."""
    path = Path(path)
    if not path.parent.is_dir():
        return []
    start = re.escape(f".{path.name}.")
    pattern = re.compile(start + r"(?:(\d+)\.)?[a-z0-9_]+\.tmp|" + start + r"(\d+)\.old")
    removed = []
    for entry in path.parent.iterdir():
        match = pattern.fullmatch(entry.name)
        pid = match and (match[1] or match[2])
        if not match or (pid and process_running(int(pid))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def process_running(pid: int) -> bool:
    """Whether process `pid` may still be writing (when unsure: yes)."""
    if pid == os.getpid() or os.name == "nt":  # on Windows os.kill(pid, 0) would kill it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: leave its files alone
    return True
