"""seqlab datasets list|info|download, downloads from a local HTTP server on 127.0.0.1."""
import hashlib
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from seqlab.cli import main
from seqlab.data import registry
from seqlab.data.registry import Dataset

NAMES = ["imdb", "jena", "lyrics", "sarcasm"]
PAYLOAD = b"one lyric line\nanother lyric line\n" * 100
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture(autouse=True)
def _environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COLUMNS", "200")  # rich tables: one line per row
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "SEQLAB_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    # never the user's cache; urllib would send 127.0.0.1 through a proxy in the environment
    monkeypatch.setenv("SEQLAB_DATA", str(tmp_path / "cache"))
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        if self.server.status is not None:
            self.send_error(self.server.status)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        self.wfile.write(PAYLOAD)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.status, httpd.requests = None, []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _register(monkeypatch, server, name="tiny", **changes):
    fields = dict(name=name, url=f"{server.base}/tiny.txt", filename="tiny.txt", sha256=DIGEST,
                  size=len(PAYLOAD), description="a tiny test file", citation="nobody",
                  license="none")
    dataset = Dataset(**{**fields, **changes})
    monkeypatch.setitem(registry.DATASETS, name, dataset)
    return dataset


def _list_rows(out):
    """``{name: downloaded}`` from the table that ``datasets list`` prints."""
    rows = {}
    for line in out.splitlines():
        if line.startswith("│"):
            name, downloaded, _ = (cell.strip() for cell in line.strip("│").split("│"))
            rows[name] = downloaded
    return rows


def _one_error_line(capsys):
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("seqlab datasets: error: "), captured.err
    assert len(err.splitlines()) == 1, captured.err
    return err


def test_list_shows_every_dataset_and_what_is_in_the_folder(tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / registry.DATASETS["lyrics"].filename).write_text("a line\n")
    (folder / "sarcasm.json.part").write_text("[")  # an unfinished download is not a dataset
    assert main(["datasets", "list", "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert _list_rows(out) == {"imdb": "no", "jena": "no", "lyrics": "yes", "sarcasm": "no"}
    assert list(_list_rows(out)) == NAMES  # sorted by name
    assert "Large Movie Review Dataset" in out and "Irish song lyrics" in out
    assert "seqlab datasets info NAME" in out and "seqlab datasets download NAME" in out


def test_list_looks_in_seqlab_data_without_dir(tmp_path, capsys):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / registry.DATASETS["lyrics"].filename).write_bytes(PAYLOAD)
    assert main(["datasets", "list"]) == 0
    assert _list_rows(capsys.readouterr().out) == {"imdb": "no", "jena": "no", "lyrics": "yes",
                                                   "sarcasm": "no"}


def test_list_checks_a_cached_file_as_the_recipes_do(tmp_path, capsys, monkeypatch, server):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / registry.DATASETS["imdb"].filename).write_bytes(b"x")  # not the published file
    _register(monkeypatch, server)
    (cache / "tiny.txt").write_bytes(PAYLOAD)  # its pinned size and sha256
    _register(monkeypatch, server, name="tiny2", filename="tiny2.txt")
    (cache / "tiny2.txt").write_bytes(PAYLOAD[:-1] + b"?")  # right size, wrong sha256
    assert main(["datasets", "list"]) == 0
    rows = _list_rows(capsys.readouterr().out)
    assert rows["imdb"] == ("not usable: its size and sha256 differ from the published file's "
                            "(seqlab datasets info imdb)")
    assert rows["tiny"] == "yes"
    assert rows["tiny2"] == ("not usable: its sha256 differs from the published file's "
                             "(seqlab datasets info tiny2)")
    assert [name for name, _, usable in registry.describe_all() if usable] == ["tiny"]
    assert main(["datasets", "info", "imdb"]) == 0
    cached = [line for line in capsys.readouterr().out.splitlines() if "cached:" in line][0]
    assert cached.startswith("  cached:   not usable: 1 bytes where 84125825 were expected "
                             "and sha256 ")
    assert cached.endswith("; delete it and `seqlab datasets download imdb` fetches the "
                           "published file, or use your copy as it is by giving its path to "
                           "--data")
    with pytest.raises(ValueError, match="exists but has 1 bytes where 84125825"):
        registry.fetch("imdb")  # what the recipe says about the same file


def test_info_shows_url_size_and_sha256(tmp_path, capsys):
    imdb = registry.DATASETS["imdb"]
    assert main(["datasets", "info", "imdb", "--dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("imdb: Large Movie Review Dataset")
    assert f"  url:      {imdb.url}" in lines
    assert f"  sha256:   {imdb.sha256}" in lines
    assert "  size:     84,125,825 bytes" in lines
    assert f"  location: {tmp_path / imdb.filename}" in lines
    assert any(line.startswith("  cite:     Andrew L. Maas") for line in lines)
    assert any(line.startswith("  cached:   no") for line in lines)


def test_info_of_a_downloaded_file_without_a_pinned_digest_shows_its_sha256(tmp_path, capsys):
    lyrics = registry.DATASETS["lyrics"]
    (tmp_path / lyrics.filename).write_bytes(PAYLOAD)
    assert main(["datasets", "info", "lyrics", "--dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[3].startswith("  sha256:   not pinned")
    assert f"  cached:   yes ({len(PAYLOAD):,} bytes), sha256 {DIGEST}" in lines


@pytest.mark.parametrize("argv, hint", [
    (["info", "imbd"], "(did you mean 'imdb'?)"),
    (["info", "lyric"], "(did you mean 'lyrics'?)"),
    (["download", "sarcasm", "jenna"], "(did you mean 'jena'?)"),
])
def test_an_unknown_name_is_one_line_with_a_hint(tmp_path, capsys, argv, hint):
    assert main(["datasets", *argv, "--dir", str(tmp_path / "d")]) == 1
    err = _one_error_line(capsys)
    assert f"unknown dataset {argv[-1]!r} {hint}" in err
    assert err.endswith("known datasets: imdb, jena, lyrics, sarcasm")
    assert not (tmp_path / "d").exists()  # nothing was downloaded, not even 'sarcasm'


def test_a_name_with_no_close_match_lists_the_known_ones(capsys):
    assert main(["datasets", "info", "zzzzzz"]) == 1
    assert _one_error_line(capsys) == ("seqlab datasets: error: unknown dataset 'zzzzzz'; "
                                       "known datasets: imdb, jena, lyrics, sarcasm")


def test_seqlab_debug_shows_the_exception(monkeypatch):
    monkeypatch.setenv("SEQLAB_DEBUG", "1")
    with pytest.raises(ValueError, match="unknown dataset 'imbd'"):
        main(["datasets", "info", "imbd"])


def test_datasets_alone_prints_its_help_and_returns_2(capsys):
    assert main(["datasets"]) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith("usage: seqlab datasets ")
    for action in ("list", "info", "download"):
        assert f"    {action}" in captured.out
    assert captured.err == ""


def test_download_from_a_local_server(server, tmp_path, monkeypatch, capsys):
    _register(monkeypatch, server)
    folder = tmp_path / "downloads"
    assert main(["datasets", "download", "tiny", "--dir", str(folder)]) == 0
    path = folder / "tiny.txt"
    assert path.read_bytes() == PAYLOAD
    assert sorted(os.listdir(folder)) == ["tiny.txt"]  # no .part left
    assert server.requests == ["/tiny.txt"]
    captured = capsys.readouterr()
    assert captured.out == f"tiny: {path} ({len(PAYLOAD):,} bytes, sha256 verified)\n"
    assert not (tmp_path / "cache").exists()

    # again: the verified file is kept, nothing is requested
    assert main(["datasets", "download", "tiny", "--dir", str(folder)]) == 0
    assert server.requests == ["/tiny.txt"]
    assert capsys.readouterr().out == captured.out
    assert main(["datasets", "list", "--dir", str(folder)]) == 0
    assert _list_rows(capsys.readouterr().out)["tiny"] == "yes"


def test_download_into_the_cache_of_a_file_without_a_digest(server, tmp_path, monkeypatch,
                                                            capsys):
    _register(monkeypatch, server, name="loose", filename="loose.txt", sha256=None, size=None)
    assert main(["datasets", "download", "loose"]) == 0
    path = tmp_path / "cache" / "loose.txt"
    assert path.read_bytes() == PAYLOAD
    assert capsys.readouterr().out == (f"loose: {path} ({len(PAYLOAD):,} bytes, size checked; "
                                       "no sha256 is pinned for it)\n")


def test_a_404_is_one_line_and_leaves_no_file(server, tmp_path, monkeypatch, capsys):
    _register(monkeypatch, server)
    server.status = 404
    folder = tmp_path / "downloads"
    assert main(["datasets", "download", "tiny", "--dir", str(folder)]) == 1
    err = _one_error_line(capsys)
    assert f"HTTP 404 Not Found from {server.base}/tiny.txt" in err
    assert str(folder / "tiny.txt") in err  # where to put a copy made by hand
    assert list(folder.iterdir()) == []  # neither the file nor a .part


def test_a_download_with_the_wrong_digest_is_one_line_and_deleted(server, tmp_path,
                                                                  monkeypatch, capsys):
    _register(monkeypatch, server, sha256="0" * 64)
    folder = tmp_path / "downloads"
    assert main(["datasets", "download", "tiny", "--dir", str(folder)]) == 1
    err = _one_error_line(capsys)
    assert f"sha256 {DIGEST} where {'0' * 64} was expected" in err
    assert list(folder.iterdir()) == []


def test_an_existing_damaged_file_is_reported_not_replaced(server, tmp_path, monkeypatch,
                                                           capsys):
    _register(monkeypatch, server)
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "tiny.txt").write_bytes(b"not it")
    assert main(["datasets", "download", "tiny", "--dir", str(folder)]) == 1
    err = _one_error_line(capsys)
    assert f"{folder / 'tiny.txt'} exists but has 6 bytes where {len(PAYLOAD)} were " \
           "expected" in err
    assert (folder / "tiny.txt").read_bytes() == b"not it" and server.requests == []


def test_an_unreachable_server_is_one_line(tmp_path, monkeypatch, capsys):
    import socket

    with socket.socket() as bound:  # bound but not listening: connections are refused
        bound.bind(("127.0.0.1", 0))
        monkeypatch.setitem(registry.DATASETS, "tiny", Dataset(
            "tiny", f"http://127.0.0.1:{bound.getsockname()[1]}/tiny.txt", "tiny.txt", None,
            None, "", "", ""))
        assert main(["datasets", "download", "tiny", "--dir", str(tmp_path)]) == 1
    assert not (tmp_path / "tiny.txt").exists()
    _one_error_line(capsys)
