"""The LTSF benchmark recipe and its forecasters: tiny models, a few epochs."""
import json

import numpy as np
import pytest
import torch

from seqlab.cli import main
from seqlab.tasks._ltsf_models import InstanceNormalization, LinearHead, build_ltsf_model
from seqlab.tasks.benchmark import BenchmarkConfig, run


def _csv(path, rows=600, constant=False):
    """Two hourly channels: a daily sine with drift, and a noisy copy shifted by 3 h."""
    rng = np.random.default_rng(1)
    t = np.arange(rows)
    a = np.sin(2 * np.pi * t / 24) + t / 200
    b = np.roll(a, 3) + 0.1 * rng.normal(size=rows)
    start = np.datetime64("2020-01-01T00:00")
    lines = ["date,a,OT" + (",flat" if constant else "")]
    for i in range(rows):
        stamp = str(start + np.timedelta64(i, "h")).replace("T", " ")
        lines.append(f"{stamp},{a[i]:.5f},{b[i]:.5f}" + (",1" if constant else ""))
    path.write_text("\n".join(lines) + "\n")
    return path


def _config(data, output, **settings):
    base = dict(data=str(data), lookback=24, horizons=[12], model="gru", units=8, seg_len=12,
                epochs=2, patience=2, batch_size=64, output=str(output))
    return BenchmarkConfig(**{**base, **settings})


@pytest.mark.parametrize("norm, affine", [("last", False), ("mean", False), ("mean", True),
                                          ("none", False)])
def test_instance_normalization_round_trips(norm, affine):
    layer = InstanceNormalization(LinearHead(4), norm, affine)
    x = torch.randn(5, 16, 3, dtype=torch.float64) * 7 + 30
    layer(x.float())  # build
    layer.double()
    if affine:
        with torch.no_grad():
            layer.scale.copy_(torch.tensor([0.5, 2.0, 3.0]))
            layer.shift.copy_(torch.tensor([1.0, -1.0, 0.25]))
    z, statistics = layer.normalize(x)
    if norm == "last":
        assert torch.equal(z[:, -1], torch.zeros(5, 3, dtype=torch.float64))
    if norm == "mean" and not affine:
        torch.testing.assert_close(z.mean(dim=1), torch.zeros(5, 3, dtype=torch.float64))
    torch.testing.assert_close(layer.denormalize(z, statistics), x, rtol=1e-12, atol=1e-12)


def test_segrnn_parallel_decoding_equals_the_papers_repeated_gru_step():
    torch.manual_seed(0)
    model = build_ltsf_model("segrnn", 24, 36, 3, units=16, dropout=0.0, seg_len=12)
    x = torch.randn(2, 24, 3)
    out = model(x)
    assert out.shape == (2, 36, 3)
    head = model.inner
    # SegRNN's code: one GRU step per (series, output segment) on the repeated state
    series = (x - x[:, -1:]).permute(0, 2, 1).reshape(6, 2, 12)
    _, state = head.rnn(head.embed(series))
    queries = torch.cat([head.position_embedding[None].expand(3, 3, 8),
                         head.channel_embedding[:, None].expand(3, 3, 8)], -1)
    queries = queries[None].expand(2, 3, 3, 16).reshape(18, 1, 16)
    _, decoded = head.rnn(queries, initial_state=state.repeat_interleave(3, dim=0))
    expected = head.predict_segment(decoded).reshape(2, 3, 36).permute(0, 2, 1) + x[:, -1:]
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"horizon=30 is not a multiple of seg_len=12"):
        build_ltsf_model("segrnn", 24, 30, 3, seg_len=12)


def test_run_writes_the_issue_layout_and_repeats_exactly(tmp_path):
    data = _csv(tmp_path / "series.csv")
    first = run(_config(data, tmp_path / "one"), verbose=0)
    second = run(_config(data, tmp_path / "two"), verbose=0)
    written = json.loads((tmp_path / "one" / "metrics.json").read_text())
    assert (tmp_path / "one" / "forecast.png").stat().st_size > 10_000
    assert {k: written[k] for k in ("protocol", "features", "lookback", "model")} == {
        "protocol": "ltsf", "features": "M", "lookback": 24, "model": "gru"}
    entry = written["results"]["12"]
    assert set(entry["baselines"]) == {"repeat", "linear"}
    assert set(entry["baselines"]["repeat"]) == {"mse", "mae"}
    # 600 rows, 70/10/20: train [0, 420), validation [420 - 24, 480), test [480 - 24, 600);
    # a window spans 24 + 12 rows
    assert entry["windows"] == {"train": 420 - 36 + 1, "val": 84 - 36 + 1,
                                "test": 144 - 36 + 1}
    assert first["results"]["12"]["mse"] == second["results"]["12"]["mse"]
    assert first["results"]["12"]["validation"] == second["results"]["12"]["validation"]
    assert entry["baselines"]["linear"]["mse"] < entry["baselines"]["repeat"]["mse"]


def test_worse_than_a_baseline_is_said_and_flagged(tmp_path, capsys):
    data = _csv(tmp_path / "series.csv")
    metrics = run(_config(data, tmp_path / "run", epochs=1, learning_rate=1e-7), verbose=0)
    assert "linear" in metrics["results"]["12"]["worse_than_baseline"]
    assert "WARNING: horizon 12: the trained gru is worse than" in capsys.readouterr().err


def test_linear_model_is_the_closed_form_and_features_s(tmp_path):
    data = _csv(tmp_path / "series.csv")
    metrics = run(_config(data, tmp_path / "run", model="linear", features="S"), verbose=0)
    entry = metrics["results"]["12"]
    assert metrics["columns"] == ["OT"] and entry["epochs"] == 0
    assert entry["mse"] == entry["baselines"]["linear"]["mse"]
    assert entry["worse_than_baseline"] == []


@pytest.mark.parametrize("settings, message", [
    (dict(horizons=[12, 70]), r"horizon=70 is longer than the validation split allows: its "
                              r"rows \[396, 480\) hold 84 rows.*use horizon <= 60"),
    (dict(horizons=[12, 70], layout="etth"), r"ETTH protocol needs 14,400 rows"),
    (dict(features="S", target="nope"), r"no column 'nope'"),
    (dict(model="transformer"), r"model='transformer'; choose one of: linear, gru, lstm"),
    (dict(model="segrnn", horizons=[12, 18]), r"segrnn: horizon=18 is not a multiple of "
                                              r"seg_len=12"),
])
def test_bad_input_names_the_value(tmp_path, settings, message):
    data = _csv(tmp_path / "series.csv")
    with pytest.raises(ValueError, match=message):
        run(_config(data, tmp_path / "run", **settings), verbose=0)
    assert not (tmp_path / "run").exists()


def test_a_constant_column_is_named(tmp_path):
    data = _csv(tmp_path / "series.csv", constant=True)
    with pytest.raises(ValueError, match=r"the columns \['flat'\] are constant over the 420 "
                                         r"training rows"):
        run(_config(data, tmp_path / "run"), verbose=0)


def test_cli_benchmark_prints_the_table(tmp_path, capsys):
    data = _csv(tmp_path / "series.csv")
    code = main(["forecast", "benchmark", "--data", str(data), "--lookback", "24",
                 "--horizons", "12", "24", "--model", "linear", "--output",
                 str(tmp_path / "out"), "--quiet"])
    shown = capsys.readouterr().out
    assert code == 0 and "linear (model)" in shown and "repeat" in shown
    written = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert list(written["results"]) == ["12", "24"]
