"""The forecasting recipe (seqlab.tasks.forecast) and its model zoo.

* the Keras book's Jena setup end to end (5 days in, T 24 h ahead, 50/25/25 splits) with a
  cheap model: baselines, sample counts, rows, scaler, run folder and evaluate, all checked
  against values computed here with plain NumPy from the CSV (never through seqlab);
* a model that learns a noisy daily cycle and beats the last-value baseline;
* every architecture built, sized by hand and saved/reloaded;
* bad settings and bad files: a clear error each, and no run folder (or hidden temporary
  folder) left behind; an overwrite replaces the old run only once the new one succeeded;
* load_series: columns and every.
"""
import json
import math
from dataclasses import asdict
from datetime import datetime, timedelta

import numpy as np
import pytest

import seqlab.tasks.forecast as forecast_module
from seqlab.tasks._forecasters import ARCHITECTURES, build_forecaster
from seqlab.tasks.forecast import ForecastConfig, evaluate, load_series, train
from tests.helpers import shared_data

JENA = "jena/jena_climate_hourly_6vars_2009_2016.csv"
JENA_COLUMNS = ["T (degC)", "p (mbar)", "rh (%)", "VPmax (mbar)", "wv (m/s)", "Tdew (degC)"]
RUN_FILES = {"model.safetensors", "config.json", "scaler.json", "metrics.json", "curves.png",
             "forecast.png"}
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """Small recurrent batches on CPU run several times faster on one intra-op thread than
    on two when other processes share the cores (OpenMP threads wait for each other); the
    results are the same. Restored after this module."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# ------------------------------------------------------------------------------ helpers

def _jena_table(path):
    """(header, raw data lines, values (n, 6)) of the Jena CSV, parsed by hand."""
    with open(path, encoding="utf-8") as file:
        header = file.readline()
        lines = [line for line in file if line.strip()]
    values = np.array([[float(cell) for cell in line.rstrip("\n").split(",")[1:]]
                       for line in lines])
    return header, lines, values


def _hand_windows(n_rows, start, end, lookback=120, step=1, horizon=24):
    """Last input rows t of the book's windows: every input row t - lookback + step .. t in
    [start, end), and the target row t + horizon inside the series."""
    t = np.arange(n_rows)
    keep = (t - lookback + step >= start) & (t < end) & (t + horizon < n_rows)
    return t[keep]


def _last_value_mae(values, last_rows, horizon=24, column=0):
    return float(np.mean(np.abs(values[last_rows + horizon, column] - values[last_rows, column])))


def _write_sine(path, n=3000, seed=7, noise=0.5):
    """A noisy daily cycle (24 rows per period), hourly ISO dates, two value columns."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    temp = 10 * np.sin(2 * np.pi * t / 24) + rng.normal(0, noise, n)
    hum = 60 + 8 * np.cos(2 * np.pi * t / 24) + rng.normal(0, 1.0, n)
    start = datetime(2020, 1, 1)
    rows = [f"{(start + timedelta(hours=i)):%Y-%m-%d %H:%M:%S},{temp[i]:.3f},{hum[i]:.3f}"
            for i in range(n)]
    path.write_text("date,temp (degC),hum (%)\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _write_csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def _small_config(data, output, **settings):
    """A tiny, fast run on the sine CSV."""
    base = dict(data=str(data), target="temp (degC)", lookback=24, horizon=6, model="lstm",
                units=4, epochs=1, batch_size=128, seed=0, output=str(output))
    return ForecastConfig(**{**base, **settings})


def _tree(folder):
    """Every path under `folder` (hidden ones included), relative, as strings."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


# ------------------------------------------------------------- 1. the Jena pipeline

@pytest.fixture(scope="module")
def jena_run(tmp_path_factory):
    """One run with the book's setup (defaults) and a cheap model: an LSTM of 8 units for
    one epoch (~8 s; 'gru' is several times slower on CPU, and 'dense' cannot be saved:
    see test_every_architecture_trains_saves_and_evaluates)."""
    path = shared_data(JENA)
    root = tmp_path_factory.mktemp("jena")
    config = ForecastConfig(data=str(path), model="lstm", units=8, epochs=1,
                            output=str(root / "run"))
    metrics = train(config, verbose=0)
    header, lines, values = _jena_table(path)
    return dict(path=path, root=root, folder=root / "run", config=config, metrics=metrics,
                header=header, lines=lines, values=values)


def test_jena_table_matches_the_dataset_readme(jena_run):
    header, values = jena_run["header"], jena_run["values"]
    assert header.rstrip("\n").split(",") == ["Date Time", *JENA_COLUMNS]
    assert values.shape == (70038, 6)


def test_jena_baselines_match_the_book_and_a_hand_computation(jena_run):
    values, metrics = jena_run["values"], jena_run["metrics"]
    n = len(values)
    val_rows = _hand_windows(n, 35019, 52528)
    test_rows = _hand_windows(n, 52528, n)
    assert (len(val_rows), len(test_rows)) == (17390, 17367)
    assert (val_rows[0], val_rows[-1], test_rows[0], test_rows[-1]) == (35138, 52527, 52647,
                                                                         70013)
    expected_val = _last_value_mae(values, val_rows)
    expected_test = _last_value_mae(values, test_rows)
    # the documented figures (dataset README, the Keras book): 2.44 and 2.62 degC
    assert expected_val == pytest.approx(2.4426, abs=1e-3)
    assert expected_test == pytest.approx(2.6238, abs=1e-3)
    for name, rows, expected in (("validation", val_rows, expected_val),
                                 ("test", test_rows, expected_test)):
        scores = metrics[name]
        assert scores["samples"] == len(rows)
        assert scores["last_value_mae"] == pytest.approx(expected, rel=1e-12, abs=1e-12)
        # season 24 at horizon 24: the value one season before the target is the last input
        assert scores["season"] == 24
        assert scores["seasonal_naive_mae"] == scores["last_value_mae"]
        assert math.isfinite(scores["model_mae"]) and 0 < scores["model_mae"] < 10


def test_jena_metrics_describe_the_rows_and_units(jena_run):
    metrics = jena_run["metrics"]
    assert metrics["target"] == "T (degC)"
    assert metrics["unit"] == "°C"
    assert metrics["rows"] == {"total": 70038, "train": [0, 35019], "val": [35019, 52528],
                               "test": [52528, 70038]}
    windows = metrics["windows"]
    assert "first sample: input rows 35019..35138 step 1 -> target row 35162" in windows["val"]
    assert "last sample: input rows 52408..52527 step 1 -> target row 52551" in windows["val"]
    assert "first sample: input rows 52528..52647 step 1 -> target row 52671" in windows["test"]
    assert "last sample: input rows 69894..70013 step 1 -> target row 70037" in windows["test"]
    assert windows["train"].startswith("34900 samples")  # 35019 - 119 last input rows
    assert set(metrics["history"]) == {"loss", "mae", "val_loss", "val_mae"}
    assert all(len(curve) == 1 for curve in metrics["history"].values())
    assert metrics["best_epoch"] == 1
    assert metrics["parameters"] == 4 * (6 * 8 + 8 * 8 + 8) + 8 + 1  # LSTM(8) on 6 + Dense(1)
    saved = json.loads((jena_run["folder"] / "metrics.json").read_text(encoding="utf-8"))
    assert saved == json.loads(json.dumps(metrics))


def test_jena_run_folder_holds_exactly_the_documented_files(jena_run):
    folder, root = jena_run["folder"], jena_run["root"]
    assert {p.name for p in folder.iterdir()} == RUN_FILES
    assert _tree(root) == sorted(["run", *(f"run/{name}" for name in RUN_FILES)])  # no .tmp
    for image in ("curves.png", "forecast.png"):
        assert (folder / image).read_bytes()[:8] == PNG
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert config == asdict(jena_run["config"])


def test_jena_scaler_uses_the_training_rows_only(jena_run):
    values = jena_run["values"]
    scaler = json.loads((jena_run["folder"] / "scaler.json").read_text(encoding="utf-8"))
    assert scaler["columns"] == JENA_COLUMNS
    train_rows = values[:35019]
    np.testing.assert_allclose(scaler["mean"], np.mean(train_rows, axis=0), rtol=1e-12)
    np.testing.assert_allclose(scaler["std"], np.std(train_rows, axis=0), rtol=1e-12)
    # statistics over all rows (leaking validation and test) are measurably different
    assert np.max(np.abs(np.array(scaler["mean"]) - np.mean(values, axis=0))) > 0.5
    assert np.max(np.abs(np.array(scaler["std"]) - np.std(values, axis=0))) > 0.3


def test_jena_evaluate_reproduces_the_test_metrics(jena_run):
    scores = evaluate(jena_run["folder"])
    expected = jena_run["metrics"]["test"]
    assert scores["target"] == "T (degC)" and scores["unit"] == "°C"
    assert scores["samples"] == expected["samples"] == 17367
    assert scores["model_mae"] == pytest.approx(expected["model_mae"], abs=1e-6)
    for key in ("last_value_mae", "seasonal_naive_mae", "season"):
        assert scores[key] == expected[key]


def test_jena_evaluate_on_another_csv_scores_all_its_windows(jena_run, tmp_path):
    header, lines, values = jena_run["header"], jena_run["lines"], jena_run["values"]
    # the first 300 rows: every window of the file, not only a "test split" of it
    small = _write_csv(tmp_path / "first300.csv", header + "".join(lines[:300]))
    scores = evaluate(jena_run["folder"], data=small)
    rows = _hand_windows(300, 0, 300)
    assert len(rows) == scores["samples"] == 300 - 119 - 24
    assert scores["last_value_mae"] == pytest.approx(_last_value_mae(values[:300], rows),
                                                     rel=1e-12)
    assert math.isfinite(scores["model_mae"])
    # exactly the test rows: the same windows, so the saved scaler (not one refitted on the
    # new file) must give the run's own test scores
    test_part = _write_csv(tmp_path / "test_rows.csv", header + "".join(lines[52528:]))
    scores = evaluate(jena_run["folder"], data=test_part)
    expected = jena_run["metrics"]["test"]
    assert scores["samples"] == expected["samples"]
    assert scores["model_mae"] == pytest.approx(expected["model_mae"], abs=1e-6)
    assert scores["last_value_mae"] == pytest.approx(expected["last_value_mae"], rel=1e-12)


def test_jena_evaluate_refuses_a_csv_without_the_trained_columns(jena_run, tmp_path):
    header, lines = jena_run["header"], jena_run["lines"]
    cut = lambda line: ",".join(line.rstrip("\n").split(",")[:6]) + "\n"  # noqa: E731
    other = _write_csv(tmp_path / "no_wind.csv", "".join(cut(line) for line in
                                                         [header, *lines[:300]]))
    with pytest.raises(ValueError, match=r"Tdew \(degC\)"):
        evaluate(jena_run["folder"], data=other)


# -------------------------------------------------------------- 2. a model that learns

def test_lstm_learns_a_daily_cycle_and_beats_the_last_value(tmp_path):
    data = _write_sine(tmp_path / "sine.csv")
    settings = dict(data=str(data), target="temp (degC)", lookback=48, horizon=6, model="lstm",
                    units=16, epochs=5, batch_size=64, seed=1)
    metrics = train(ForecastConfig(**settings, output=str(tmp_path / "a")), verbose=0)
    test = metrics["test"]
    # horizon 6 is a quarter period: "same as now" is far off (measured 8.99), a model
    # that knows the cycle is near the noise (measured 0.48-0.49 for seeds 0..2)
    assert test["samples"] == 3000 - 2250 - 47 - 6
    assert test["last_value_mae"] > 8
    assert test["model_mae"] < 0.25 * test["last_value_mae"]
    # the weights kept are those of the best validation epoch: its MAE in standardized
    # units times the training std of the target is the validation MAE in degC
    std = json.loads((tmp_path / "a" / "scaler.json").read_text(encoding="utf-8"))["std"][0]
    val_mae = metrics["history"]["val_mae"]
    assert metrics["best_epoch"] == int(np.argmin(val_mae)) + 1
    assert metrics["validation"]["model_mae"] == pytest.approx(min(val_mae) * std, rel=1e-4)
    # seeded: the same settings give the same run
    again = train(ForecastConfig(**settings, output=str(tmp_path / "b")), verbose=0)
    assert again["history"] == metrics["history"]
    assert again["test"] == metrics["test"]


def test_the_weights_of_the_best_validation_epoch_are_kept(tmp_path):
    """A fast learning rate makes validation MAE go up again (measured: best epoch 4 of 6,
    last epoch 26% worse); the saved model must be the best epoch's, whose validation MAE is
    its standardized val_mae times the training std of the target."""
    data = _write_sine(tmp_path / "sine.csv", n=400)
    metrics = train(_small_config(data, tmp_path / "run", epochs=6, learning_rate=0.02, seed=1,
                                  units=8), verbose=0)
    val_mae = metrics["history"]["val_mae"]
    assert len(val_mae) == 6
    assert metrics["best_epoch"] == int(np.argmin(val_mae)) + 1
    std = json.loads((tmp_path / "run" / "scaler.json").read_text(encoding="utf-8"))["std"][0]
    assert metrics["validation"]["model_mae"] == pytest.approx(min(val_mae) * std, rel=1e-4)
    assert evaluate(tmp_path / "run")["model_mae"] == pytest.approx(
        metrics["test"]["model_mae"], abs=1e-6)


# --------------------------------------------------------------- 3. the architectures

def _lstm(f, u):
    return 4 * (f * u + u * u + u)


def _gru(f, u):  # reset_after=True: bias (2, 3u), input and recurrent rows
    return 3 * (f * u + u * u + 2 * u)


def _expected_parameters(name, timesteps, f, u):
    head = u + 1
    return {
        "dense": timesteps * f * 16 + 16 + 17,
        "lstm": _lstm(f, u) + head,
        "gru": _gru(f, u) + head,
        "stacked": _gru(f, u) + _gru(u, u) + head,
        "bidirectional": 2 * _lstm(f, u) + 2 * u + 1,
        "cnn-gru": 5 * f * u + u + _gru(u, u) + head,
    }[name]


def test_the_architectures_are_the_documented_ones():
    assert set(ARCHITECTURES) == {"dense", "lstm", "gru", "stacked", "bidirectional", "cnn-gru"}


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_every_architecture_predicts_one_value_per_window(name):
    timesteps, features, units = 12, 3, 4
    model = build_forecaster(name, timesteps, features, units)
    x = np.random.default_rng(0).normal(size=(5, timesteps, features)).astype(np.float32)
    assert model.predict(x, verbose=0).shape == (5, 1)
    assert model.count_params() == _expected_parameters(name, timesteps, features, units)
    assert not any(type(layer).__name__ == "Dropout" for layer in model.layers)


@pytest.mark.parametrize("name", [n for n in ARCHITECTURES if n != "dense"])
def test_dropout_adds_a_dropout_layer_before_the_head(name):
    model = build_forecaster(name, 12, 3, 4, dropout=0.25)
    *_, dropout, head = model.layers
    assert type(dropout).__name__ == "Dropout" and dropout.rate == 0.25
    assert type(head).__name__ == "Dense" and head.units == 1
    x = np.zeros((2, 12, 3), np.float32)
    assert model.predict(x, verbose=0).shape == (2, 1)
    assert model.count_params() == _expected_parameters(name, 12, 3, 4)  # no weights added


def test_dense_ignores_dropout_as_documented():
    layers = build_forecaster("dense", 12, 3, 4, dropout=0.25).layers
    assert [type(layer).__name__ for layer in layers] == ["Flatten", "Dense", "Dense"]


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_every_architecture_trains_saves_and_evaluates(name, tmp_path):
    """train() writes model.safetensors for every architecture, and evaluate reloads it."""
    data = _write_sine(tmp_path / "sine.csv", n=400)
    metrics = train(_small_config(data, tmp_path / "run", model=name), verbose=0)
    assert {p.name for p in (tmp_path / "run").iterdir()} == RUN_FILES
    scores = evaluate(tmp_path / "run")
    assert scores["model_mae"] == pytest.approx(metrics["test"]["model_mae"], abs=1e-6)


def test_unknown_architecture_is_refused_by_build_forecaster():
    with pytest.raises(ValueError, match="choose one of: dense, lstm, gru"):
        build_forecaster("transformer", 12, 3)


# ------------------------------------------------------------------- 4. bad input

def _assert_nothing_written(tmp_path, *inputs):
    assert _tree(tmp_path) == sorted(inputs)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.csv"):
        train(_small_config(tmp_path / "nowhere.csv", tmp_path / "run"), verbose=0)
    _assert_nothing_written(tmp_path)


def test_unknown_target_lists_the_columns(tmp_path):
    data = _write_sine(tmp_path / "sine.csv", n=200)
    with pytest.raises(ValueError, match=r"'T \(degC\)'.*'temp \(degC\)', 'hum \(%\)'"):
        train(_small_config(data, tmp_path / "run", target="T (degC)"), verbose=0)
    _assert_nothing_written(tmp_path, "sine.csv")


@pytest.mark.parametrize("cell, message", [
    ("abc", r"line 5, column 'b'.*'abc' is not a number"),
    ("", r"line 5, column 'b'.*missing value"),
    ("NaN", r"line 5, column 'b'.*missing value"),
])
def test_a_bad_cell_names_its_line_and_column(tmp_path, cell, message):
    rows = [f"2020-01-01 {h:02d}:00,{h}.5,{h * 2}.0" for h in range(10)]
    date, a, _ = rows[3].split(",")
    rows[3] = f"{date},{a},{cell}"  # line 5: the header is line 1
    data = _write_csv(tmp_path / "bad.csv", "date,a,b\n" + "\n".join(rows) + "\n")
    with pytest.raises(ValueError, match=message):
        train(_small_config(data, tmp_path / "run", target="a", missing="error"), verbose=0)
    _assert_nothing_written(tmp_path, "bad.csv")


def test_lookback_longer_than_the_training_split(tmp_path):
    data = _write_sine(tmp_path / "sine.csv", n=200)  # 100 training rows
    with pytest.raises(ValueError, match=r"lookback=120.*only 100 rows"):
        train(_small_config(data, tmp_path / "run", lookback=120), verbose=0)
    _assert_nothing_written(tmp_path, "sine.csv")


@pytest.mark.parametrize("settings, message", [
    (dict(lookback=120, step=7), r"lookback=120 is not a multiple of step=7"),
    (dict(lookback=120, horizon=24, season=168), r"season=168"),
    (dict(model="transformer"), r"model='transformer' is not one of: dense, lstm"),
    (dict(epochs=0), r"epochs must be a whole number >= 1, got epochs=0"),
    (dict(units=2.5), r"units must be a whole number"),
    (dict(dropout=1.0), r"dropout must be a fraction in \[0, 1\)"),
    (dict(learning_rate=-0.01), r"learning_rate must be a number > 0"),
    (dict(optimizer="rmsprob"), r"rmsprob"),
])
def test_bad_settings_fail_before_reading_the_data(tmp_path, settings, message):
    missing = tmp_path / "never_read.csv"  # a setting error comes first
    with pytest.raises(ValueError, match=message):
        train(_small_config(missing, tmp_path / "run", **settings), verbose=0)
    _assert_nothing_written(tmp_path)


def test_a_season_that_fits_the_lookback_is_accepted(tmp_path, monkeypatch):
    """The boundary of the season check: season 168 with horizon 24 needs the input 144 rows
    before the last one, so lookback 145 is enough (and 144 is not)."""
    monkeypatch.setattr(forecast_module, "load_series", _stop)
    with pytest.raises(_Stop):
        train(_small_config(tmp_path / "x.csv", tmp_path / "run", lookback=145, horizon=24,
                            season=168), verbose=0)
    with pytest.raises(ValueError, match="season=168"):
        train(_small_config(tmp_path / "x.csv", tmp_path / "run", lookback=144, horizon=24,
                            season=168), verbose=0)


class _Stop(Exception):
    pass


def _stop(*args, **kwargs):
    raise _Stop


@pytest.mark.parametrize("settings", [dict(train_fraction=0.0), dict(val_fraction=1.2),
                                      dict(train_fraction=0.8, val_fraction=0.3)])
def test_bad_split_fractions_fail_before_the_data_is_read(tmp_path, settings):
    data = tmp_path / "missing.csv"  # the settings error must come first
    with pytest.raises(ValueError, match=r"(train_fraction|val_fraction).* (between|more than)"):
        train(_small_config(data, tmp_path / "run", **settings), verbose=0)
    assert list(tmp_path.iterdir()) == []


def test_output_that_is_a_file_is_refused_even_with_overwrite(tmp_path):
    data = _write_sine(tmp_path / "sine.csv", n=400)
    (tmp_path / "run").write_text("not a run", encoding="utf-8")
    with pytest.raises(FileExistsError, match="is a file"):
        train(_small_config(data, tmp_path / "run", overwrite=True), verbose=0)
    assert (tmp_path / "run").read_text(encoding="utf-8") == "not a run"
    assert _tree(tmp_path) == ["run", "sine.csv"]


def test_existing_output_without_overwrite(tmp_path):
    data = _write_sine(tmp_path / "sine.csv", n=400)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="overwrite"):
        train(_small_config(data, tmp_path / "run"), verbose=0)
    assert _tree(tmp_path) == ["run", "run/keep.txt", "sine.csv"]


def test_a_failed_run_leaves_no_folder(tmp_path, monkeypatch):
    data = _write_sine(tmp_path / "sine.csv", n=400)

    def broken(*args, **kwargs):
        raise RuntimeError("plot failed")

    monkeypatch.setattr(forecast_module, "plot_forecast", broken)
    with pytest.raises(RuntimeError, match="plot failed"):
        train(_small_config(data, tmp_path / "runs" / "new"), verbose=0)
    assert _tree(tmp_path) == ["runs", "sine.csv"]  # no "new", no ".new.*.tmp"


def test_overwrite_replaces_the_old_run_only_after_success(tmp_path, monkeypatch):
    data = _write_sine(tmp_path / "sine.csv", n=400)
    output = tmp_path / "runs" / "run"
    train(_small_config(data, output, seed=0), verbose=0)
    old = _snapshot(output)
    assert set(old) == RUN_FILES

    def broken(*args, **kwargs):
        raise RuntimeError("plot failed")

    with monkeypatch.context() as patch:
        patch.setattr(forecast_module, "plot_forecast", broken)
        with pytest.raises(RuntimeError, match="plot failed"):
            train(_small_config(data, output, seed=1, overwrite=True), verbose=0)
    assert _snapshot(output) == old  # the old run survives intact
    assert _tree(tmp_path / "runs") == sorted(["run", *(f"run/{n}" for n in RUN_FILES)])

    train(_small_config(data, output, seed=1, overwrite=True), verbose=0)
    assert json.loads((output / "config.json").read_text(encoding="utf-8"))["seed"] == 1
    assert set(_snapshot(output)) == RUN_FILES
    assert _tree(tmp_path / "runs") == sorted(["run", *(f"run/{n}" for n in RUN_FILES)])


def test_a_run_trained_on_a_relative_path_evaluates_from_another_directory(tmp_path,
                                                                           monkeypatch):
    """The run folder records its data file: evaluate(run) must find the same file whatever
    the working directory is then (and never another file with the same relative name)."""
    (tmp_path / "project").mkdir()
    (tmp_path / "elsewhere").mkdir()
    _write_sine(tmp_path / "project" / "series.csv", n=400)
    monkeypatch.chdir(tmp_path / "project")
    metrics = train(_small_config("series.csv", "run"), verbose=0)
    monkeypatch.chdir(tmp_path / "elsewhere")
    _write_sine(tmp_path / "elsewhere" / "series.csv", n=400, seed=99)  # a decoy
    scores = evaluate(tmp_path / "project" / "run")
    assert scores["last_value_mae"] == metrics["test"]["last_value_mae"]
    assert scores["model_mae"] == pytest.approx(metrics["test"]["model_mae"], abs=1e-6)


# ------------------------------------------------------------------- 5. load_series

@pytest.fixture
def three_columns(tmp_path):
    start = np.datetime64("2021-03-01T00:00:00")
    rows = [f"{str(start + np.timedelta64(i, 'h')).replace('T', ' ')},{i},{10 * i},{100 * i}"
            for i in range(7)]
    return _write_csv(tmp_path / "abc.csv", "when,a,b,c\n" + "\n".join(rows) + "\n")


def test_load_series_columns_keep_the_chosen_and_append_the_target(three_columns):
    series = load_series(ForecastConfig(data=str(three_columns), target="a", columns=["c", "b"]))
    assert series.columns == ["c", "b", "a"]
    np.testing.assert_array_equal(series.values[:, 0], 100.0 * np.arange(7))
    np.testing.assert_array_equal(series.values[:, 2], np.arange(7.0))
    series = load_series(ForecastConfig(data=str(three_columns), target="b", columns=["b", "c"]))
    assert series.columns == ["b", "c"]  # the target is not repeated
    series = load_series(ForecastConfig(data=str(three_columns), target="c"))
    assert series.columns == ["a", "b", "c"]  # default: every numeric column


def test_load_series_every_keeps_rows_0_2_4(three_columns):
    series = load_series(ForecastConfig(data=str(three_columns), target="a", every=2))
    np.testing.assert_array_equal(series.values,
                                  [[0, 0, 0], [2, 20, 200], [4, 40, 400], [6, 60, 600]])
    expected = np.datetime64("2021-03-01T00:00:00") + np.timedelta64(1, "h") * np.array([0, 2,
                                                                                          4, 6])
    np.testing.assert_array_equal(series.times, expected.astype("datetime64[s]"))
    full = load_series(ForecastConfig(data=str(three_columns), target="a"))
    assert len(full) == 7 and len(full.times) == 7


def test_load_series_unknown_target_lists_the_columns(three_columns):
    with pytest.raises(ValueError, match=r"no column 'z'.*\['a', 'b', 'c'\]"):
        load_series(ForecastConfig(data=str(three_columns), target="z"))
