"""What a new user meets first: hints that run as printed, options reported by the command
that got them, checks before any output."""
import os
import shlex
import sys

import pytest

from seqlab.cli import main
from seqlab.cli._options import command_name


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


def test_the_command_name_is_the_venv_script_as_typed_from_the_project(tmp_path,
                                                                       monkeypatch):
    script = tmp_path / ".venv" / "bin" / "seqlab"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(script), "demo"])
    assert command_name() == ".venv/bin/seqlab"
    monkeypatch.chdir(tmp_path.parent.parent if tmp_path.parent.parent != tmp_path else "/")
    assert command_name() in (str(script), os.path.relpath(script))


def test_without_the_script_the_command_name_is_this_python_dash_m(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/somewhere/seqlab/__main__.py"])
    prefix = command_name()
    assert prefix.endswith(" -m seqlab")
    assert os.path.samefile(prefix[:-len(" -m seqlab")], sys.executable)


def test_the_demo_s_offline_hints_run_as_printed(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["python"])
    assert main(["demo", "--output", "my runs", "--epochs", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    lines = out.split("Your own sentence (no download):\n")[1].splitlines()[:2]
    assert "seqlab" not in lines[0].split(" -m seqlab ")[0]  # no bare `seqlab`
    for hint in lines:
        words = shlex.split(hint)
        assert words[1:3] == ["-m", "seqlab"] and os.path.samefile(words[0], sys.executable)
        assert main(words[3:]) == 0, hint
    shown = capsys.readouterr().out
    assert shown.split("\t")[0] in ("negative", "positive")
    assert "gates over" in shown
    assert "imdb" in out.split("The same on real reviews")[1]


def test_a_mistyped_option_is_reported_by_its_command_with_a_suggestion(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["classify", "train", "--modle", "lstm"])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err == ("seqlab classify train: error: unrecognized arguments: --modle lstm "
                   "(did you mean --model?)")


def test_an_abbreviated_option_is_not_taken_for_another(capsys):
    with pytest.raises(SystemExit):
        main(["forecast", "train", "--epoch", "3"])
    assert "(did you mean --epochs?)" in capsys.readouterr().err


def test_a_bad_demo_setting_fails_before_the_banner(tmp_path, capsys):
    assert main(["demo", "--epochs", "0", "--output", str(tmp_path / "d")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == ("seqlab demo: error: epochs must be a whole number >= 1, "
                                    "got epochs=0")


def test_an_empty_default_is_not_shown(capsys):
    with pytest.raises(SystemExit):
        main(["generate", "train", "--help"])
    assert "(default )" not in capsys.readouterr().out


def test_help_seqlab_points_to_every_subpackage_and_the_command():
    import importlib

    import seqlab

    for name in ("text", "layers", "models", "data", "vectors", "tasks", "viz"):
        assert f"seqlab.{name} " in seqlab.__doc__, name
        importlib.import_module(f"seqlab.{name}")  # each one it names exists
    assert "seqlab --help" in seqlab.__doc__
    assert "everything else is private" not in seqlab.__doc__


def test_the_demo_s_stated_time_is_the_same_everywhere():
    from pathlib import Path

    import seqlab.cli._demo

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up")[1].split("```")[0]
    section = readme.split("### `seqlab demo`")[1].split("```")[0]
    for text in (setup, section, seqlab.cli._demo.__doc__):
        assert "about 15 seconds" in " ".join(text.split()), text


def test_a_command_name_with_a_space_is_quoted(tmp_path, monkeypatch):
    script = tmp_path / "my project" / ".venv" / "bin" / "seqlab"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(script)])
    assert shlex.split(command_name()) == ["my project/.venv/bin/seqlab"]
