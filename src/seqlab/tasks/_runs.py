"""Run folders: everything a training run writes goes to one folder, which appears whole
or not at all (written under a temporary name, renamed at the end)."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def run_folder(path, overwrite=False):
    """Yield a temporary folder next to `path`; on success it becomes `path`.

    On an error the temporary folder is removed and `path` is left as it was.
    """
    path = check_output(path, overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        yield work
        if path.exists():
            shutil.rmtree(path)
        os.replace(work, path)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def check_output(path, overwrite=False) -> Path:
    """`path` as a Path; raises FileExistsError if it exists and `overwrite` is false (call
    it before training, so that a long run does not end in this error)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"{path} exists and is a file, not a run folder: choose another "
                              "output folder")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; choose another output folder or overwrite it "
                              "(--output/--overwrite, or output=/overwrite=True)")
    return path


def reporter(verbose):
    """``print`` when `verbose`, else a function that does nothing: a recipe's stage lines."""
    return print if verbose else (lambda *args, **kwargs: None)


def write_json(path, data):
    Path(path).write_text(json.dumps(data, indent=2, default=_plain) + "\n", encoding="utf-8")


def read_json(path):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file (is {path.parent} a seqlab run folder?)")
    return json.loads(path.read_text(encoding="utf-8"))


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON-serialisable: {value!r}")
