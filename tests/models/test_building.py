"""Sequential and functional models: building, calling, summary(), get_layer, errors."""
import numpy as np
import pytest
import torch

from seqlab.layers import (
    LSTM,
    Bidirectional,
    Concatenate,
    Dense,
    Dropout,
    Embedding,
    GlobalAveragePooling1D,
    Input,
)
from seqlab.models import Model, Sequential


def course_model():
    """The course's sarcasm/IMDB classifier with stacked bidirectional LSTMs."""
    return Sequential([
        Embedding(10000, 16, input_length=120),
        Dropout(0.2),
        Bidirectional(LSTM(64, return_sequences=True)),
        Dropout(0.2),
        Bidirectional(LSTM(32)),
        Dropout(0.2),
        Dense(64, activation="relu"),
        Dense(1, activation="sigmoid"),
    ])


def test_summary_matches_keras(capsys):
    model = course_model()
    model.summary()
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[0] == 'Model: "sequential"' or lines[0].startswith('Model: "sequential')
    expected_rows = [("embedding (Embedding)", "(None, 120, 16)", "160,000"),
                     ("bidirectional (Bidirectional)", "(None, 120, 128)", "41,472"),
                     ("bidirectional_1 (Bidirectional)", "(None, 64)", "41,216"),
                     ("dense (Dense)", "(None, 64)", "4,160"),
                     ("dense_1 (Dense)", "(None, 1)", "65")]
    for name, shape, params in expected_rows:
        row = next((line for line in lines if name.split(" ")[1] in line and shape in line), None)
        assert row is not None and params in row, (name, text)
    assert " Total params: 246,913 (964.50 KB)" in lines
    assert " Trainable params: 246,913 (964.50 KB)" in lines
    assert " Non-trainable params: 0 (0.00 B)" in lines
    assert model.count_params() == 246913


def test_summary_counts_frozen_weights():
    model = Sequential([Input(shape=(5,)), Embedding(100, 8, trainable=False), Dense(2)])
    model.build()
    captured = []
    model.summary(print_fn=captured.append)
    assert " Trainable params: 18 (72.00 B)" in captured
    assert " Non-trainable params: 800 (3.12 KB)" in captured


def test_sequential_add_get_layer_and_call():
    model = Sequential()
    model.add(Input(shape=(4,)))
    model.add(Dense(3, name="hidden"))
    model.add(Dense(1))
    assert [layer.name for layer in model.layers][0] == "hidden"
    assert model.get_layer("hidden") is model.layers[0]
    assert model.get_layer(index=-1) is model.layers[1]
    out = model(np.ones((2, 4)))
    assert out.shape == (2, 1) and out.dtype == torch.float32  # float64 data becomes float32
    with pytest.raises(ValueError, match=r"No layer named 'nope'; the layers are \['hidden'"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="an Input can only come first"):
        model.add(Input(shape=(3,)))


def test_encoder_decoder_with_states():
    """The classic seq2seq: the encoder's final LSTM states start the decoder."""
    encoder_inputs = Input(shape=(None,), dtype="int64", name="source")
    embedded = Embedding(20, 8, mask_zero=True)(encoder_inputs)
    _, state_h, state_c = LSTM(16, return_state=True)(embedded)
    decoder_inputs = Input(shape=(None,), dtype="int64", name="target_in")
    decoded = Embedding(30, 8)(decoder_inputs)
    decoded = LSTM(16, return_sequences=True)(decoded, initial_state=[state_h, state_c])
    probabilities = Dense(30, activation="softmax")(decoded)
    model = Model([encoder_inputs, decoder_inputs], probabilities)
    source = torch.tensor([[3, 4, 5, 0], [6, 7, 0, 0]])
    target = torch.tensor([[1, 2, 3], [1, 5, 6]])
    out = model([source, target])
    assert out.shape == (2, 3, 30)
    torch.testing.assert_close(out.sum(-1), torch.ones(2, 3))
    by_name = model({"source": source, "target_in": target})
    torch.testing.assert_close(by_name, out)
    assert model.input_names == ["source", "target_in"]
    # the decoder really starts from the encoder: other sources give other outputs
    assert not torch.allclose(model([source.flip(0), target]), out)


def test_functional_multi_output_shared_layer_and_concatenate():
    text = Input(shape=(6,), dtype="int64")
    shared = Embedding(50, 4)
    a, b = shared(text), shared(text)
    pooled = GlobalAveragePooling1D()(Concatenate()([a, b]))
    first, second = Dense(1, name="first")(pooled), Dense(3, name="second")(pooled)
    model = Model(text, [first, second])
    outs = model(torch.randint(0, 50, (2, 6)))
    assert [o.shape for o in outs] == [(2, 1), (2, 3)]
    assert sum(1 for layer in model.layers if isinstance(layer, Embedding)) == 1
    assert model.output_names == ["first", "second"]


def test_functional_summary_has_connections(capsys):
    inputs = Input(shape=(3,), name="features")
    outputs = Dense(2, name="out")(Dense(4, name="hidden")(inputs))
    Model(inputs, outputs, name="mlp").summary()
    text = capsys.readouterr().out
    assert 'Model: "mlp"' in text and "Connected to" in text
    assert "features[0][0]" in text and "hidden[0][0]" in text
    assert " Total params: 26 (104.00 B)" in text


def test_graph_errors():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    out = Dense(1)(Concatenate()([a, b]))
    with pytest.raises(ValueError, match="disconnected"):
        Model(a, out)
    with pytest.raises(TypeError, match="symbolic tensors"):
        Model(a, torch.zeros(1))
    with pytest.raises(ValueError, match="needs inputs= and outputs="):
        Model()
    model = Model([a, b], out)
    with pytest.raises(ValueError, match="takes 2 inputs"):
        model(torch.zeros(1, 2))
    with pytest.raises(TypeError, match="has no value"):
        bool(a)
