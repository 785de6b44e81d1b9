"""seqlab demo end to end (in-process and as ``python -m seqlab``), and the top-level command."""
import json
import re
import subprocess
import sys

import pytest

from seqlab.cli import main
from tests.cli.tables import read_metrics, table_rows

RUN_FILES = ("model.safetensors", "config.json", "metrics.json", "curves.png", "confusion.png")


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch):
    # rich sizes its tables to $COLUMNS when the output is not a terminal: keep rows unwrapped
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)


def test_demo_trains_both_models_and_the_lstm_learns_the_word_order(tmp_path, capsys):
    output = tmp_path / "demo"
    # 6 epochs (the default): the LSTM reaches 100% from epoch 3 on, 60% after 2;
    # the bag-of-words model stays at chance (it cannot see the order)
    assert main(["demo", "--output", str(output), "--epochs", "6", "--quiet"]) == 0
    out = capsys.readouterr().out

    for model in ("bow", "lstm"):
        folder = output / model
        assert sorted(p.name for p in folder.iterdir()) == sorted(RUN_FILES)
        assert (folder / "curves.png").read_bytes()[:4] == b"\x89PNG"
        assert (folder / "confusion.png").read_bytes()[:4] == b"\x89PNG"
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        assert config["model"] == model and config["epochs"] == 6
        assert config["label_names"] == ["negative", "positive"]
    assert sorted(p.name for p in output.iterdir()) == ["bow", "lstm"]  # no temporary folders

    bow, lstm = read_metrics(output / "bow"), read_metrics(output / "lstm")
    assert bow["samples"] == lstm["samples"] == 2000
    assert len(lstm["history"]["loss"]) == 6
    baseline = lstm["majority_baseline_accuracy"]
    assert baseline == bow["majority_baseline_accuracy"] and 0.45 < baseline < 0.55
    assert lstm["accuracy"] > 0.95
    assert lstm["accuracy"] > bow["accuracy"] + 0.3
    assert lstm["accuracy"] > baseline + 0.3
    assert bow["accuracy"] < 0.65  # order-blind: near chance on order-dependent labels

    rows = table_rows(out)
    assert rows["bow"][0] == f"{bow['accuracy']:.4f}"
    assert rows["lstm"][0] == f"{lstm['accuracy']:.4f}"
    assert rows["lstm"][1] == f"{lstm['macro_f1']:.4f}"
    assert rows["lstm"][2] == f"{lstm['parameters']:,}"
    assert rows["lstm"][3].endswith(" s")
    assert rows[f"baseline: always '{lstm['majority_label']}'"][0] == f"{baseline:.4f}"
    assert list(rows) == ["bow", "lstm", f"baseline: always '{lstm['majority_label']}'"]

    assert f"Run folders: {output}/bow, {output}/lstm" in out
    assert "The same on real reviews (downloads IMDB" in out
    assert "seqlab classify train --data imdb --model lstm" in out
    assert "Epoch" not in out and "data: synthetic" not in out  # --quiet

    # a second run replaces the demo's own run folders
    assert main(["demo", "--output", str(output), "--epochs", "1", "--quiet"]) == 0
    assert "baseline: always" in capsys.readouterr().out
    for model in ("bow", "lstm"):
        assert len(read_metrics(output / model)["history"]["loss"]) == 1
        assert sorted(p.name for p in (output / model).iterdir()) == sorted(RUN_FILES)
    assert sorted(p.name for p in output.iterdir()) == ["bow", "lstm"]


def test_demo_with_zero_epochs_is_a_one_line_error(tmp_path, capsys):
    output = tmp_path / "demo"
    assert main(["demo", "--output", str(output), "--epochs", "0", "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "seqlab demo: error: epochs must be a whole number >= 1, got epochs=0"
    assert not output.exists()


def test_demo_does_not_delete_a_folder_it_did_not_write(tmp_path, capsys):
    output = tmp_path / "runs"
    mine = output / "lstm" / "notes.txt"
    mine.parent.mkdir(parents=True)
    mine.write_text("my own work\n")
    code = main(["demo", "--output", str(output), "--epochs", "1", "--quiet"])
    assert mine.exists(), f"exit {code}: {mine} was deleted"


def test_python_dash_m_seqlab_runs_the_demo(tmp_path):
    output = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "seqlab", "demo", "--epochs", "1",
                           "--output", str(output)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "baseline: always" in done.stdout
    for model in ("bow", "lstm"):
        assert (output / model / "model.safetensors").is_file()


def test_no_command_prints_help_and_returns_2(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    assert out.startswith("usage: seqlab")
    for command in ("demo", "tokenize", "datasets", "classify", "forecast"):
        assert re.search(rf"^\s+{command}\s", out, re.MULTILINE), command


@pytest.mark.parametrize("command, actions", [
    ("classify", ("train", "evaluate", "predict")),
    ("forecast", ("train", "evaluate")),
])
def test_a_command_without_its_action_prints_that_command_s_help(capsys, command, actions):
    assert main([command]) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith(f"usage: seqlab {command} ")
    for action in actions:
        assert re.search(rf"^\s+{action}\s", captured.out, re.MULTILINE), action
    assert captured.err == ""


def test_version(capsys):
    from seqlab import __version__

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"seqlab {__version__}"
