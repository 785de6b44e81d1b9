"""save / load_model / save_weights / load_weights: one safetensors file, no pickle."""
import json

import numpy as np
import pytest
from safetensors import safe_open

import seqlab
from seqlab.layers import (
    GRU,
    LSTM,
    Bidirectional,
    Conv1D,
    Dense,
    Dropout,
    Embedding,
    GlobalMaxPooling1D,
    Input,
    TimeDistributed,
)
from seqlab.models import Model, Sequential, load_model, optimizers
from seqlab.text import Tokenizer

X = np.random.default_rng(0).integers(1, 40, size=(16, 7))
Y = (X[:, 0] > 20).astype("float32")


def trained_sequential():
    seqlab.set_seed(0)
    model = Sequential([Embedding(40, 6, mask_zero=True), Bidirectional(GRU(5)), Dropout(0.3),
                        Dense(4, activation="relu"), Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    return model


def test_sequential_round_trip_with_compile_state_and_tokenizer(tmp_path):
    model = trained_sequential()
    tokenizer = Tokenizer(num_words=40).fit_on_texts(["a b c", "b c d"])
    path = tmp_path / "model.safetensors"
    model.save(path, tokenizer=tokenizer)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert loaded.tokenizer.word_index == tokenizer.word_index
    # compiled as saved, optimizer state included: training continues identically
    assert loaded.optimizer.iterations == model.optimizer.iterations
    seqlab.set_seed(1)
    expected = model.fit(X, Y, epochs=1, batch_size=8, verbose=0).history
    seqlab.set_seed(1)
    resumed = loaded.fit(X, Y, epochs=1, batch_size=8, verbose=0).history
    assert resumed == expected


def test_functional_round_trip(tmp_path):
    seqlab.set_seed(2)
    words = Input(shape=(None,), dtype="int64", name="words")
    embedded = Embedding(40, 6)(words)
    _, h, c = LSTM(4, return_state=True)(embedded)
    sequence = LSTM(4, return_sequences=True)(embedded, initial_state=[h, c])
    tagged = TimeDistributed(Dense(3))(sequence)
    convolved = GlobalMaxPooling1D()(Conv1D(2, 3, padding="causal")(embedded))
    model = Model(words, [tagged, convolved])
    path = tmp_path / "functional.safetensors"
    model.save(path)
    loaded = load_model(path)
    for a, b in zip(loaded.predict(X, verbose=0), model.predict(X, verbose=0)):
        np.testing.assert_array_equal(a, b)
    with safe_open(str(path), framework="pt") as file:
        config = json.loads(file.metadata()["model"])
    assert config["class_name"] == "Functional"
    assert {node["layer"] for node in config["nodes"]} >= {"words"}


def test_trained_two_input_model_round_trip(tmp_path):
    # An Input layer counts as built: a compiled, trained functional model with two Inputs
    # (an encoder-decoder) reloads, and every fit step runs one forward pass, not two.
    seqlab.set_seed(3)
    source, target = Input(shape=(None,), name="source"), Input(shape=(None,), name="target")
    _, h, c = LSTM(4, return_state=True)(Embedding(20, 3)(source))
    decoded = LSTM(4, return_sequences=True)(Embedding(20, 3)(target), initial_state=[h, c])
    model = Model([source, target], Dense(20, activation="softmax")(decoded))
    assert all(layer.built for layer in model.layers)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).integers(1, 20, (8, 5))
    calls = []
    model.layers[-1].register_forward_hook(lambda *args: calls.append(1))
    model.fit([x, x], x, batch_size=8, epochs=1, verbose=0)
    assert len(calls) == 1
    path = tmp_path / "seq2seq.safetensors"
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict([x, x], verbose=0),
                                  model.predict([x, x], verbose=0))


def test_weights_only(tmp_path):
    model = trained_sequential()
    path = tmp_path / "weights.safetensors"
    model.save_weights(path)
    fresh = Sequential([Embedding(40, 6, mask_zero=True), Bidirectional(GRU(5)), Dropout(0.3),
                        Dense(4, activation="relu"), Dense(1, activation="sigmoid")])
    fresh(X)
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(X, verbose=0), model.predict(X, verbose=0))
    other = Sequential([Embedding(40, 6), Dense(1)])
    other(X)
    with pytest.raises(ValueError, match="do not fit this model"):
        other.load_weights(path)


def test_damaged_files_are_refused(tmp_path):
    model = trained_sequential()
    path = tmp_path / "model.safetensors"
    model.save(path)
    data = path.read_bytes()
    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a readable seqlab file"):
        load_model(truncated)
    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"\x00" * 64)
    with pytest.raises(ValueError, match="not a readable seqlab file"):
        load_model(garbage)
    # an altered description naming a class seqlab does not know is refused, not imported
    header_size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + header_size])
    header["__metadata__"]["model"] = header["__metadata__"]["model"].replace(
        '"Dense"', '"os.system"')
    encoded = json.dumps(header).encode()
    altered = tmp_path / "altered.safetensors"
    altered.write_bytes(len(encoded).to_bytes(8, "little") + encoded + data[8 + header_size:])
    with pytest.raises(ValueError, match="altered.safetensors was altered or damaged"):
        load_model(altered)  # the digests catch it (tests/models/test_hostile_files.py
    # checks the same edit with the digests recomputed: refused as an unknown class)
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.safetensors")


def test_unsaveable_arguments_and_overwrite(tmp_path):
    model = Sequential([Dense(2, activation=lambda x: x, input_shape=(3,))])
    with pytest.raises(ValueError, match="Cannot save dense.*activation"):
        model.save(tmp_path / "x.safetensors")
    assert not list(tmp_path.iterdir())
    unbuilt = Sequential([Dense(2)])
    with pytest.raises(ValueError, match="never called"):
        unbuilt.save(tmp_path / "y.safetensors")
    built = Sequential([Dense(2, input_shape=(3,))])
    built.save(tmp_path / "z.safetensors")
    with pytest.raises(FileExistsError):
        built.save(tmp_path / "z.safetensors", overwrite=False)
