"""``keras.activations``: activation functions by Keras name, and ``get``.

``hard_sigmoid`` here is Keras 2's ``0.2 x + 0.5`` (clipped), as ``'hard_sigmoid'``
given to a layer of ``seqlab.keras.layers`` (see there); ``seqlab.layers.activations``
keeps Keras 3's."""
from ..layers import activations as _activations
from ._lazy import namespace

hard_sigmoid = _activations.hard_sigmoid_keras2


def get(identifier):
    """``seqlab.layers.activations.get``, with ``'hard_sigmoid'`` read as Keras 2's."""
    return _activations.get("hard_sigmoid_keras2" if identifier == "hard_sigmoid" else identifier)


def serialize(function):
    """The Keras name of an activation function (None for one of your own)."""
    return _activations.name_of(function)


def deserialize(name):
    return get(name)


__getattr__, __dir__ = namespace(__name__, extra=lambda name: _activations.ACTIVATIONS.get(name))
