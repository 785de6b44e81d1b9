"""Helpers shared by the tests: the real datasets in ../shared/data and the Keras 2 oracle."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
IN_CI = os.environ.get("CI") == "true"


def shared_data(relative: str) -> Path:
    """Path of a file in ../shared/data; skip the test if it is absent, unless
    SEQLAB_REQUIRE_DATA=1 (CI), where absence is a failure."""
    path = SHARED_DATA / relative
    if not path.exists():
        message = f"{path} not found (tests read the real datasets from ../shared/data)"
        if os.environ.get("SEQLAB_REQUIRE_DATA") == "1":
            pytest.fail(message + " and SEQLAB_REQUIRE_DATA=1")
        pytest.skip(message)
    return path


# The oracle for the differential tests: Keras 2's text preprocessing as released in the
# keras-preprocessing package (pure Python, installed by the dev extra). With TensorFlow
# installed, SEQLAB_KERAS_ORACLE=tf_keras checks against TF-Keras 2 itself instead.
ORACLE = os.environ.get("SEQLAB_KERAS_ORACLE", "keras_preprocessing")


def keras2_text():
    """The Keras 2 ``preprocessing.text`` module. Required in CI."""
    if ORACLE == "tf_keras":
        return _required_import("tf_keras.preprocessing.text")
    return _required_import("keras_preprocessing.text")


def keras2_sequence(monkeypatch):
    """The Keras 2 ``preprocessing.sequence`` module (``pad_sequences``). Required in CI.

    keras-preprocessing reads np.unicode_, gone in NumPy 2; the alias is restored
    for the duration of one test only."""
    if ORACLE == "tf_keras":
        return _required_import("tf_keras.preprocessing.sequence")
    import numpy as np

    if not hasattr(np, "unicode_"):
        monkeypatch.setattr(np, "unicode_", np.str_, raising=False)
    return _required_import("keras_preprocessing.sequence")


def _required_import(name):
    try:
        return __import__(name, fromlist=["_"])
    except ImportError as error:
        if IN_CI:
            pytest.fail(f"{name} is required in CI (pip install -e '.[dev]'): {error}")
        pytest.skip(f"{name} not installed: {error}")


def require_kernel():
    """Skip the test when the compiled tokenizer is not built; in CI that is a failure."""
    from seqlab.text import _native

    if _native.kernel is None:
        if IN_CI:
            pytest.fail(f"the compiled tokenizer must be built in CI: {_native.UNAVAILABLE_REASON}")
        pytest.skip(_native.UNAVAILABLE_REASON)


def imdb_reviews(count: int) -> list:
    """The first `count` labelled reviews of the IMDB tarball in ../shared/data, in archive order."""
    import re
    import tarfile

    review = re.compile(r"aclImdb/(train|test)/(pos|neg)/\d+_\d+\.txt$")
    texts = []
    with tarfile.open(shared_data("imdb/aclImdb_v1.tar.gz")) as archive:
        for member in archive:
            if member.isfile() and review.match(member.name):
                texts.append(archive.extractfile(member).read().decode("utf-8"))
                if len(texts) == count:
                    break
    return texts


def sarcasm_headlines() -> list:
    """All headlines of the sarcasm dataset (JSON lines) in ../shared/data."""
    import json

    path = shared_data("sarcasm/Sarcasm_Headlines_Dataset.json")
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line)["headline"] for line in lines if line.strip()]
