"""``keras.losses``: seqlab's losses (``seqlab.models.losses``).

Keras's loss functions by their snake-case names (``keras.losses.binary_crossentropy``,
``mse``, ...) are the named loss objects, so ``compile(loss=keras.losses.mse)`` works and
logs Keras's name; called directly they return the mean over the batch (Keras's
functions return one loss per sample: use ``loss.elementwise(y_true, y_pred)`` for that).
"""
from ..models import losses as _losses
from ._lazy import namespace


def _named_loss(name):
    if not name.islower():
        return None
    try:
        return _losses.get(name)
    except ValueError:
        return None


__getattr__, __dir__ = namespace(__name__, ("seqlab.models.losses",), extra=_named_loss)
