"""Text preprocessing with the exact behaviour of Keras 2's ``keras.preprocessing``.

``Tokenizer``/``tokenizer_from_json``, ``pad_sequences``, ``text_to_word_sequence``,
``one_hot``/``hashing_trick`` (deterministic: MD5 instead of Python's salted hash),
``to_categorical``, n-gram helpers, and ``strings`` (``tf.strings``' operations for custom
TextVectorization standardizers); beyond Keras, ``SubwordTokenizer`` (SentencePiece
pieces, the ``subword`` extra) and ``KoreanAnalyzer``/``korean_morphemes`` (Kiwi morphemes,
the ``korean`` extra). Nothing here imports torch.
"""
from . import strings
from ._categorical import to_categorical
from ._hashing import hashing_trick, one_hot
from ._korean import KoreanAnalyzer, korean_morphemes
from ._ngrams import add_ngrams, char_ngrams, ngram_index, ngrams, word_ngrams
from ._padding import pad_sequences
from ._subword import SubwordTokenizer
from ._tokenizer import Tokenizer
from ._tokenizer_json import tokenizer_from_json
from ._words import DEFAULT_FILTERS, text_to_word_sequence

__all__ = [
    "DEFAULT_FILTERS",
    "KoreanAnalyzer",
    "SubwordTokenizer",
    "Tokenizer",
    "add_ngrams",
    "char_ngrams",
    "hashing_trick",
    "korean_morphemes",
    "ngram_index",
    "ngrams",
    "one_hot",
    "pad_sequences",
    "strings",
    "text_to_word_sequence",
    "to_categorical",
    "tokenizer_from_json",
    "word_ngrams",
]
