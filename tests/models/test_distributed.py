"""fit(distributed=True) under torchrun with 2 processes equals one process on the same
global batches (gloo on this CPU machine)."""
import subprocess
import sys
from pathlib import Path

import pytest
from safetensors.torch import load_file

SCRIPT = Path(__file__).with_name("distributed_script.py")


def test_two_processes_train_like_one(tmp_path):
    single, pair = tmp_path / "single.safetensors", tmp_path / "pair.safetensors"
    subprocess.run([sys.executable, str(SCRIPT), str(single), "--single"], check=True,
                   capture_output=True, text=True, timeout=300)
    run = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2",
                          "--master-port", "29517", str(SCRIPT), str(pair)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    expected, got = load_file(single), load_file(pair)
    assert expected.keys() == got.keys()
    for key in expected:
        assert got[key].shape == expected[key].shape
        assert (got[key] - expected[key]).abs().max().item() < 1e-5, key


def test_distributed_outside_torchrun_says_how(monkeypatch):
    import numpy as np

    from seqlab.layers import Dense
    from seqlab.models import Sequential

    for name in ("RANK", "WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(RuntimeError, match="torchrun --nproc-per-node"):
        model.fit(np.zeros((4, 2)), np.zeros(4), distributed=True, verbose=0)
