"""Run folders: everything a training run writes goes to one folder, which appears whole
or not at all (written under a temporary name, renamed at the end)."""
from __future__ import annotations

import dataclasses
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
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file (is {path.parent} a seqlab run folder?)")
    return json.loads(path.read_text(encoding="utf-8"))


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON-serialisable: {value!r}")
