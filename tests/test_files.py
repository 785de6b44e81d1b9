"""write_atomically: all or nothing."""
import os

import pytest

from seqlab._files import write_atomically


def test_writes_and_replaces(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    write_atomically(target, lambda f: f.write("first"), "w")
    write_atomically(target, lambda f: f.write("second"), "w")
    assert target.read_text() == "second"
    assert os.listdir(target.parent) == ["out.txt"]
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()


def test_a_failing_writer_leaves_the_old_file(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def crash(file):
        file.write(b"partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomically(target, crash)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
