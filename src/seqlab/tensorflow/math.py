"""``tf.math``: TensorFlow's element-wise functions, comparisons and reductions on torch
tensors (the same functions as ``tf.abs``, ``tf.reduce_sum``, ...; see ``ops``)."""
from ..keras._lazy import namespace
from .ops import (  # noqa: F401
    abs, add, argmax, argmin, divide, equal, exp, greater, greater_equal, less, less_equal,
    log, logical_and, logical_not, logical_or, maximum, minimum, multiply, negative,
    not_equal, pow, reduce_all, reduce_any, reduce_max, reduce_mean, reduce_min, reduce_prod,
    reduce_sum, sigmoid, softmax, sqrt, square, subtract, tanh,
)

__all__ = [
    "abs", "add", "argmax", "argmin", "divide", "equal", "exp", "greater", "greater_equal",
    "less", "less_equal", "log", "logical_and", "logical_not", "logical_or", "maximum",
    "minimum", "multiply", "negative", "not_equal", "pow", "reduce_all", "reduce_any",
    "reduce_max", "reduce_mean", "reduce_min", "reduce_prod", "reduce_sum", "sigmoid",
    "softmax", "sqrt", "square", "subtract", "tanh",
]
_MISSING = {name: f"torch.{target}" for name, target in (
    ("cumsum", "cumsum"), ("reduce_logsumexp", "logsumexp"), ("log1p", "log1p"),
    ("top_k", "topk"), ("floordiv", "div(x, y, rounding_mode='floor')"), ("round", "round"),
    ("sin", "sin"), ("cos", "cos"), ("reduce_std", "std(unbiased=False)"),
    ("reduce_variance", "var(unbiased=False)"), ("confusion_matrix", "bincount"))}

__getattr__, __dir__ = namespace(__name__, missing=_MISSING)
