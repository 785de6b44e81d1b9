"""``tf.strings``: seqlab's string functions for custom ``standardize`` callables
(``seqlab.text.strings``: ``lower``, ``regex_replace``, ...), found when used."""
from ..keras._lazy import namespace

_MISSING = {name: "Python's str methods and re.sub on each text" for name in (
    "lower", "upper", "regex_replace", "strip", "split", "join", "length", "substr",
    "reduce_join", "unicode_split", "to_number", "as_string")}

__getattr__, __dir__ = namespace(__name__, ("seqlab.text.strings",), missing=_MISSING)
