"""`seqlab --help` and argument errors stay fast: the command's parser is built without
importing torch, matplotlib, scipy or the recipes (they load when a command runs)."""
import subprocess
import sys

HEAVY = ("torch", "matplotlib", "scipy", "seqlab.models", "seqlab.layers", "seqlab.vectors",
         "seqlab.tasks.classify", "seqlab.tasks.forecast", "seqlab.tasks.generate",
         "seqlab.tasks.seq2seq", "seqlab.tasks.inspect", "seqlab.tasks.demo")

# Builds the parser and formats the help of every command and action, as --help would.
WALK = """
import argparse, sys
import seqlab.cli
parser = seqlab.cli._parser()
def walk(p):
    p.format_help()
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield sub
                yield from walk(sub)
count = sum(1 for _ in walk(parser))
print(count, *sorted(m for m in HEAVY if m in sys.modules))
"""


def test_building_the_parser_and_every_help_imports_nothing_heavy():
    code = f"HEAVY = {HEAVY!r}\n{WALK}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    count, *imported = done.stdout.split()
    assert int(count) >= 20  # every command and action was formatted
    assert imported == []


def test_an_argument_error_does_not_import_torch():
    code = ("import sys\nfrom seqlab.cli import main\ntry:\n"
            "    main(['classify', 'train', '--epochs', 'two'])\n"
            "except SystemExit as stop:\n    print(stop.code, 'torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["2", "False"]
    assert "--epochs: invalid int value: 'two'" in done.stderr


def test_the_recipes_share_the_cli_s_architecture_names():
    from seqlab.tasks import _classifiers, _forecasters, inspect
    from seqlab.tasks.configs import CLASSIFIERS, FORECASTERS, LONG_RANGE_CELLS

    assert _classifiers.ARCHITECTURES is CLASSIFIERS
    assert _forecasters.ARCHITECTURES is FORECASTERS
    assert tuple(inspect.CELLS) == LONG_RANGE_CELLS
