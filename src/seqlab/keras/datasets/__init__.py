"""``keras.datasets``: ``imdb`` (built from the aclImdb reviews by seqlab's reader)."""
from .._lazy import namespace
from . import imdb  # noqa: F401

_NOT_SEQUENCES = "seqlab ships sequence datasets only: keras.datasets.imdb, seqlab.data.DATASETS"
_MISSING = {
    "reuters": "seqlab.data.read_labeled on a CSV/TSV of texts and labels (seqlab has no "
               "Reuters copy)",
    **{name: _NOT_SEQUENCES for name in ("mnist", "fashion_mnist", "cifar10", "cifar100",
                                         "boston_housing", "california_housing")},
}

__getattr__, __dir__ = namespace(__name__, missing=_MISSING)
