"""Models: ``Sequential`` and the functional ``Model`` with Keras's compile / fit /
evaluate / predict / summary / save, plus ``load_model`` and ``export_onnx``."""
from . import callbacks, losses, metrics, optimizers
from ._model import Model, Sequential
from ._onnx import export_onnx
from ._saving import load_model
from ._keras_files import model_from_json
from ..layers import Input

__all__ = ["Input", "Model", "Sequential", "callbacks", "export_onnx", "load_model", "losses",
           "metrics", "model_from_json", "optimizers"]
