"""TensorFlow's ops that course and book code writes inside a layer's ``call``, on torch.

``tf.shape``, ``tf.range``, ``tf.cast``, ``tf.reshape``, ``tf.concat``, ``tf.tile``,
``tf.math.not_equal``, ``tf.reduce_sum``, ``tf.one_hot``, ... with TensorFlow's names,
arguments, defaults and results, computed by torch: they take torch tensors, NumPy arrays,
lists and numbers (see ``_convert``) and return torch tensors, so gradients flow through
them. Where TensorFlow refuses mixed dtypes (``int32`` with ``int64``), torch's promotion
applies. ``tf.shape(x)`` is a 1-D ``int32`` tensor on the CPU, so ``tf.shape(x)[-1]``
feeds ``tf.range``, ``tf.reshape`` and ``tf.tile``.

>>> import seqlab.tensorflow as tf
>>> tf.range(3, 18, 3).tolist()
[3, 6, 9, 12, 15]
>>> tf.cast(tf.range(3)[:, tf.newaxis] >= tf.range(3), "int32").tolist()
[[1, 0, 0], [1, 1, 0], [1, 1, 1]]
"""
from __future__ import annotations

import numpy as np
import torch

from ._convert import axes, integer, shape as _shape, tensor, tensors, torch_dtype

newaxis = None

__all__ = [
    "newaxis", "shape", "size", "rank", "range", "cast", "reshape", "concat", "stack",
    "expand_dims", "squeeze", "tile", "transpose", "matmul", "where", "gather", "one_hot",
    "sequence_mask", "zeros", "ones", "zeros_like", "ones_like", "fill", "identity",
    "reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_any",
    "reduce_all", "argmax", "argmin", "abs", "square", "sqrt", "exp", "log", "tanh",
    "sigmoid", "negative", "add", "subtract", "multiply", "divide", "pow", "minimum",
    "maximum", "equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
    "logical_and", "logical_or", "logical_not",
]  # and softmax, relu: tf.nn's (and tf.math.softmax), not top-level names in TensorFlow

_builtin_range = range


# ---------------------------------------------------------------- shapes and making tensors

def shape(input, out_type="int32", name=None):  # noqa: A002 (TensorFlow's names)
    """``tf.shape``: the sizes of `input` as a 1-D integer tensor (on the CPU)."""
    is_array = isinstance(input, (torch.Tensor, np.ndarray))
    sizes = input.shape if is_array else tensor(input, op="tf.shape").shape
    return torch.tensor(list(sizes), dtype=torch_dtype(out_type, "tf.shape"))


def size(input, out_type="int32", name=None):  # noqa: A002
    """``tf.size``: the number of elements, a 0-d integer tensor."""
    return torch.tensor(tensor(input, op="tf.size").numel(), dtype=torch_dtype(out_type))


def rank(input, name=None):  # noqa: A002
    """``tf.rank``: the number of dimensions, a 0-d int32 tensor."""
    return torch.tensor(tensor(input, op="tf.rank").ndim, dtype=torch.int32)


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001
    """``tf.range(limit)`` or ``tf.range(start, limit, delta)``: int32 unless an argument
    is a float (then float32) or `dtype` says.

    >>> range(3, 1, -0.5).tolist()
    [3.0, 2.5, 2.0, 1.5]
    """
    if limit is None:
        start, limit = 0, start
    values = [v.reshape(()) if isinstance(v, torch.Tensor) else v for v in (start, limit, delta)]
    kinds = tensors(*values, op="tf.range")
    result_dtype = torch_dtype(dtype, "tf.range")
    if result_dtype is None:  # int32 for Python ints, float32 if one is a float
        result_dtype = torch.promote_types(torch.promote_types(kinds[0].dtype, kinds[1].dtype),
                                           kinds[2].dtype)
    numbers = [t.item() for t in kinds]
    if numbers[2] == 0:
        raise ValueError("tf.range: delta must not be 0")
    return torch.arange(*numbers, dtype=result_dtype)


def cast(x, dtype, name=None):
    """``tf.cast``: booleans become 0/1, floats to integers truncate toward zero."""
    return tensor(x, op="tf.cast").to(torch_dtype(dtype, "tf.cast"))


def zeros(shape, dtype="float32", name=None):  # noqa: A002
    """``tf.zeros``: float32 unless `dtype` says."""
    return torch.zeros(_shape(shape, "tf.zeros"), dtype=torch_dtype(dtype, "tf.zeros"))


def ones(shape, dtype="float32", name=None):
    """``tf.ones``: float32 unless `dtype` says."""
    return torch.ones(_shape(shape, "tf.ones"), dtype=torch_dtype(dtype, "tf.ones"))


def fill(dims, value, name=None):
    """``tf.fill``: `dims` filled with `value` (its dtype: float32 for a Python float)."""
    value = tensor(value, op="tf.fill")
    return torch.full(_shape(dims, "tf.fill"), value.item(), dtype=value.dtype)


def zeros_like(input, dtype=None, name=None):  # noqa: A002
    """``tf.zeros_like``: zeros of `input`'s shape and dtype (or `dtype`)."""
    return torch.zeros_like(tensor(input, op="tf.zeros_like"), dtype=torch_dtype(dtype))


def ones_like(input, dtype=None, name=None):  # noqa: A002
    """``tf.ones_like``: ones of `input`'s shape and dtype (or `dtype`)."""
    return torch.ones_like(tensor(input, op="tf.ones_like"), dtype=torch_dtype(dtype))


def identity(input, name=None):  # noqa: A002
    """``tf.identity``: the same values (a tensor)."""
    return tensor(input, op="tf.identity")


# ---------------------------------------------------------------- rearranging

def reshape(tensor_, shape, name=None):
    """``tf.reshape``: one size may be -1."""
    return tensor(tensor_, op="tf.reshape").reshape(_shape(shape, "tf.reshape"))


def concat(values, axis, name="concat"):
    """``tf.concat``: joined along an existing `axis`; NumPy arrays and lists become
    tensors of the other values' dtype."""
    return torch.cat(tensors(*values, op="tf.concat"), dim=integer(axis, "axis", "tf.concat"))


def stack(values, axis=0, name="stack"):
    """``tf.stack``: joined along a new `axis`."""
    return torch.stack(tensors(*values, op="tf.stack"), dim=integer(axis, "axis", "tf.stack"))


def expand_dims(input, axis, name=None):  # noqa: A002
    """``tf.expand_dims``: a size-1 dimension inserted at `axis`."""
    return tensor(input, op="tf.expand_dims").unsqueeze(integer(axis, "axis", "tf.expand_dims"))


def squeeze(input, axis=None, name=None):  # noqa: A002
    """``tf.squeeze``: size-1 dimensions removed (all, or those of `axis`, which must be 1)."""
    x = tensor(input, op="tf.squeeze")
    axis = axes(axis, "tf.squeeze")
    if axis is None:
        return x.squeeze()
    axis = (axis,) if isinstance(axis, int) else axis
    for a in axis:
        if x.shape[a] != 1:
            raise ValueError(f"tf.squeeze: cannot squeeze axis {a} of size {x.shape[a]} "
                             f"(shape {tuple(x.shape)}); only size-1 dimensions can be")
    return x.squeeze(axis)


def tile(input, multiples, name=None):  # noqa: A002
    """``tf.tile``: repeated `multiples[i]` times along axis i (one multiple per axis)."""
    x = tensor(input, op="tf.tile")
    multiples = _shape(multiples, "tf.tile")
    if len(multiples) != x.ndim:
        raise ValueError(f"tf.tile: multiples={list(multiples)} has {len(multiples)} values for "
                         f"an input of {x.ndim} dimensions (shape {tuple(x.shape)}); give one "
                         f"per dimension")
    return x.repeat(*multiples) if multiples else x.clone()


def transpose(a, perm=None, conjugate=False, name="transpose"):
    """``tf.transpose``: dimensions in the order `perm` (reversed by default)."""
    x = tensor(a, op="tf.transpose")
    perm = tuple(_builtin_range(x.ndim - 1, -1, -1)) if perm is None else _shape(perm)
    x = x.permute(perm)
    return x.conj() if conjugate else x


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None):
    """``tf.matmul``: the product of the last two dimensions (rank 2 or more, batch
    dimensions broadcast)."""
    a, b = tensors(a, b, op="tf.matmul")
    for label, x in (("a", a), ("b", b)):
        if x.ndim < 2:
            raise ValueError(f"tf.matmul: {label} has shape {tuple(x.shape)}; it needs rank 2 "
                             f"or more (reshape a vector to (1, n) or (n, 1))")
    if transpose_a or adjoint_a:
        a = a.mT.conj() if adjoint_a else a.mT
    if transpose_b or adjoint_b:
        b = b.mT.conj() if adjoint_b else b.mT
    product = torch.matmul(a, b)
    return product if output_type is None else product.to(torch_dtype(output_type))


def where(condition, x=None, y=None, name=None):
    """``tf.where(condition, x, y)``: `x` where `condition`, else `y` (broadcast);
    ``tf.where(condition)``: the coordinates of the True values, int64 of shape (n, rank)."""
    condition = tensor(condition, op="tf.where")
    if x is None and y is None:
        return torch.nonzero(condition.bool())
    if x is None or y is None:
        raise ValueError("tf.where: give both x and y, or neither")
    x, y = tensors(x, y, op="tf.where")
    return torch.where(condition.to(x.device).bool(), x, y)


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """``tf.gather``: slices of `params` along `axis` (0) at `indices`; the result's shape
    is ``params.shape[:axis] + indices.shape + params.shape[axis + 1:]``."""
    params = tensor(params, op="tf.gather")
    indices = tensor(indices, device=params.device, op="tf.gather").long()
    if integer(batch_dims, "batch_dims", "tf.gather") != 0:
        raise NotImplementedError(f"tf.gather: batch_dims={batch_dims} is not in seqlab; use "
                                  f"torch.gather or take_along_dim")
    axis = 0 if axis is None else integer(axis, "axis", "tf.gather") % params.ndim
    size_ = params.shape[axis]
    if indices.numel() and (indices.min() < 0 or indices.max() >= size_):
        raise IndexError(f"tf.gather: indices must be in [0, {size_}) for axis {axis} of a "
                         f"{tuple(params.shape)} tensor, got {indices.min().item()}.."
                         f"{indices.max().item()}")
    picked = params.index_select(axis, indices.reshape(-1))
    return picked.reshape(params.shape[:axis] + indices.shape + params.shape[axis + 1:])


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """``tf.one_hot``: a new axis (last by default) of `depth` values, `on_value` (1) at
    each index and `off_value` (0) elsewhere; an index outside [0, depth) gives all off."""
    indices = tensor(indices, op="tf.one_hot").long()
    depth = integer(depth, "depth", "tf.one_hot")
    dtype = torch_dtype(dtype, "tf.one_hot")
    given = [tensor(v) for v in (on_value, off_value) if v is not None]
    if dtype is None:
        dtype = given[0].dtype if given else torch.float32
    on = 1 if on_value is None else tensor(on_value).item()
    off = 0 if off_value is None else tensor(off_value).item()
    hits = indices.unsqueeze(-1) == torch.arange(depth, device=indices.device)
    result = torch.where(hits, torch.tensor(on, dtype=dtype), torch.tensor(off, dtype=dtype))
    if axis is not None and axis != -1:
        result = result.movedim(-1, integer(axis, "axis", "tf.one_hot"))
    return result


def sequence_mask(lengths, maxlen=None, dtype="bool", name=None):
    """``tf.sequence_mask``: ``mask[..., j] = j < lengths[...]``, `maxlen` columns (the
    largest length by default)."""
    lengths = tensor(lengths, op="tf.sequence_mask")
    maxlen = int(lengths.max().item()) if maxlen is None else integer(maxlen, "maxlen")
    mask = torch.arange(maxlen, device=lengths.device) < lengths.unsqueeze(-1)
    return mask.to(torch_dtype(dtype, "tf.sequence_mask"))


# ---------------------------------------------------------------- reductions

def _reduce(function, op):
    def reduce(input_tensor, axis=None, keepdims=False, name=None):
        x = tensor(input_tensor, op=op)
        dims = axes(axis, op)
        dims = tuple(_builtin_range(x.ndim)) if dims is None else (
            dims if isinstance(dims, tuple) else (dims,))
        if not dims:  # nothing to reduce (a 0-d input, or axis=[])
            return function(x.unsqueeze(0), (0,), False)
        return function(x, dims, bool(keepdims))
    reduce.__name__ = op.removeprefix("tf.")
    reduce.__doc__ = (f"``{op}(input_tensor, axis=None, keepdims=False)``: over all "
                      f"dimensions, or those of `axis`.")
    return reduce


def _sum(x, dims, keepdims):
    # TensorFlow keeps the dtype (torch sums int32 to int64); booleans count as int32
    return x.sum(dims, keepdim=keepdims).to(torch.int32 if x.dtype == torch.bool else x.dtype)


def _mean(x, dims, keepdims):
    if x.is_floating_point() or x.is_complex():
        return x.mean(dims, keepdim=keepdims)
    count = 1
    for d in dims:
        count *= x.shape[d]
    # TensorFlow's integer mean is the integer division of the sum (tf.reduce_mean([1, 0]) = 0)
    return torch.div(x.sum(dims, keepdim=keepdims), count, rounding_mode="trunc").to(x.dtype)


def _prod(x, dims, keepdims):
    dtype = x.dtype
    for d in sorted((d % x.ndim for d in dims), reverse=True):  # later axes first
        x = x.prod(d, keepdim=keepdims)
    return x.to(dtype)


reduce_sum = _reduce(_sum, "tf.reduce_sum")
reduce_mean = _reduce(_mean, "tf.reduce_mean")
reduce_max = _reduce(lambda x, d, k: x.amax(d, keepdim=k), "tf.reduce_max")
reduce_min = _reduce(lambda x, d, k: x.amin(d, keepdim=k), "tf.reduce_min")
reduce_prod = _reduce(_prod, "tf.reduce_prod")
reduce_any = _reduce(lambda x, d, k: x.bool().any(d, keepdim=k), "tf.reduce_any")
reduce_all = _reduce(lambda x, d, k: x.bool().all(d, keepdim=k), "tf.reduce_all")


def argmax(input, axis=None, output_type="int64", name=None):  # noqa: A002
    """``tf.argmax``: the index of the largest value along `axis` (0 by default)."""
    x = tensor(input, op="tf.argmax")
    axis = 0 if axis is None else integer(axis, "axis", "tf.argmax")
    return x.argmax(axis).to(torch_dtype(output_type))


def argmin(input, axis=None, output_type="int64", name=None):  # noqa: A002
    """``tf.argmin``: the index of the smallest value along `axis` (0 by default)."""
    x = tensor(input, op="tf.argmin")
    axis = 0 if axis is None else integer(axis, "axis", "tf.argmin")
    return x.argmin(axis).to(torch_dtype(output_type))


# ---------------------------------------------------------------- element by element

def _unary(function, op, floating=False):
    def unary(x, name=None):
        x = tensor(x, op=op)
        if floating and not (x.is_floating_point() or x.is_complex()):
            x = x.float()
        return function(x)
    unary.__name__ = op.rpartition(".")[2]
    unary.__doc__ = f"``{op}``, element by element."
    return unary


def _binary(function, op):
    def binary(x, y, name=None):
        return function(*tensors(x, y, op=op))
    binary.__name__ = op.rpartition(".")[2]
    binary.__doc__ = f"``{op}(x, y)``, element by element, broadcast."
    return binary


abs = _unary(torch.abs, "tf.abs")  # noqa: A001
square = _unary(torch.square, "tf.square")
negative = _unary(torch.neg, "tf.negative")
sqrt = _unary(torch.sqrt, "tf.sqrt", floating=True)
exp = _unary(torch.exp, "tf.exp", floating=True)
log = _unary(torch.log, "tf.log", floating=True)
tanh = _unary(torch.tanh, "tf.tanh", floating=True)
sigmoid = _unary(torch.sigmoid, "tf.sigmoid", floating=True)
relu = _unary(torch.relu, "tf.nn.relu")
logical_not = _unary(lambda x: ~x.bool(), "tf.logical_not")
add = _binary(torch.add, "tf.add")
subtract = _binary(torch.sub, "tf.subtract")
multiply = _binary(torch.mul, "tf.multiply")
divide = _binary(torch.true_divide, "tf.divide")
pow = _binary(torch.pow, "tf.pow")  # noqa: A001
minimum = _binary(torch.minimum, "tf.minimum")
maximum = _binary(torch.maximum, "tf.maximum")
equal = _binary(torch.eq, "tf.equal")
not_equal = _binary(torch.ne, "tf.not_equal")
greater = _binary(torch.gt, "tf.greater")
greater_equal = _binary(torch.ge, "tf.greater_equal")
less = _binary(torch.lt, "tf.less")
less_equal = _binary(torch.le, "tf.less_equal")
logical_and = _binary(lambda x, y: x.bool() & y.bool(), "tf.logical_and")
logical_or = _binary(lambda x, y: x.bool() | y.bool(), "tf.logical_or")


def softmax(logits, axis=None, name=None):
    """``tf.nn.softmax``: exponentials normalized along `axis` (the last by default)."""
    x = tensor(logits, op="tf.nn.softmax")
    return torch.softmax(x, dim=-1 if axis is None else integer(axis, "axis", "tf.nn.softmax"))
