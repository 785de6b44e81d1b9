"""seqlab generate train|sample end to end on a tiny text: files, tables, exit codes."""
import json

import pytest

from seqlab.cli import main
from tests.cli.tables import table_rows

COUNTING = "one two three four five six seven eight"


@pytest.fixture(autouse=True)
def _environment(monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")  # rich tables: one line per row
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "SEQLAB_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generate")
    text = folder / "counting.txt"
    text.write_text((COUNTING + "\n") * 40, encoding="utf-8")
    code = main(["generate", "train", "--data", str(text), "--units", "24", "--layers", "1",
                 "--embedding-dim", "16", "--epochs", "25", "--batch-size", "16",
                 "--validation-fraction", "0.2", "--output", str(folder / "run"), "--quiet"])
    assert code == 0
    return folder / "run"


def test_train_writes_the_run_and_prints_the_samples_table(run, capsys):
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["kept_epoch"] >= 1 and metrics["context"] == 7
    config = json.loads((run / "config.json").read_text())
    assert config["units"] == 24 and config["mode"] == "lines" and config["context"] == 7


def test_sample_prints_greedy_and_batched_texts(run, capsys):
    assert main(["generate", "sample", str(run), "one two", "--length", "6", "--greedy"]) == 0
    assert capsys.readouterr().out.strip() == COUNTING
    assert main(["generate", "sample", str(run), "three", "--length", "4", "--samples", "2",
                 "--seed", "3", "--temperature", "1.2", "--top-k", "5"]) == 0
    out = capsys.readouterr().out
    assert out.count("--- sample") == 2
    assert all(len(line.split()) == 5 for line in out.splitlines() if "sample" not in line)


def test_train_table_shows_both_samplings(tmp_path, capsys):
    text = tmp_path / "t.txt"
    text.write_text((COUNTING + "\n") * 12, encoding="utf-8")
    assert main(["generate", "train", "--data", str(text), "--units", "8", "--layers", "1",
                 "--embedding-dim", "8", "--epochs", "1", "--output", str(tmp_path / "r"),
                 "--quiet"]) == 0
    rows = table_rows(capsys.readouterr().out)
    assert set(rows) >= {"default", "greedy"}
    assert 0 <= float(rows["greedy"][0]) <= 1 and int(rows["greedy"][1]) >= 1


@pytest.mark.parametrize("arguments, words", [
    (["--temperature", "-1"], "temperature must be a number >= 0"),
    (["--top-p", "0"], "top_p must be in (0, 1]"),
    (["--top-p", "1.5"], "top_p must be in (0, 1]"),
    (["--length", "0"], "length must be a whole number >= 1"),
])
def test_bad_sampling_options_exit_1(run, capsys, arguments, words):
    assert main(["generate", "sample", str(run), "one", *arguments]) == 1
    err = capsys.readouterr().err
    assert err.startswith("seqlab generate: error: ") and words in err


def test_bad_seeds_runs_and_texts_exit_1(run, tmp_path, capsys):
    assert main(["generate", "sample", str(run), "zebra"]) == 1
    assert "has no word the model knows" in capsys.readouterr().err
    assert main(["generate", "sample", str(run), COUNTING]) == 1
    assert "shorten the seed" in capsys.readouterr().err
    assert main(["generate", "sample", str(tmp_path / "missing"), "one"]) == 1
    assert "seqlab run folder" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    assert main(["generate", "train", "--data", str(empty), "--output",
                 str(tmp_path / "r")]) == 1
    assert "has no text to learn from" in capsys.readouterr().err
    assert main(["generate", "train", "--output", str(tmp_path / "r")]) == 1
    assert "--data FILE" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
