"""A ``tensorflow``-shaped shim: ``import tensorflow as tf`` -> ``import seqlab.tensorflow
as tf`` for course code that reaches Keras through TensorFlow.

* ``tf.keras`` is ``seqlab.keras`` (also as a module path:
  ``from seqlab.tensorflow.keras.layers import Dense``);
* ``tf.data`` (``Dataset``, ``AUTOTUNE``) and ``tf.strings`` are seqlab's small
  replacements (``seqlab.data.Dataset``, ``seqlab.text.strings``), found when used;
* ``tf.random.set_seed`` is ``seqlab.set_seed``;
* ``tf.constant`` / ``tf.convert_to_tensor`` give NumPy arrays with TensorFlow's default
  dtypes (Python floats float32, ints int32; strings stay strings), which seqlab's layers
  and models take.

Everything else of TensorFlow is absent: using it raises an error naming the nearest
seqlab or torch equivalent. This is not TensorFlow; there is no graph, session or tape.
"""
from __future__ import annotations

import sys

import numpy as np

from .. import __version__ as _seqlab_version
from .. import keras
from ..keras._lazy import namespace
from . import data, random, strings  # noqa: F401

__version__ = f"seqlab-{_seqlab_version}"

# tf.keras as a module path too: `from seqlab.tensorflow.keras.layers import Dense`
for _name, _module in list(sys.modules.items()):
    if _name == "seqlab.keras" or _name.startswith("seqlab.keras."):
        sys.modules[__name__ + _name.removeprefix("seqlab")] = _module
        # (seqlab.tensorflow.keras..., the same module objects)


def constant(value, dtype=None, shape=None, name=None):
    """``tf.constant``: `value` as a NumPy array, with TensorFlow's default dtypes."""
    array = _array(value, dtype)
    if shape is not None:
        array = np.broadcast_to(array, shape).copy() if array.size == 1 else array.reshape(shape)
    return array


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """``tf.convert_to_tensor``: `value` as a NumPy array (tensors become arrays)."""
    return _array(value, dtype if dtype is not None else dtype_hint)


def _array(value, dtype):
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if dtype is not None:
        try:
            dtype = np.dtype(dtype)
        except TypeError:  # a torch dtype, or a name such as "tf.float32"'s string
            dtype = np.dtype(str(dtype).replace("torch.", ""))
        return np.asarray(value, dtype=dtype)
    array = np.asarray(value)
    if array.dtype == np.float64 and not isinstance(value, np.ndarray):
        return array.astype(np.float32)  # Python floats are float32 in TensorFlow
    if array.dtype == np.int64 and not isinstance(value, np.ndarray):
        return array.astype(np.int32)
    return array


float16, float32, float64 = np.float16, np.float32, np.float64
int8, int16, int32, int64, uint8 = np.int8, np.int16, np.int32, np.int64, np.uint8
string = np.str_

_TORCH = "the torch function on tensors ({})"
_MISSING = {
    "Tensor": "torch.Tensor (seqlab's layers return torch tensors)",
    "Variable": "torch.nn.Parameter, or a layer's add_weight",
    "GradientTape": "loss.backward() and optimizer.step() on a model's parameters",
    "function": "nothing: seqlab runs eagerly, plain Python functions work",
    "config": "torch.set_num_threads / OMP_NUM_THREADS for CPU threads (seqlab has no GPU "
              "configuration to set)",
    "test": "pytest",
    "device": "torch.device and model.to(device)",
    "lite": "torch.onnx.export(model, example, 'model.onnx')",
    "saved_model": "model.save(path) and keras.models.load_model(path)",
    "io": "seqlab.data readers (read_series, read_labeled, load_imdb)",
    "image": "seqlab works on text and series, not images",
    "math": "torch functions of the same names (torch.exp, torch.log, ...)",
    "nn": "torch.nn.functional",
    "linalg": "torch.linalg",
    "signal": "torch.fft / scipy.signal",
    "py_function": "a plain Python function",
    "numpy_function": "a plain Python function on NumPy arrays",
    **{name: _TORCH.format(f"torch.{target}") for name, target in (
        ("cast", "Tensor.to(dtype)"), ("expand_dims", "unsqueeze"), ("squeeze", "squeeze"),
        ("reshape", "reshape"), ("concat", "cat"), ("stack", "stack"),
        ("reduce_mean", "mean"), ("reduce_sum", "sum"), ("reduce_max", "amax"),
        ("argmax", "argmax"), ("one_hot", "nn.functional.one_hot"), ("shape", "Tensor.shape"),
        ("range", "arange"), ("zeros", "zeros"), ("ones", "ones"), ("matmul", "matmul"),
        ("where", "where"), ("gather", "index_select"), ("transpose", "permute"),
        ("sequence_mask", "arange(T) < lengths[:, None]"), ("split", "split"),
        ("tile", "tile"), ("abs", "abs"), ("square", "square"), ("sqrt", "sqrt"))},
}

__getattr__, __dir__ = namespace(__name__, missing=_MISSING)
