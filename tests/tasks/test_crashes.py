"""kill -9 during a save or a run-folder --overwrite: the old data stays whole (or comes
back on the next save), and the leftovers are cleaned up (issue 16)."""
import os
import shutil
import signal
import time

import numpy as np
import pytest

from seqlab import _files
from seqlab.layers import Dense
from seqlab.models import Sequential, load_model
from seqlab.tasks import _runs

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def in_child_killed(work, kill_at=None, patch=None):
    """Run `work()` in a forked child that SIGKILLs itself when the patched function
    `patch` = (module, name) is called for the `kill_at`-th time (1-based), or at the end."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            if patch:
                module, name = patch
                original, calls = getattr(module, name), [0]

                def dying(*args, **kwargs):
                    calls[0] += 1
                    if calls[0] == kill_at:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return original(*args, **kwargs)
                setattr(module, name, dying)
            work()
        finally:
            os.kill(os.getpid(), signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    return pid


def make_run(folder, marker, files=3):
    for i in range(files):
        (folder / f"part{i}.txt").write_text(f"{marker} {i}\n" * 50)


def run_content(path):
    return {p.name: p.read_text() for p in sorted(path.iterdir())}


def hidden(parent):
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("kill_at", [1, 2])  # 1: after old -> backup; 2: after new -> name
def test_overwrite_killed_between_the_renames(tmp_path, kill_at):
    target = tmp_path / "run"
    with _runs.run_folder(target) as folder:
        make_run(folder, "old")
    old = run_content(target)

    def overwrite():
        with _runs.run_folder(target, overwrite=True) as folder:
            make_run(folder, "new")

    # os.replace is called for the two renames of the swap: die right after one of them
    module = _runs.os
    original = module.replace
    calls = []

    def replace_then_die(*args):
        original(*args)
        calls.append(args)
        if len(calls) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    pid = os.fork()
    if pid == 0:
        module.replace = replace_then_die
        try:
            overwrite()
        finally:
            os.kill(os.getpid(), signal.SIGKILL)
    os.waitpid(pid, 0)
    assert hidden(tmp_path), "the kill should leave a backup or temporary folder"
    _runs.check_output(target, overwrite=True)  # what every recipe calls before training
    assert hidden(tmp_path) == []
    expected = old if kill_at == 1 else {k: v.replace("old", "new") for k, v in old.items()}
    assert run_content(target) == expected
    overwrite()  # and the next overwrite works
    assert run_content(target)["part0.txt"].startswith("new")


def test_overwrite_killed_at_any_moment_keeps_a_whole_run(tmp_path):
    target = tmp_path / "run"
    with _runs.run_folder(target) as folder:
        make_run(folder, "old", files=300)
    old = run_content(target)
    new = {k: v.replace("old", "new") for k, v in old.items()}
    for delay in (0.0, 0.002, 0.01, 0.03, 0.08):
        pid = os.fork()
        if pid == 0:
            try:
                with _runs.run_folder(target, overwrite=True) as folder:
                    make_run(folder, "new", files=300)
            finally:
                os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        _runs.recover(target)
        assert hidden(tmp_path) == [], delay
        assert run_content(target) in (old, new), delay
        with _runs.run_folder(target, overwrite=True) as folder:  # back to the old run
            for name, text in old.items():
                (folder / name).write_text(text)


def small_model(seed):
    model = Sequential([Dense(3)])
    model.build((None, 4))
    model.set_weights([np.full((4, 3), seed, "float32"), np.zeros(3, "float32")])
    return model


@pytest.mark.parametrize("point", [("fsync", 1), ("replace", 1)])
def test_save_model_killed_keeps_the_old_file(tmp_path, point):
    path = tmp_path / "model.safetensors"
    small_model(1.0).save(path)
    before = path.read_bytes()
    name, kill_at = point
    in_child_killed(lambda: small_model(2.0).save(path), kill_at, (_files.os, name))
    assert path.read_bytes() == before
    leftovers = hidden(tmp_path)
    assert len(leftovers) == 1 and leftovers[0].startswith(".model.safetensors.")
    np.testing.assert_array_equal(load_model(path).get_weights()[0], np.full((4, 3), 1.0))
    small_model(3.0).save(path)  # the next save removes the dead writer's temporary file
    assert hidden(tmp_path) == []
    np.testing.assert_array_equal(load_model(path).get_weights()[0], np.full((4, 3), 3.0))


def test_leftovers_of_a_running_process_are_kept(tmp_path):
    path = tmp_path / "model.safetensors"
    mine = tmp_path / f".model.safetensors.{os.getpid()}.abc123.tmp"
    mine.write_bytes(b"in progress")
    legacy = tmp_path / ".model.safetensors.k2j3h4.tmp"  # before the process id was added
    legacy.write_bytes(b"old leftover")
    other = tmp_path / ".model.safetensors.bak.k2j3h4.tmp"  # not this file's pattern
    other.write_bytes(b"x")
    assert _files.remove_leftovers(path) == [legacy]
    assert mine.exists() and other.exists()


def test_run_folders_and_their_files_share_the_umask_permissions(tmp_path):
    target = tmp_path / "run"
    with _runs.run_folder(target) as folder:
        (folder / "a.txt").write_text("a")
        _files.write_atomically(folder / "b.bin", lambda f: f.write(b"b"))
    umask = _files._UMASK
    assert target.stat().st_mode & 0o777 == 0o777 & ~umask
    for name in ("a.txt", "b.bin"):
        assert (target / name).stat().st_mode & 0o777 == 0o666 & ~umask


def test_unwritable_output_is_found_before_training(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(_runs.tempfile, "TemporaryFile", refuse)
    with pytest.raises(PermissionError, match="is not writable .*choose another output"):
        _runs.check_output(tmp_path / "deep" / "run")


def test_saving_onto_a_folder_names_the_folder(tmp_path):
    with pytest.raises(IsADirectoryError, match=f"{tmp_path} is a folder"):
        small_model(1.0).save(tmp_path)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        _files.write_atomically(tmp_path, lambda f: None)
    assert shutil.disk_usage(tmp_path) and hidden(tmp_path) == []


def test_an_output_under_a_file_is_named(tmp_path):
    (tmp_path / "data.csv").write_text("x")
    with pytest.raises(NotADirectoryError, match="data.csv is a file, not a folder"):
        _runs.check_output(tmp_path / "data.csv" / "run")
