"""The classification recipe (seqlab.tasks.classify) and its model zoo: settings checked
before any data is read, every architecture built and sized by hand, tiny end-to-end runs
(synthetic reviews, a Spanish three-class CSV) with evaluate/predict, failures that leave
nothing behind, and quality floors on the real IMDB and sarcasm data."""
import csv
import random
import re
import time

import numpy as np
import pytest

from seqlab.data import synthetic_reviews
from seqlab.models import Sequential, load_model
from seqlab.tasks import classify
from seqlab.tasks._classifiers import ARCHITECTURES, build_classifier
from seqlab.tasks.classify import ClassifyConfig, evaluate, predict, train
from tests.helpers import shared_data

RUN_FILES = ["config.json", "confusion.png", "curves.png", "metrics.json", "model.safetensors"]


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """These models are too small to gain from a second thread, and on a shared 2-core
    runner two spinning threads per process slow the runs down many times over; results
    are the same either way (measured)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def listing(folder):
    """Every entry of `folder`, hidden ones (temporary run folders) included."""
    return sorted(p.name for p in folder.iterdir())


def tiny(tmp_path, **changes):
    """A few-second synthetic run writing to tmp_path/run."""
    settings = dict(limit=600, model="bow", maxlen=24, epochs=2, units=8, embedding_dim=16,
                    output=str(tmp_path / "run"))
    settings.update(changes)
    return ClassifyConfig(**settings)


# --- settings fail fast, before any data is read -------------------------------------------

def quick_failure(config, error, match):
    started = time.perf_counter()
    with pytest.raises(error, match=match) as raised:
        train(config, verbose=0)
    assert time.perf_counter() - started < 5, "the check ran after real work"
    return raised


@pytest.mark.parametrize("changes, error, match", [
    (dict(model="transformer"), ValueError, r"model='transformer' is not one of"),
    (dict(epochs=0), ValueError, r"epochs must be a whole number >= 1, got epochs=0"),
    (dict(dropout=1.0), ValueError, r"dropout must be a fraction in \[0, 1\), got dropout=1.0"),
    (dict(recurrent_dropout=-0.5), ValueError, r"recurrent_dropout"),
    (dict(validation_split=1.0), ValueError, r"validation_split"),
    (dict(units=2.5), ValueError, r"units must be a whole number"),
    (dict(padding="both"), ValueError, r"padding='both' is not one of: pre, post"),
    (dict(limit=0), ValueError, r"limit must be a whole number >= 1"),
    (dict(optimizer="adamax9"), ValueError, r"Unknown optimizer 'adamax9'"),
    (dict(test_fraction=1.5), ValueError, r"test_fraction must be between 0 and 1"),
    (dict(learning_rate=-1.0), ValueError, r"learning_rate must be a number > 0"),
    (dict(train_size=0), ValueError, r"train_size must be a whole number >= 1"),
])
def test_bad_setting_fails_before_the_data_is_read(tmp_path, changes, error, match):
    # the data file does not exist either: the settings error must win
    config = ClassifyConfig(data=str(tmp_path / "missing.csv"), output=str(tmp_path / "run"),
                            **changes)
    quick_failure(config, error, match)
    assert listing(tmp_path) == []


def test_unknown_model_message_lists_every_architecture(tmp_path):
    config = ClassifyConfig(data=str(tmp_path / "missing.csv"), model="tranformer",
                            output=str(tmp_path / "run"))
    raised = quick_failure(config, ValueError, "tranformer")
    for name in ARCHITECTURES:
        assert name in str(raised.value)
    assert listing(tmp_path) == []


def test_missing_vectors_file_fails_before_the_data_is_read(tmp_path):
    vectors = tmp_path / "glove.txt"
    config = ClassifyConfig(data=str(tmp_path / "missing.csv"), vectors=str(vectors),
                            output=str(tmp_path / "run"))
    quick_failure(config, FileNotFoundError, re.escape(f"{vectors}: no such vectors file"))
    assert listing(tmp_path) == []


def test_existing_output_fails_before_the_data_is_read(tmp_path):
    output = tmp_path / "run"
    output.mkdir()
    (output / "keep.txt").write_text("earlier run", encoding="utf-8")
    config = ClassifyConfig(data=str(tmp_path / "missing.csv"), output=str(output))
    quick_failure(config, FileExistsError, "exists")
    assert listing(tmp_path) == ["run"]
    assert listing(output) == ["keep.txt"]


def test_without_a_bad_setting_the_missing_data_is_reported(tmp_path):
    # the control for the tests above: the data error is what they would otherwise see
    data = tmp_path / "missing.csv"
    config = ClassifyConfig(data=str(data), output=str(tmp_path / "run"))
    with pytest.raises(FileNotFoundError, match=re.escape(f"{data}: no such file or folder")):
        train(config, verbose=0)
    assert listing(tmp_path) == []


# --- build_classifier ----------------------------------------------------------------------

VOCAB, DIM, UNITS = 50, 8, 6
BATCH = np.random.default_rng(0).integers(1, VOCAB, size=(3, 12))


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_every_architecture_gives_a_sigmoid_for_two_classes(name):
    model = build_classifier(name, VOCAB, 2, embedding_dim=DIM, units=UNITS)
    output = np.asarray(model.predict(BATCH, verbose=0))
    assert output.shape == (3, 1)
    assert np.all((output > 0) & (output < 1))


@pytest.mark.parametrize("name", list(ARCHITECTURES))
@pytest.mark.parametrize("classes", [3, 5])
def test_every_architecture_gives_softmax_rows_for_more_classes(name, classes):
    model = build_classifier(name, VOCAB, classes, embedding_dim=DIM, units=UNITS)
    output = np.asarray(model.predict(BATCH, verbose=0))
    assert output.shape == (3, classes)
    assert np.all(output > 0)
    np.testing.assert_allclose(output.sum(axis=-1), 1.0, atol=1e-5)


def lstm_size(d, u):  # Keras LSTM: 4 gates, each kernel d*u, recurrent u*u, bias u
    return 4 * (d * u + u * u + u)


V, D, U = VOCAB, DIM, UNITS
# Sizes by hand (V = 50 words, D = 8 dimensions, U = 6 units); Dense(n -> m) = n*m + m.
PARAMETERS = [
    # Embedding V*D; GlobalAveragePooling1D 0; Dense(D -> 24); Dense(24 -> 1)
    ("bow", 2, V * D + (D * 24 + 24) + (24 + 1)),                       # 641
    ("bow", 3, V * D + (D * 24 + 24) + (24 * 3 + 3)),                   # 691
    # Embedding V*D; LSTM 4(D*U + U*U + U); Dense(U -> 1)
    ("lstm", 2, V * D + lstm_size(D, U) + (U + 1)),                     # 767
    ("lstm", 4, V * D + lstm_size(D, U) + (U * 4 + 4)),                 # 788
    # SimpleRNN D*U + U*U + U
    ("rnn", 2, V * D + (D * U + U * U + U) + (U + 1)),                  # 497
    # GRU as in Keras 2 (reset_after=True: two biases per gate): 3(D*U + U*U + 2U)
    ("gru", 2, V * D + 3 * (D * U + U * U + 2 * U) + (U + 1)),          # 695
    # two LSTMs, head on 2U
    ("bilstm", 2, V * D + 2 * lstm_size(D, U) + (2 * U + 1)),           # 1133
    # Conv1D(4U filters, width 5): 5*D*4U + 4U; Dense(4U -> 24); Dense(24 -> 1)
    ("cnn", 2, V * D + (5 * D * 4 * U + 4 * U) + (4 * U * 24 + 24) + 25),  # 2009
]


@pytest.mark.parametrize("name, classes, expected", PARAMETERS)
def test_parameter_counts_match_the_formulas(name, classes, expected):
    model = build_classifier(name, VOCAB, classes, embedding_dim=DIM, units=UNITS)
    model.predict(BATCH, verbose=0)  # builds the layers
    assert model.count_params() == expected


def test_hand_counts_spelled_out():
    # the formulas above, evaluated by hand once, so a wrong formula cannot hide
    assert [expected for _, _, expected in PARAMETERS] == [641, 691, 767, 788, 497, 695,
                                                            1133, 2009]


def test_unknown_architecture_and_too_few_classes():
    with pytest.raises(ValueError, match="Unknown model 'transformer'") as raised:
        build_classifier("transformer", VOCAB, 2)
    for name in ARCHITECTURES:
        assert name in str(raised.value)
    for classes in (1, 0):
        with pytest.raises(ValueError, match="at least 2 classes"):
            build_classifier("lstm", VOCAB, classes)


# --- end to end on synthetic reviews -------------------------------------------------------

@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory):
    parent = tmp_path_factory.mktemp("synthetic")
    config = tiny(parent, model="lstm")
    metrics = train(config, verbose=0)
    return parent, parent / "run", metrics


def test_synthetic_run_writes_exactly_the_run_files(synthetic_run):
    parent, run, _ = synthetic_run
    assert listing(parent) == ["run"]  # no temporary folder left beside it
    assert listing(run) == RUN_FILES
    for name in RUN_FILES:
        assert (run / name).stat().st_size > 0
    assert (run / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (run / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_synthetic_metrics(synthetic_run):
    _, run, metrics = synthetic_run
    assert metrics["train_samples"] == 600
    assert metrics["test_samples"] == 2000  # synthetic reviews 10,000..11,999
    confusion = np.array(metrics["confusion_matrix"])
    assert confusion.shape == (2, 2)
    assert confusion.sum() == metrics["test_samples"]
    assert metrics["accuracy"] == pytest.approx(np.trace(confusion) / confusion.sum())
    assert 0 < metrics["majority_baseline_accuracy"] < 1
    assert set(metrics["per_class"]) == {"negative", "positive"}
    assert sum(c["support"] for c in metrics["per_class"].values()) == 2000
    assert len(metrics["history"]["loss"]) == 2
    saved = classify.read_json(run / "metrics.json")
    assert saved["accuracy"] == metrics["accuracy"]
    assert saved["confusion_matrix"] == metrics["confusion_matrix"]
    config = classify.read_json(run / "config.json")
    assert config["model"] == "lstm" and config["maxlen"] == 24
    assert config["label_names"] == ["negative", "positive"]


def test_evaluate_reproduces_the_test_scores(synthetic_run):
    _, run, metrics = synthetic_run
    again = evaluate(run)
    assert again["accuracy"] == metrics["accuracy"]
    assert again["confusion_matrix"] == metrics["confusion_matrix"]
    assert again["majority_baseline_accuracy"] == metrics["majority_baseline_accuracy"]


def test_predict_agrees_with_the_reported_accuracy(synthetic_run):
    _, run, metrics = synthetic_run
    texts, labels = synthetic_reviews(12000, seed=0)  # the recipe's test split: the last 2,000
    names = ["negative", "positive"]
    results = predict(run, texts[10000:])
    assert len(results) == 2000
    hits = sum(label == names[truth] for (label, _), truth in zip(results, labels[10000:]))
    assert hits / 2000 == metrics["accuracy"]


def test_predict_returns_labels_and_probabilities(synthetic_run):
    _, run, _ = synthetic_run
    texts = ["the plot was great", "the acting was not dull but the ending was awful",
             "words it never saw: ñandú überall", ""]
    results = predict(run, texts)
    assert len(results) == len(texts)
    for label, probabilities in results:
        assert label in ("negative", "positive")
        assert set(probabilities) == {"negative", "positive"}
        assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-6)
        assert all(0 <= p <= 1 for p in probabilities.values())
        assert label == max(probabilities, key=probabilities.get)
    assert predict(run, texts[:1]) == results[:1]  # one text alone gives the same answer


def test_predict_refuses_a_bare_string(synthetic_run):
    _, run, _ = synthetic_run
    with pytest.raises(TypeError, match=r"for one text pass \[text\]"):
        predict(run, "the plot was good")


def test_predict_of_nothing_raises(synthetic_run):
    _, run, _ = synthetic_run
    with pytest.raises(ValueError, match="no texts"):
        predict(run, [])


def test_evaluate_of_a_folder_that_is_not_a_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="seqlab run folder"):
        evaluate(tmp_path)


def test_synthetic_bow_run_is_repeatable(tmp_path):
    first = train(tiny(tmp_path, output=str(tmp_path / "a")), verbose=0)
    second = train(tiny(tmp_path, output=str(tmp_path / "b")), verbose=0)
    assert first["confusion_matrix"] == second["confusion_matrix"]
    assert first["history"]["loss"] == second["history"]["loss"]
    assert listing(tmp_path) == ["a", "b"]
    assert listing(tmp_path / "a") == RUN_FILES


# --- a three-class Spanish table -------------------------------------------------------------

TOPICS = {"deportes": ["fútbol", "partido", "gol", "equipo", "campeón", "árbitro"],
          "política": ["elección", "gobierno", "congreso", "ministro", "votación", "ley"],
          "cocina": ["receta", "paella", "sartén", "cebolla", "jamón", "horno"]}
FILLERS = ["hoy", "mañana", "según", "el", "la", "un", "día", "muy", "también", "aquí", "niño",
           "año"]


def spanish_rows(count, seed, topics=tuple(TOPICS)):
    """Headlines of two topic words among four fillers, topics in turn."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        topic = topics[i % len(topics)]
        words = rng.sample(TOPICS[topic], 2) + rng.sample(FILLERS, 4)
        rng.shuffle(words)
        rows.append((" ".join(words), topic))
    return rows


def write_csv(path, rows, header=("texto", "tema")):
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def spanish_config(data, output, **changes):
    settings = dict(data=str(data), text_column="texto", label_column="tema", model="bow",
                    maxlen=24, epochs=10, batch_size=16, learning_rate=0.01,
                    test_fraction=0.2, output=str(output))
    settings.update(changes)
    return ClassifyConfig(**settings)


@pytest.fixture(scope="module")
def spanish_run(tmp_path_factory):
    parent = tmp_path_factory.mktemp("spanish")
    data = write_csv(parent / "titulares.csv", spanish_rows(90, seed=0))
    metrics = train(spanish_config(data, parent / "run"), verbose=0)
    return parent, parent / "run", metrics


def test_three_class_csv_trains_a_softmax_head(spanish_run):
    parent, run, metrics = spanish_run
    assert listing(parent) == ["run", "titulares.csv"]
    assert listing(run) == RUN_FILES
    # labels sorted as strings; 90 rows, 20 % held out: 72 training, 18 test
    assert metrics["labels"] == ["cocina", "deportes", "política"]
    assert (metrics["train_samples"], metrics["test_samples"]) == (72, 18)
    confusion = np.array(metrics["confusion_matrix"])
    assert confusion.shape == (3, 3) and confusion.sum() == 18
    assert metrics["majority_baseline_accuracy"] < 0.5
    assert metrics["accuracy"] >= 0.8  # keywords decide the topic: measured 1.0 on seeds 0-2
    model = load_model(run / "model.safetensors")
    output = np.asarray(model.predict(np.ones((2, 24), dtype=np.int64), verbose=0))
    assert output.shape == (2, 3)
    np.testing.assert_allclose(output.sum(axis=-1), 1.0, atol=1e-5)
    assert evaluate(run)["accuracy"] == metrics["accuracy"]


def test_three_class_predictions_in_spanish(spanish_run):
    _, run, _ = spanish_run
    results = predict(run, ["el árbitro anuló el gol del campeón",
                            "la votación de la ley en el congreso",
                            "receta de paella con jamón al horno"])
    assert [label for label, _ in results] == ["deportes", "política", "cocina"]
    for _, probabilities in results:
        assert list(probabilities) == ["cocina", "deportes", "política"]
        assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-6)


def test_evaluate_on_another_table_aligns_its_labels(spanish_run, tmp_path):
    _, run, _ = spanish_run
    # only two of the three topics; in this file política is label 1 of ['cocina', 'política']
    rows = spanish_rows(12, seed=5, topics=("política", "cocina"))
    scores = evaluate(run, data=write_csv(tmp_path / "otros.csv", rows), text_column="texto",
                      label_column="tema")
    assert scores["labels"] == ["cocina", "deportes", "política"]
    supports = {name: c["support"] for name, c in scores["per_class"].items()}
    assert supports == {"cocina": 6, "deportes": 0, "política": 6}
    assert scores["samples"] == 12
    assert scores["accuracy"] >= 0.75


def test_evaluate_on_a_table_with_an_unknown_label(spanish_run, tmp_path):
    _, run, _ = spanish_run
    rows = spanish_rows(6, seed=1) + [("la bolsa sube y el euro baja", "economía")]
    with pytest.raises(ValueError, match="economía"):
        evaluate(run, data=write_csv(tmp_path / "otros.csv", rows), text_column="texto",
                 label_column="tema")


def test_one_label_only_raises(tmp_path):
    rows = [(text, "deportes") for text, _ in spanish_rows(30, seed=0)]
    data = write_csv(tmp_path / "solo.csv", rows)
    with pytest.raises(ValueError, match="two classes"):
        train(spanish_config(data, tmp_path / "run"), verbose=0)
    assert listing(tmp_path) == ["solo.csv"]


def test_wrong_column_names_lists_the_columns_found(tmp_path):
    data = write_csv(tmp_path / "t.csv", spanish_rows(30, seed=0), header=("frase", "clase"))
    with pytest.raises(ValueError) as raised:
        train(spanish_config(data, tmp_path / "run"), verbose=0)
    message = str(raised.value)
    assert "'texto'" in message
    assert "['frase', 'clase']" in message
    assert listing(tmp_path) == ["t.csv"]


@pytest.mark.parametrize("content, match", [("", "empty"), ("   \n\n", "empty"),
                                            ("texto,tema\n", "no rows")])
def test_empty_file_raises(tmp_path, content, match):
    data = tmp_path / "vacío.csv"
    data.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        train(spanish_config(data, tmp_path / "run"), verbose=0)
    assert listing(tmp_path) == ["vacío.csv"]


def test_output_that_is_a_file_fails_before_training(tmp_path):
    taken = tmp_path / "run"
    taken.write_text("not a folder")
    with pytest.raises(FileExistsError, match="is a file, not a run folder"):
        train(tiny(tmp_path, overwrite=True), verbose=0)
    assert taken.read_text() == "not a folder"


def test_training_order_is_shuffled_so_validation_sees_every_class(tmp_path, monkeypatch):
    """A table sorted by label: fit's validation_split takes the last texts, which must not
    all be of one class."""
    rows = sorted(spanish_rows(60, seed=0), key=lambda row: row[1])
    data = write_csv(tmp_path / "sorted.csv", rows)
    seen = {}
    original = Sequential.fit

    def recording_fit(self, x, y, **kwargs):
        seen["y"] = np.asarray(y)
        return original(self, x, y, **kwargs)

    monkeypatch.setattr(Sequential, "fit", recording_fit)
    train(spanish_config(data, tmp_path / "run", validation_split=0.25), verbose=0)
    tail = seen["y"][-len(seen["y"]) // 4:]
    assert len(set(tail.tolist())) == 3


def test_first_texts_train_with_train_size(tmp_path):
    rows = spanish_rows(60, seed=0)
    data = write_csv(tmp_path / "t.csv", rows)
    train_set, test_set = classify.load_data(spanish_config(data, tmp_path / "run",
                                                            train_size=45))
    assert train_set.texts == [text for text, _ in rows[:45]]
    assert test_set.texts == [text for text, _ in rows[45:]]
    with pytest.raises(ValueError, match="train_size=60 leaves no texts to test on"):
        classify.load_data(spanish_config(data, tmp_path / "run", train_size=60))


def test_separate_test_file(tmp_path):
    train_csv = write_csv(tmp_path / "train.csv", spanish_rows(60, seed=0))
    test_csv = write_csv(tmp_path / "test.csv", spanish_rows(9, seed=9))
    metrics = train(spanish_config(train_csv, tmp_path / "run", test_data=str(test_csv)),
                    verbose=0)
    assert (metrics["train_samples"], metrics["test_samples"]) == (60, 9)
    assert np.array(metrics["confusion_matrix"]).sum(axis=1).tolist() == [3, 3, 3]


# --- a failure mid-run leaves nothing --------------------------------------------------------

def test_failure_in_the_last_plot_leaves_no_folder(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr(classify, "plot_confusion", broken)
    with pytest.raises(RuntimeError, match="plotting failed"):
        train(tiny(tmp_path, epochs=1), verbose=0)
    assert listing(tmp_path) == []


def test_failure_in_fit_leaves_no_folder(tmp_path, monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("fit failed")

    monkeypatch.setattr(Sequential, "fit", broken)
    with pytest.raises(RuntimeError, match="fit failed"):
        train(tiny(tmp_path, epochs=1), verbose=0)
    assert listing(tmp_path) == []


def test_failure_with_overwrite_keeps_the_earlier_run(tmp_path, monkeypatch):
    run = tmp_path / "run"
    run.mkdir()
    (run / "metrics.json").write_text('{"accuracy": 0.5}', encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr(classify, "plot_confusion", broken)
    with pytest.raises(RuntimeError, match="plotting failed"):
        train(tiny(tmp_path, epochs=1, overwrite=True), verbose=0)
    assert listing(tmp_path) == ["run"]
    assert listing(run) == ["metrics.json"]
    assert (run / "metrics.json").read_text(encoding="utf-8") == '{"accuracy": 0.5}'


def test_overwrite_replaces_an_earlier_run(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "stale.txt").write_text("old", encoding="utf-8")
    train(tiny(tmp_path, epochs=1, overwrite=True), verbose=0)
    assert listing(tmp_path) == ["run"]
    assert listing(run) == RUN_FILES


# --- quality floors on real data -------------------------------------------------------------

def test_imdb_lstm_beats_the_majority_baseline(tmp_path):
    """3,000 seeded training reviews, LSTM, 4 epochs, scored on all 25,000 test reviews.

    Measured (seed 0..2, 2 CPU cores, one torch thread): accuracy 0.808, 0.819, 0.827
    against a baseline of 0.5; 13-22 s. The floor, 0.72, leaves a margin of 0.08."""
    tarball = shared_data("imdb/aclImdb_v1.tar.gz")
    metrics = train(ClassifyConfig(data=str(tarball), limit=3000, model="lstm", maxlen=200,
                                   epochs=4, seed=0, output=str(tmp_path / "run")), verbose=0)
    assert (metrics["train_samples"], metrics["test_samples"]) == (3000, 25000)
    assert metrics["majority_baseline_accuracy"] == 0.5  # 12,500 pos + 12,500 neg
    assert np.array(metrics["confusion_matrix"]).sum(axis=1).tolist() == [12500, 12500]
    assert metrics["accuracy"] >= 0.72
    assert metrics["macro_f1"] >= 0.70
    assert listing(tmp_path / "run") == RUN_FILES


def test_sarcasm_bow_beats_the_majority_baseline(tmp_path):
    """4,000 of the 21,367 training headlines (80 % of 26,709), bag of words, 10 epochs,
    scored on the other 5,342.

    Measured (seed 0..2): accuracy 0.815, 0.812, 0.817 against a baseline of 0.563; 3-4 s.
    The floor, baseline + 0.15, leaves a margin of about 0.1."""
    path = shared_data("sarcasm/Sarcasm_Headlines_Dataset.json")
    metrics = train(ClassifyConfig(data=str(path), limit=4000, model="bow", maxlen=32,
                                   epochs=10, seed=0, output=str(tmp_path / "run")), verbose=0)
    assert (metrics["train_samples"], metrics["test_samples"]) == (4000, 26709 - 21367)
    assert metrics["labels"] == ["not sarcastic", "sarcastic"]
    assert metrics["majority_label"] == "not sarcastic"  # 14,985 of 26,709 headlines
    assert 0.5 < metrics["majority_baseline_accuracy"] < 0.6
    assert metrics["accuracy"] >= metrics["majority_baseline_accuracy"] + 0.15
    assert metrics["per_class"]["sarcastic"]["recall"] > 0.5
