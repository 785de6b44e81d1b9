"""seqlab inspect gradients|model|vectors end to end: tables, PNGs, one-line errors."""
import numpy as np
import pytest
import torch

from seqlab.cli import main
from seqlab.layers import Dense, Embedding, GlobalAveragePooling1D, Input
from seqlab.models import Sequential
from seqlab.tasks import classify
from seqlab.tasks import inspect as ins
from seqlab.text import Tokenizer
from tests.cli.tables import table_rows
from tests.helpers import shared_data

TINY = ["--length", "12", "--seeds", "2", "--sequences", "8", "--units", "4", "--lengths", "4",
        "6", "--train-size", "128", "--test-size", "100", "--epochs", "2", "--quiet"]


@pytest.fixture(autouse=True)
def _environment(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # rich tables: one line per row
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "SEQLAB_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models (see the classify tests)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def lstm_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("inspect") / "lstm"
    classify.train(classify.ClassifyConfig(model="lstm", limit=200, epochs=1, units=6,
                                           embedding_dim=5, maxlen=20, num_words=300,
                                           validation_split=0.0, output=str(run)), verbose=0)
    return run


def _one_error_line(capsys):
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("seqlab inspect: error: "), captured.err
    assert len(err.splitlines()) == 1, captured.err
    return err


def test_gradients_prints_the_recipe_s_numbers_and_writes_the_plot(tmp_path, capsys):
    png = tmp_path / "plots" / "gradients.png"
    assert main(["inspect", "gradients", *TINY, "--output", str(png)]) == 0
    out = capsys.readouterr().out
    assert png.read_bytes()[:4] == b"\x89PNG"
    config = ins.LongRangeConfig(length=12, seeds=2, sequences=8, units=4, lengths=[4, 6],
                                 train_size=128, test_size=100, epochs=2)
    flow = ins.gradient_flow(config)
    rows = table_rows(out)
    # steps 1 and 10/25/50/75/90/100% of T=12: 1, 3, 6, 9, 11, 12
    for step in (1, 3, 6, 9, 11, 12):
        assert rows[str(step)] == [f"{flow['norms'][c][step - 1]:.2e}"
                                   for c in ("simplernn", "lstm", "gru")]
    assert rows["t=1 / t=T"] == [f"{flow['ratio'][c]:.2e}" for c in ("simplernn", "lstm", "gru")]
    race = ins.accuracy_race(config)
    for cell in ("simplernn", "lstm", "gru"):
        assert rows[cell][:2] == [f"{a:.3f}" for a in race["accuracy"][cell]]
        assert rows[cell][2].endswith(" s")
    assert "T=12 (2 seeds × 8 sequences, 4 units)" in " ".join(out.split())  # may wrap
    assert f"plot: {png}" in out


def test_gradients_without_the_race(tmp_path, capsys):
    png = tmp_path / "g.png"
    assert main(["inspect", "gradients", *TINY, "--no-race", "--cells", "gru", "--output",
                 str(png)]) == 0
    out = capsys.readouterr().out
    assert "test accuracy" not in out and png.is_file()
    assert list(table_rows(out)["12"]) and len(table_rows(out)["12"]) == 1


@pytest.mark.parametrize("argv, message", [
    (["--length", "1"], r"length must be whole numbers >= 2 \(T, .*got length=1"),
    (["--lengths", "10", "0"], r"got lengths=0"),
    (["--lengths", "8", "8"], r"lengths has repeated values: \[8, 8\]"),
    (["--cells", "lstm", "rnn"], r"cells must be among simplernn, lstm, gru, got 'rnn'"),
    (["--epochs", "0"], r"epochs must be a whole number >= 1, got epochs=0"),
])
def test_gradients_bad_values_are_one_line(tmp_path, capsys, argv, message):
    import re
    assert main(["inspect", "gradients", "--quiet", "--output", str(tmp_path / "g.png"),
                 *argv]) == 1
    assert re.search(message, _one_error_line(capsys))
    assert list(tmp_path.iterdir()) == []


def test_model_with_a_text(lstm_run, tmp_path, capsys):
    png = tmp_path / "gates.png"
    assert main(["inspect", "model", str(lstm_run), "--text", "a dull plot but great acting",
                 "--output", str(png)]) == 0
    out = capsys.readouterr().out
    assert png.read_bytes()[:4] == b"\x89PNG"
    described = ins.describe_model(lstm_run)
    layer = described["layers"][0]
    weights_part, gates_part = out.split("gates over")
    rows = table_rows(weights_part)
    name = f"{layer['name']} (LSTM, 6 units)"
    assert rows[name] == ["kernel", "(5, 24)", "i (5, 6)  f (5, 6)  c (5, 6)  o (5, 6)"]
    assert rows[""][:2] == ["bias", "(24,)"]
    result = ins.gate_activations(lstm_run, "a dull plot but great acting")
    gates = result["layers"][0]["gates"]
    first = table_rows(gates_part)[f"{layer['name']} (forward)"]
    assert first[:4] == ["i", f"{np.mean(gates['i']):.3f}", f"{gates['i'].min():.3f}",
                         f"{gates['i'].max():.3f}"]
    assert float(first[4]) < 1e-5  # recomputed h = the layer's own output
    assert "Total params" in out and f"gates over {len(result['tokens'])} tokens" in out
    assert f"plot: {png}" in out


def test_model_without_a_text_draws_nothing(lstm_run, tmp_path, capsys):
    assert main(["inspect", "model", str(lstm_run), "--output", str(tmp_path / "g.png")]) == 0
    out = capsys.readouterr().out
    assert "give --text TEXT" in out and "recurrent weights by gate" in out
    assert list(tmp_path.iterdir()) == []


def test_model_errors_are_one_line(lstm_run, tmp_path, capsys):
    assert main(["inspect", "model", str(tmp_path / "missing")]) == 1
    assert "missing: no such run folder; give a folder written by" in _one_error_line(capsys)
    (tmp_path / "empty").mkdir()
    assert main(["inspect", "model", str(tmp_path / "empty")]) == 1
    assert "is not a seqlab run folder: it has no model.safetensors" in _one_error_line(capsys)
    bow = tmp_path / "bow"
    bow.mkdir()
    tokenizer = Tokenizer().fit_on_texts(["good film", "bad film"])
    Sequential([Input(shape=(None,), dtype="int64"), Embedding(4, 2), GlobalAveragePooling1D(),
                Dense(1)]).save(bow / "model.safetensors", tokenizer=tokenizer)
    assert main(["inspect", "model", str(bow), "--text", "good"]) == 1
    assert f"{bow}: the model has no recurrent layer" in _one_error_line(capsys)
    assert main(["inspect", "model", str(lstm_run), "--text", "!!!",
                 "--output", str(tmp_path / "g.png")]) == 1
    assert "none of the tokens of '!!!'" in _one_error_line(capsys)
    assert main(["inspect", "model", str(lstm_run), "--text", "zebra quantum",
                 "--output", str(tmp_path / "g.png")]) == 1  # both words become <OOV>
    assert "none of the tokens of 'zebra quantum'" in _one_error_line(capsys)
    assert not (tmp_path / "g.png").exists()


def test_vectors_neighbours_and_projection(tmp_path, capsys):
    glove = shared_data("glove/glove.6B.50d.first2446.txt")
    png = tmp_path / "v.png"
    assert main(["inspect", "vectors", str(glove), "--limit", "1100", "--words", "king",
                 "paris", "--topn", "3", "--neighbours", "2", "--output", str(png)]) == 0
    out = capsys.readouterr().out
    assert png.read_bytes()[:4] == b"\x89PNG"
    vectors = ins.read_vectors(glove, limit=1100)
    neighbours_part, projection_part = out.split("PCA of")
    rows = table_rows(neighbours_part)
    for word in ("king", "paris"):
        assert rows[word][0] == ", ".join(f"{w} {c:.3f}"
                                          for w, c in vectors.most_similar(word, topn=3))
    projection = ins.project_words(vectors, ["king", "paris"], neighbours=2)
    assert len(projection["words"]) == 6
    neighbour = projection["words"][2]
    x, y = projection["points"][2]
    assert table_rows(projection_part)[neighbour] == [f"{x:.3f}", f"{y:.3f}", "king"]
    assert "1,100 words × 50" in out


def test_vectors_errors_are_one_line(tmp_path, capsys):
    glove = shared_data("glove/glove.6B.50d.first2446.txt")
    assert main(["inspect", "vectors", str(glove), "--limit", "500", "--words", "king",
                 "kingdomz", "--output", str(tmp_path / "v.png")]) == 1
    err = _one_error_line(capsys)
    assert "'king', 'kingdomz' not among the 500 words of the vectors" in err
    assert "a larger --limit" in err
    assert main(["inspect", "vectors", str(tmp_path / "none.txt"), "--words", "a"]) == 1
    assert "none.txt: no such vectors file" in _one_error_line(capsys)
    assert list(tmp_path.iterdir()) == []
