"""Models: ``Sequential`` and the functional ``Model`` with Keras's compile / fit /
evaluate / predict / summary / save, plus ``load_model``."""
from . import callbacks, losses, metrics, optimizers
from ._model import Model, Sequential
from ._saving import load_model
from ._keras_files import model_from_json
from ..layers import Input

__all__ = ["Input", "Model", "Sequential", "callbacks", "load_model", "losses", "metrics",
           "model_from_json", "optimizers"]
