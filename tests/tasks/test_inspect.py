"""The inspect recipe: ∂loss/∂h_t against a NumPy BPTT and finite differences, the
accuracy race, weights split by gate, gate activations against the layers' own outputs,
and word-vector neighbours and PCA against NumPy."""
import numpy as np
import pytest
import torch

from seqlab import set_seed
from seqlab.layers import (
    GRU,
    LSTM,
    Bidirectional,
    Dense,
    Embedding,
    GlobalAveragePooling1D,
    Input,
    SimpleRNN,
)
from seqlab.models import Model, Sequential, load_model
from seqlab.tasks import classify
from seqlab.tasks import inspect as ins
from seqlab.tasks._gates import encode_text, trace_cell
from seqlab.text import Tokenizer
from tests.helpers import shared_data

TINY = dict(units=3, embedding_dim=2, vocabulary=6)


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models: a second thread only waits (see classify tests)
    yield
    torch.set_num_threads(threads)


def f64_model(cell, seed=0, **settings):
    set_seed(seed)
    return ins.long_range_model(cell, ins.LongRangeConfig(**{**TINY, **settings}),
                                dtype=torch.float64)


# ------------------------------------------------------------------ the gradients

def numpy_bptt(model, x, y):
    """∂loss/∂h_t of Embedding → SimpleRNN(tanh) → Dense(sigmoid), by hand:
    h_t = tanh(e_t K + b + h_{t-1} R);  dL/dh_T = (p - y) wᵀ;
    dL/dh_{t-1} = (dL/dh_t ⊙ (1 - h_t²)) Rᵀ."""
    table, (kernel, recurrent, bias), (w, _) = (layer.get_weights() for layer in model.layers)
    table = table[0]
    e = table[x]  # (B, T, E)
    batch, steps = x.shape
    h = np.zeros((batch, recurrent.shape[0]))
    hidden = []
    for t in range(steps):
        h = np.tanh(e[:, t] @ kernel + bias + h @ recurrent)
        hidden.append(h)
    logit = hidden[-1] @ w[:, 0] + model.layers[2].get_weights()[1][0]
    p = 1 / (1 + np.exp(-logit))
    grads = [None] * steps
    grads[-1] = (p - y)[:, None] * w[:, 0][None, :]
    for t in range(steps - 1, 0, -1):
        grads[t - 1] = (grads[t] * (1 - hidden[t] ** 2)) @ recurrent.T
    return np.stack(grads, axis=1)


def test_simplernn_gradients_equal_a_numpy_bptt():
    model = f64_model("simplernn", units=4)
    with torch.no_grad():  # weights large enough that the gradient changes along t
        model.layers[1].cell.recurrent_kernel.mul_(1.7)
        model.layers[0].embeddings.mul_(20)
    x, y = ins.long_range_task(5, 12, vocabulary=6, seed=3)
    ours = ins.hidden_state_gradients(model, x, y)
    expected = numpy_bptt(model, x, y)
    assert ours.shape == (5, 12, 4)
    np.testing.assert_allclose(ours, expected, rtol=1e-10, atol=1e-14)
    norms = np.linalg.norm(expected, axis=-1).mean(axis=0)
    assert norms.std() > 0.2 * norms.mean()  # a case where the steps differ


def loss_with_nudge(model, x, y, step, unit, epsilon):
    """The summed loss with h_step[:, unit] moved by epsilon, run through the cell."""
    embedding, recurrent, head = model.layers
    cell = recurrent.cell
    with torch.no_grad():
        inputs = embedding(torch.as_tensor(x), training=False)
        states = cell.get_initial_state(inputs.shape[0], dtype=inputs.dtype)
        for t in range(inputs.shape[1]):
            h, states = cell.step(cell.project(inputs[:, t]), states)
            if t == step:
                h = h.clone()
                h[:, unit] += epsilon
                states = [h, *states[1:]]  # the nudged h is what the next step reads
        p = head(h, training=False)[:, 0]
        target = torch.as_tensor(y, dtype=p.dtype)
        return float(torch.nn.functional.binary_cross_entropy(p, target, reduction="sum"))


@pytest.mark.parametrize("cell", ["lstm", "gru", "simplernn"])
def test_gradients_equal_finite_differences(cell):
    model = f64_model(cell, seed=1)
    with torch.no_grad():  # away from the near-linear start, so gates matter
        for weight in model.layers[1].parameters():
            weight.mul_(3)
    x, y = ins.long_range_task(3, 7, vocabulary=6, seed=2)
    ours = ins.hidden_state_gradients(model, x, y)  # (3, 7, 3)
    eps = 1e-6
    for step in (0, 3, 6):
        for unit in range(3):
            numeric = (loss_with_nudge(model, x, y, step, unit, eps)
                       - loss_with_nudge(model, x, y, step, unit, -eps)) / (2 * eps)
            # the nudge moves every row at once: the summed loss sees the sum over the batch
            assert ours[:, step, unit].sum() == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_reading_the_output_sequence_would_give_zeros_before_the_last_step():
    """Why the recipe steps the cell itself: autograd through a return_sequences output
    whose loss reads only the last step gives nothing for the earlier entries."""
    model = f64_model("lstm")
    layer = LSTM(3, return_sequences=True, dtype=torch.float64)
    inputs = torch.randn(2, 5, 2, dtype=torch.float64)
    layer(inputs)
    layer.set_weights(model.layers[1].get_weights())
    sequence = layer(inputs.requires_grad_(), training=False)
    sequence.retain_grad()
    sequence[:, -1].sum().backward()
    assert torch.all(sequence.grad[:, :-1] == 0) and torch.any(sequence.grad[:, -1] != 0)


def test_gradient_flow_averages_the_seeds():
    config = ins.LongRangeConfig(length=20, seeds=2, sequences=8, units=5, cells=["gru", "lstm"])
    flow = ins.gradient_flow(config)
    assert flow["steps"] == list(range(1, 21)) and list(flow["norms"]) == ["gru", "lstm"]
    for cell in ("gru", "lstm"):
        rows = []
        for seed in (0, 1):
            set_seed(seed)
            model = ins.long_range_model(cell, config)
            x, y = ins.long_range_task(8, 20, seed=seed)
            rows.append(np.linalg.norm(ins.hidden_state_gradients(model, x, y), axis=-1).mean(0))
        np.testing.assert_allclose(flow["norms"][cell], np.mean(rows, axis=0), rtol=1e-6)
        np.testing.assert_allclose(flow["low"][cell], np.min(rows, axis=0), rtol=1e-6)
        assert flow["ratio"][cell] == pytest.approx(flow["norms"][cell][0]
                                                    / flow["norms"][cell][-1])
        # gates near 0.5 at initialisation: the gradient shrinks going back in time
        assert flow["ratio"][cell] < 1e-2


def test_the_task_label_is_the_first_token():
    x, y = ins.long_range_task(400, 9, vocabulary=7, seed=5)
    assert x.shape == (400, 9) and x.dtype == np.int64 and y.dtype == np.float32
    assert set(x[:, 0]) == {1, 2} and np.array_equal(y, (x[:, 0] == 2).astype(np.float32))
    assert x[:, 1:].min() == 3 and x[:, 1:].max() == 6
    assert 0.4 < y.mean() < 0.6
    again, _ = ins.long_range_task(400, 9, vocabulary=7, seed=5)
    assert np.array_equal(x, again)


def test_a_short_race_is_learnt_and_timed():
    config = ins.LongRangeConfig(lengths=[4, 6], cells=["simplernn"], train_size=256,
                                 test_size=200, epochs=4, units=8)
    race = ins.accuracy_race(config)
    assert race["lengths"] == [4, 6] and list(race["accuracy"]) == ["simplernn"]
    assert min(race["accuracy"]["simplernn"]) >= 0.95  # a 4- or 6-step memory is easy
    assert all(s > 0 for s in race["seconds"]["simplernn"])
    assert 0.5 <= race["chance"] < 0.6


@pytest.mark.parametrize("settings, message", [
    (dict(length=1), r"length must be whole numbers >= 2 .*got length=1"),
    (dict(lengths=[10, 0]), r"got lengths=0"),
    (dict(lengths=[]), r"got lengths=\[\]"),
    (dict(lengths=[10, 10]), r"lengths has repeated values: \[10, 10\]"),
    (dict(lengths=[2.5]), r"got lengths=2.5"),
    (dict(cells=["transformer"]), r"cells must be among simplernn, lstm, gru, got 'transformer'"),
    (dict(vocabulary=3), r"vocabulary must be a whole number >= 4"),
    (dict(units=0), r"units must be a whole number >= 1, got units=0"),
])
def test_bad_settings_name_the_value(settings, message):
    with pytest.raises(ValueError, match=message):
        ins.gradient_flow(ins.LongRangeConfig(**settings))


# ------------------------------------------------------------------ the weights

def test_lstm_weights_split_in_gate_order():
    layer = LSTM(4)
    layer(torch.zeros(1, 2, 3))
    split = ins.split_gates(layer.cell)
    assert [w["weight"] for w in split] == ["kernel", "recurrent_kernel", "bias"]
    kernel = layer.cell.kernel.detach().numpy()
    blocks = split[0]["blocks"]
    assert list(blocks) == ["i", "f", "c", "o"] and split[0]["shape"] == (3, 16)
    for index, gate in enumerate("ifco"):
        np.testing.assert_array_equal(blocks[gate], kernel[:, 4 * index:4 * index + 4])
    bias = split[2]["blocks"]  # unit_forget_bias: only the forget block starts at 1
    assert (bias["f"] == 1).all() and all((bias[g] == 0).all() for g in "ico")


@pytest.mark.parametrize("reset_after, bias_shape", [(True, (2, 5)), (False, (5,))])
def test_gru_weights_split_in_gate_order(reset_after, bias_shape):
    layer = GRU(5, reset_after=reset_after)
    layer(torch.zeros(1, 2, 3))
    with torch.no_grad():
        layer.cell.bias.copy_(torch.arange(layer.cell.bias.numel(),
                                           dtype=torch.float32).reshape(layer.cell.bias.shape))
    split = {w["weight"]: w for w in ins.split_gates(layer.cell)}
    assert list(split["recurrent_kernel"]["blocks"]) == ["z", "r", "h"]
    assert split["recurrent_kernel"]["blocks"]["r"].shape == (5, 5)
    bias = split["bias"]["blocks"]
    assert bias["z"].shape == bias_shape
    # along the last axis: z holds columns 0..4, r 5..9, h 10..14 (of each bias row)
    assert bias["r"].reshape(-1, 5)[0].tolist() == [5, 6, 7, 8, 9]
    assert bias["h"].reshape(-1, 5)[-1].tolist() == list(np.arange(10, 15) + (15 if reset_after
                                                                              else 0))


@pytest.fixture(scope="module")
def stacked_run(tmp_path_factory):
    """A classify run: Embedding(mask_zero) → Bi(LSTM, sequences) → Bi(LSTM) → Dense."""
    run = tmp_path_factory.mktemp("inspect") / "stacked"
    classify.train(classify.ClassifyConfig(model="stacked", limit=200, epochs=1, units=6,
                                           embedding_dim=5, maxlen=20, num_words=300,
                                           validation_split=0.0, output=str(run)), verbose=0)
    return run


def test_describe_a_classify_run(stacked_run):
    described = ins.describe_model(stacked_run)
    names = [(layer["wrapper"], layer["name"].split("_")[0]) for layer in described["layers"]]
    assert [n[1] for n in names] == ["forward", "backward", "forward", "backward"]
    assert names[0][0] != names[2][0]  # two Bidirectional layers
    first = described["layers"][0]
    model = load_model(stacked_run / "model.safetensors")
    bidirectional = next(layer for layer in model.layers if isinstance(layer, Bidirectional))
    kernel = bidirectional.forward_layer.cell.kernel.detach().numpy()
    assert first["weights"][0]["shape"] == (5, 24) and first["units"] == 6
    np.testing.assert_array_equal(first["weights"][0]["blocks"]["o"], kernel[:, 18:])
    assert described["layers"][2]["input_dim"] == 12  # the concatenated directions
    assert described["parameters"] == model.count_params()
    assert "Bidirectional" in described["summary"] and "Total params" in described["summary"]
    assert described["tokenizer"] == {"level": "word", "vocab_size": model.tokenizer.vocab_size,
                                      "oov_token": "<OOV>"}


def test_gate_activations_reproduce_the_layers_outputs(stacked_run):
    text = "the plot was dull but the acting was great qwertyuiop"
    result = ins.gate_activations(stacked_run, text)
    assert result["tokens"][-1] == "qwertyuiop*" and result["skipped"] == []
    model = load_model(stacked_run / "model.safetensors")
    ids = torch.tensor([model.tokenizer.texts_to_sequences([text])[0]])
    assert result["ids"] == ids[0].tolist() and len(result["tokens"]) == 10
    embedding, first, second = model.layers[:3]
    with torch.no_grad():
        embedded = embedding(ids, training=False)
        sequence = first(embedded, training=False)[0].numpy()  # (T, 2u): forward | backward
    forward, backward, deeper, _ = result["layers"]
    assert (forward["direction"], backward["direction"]) == ("forward", "backward")
    np.testing.assert_allclose(forward["h"], sequence[:, :6], atol=1e-6)
    np.testing.assert_allclose(backward["h"], sequence[:, 6:], atol=1e-6)  # in text order
    assert max(layer["output_difference"] for layer in result["layers"]) < 1e-5
    for layer in result["layers"]:  # the LSTM equations hold between the returned arrays
        gates, c = layer["gates"], layer["c"]
        np.testing.assert_allclose(layer["h"], gates["o"] * np.tanh(c), atol=1e-6)
        order = slice(None) if layer["direction"] == "forward" else slice(None, None, -1)
        c_run, i, f, g = c[order], gates["i"][order], gates["f"][order], gates["c"][order]
        np.testing.assert_allclose(c_run[1:], f[1:] * c_run[:-1] + i[1:] * g[1:], atol=1e-6)
        assert layer["steps"] == result["tokens"] and layer["aligned"]
    assert deeper["gates"]["i"].shape == (10, 3)


def _save(model, folder, tokenizer=None):
    folder.mkdir()
    model.save(folder / "model.safetensors", tokenizer=tokenizer)
    return folder


def _tokenizer(char_level=False, oov_token=None):
    tokenizer = Tokenizer(char_level=char_level, oov_token=oov_token)
    tokenizer.fit_on_texts(["the cat sat on the mat", "a dog ran"])
    return tokenizer


@pytest.mark.parametrize("layer", [lambda: GRU(4, return_sequences=True),
                                   lambda: GRU(4, reset_after=False, go_backwards=True),
                                   lambda: SimpleRNN(4, return_sequences=True)])
def test_gru_and_simplernn_traces_match_the_layer(tmp_path, layer):
    set_seed(3)
    model = Sequential([Input(shape=(None,), dtype="int64"), Embedding(20, 3), layer(),
                        Dense(2)])
    for weight in model.parameters():  # not the near-zero start: gates away from 0.5
        torch.nn.init.normal_(weight.data, std=0.8)
    run = _save(model, tmp_path / "run", _tokenizer(char_level=True))
    result = ins.gate_activations(run, "The cat")
    assert result["tokens"] == list("the cat")
    loaded = load_model(run / "model.safetensors")
    recurrent = loaded.layers[1]
    recurrent.return_sequences = True
    with torch.no_grad():
        sequence = recurrent(loaded.layers[0](torch.tensor([result["ids"]])), training=False)[0]
    traced = result["layers"][0]
    expected = sequence.numpy()[::-1] if recurrent.go_backwards else sequence.numpy()
    np.testing.assert_allclose(traced["h"], expected, atol=1e-5)
    assert traced["output_difference"] < 1e-5
    if isinstance(recurrent, GRU):
        z = traced["gates"]["z"]
        assert z.shape == (7, 4) and 0 < z.min() and z.max() < 1 and z.std() > 0.05


def test_a_masked_step_keeps_the_state_and_has_no_gates():
    layer = LSTM(3, return_sequences=True)
    inputs = torch.randn(1, 4, 2)
    mask = torch.tensor([[True, False, True, True]])
    with torch.no_grad():
        expected = layer(inputs, mask=mask, training=False)[0]
        trace = trace_cell(layer.cell, inputs[0], [torch.zeros(3), torch.zeros(3)], mask[0])
    np.testing.assert_allclose(trace["outputs"].numpy(), expected.numpy(), atol=1e-6)
    assert np.isnan(trace["gates"]["f"][1]).all() and not np.isnan(trace["gates"]["f"][2]).any()
    np.testing.assert_array_equal(trace["h"][1], trace["h"][0])


def test_a_functional_two_input_model_skips_what_the_text_does_not_reach(tmp_path):
    """A seq2seq-like model: the encoder's states start the decoder."""
    source, target = Input(shape=(None,), dtype="int64"), Input(shape=(None,), dtype="int64")
    _, h, c = LSTM(4, return_state=True, name="encoder")(Embedding(12, 3)(source))
    decoded = LSTM(4, return_sequences=True, name="decoder")(Embedding(12, 3)(target),
                                                            initial_state=[h, c])
    model = Model([source, target], Dense(12)(decoded))
    run = _save(model, tmp_path / "s2s", _tokenizer())
    result = ins.gate_activations(run, "the cat sat")
    assert [layer["name"] for layer in result["layers"]] == ["encoder"]
    assert result["skipped"] == ["decoder"] and result["tokens"] == ["the", "cat", "sat"]
    assert result["layers"][0]["output_difference"] < 1e-6
    names = load_model(run / "model.safetensors").input_names
    with pytest.raises(ValueError, match=r"no input 'nope'; its inputs are"):
        ins.gate_activations(run, "the cat", input_name="nope")
    decoder_only = ins.gate_activations(run, "the cat", input_name=names[1])
    assert decoder_only["layers"] == [] and decoder_only["skipped"] == ["encoder", "decoder"]


def test_a_seq2seq_run_reads_the_text_with_its_source_vocabulary(tmp_path):
    from seqlab.tasks.seq2seq import Seq2SeqConfig, train

    train(Seq2SeqConfig(data="dates", samples=300, epochs=1, units=8, embedding_dim=4,
                        output=str(tmp_path / "run")), verbose=0)
    result = ins.gate_activations(tmp_path / "run", "July 4, 1976")
    assert result["tokens"] == list("July 4, 1976")  # characters, case kept
    assert [layer["name"] for layer in result["layers"]] == ["encoder"]
    assert result["skipped"] == ["decoder"]
    assert result["layers"][0]["output_difference"] < 1e-6


def test_a_model_without_a_tokenizer_reads_ids(tmp_path):
    model = Sequential([Input(shape=(None,), dtype="int64"), Embedding(10, 3), LSTM(2)])
    run = _save(model, tmp_path / "ids")
    result = ins.gate_activations(run, "4 9 1")
    assert result["ids"] == [4, 9, 1] and result["layers"][0]["gates"]["f"].shape == (3, 2)
    with pytest.raises(ValueError, match=r"no tokenizer, so the text must be token ids .*'hello'"):
        ins.gate_activations(run, "hello")
    with pytest.raises(ValueError, match=r"token id 10 is outside the model's Embedding "
                                         r"\(input_dim 10\)"):
        ins.gate_activations(run, "3 10")


def test_encode_text_marks_and_drops_unknown_words():
    assert encode_text(_tokenizer(oov_token="<?>"), "The dog flew!") == \
        ([2, 8, 1], ["the", "dog", "flew*"], [])
    assert encode_text(_tokenizer(), "the dog flew") == ([1, 7], ["the", "dog"], ["flew"])
    with pytest.raises(ValueError, match=r"none of the tokens of 'zebra' is in the model's "
                                         r"vocabulary \(8 entries; it has no OOV token\)"):
        encode_text(_tokenizer(), "zebra")
    # with an OOV token every unknown word maps to it: still nothing of the text is known
    with pytest.raises(ValueError, match=r"none of the tokens of 'zebra quantum' is in the "
                                         r"model's vocabulary \(9 entries; every one maps to "
                                         r"its OOV token '<\?>'\)"):
        encode_text(_tokenizer(oov_token="<?>"), "zebra quantum")


def test_run_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no-such: no such run folder"):
        ins.describe_model(tmp_path / "no-such")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"empty is not a seqlab run folder: it has no "
                                                r"model.safetensors"):
        ins.gate_activations(tmp_path / "empty", "text")
    bow = Sequential([Input(shape=(None,), dtype="int64"), Embedding(10, 3),
                      GlobalAveragePooling1D(), Dense(1)], name="bow")
    run = _save(bow, tmp_path / "bow", _tokenizer())
    with pytest.raises(ValueError, match=r"bow: the model has no recurrent layer \(its layers: "
                                         r"embedding.* \(Embedding\), global_average"):
        ins.describe_model(run)
    series = Sequential([Input(shape=(8, 2)), GRU(3), Dense(1)])
    run = _save(series, tmp_path / "forecast")
    assert ins.describe_model(run)["layers"][0]["type"] == "GRU"
    with pytest.raises(ValueError, match=r"reads number series, not text"):
        ins.gate_activations(run, "1 2")


# ------------------------------------------------------------------ word vectors

@pytest.fixture(scope="module")
def glove():
    return ins.read_vectors(shared_data("glove/glove.6B.50d.first2446.txt"), limit=1100)


def test_neighbours_are_the_highest_cosines(glove):
    found = ins.vector_neighbours(glove, ["king", "france"], topn=4)
    unit = glove.vectors / np.linalg.norm(glove.vectors, axis=1, keepdims=True)
    for word, neighbours in found.items():
        cosines = unit @ unit[glove.key_to_index[word]]
        cosines[glove.key_to_index[word]] = -np.inf
        best = np.argsort(-cosines)[:4]
        assert [w for w, _ in neighbours] == [glove.index_to_key[i] for i in best]
        np.testing.assert_allclose([c for _, c in neighbours], cosines[best], rtol=1e-5)


def test_projection_is_numpy_pca(glove):
    words = ["king", "man", "woman", "paris", "france", "london", "germany"]
    projected = ins.project_words(glove, words)
    rows = np.stack([glove[w] for w in words]).astype(np.float64)
    centred = rows - rows.mean(axis=0)
    u, s, vt = np.linalg.svd(centred)
    expected = u[:, :2] * s[:2]
    signs = np.sign((projected["points"] * expected).sum(axis=0))  # PCA's sign is arbitrary
    np.testing.assert_allclose(projected["points"], expected * signs, atol=1e-9)
    np.testing.assert_allclose(projected["explained"], s[:2] ** 2 / (s ** 2).sum())
    assert projected["words"] == words == projected["groups"]
    again = ins.project_words(glove, list(reversed(words)))  # sign rule: same orientation
    np.testing.assert_allclose(again["points"][::-1], projected["points"], atol=1e-9)


def test_projection_with_neighbours_and_errors(glove):
    projected = ins.project_words(glove, ["king", "paris"], neighbours=3)
    assert projected["words"][:2] == ["king", "paris"] and len(projected["words"]) == 8
    assert projected["groups"][2:5] == ["king"] * 3 and projected["points"].shape == (8, 2)
    two = ins.project_words(glove, ["king", "man"])
    assert two["points"].shape == (2, 2) and two["explained"][0] == pytest.approx(1)
    with pytest.raises(KeyError, match=r"'kingg', 'Paris', 'queen' not among the 1,100 words "
                                       r"of the vectors: check the spelling and case"):
        ins.project_words(glove, ["kingg", "man", "Paris", "queen"])
    with pytest.raises(ValueError, match=r"at least 2 distinct words"):
        ins.project_words(glove, ["king"])
    with pytest.raises(ValueError, match=r"no words given"):
        ins.vector_neighbours(glove, [])
    with pytest.raises(ValueError, match=r"limit must be a whole number >= 2 \(words to read\), got 0"):
        ins.read_vectors("x.txt", limit=0)
