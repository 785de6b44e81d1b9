"""Downloads that never leave a half-written file where a complete one is expected.

Bytes go to ``<path>.part``; an interrupted download keeps that file and the next call
resumes it with an HTTP ``Range`` request. Only a part that has the size the server
announced, and the expected size and sha256 when they are given, is renamed to `path`
(``os.replace``, atomic), so a file at `path` is always complete. On POSIX the part file is
locked while it is written, so two processes never write into the same part.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import re
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; a file must be closed to be renamed.
    fcntl = None

_CHUNK = 1 << 20
_USER_AGENT = "seqlab (Python urllib)"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-\d+/(\d+|\*)")
_UNSATISFIED_RANGE = re.compile(r"bytes\s+\*/(\d+)")


class DownloadError(OSError):
    """A download failed although the network works: an HTTP error status, a server that
    answers a resumed request inconsistently, or another process writing the same file."""


def cache_dir() -> Path:
    """Where datasets are kept: ``$SEQLAB_DATA`` if set, else ``~/.cache/seqlab`` (created)."""
    directory = _cache_root()
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _cache_root() -> Path:
    """`cache_dir` without creating it (for reports that must not touch the disk)."""
    configured = os.environ.get("SEQLAB_DATA")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "seqlab"


def sha256_of(path) -> str:
    """The hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def download(url: str, path, sha256: str | None = None, expected_size: int | None = None,
             progress: bool = True, timeout: float = 30) -> Path:
    """Download `url` to `path` and return `path`.

    If `path` exists and matches `sha256` and `expected_size` (those given), it is returned
    without any network access; if it exists and does not match, a ValueError says so and
    the file is left alone. Otherwise the bytes go to ``<path>.part`` (resumed if present)
    and the part is renamed to `path` once complete and verified; a part that fails the
    check is deleted. A progress bar (bytes, speed, ETA) goes to stderr when `progress`
    is true and stderr is a terminal. `timeout` (seconds) applies to connecting and to each
    read.

    Raises ConnectionError when the server cannot be reached or the transfer breaks (the
    part is kept for the next call), DownloadError for an HTTP error status, ValueError
    for a size or digest mismatch.
    """
    path = Path(path)
    expected_digest = _normalized_sha256(sha256)
    if expected_size is not None and (not isinstance(expected_size, int) or expected_size < 0):
        raise ValueError(f"expected_size must be a byte count (int >= 0), got {expected_size!r}")
    if path.exists():
        return _checked_existing(path, url, expected_digest, expected_size)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    file = _open_locked(part)
    try:
        if path.exists() or not _same_file(file, part):
            # Another process finished this download just before we opened the part.
            _discard_if_empty(file, part)
            file.close()
            return download(url, path, expected_digest, expected_size, progress, timeout)
        _transfer(url, file, part, path, timeout, progress)
        problems = _mismatches(part, expected_digest, expected_size)
        if fcntl is None:
            file.close()
        if problems:
            part.unlink()
            raise ValueError(
                f"the download of {url} has {' and '.join(problems)}. The downloaded file was "
                f"deleted. Run again to retry; if it fails again the file at the URL has "
                f"changed or the URL is wrong: check the URL (and the digest you expect).")
        os.replace(part, path)
    except BaseException:
        _discard_if_empty(file, part)
        raise
    finally:
        file.close()
    return path


def _normalized_sha256(sha256):
    if sha256 is None:
        return None
    digest = str(sha256).strip().lower()
    if not _SHA256.fullmatch(digest):
        raise ValueError(f"sha256 must be 64 hexadecimal digits, got {sha256!r}")
    return digest


def _checked_existing(path, url, sha256, expected_size) -> Path:
    problems = _mismatches(path, sha256, expected_size)
    if problems:
        raise ValueError(
            f"{path} exists but has {' and '.join(problems)}. If it is a stale or damaged "
            f"copy, delete it and seqlab will download {url} again; if you placed it there "
            f"yourself, check that it is the file from that URL.")
    return path


def _mismatches(path, sha256, expected_size) -> list[str]:
    """How the file at `path` differs from what is expected, as phrases ([] if it does not)."""
    problems = []
    size = path.stat().st_size
    if expected_size is not None and size != expected_size:
        problems.append(f"{size} bytes where {expected_size} were expected")
    if sha256 is not None:
        received = sha256_of(path)
        if received != sha256:
            problems.append(f"sha256 {received} where {sha256} was expected")
    return problems


def _open_locked(part: Path):
    """Open `part` for appending, locked against other processes (POSIX only)."""
    file = open(part, "ab")
    if fcntl is not None:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            raise DownloadError(f"another process is downloading into {part}: wait for it to "
                                f"finish, or stop it and run again (the download resumes)") \
                from None
    return file


def _discard_if_empty(file, part: Path) -> None:
    """After a failure: keep the bytes received for the resume, but leave no empty part."""
    if file.closed:
        return
    file.flush()
    if _same_file(file, part) and os.fstat(file.fileno()).st_size == 0:
        if fcntl is None:
            file.close()
        part.unlink()  # on POSIX while still holding the lock


def _same_file(file, part: Path) -> bool:
    """Whether the open `file` is still the one named `part` (not renamed meanwhile)."""
    try:
        return os.path.samestat(os.fstat(file.fileno()), os.stat(part))
    except FileNotFoundError:
        return False


def _transfer(url, file, part, path, timeout, progress) -> None:
    """Append the rest of `url` to the open part `file`, restarting from 0 when the server
    cannot resume. Returns once the part holds every byte the server announced."""
    for _attempt in range(3):
        offset = os.fstat(file.fileno()).st_size
        response = _request(url, offset, timeout, path)
        with response:
            status = getattr(response, "status", None) or 200  # file:// URLs have no status
            if status == 416:
                # Nothing left to send from `offset`: the part is complete, unless the
                # server's total says it is longer than the file (then start again).
                match = _UNSATISFIED_RANGE.match(response.headers.get("Content-Range", ""))
                if match is None or int(match.group(1)) == offset:
                    return
                file.truncate(0)
                continue
            start, total = _start_and_total(response, status)
            if start != offset:
                file.truncate(0)
                if start != 0:  # a range we did not ask for: ask again for everything
                    continue
            _copy(response, file, url, part, start, total, progress)
            return
    raise DownloadError(f"{url} answered a resumed download inconsistently three times; "
                        f"delete {part} and run again")


def _request(url, offset, timeout, path):
    headers = {"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                      timeout=timeout)
    except urllib.error.HTTPError as error:
        if error.code == 416 and offset:
            return error  # handled by the caller: the part may already be complete
        error.close()
        raise DownloadError(
            f"HTTP {error.code} {error.reason} from {url}: check the URL. If the file has "
            f"moved, download it yourself and place it at {path} (seqlab will verify it)") \
            from None
    except urllib.error.URLError as error:
        if not isinstance(error.reason, OSError):  # e.g. an unknown URL scheme
            raise DownloadError(f"cannot download {url}: {error.reason}") from None
        raise _no_network(url, path, error.reason) from None
    except (OSError, http.client.HTTPException) as error:
        raise _no_network(url, path, error) from None


def _no_network(url, path, reason) -> ConnectionError:
    return ConnectionError(
        f"cannot reach {url} ({_reason(reason)}): this machine seems to have "
        f"no network access, or the server is down or blocked; you can download the file "
        f"on another machine and place it at {path} (seqlab verifies it there)")


def _start_and_total(response, status):
    """The offset the body starts at and the full file size (None when not announced)."""
    length = response.headers.get("Content-Length")
    if status != 206:
        return 0, int(length) if length is not None else None
    match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
    if match is None:
        return None, None
    start, total = int(match.group(1)), match.group(2)
    if total != "*":
        return start, int(total)
    return start, start + int(length) if length is not None else None


def _copy(response, file, url, part, done, total, progress) -> None:
    # read1 returns what has arrived, so a stall keeps every byte received before it.
    read = getattr(response, "read1", response.read)
    with _progress_bar(progress, Path(part).name[:-len(".part")], done, total) as advance:
        while True:
            try:
                block = read(_CHUNK)
            except (OSError, http.client.HTTPException) as error:
                raise _broken(url, part, done, total, error) from None
            if not block:
                break
            file.write(block)
            done += len(block)
            advance(len(block))
    file.flush()
    os.fsync(file.fileno())
    # http.client ends a body cut short without an error: compare with what was announced.
    if total is not None and done != total:
        raise _broken(url, part, done, total, "the connection closed early")


def _broken(url, part, done, total, reason) -> ConnectionError:
    of_total = f" of {total}" if total is not None else ""
    return ConnectionError(
        f"the download of {url} stopped after {done}{of_total} bytes ({_reason(reason)}). "
        f"The bytes so far are kept in {part}; run again to resume from there.")


def _reason(error) -> str:
    """An exception as text, even when its message is empty (some timeouts)."""
    return str(error) or type(error).__name__


@contextmanager
def _progress_bar(enabled, description, completed, total):
    """Yield ``advance(n_bytes)``, drawing a rich bar on stderr if enabled and a terminal."""
    if not (enabled and sys.stderr is not None and sys.stderr.isatty()):
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                               TimeRemainingColumn, TransferSpeedColumn)
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(description, total=total, completed=completed)
        yield lambda n: bar.advance(task, n)
