"""``keras.utils``: ``to_categorical``, ``pad_sequences``, ``set_random_seed``,
``Sequence``, and the dataset builders of ``seqlab.data`` (``text_dataset_from_directory``,
``timeseries_dataset_from_array``) when seqlab has them."""
from __future__ import annotations

from .. import set_seed as set_random_seed
from ..text import pad_sequences, to_categorical
from ._lazy import namespace


class Sequence:
    """Keras's ``utils.Sequence``: subclass it with ``__len__`` (batches per epoch) and
    ``__getitem__(index)`` (one ``(x, y)`` batch); ``fit`` reads it once per epoch, in
    order, and calls ``on_epoch_end()`` after each pass (shuffle your index there)."""

    def __len__(self):
        raise NotImplementedError("a Sequence defines __len__: the number of batches")

    def __getitem__(self, index):
        raise NotImplementedError("a Sequence defines __getitem__(index): one batch")

    def on_epoch_end(self):
        """Called after each pass over the batches."""

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]
        self.on_epoch_end()


def normalize(x, axis=-1, order=2):
    """Keras's ``normalize``: `x` divided by its `order`-norm along `axis` (0 stays 0)."""
    import numpy as np

    x = np.asarray(x, dtype=float)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


_MISSING = {
    "plot_model": "model.summary() (seqlab draws no graph images)",
    "get_file": "seqlab.data.download(url, path, sha256=...) or seqlab.data.fetch(name)",
    "image_dataset_from_directory": "seqlab works on text and series, not images",
    "text_dataset_from_directory": "seqlab.data.load_imdb or seqlab.data.read_labeled",
    "timeseries_dataset_from_array": "seqlab.data.make_windows",
    "model_to_dot": "model.summary()",
    "multi_gpu_model": "fit(..., distributed=True) under torchrun",
    "custom_object_scope": "load_model(path, custom_objects={...})",
    "register_keras_serializable": "load_model(path, custom_objects={...})",
}
_NAMES = {"text_dataset_from_directory": "seqlab.data:text_dataset_from_directory",
          "timeseries_dataset_from_array": "seqlab.data:timeseries_dataset_from_array",
          "split_dataset": "seqlab.data:split_dataset"}

__all__ = ["Sequence", "normalize", "pad_sequences", "set_random_seed", "to_categorical"]
__getattr__, __dir__ = namespace(__name__, names=_NAMES, missing=_MISSING)
