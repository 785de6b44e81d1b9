"""Run folders: everything a training run writes goes to one folder, which appears whole
or not at all.

The run is written into a temporary folder ``.NAME.PID.XXXX.tmp`` next to the target and
moved into place at the end. With ``overwrite``, the old run is first renamed to a
backup ``.NAME.PID.old``, the new one renamed to NAME, and only then the backup deleted:
at every instant NAME is the old run, the new one, or (between the two renames) absent
with the old run whole in the backup. The next save to the same place (and
`check_output`, which every recipe calls before training) finishes what a killed process
left: a backup with no NAME is renamed back (the old run returns), and the leftovers of
dead processes (temporary folders and files, a backup whose swap completed) are deleted.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .._files import FOLDER_MODE, process_running, remove_leftovers, temporary_prefix


@contextmanager
def run_folder(path, overwrite=False):
    """Yield a temporary folder next to `path`; on success it becomes `path` (replacing
    the old run by a rename swap when `overwrite`).

    On an error the temporary folder is removed and `path` is left as it was.
    """
    path = check_output(path, overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=path.parent, prefix=temporary_prefix(path),
                                 suffix=".tmp"))
    try:
        os.chmod(work, FOLDER_MODE)  # mkdtemp makes it 0700; its files are 0666 - umask
        yield work
        _swap_in(work, path)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _swap_in(work: Path, path: Path) -> None:
    if not path.exists():
        os.replace(work, path)
        return
    backup = path.parent / f".{path.name}.{os.getpid()}.old"
    os.replace(path, backup)
    os.replace(work, path)
    shutil.rmtree(backup)  # killed before this ends: the next save removes the rest


def recover(path) -> None:
    """Finish what a killed save to `path` left behind (see the module docstring)."""
    path = Path(path)
    if not path.parent.is_dir():
        return
    if not path.exists():
        pattern = re.compile(re.escape(f".{path.name}.") + r"(\d+)\.old")
        backups = [entry for entry in path.parent.iterdir() if pattern.fullmatch(entry.name)]
        dead = [b for b in backups if b not in _live(backups)]
        if dead:
            newest = max(dead, key=lambda entry: entry.stat().st_mtime)
            os.replace(newest, path)
    remove_leftovers(path)


def _live(entries) -> set:
    return {entry for entry in entries if process_running(int(entry.name.rsplit(".", 2)[-2]))}


def check_output(path, overwrite=False) -> Path:
    """`path` as a Path; raises FileExistsError if it exists and `overwrite` is false, and
    PermissionError if it cannot be written (call it before training, so that a long run
    does not end in these errors). Recovers a killed earlier save to `path` first."""
    path = Path(path)
    recover(path)
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"{path} exists and is a file, not a run folder: choose another "
                              "output folder")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; choose another output folder or overwrite it "
                              "(--output/--overwrite, or output=/overwrite=True)")
    _check_writable(path)
    return path


def how_it_ended(history) -> dict:
    """For metrics.json, after ``fit``: ``{"interrupted": False}``, or after Ctrl-C
    ``{"interrupted": True, "finished_epochs": n}`` (the run keeps the best of those
    epochs). Ctrl-C before any epoch finished raises KeyboardInterrupt again: nothing to
    keep."""
    if not getattr(history, "interrupted", False):
        return {"interrupted": False}
    if not history.epoch:
        raise KeyboardInterrupt
    return {"interrupted": True, "finished_epochs": len(history.epoch)}


def _check_writable(path: Path) -> None:
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(f"cannot write the run folder {path}: {existing} is a file, "
                                 "not a folder; choose another output folder (--output, or "
                                 "output=)")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise PermissionError(f"cannot write the run folder {path}: {existing} is not "
                              f"writable ({error.strerror}); choose another output folder "
                              "(--output, or output=)") from None


def reporter(verbose):
    """``print`` when `verbose`, else a function that does nothing: a recipe's stage lines."""
    return print if verbose else (lambda *args, **kwargs: None)


def config_record(config, path_fields=("data", "test_data", "vectors")) -> dict:
    """`config` as a dict for config.json, with the files it names made absolute, so that
    the run can be evaluated again from any working directory. Symbolic links are kept
    (the path as the user gave it, only made absolute): a linked data folder stays
    recognisable, and moving the link's target does not break the run."""
    record = dataclasses.asdict(config)
    for name in path_fields:
        value = record.get(name)
        if value and Path(value).exists():
            record[name] = os.path.abspath(value)
    return record


def read_config(folder, config_class, recipe: str, extra=()):
    """The config a run folder was trained with; ValueError naming the folder when it
    holds another recipe's run. Returns ``(config, {name: value for name in extra})``."""
    record = read_json(Path(folder) / "config.json")
    fields = {field.name for field in dataclasses.fields(config_class)}
    unknown = set(record) - fields - set(extra)
    missing = set(extra) - set(record)
    if unknown or missing:
        found = (f"the settings {sorted(unknown)[:3]} of another recipe" if unknown else
                 f"no {', '.join(sorted(missing))}")
        raise ValueError(f"{folder} is not a {recipe} run: its config.json has {found}")
    return (config_class(**{k: v for k, v in record.items() if k in fields}),
            {name: record[name] for name in extra})


def write_json(path, data):
    Path(path).write_text(json.dumps(data, indent=2, default=_plain) + "\n", encoding="utf-8")


def read_json(path):
    """A run folder's JSON file; ValueError naming it when it is not JSON (edited by hand?)."""
    from .._files import read_text

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file (is {path.parent} a seqlab run folder?)")
    try:
        return json.loads(read_text(path, "JSON"))
    except (json.JSONDecodeError, RecursionError) as error:
        where = (f" (line {error.lineno}, column {error.colno}: {error.msg})"
                 if isinstance(error, json.JSONDecodeError) else " (nested too deep)")
        raise ValueError(f"{path} is not valid JSON{where}: the run folder was edited or "
                         "damaged; fix the file or train the run again") from None


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON-serialisable: {value!r}")
