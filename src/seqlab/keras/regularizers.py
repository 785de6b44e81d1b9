"""``keras.regularizers``: seqlab has no weight regularizers (its layers take no
``kernel_regularizer``); every name raises an error pointing to decoupled weight decay."""
from ._lazy import namespace

_DECAY = ("weight_decay= on the optimizer (e.g. keras.optimizers.AdamW(weight_decay=1e-4), "
          "or Adam(weight_decay=...)), which shrinks every weight each step")
__getattr__, __dir__ = namespace(__name__, missing={name: _DECAY for name in (
    "l1", "l2", "l1_l2", "L1", "L2", "L1L2", "Regularizer", "OrthogonalRegularizer", "get")})
