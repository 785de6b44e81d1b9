"""``keras.backend`` (``from keras import backend as K``): the handful of calls course
code makes, on seqlab's PyTorch.

* ``clear_session()``: restarts Keras's automatic layer names (``dense``, ``dense_1``...)
  and frees cached memory; models already built keep working.
* ``epsilon()``/``set_epsilon``, ``floatx()``/``set_floatx`` (torch's default dtype),
  ``image_data_format()``;
* ``get_value(x)``/``set_value(x, value)``: on a learning rate read from an optimizer
  (``K.set_value(model.optimizer.lr, 1e-4)``, as Keras 2 code lowers it) or on a tensor;
* ``int_shape(x)``, ``count_params(x)``, ``backend()`` (``'torch'``).
"""
from __future__ import annotations

import gc
import numbers

import numpy as np
import torch

from ..layers import _base
from ._lazy import namespace

_EPSILON = [1e-7]


def clear_session():
    """Forget the automatic layer names used so far (the next Dense is ``dense`` again)."""
    _base._NAME_COUNTS.clear()
    gc.collect()


def epsilon() -> float:
    """The fuzz factor Keras adds to avoid division by zero (1e-7)."""
    return _EPSILON[0]


def set_epsilon(value: float) -> None:
    _EPSILON[0] = float(value)


def floatx() -> str:
    """The default float type, as a string (torch's default dtype: ``'float32'``)."""
    return str(torch.get_default_dtype()).replace("torch.", "")


def set_floatx(value: str) -> None:
    """Set torch's default float dtype (``'float16'``, ``'float32'`` or ``'float64'``)."""
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"set_floatx: unknown float type {value!r}; use 'float16', 'float32' "
                         "or 'float64'")
    torch.set_default_dtype(getattr(torch, value))


def image_data_format() -> str:
    return "channels_last"


def backend() -> str:
    return "torch"


def get_value(x):
    """A NumPy value for a tensor, or the number for a learning rate / plain number."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    if isinstance(x, float):  # a learning rate read from an optimizer is a float
        return float(x)
    if isinstance(x, (numbers.Number, np.ndarray)):
        return x
    raise TypeError(f"get_value takes a tensor or a number (e.g. model.optimizer.lr), got "
                    f"{type(x).__name__}")


def set_value(x, value) -> None:
    """Set a learning rate read from an optimizer (``model.optimizer.lr`` or
    ``.learning_rate``), or copy `value` into a tensor in place."""
    if hasattr(x, "assign") and hasattr(x, "_optimizer"):
        x.assign(value)
        return
    if isinstance(x, torch.Tensor):
        with torch.no_grad():
            x.copy_(torch.as_tensor(np.asarray(value), dtype=x.dtype))
        return
    raise TypeError(f"set_value can change an optimizer's learning rate (pass "
                    f"model.optimizer.lr or model.optimizer.learning_rate) or a tensor, got "
                    f"{type(x).__name__} {x!r}: a plain number cannot be changed in place; "
                    "set model.optimizer.learning_rate = value instead")


def int_shape(x) -> tuple:
    """The shape as a tuple of ints (None where unknown, for symbolic tensors)."""
    shape = getattr(x, "shape", None)
    if shape is None:
        raise TypeError(f"int_shape takes a tensor or array, got {type(x).__name__}")
    return tuple(None if d is None else int(d) for d in shape)


def count_params(x) -> int:
    """The number of values in a tensor or weight (or in a built layer or model)."""
    if hasattr(x, "count_params"):
        return x.count_params()
    return int(np.prod(int_shape(x)))


_MISSING = {
    "function": "calling the model or layer (torch runs eagerly), e.g. "
                "seqlab.models.Model(model.inputs, layer_output)",
    "gradients": "torch.autograd.grad(loss, tensors)",
    "placeholder": "keras.Input(shape=...)",
    "variable": "torch.tensor(value, requires_grad=True)",
    "learning_phase": "the training= argument of a layer or model call",
    "set_learning_phase": "model.train() / model.eval(), or training= on calls",
    "get_session": "nothing: seqlab runs eagerly on PyTorch, there is no session",
    "set_session": "nothing: seqlab runs eagerly on PyTorch, there is no session",
}
_OPS = ("mean", "sum", "max", "min", "abs", "square", "sqrt", "exp", "log", "clip", "cast",
        "dot", "reshape", "concatenate", "stack", "expand_dims", "squeeze", "round", "sign",
        "pow", "softmax", "sigmoid", "tanh", "relu", "binary_crossentropy",
        "categorical_crossentropy", "zeros", "ones", "random_normal", "random_uniform")
_MISSING.update({name: f"the torch function of that name on tensors (torch.{name}, or a "
                       "seqlab.models.losses class for the losses)" for name in _OPS})

__getattr__, __dir__ = namespace(__name__, missing=_MISSING)
