"""Downloads against a local HTTP server on 127.0.0.1: resume, atomicity, checks, errors."""
import hashlib
import io
import logging
import re
import socket
import sys
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from seqlab.data import registry
from seqlab.data.download import DownloadError, cache_dir, download, sha256_of
from seqlab.data.registry import Dataset, describe_all, fetch, info


def _small_archive() -> bytes:
    """A small .tar.gz shaped like aclImdb (a few reviews), built in memory."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for number, text in enumerate([b"A wonderful film.", b"Dull<br />and long."] * 20):
            member = tarfile.TarInfo(f"aclImdb/train/pos/{number}_9.txt")
            member.size = len(text)
            archive.addfile(member, io.BytesIO(text))
    return buffer.getvalue()


ARCHIVE = _small_archive()
DIGEST = hashlib.sha256(ARCHIVE).hexdigest()


class _State:
    """What the server serves and how it misbehaves; `ranges` records each request's Range."""

    def __init__(self):
        self.payload = ARCHIVE
        self.ignore_range = False
        self.drop_after = None     # send only this many body bytes, then close
        self.stall_after = None    # send this many body bytes, then wait for `release`
        self.status = None         # answer every request with this error status
        self.ranges = []
        self.release = threading.Event()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        state = self.server.state
        requested = self.headers.get("Range")
        state.ranges.append(requested)
        if state.status is not None:
            self.send_error(state.status)
            return
        body, start = state.payload, 0
        if requested and not state.ignore_range:
            start = int(re.fullmatch(r"bytes=(\d+)-", requested).group(1))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        rest = body[start:]
        self.send_header("Content-Length", str(len(rest)))
        self.end_headers()
        if state.stall_after is not None:
            self.wfile.write(rest[:state.stall_after])
            self.wfile.flush()
            state.release.wait(5)
        elif state.drop_after is not None:
            self.wfile.write(rest[:state.drop_after])  # HTTP/1.0: the connection then closes
        else:
            self.wfile.write(rest)

    def log_message(self, format, *args):
        pass


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # urllib would send even 127.0.0.1 through a proxy named in the environment.
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.state = _State()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/aclImdb_v1.tar.gz"
    yield httpd
    httpd.state.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _part(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def test_full_download_with_the_right_sha256(server, tmp_path):
    path = tmp_path / "sub" / "archive.tar.gz"
    result = download(server.url, path, sha256=DIGEST.upper(), expected_size=len(ARCHIVE))
    assert result == path and path.read_bytes() == ARCHIVE
    assert not _part(path).exists() and server.state.ranges == [None]
    with tarfile.open(path) as archive:
        assert len(archive.getnames()) == 40
    assert sha256_of(path) == DIGEST


def test_a_dropped_connection_keeps_the_part_and_the_next_call_resumes(server, tmp_path):
    path = tmp_path / "archive.tar.gz"
    half = len(ARCHIVE) // 2
    server.state.drop_after = half
    with pytest.raises(ConnectionError, match=rf"stopped after {half} of {len(ARCHIVE)} bytes"
                                              rf"(.|\n)*run again to resume") as error:
        download(server.url, path, sha256=DIGEST)
    assert str(_part(path)) in str(error.value)
    assert not path.exists() and _part(path).read_bytes() == ARCHIVE[:half]

    server.state.drop_after = None
    assert download(server.url, path, sha256=DIGEST).read_bytes() == ARCHIVE
    assert server.state.ranges == [None, f"bytes={half}-"]
    assert not _part(path).exists()


def test_a_server_that_ignores_range_restarts_from_zero(server, tmp_path):
    path = tmp_path / "archive.tar.gz"
    _part(path).write_bytes(ARCHIVE[:100])
    server.state.ignore_range = True
    download(server.url, path, sha256=DIGEST)
    assert path.read_bytes() == ARCHIVE  # not ARCHIVE[:100] + ARCHIVE
    assert server.state.ranges == ["bytes=100-"]


def test_a_complete_part_answered_with_416_is_verified_and_renamed(server, tmp_path):
    path = tmp_path / "archive.tar.gz"
    _part(path).write_bytes(ARCHIVE)
    download(server.url, path, sha256=DIGEST)
    assert path.read_bytes() == ARCHIVE and not _part(path).exists()
    assert server.state.ranges == [f"bytes={len(ARCHIVE)}-"]


def test_a_part_longer_than_the_file_starts_again(server, tmp_path):
    path = tmp_path / "archive.tar.gz"
    _part(path).write_bytes(ARCHIVE + b"stale tail")
    download(server.url, path)  # no digest: the server's total alone shows the part is wrong
    assert path.read_bytes() == ARCHIVE
    assert server.state.ranges == [f"bytes={len(ARCHIVE) + 10}-", None]


def test_a_sha_mismatch_deletes_the_part_and_leaves_no_file(server, tmp_path):
    path = tmp_path / "archive.tar.gz"
    server.state.payload = ARCHIVE[::-1]  # wrong bytes, right length
    wrong = hashlib.sha256(ARCHIVE[::-1]).hexdigest()
    with pytest.raises(ValueError, match=f"sha256 {wrong} where {DIGEST} was expected"
                                         ".*check the URL"):
        download(server.url, path, sha256=DIGEST)
    assert not path.exists() and not _part(path).exists()


def test_a_size_mismatch_is_reported_and_deleted(server, tmp_path):
    path = tmp_path / "archive.tar.gz"
    with pytest.raises(ValueError, match=f"{len(ARCHIVE)} bytes where 7 were expected"):
        download(server.url, path, expected_size=7)
    assert not path.exists() and not _part(path).exists()


def test_an_existing_verified_file_is_returned_without_a_request(server, tmp_path):
    path = tmp_path / "archive.tar.gz"
    path.write_bytes(ARCHIVE)
    assert download(server.url, path, sha256=DIGEST) == path
    assert download(server.url, path) == path
    assert server.state.ranges == []


def test_an_existing_file_with_the_wrong_digest_is_reported_not_replaced(server, tmp_path):
    path = tmp_path / "archive.tar.gz"
    path.write_bytes(b"something else")
    expected = (rf"{re.escape(str(path))} exists but has sha256 [0-9a-f]{{64}} "
                rf"where {DIGEST} was expected.*delete it")
    with pytest.raises(ValueError, match=expected):
        download(server.url, path, sha256=DIGEST)
    assert path.read_bytes() == b"something else" and server.state.ranges == []


def test_a_refused_connection_says_no_network_and_where_to_put_the_file(tmp_path):
    path = tmp_path / "archive.tar.gz"
    with socket.socket() as bound:  # bound but not listening: connections are refused
        bound.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{bound.getsockname()[1]}/archive.tar.gz"
        with pytest.raises(ConnectionError) as error:
            download(url, path, timeout=2)
    message = str(error.value)
    assert "no network access" in message and url in message
    assert f"place it at {path} (seqlab verifies it there)" in message
    assert "\n" not in message  # the CLI prints errors as one line
    assert not path.exists() and not _part(path).exists()  # no empty part left behind


def test_a_stalled_transfer_times_out_and_keeps_the_part(server, tmp_path):
    path = tmp_path / "archive.tar.gz"
    server.state.stall_after = 50
    with pytest.raises(ConnectionError, match=f"stopped after 50 of {len(ARCHIVE)} bytes"):
        download(server.url, path, timeout=0.2)
    assert _part(path).read_bytes() == ARCHIVE[:50] and not path.exists()


def test_an_http_error_names_the_status_and_url(server, tmp_path):
    server.state.status = 404
    with pytest.raises(DownloadError, match=rf"HTTP 404 Not Found from {re.escape(server.url)}"):
        download(server.url, tmp_path / "archive.tar.gz")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="the part file is locked on POSIX only")
def test_a_part_being_written_by_another_process_is_not_touched(server, tmp_path):
    import fcntl
    path = tmp_path / "archive.tar.gz"
    _part(path).write_bytes(b"abc")
    with open(_part(path), "ab") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(DownloadError, match="another process is downloading into"):
            download(server.url, path)
    assert _part(path).read_bytes() == b"abc" and server.state.ranges == []


def test_bad_arguments_name_the_value(tmp_path):
    with pytest.raises(ValueError, match="64 hexadecimal digits, got 'abc'"):
        download("http://127.0.0.1:9/x", tmp_path / "x", sha256="abc")
    with pytest.raises(ValueError, match="byte count .* got -1"):
        download("http://127.0.0.1:9/x", tmp_path / "x", expected_size=-1)


def test_the_progress_bar_is_drawn_only_on_a_terminal(server, tmp_path, monkeypatch, capsys):
    download(server.url, tmp_path / "quiet.tar.gz")
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    download(server.url, tmp_path / "shown.tar.gz")
    assert "shown.tar.gz" in capsys.readouterr().err
    download(server.url, tmp_path / "off.tar.gz", progress=False)
    assert capsys.readouterr().err == ""


def test_seqlab_data_sets_the_cache_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQLAB_DATA", str(tmp_path / "store"))
    assert cache_dir() == tmp_path / "store" and (tmp_path / "store").is_dir()
    monkeypatch.delenv("SEQLAB_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "seqlab"


def _local(server, **changes) -> Dataset:
    fields = dict(name="tiny", url=server.url, filename="tiny.tar.gz", sha256=DIGEST,
                  size=len(ARCHIVE), description="a tiny test archive", citation="nobody",
                  license="none")
    return Dataset(**{**fields, **changes})


def test_fetch_and_info_for_a_registered_dataset(server, tmp_path, monkeypatch):
    monkeypatch.setenv("SEQLAB_DATA", str(tmp_path))
    monkeypatch.setitem(registry.DATASETS, "tiny", _local(server))
    text = info("tiny")
    assert DIGEST in text and f"{len(ARCHIVE):,} bytes" in text and server.url in text
    assert str(tmp_path / "tiny.tar.gz") in text and "cached:   no" in text
    assert ("tiny", "a tiny test archive", False) in describe_all()

    path = fetch("tiny", progress=False)
    assert path == tmp_path / "tiny.tar.gz" and path.read_bytes() == ARCHIVE
    assert "cached:   yes" in info("tiny") and ("tiny", "a tiny test archive", True) \
        in describe_all()
    assert fetch("tiny") == path and server.state.ranges == [None]


def test_fetch_logs_the_digest_it_found_when_none_is_pinned(server, tmp_path, caplog):
    dataset = _local(server, sha256=None, size=None)
    with caplog.at_level(logging.WARNING, logger="seqlab"):
        path = fetch(dataset, directory=tmp_path / "elsewhere")
    assert path == tmp_path / "elsewhere" / "tiny.tar.gz" and path.read_bytes() == ARCHIVE
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert DIGEST in caplog.text and "pin" in caplog.text
    assert "sha256:   not pinned" in info(dataset, directory=tmp_path / "elsewhere")
    assert f"sha256 {DIGEST}" in info(dataset, directory=tmp_path / "elsewhere")


def test_fetch_of_an_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown dataset 'imbd' \(did you mean 'imdb'\?\); "
                                         r"known datasets: imdb, jena, lyrics, sarcasm"):
        fetch("imbd")


def test_registry_entries_are_consistent():
    for name, dataset in registry.DATASETS.items():
        assert dataset.name == name and dataset.url.startswith("https://")
        assert dataset.url.rsplit("/", 1)[1] == dataset.filename
        assert (dataset.sha256 is None) or re.fullmatch(r"[0-9a-f]{64}", dataset.sha256)
    assert registry.DATASETS["imdb"].size == 84125825

