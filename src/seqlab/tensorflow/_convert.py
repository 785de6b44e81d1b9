"""How ``seqlab.tensorflow``'s ops read their arguments: values, dtypes, shapes and axes.

Values become torch tensors: a torch tensor stays itself, a NumPy array keeps its dtype (a
copy, as ``tf.convert_to_tensor`` copies), Python numbers and lists take TensorFlow's
defaults (floats float32, ints int32) or, beside a tensor in the same call, that tensor's
dtype (as TensorFlow converts ``tf.minimum(x, 0)``'s ``0`` to ``x.dtype``). A list holding
tensors is packed (``[batch_size, 1, 1]``). New tensors go to the first tensor's device.
"""
from __future__ import annotations

import numpy as np
import torch

from ..layers import SymbolicTensor

_NAMES = {"bool": torch.bool, "bfloat16": torch.bfloat16, "half": torch.float16,
          "float": torch.float32, "double": torch.float64}


def torch_dtype(dtype, op="tf op"):
    """``"int32"``, ``np.int32``, ``np.dtype("int32")``, ``tf.int32`` or ``torch.int32`` ->
    ``torch.int32``; None stays None."""
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    name = dtype if isinstance(dtype, str) else None
    if name is None:
        try:
            name = np.dtype(dtype).name
        except TypeError:
            name = str(dtype)
    name = name.removeprefix("tf.").removeprefix("torch.")
    if name in _NAMES:
        return _NAMES[name]
    found = getattr(torch, name, None)
    if isinstance(found, torch.dtype):
        return found
    if name in ("str", "string", "object") or name.startswith(("<U", "str")):
        raise TypeError(f"{op}: dtype={dtype!r} is a string type; seqlab's tf ops work on "
                        f"numbers (torch tensors). Texts go through TextVectorization or "
                        f"tf.strings")
    raise TypeError(f"{op}: unknown dtype={dtype!r}; use a name such as 'int32', 'float32', "
                    f"'bool', or tf.int32 / np.int32 / torch.int32")


def _default(array):
    if array.dtype == np.float64:
        return array.astype(np.float32)  # Python floats are float32 in TensorFlow
    if array.dtype == np.int64:
        return array.astype(np.int32)  # and Python ints int32
    return array


def tensor(value, dtype=None, hint=None, device=None, op="tf op"):
    """`value` as a torch tensor (see the module docstring); `dtype` casts, `hint` is the
    dtype a Python value takes when it fits."""
    dtype = torch_dtype(dtype, op)
    if isinstance(value, torch.Tensor):
        return value if dtype is None else value.to(dtype)
    if isinstance(value, SymbolicTensor):
        raise TypeError(f"{op} got {value!r}, a placeholder from Input(...) with no values: "
                        f"TensorFlow ops run inside a layer's call() here (write a Layer "
                        f"subclass or a layers.Lambda), on the tensors it receives")
    if isinstance(value, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in
                                                _flat(value)):
        parts = tensors(*value, op=op)
        packed = torch.stack(parts) if parts else torch.zeros(0)
        return packed if dtype is None else packed.to(dtype)
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.array(value)  # a copy, contiguous
    else:
        try:
            array = np.array(value)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{op} cannot make a tensor of {value!r}: {error}") from None
        if dtype is None and hint is not None and array.dtype.kind in "biuf":
            if _fits(array.dtype, hint):
                dtype = hint
        if dtype is None:
            array = _default(array)
    if array.dtype.kind not in "biufc":
        raise TypeError(f"{op} cannot make a tensor of {value!r} (NumPy dtype "
                        f"{array.dtype}): seqlab's tf ops take numbers and booleans")
    result = torch.from_numpy(array)
    if dtype is not None:
        result = result.to(dtype)
    return result if device is None else result.to(device)


def _fits(kind_of_value, hint):
    """A Python value of NumPy dtype `kind_of_value` takes dtype `hint` (TensorFlow refuses
    a float for an int tensor; seqlab keeps the float then, and torch promotes)."""
    if hint == torch.bool:
        return kind_of_value.kind == "b"
    if hint.is_floating_point or hint.is_complex:
        return kind_of_value.kind in "biuf"
    return kind_of_value.kind in "biu"


def _flat(values):
    for value in values:
        if isinstance(value, (list, tuple)):
            yield from _flat(value)
        else:
            yield value


def tensors(*values, op="tf op"):
    """Several values as tensors together: Python values take the first tensor's (or NumPy
    array's) dtype when it fits, and every new tensor goes to the first tensor's device."""
    hint = device = None
    for value in _flat(values):
        if isinstance(value, torch.Tensor):
            hint = value.dtype if hint is None else hint
            device = value.device
            break
        if hint is None and isinstance(value, (np.ndarray, np.generic)) and \
                value.dtype.kind in "biuf":
            hint = torch_dtype(value.dtype)
    return [tensor(value, hint=hint, device=device, op=op) for value in values]


def integer(value, what="value", op="tf op"):
    """A Python int from an int, a NumPy integer or a one-element integer tensor."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1 or value.is_floating_point() or value.dtype == torch.bool:
            raise TypeError(f"{op}: {what} must be one integer, got a tensor of shape "
                            f"{tuple(value.shape)} and dtype {value.dtype}")
        return int(value.reshape(()).item())
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iu":
        return int(value.reshape(()))
    raise TypeError(f"{op}: {what} must be an integer, got {value!r}")


def shape(value, op="tf op"):
    """A shape as a tuple of ints: an int, a list of ints or 0-d tensors, a 1-D tensor or
    array (``tf.shape(x)``'s result)."""
    if isinstance(value, (torch.Tensor, np.ndarray)):
        if value.ndim > 1:
            raise ValueError(f"{op}: a shape must be 1-D, got one of shape {tuple(value.shape)}")
        value = value.reshape(-1).tolist()
    if isinstance(value, (list, tuple, torch.Size)):
        return tuple(integer(v, "each size of a shape", op) for v in value)
    return (integer(value, "a shape", op),)


def axes(value, op="tf op"):
    """An axis argument: None, an int, or several (list, tuple, 1-D tensor) as a tuple."""
    if value is None:
        return None
    if isinstance(value, (torch.Tensor, np.ndarray)) and value.ndim == 0:
        return integer(value, "axis", op)
    if isinstance(value, (list, tuple, torch.Tensor, np.ndarray)):
        return shape(value, op)
    return integer(value, "axis", op)
