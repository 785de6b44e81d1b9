"""Output shapes come from each layer's compute_output_shape, never from running the layer
on made-up inputs (a Conv1D with kernel 5 over a None length used to fail)."""
import numpy as np
import pytest
import torch

import seqlab.layers as L
from seqlab.layers import _symbolic
from seqlab.models import Model, Sequential


@pytest.fixture
def no_tracing(monkeypatch):
    """Fail if anything is traced: seqlab's own layers must use their rules."""
    def refuse(function, args, kwargs):
        raise AssertionError(f"{function!r} was traced instead of using its shape rule")
    monkeypatch.setattr(_symbolic, "traced_spec", refuse)


def test_every_model_layer_states_its_rule():
    cells = (L.SimpleRNNCell, L.LSTMCell, L.GRUCell)
    for name in L.__all__:
        value = getattr(L, name)
        if isinstance(value, type) and issubclass(value, L.Layer) and value is not L.Layer \
                and value not in cells:
            assert _symbolic.layer_has_rule(value.__new__(value)), name


def test_conv1d_over_a_variable_length(no_tracing, capsys):
    model = Sequential([L.Conv1D(32, 5, activation="relu", input_shape=(None, 14)),
                        L.MaxPooling1D(3), L.Conv1D(32, 5, activation="relu"),
                        L.GlobalMaxPooling1D(), L.Dense(1)])
    model.summary()
    text = capsys.readouterr().out
    assert "(None, None, 32)" in text and "2,272" in text and "5,152" in text
    assert model(torch.randn(2, 30, 14)).shape == (2, 1)


def test_embedding_first_builds_with_any_length_as_keras_2(no_tracing, capsys):
    """Keras 2's book prints 322,080 for Embedding(10000, 32) -> SimpleRNN(32)."""
    model = Sequential([L.Embedding(10000, 32), L.SimpleRNN(32)])
    model.summary()
    text = capsys.readouterr().out
    assert "(None, None, 32)" in text and "320,000" in text and "2,080" in text
    assert "Total params: 322,080" in text
    stacked = Sequential([L.Embedding(10000, 32), L.SimpleRNN(32, return_sequences=True),
                          L.SimpleRNN(32)])
    assert stacked.count_params() == 324160  # built on demand, as Keras 2 had built it
    stacked.summary()
    assert "Total params: 324,160" in capsys.readouterr().out


def test_a_layer_needing_the_length_stays_unbuilt_until_data(capsys):
    model = Sequential([L.Embedding(50, 4), L.Flatten(), L.Dense(1)])
    model.summary()
    text = capsys.readouterr().out
    assert "200" in text and "unbuilt" in text  # the embedding is built, the Dense waits
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 6), np.int64), np.zeros((4, 1)), verbose=0)
    assert model.layers[2].kernel.shape == (24, 1)
    with pytest.raises(ValueError, match=r"the last axis \(the features\) must have a known size"):
        L.Dense(2)(L.Flatten()(L.Input(shape=(None, 3))))


CASES = [  # (layer, concrete input shape, rule with the time axis unknown)
    (lambda: L.Dense(3), (2, 5, 4), (None, None, 3)),
    (lambda: L.Conv1D(6, 3, strides=2), (2, 9, 4), (None, None, 6)),
    (lambda: L.Conv1D(6, 4, padding="same", strides=3), (2, 10, 4), (None, None, 6)),
    (lambda: L.Conv1D(6, 3, padding="causal", dilation_rate=2), (2, 9, 4), (None, None, 6)),
    (lambda: L.MaxPooling1D(2), (2, 9, 4), (None, None, 4)),
    (lambda: L.AveragePooling1D(3, strides=2, padding="same"), (2, 9, 4), (None, None, 4)),
    (lambda: L.GlobalAveragePooling1D(keepdims=True), (2, 9, 4), (None, 1, 4)),
    (lambda: L.GlobalMaxPooling1D(data_format="channels_first"), (2, 4, 9), (None, 4)),
    (lambda: L.LSTM(3, return_sequences=True), (2, 5, 4), (None, None, 3)),
    (lambda: L.GRU(3, return_state=True), (2, 5, 4), [(None, 3), (None, 3)]),
    (lambda: L.LSTM(3, return_state=True, return_sequences=True), (2, 5, 4),
     [(None, None, 3), (None, 3), (None, 3)]),
    (lambda: L.Bidirectional(L.LSTM(3, return_sequences=True)), (2, 5, 4), (None, None, 6)),
    (lambda: L.Bidirectional(L.GRU(3, return_state=True), merge_mode=None), (2, 5, 4),
     [(None, 3), (None, 3), (None, 3), (None, 3)]),
    (lambda: L.TimeDistributed(L.Dense(7)), (2, 5, 4), (None, None, 7)),
    (lambda: L.RepeatVector(3), (2, 4), (None, 3, 4)),
    (lambda: L.Flatten(), (2, 5, 4), (None, None)),
    (lambda: L.Embedding(10, 3), (2, 5), (None, None, 3)),
    (lambda: L.ZeroPadding1D((1, 2)), (2, 5, 4), (None, None, 4)),
    (lambda: L.UpSampling1D(3), (2, 5, 4), (None, None, 4)),
    (lambda: L.Cropping1D((1, 2)), (2, 5, 4), (None, None, 4)),
    (lambda: L.Permute((2, 1)), (2, 5, 4), (None, 4, None)),
    (lambda: L.Reshape((-1, 2)), (2, 6, 4), (None, None, 2)),
    (lambda: L.BatchNormalization(), (2, 5, 4), (None, None, 4)),
    (lambda: L.Masking(), (2, 5, 4), (None, None, 4)),
]


@pytest.mark.parametrize("make, shape, unknown", CASES)
def test_rules_agree_with_the_layers(make, shape, unknown, no_tracing):
    layer = make()
    inputs = torch.randint(0, 10, shape) if isinstance(layer, L.Embedding) else torch.randn(shape)
    layer.eval()
    real = layer(inputs)
    real = [tuple(t.shape) for t in real] if isinstance(real, (list, tuple)) else tuple(real.shape)
    concrete = (None,) + shape[1:]
    stated = layer.compute_output_shape(concrete)
    real_no_batch = ([(None,) + s[1:] for s in real] if isinstance(real, list)
                     else (None,) + real[1:])
    assert (list(stated) if isinstance(stated, list) else stated) == real_no_batch
    unknown_input = (None, None) + shape[2:] if len(shape) > 2 else (None, None)
    if isinstance(layer, L.GlobalMaxPooling1D):  # channels_first: the time axis is last
        unknown_input = (None, shape[1], None)
    if isinstance(layer, L.RepeatVector):
        unknown_input = (None, shape[1])
    symbolic = layer(L.Input(batch_shape=unknown_input))
    got = [s.shape for s in symbolic] if isinstance(symbolic, list) else symbolic.shape
    assert got == unknown


def test_merges_and_nested_models(no_tracing):
    a, b = L.Input((None, 4)), L.Input((None, 3))
    joined = L.Concatenate()([a, b])
    assert joined.shape == (None, None, 7)
    assert L.Add()([L.Input((5, 1)), L.Input((5, 4))]).shape == (None, 5, 4)
    with pytest.raises(ValueError, match="cannot be merged"):
        L.Add()([L.Input((5, 2)), L.Input((5, 4))])
    inner = Model(a, L.Dense(2)(a))
    outer_input = L.Input((7, 4))
    assert inner(outer_input).shape == (None, 7, 2)
    stack = Sequential([L.Input((None, 4)), L.LSTM(3)])
    assert stack(outer_input).shape == (None, 3)
    outer = Model(outer_input, stack(outer_input))
    assert outer(torch.randn(2, 7, 4)).shape == (2, 3)


def test_what_has_no_rule_is_traced_as_keras_torch_backend_does():
    class Doubler(L.Layer):  # a layer of one's own, without compute_output_shape
        def call(self, inputs):
            return torch.cat([inputs, inputs], dim=1)

    assert Doubler()(L.Input((None, 3))).shape == (None, None, 3)
    assert Doubler()(L.Input((4, 3))).shape == (None, 8, 3)
    assert L.Lambda(lambda t: t[:, -1])(L.Input((None, 5))).shape == (None, 5)
    assert L.Lambda(lambda t: t[:, -1], output_shape=(9,))(L.Input((None, 5))).shape == (None, 9)
    assert L.Lambda(lambda t: t, output_shape=lambda s: s[:2])(L.Input((6, 5))).shape == (None, 6)
