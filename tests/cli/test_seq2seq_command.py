"""seqlab seq2seq train|translate|evaluate end to end on tiny data, and its user errors
(one line on stderr, exit status 1, no run folder left behind)."""
import contextlib
import io
import json

import pytest
import torch

from seqlab.cli import main
from seqlab.tasks import seq2seq
from tests.cli.tables import read_metrics, table_rows

RUN_FILES = ["config.json", "curves.png", "metrics.json", "model.safetensors",
             "source_tokenizer.json", "target_tokenizer.json"]
TINY = ["--samples", "200", "--units", "8", "--embedding-dim", "8", "--epochs", "1",
        "--batch-size", "32", "--quiet"]


@pytest.fixture(autouse=True)
def _environment(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich tables: one line per row
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "SEQLAB_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny run on the generated 'reverse' task, and what train printed."""
    run = tmp_path_factory.mktemp("seq2seq") / "run"
    out = io.StringIO()  # a module-wide fixture cannot use capsys or monkeypatch
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
        patch.setenv("COLUMNS", "200")
        assert main(["seq2seq", "train", "--data", "reverse", "--beam-width", "3",
                     "--output", str(run), *TINY]) == 0
    return run, out.getvalue()


def _one_error_line(capsys):
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("seqlab seq2seq: error: "), captured.err
    assert len(err.splitlines()) == 1, captured.err
    return err


def test_train_prints_greedy_and_beam_and_writes_the_run_folder(trained):
    run, out = trained
    assert sorted(p.name for p in run.iterdir()) == RUN_FILES
    assert [p.name for p in run.parent.iterdir()] == ["run"]  # no temporary folder left
    metrics = read_metrics(run)
    rows = table_rows(out)
    assert rows["greedy"][0] == f"{metrics['exact_match']['greedy']:.4f}"
    assert rows["beam (width 3)"][0] == f"{metrics['exact_match']['beam']:.4f}"
    assert rows["greedy"][1] == f"{metrics['decoding_seconds']['greedy']:.2f} s"
    assert rows["per-token accuracy (teacher forced)"][0] == \
        f"{metrics['token_accuracy']:.4f}"
    assert "lstm on reverse: 20 held-out pairs" in out
    first = metrics["examples"][0]
    assert rows[first["source"]][0] == first["target"]
    assert f"run folder: {run} (model.safetensors" in out
    assert "Epoch" not in out  # --quiet


def test_translate_prints_one_line_per_text(trained, capsys):
    run, _ = trained
    assert main(["seq2seq", "translate", str(run), "123", "9081", "--beam-width", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[1] for line in lines] == ["123", "9081"]
    assert [line.split("\t")[0] for line in lines] == \
        seq2seq.translate(run, ["123", "9081"], beam_width=1)
    assert main(["seq2seq", "translate", str(run), "--max-length", "2", "123"]) == 0
    output, text = capsys.readouterr().out.rstrip("\n").split("\t")
    assert len(output) <= 2 and text == "123"


def test_translate_reads_a_file_and_stdin(trained, tmp_path, capsys, monkeypatch):
    run, _ = trained
    texts = tmp_path / "texts.txt"
    texts.write_text("12\n345\n", encoding="utf-8")
    assert main(["seq2seq", "translate", str(run), "--file", str(texts)]) == 0
    from_file = capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"12\n345\n")))
    assert main(["seq2seq", "translate", str(run)]) == 0
    assert capsys.readouterr().out == from_file
    assert [line.split("\t")[1] for line in from_file.splitlines()] == ["12", "345"]


def test_evaluate_repeats_the_run_s_scores(trained, capsys):
    run, _ = trained
    assert main(["seq2seq", "evaluate", str(run)]) == 0
    rows = table_rows(capsys.readouterr().out)
    metrics = read_metrics(run)
    assert rows["greedy"][0] == f"{metrics['exact_match']['greedy']:.4f}"
    assert rows["beam (width 3)"][0] == f"{metrics['exact_match']['beam']:.4f}"


def test_train_on_a_tsv_file_at_word_level(tmp_path, capsys):
    data = tmp_path / "pairs.tsv"
    data.write_text("".join(f"{a} and {b}\t{b} {a}\n" for a in "abcdefg" for b in "hijklm"),
                    encoding="utf-8")
    run = tmp_path / "run"
    assert main(["seq2seq", "train", "--data", str(data), "--level", "word", "--cell", "gru",
                 "--bidirectional", "--output", str(run), *TINY]) == 0
    out = capsys.readouterr().out
    assert f"bidirectional gru on {data}: 4 held-out pairs".replace(" ", "") in \
        "".join(out.split())  # the title may wrap anywhere
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    assert config["data"] == str(data.absolute()) and config["level"] == "word"
    assert main(["seq2seq", "translate", str(run), "a and h"]) == 0
    output = capsys.readouterr().out.split("\t")[0]
    assert all(word in "abcdefghijklm <unk>" for word in output.split())


@pytest.mark.parametrize("argv, message", [
    (["seq2seq", "translate", "no/such/run", "hi"],
     "no/such/run: no such run folder (train one with `seqlab seq2seq train --output "
     "no/such/run`)"),
    (["seq2seq", "evaluate", "no/such/run"], "no/such/run: no such run folder"),
    (["seq2seq", "train", "--data", "missing.tsv"],
     "missing.tsv: no such file, and not one of the generated tasks dates, reverse, "
     "addition"),
    (["seq2seq", "train", "--beam-width", "0"],
     "beam_width must be a whole number >= 1, got beam_width=0"),
    (["seq2seq", "train", "--level", "byte"], "level='byte' is not one of: char, word"),
    (["seq2seq", "train", "--cell", "rnn"], "cell='rnn' is not one of: lstm, gru"),
    (["seq2seq", "train", "--test-fraction", "1"], "test_fraction must be between 0 and 1"),
])
def test_user_errors_are_one_line_and_exit_1(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 1
    assert message in _one_error_line(capsys)
    assert list(tmp_path.iterdir()) == []  # no run folder, no temporary folder


@pytest.mark.parametrize("content, message", [
    (b"", "holds no pairs: expected lines of source<TAB>target"),
    (b"one\tun\ntwo un\n", "line 2: expected source<TAB>target, found no tab in 'two un'"),
    (b"one\tun\n\ttwo\n", "line 2: the source is empty"),
    (b"one\t\xe9\n", "line 1, column 5: byte"),
])
def test_bad_tsv_files(content, message, tmp_path, capsys):
    data = tmp_path / "pairs.tsv"
    data.write_bytes(content)
    assert main(["seq2seq", "train", "--data", str(data), "--output",
                 str(tmp_path / "run"), *TINY]) == 1
    assert f"{data} {message}" in _one_error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.tsv"]


def test_translate_errors(trained, tmp_path, capsys):
    run, _ = trained
    assert main(["seq2seq", "translate", str(run), "--beam-width", "0", "12"]) == 1
    assert "beam_width must be a whole number >= 1" in _one_error_line(capsys)
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert main(["seq2seq", "translate", str(run), "--file", str(empty)]) == 1
    assert "no texts to translate" in _one_error_line(capsys)
    assert main(["seq2seq", "translate", str(run), "--file", str(empty), "12"]) == 1
    assert "give texts as arguments or --file, not both" in _one_error_line(capsys)
    assert main(["seq2seq", "translate", str(tmp_path), "12"]) == 1  # a folder, not a run
    assert "config.json: no such file" in _one_error_line(capsys)


def test_without_an_action_help_is_shown(capsys):
    assert main(["seq2seq"]) == 2
    assert "train" in capsys.readouterr().out
