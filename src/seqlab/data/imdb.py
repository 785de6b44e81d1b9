"""The Large Movie Review Dataset (Maas et al., ACL 2011): the aclImdb folder or tarball.

Reviews are files ``aclImdb/{train,test}/{neg,pos}/ID_RATING.txt`` (stars 1-4 for neg,
7-10 for pos) and ``aclImdb/train/unsup/ID_0.txt`` (unlabelled, rating omitted).
"""
from __future__ import annotations

import gzip
import os
import re
import tarfile
from pathlib import Path

import numpy as np

from .._files import decode_utf8
from ._types import UNLABELED, LabeledTexts

LABEL_NAMES = ["neg", "pos"]
SPLITS = {"train": ("train", ("neg", "pos")), "test": ("test", ("neg", "pos")),
          "unsup": ("train", ("unsup",))}  # split -> (folder, class folders)
_FILE = re.compile(r"(\d+)_(\d+)\.txt")
_MEMBER = re.compile(r"(?:.*/)?(train|test)/(neg|pos|unsup)/(\d+)_(\d+)\.txt")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def load_imdb(path, split: str = "train", clean: bool = False) -> LabeledTexts:
    """Read one split ("train", "test" or "unsup") of the IMDB reviews.

    `path` is the ``aclImdb/`` folder, a folder containing it (or containing
    ``aclImdb_v1.tar.gz``), or the tarball itself, read in one pass without extracting it
    (about 3 s: use `load_imdb_splits` to read several splits in that one pass).

    Labels are neg = 0 and pos = 1; unsup reviews get -1 and ``ratings`` None, the others
    their star rating from the file name. The order is fixed, so runs are repeatable: all
    neg reviews, then all pos, each sorted by the numeric ID of the file name.
    ``clean=True`` replaces each ``<br />`` tag with a space.
    """
    return load_imdb_splits(path, (split,), clean)[split]


def load_imdb_splits(path, splits=("train", "test"), clean: bool = False):
    """Several splits of the IMDB reviews read in one pass: a dict split -> LabeledTexts,
    each as `load_imdb` returns it."""
    if isinstance(splits, str):
        splits = (splits,)
    for split in splits:
        if split not in SPLITS:
            raise ValueError(f"load_imdb got split={split!r}: use 'train', 'test' or 'unsup'")
    source = _locate(Path(path))
    wanted = {(SPLITS[split][0], name) for split in splits for name in SPLITS[split][1]}
    if source.is_file():
        found = _read_tarball(source, wanted)
    else:
        found = {key: _read_folder(source, *key) for key in wanted}
    return {split: _assemble(source, split, found, clean) for split in splits}


def _assemble(source, split, found, clean) -> LabeledTexts:
    folder, classes = SPLITS[split]
    texts, labels, ratings = [], [], []
    for label, name in enumerate(classes):
        reviews = sorted(found[folder, name])  # (id, rating, text), by id
        if not reviews:
            raise ValueError(f"{source} holds no {folder}/{name}/ID_RATING.txt reviews: is it "
                             "the Large Movie Review Dataset (aclImdb)?")
        texts += [_BREAK.sub(" ", text) if clean else text for _, _, text in reviews]
        labels += [UNLABELED if name == "unsup" else label] * len(reviews)
        ratings += [rating for _, rating, _ in reviews]
    rated = None if split == "unsup" else np.array(ratings, dtype=np.int64)
    return LabeledTexts(texts, np.array(labels, dtype=np.int64), list(LABEL_NAMES),
                        f"{source} ({split})", rated)


def _locate(path: Path) -> Path:
    usage = "pass the aclImdb/ folder, the folder containing it, or aclImdb_v1.tar.gz"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: {usage}")
    if path.is_file():
        return path
    for candidate in (path, path / "aclImdb"):
        if (candidate / "train").is_dir() or (candidate / "test").is_dir():
            return candidate
    if (path / "aclImdb_v1.tar.gz").is_file():
        return path / "aclImdb_v1.tar.gz"
    raise FileNotFoundError(f"{path} holds neither train/ and test/ folders nor aclImdb/ "
                            f"nor aclImdb_v1.tar.gz: {usage}")


def _read_folder(root: Path, folder: str, name: str) -> list:
    directory = root / folder / name
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory} is missing: the aclImdb folder {root} must hold "
                                f"{folder}/{name}/ with the reviews as ID_RATING.txt files")
    inside = root.resolve()
    _check_inside(directory, inside, root)
    reviews = []
    with os.scandir(directory) as entries:
        for entry in entries:
            match = _FILE.fullmatch(entry.name)
            if match and entry.is_file():
                if entry.is_symlink():
                    _check_inside(Path(entry.path), inside, root)
                with open(entry.path, "rb") as file:
                    text = _decode(file.read(), entry.path)
                reviews.append((int(match[1]), int(match[2]), text))
    return reviews


def _check_inside(path: Path, inside: Path, root: Path) -> None:
    """ValueError unless `path` (a link, maybe) resolves inside the aclImdb folder."""
    target = path.resolve()
    if target != inside and inside not in target.parents:
        raise ValueError(f"{path} is a link to {target}, outside the aclImdb folder {root}: "
                         "the reader does not follow links out of the folder (copy the "
                         "reviews in, or pass the folder they are in)")


def _read_tarball(path: Path, wanted: set) -> dict:
    found = {key: [] for key in wanted}
    try:
        with open(path, "rb") as raw:
            gzipped = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            # tarfile's stream mode takes a gzip stream cut at a member boundary for the end
            # of the archive, so the gzip stream is read here and drained to its end marker.
            stream = gzip.GzipFile(fileobj=raw) if gzipped else raw
            with tarfile.open(fileobj=stream, mode="r|" if gzipped else "r|*") as archive:
                for member in archive:
                    if member.name.startswith(("/", "\\")) or ".." in re.split(r"[/\\]",
                                                                               member.name):
                        raise ValueError(f"{path}: the member {member.name!r} points outside "
                                         "the archive; this is not the aclImdb archive "
                                         "(nothing was read from it)")
                    match = _MEMBER.fullmatch(member.name)
                    if match and member.isfile() and (match[1], match[2]) in wanted:
                        text = _decode(archive.extractfile(member).read(),
                                       f"{path}:{member.name}")
                        found[match[1], match[2]].append((int(match[3]), int(match[4]), text))
            while gzipped and stream.read(1 << 20):  # a cut-short file raises EOFError
                pass
    except (tarfile.TarError, EOFError, OSError) as error:
        raise ValueError(f"{path} is not a readable tar archive ({error}): pass "
                         "aclImdb_v1.tar.gz as downloaded, or the extracted aclImdb/ folder") \
            from None
    return found


def _decode(data: bytes, name: str) -> str:
    return decode_utf8(data, name)  # the aclImdb reviews are UTF-8: anything else is damage
