"""``keras.optimizers``: seqlab's optimizers with Keras's update rules
(``seqlab.models.optimizers``); Keras 2's ``lr=`` and ``decay=`` are accepted."""
from ._lazy import namespace

_OTHERS = ("Adam or RMSprop here, or any torch.optim optimizer, which compile accepts "
           "(e.g. torch.optim.{0}(model.parameters()) after building the model)")
_MISSING = {
    "Adadelta": _OTHERS.format("Adadelta"),
    "Adamax": _OTHERS.format("Adamax"),
    "Nadam": _OTHERS.format("NAdam"),
    "Ftrl": _OTHERS.format("Adagrad"),
    "Lion": _OTHERS.format("AdamW"),
    "schedules": "torch.optim.lr_scheduler on the bound optimizer, or ReduceLROnPlateau",
    "legacy": "the optimizers here, which take Keras 2's lr= and decay=",
}

__getattr__, __dir__ = namespace(__name__, ("seqlab.models.optimizers",), missing=_MISSING)
