"""``SubwordTokenizer``: subword units learned with SentencePiece, behind the Tokenizer's API.

SentencePiece (Kudo & Richardson 2018) learns a unigram language model (Kudo 2018) or BPE
pieces from raw text, with no pre-splitting into words, so it suits languages whose words
are not separated by spaces consistently (Korean reviews often have none) as well as
English. ``byte_fallback`` spells any character absent from the vocabulary as its UTF-8
bytes (256 reserved pieces), so no text is ever unencodable and decoding gives it back.

Ids, as an ``Embedding(mask_zero=True)`` fed by ``pad_sequences`` needs them:

    0        padding (never produced by encoding)
    1        the unknown piece (only for ids that no piece has; rare with byte fallback)
    2..257   the bytes <0x00> .. <0xFF>
    258..    the learned pieces, most useful first

Training is deterministic: one thread, the whole corpus (no sampling) and a fixed random
seed, so the same texts give the same model bytes in any process.
"""
from __future__ import annotations

import base64
import io
import json

PAD_ID, UNK_ID = 0, 1
MODEL_TYPES = ("unigram", "bpe")
_INSTALL = 'pip install "seqlab[subword]"'


def _sentencepiece():
    try:
        import sentencepiece
    except ImportError:
        raise ImportError("SubwordTokenizer needs the sentencepiece package: "
                          f"{_INSTALL}") from None
    return sentencepiece


class SubwordTokenizer:
    """Texts to subword ids and back, learned from the training texts.

    Args:
        num_words: the vocabulary size, padding, the unknown piece and the 256 byte pieces
            included (so at least 300): ``vocab_size`` after fitting, the ``input_dim`` of
            the Embedding. A corpus too small for it gets fewer pieces.
        model_type: ``"unigram"`` (SentencePiece's default) or ``"bpe"``.
        lower: lowercase texts before training and encoding.
        character_coverage: share of the characters kept as pieces of their own; the rarest
            rest are spelled as bytes (0.9995 is SentencePiece's advice for Korean, Chinese
            and Japanese; 1.0 for small alphabets).
        seed: the random seed of training.

    >>> tokenizer = SubwordTokenizer(num_words=300).fit_on_texts(["low lower lowest"] * 20)
    >>> ids = tokenizer.texts_to_sequences(["lower"])
    >>> tokenizer.sequences_to_texts(ids)
    ['lower']
    >>> min(ids[0]) > 1  # no padding, no unknown id
    True
    """

    def __init__(self, num_words=8000, model_type="unigram", lower=True,
                 character_coverage=0.9995, seed=0):
        if isinstance(num_words, bool) or not isinstance(num_words, int) or num_words < 300:
            raise ValueError(f"num_words must be an int >= 300 (it includes the 256 byte "
                             f"pieces), got {num_words!r}")
        if model_type not in MODEL_TYPES:
            raise ValueError(f"model_type must be one of {MODEL_TYPES}, got {model_type!r}")
        if not 0 < character_coverage <= 1:
            raise ValueError("character_coverage must be in (0, 1], got "
                             f"{character_coverage!r}")
        _sentencepiece()  # fail now, with the fix, rather than at fit_on_texts
        self.num_words = num_words
        self.model_type = model_type
        self.lower = lower
        self.character_coverage = character_coverage
        self.seed = seed
        self.oov_token = "<unk>"
        self.document_count = 0
        self._processor = None
        self._word_index = None

    # ------------------------------------------------------------------ info

    @property
    def vocab_size(self) -> int:
        """The number of ids (padding included): the Embedding's ``input_dim``."""
        return self._fitted().get_piece_size()

    @property
    def word_index(self) -> dict:
        """piece -> id (padding, which has no piece, is absent)."""
        processor = self._fitted()
        if self._word_index is None:
            self._word_index = {processor.id_to_piece(i): i
                                for i in range(1, processor.get_piece_size())}
        return dict(self._word_index)

    @property
    def index_word(self) -> dict:
        return {i: piece for piece, i in self.word_index.items()}

    def __repr__(self):
        size = self.vocab_size if self._processor is not None else "unfitted"
        return (f"SubwordTokenizer(num_words={self.num_words}, model_type={self.model_type!r}, "
                f"pieces={size}, documents={self.document_count})")

    # --------------------------------------------------------------- fitting

    def fit_on_texts(self, texts):
        """Learn the pieces from `texts` (replacing any earlier fit); returns self."""
        texts = [self._prepared(text) for text in _texts(texts, "fit_on_texts")]
        if not any(text.strip() for text in texts):
            raise ValueError(f"SubwordTokenizer.fit_on_texts got {len(texts)} texts with no "
                             "characters but spaces: give it the training texts")
        spm = _sentencepiece()
        spm.set_random_generator_seed(self.seed)
        model = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(texts), model_writer=model, vocab_size=self.num_words,
            model_type=self.model_type, character_coverage=self.character_coverage,
            byte_fallback=True, pad_id=PAD_ID, unk_id=UNK_ID, bos_id=-1, eos_id=-1,
            hard_vocab_limit=False, num_threads=1, input_sentence_size=0,
            shuffle_input_sentence=False, max_sentence_length=1 << 20,
            train_extremely_large_corpus=False, minloglevel=2)
        self._processor = spm.SentencePieceProcessor(model_proto=model.getvalue())
        self._word_index = None
        self.document_count = len(texts)
        return self

    # -------------------------------------------------------------- encoding

    def texts_to_sequences(self, texts) -> list[list[int]]:
        """Each text as a list of ids (never 0; an empty text gives ``[]``)."""
        texts = [self._prepared(text) for text in _texts(texts, "texts_to_sequences")]
        return [list(ids) for ids in self._fitted().encode(texts)]

    def sequences_to_texts(self, sequences) -> list[str]:
        """The texts of id sequences (padding ignored): ``texts_to_sequences`` undone, up to
        lowercasing and SentencePiece's NFKC normalisation and whitespace collapsing."""
        processor, size = self._fitted(), self.vocab_size
        texts = []
        for sequence in sequences:
            ids = [int(i) for i in sequence if int(i) != PAD_ID]
            bad = [i for i in ids if not 0 <= i < size]
            if bad:
                raise ValueError(f"sequences_to_texts got id {bad[0]}: ids run from 0 to "
                                 f"{size - 1} (vocab_size {size})")
            texts.append(processor.decode(ids))
        return texts

    def tokenize(self, text) -> list[str]:
        """The pieces of one text (``▁`` marks the start of a word)."""
        return self._fitted().encode(self._prepared(text), out_type=str)

    # ---------------------------------------------------------------- saving

    def get_config(self) -> dict:
        return {"num_words": self.num_words, "model_type": self.model_type,
                "lower": self.lower, "character_coverage": self.character_coverage,
                "seed": self.seed}

    def to_json(self, **kwargs) -> str:
        """The settings and the trained SentencePiece model (base64) as JSON; read it back
        with ``tokenizer_from_json`` (or ``SubwordTokenizer.from_json``)."""
        model = base64.b64encode(self._fitted().serialized_model_proto()).decode("ascii")
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config(),
                           "document_count": self.document_count, "model": model}, **kwargs)

    @classmethod
    def from_json(cls, json_string):
        saved = json.loads(json_string) if isinstance(json_string, str) else json_string
        if not isinstance(saved, dict) or saved.get("class_name") != cls.__name__ \
                or "model" not in saved:
            raise ValueError("SubwordTokenizer.from_json: not the output of "
                             "SubwordTokenizer.to_json()")
        tokenizer = cls(**saved["config"])
        proto = base64.b64decode(saved["model"])
        tokenizer._processor = _sentencepiece().SentencePieceProcessor(model_proto=proto)
        tokenizer.document_count = int(saved.get("document_count", 0))
        return tokenizer

    # --------------------------------------------------------------- helpers

    def _prepared(self, text) -> str:
        if not isinstance(text, str):
            raise TypeError(f"SubwordTokenizer takes texts (str), got {type(text).__name__}: "
                            f"{text!r:.60}")
        return text.lower() if self.lower else text

    def _fitted(self):
        if self._processor is None:
            raise ValueError("This SubwordTokenizer has no vocabulary yet: call "
                             "fit_on_texts(texts) first.")
        return self._processor


def _texts(texts, method):
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"SubwordTokenizer.{method} takes a list of texts; for one text pass "
                        "[text]")
    return list(texts)
