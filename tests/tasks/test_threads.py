"""Every recipe runs on the torch thread count of its config (one by default), restores
the caller's setting, and the ``seqlab`` command makes OpenMP's waiting threads sleep."""
import os
import subprocess
import sys

import pytest
import torch

from seqlab.cli import main
from seqlab.tasks import classify, demo, forecast, generate
from seqlab.tasks._threads import torch_threads
from seqlab.tasks.configs import ClassifyConfig, DemoConfig, ForecastConfig, GenerateConfig


class _Seen(ValueError):
    pass


def _spy(seen):
    def record(*args, **kwargs):
        seen.append(torch.get_num_threads())
        raise _Seen("stopped after the first step")
    return record


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("recipe, reader, config_class", [
    (classify, "load_data", ClassifyConfig),
    (forecast, "load_series", ForecastConfig),
    (generate, "read_text", GenerateConfig),
])
@pytest.mark.parametrize("threads, expected", [({}, 1), ({"threads": 3}, 3),
                                               ({"threads": None}, 2)])
def test_training_runs_on_the_config_s_threads_and_restores_them(
        tmp_path, monkeypatch, two_threads, recipe, reader, config_class, threads, expected):
    seen = []
    monkeypatch.setattr(recipe, reader, _spy(seen))
    extra = {"data": str(tmp_path / "lines.txt")} if recipe is generate else {}
    with pytest.raises(_Seen):
        recipe.train(config_class(output=str(tmp_path / "run"), **extra, **threads), verbose=0)
    assert seen == [expected]
    assert torch.get_num_threads() == 2


def test_prediction_and_evaluation_run_on_one_thread(tmp_path, monkeypatch, two_threads):
    seen = []
    for recipe, loader in ((classify, "_load_run"), (forecast, "read_config")):
        monkeypatch.setattr(recipe, loader, _spy(seen))
    for call in (lambda: classify.predict(tmp_path, ["a text"]),
                 lambda: classify.evaluate(tmp_path), lambda: forecast.evaluate(tmp_path)):
        with pytest.raises(_Seen):
            call()
    assert seen == [1, 1, 1] and torch.get_num_threads() == 2


def test_the_demo_passes_its_threads_to_both_runs():
    config = DemoConfig(threads=2)
    assert {demo.classify_config(config, m).threads for m in config.models} == {2}
    assert DemoConfig().threads == 1


@pytest.mark.parametrize("command", [
    ["classify", "train"], ["forecast", "train"], ["generate", "train", "--data", "x.txt"],
    ["seq2seq", "train"], ["demo"]])
def test_every_training_command_takes_threads(tmp_path, monkeypatch, command, capsys):
    monkeypatch.chdir(tmp_path)
    assert main([*command, "--threads", "0", "--quiet", "--output", "out"]) == 1
    err = capsys.readouterr().err
    assert "threads must be a whole number >= 1" in err and "threads=0" in err
    assert not (tmp_path / "out").exists()


def test_a_bad_thread_count_names_the_value():
    with pytest.raises(ValueError, match=r"got threads=1\.5"):
        with torch_threads(1.5):
            pass


# Records OMP_WAIT_POLICY at the moment torch is first imported.
_WATCH = """
import os, sys
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch":  # report, and stop before the (slow) import itself
            print("policy at import:", os.environ.get("OMP_WAIT_POLICY"), flush=True)
            os._exit(0)
        return None
sys.meta_path.insert(0, Watch())
from seqlab.cli import main
main(["demo", "--epochs", "0"])
"""


@pytest.mark.parametrize("given, expected", [(None, "PASSIVE"), ("ACTIVE", "ACTIVE")])
def test_the_command_makes_waiting_threads_sleep_before_torch_loads(given, expected):
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if given:
        env["OMP_WAIT_POLICY"] = given
    done = subprocess.run([sys.executable, "-c", _WATCH], capture_output=True, text=True,
                          env=env, timeout=120)
    assert f"policy at import: {expected}" in done.stdout, done.stderr[-1000:]
