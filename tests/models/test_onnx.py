"""export_onnx: the exported graph under onnxruntime gives seqlab's outputs (float32, 1e-5),
for every layer and the options that change the graph; what cannot be exported is refused.

Weights are random and large enough (normal, std 0.6) that gates saturate and the
hard_sigmoid clips, so a wrong gate order, bias row or padding rule shows.
"""
import sys

import numpy as np
import onnx
import onnxruntime
import pytest
import torch

from seqlab.layers import (GRU, LSTM, RNN, Activation, Add, Average, AveragePooling1D,
                           Bidirectional, Concatenate, Conv1D, Dense, Dropout, Embedding,
                           Flatten, GlobalAveragePooling1D, GlobalMaxPooling1D, GRUCell, Input,
                           Layer, LSTMCell, Maximum, MaxPooling1D, Multiply, RepeatVector,
                           SimpleRNN, Subtract, TimeDistributed, activations)
from seqlab.models import Model, Sequential, export_onnx
from seqlab.text import pad_sequences

VOCAB = 12
TEXTS = [[3, 4, 5], [1, 2, 3, 4, 5, 6, 7], [6, 7], [8], [9, 10, 11, 3, 2]]


def ids(padding):
    """Word indices (5, 7): left (Keras's default) or right padded; "gaps" has zeros
    inside rows and a row of padding only; "none" has no zero at all."""
    if padding == "none":
        return np.random.default_rng(1).integers(1, VOCAB, size=(5, 7)).astype(np.int64)
    if padding == "gaps":
        return np.array([[0, 3, 0, 5, 0, 6, 2], [1, 2, 3, 4, 5, 6, 7], [0] * 7,
                         [4, 0, 0, 9, 9, 0, 0], [0, 0, 2, 3, 0, 0, 0]], dtype=np.int64)
    return pad_sequences(TEXTS, maxlen=7, padding=padding).astype(np.int64)


def randomize(model, seed=0, scale=0.6):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * scale)
    return model.eval()


def exported(model, tmp_path, **options):
    path = tmp_path / "model.onnx"
    proto = export_onnx(model, path, **options)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    assert proto.graph.name == model.name
    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def assert_parity(model, inputs, tmp_path, session=None, **options):
    """Run seqlab and the exported graph on `inputs` (one array or a list) and compare."""
    session = session or exported(model, tmp_path, **options)
    inputs = inputs if isinstance(inputs, list) else [inputs]
    names = [i.name for i in session.get_inputs()]
    got = session.run(None, dict(zip(names, inputs)))
    with torch.no_grad():
        expected = model([torch.as_tensor(x) for x in inputs] if len(inputs) > 1 else inputs[0])
    expected = [expected] if isinstance(expected, torch.Tensor) else list(expected)
    assert len(got) == len(expected)
    for ours, theirs in zip(got, expected):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-5, atol=1e-5)
    return got


def built(model, x):
    model(x)
    return randomize(model)


# --------------------------------------------------------------- recurrent layers

RECURRENT = {
    "lstm": lambda **kw: LSTM(4, **kw),
    "gru": lambda **kw: GRU(4, **kw),
    "gru_reset_before": lambda **kw: GRU(4, reset_after=False, **kw),
    "simple_rnn": lambda **kw: SimpleRNN(4, **kw),
    "simple_rnn_relu": lambda **kw: SimpleRNN(4, activation="relu", **kw),
}


@pytest.mark.parametrize("padding", ["none", "pre", "post", "gaps"])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("kind", sorted(RECURRENT))
def test_recurrent_layers(kind, return_sequences, go_backwards, padding, tmp_path):
    x = ids(padding)
    layer = RECURRENT[kind](return_sequences=return_sequences, go_backwards=go_backwards,
                            return_state=True)
    model = built(Sequential([Embedding(VOCAB, 3, mask_zero=padding != "none"), layer]), x)
    outputs = assert_parity(model, x, tmp_path)
    assert len(outputs) == (3 if kind == "lstm" else 2)  # output, h (, c)
    # the exported graph runs ONNX's recurrent operator itself
    graph = onnx.load(tmp_path / "model.onnx").graph
    operator = {"lstm": "LSTM", "simple_rnn": "RNN", "simple_rnn_relu": "RNN"}.get(kind, "GRU")
    (node,) = [n for n in graph.node if n.op_type == operator]
    direction = {a.name: a for a in node.attribute}["direction"].s.decode()
    assert direction == ("reverse" if go_backwards else "forward")


def test_gru_reset_after_is_linear_before_reset(tmp_path):
    for reset_after in (True, False):
        model = built(Sequential([Input(shape=(6, 3)), GRU(5, reset_after=reset_after)]),
                      np.zeros((1, 6, 3), np.float32))
        exported(model, tmp_path)
        (node,) = [n for n in onnx.load(tmp_path / "model.onnx").graph.node if n.op_type == "GRU"]
        assert {a.name: a.i for a in node.attribute}["linear_before_reset"] == int(reset_after)
        assert_parity(model, np.random.default_rng(0).normal(size=(4, 6, 3)).astype(np.float32),
                      tmp_path)


@pytest.mark.parametrize("flavour", ["hard_sigmoid", "hard_sigmoid_keras2"])
def test_hard_sigmoid_both_flavours(flavour, tmp_path):
    """Keras 3's x/6 + 1/2 and Keras 2's 0.2 x + 1/2 (both clipped) differ: each exports
    as HardSigmoid with its own alpha, in the gates and in Dense."""
    inputs = Input(shape=(None, 3))
    lstm = LSTM(4, recurrent_activation=flavour, return_sequences=True)(inputs)
    gru = GRU(4, recurrent_activation=flavour, activation=flavour)(lstm)
    model = Model(inputs, Dense(3, activation=flavour)(gru))
    randomize(model, scale=1.5)
    x = np.random.default_rng(0).normal(scale=2.0, size=(4, 9, 3)).astype(np.float32)
    assert_parity(model, x, tmp_path)
    # the two flavours really differ on these inputs, so the test tells them apart
    other = "hard_sigmoid_keras2" if flavour == "hard_sigmoid" else "hard_sigmoid"
    assert not torch.allclose(activations.get(flavour)(torch.tensor([1.0, 2.0])),
                              activations.get(other)(torch.tensor([1.0, 2.0])))


@pytest.mark.parametrize("padding", ["none", "pre", "post", "gaps"])
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional(merge_mode, return_sequences, padding, tmp_path):
    x = ids(padding)
    model = built(Sequential([
        Embedding(VOCAB, 3, mask_zero=padding != "none"),
        Bidirectional(LSTM(4, return_sequences=return_sequences, return_state=True),
                      merge_mode=merge_mode)]), x)
    outputs = assert_parity(model, x, tmp_path)
    assert len(outputs) == (2 if merge_mode is None else 1) + 4  # output(s), h, c fw and bw
    (node,) = [n for n in onnx.load(tmp_path / "model.onnx").graph.node if n.op_type == "LSTM"]
    assert {a.name: a for a in node.attribute}["direction"].s == b"bidirectional"


@pytest.mark.parametrize("padding", ["pre", "gaps"])
def test_bidirectional_with_its_own_backward_layer(padding, tmp_path):
    """A backward layer of another kind runs as a second operator, direction reverse."""
    x = ids(padding)
    model = built(Sequential([Embedding(VOCAB, 3, mask_zero=True), Bidirectional(
        GRU(4, return_sequences=True),
        backward_layer=SimpleRNN(3, return_sequences=True, go_backwards=True))]), x)
    assert_parity(model, x, tmp_path)


@pytest.mark.parametrize("padding", ["pre", "post", "gaps"])
def test_stacked_return_sequences_with_masks(padding, tmp_path):
    x = ids(padding)
    model = built(Sequential([
        Embedding(VOCAB, 5, mask_zero=True),
        LSTM(6, return_sequences=True),
        Bidirectional(GRU(4, return_sequences=True), merge_mode="sum"),
        SimpleRNN(3, return_sequences=True, go_backwards=True),
        TimeDistributed(Dense(4, activation="softmax")),
        GlobalAveragePooling1D()]), x)
    assert_parity(model, x, tmp_path)


def test_recurrent_activations_and_no_bias(tmp_path):
    x = ids("gaps")
    model = built(Sequential([
        Embedding(VOCAB, 3, mask_zero=True),
        LSTM(4, activation="softsign", recurrent_activation="hard_sigmoid", use_bias=False,
             return_sequences=True),
        GRU(4, activation="elu", recurrent_activation="sigmoid", return_sequences=True),
        RNN(LSTMCell(3, activation="relu"), return_sequences=True),
        SimpleRNN(3, activation="linear", use_bias=False, return_sequences=True),
        Bidirectional(SimpleRNN(3, activation="leaky_relu")),
    ]), x)
    assert_parity(model, x, tmp_path)


# ------------------------------------------------------ convolution, core layers

@pytest.mark.parametrize("padding,strides,dilation", [
    ("valid", 1, 1), ("valid", 2, 1), ("valid", 1, 2), ("same", 1, 1), ("same", 2, 1),
    ("same", 3, 1), ("same", 1, 3), ("causal", 1, 1), ("causal", 1, 2), ("causal", 2, 1)])
def test_conv1d_pooling_gru(padding, strides, dilation, tmp_path):
    # (no Input(shape=(None, 4)): the functional shape probe runs Conv1D on 2 steps)
    model = built(Sequential([
        Conv1D(6, 3, strides=strides, padding=padding, dilation_rate=dilation,
               activation="relu"),
        MaxPooling1D(2, padding="same"),
        Conv1D(4, 2, padding="same", groups=2),
        AveragePooling1D(3, strides=1, padding="same"),
        MaxPooling1D(2),
        GRU(5)]), np.zeros((1, 30, 4), np.float32))
    session = exported(model, tmp_path)
    for length in (23, 24, 25):  # one graph for every length: "same" depends on it
        x = np.random.default_rng(length).normal(size=(3, length, 4)).astype(np.float32)
        assert_parity(model, x, tmp_path, session=session)


def test_core_layers_and_global_poolings(tmp_path):
    x = ids("gaps")
    inputs = Input(shape=(7,), dtype="int64", name="words")
    embedded = Dropout(0.5)(Embedding(VOCAB, 4, mask_zero=True)(inputs))
    branches = [GlobalAveragePooling1D()(embedded), GlobalMaxPooling1D()(embedded),
                GlobalAveragePooling1D()(Conv1D(4, 3, padding="causal")(embedded)),
                Dense(4)(Flatten()(embedded))]
    merged = [Add()(branches), Subtract()(branches[:2]), Multiply()(branches[1:3]),
              Average()(branches), Maximum()(branches), Concatenate()(branches)]
    repeated = RepeatVector(3)(Concatenate()(merged))
    pooled = GlobalMaxPooling1D()(TimeDistributed(Dense(2, activation="relu"))(repeated))
    model = randomize(Model(inputs, [pooled, GlobalAveragePooling1D(keepdims=True)(embedded)]))
    session = exported(model, tmp_path)
    assert [i.name for i in session.get_inputs()] == ["words"]
    assert_parity(model, x, tmp_path, session=session)
    # without masks: the plain mean and max
    plain = built(Sequential([Embedding(VOCAB, 4), Activation("relu"),
                              GlobalMaxPooling1D()]), x)
    assert_parity(plain, x, tmp_path)


@pytest.mark.parametrize("name", sorted(set(activations.ACTIVATIONS)))
def test_dense_activations(name, tmp_path):
    model = built(Sequential([Input(shape=(5,)), Dense(6, activation=name)]),
                  np.zeros((1, 5), np.float32))
    x = np.random.default_rng(0).normal(scale=3.0, size=(8, 5)).astype(np.float32)
    assert_parity(model, x, tmp_path)


# ------------------------------------------------------------ functional models

def test_two_branch_functional_model(tmp_path):
    """One Embedding feeding a recurrent branch and a convolutional one, merged."""
    x = ids("pre")
    words = Input(shape=(None,), dtype="int64", name="words")
    embedded = Embedding(VOCAB, 6, mask_zero=True)(words)
    recurrent = Bidirectional(LSTM(4))(embedded)
    convolved = GlobalMaxPooling1D()(Conv1D(5, 3, padding="same", activation="relu")(embedded))
    output = Dense(1, activation="sigmoid", name="score")(Concatenate()([recurrent, convolved]))
    model = randomize(Model(words, output))
    session = exported(model, tmp_path)
    assert [o.name for o in session.get_outputs()] == ["score"]
    assert_parity(model, x, tmp_path, session=session)


@pytest.mark.parametrize("cell,bidirectional", [("lstm", False), ("gru", True), ("lstm", True)])
def test_seq2seq_encoder_decoder(cell, bidirectional, tmp_path):
    """Two inputs, masks on both, the encoder's final states as the decoder's initial_state
    (concatenated across directions with a Bidirectional encoder)."""
    from seqlab.tasks._seq2seq_model import build_seq2seq

    model = randomize(build_seq2seq(VOCAB, 9, cell=cell, units=4, embedding_dim=3,
                                    bidirectional=bidirectional))
    source = ids("post")
    target = np.array([[1, 2, 3, 0], [1, 4, 0, 0], [1, 5, 6, 7], [1, 0, 0, 0], [1, 8, 8, 2]])
    assert_parity(model, [source, target], tmp_path)


def test_initial_state_inputs_and_state_outputs(tmp_path):
    sequence = Input(shape=(None, 3), name="sequence")
    h, c = Input(shape=(4,), name="h"), Input(shape=(4,), name="c")
    outputs = Bidirectional(LSTM(4, return_state=True, return_sequences=True))(
        sequence, initial_state=[h, c, h, c])
    model = randomize(Model([sequence, h, c], list(outputs)))
    rng = np.random.default_rng(0)
    data = [rng.normal(size=shape).astype(np.float32) for shape in [(3, 5, 3), (3, 4), (3, 4)]]
    session = exported(model, tmp_path)
    assert [o.name for o in session.get_outputs()][0] == model.output_names[0]
    assert_parity(model, data, tmp_path, session=session)


def test_initial_state_with_masks(tmp_path):
    """A row with no real step keeps its initial states (and outputs zeros)."""
    words, h, c = Input(shape=(None,), dtype="int64", name="words"), Input(shape=(4,)), Input(
        shape=(4,))
    embedded = Embedding(VOCAB, 3, mask_zero=True)(words)
    sequence, h1, c1 = LSTM(4, return_sequences=True, return_state=True)(
        embedded, initial_state=[h, c])
    last, *states = Bidirectional(GRU(4, go_backwards=True, return_state=True),
                                  backward_layer=GRU(4, return_state=True))(
        embedded, initial_state=[h1, c1])
    model = randomize(Model([words, h, c], [sequence, h1, c1, last, *states]))
    rng = np.random.default_rng(0)
    data = [ids("gaps"), *(rng.normal(size=(5, 4)).astype(np.float32) for _ in range(2))]
    assert (data[0][2] == 0).all()  # the row without words
    got = assert_parity(model, data, tmp_path)
    np.testing.assert_allclose(got[1][2], data[1][2], rtol=1e-6)  # h, untouched


@pytest.mark.parametrize("go_backwards", [False, True])
def test_zero_output_for_mask(go_backwards, tmp_path):
    x = ids("gaps")
    model = built(Sequential([Embedding(VOCAB, 3, mask_zero=True),
                              LSTM(4, zero_output_for_mask=True, go_backwards=go_backwards)]), x)
    assert_parity(model, x, tmp_path)
    model.layers[1].return_sequences = True
    assert_parity(model, x, tmp_path)


def test_nested_model_and_dynamic_axes(tmp_path):
    inner = Sequential([Embedding(VOCAB, 4, mask_zero=True), LSTM(3, return_sequences=True)])
    words = Input(shape=(None,), dtype="int64")
    model = randomize(Model(words, GRU(2)(inner(words))))
    session = exported(model, tmp_path)
    dims = session.get_inputs()[0].shape
    assert isinstance(dims[0], str) and isinstance(dims[1], str)  # batch and length dynamic
    for batch, length in ((1, 3), (6, 11)):
        x = np.random.default_rng(length).integers(0, VOCAB, size=(batch, length))
        assert_parity(model, x, tmp_path, session=session)


def test_sequential_known_from_data_gets_a_dynamic_length(tmp_path):
    model = built(Sequential([Embedding(VOCAB, 3), LSTM(2)]), ids("none"))
    session = exported(model, tmp_path)
    (given,) = session.get_inputs()
    assert given.name == "input" and given.type == "tensor(int64)"
    assert isinstance(given.shape[1], str)
    assert_parity(model, ids("none")[:, :4], tmp_path, session=session)


def test_float_word_indices(tmp_path):
    """An Input left as float32 feeding an Embedding: the graph casts the indices."""
    words = Input(shape=(None,))
    model = randomize(Model(words, LSTM(3)(Embedding(VOCAB, 4, mask_zero=True)(words))))
    session = exported(model, tmp_path)
    assert session.get_inputs()[0].type == "tensor(float)"
    assert_parity(model, ids("pre").astype(np.float32), tmp_path, session=session)


@pytest.mark.parametrize("opset", [14, 17, 18, onnx.defs.onnx_opset_version()])
def test_opsets(opset, tmp_path):
    """Reductions take their axes as an attribute before opset 18 and as an input after."""
    x = ids("gaps")
    model = built(Sequential([Embedding(VOCAB, 4, mask_zero=True),
                              Bidirectional(GRU(3, return_sequences=True)),
                              GlobalMaxPooling1D(keepdims=True), GlobalAveragePooling1D()]), x)
    session = exported(model, tmp_path, opset=opset)
    assert onnx.load(tmp_path / "model.onnx").opset_import[0].version == opset
    assert_parity(model, x, tmp_path, session=session)


def test_bad_indices_stop_the_graph(tmp_path):
    """onnxruntime refuses an index past the vocabulary, and a negative one (ONNX's
    Gather would wrap it around; seqlab refuses it too)."""
    model = built(Sequential([Embedding(VOCAB, 3), GlobalAveragePooling1D()]), ids("none"))
    session = exported(model, tmp_path)
    for bad in (VOCAB, -1):
        with pytest.raises(onnxruntime.capi.onnxruntime_pybind11_state.InvalidArgument,
                           match="out of"):
            session.run(None, {"input": np.array([[1, bad]], np.int64)})


# ------------------------------------------------------------------- refusals

class Doubling(Layer):
    def call(self, inputs):
        return 2 * inputs


class MyCell(GRUCell):
    pass


@pytest.mark.parametrize("layers,match", [
    (lambda: [LSTM(3, stateful=True)], "'stateful_lstm' .*stateful=True"),
    (lambda: [RNN(MyCell(3))], "custom cell"),
    (lambda: [GRU(3, activation="gelu")], "activation='gelu' has no equivalent"),
    (lambda: [LSTM(3, recurrent_activation="swish")], "recurrent_activation='swish'"),
    (lambda: [Dense(3, activation=lambda v: v * 2)], "custom function"),
    (lambda: [Doubling()], "Doubling.*has no ONNX export"),
    (lambda: [Bidirectional(LSTM(3, stateful=True))], "stateful"),
])
def test_what_cannot_be_exported_is_refused(layers, match, tmp_path):
    made = layers()
    if isinstance(made[0], LSTM) and made[0].stateful:
        made[0].name = "stateful_lstm"
    model = Sequential([Input(shape=(4, 2), batch_size=2), *made])
    path = tmp_path / "model.onnx"
    with pytest.raises(ValueError, match=match):
        export_onnx(model, path)
    assert not path.exists()  # nothing written


def test_other_refusals(tmp_path):
    path = tmp_path / "model.onnx"
    with pytest.raises(ValueError, match="never called"):
        export_onnx(Sequential([Dense(2)]), path)
    with pytest.raises(TypeError, match="wrap a layer in Sequential"):
        export_onnx(Dense(2), path)
    double = Sequential([Input(shape=(3,)), Dense(2)]).to(torch.float64)
    with pytest.raises(ValueError, match="float32 graphs.*float64.*model.float()"):
        export_onnx(double, path)
    model = Sequential([Input(shape=(3,)), Dense(2)])
    for opset in (13, 99, "17"):
        with pytest.raises(ValueError, match="opset must be an int from 14"):
            export_onnx(model, path, opset=opset)
    assert not path.exists()


def test_missing_onnx_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    model = Sequential([Input(shape=(3,)), Dense(2)])
    with pytest.raises(ImportError, match=r'pip install "seqlab\[onnx\]"'):
        export_onnx(model, tmp_path / "model.onnx")


def test_importing_models_does_not_import_onnx():
    import subprocess

    code = "import sys, seqlab.models; print('onnx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
