"""``keras.preprocessing.sequence``: Keras 2's ``pad_sequences`` (``seqlab.text``)."""
from ...text import pad_sequences
from .._lazy import namespace

_MISSING = {
    "TimeseriesGenerator": "seqlab.data.make_windows (windows that cannot misalign), or a "
                           "generator of (samples, targets) batches as the Keras book writes",
    "skipgrams": "seqlab.vectors word2vec (skip-gram with negative sampling)",
    "make_sampling_table": "seqlab.vectors word2vec (its sample= subsampling)",
}

__all__ = ["pad_sequences"]
__getattr__, __dir__ = namespace(__name__, missing=_MISSING)
