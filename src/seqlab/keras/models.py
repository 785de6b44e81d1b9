"""``keras.models``: ``Sequential``, ``Model``, ``load_model``, ``save_model``,
``model_from_json``."""
from ..models import Model, Sequential, load_model
from ._lazy import namespace


def save_model(model, filepath, overwrite=True, save_format=None, **unused):
    """Keras's ``save_model(model, filepath)``: ``model.save(filepath)`` (Keras's format for
    a ``.keras`` / ``.h5`` name when every layer has a Keras equivalent, else seqlab's)."""
    model.save(filepath, overwrite=overwrite, save_format=save_format)


_MISSING = {
    "model_from_yaml": "model.save(path) and load_model(path)",
    "model_from_config": "model.save(path) and load_model(path)",
    "clone_model": "building the model again from the same code (layers take the same "
                   "arguments), then model.set_weights(other.get_weights()) if wanted",
}

__all__ = ["Model", "Sequential", "load_model", "save_model"]
__getattr__, __dir__ = namespace(__name__, ("seqlab.models",), missing=_MISSING)
