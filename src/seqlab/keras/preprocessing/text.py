"""``keras.preprocessing.text``: Keras 2's ``Tokenizer``, ``tokenizer_from_json``,
``one_hot``, ``hashing_trick``, ``text_to_word_sequence`` (``seqlab.text``)."""
from ...text import Tokenizer, hashing_trick, one_hot, text_to_word_sequence, tokenizer_from_json
from .._lazy import namespace

__all__ = ["Tokenizer", "hashing_trick", "one_hot", "text_to_word_sequence", "tokenizer_from_json"]
__getattr__, __dir__ = namespace(__name__, ("seqlab.text",))
