"""Language-model pretraining for the classifiers (--pretrain): the windows the language
model learns from, the classifier really starting from its weights (tensors compared), the
gradual-unfreezing schedule, a seeded run repeating exactly, and bad pretraining files."""
import json

import numpy as np
import pytest
import torch

from seqlab.models import load_model
from seqlab.tasks import _pretrain
from seqlab.tasks._classifiers import build_classifier
from seqlab.tasks.classify import ClassifyConfig, train
from seqlab.text import Tokenizer


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_token_windows_predict_the_next_token_and_fold_rare_ids():
    x, y = _pretrain.token_windows([[2, 3, 4], [], [5, 6, 7, 8]], context=3, outputs=6)
    np.testing.assert_array_equal(x, [[2, 3, 4], [5, 6, 7]])  # stream 2 3 4 5 6 7 8
    np.testing.assert_array_equal(y, [[3, 4, 5], [1, 1, 1]])  # 6, 7, 8 >= outputs -> 1
    xb, yb = _pretrain.token_windows([[2, 3, 4], [5, 6, 7, 8]], context=3, outputs=9,
                                     reverse=True)
    np.testing.assert_array_equal(xb, [[8, 7, 6], [5, 4, 3]])
    np.testing.assert_array_equal(yb, [[7, 6, 5], [4, 3, 2]])


def small_config(tmp_path, **changes):
    corpus = tmp_path / "unlabelled.txt"
    lines = (f"review {i % 23} number {i % 7} the film was {'good' if i % 2 else 'bad'}"
             for i in range(300))  # 300 distinct lines
    corpus.write_text("\n".join(lines), encoding="utf-8")
    settings = dict(data="synthetic", limit=300, model="lstm", maxlen=20, epochs=3, units=8,
                    embedding_dim=8, pretrain=str(corpus), pretrain_epochs=1,
                    pretrain_context=16, pretrain_vocab=50, output=str(tmp_path / "run"))
    return ClassifyConfig(**{**settings, **changes})


@pytest.mark.parametrize("name", ["lstm", "bilstm"])
def test_the_classifier_starts_from_the_language_model_weights(tmp_path, name):
    config = small_config(tmp_path, model=name)
    tokenizer = Tokenizer(num_words=60, oov_token="<OOV>")
    tokenizer.fit_on_texts(["the film was good", "the film was bad review number"])
    models, metrics = _pretrain.pretrain(config, tokenizer, ["the film was good"] * 20,
                                         lambda *a: None)
    assert len(models) == (2 if name == "bilstm" else 1) and metrics["perplexity"] > 1
    classifier = build_classifier(name, tokenizer.vocab_size, 2, 8, 8, maxlen=20)
    _pretrain.transfer(models, classifier)
    embedding, recurrent = classifier.layers[0], classifier.layers[1]
    lm_embedding, lm_recurrent = models[0].layers[0], models[0].layers[1]
    assert torch.equal(embedding.embeddings, lm_embedding.embeddings)
    forward = recurrent.forward_layer if name == "bilstm" else recurrent
    for mine, theirs in zip(forward.get_weights(), lm_recurrent.get_weights()):
        np.testing.assert_array_equal(mine, theirs)
    if name == "bilstm":  # the backward model read the stream backwards, on the same Embedding
        backward = models[1]
        assert torch.equal(backward.layers[0].embeddings, lm_embedding.embeddings)
        for mine, theirs in zip(recurrent.backward_layer.get_weights(),
                                backward.layers[1].get_weights()):
            np.testing.assert_array_equal(mine, theirs)
        assert not np.array_equal(backward.layers[1].get_weights()[0],
                                  lm_recurrent.get_weights()[0])


GRADUAL = [[False, False, False, False, True, True],
           [False, True, True, True, True, True],
           [True] * 6, [True] * 6]


def test_embedding_only_transfer_leaves_the_recurrent_layer_alone(tmp_path):
    config = small_config(tmp_path, model="bilstm", pretrain_transfer="embedding")
    tokenizer = Tokenizer(num_words=60, oov_token="<OOV>")
    tokenizer.fit_on_texts(["the film was good", "the film was bad review number"])
    models, _ = _pretrain.pretrain(config, tokenizer, ["the film was good"] * 20,
                                   lambda *a: None)
    assert len(models) == 1  # no backward language model when only the Embedding is used
    classifier = build_classifier("bilstm", tokenizer.vocab_size, 2, 8, 8, maxlen=20)
    before = [w.copy() for w in classifier.layers[1].get_weights()]
    _pretrain.transfer(models, classifier, "embedding")
    assert torch.equal(classifier.layers[0].embeddings, models[0].layers[0].embeddings)
    for mine, theirs in zip(classifier.layers[1].get_weights(), before, strict=True):
        np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize("schedule, changed", [("gradual", GRADUAL), ("all", [[True] * 6] * 4)])
def test_gradual_unfreezing_trains_the_head_first(tmp_path, monkeypatch, schedule, changed):
    config = small_config(tmp_path, epochs=4, validation_split=0.0, fine_tune=schedule)
    model = build_classifier("lstm", 30, 2, 8, 8, maxlen=10)
    x = np.random.default_rng(0).integers(1, 30, (64, 10))
    y = np.arange(64) % 2
    snapshots = []

    def compile_model(m):
        m.compile(optimizer="adam", loss="binary_crossentropy")

    def fit(*args, **kwargs):
        before = [p.detach().clone() for p in model.parameters()]
        step = original(*args, **kwargs)
        snapshots.append([not torch.equal(a, b) for a, b in zip(before, model.parameters())])
        return step
    original = model.fit
    monkeypatch.setattr(model, "fit", fit)
    _pretrain.fine_tune(model, x, y, config, compile_model, verbose=0)
    # parameters: embeddings, LSTM kernel, recurrent kernel, bias, Dense kernel, bias
    assert snapshots == changed
    assert all(p.requires_grad for p in model.parameters())


def test_a_seeded_pretraining_and_fine_tuning_run_repeats_exactly(tmp_path):
    runs = []
    for index in range(2):
        config = small_config(tmp_path, output=str(tmp_path / f"run{index}"))
        metrics = train(config, verbose=0)
        weights = load_model(tmp_path / f"run{index}" / "model.safetensors").get_weights()
        runs.append((metrics, weights))  # (layer names differ: Keras numbers them per process)
    (first, first_weights), (second, second_weights) = runs
    assert first["pretraining"]["perplexity"] == second["pretraining"]["perplexity"]
    assert first["pretraining"]["language_models"] == second["pretraining"]["language_models"]
    assert first["history"] == second["history"]
    for mine, theirs in zip(first_weights, second_weights, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    saved = json.loads((tmp_path / "run0" / "metrics.json").read_text())
    assert saved["language_model_perplexity"] == first["pretraining"]["perplexity"]
    assert len(saved["history"]["loss"]) == 3


def test_a_pretraining_file_that_is_not_utf8_is_named(tmp_path):
    config = small_config(tmp_path)
    (tmp_path / "unlabelled.txt").write_bytes(b"fine line\ncaf\xe9 latin-1\n")
    with pytest.raises(ValueError, match=r"unlabelled.txt line 2, column 4: .* is not UTF-8"):
        _pretrain.unlabelled_texts(config.pretrain)
    config = small_config(tmp_path)
    (tmp_path / "unlabelled.txt").write_bytes(b"fine line\ncaf\xe9 latin-1\n")
    with pytest.raises(ValueError, match="is not UTF-8: convert the file"):
        train(config, verbose=0)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("changes, error, match", [
    (dict(model="bow"), ValueError, r"use --model rnn, lstm, gru, bilstm, got 'bow'"),
    (dict(pretrain="absent.txt"), FileNotFoundError, r"--pretrain absent.txt: no such text"),
    (dict(pretrain_context=0), ValueError, r"pretrain_context must be a whole number"),
    (dict(pretrain_learning_rate=0), ValueError, r"pretrain_learning_rate must be a number > 0"),
])
def test_bad_pretraining_settings_fail_before_training(tmp_path, changes, error, match):
    with pytest.raises(error, match=match):
        train(small_config(tmp_path, **changes), verbose=0)
