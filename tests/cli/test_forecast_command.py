"""seqlab forecast train|evaluate end to end: an excerpt of the Jena record and small CSVs."""
import json
import math
import re

import numpy as np
import pytest

from seqlab.cli import main
from tests.helpers import shared_data
from tests.cli.tables import table_rows

RUN_FILES = ["config.json", "curves.png", "forecast.png", "metrics.json", "model.safetensors",
             "scaler.json"]
JENA_COLUMNS = ["T (degC)", "p (mbar)", "rh (%)", "VPmax (mbar)", "wv (m/s)", "Tdew (degC)"]
ROWS = 3000
# 24 rows in, the temperature 6 rows after the last input; 2 small epochs
SMALL = ["--lookback", "24", "--horizon", "6", "--epochs", "2", "--units", "8", "--quiet"]


@pytest.fixture(autouse=True)
def _environment(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich tables: one line per row
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "SEQLAB_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def jena(tmp_path_factory):
    """The first 3,000 hourly rows of the Jena record (header + rows, as published)."""
    source = shared_data("jena/jena_climate_hourly_6vars_2009_2016.csv")
    path = tmp_path_factory.mktemp("jena") / "jena_3000.csv"
    with open(source, encoding="utf-8", newline="") as file:
        path.write_text("".join(next(file) for _ in range(ROWS + 1)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(jena, tmp_path_factory):
    """An LSTM run on the Jena excerpt, and what its train command printed."""
    run = tmp_path_factory.mktemp("forecast") / "run"
    assert main(["forecast", "train", "--data", str(jena), "--output", str(run), *SMALL]) == 0
    return run


def _temperatures(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, usecols=1)


def _header(out):
    line = next(line for line in out.splitlines() if line.startswith("┃"))
    return [cell.strip() for cell in line.strip("┃").split("┃")]


def _one_error_line(capsys):
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.startswith("seqlab forecast: error: "), captured.err
    assert len(err.splitlines()) == 1, captured.err
    return err


def write_series(path, rows=200, value=lambda i, column: 10 + 5 * math.sin(i / 24 * 2 * math.pi)
                 + column * (i % 7), columns=("T (degC)", "p")):
    """An hourly series with ISO dates: a daily sine plus a weekly saw-tooth per column."""
    lines = ["date," + ",".join(columns)]
    for i in range(rows):
        day, hour = divmod(i, 24)
        lines.append(f"2020-01-{1 + day:02d} {hour:02d}:00,"
                     + ",".join(f"{value(i, j):.3f}" for j in range(len(columns))))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_train_prints_model_and_baselines_and_writes_the_run_folder(jena, tmp_path, capsys):
    run = tmp_path / "runs" / "gru"
    argv = ["forecast", "train", "--data", str(jena), "--model", "gru", "--lookback", "48",
            "--step", "2", "--horizon", "24", "--epochs", "2", "--units", "8", "--quiet",
            "--output", str(run)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in run.iterdir()) == RUN_FILES
    assert [p.name for p in run.parent.iterdir()] == ["gru"]  # no temporary folder left
    assert (run / "forecast.png").read_bytes()[:4] == b"\x89PNG"
    assert (run / "curves.png").read_bytes()[:4] == b"\x89PNG"

    scaler = json.loads((run / "scaler.json").read_text(encoding="utf-8"))
    assert scaler["columns"] == JENA_COLUMNS
    values = np.loadtxt(jena, delimiter=",", skiprows=1, usecols=range(1, 7))
    np.testing.assert_allclose(scaler["mean"], values[:1500].mean(axis=0), rtol=1e-9)
    np.testing.assert_allclose(scaler["std"], values[:1500].std(axis=0), rtol=1e-9)

    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["unit"] == "°C" and metrics["target"] == "T (degC)"
    assert metrics["rows"] == {"total": 3000, "train": [0, 1500], "val": [1500, 2250],
                               "test": [2250, 3000]}
    # inputs at rows i, i+2, ..., i+46; the target 24 rows after the last: i+70 <= 2999
    assert metrics["test"]["samples"] == 2999 - 70 - 2250 + 1
    assert len(metrics["history"]["loss"]) == 2 and metrics["best_epoch"] in (1, 2)

    # with horizon == season the seasonal-naive forecast is the last value
    t = _temperatures(jena)
    last_rows = np.arange(2250 + 46, 2999 - 24 + 1)
    last_value = np.abs(t[last_rows + 24] - t[last_rows]).mean()
    assert metrics["test"]["last_value_mae"] == pytest.approx(last_value)

    assert _header(out) == ["forecaster", f"validation ({metrics['validation']['samples']:,} "
                            "windows)", f"test ({metrics['test']['samples']:,} windows)"]
    rows = table_rows(out)
    assert list(rows) == ["model", "last value (value now)", "seasonal naive (season 24 rows)"]
    for label, key in zip(rows, ("model_mae", "last_value_mae", "seasonal_naive_mae")):
        assert rows[label] == [f"{metrics['validation'][key]:.4f} °C",
                               f"{metrics['test'][key]:.4f} °C"]
    assert "gru: T (degC), 24 rows ahead, mean absolute error" in out
    assert f"best epoch {metrics['best_epoch']} of 2" in out
    assert f"run folder: {run} (model.safetensors" in out
    assert "Epoch" not in out  # --quiet


def test_evaluate_on_the_run_s_test_split_repeats_its_scores(trained, capsys):
    assert main(["forecast", "evaluate", str(trained)]) == 0
    out = capsys.readouterr().out
    test = json.loads((trained / "metrics.json").read_text(encoding="utf-8"))["test"]
    assert test["samples"] == 2999 - 6 - 23 - 2250 + 1
    assert _header(out) == ["forecaster", f"test ({test['samples']:,} windows)"]
    rows = table_rows(out)
    assert rows["model"] == [f"{test['model_mae']:.4f} °C"]
    assert rows["last value (value now)"] == [f"{test['last_value_mae']:.4f} °C"]
    assert rows["seasonal naive (season 24 rows)"] == [f"{test['seasonal_naive_mae']:.4f} °C"]
    assert ": T (degC), mean absolute error" in " ".join(out.split())  # the title may wrap


def test_evaluate_on_a_csv_scores_all_of_its_windows(trained, jena, capsys):
    assert main(["forecast", "evaluate", str(trained), "--data", str(jena)]) == 0
    out = capsys.readouterr().out
    assert _header(out) == ["forecaster", f"{jena} ({ROWS - 24 - 6 + 1:,} windows)"]
    t = _temperatures(jena)
    last_rows = np.arange(23, ROWS - 6)  # the last input of each window
    rows = table_rows(out)
    assert rows["last value (value now)"] == \
        [f"{np.abs(t[last_rows + 6] - t[last_rows]).mean():.4f} °C"]
    # season 24, horizon 6: the value 18 rows before the last input, a day before the target
    assert rows["seasonal naive (season 24 rows)"] == \
        [f"{np.abs(t[last_rows + 6] - t[last_rows - 18]).mean():.4f} °C"]
    assert re.fullmatch(r"\d+\.\d{4} °C", rows["model"][0])


def test_train_on_a_csv_with_iso_dates_and_chosen_columns(tmp_path, capsys):
    data = write_series(tmp_path / "series.csv", columns=("T (degC)", "p", "q"))
    run = tmp_path / "run"
    assert main(["forecast", "train", "--data", str(data), "--columns", "q", "--model", "gru",
                 "--lookback", "24", "--horizon", "6", "--epochs", "1", "--quiet",
                 "--output", str(run)]) == 0
    assert json.loads((run / "scaler.json").read_text())["columns"] == ["q", "T (degC)"]
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["test"]["seasonal_naive_mae"] == pytest.approx(0, abs=1e-3)  # daily sine
    assert table_rows(capsys.readouterr().out)["seasonal naive (season 24 rows)"] == \
        [f"{metrics['validation']['seasonal_naive_mae']:.4f} °C",
         f"{metrics['test']['seasonal_naive_mae']:.4f} °C"]
    assert main(["forecast", "evaluate", str(run), "--data", str(data)]) == 0
    assert "(171 windows)" in capsys.readouterr().out  # 200 - 24 - 6 + 1


def test_a_target_without_a_unit_prints_bare_numbers(tmp_path, capsys):
    data = write_series(tmp_path / "series.csv", columns=("load", "p"))
    assert main(["forecast", "train", "--data", str(data), "--target", "load", "--model",
                 "gru", "--lookback", "24", "--horizon", "6", "--epochs", "1", "--quiet",
                 "--output", str(tmp_path / "run")]) == 0
    rows = table_rows(capsys.readouterr().out)
    assert all(re.fullmatch(r"\d+\.\d{4}", cell) for cells in rows.values() for cell in cells)


def test_train_the_dense_model(tmp_path, capsys):
    data = write_series(tmp_path / "series.csv")
    run = tmp_path / "run"
    assert main(["forecast", "train", "--data", str(data), "--model", "dense", *SMALL,
                 "--output", str(run)]) == 0
    assert sorted(p.name for p in run.iterdir()) == RUN_FILES


def _series_with(tmp_path, row, column, cell):
    """A 200-row series whose `column` holds `cell` in data row `row` (file line row + 2)."""
    path = write_series(tmp_path / "series.csv")
    lines = path.read_text().splitlines()
    fields = lines[row + 1].split(",")
    fields[column] = cell
    lines[row + 1] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("argv, cell, message", [
    (["--target", "temp"], None,
     r"series.csv has no column 'temp'; its columns are \['T \(degC\)', 'p'\]"),
    (["--columns", "pressure"], None,
     r"series.csv has no column 'pressure' \(the columns\); its columns are "
     r"\['date', 'T \(degC\)', 'p'\]"),
    ([], (40, 2, "12,5"), r"series.csv line 42: 4 fields but the header has 3"),
    ([], (40, 2, "abc"), r"series.csv line 42, column 'p': 'abc' is not a number"),
    (["--missing", "error"], (7, 1, "NaN"),
     r"series.csv line 9, column 'T \(degC\)': missing value \('NaN'\)"),
    (["--missing", "error"], (7, 1, ""),
     r"series.csv line 9, column 'T \(degC\)': missing value \(''\)"),
    ([], (150, 2, "inf"), r"series.csv line 152, column 'p': 'inf' is not a finite number"),
    ([], (3, 0, "yesterday"), r"series.csv line 5, column 'date': 'yesterday' is not a date"),
    (["--lookback", "500", "--season", "1", "--horizon", "1"], None,
     r"lookback=500 rows, but only 100 rows lie in"),
    (["--lookback", "24", "--step", "5"], None, r"lookback=24 is not a multiple of step=5"),
    (["--lookback", "12", "--horizon", "6"], None,
     r"season=24 with horizon=6 needs the value 18 rows before the last input, outside "
     r"lookback=12"),
    (["--horizon", "0"], None, r"horizon must be a whole number >= 1, got horizon=0"),
    (["--epochs", "0"], None, r"epochs must be a whole number >= 1, got epochs=0"),
    (["--every", "0"], None, r"every must be a whole number >= 1, got every=0"),
    (["--dropout", "1"], None, r"dropout must be a fraction in \[0, 1\), got dropout=1.0"),
    (["--model", "transformer"], None,
     r"model='transformer' is not one of: dense, lstm, gru, stacked, bidirectional, cnn-gru"),
    (["--optimizer", "rmsprob"], None, r"Unknown optimizer 'rmsprob'"),
    (["--data", "{tmp}/missing.csv"], None, r"missing.csv: no such file, and not the dataset "
                                            r"name 'jena'"),
])
def test_train_errors_are_one_line_and_leave_no_run_folder(tmp_path, capsys, argv, cell,
                                                           message):
    data = _series_with(tmp_path, *cell) if cell else write_series(tmp_path / "series.csv")
    before = sorted(p.name for p in tmp_path.iterdir())
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    run = tmp_path / "run"
    assert main(["forecast", "train", "--data", str(data), "--lookback", "24", "--horizon",
                 "6", "--epochs", "1", "--quiet", "--output", str(run), *argv]) == 1
    err = _one_error_line(capsys)
    assert re.search(message, err), err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no run, no temporary folder


def test_train_refuses_to_replace_a_run_without_overwrite(trained, jena, capsys):
    before = {p.name: p.stat().st_mtime_ns for p in trained.iterdir()}
    assert main(["forecast", "train", "--data", str(jena), "--output", str(trained),
                 *SMALL]) == 1
    assert f"{trained} exists; choose another output folder" in _one_error_line(capsys)
    assert {p.name: p.stat().st_mtime_ns for p in trained.iterdir()} == before


def test_evaluate_errors_are_one_line(trained, jena, tmp_path, capsys):
    other = write_series(tmp_path / "other.csv")
    assert main(["forecast", "evaluate", str(trained), "--data", str(other)]) == 1
    assert "other.csv has no column 'p (mbar)' (the columns)" in _one_error_line(capsys)

    short = tmp_path / "short.csv"
    short.write_text("".join(jena.read_text(encoding="utf-8").splitlines(True)[:21]))
    assert main(["forecast", "evaluate", str(trained), "--data", str(short)]) == 1
    assert "lookback=24 rows, but only 20 rows lie in" in _one_error_line(capsys)

    assert main(["forecast", "evaluate", str(trained), "--data", str(tmp_path / "no.csv")]) == 1
    assert "no.csv: no such file" in _one_error_line(capsys)

    folder = tmp_path / "not-a-run"
    folder.mkdir()
    assert main(["forecast", "evaluate", str(folder)]) == 1
    assert f"is {folder} a seqlab run folder?" in _one_error_line(capsys)


def test_a_constant_column_is_named(tmp_path, capsys):
    data = write_series(tmp_path / "series.csv", columns=("T (degC)", "p", "flat"),
                        value=lambda i, column: 5.0 if column == 2 else math.sin(i / 3))
    assert main(["forecast", "train", "--data", str(data), *SMALL,
                 "--output", str(tmp_path / "run")]) == 1
    assert "'flat'" in _one_error_line(capsys)


def test_evaluate_of_another_recipe_s_run_names_the_folder(tmp_path, capsys):
    folder = tmp_path / "classify-run"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"data": "x.csv", "text_column": "text",
                                                    "label_names": ["a", "b"]}))
    assert main(["forecast", "evaluate", str(folder)]) == 1
    assert str(folder) in _one_error_line(capsys)
