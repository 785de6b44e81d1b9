"""seqlab classify train|evaluate|predict end to end on small generated tables."""
import csv
import io
import json
import random
import re
import sys
from pathlib import Path

import pytest

from seqlab.cli import main
from seqlab.tasks import classify
from tests.cli.tables import read_metrics, table_rows

RUN_FILES = ["config.json", "confusion.png", "curves.png", "metrics.json", "model.safetensors"]
POSITIVE = ["great", "lovely", "superb", "fine", "happy"]
NEGATIVE = ["awful", "dull", "poor", "sad", "boring"]
NEUTRAL = ["okay", "average", "middling", "so-so"]
FILLER = ["the", "film", "was", "a", "story", "and", "it", "really", "quite", "plot"]
KEYS = {"pos": POSITIVE, "neg": NEGATIVE, "meh": NEUTRAL}
# the LSTM learns the key words in 2 epochs at this rate (97% on the held-out texts)
FAST = ["--epochs", "2", "--maxlen", "20", "--learning-rate", "0.02", "--quiet"]


@pytest.fixture(autouse=True)
def _environment(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich tables: one line per row
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "SEQLAB_DEBUG"):
        monkeypatch.delenv(name, raising=False)


def write_table(path, rows, labels=("pos", "neg"), seed=0, text_column="text",
                label_column="label"):
    """`rows` texts of six filler words and two key words of their label, labels in turn."""
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id", text_column, label_column])
        for i in range(rows):
            label = labels[i % len(labels)]
            words = [rng.choice(FILLER) for _ in range(6)]
            for _ in range(2):
                words.insert(rng.randrange(len(words) + 1), rng.choice(KEYS[label]))
            writer.writerow([i, " ".join(words), label])
    return path


def _one_error_line(capsys):
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("seqlab classify: error: "), captured.err
    assert len(err.splitlines()) == 1, captured.err
    return err


class _Stdin:
    def __init__(self, data):
        self.buffer = io.BytesIO(data)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """An LSTM run trained on 300 texts (240 train, 60 test); ``(run folder, table)``."""
    folder = tmp_path_factory.mktemp("classify")
    table = write_table(folder / "reviews.csv", 300)
    run = folder / "run"
    assert main(["classify", "train", "--data", str(table), "--model", "lstm",
                 "--output", str(run), *FAST]) == 0
    return run, table


# ------------------------------------------------------------------------------ train

@pytest.mark.parametrize("model", ["bow", "lstm"])
def test_train_prints_the_scores_and_writes_the_run_folder(tmp_path, capsys, model):
    table = write_table(tmp_path / "reviews.csv", 300)
    run = tmp_path / "runs" / model
    argv = ["classify", "train", "--data", str(table), "--model", model, "--epochs", "2",
            "--maxlen", "20", "--quiet", "--output", str(run)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in run.iterdir()) == RUN_FILES
    assert [p.name for p in run.parent.iterdir()] == [model]  # no temporary folder left
    metrics = read_metrics(run)
    assert metrics["samples"] == metrics["test_samples"] == 60  # --test-fraction 0.2
    assert metrics["train_samples"] == 240
    assert metrics["labels"] == ["neg", "pos"]
    assert len(metrics["history"]["loss"]) == 2
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    assert config["model"] == model and config["maxlen"] == 20
    assert config["label_names"] == ["neg", "pos"]

    rows = table_rows(out)
    assert set(rows) == {"neg", "pos", "accuracy", "macro F1",
                         f"baseline: always '{metrics['majority_label']}'"}
    assert rows["accuracy"] == ["", "", f"{metrics['accuracy']:.4f}", "60"]
    assert rows["macro F1"][2] == f"{metrics['macro_f1']:.4f}"
    assert rows[f"baseline: always '{metrics['majority_label']}'"][2] == \
        f"{metrics['majority_baseline_accuracy']:.4f}"
    for label in ("neg", "pos"):
        scores = metrics["per_class"][label]
        assert rows[label] == [f"{scores['precision']:.3f}", f"{scores['recall']:.3f}",
                               f"{scores['f1']:.3f}", str(scores["support"])]
    assert f"run folder: {run} (model.safetensors" in out
    assert "Epoch" not in out  # --quiet


def test_the_trained_lstm_learned_the_key_words(trained):
    run, _ = trained
    metrics = read_metrics(run)
    assert metrics["accuracy"] >= 0.9
    assert metrics["accuracy"] > metrics["majority_baseline_accuracy"] + 0.3


def test_train_with_a_separate_test_table(tmp_path, capsys):
    table = write_table(tmp_path / "train.csv", 200)
    test = tmp_path / "test.tsv"
    with open(test, "w", encoding="utf-8") as file:
        file.write("text\tlabel\n")
        file.writelines(f"{word} film\t{label}\n" for label in ("pos", "neg")
                        for word in KEYS[label])
    run = tmp_path / "run"
    assert main(["classify", "train", "--data", str(table), "--test-data", str(test),
                 "--model", "bow", "--output", str(run), *FAST]) == 0
    metrics = read_metrics(run)
    assert metrics["train_samples"] == 200  # every row: no split when --test-data is given
    assert metrics["test_samples"] == metrics["samples"] == 10
    assert {name: c["support"] for name, c in metrics["per_class"].items()} == \
        {"neg": 5, "pos": 5}
    assert table_rows(capsys.readouterr().out)["accuracy"][3] == "10"


def test_train_three_classes(tmp_path, capsys):
    table = write_table(tmp_path / "three.csv", 300, labels=("pos", "neg", "meh"))
    run = tmp_path / "run"
    assert main(["classify", "train", "--data", str(table), "--model", "lstm",
                 "--output", str(run), *FAST]) == 0
    metrics = read_metrics(run)
    assert metrics["labels"] == ["meh", "neg", "pos"]
    assert len(metrics["confusion_matrix"]) == 3
    assert set(table_rows(capsys.readouterr().out)) >= {"meh", "neg", "pos", "accuracy"}

    assert main(["classify", "predict", str(run), "okay average film", "--all"]) == 0
    label, shown, known, text = capsys.readouterr().out.rstrip("\n").split("\t")
    assert known == "3/3"
    probabilities = dict(part.split("=") for part in shown.split(" "))
    assert list(probabilities) == ["meh", "neg", "pos"] and text == "okay average film"
    assert sum(map(float, probabilities.values())) == pytest.approx(1, abs=2e-4)
    assert label == max(probabilities, key=lambda name: float(probabilities[name]))


def test_overwrite_replaces_an_existing_run(tmp_path, capsys):
    table = write_table(tmp_path / "reviews.csv", 100)
    run = tmp_path / "run"
    run.mkdir()
    (run / "old.txt").write_text("old")
    assert main(["classify", "train", "--data", str(table), "--model", "bow", "--overwrite",
                 "--output", str(run), *FAST]) == 0
    assert sorted(p.name for p in run.iterdir()) == RUN_FILES
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_interrupted_training_saves_nothing(tmp_path, capsys, monkeypatch):
    def interrupted(config, verbose):
        raise KeyboardInterrupt

    monkeypatch.setattr(classify, "train", interrupted)
    table = write_table(tmp_path / "reviews.csv", 20)
    assert main(["classify", "train", "--data", str(table), "--output",
                 str(tmp_path / "run")]) == 130
    assert capsys.readouterr().err == "seqlab classify: interrupted (Ctrl-C); nothing was saved\n"
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("at_epoch", [0, 2])
def test_ctrl_c_after_finished_epochs_keeps_the_best_and_says_so(tmp_path, capsys, monkeypatch,
                                                                  at_epoch):
    from seqlab.models.callbacks import EarlyStopping

    class CtrlC(EarlyStopping):  # the recipe's own EarlyStopping, with a Ctrl-C in it
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == at_epoch:
                raise KeyboardInterrupt

    monkeypatch.setattr(classify.callbacks, "EarlyStopping", CtrlC)
    table = write_table(tmp_path / "reviews.csv", 40)
    run = tmp_path / "run"
    code = main(["classify", "train", "--data", str(table), "--model", "bow", "--output",
                 str(run), *FAST[2:], "--epochs", "4"])
    err = capsys.readouterr().err
    if at_epoch == 0:  # nothing finished: nothing to keep
        assert code == 130 and not run.exists() and "nothing was saved" in err
        return
    assert code == 0 and sorted(p.name for p in run.iterdir()) == RUN_FILES
    metrics = read_metrics(run)
    assert metrics["interrupted"] is True and metrics["finished_epochs"] == 2
    assert len(metrics["history"]["loss"]) == 2
    best = 1 + min(range(2), key=lambda i: metrics["history"]["val_loss"][i])
    assert metrics["best_epoch"] == best
    assert err.splitlines()[-1] == (
        f"seqlab classify train: interrupted (Ctrl-C) after 2 of 4 epochs: the run folder "
        f"keeps epoch {best}, the best of those, and its metrics.json says \"interrupted\": true")
    assert "fit: interrupted (Ctrl-C) in epoch 3/4" in err


# ---------------------------------------------------------------------------- evaluate

def test_evaluate_on_the_run_s_own_test_split_repeats_its_scores(trained, capsys):
    run, _ = trained
    assert main(["classify", "evaluate", str(run)]) == 0
    rows = table_rows(capsys.readouterr().out)
    metrics = read_metrics(run)
    assert rows["accuracy"] == ["", "", f"{metrics['accuracy']:.4f}", "60"]
    assert rows["macro F1"][2] == f"{metrics['macro_f1']:.4f}"
    assert rows[f"baseline: always '{metrics['majority_label']}'"][2] == \
        f"{metrics['majority_baseline_accuracy']:.4f}"


def test_evaluate_on_another_table(trained, tmp_path, capsys):
    run, _ = trained
    other = write_table(tmp_path / "other.csv", 50, seed=7, text_column="review",
                        label_column="sentiment")
    assert main(["classify", "evaluate", str(run), "--data", str(other), "--text-column",
                 "review", "--label-column", "sentiment"]) == 0
    rows = table_rows(capsys.readouterr().out)
    with open(other, encoding="utf-8") as file:
        records = list(csv.DictReader(file))
    predicted = classify.predict(run, [r["review"] for r in records])
    accuracy = sum(label == r["sentiment"] for (label, _), r in zip(predicted, records)) / 50
    assert rows["accuracy"] == ["", "", f"{accuracy:.4f}", "50"]
    assert rows["pos"][3] == rows["neg"][3] == "25"
    majority = read_metrics(run)["majority_label"]  # the training data's majority label
    assert rows[f"baseline: always '{majority}'"][2] == "0.5000"


def test_evaluate_on_a_table_with_an_unseen_label_is_an_error(trained, tmp_path, capsys):
    run, _ = trained
    other = write_table(tmp_path / "other.csv", 30, labels=("pos", "meh"))
    assert main(["classify", "evaluate", str(run), "--data", str(other)]) == 1
    assert "labels ['meh'] were not in the training data" in _one_error_line(capsys)


# ----------------------------------------------------------------------------- predict

def _predictions(out):
    lines = [line.split("\t") for line in out.splitlines()]
    assert all(len(line) == 4 for line in lines), out
    return [(label, float(p), text) for label, p, _, text in lines]


def test_predict_texts_from_the_arguments(trained, capsys):
    run, _ = trained
    texts = ["the film was great and superb", "a dull and boring story", "the plot"]
    assert main(["classify", "predict", str(run), *texts]) == 0
    lines = _predictions(capsys.readouterr().out)
    assert [text for _, _, text in lines] == texts
    assert [label for label, _, _ in lines[:2]] == ["pos", "neg"]
    assert all(0.5 <= p <= 1 for _, p, _ in lines)  # the chosen label's probability
    assert lines[0][1] > 0.8 and lines[1][1] > 0.8
    expected = classify.predict(run, texts)
    assert [(label, f"{probabilities[label]:.4f}") for label, probabilities in expected] == \
        [(label, f"{p:.4f}") for label, p, _ in lines]


def test_predict_all_prints_every_label_s_probability(trained, capsys):
    run, _ = trained
    assert main(["classify", "predict", str(run), "lovely happy film", "--all"]) == 0
    label, shown, known, text = capsys.readouterr().out.rstrip("\n").split("\t")
    assert label == "pos" and text == "lovely happy film" and known == "3/3"
    assert re.fullmatch(r"neg=0\.\d{4} pos=(0|1)\.\d{4}", shown), shown
    neg, pos = (float(part.split("=")[1]) for part in shown.split())
    assert neg + pos == pytest.approx(1, abs=2e-4) and pos > neg


def test_predict_accepts_options_before_the_texts(trained, capsys):
    run, _ = trained
    try:
        code = main(["classify", "predict", str(run), "--all", "lovely happy film"])
    except SystemExit as stop:
        code = stop.code
    assert code == 0
    assert capsys.readouterr().out.endswith("\tlovely happy film\n")


def test_predict_from_a_file(trained, tmp_path, capsys):
    run, _ = trained
    path = tmp_path / "texts.txt"
    path.write_bytes("superb lovely\r\nawful poor\nfine été\n".encode("utf-8"))
    assert main(["classify", "predict", str(run), "--file", str(path)]) == 0
    lines = _predictions(capsys.readouterr().out)
    assert [text for _, _, text in lines] == ["superb lovely", "awful poor", "fine été"]
    assert [label for label, _, _ in lines[:2]] == ["pos", "neg"]


@pytest.mark.parametrize("file_option", [[], ["--file", "-"]])
def test_predict_from_standard_input(trained, monkeypatch, capsys, file_option):
    run, _ = trained
    monkeypatch.setattr(sys, "stdin", _Stdin(b"great happy film\nsad dull film\n"))
    assert main(["classify", "predict", str(run), *file_option]) == 0
    lines = _predictions(capsys.readouterr().out)
    assert [(label, text) for label, _, text in lines] == [("pos", "great happy film"),
                                                           ("neg", "sad dull film")]
    assert all(0 <= p <= 1 for _, p, _ in lines)


@pytest.mark.parametrize("argv, stdin, message", [
    ([], b"", "no texts to label: give them as arguments, with --file FILE, or on standard "
              "input"),
    (["--file", "{tmp}/missing.txt"], b"", "missing.txt: no such file"),
    (["a text", "--file", "{tmp}/texts.txt"], b"", "give texts as arguments or --file, not both"),
    ([], b"ok\ncaf\xe9\n", "<stdin> line 2, column 4: byte"),
])
def test_predict_errors_are_one_line(trained, tmp_path, monkeypatch, capsys, argv, stdin,
                                     message):
    run, _ = trained
    (tmp_path / "texts.txt").write_text("a text\n")
    monkeypatch.setattr(sys, "stdin", _Stdin(stdin))
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(["classify", "predict", str(run), *argv]) == 1
    assert message in _one_error_line(capsys)
    assert capsys.readouterr().out == ""


def test_predict_with_a_folder_that_is_not_a_run(tmp_path, capsys):
    folder = tmp_path / "empty"
    folder.mkdir()
    assert main(["classify", "predict", str(folder), "some text"]) == 1
    err = _one_error_line(capsys)
    assert f"{folder / 'config.json'}: no such file (is {folder} a seqlab run folder?)" in err
    assert main(["classify", "evaluate", str(tmp_path / "nowhere")]) == 1
    assert "a seqlab run folder?" in _one_error_line(capsys)


def test_predict_with_another_recipe_s_run_names_the_folder(tmp_path, capsys):
    folder = tmp_path / "forecast-run"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"data": "jena", "target": "T (degC)"}))
    assert main(["classify", "predict", str(folder), "some text"]) == 1
    assert str(folder) in _one_error_line(capsys)


# ------------------------------------------------------------------------- train errors

@pytest.mark.parametrize("setup, argv, message", [
    (None, ["--data", "{tmp}/missing.csv"],
     r"missing.csv: no such file or folder, and not one of the dataset names synthetic, imdb, "
     r"sarcasm"),
    ("table", ["--text-column", "body"],
     r"has no column 'body' \(the text_column\); its columns are \['id', 'text', 'label'\]"),
    ("table", ["--label-column", "y"],
     r"has no column 'y' \(the label_column\); its columns are \['id', 'text', 'label'\]"),
    ("one class", [], r"every training text has the label \['pos'\]; a classifier needs at "
                      r"least two classes"),
    ("header only", [], r"has a header but no rows"),
    ("empty file", [], r"is empty: expected a header row and data rows"),
    ("table", ["--model", "transformer"],
     r"model='transformer' is not one of: bow, rnn, lstm, gru, bilstm, stacked, cnn, cnn-gru"),
    ("table", ["--epochs", "0"], r"epochs must be a whole number >= 1, got epochs=0"),
    ("table", ["--maxlen", "-5"], r"maxlen must be a whole number >= 1, got maxlen=-5"),
    ("table", ["--dropout", "1.5"], r"dropout must be a fraction in \[0, 1\), got dropout=1.5"),
    ("table", ["--optimizer", "adamm"], r"adamm"),
    ("table", ["--test-fraction", "0"], r"test_fraction must be between 0 and 1, got 0.0"),
    ("table", ["--test-data", "{tmp}/nope.csv"], r"nope.csv: no such file or folder"),
    ("table", ["--vectors", "{tmp}/glove.txt"], r"glove.txt: no such vectors file"),
    ("bad row", [], r"reviews.csv line 3: 2 fields but the header has 3"),
    ("unknown format", ["--data", "{tmp}/reviews.txt"],
     r"cannot tell the format of .*reviews.txt from its extension '.txt'"),
])
def test_train_errors_are_one_line_and_leave_no_run_folder(tmp_path, capsys, setup, argv,
                                                           message):
    table = tmp_path / "reviews.csv"
    if setup in ("table", "bad row"):
        write_table(table, 40)
    elif setup == "unknown format":
        write_table(tmp_path / "reviews.txt", 40)
    elif setup == "one class":
        write_table(table, 40, labels=("pos",))
    elif setup == "header only":
        table.write_text("text,label\n")
    elif setup == "empty file":
        table.write_text("\n")
    if setup == "bad row":
        lines = table.read_text().splitlines()
        lines[2] = "only,two"
        table.write_text("\n".join(lines) + "\n")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    run = tmp_path / "run"
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["classify", "train", "--data", str(table), "--output", str(run),
                 "--epochs", "1", "--quiet", *argv]) == 1
    err = _one_error_line(capsys)
    assert re.search(message, err), err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no run, no temporary folder


def test_train_refuses_to_replace_a_run_without_overwrite(trained, capsys):
    run, table = trained
    before = {p.name: p.stat().st_mtime_ns for p in run.iterdir()}
    assert main(["classify", "train", "--data", str(table), "--output", str(run),
                 *FAST]) == 1
    assert f"{run} exists; choose another output folder or overwrite it" in \
        _one_error_line(capsys)
    assert {p.name: p.stat().st_mtime_ns for p in run.iterdir()} == before


def test_predict_says_how_many_words_were_known_and_warns_when_none_or_few(trained,
                                                                           capsys):
    run, _ = trained
    texts = ["lovely happy film", "zzzz qqqq", "", "superb xx yy zz ww"]
    assert main(["classify", "predict", str(run), *texts]) == 0
    captured = capsys.readouterr()
    known = [line.split("\t")[2] for line in captured.out.splitlines()]
    assert known == ["3/3", "0/2", "0/0", "1/5"]
    assert captured.err.splitlines() == [
        "seqlab classify predict: warning: 2 of 4 texts (lines 2, 3) with no word the model "
        "knows: its label is the model's answer to an empty text",
        "seqlab classify predict: warning: 1 of 4 texts (line 4) with fewer than half of its "
        "words known: its label rests on those few"]


def test_predict_in_python_counts_known_words_and_warns(trained):
    run, _ = trained
    with pytest.warns(classify.UnknownWordsWarning, match=r"1 of 2 texts have no word the "
                                                          r"model knows \(text 2\)"):
        good, blind = classify.predict(run, ["lovely happy film", "zzzz qqqq"])
    label, probabilities = good  # still the (label, probabilities) pair
    assert label == good.label == "pos" and probabilities is good.probabilities
    assert (good.known_tokens, good.tokens, blind.known_tokens, blind.tokens) == (3, 3, 0, 2)


def test_the_unknown_words_warning_points_at_the_caller(trained):
    run, _ = trained
    with pytest.warns(classify.UnknownWordsWarning) as caught:
        classify.predict(run, ["zzzz"])
    assert caught[0].filename == __file__


def test_train_with_subword_pieces_and_pretraining_then_predict(tmp_path, capsys):
    table = write_table(tmp_path / "reviews.csv", 300)
    corpus = tmp_path / "unlabelled.txt"
    corpus.write_text("\n".join(f"{i} the film was {POSITIVE[i % 5]} and {NEGATIVE[i % 5]}"
                                for i in range(200)), encoding="utf-8")
    run = tmp_path / "run"
    argv = ["classify", "train", "--data", str(table), "--tokenizer", "subword",
            "--subword-vocab", "300", "--pretrain", str(corpus), "--pretrain-context", "16",
            "--pretrain-vocab", "100", "--fine-tune", "all", "--units", "8",
            "--embedding-dim", "8", *FAST, "--output", str(run)]
    assert main(argv) == 0
    capsys.readouterr()
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    assert config["tokenizer"] == "subword" and config["subword_vocab"] == 300
    assert Path(config["pretrain"]).resolve() == corpus.resolve()
    assert read_metrics(run)["language_model_perplexity"] > 1
    assert main(["classify", "predict", str(run), "a superb happy film"]) == 0
    label, probability, known, text = capsys.readouterr().out.strip().split("\t")
    assert label in ("neg", "pos") and text == "a superb happy film"
