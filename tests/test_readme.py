"""Every shell command in README.md runs as written from a fresh shell in the project
folder: it names the venv's programs (nothing activates the venv), and each ``seqlab``
command line parses with the command's own options."""
import re
import shlex
from pathlib import Path

import pytest

from seqlab.cli import _parser

README = Path(__file__).resolve().parents[1] / "README.md"
ALLOWED = (".venv/bin/seqlab", ".venv/bin/python", ".venv/bin/pip", ".venv/bin/torchrun",
           "python3 -m venv .venv")
SHELL = ("sh", "bash", "shell", "console")
PROGRAM = re.compile(r"^(\S*/)?(seqlab|python3?|pip3?|torchrun|pytest)(\s|$)")
ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=\S*\s+")  # OMP_NUM_THREADS=1 .venv/bin/...
OPERATORS = ("|", "||", "&&", ";", "<", ">", ">>", "2>", "&")


def readme_commands(text):
    """``[(line number, command)]``: every line of a shell block (comments dropped,
    continuation lines joined), and in other non-Python blocks the ``$ `` lines and lines
    that start with a program name (a command printed in sample output)."""
    commands = []
    for block in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M):
        language, body = block.group(1), block.group(2)
        if language == "python":
            continue
        first = text[:block.start()].count("\n") + 2
        joined, start = "", None
        for number, line in enumerate(body.splitlines(), first):
            if joined:
                joined += " " + line.strip()
            else:
                joined, start = line.strip(), number
            if joined.endswith("\\"):
                joined = joined[:-1].rstrip()
                continue
            command, joined = joined, ""
            if command.startswith("$ "):
                command = command[2:]
            elif language not in SHELL or language == "console":
                if not PROGRAM.match(ASSIGNMENT.sub("", command)):
                    continue
            while ASSIGNMENT.match(command):
                command = ASSIGNMENT.sub("", command, count=1)
            if command and not command.startswith("#"):
                commands.append((start, command))
    return commands


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


def test_the_readme_has_commands_to_check():
    assert len(COMMANDS) > 30
    assert sum(c.startswith(".venv/bin/seqlab ") for _, c in COMMANDS) > 20


@pytest.mark.parametrize("line, command", COMMANDS, ids=[str(n) for n, _ in COMMANDS])
def test_every_readme_command_names_the_venv_s_program(line, command):
    assert command.startswith(ALLOWED), (
        f"README.md line {line}: {command!r} does not run from a fresh shell: write "
        f"{' or '.join(ALLOWED[:2])} (nothing activates .venv)")


SEQLAB = [(n, c) for n, c in COMMANDS if c.startswith(".venv/bin/seqlab ")]


@pytest.mark.parametrize("line, command", SEQLAB, ids=[str(n) for n, _ in SEQLAB])
def test_every_seqlab_command_in_the_readme_parses(line, command, capsys):
    words = shlex.split(command, comments=True)[1:]
    for index, word in enumerate(words):
        if word in OPERATORS:
            words = words[:index]
            break
    if "--help" in words:
        words.remove("--help")
    try:
        args, extra = _parser().parse_known_args(words)
    except SystemExit:
        pytest.fail(f"README.md line {line}: {command!r}: {capsys.readouterr().err.strip()}")
    texts = getattr(args, "texts", None)
    unknown = [e for e in extra if texts is None or e.startswith("-")]
    assert not unknown, f"README.md line {line}: {command!r}: unknown {unknown}"
    assert hasattr(args, "run") or not words[1:], f"README.md line {line}: no action"


def test_bare_commands_are_found():
    text = "```sh\nseqlab demo\n.venv/bin/seqlab tokenize a.txt \\\n  --maxlen 3\n```\n" \
           "```\nsome output\n  python -m seqlab x\n$ seqlab demo\n```\n"
    assert readme_commands(text) == [(2, "seqlab demo"),
                                     (3, ".venv/bin/seqlab tokenize a.txt --maxlen 3"),
                                     (8, "python -m seqlab x"), (9, "seqlab demo")]
