"""A ``tensorflow``-shaped shim: ``import tensorflow as tf`` -> ``import seqlab.tensorflow
as tf`` for course code that reaches Keras through TensorFlow.

* ``tf.keras`` is ``seqlab.keras`` (also as a module path:
  ``from seqlab.tensorflow.keras.layers import Dense``);
* ``tf.data`` (``Dataset``, ``AUTOTUNE``) and ``tf.strings`` are seqlab's small
  replacements (``seqlab.data.Dataset``, ``seqlab.text.strings``), found when used;
* ``tf.random.set_seed`` is ``seqlab.set_seed``;
* TensorFlow's ops that course code writes inside a layer's ``call`` (``tf.shape``,
  ``tf.range``, ``tf.cast``, ``tf.newaxis``, ``tf.reshape``, ``tf.concat``, ``tf.tile``,
  ``tf.reduce_sum``, ``tf.one_hot``, ``tf.math.not_equal``, ``tf.nn.softmax``, ...; see
  ``seqlab.tensorflow.ops``) compute on torch tensors and return torch tensors;
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
from . import data, math, nn, ops, random, strings  # noqa: F401
from .ops import *  # noqa: F403 (the names of ops.__all__: tf.shape, tf.range, ...)

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
globals()["bool"] = np.bool_  # tf.bool, without hiding the builtin inside this module

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
    "linalg": "torch.linalg",
    "signal": "torch.fft / scipy.signal",
    "py_function": "a plain Python function",
    "numpy_function": "a plain Python function on NumPy arrays",
    **{name: _TORCH.format(f"torch.{target}") for name, target in (
        ("split", "split"), ("unstack", "unbind"), ("boolean_mask", "x[mask]"),
        ("einsum", "einsum"), ("tensordot", "tensordot"), ("clip_by_value", "clamp"),
        ("pad", "nn.functional.pad"), ("slice", "x[begin:end] indexing"),
        ("gather_nd", "x[tuple(indices.T)] indexing"), ("scatter_nd", "Tensor.index_put"),
        ("cumsum", "cumsum"), ("round", "round"), ("sort", "sort"), ("argsort", "argsort"),
        ("unique", "unique"), ("broadcast_to", "broadcast_to"), ("roll", "roll"),
        ("reverse", "flip"), ("linspace", "linspace"), ("eye", "eye"), ("norm", "linalg.norm"))},
}

__getattr__, __dir__ = namespace(__name__, missing=_MISSING)
