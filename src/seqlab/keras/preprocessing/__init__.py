"""``keras.preprocessing``: ``text`` (Tokenizer, ...) and ``sequence`` (pad_sequences)
with Keras 2's exact behaviour, and TF 2.3-2.5's dataset builders when seqlab has them."""
from .._lazy import namespace
from . import sequence, text  # noqa: F401

_NAMES = {"text_dataset_from_directory": "seqlab.data:text_dataset_from_directory",
          "timeseries_dataset_from_array": "seqlab.data:timeseries_dataset_from_array"}
_MISSING = {"image": "seqlab works on text and series, not images",
            "text_dataset_from_directory": "seqlab.data.load_imdb or seqlab.data.read_labeled",
            "timeseries_dataset_from_array": "seqlab.data.make_windows"}

__getattr__, __dir__ = namespace(__name__, names=_NAMES, missing=_MISSING)
