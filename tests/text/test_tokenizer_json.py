"""to_json / tokenizer_from_json: Keras 2's JSON format, both directions."""
import json

import pytest

from seqlab.text import Tokenizer, tokenizer_from_json

# Tokenizer().fit_on_texts(["b a b"]).to_json(), written out by hand in Keras's layout:
# the count maps are JSON strings inside the JSON, integer keys become strings.
EXPECTED_JSON = (
    r'{"class_name": "Tokenizer", "config": {"num_words": null, '
    r'"filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": true, "split": " ", '
    r'"char_level": false, "oov_token": null, "document_count": 1, '
    r'"word_counts": "{\"b\": 2, \"a\": 1}", "word_docs": "{\"b\": 1, \"a\": 1}", '
    r'"index_docs": "{\"1\": 1, \"2\": 1}", "index_word": "{\"1\": \"b\", \"2\": \"a\"}", '
    r'"word_index": "{\"b\": 1, \"a\": 2}"}}'
)

# What Keras 2 writes for Tokenizer(num_words=3, oov_token="<OOV>") fitted on ["x y y"]
# (its word_docs order comes from a set, so it may differ from seqlab's).
KERAS_JSON = (
    r'{"class_name": "Tokenizer", "config": {"num_words": 3, '
    r'"filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", "lower": true, "split": " ", '
    r'"char_level": false, "oov_token": "<OOV>", "document_count": 1, '
    r'"word_counts": "{\"x\": 1, \"y\": 2}", "word_docs": "{\"y\": 1, \"x\": 1}", '
    r'"index_docs": "{\"2\": 1, \"3\": 1}", '
    r'"index_word": "{\"1\": \"<OOV>\", \"2\": \"y\", \"3\": \"x\"}", '
    r'"word_index": "{\"<OOV>\": 1, \"y\": 2, \"x\": 3}"}}'
)


def test_to_json_writes_keras_format_exactly():
    assert Tokenizer().fit_on_texts(["b a b"]).to_json() == EXPECTED_JSON


def test_reads_keras_json():
    tokenizer = tokenizer_from_json(KERAS_JSON)
    assert tokenizer.num_words == 3 and tokenizer.oov_token == "<OOV>"
    assert list(tokenizer.word_counts.items()) == [("x", 1), ("y", 2)]
    assert tokenizer.index_word == {1: "<OOV>", 2: "y", 3: "x"}
    assert dict(tokenizer.index_docs) == {2: 1, 3: 1}
    assert tokenizer.texts_to_sequences(["x y z"]) == [[1, 2, 1]]
    tokenizer.fit_on_texts(["z"])  # a loaded tokenizer keeps learning
    assert tokenizer.word_index == {"<OOV>": 1, "y": 2, "x": 3, "z": 4}
    assert tokenizer.document_count == 2


def test_round_trip_keeps_everything():
    original = Tokenizer(num_words=50, oov_token="<?>", char_level=False, split=" ")
    original.fit_on_texts(["Café au lait!", "the café", "Ünïcödé text"])
    original.fit_on_sequences([[1, 2], [3]])
    loaded = tokenizer_from_json(original.to_json(indent=2))
    for name in ("word_counts", "word_docs", "word_index", "index_word", "index_docs"):
        assert list(getattr(loaded, name).items()) == list(getattr(original, name).items())
    assert loaded.get_config() == original.get_config()
    assert loaded.texts_to_sequences(["café text"]) == original.texts_to_sequences(["café text"])
    config = json.loads(original.to_json())["config"]
    assert config["word_index"].isascii()  # non-ASCII escaped, as Keras's json.dumps does
    assert json.loads(config["word_index"])["café"] == original.word_index["café"]


def test_analyzer_is_not_saved_but_can_be_given_back():
    tokenizer = Tokenizer(analyzer=str.split).fit_on_texts(["A b"])
    with pytest.warns(UserWarning, match="analyzer is not saved"):
        saved = tokenizer.to_json()
    assert tokenizer_from_json(saved, analyzer=str.split).texts_to_sequences(["b A"]) == [[2, 1]]


def test_num_words_zero_in_keras_json_means_no_limit():
    saved = KERAS_JSON.replace('"num_words": 3', '"num_words": 0')
    assert tokenizer_from_json(saved).num_words is None


@pytest.mark.parametrize("text, message", [
    ("{not json", "not a Tokenizer JSON string"),
    ('{"class_name": "Tokenizer"}', "no 'config' object"),
    ('[1, 2]', "no 'config' object"),
    ('{"config": {"word_index": "{broken"}}', r"config\['word_index'\] is not a JSON object"),
    ('{"config": {"vocabulary": 5}}', "Unrecognized keyword arguments"),
    ('{"config": {"num_words": -3}}', "num_words must be"),
])
def test_bad_json_is_explained(text, message):
    with pytest.raises(ValueError, match=message):
        tokenizer_from_json(text)
