"""SubwordTokenizer (SentencePiece behind the Tokenizer's API): round trips, byte fallback
for characters never seen in training, the id layout padding needs, saving, determinism
across processes, and the message when sentencepiece is missing."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from seqlab.text import SubwordTokenizer, pad_sequences, tokenizer_from_json

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ["the movie was great and the actors were great",
          "the film was terrible, a waste of time",
          "영화 정말 재미있다", "재미없는거같다 지루하다", "great great film"] * 30


@pytest.fixture(scope="module")
def fitted():
    return SubwordTokenizer(num_words=400).fit_on_texts(CORPUS)


def test_ids_leave_zero_for_padding_and_one_for_unknown(fitted):
    sequences = fitted.texts_to_sequences(CORPUS[:5])
    ids = np.concatenate(sequences)
    assert ids.min() >= 2 and ids.max() < fitted.vocab_size
    assert fitted.word_index["<unk>"] == 1 and 0 not in fitted.index_word
    # The 256 byte pieces come right after <unk>, in byte order.
    assert [fitted.index_word[i] for i in (2, 3, 257)] == ["<0x00>", "<0x01>", "<0xFF>"]
    padded = pad_sequences(sequences, maxlen=60)
    assert fitted.sequences_to_texts(padded[:1]) == fitted.sequences_to_texts(sequences[:1])


@pytest.mark.parametrize("text", ["the movie was great", "영화 정말 재미있다",
                                  "unseen WORDS: zebra quixotic", "☃ ünïcödé 中文 🙂 ok"])
def test_round_trip_text_ids_text(fitted, text):
    ids = fitted.texts_to_sequences([text])
    assert fitted.sequences_to_texts(ids) == [text.lower()]


def test_unseen_characters_are_spelled_as_their_utf8_bytes(fitted):
    pieces = fitted.tokenize("☃")  # U+2603, never in the corpus: e2 98 83 in UTF-8
    assert pieces == ["▁", "<0xE2>", "<0x98>", "<0x83>"]
    ids = fitted.texts_to_sequences(["☃"])[0]
    assert ids[1:] == [2 + 0xE2, 2 + 0x98, 2 + 0x83]  # byte b has id 2 + b
    assert 1 not in ids  # never the unknown id


def test_lower_false_keeps_case(tmp_path):
    tokenizer = SubwordTokenizer(num_words=300, lower=False).fit_on_texts(CORPUS)
    assert tokenizer.sequences_to_texts(tokenizer.texts_to_sequences(["Great FILM"])) == \
        ["Great FILM"]


def test_empty_text_gives_no_ids_and_a_corpus_of_spaces_is_refused(fitted):
    assert fitted.texts_to_sequences(["", "   "]) == [[], []]
    with pytest.raises(ValueError, match="2 texts with no characters but spaces"):
        SubwordTokenizer(num_words=300).fit_on_texts(["", "  "])


def test_bad_arguments_and_unfitted_use():
    with pytest.raises(ValueError, match=r"num_words must be an int >= 300.*got 100"):
        SubwordTokenizer(num_words=100)
    with pytest.raises(ValueError, match="model_type must be one of"):
        SubwordTokenizer(model_type="wordpiece")
    with pytest.raises(ValueError, match="call fit_on_texts"):
        SubwordTokenizer().texts_to_sequences(["a"])
    with pytest.raises(TypeError, match=r"for one text pass \[text\]"):
        SubwordTokenizer().fit_on_texts("one text")


def test_ids_out_of_range_are_named(fitted):
    with pytest.raises(ValueError, match=f"got id {fitted.vocab_size}"):
        fitted.sequences_to_texts([[2, fitted.vocab_size]])


def test_json_round_trip_through_tokenizer_from_json(fitted):
    saved = fitted.to_json()
    assert json.loads(saved)["class_name"] == "SubwordTokenizer"
    restored = tokenizer_from_json(saved)
    assert isinstance(restored, SubwordTokenizer)
    assert restored.get_config() == fitted.get_config()
    assert restored.texts_to_sequences(CORPUS[:5]) == fitted.texts_to_sequences(CORPUS[:5])
    assert restored.to_json() == saved


def test_bpe_works_too():
    tokenizer = SubwordTokenizer(num_words=320, model_type="bpe").fit_on_texts(CORPUS)
    assert tokenizer.sequences_to_texts(tokenizer.texts_to_sequences(CORPUS[:2])) == CORPUS[:2]


_TRAIN_IN_A_PROCESS = """
import hashlib, sys
from seqlab.text import SubwordTokenizer
texts = [f"review {i % 37} was {'good' if i % 3 else 'bad'} 영화{i % 11}" for i in range(400)]
tokenizer = SubwordTokenizer(num_words=320, seed=7).fit_on_texts(texts)
print(hashlib.sha256(tokenizer.to_json().encode()).hexdigest())
"""


def test_training_is_identical_in_two_processes():
    env = {"PYTHONPATH": str(ROOT / "src"), "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "random"}
    digests = [subprocess.run([sys.executable, "-c", _TRAIN_IN_A_PROCESS], env=env, check=True,
                              capture_output=True, text=True).stdout for _ in range(2)]
    assert digests[0] == digests[1] and len(digests[0].strip()) == 64


def test_missing_sentencepiece_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentencepiece", None)  # import raises ImportError
    with pytest.raises(ImportError, match=r'pip install "seqlab\[subword\]"'):
        SubwordTokenizer(num_words=300)
