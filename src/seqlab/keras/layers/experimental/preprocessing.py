"""``keras.layers.experimental.preprocessing``: TF 2.2-2.5's names of the preprocessing
layers (``TextVectorization``, ...), looked up in ``seqlab.layers``."""
from ..._lazy import namespace
from .. import _MISSING

__getattr__, __dir__ = namespace(__name__, ("seqlab.layers",), missing=_MISSING)
