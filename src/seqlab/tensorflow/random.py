"""``tf.random``: ``set_seed`` (``seqlab.set_seed``)."""
from .. import set_seed
from ..keras._lazy import namespace

_MISSING = {name: "numpy.random.default_rng(seed) or torch's random functions (torch.randn, "
                  "torch.rand, torch.randint)" for name in (
    "normal", "uniform", "shuffle", "categorical", "Generator", "truncated_normal")}

__all__ = ["set_seed"]
__getattr__, __dir__ = namespace(__name__, missing=_MISSING)
