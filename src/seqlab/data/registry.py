"""The datasets seqlab can download: where they come from, how to check them, whom to cite.

Nothing is downloaded at import time; `fetch` downloads on request, into `cache_dir()`
(``$SEQLAB_DATA`` or ``~/.cache/seqlab``) unless told otherwise, and verifies the file.
"""
from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from pathlib import Path

from seqlab.data.download import _cache_root, _mismatches, download, sha256_of

logger = logging.getLogger("seqlab")


@dataclass(frozen=True)
class Dataset:
    """One downloadable file. `sha256` and `size` are None when the publisher's digest is
    not known here: the file is then only checked against the size the server announces."""

    name: str
    url: str
    filename: str
    sha256: str | None
    size: int | None
    description: str
    citation: str
    license: str


DATASETS: dict[str, Dataset] = {d.name: d for d in [
    Dataset(
        name="imdb",
        url="https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
        filename="aclImdb_v1.tar.gz",
        # The digest TensorFlow Datasets pins for this URL.
        sha256="c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
        size=84125825,
        description="Large Movie Review Dataset: 50,000 labelled IMDB reviews "
                    "(25,000 train, 25,000 test) plus 50,000 unlabelled, as aclImdb/ tarball",
        citation="Andrew L. Maas, Raymond E. Daly, Peter T. Pham, Dan Huang, Andrew Y. Ng and "
                 "Christopher Potts. Learning Word Vectors for Sentiment Analysis. ACL 2011, "
                 "pp. 142-150.",
        license="no licence stated by the publisher; the dataset page asks that you cite the "
                "paper (https://ai.stanford.edu/~amaas/data/sentiment/)",
    ),
    Dataset(
        name="sarcasm",
        url="https://storage.googleapis.com/tensorflow-1-public/course3/sarcasm.json",
        filename="sarcasm.json",
        sha256=None,
        size=None,
        description="News Headlines Dataset for Sarcasm Detection (TheOnion vs HuffPost), "
                    "the TensorFlow course's copy as one JSON array",
        citation="Rishabh Misra. News Headlines Dataset for Sarcasm Detection, 2018. "
                 "https://github.com/rishabhmisra/News-Headlines-Dataset-For-Sarcasm-Detection "
                 "(described in arXiv:2212.06035)",
        license="not stated in the file; see the dataset's GitHub page",
    ),
    Dataset(
        name="jena",
        url="https://s3.amazonaws.com/keras-datasets/jena_climate_2009_2016.csv.zip",
        filename="jena_climate_2009_2016.csv.zip",
        sha256=None,
        size=None,
        description="Jena climate record 2009-2016: 14 weather variables every 10 minutes "
                    "(zipped CSV, the copy Keras's examples use)",
        citation="Weather station of the Max Planck Institute for Biogeochemistry, Jena, "
                 "Germany (https://www.bgc-jena.mpg.de/wetter/).",
        license="not stated in the file; see the institute's weather data page",
    ),
    Dataset(
        name="lyrics",
        url="https://storage.googleapis.com/laurencemoroney-blog.appspot.com/"
            "irish-lyrics-eof.txt",
        filename="irish-lyrics-eof.txt",
        sha256=None,
        size=None,
        description="Irish song lyrics, one line per line, for next-word generation",
        citation="Laurence Moroney, TensorFlow course (Natural Language Processing in "
                 "TensorFlow, DeepLearning.AI).",
        license="not stated in the file",
    ),
]}


def fetch(name: str | Dataset, directory=None, progress: bool = True) -> Path:
    """The local copy of a registered dataset, downloaded into `directory` (default
    `cache_dir()`) if it is not there yet, and verified against its pinned size and sha256.

    When no digest is pinned, the sha256 of the new download is logged (WARNING, logger
    ``"seqlab"``) so that you can pin it. `name` may also be a `Dataset` of your own.
    """
    dataset = _lookup(name)
    path = _location(dataset, directory)
    is_new = not path.exists()
    download(dataset.url, path, sha256=dataset.sha256, expected_size=dataset.size,
             progress=progress)
    if is_new and dataset.sha256 is None:
        logger.warning("downloaded %s to %s; no sha256 is pinned for it, it has sha256 %s "
                       "(%d bytes): pin these to detect a changed or damaged file",
                       dataset.name, path, sha256_of(path), path.stat().st_size)
    return path


def info(name: str | Dataset, directory=None) -> str:
    """A readable multi-line description: source, size, digest, citation, licence, cache."""
    dataset = _lookup(name)
    path = _location(dataset, directory)
    size = f"{dataset.size:,} bytes" if dataset.size is not None else "not pinned"
    digest = dataset.sha256 or "not pinned (the file is checked against the size the " \
                               "server announces only)"
    problems = cached_problems(dataset, directory)
    if problems:
        cached = f"not usable: {_unusable(problems, dataset)}"
    elif problems is not None:
        cached = f"yes ({path.stat().st_size:,} bytes)"
        if dataset.sha256 is None:
            cached += f", sha256 {sha256_of(path)}"
    else:
        cached = f"no (seqlab.data.registry.fetch({dataset.name!r}) downloads it)"
    return "\n".join([
        f"{dataset.name}: {dataset.description}",
        f"  url:      {dataset.url}",
        f"  size:     {size}",
        f"  sha256:   {digest}",
        f"  cite:     {dataset.citation}",
        f"  licence:  {dataset.license}",
        f"  location: {path}",
        f"  cached:   {cached}",
    ])


def describe_all(directory=None) -> list[tuple[str, str, bool]]:
    """``(name, one-line description, cached and usable?)`` for every registered dataset,
    by name: usable means it passes the checks ``fetch`` makes."""
    return [(d.name, d.description, cached_problems(d, directory) == [])
            for d in sorted(DATASETS.values(), key=lambda d: d.name)]


def cached_problems(name: str | Dataset, directory=None) -> list[str] | None:
    """None when the dataset is not in `directory` (default ``cache_dir()``); else how its
    file fails the checks ``fetch`` makes (the pinned size and sha256), as phrases: ``[]``
    when it passes them."""
    dataset = _lookup(name)
    path = _location(dataset, directory)
    if not path.is_file():
        return None
    return _mismatches(path, dataset.sha256, dataset.size)


def state(name: str | Dataset, directory=None) -> str:
    """'yes', 'no', or 'not usable: ...' (in a few words) for the dataset's local copy."""
    problems = cached_problems(name, directory)
    if problems is None:
        return "no"
    if not problems:
        return "yes"
    differing = " and ".join("sha256" if p.startswith("sha256") else "size" for p in problems)
    return (f"not usable: its {differing} differ{'s' * (len(problems) == 1)} from the "
            f"published file's (seqlab datasets info {_lookup(name).name})")


def _unusable(problems, dataset) -> str:
    return (f"{' and '.join(problems)}; delete it and `seqlab datasets download "
            f"{dataset.name}` fetches the published file, or use your copy as it is by giving "
            "its path to --data")


def _lookup(name) -> Dataset:
    if isinstance(name, Dataset):
        return name
    if name in DATASETS:
        return DATASETS[name]
    close = difflib.get_close_matches(str(name), DATASETS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(f"unknown dataset {name!r}{hint}; known datasets: "
                     f"{', '.join(sorted(DATASETS))}")


def _location(dataset: Dataset, directory) -> Path:
    root = Path(directory).expanduser() if directory is not None else _cache_root()
    return root / dataset.filename
