"""``keras.initializers``: seqlab's initializers (``seqlab.layers.initializers``), by
class name (``GlorotUniform``) or Keras 2's snake-case class names (``glorot_uniform``)."""
from ..layers import initializers as _initializers
from ._lazy import namespace


def _snake_case_class(name):
    camel = "".join(part.capitalize() for part in name.split("_"))
    found = getattr(_initializers, camel, None)
    return found if isinstance(found, type) else None


__getattr__, __dir__ = namespace(__name__, ("seqlab.layers.initializers",),
                                 extra=_snake_case_class)
