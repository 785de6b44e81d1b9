"""``tf.data``: seqlab's small ``Dataset`` (``seqlab.data.Dataset``: what the courses
use of tf.data, not all of it), found when used; ``AUTOTUNE``."""
from types import SimpleNamespace

from ..keras._lazy import namespace


def _autotune():
    from .. import data

    return getattr(data, "AUTOTUNE", -1)


_NAMES = {"Dataset": "seqlab.data:Dataset", "TextLineDataset": "seqlab.data:TextLineDataset"}
_MISSING = {"Dataset": "NumPy arrays, a Python generator of (x, y) batches or a torch "
                       "DataLoader, which fit/evaluate/predict take",
            "TFRecordDataset": "seqlab.data readers of the published formats"}


def _extra(name):
    if name == "AUTOTUNE":
        return _autotune()
    if name == "experimental":
        return SimpleNamespace(AUTOTUNE=_autotune())
    return None


__getattr__, __dir__ = namespace(__name__, names=_NAMES, missing=_MISSING, extra=_extra)
