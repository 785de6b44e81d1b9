"""``tf.nn``: ``softmax``, ``relu``, ``sigmoid``, ``tanh`` on torch tensors (see ``ops``)."""
from ..keras._lazy import namespace
from .ops import relu, sigmoid, softmax, tanh  # noqa: F401

__all__ = ["relu", "sigmoid", "softmax", "tanh"]
_MISSING = {name: f"torch.nn.functional.{target}" for name, target in (
    ("log_softmax", "log_softmax"), ("gelu", "gelu"), ("elu", "elu"), ("selu", "selu"),
    ("leaky_relu", "leaky_relu"), ("dropout", "dropout, or a layers.Dropout"),
    ("embedding_lookup", "embedding, or a layers.Embedding"),
    ("sparse_softmax_cross_entropy_with_logits", "cross_entropy"),
    ("softmax_cross_entropy_with_logits", "cross_entropy"),
    ("sigmoid_cross_entropy_with_logits", "binary_cross_entropy_with_logits"),
    ("conv1d", "conv1d, or a layers.Conv1D"), ("moments", "torch.var_mean"))}

__getattr__, __dir__ = namespace(__name__, missing=_MISSING)
