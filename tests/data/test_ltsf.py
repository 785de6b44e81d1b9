"""The long-horizon benchmark protocol: borders, scaling, window counts, baselines."""
import numpy as np
import pytest

from seqlab.data import Standardizer, read_series
from seqlab.data.ltsf import (
    errors_by_step,
    horizon_windows,
    linear_baseline,
    ltsf_layout,
    ltsf_splits,
    repeat_forecast,
    scores,
)
from tests.helpers import shared_data


def test_borders_of_the_three_layouts():
    # Informer's ETT borders: 12/4/4 months of hourly rows, later splits lookback rows early
    assert ltsf_splits(17420, 96, "etth") == {"train": (0, 8640), "val": (8544, 11520),
                                              "test": (11424, 14400)}
    assert ltsf_splits(69680, 96, "ettm") == {"train": (0, 34560), "val": (34464, 46080),
                                              "test": (45984, 57600)}
    # Autoformer's Dataset_Custom: int(0.7 n) train, int(0.2 n) test, validation between
    assert ltsf_splits(1001, 24, "custom") == {"train": (0, 700), "val": (676, 801),
                                               "test": (777, 1001)}
    assert [ltsf_layout(p) for p in ("d/ETTh2.csv", "ETTm1.csv", "weather.csv")] == [
        "etth", "ettm", "custom"]
    with pytest.raises(ValueError, match=r"ETTH protocol needs 14,400 rows .* 9,000"):
        ltsf_splits(9000, 96, "ETTh1.csv")
    with pytest.raises(ValueError, match=r"lookback=700 is not shorter than the 700"):
        ltsf_splits(1000, 700)


def test_window_counts_and_contents():
    values = np.arange(2976 * 2, dtype=np.float64).reshape(2976, 2)  # row r: 2r, 2r + 1
    windows = horizon_windows(values, 96, 96)
    assert windows.count == 2976 - 96 - 96 + 1 == 2785  # ETTh1's test split at horizon 96
    x, y = windows.batch(np.array([0, 2784]))
    assert x.shape == (2, 96, 2) and y.shape == (2, 96, 2)
    assert x[0, :, 0].tolist() == [2 * r for r in range(96)]
    assert y[0, 0, 1] == 2 * 96 + 1 and y[1, -1, 0] == 2 * 2975
    assert horizon_windows(values, 96, 96, start=100, end=400).count == 300 - 192 + 1
    batches = list(horizon_windows(values, 96, 96, batch_size=1000, shuffle=True, seed=3))
    assert [len(b[0]) for b in batches] == [1000, 1000, 785]
    again = list(horizon_windows(values, 96, 96, batch_size=1000, shuffle=True, seed=3))
    assert all((a[0] == b[0]).all() for a, b in zip(batches, again))
    with pytest.raises(ValueError, match=r"horizon=300 with lookback=96 needs 396 rows but "
                                         r"rows \[0, 200\) hold 200: use horizon <= 104"):
        horizon_windows(values, 96, 300, end=200)


def test_repeat_and_scores_by_hand():
    x = np.array([[[1.0, 10.0], [2.0, 20.0]]])  # one window, lookback 2, two channels
    y = np.array([[[3.0, 20.0], [5.0, 18.0]]])  # horizon 2
    last = repeat_forecast(x)
    assert last.tolist() == [[[2.0, 20.0]]]
    # errors 1, 0, 3, -2: MSE (1 + 0 + 9 + 4) / 4, MAE (1 + 0 + 3 + 2) / 4
    assert scores(last, y) == {"mse": 3.5, "mae": 1.5}
    by_step = errors_by_step(np.broadcast_to(last, y.shape), y)
    assert by_step["mse"].tolist() == [0.5, 6.5] and by_step["mae"].tolist() == [0.5, 2.5]
    with pytest.raises(ValueError, match=r"predictions of shape \(1, 2, 1\) do not match"):
        scores(last[..., :1].repeat(2, axis=1), y)


def test_linear_baseline_is_least_squares_on_the_last_value_shift():
    rng = np.random.default_rng(0)
    values = np.cumsum(rng.normal(size=(300, 3)), axis=0)
    windows = horizon_windows(values, 8, 4)
    predict = linear_baseline(windows, ridge=0.0)
    x, y = windows.arrays()
    x, y = x.astype(np.float64), y.astype(np.float64)
    # independently: every (window, channel) is a row, minus its last value, plus a bias
    rows = np.concatenate([(x - x[:, -1:]).transpose(0, 2, 1).reshape(-1, 8),
                           np.ones((len(x) * 3, 1))], axis=1)
    targets = (y - x[:, -1:]).transpose(0, 2, 1).reshape(-1, 4)
    weights = np.linalg.lstsq(rows, targets, rcond=None)[0]
    expected = (rows @ weights).reshape(len(x), 3, 4).transpose(0, 2, 1) + x[:, -1:]
    np.testing.assert_allclose(predict(x), expected, rtol=1e-6, atol=1e-6)
    # a series the shift + linear map forecasts exactly: a straight line per channel
    line = np.arange(100.0)[:, None] * np.array([[0.5, -2.0]]) + np.array([[3.0, 7.0]])
    exact = linear_baseline(horizon_windows(line, 8, 4), ridge=0.0)
    xs, ys = horizon_windows(line, 8, 4).arrays()
    np.testing.assert_allclose(exact(xs), ys, atol=1e-3)


def test_etth1_protocol_repeat_baseline_and_scaling():
    series = read_series(shared_data("ett/ETTh1.csv"))
    splits = ltsf_splits(len(series), 96, "ETTh1.csv")
    train_end = splits["train"][1]
    scaler = Standardizer.from_training_rows(series.values, train_end)
    scaled = scaler.transform(series.values)
    training = series.values[:train_end]
    np.testing.assert_allclose(scaled[:train_end].mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(scaled[:train_end].std(axis=0), 1, atol=1e-9)
    np.testing.assert_allclose(scaled[14000], (series.values[14000] - training.mean(0))
                               / training.std(0))
    test = horizon_windows(scaled, 96, 96, *splits["test"])
    assert test.count == 2785 and test.first_rows[0] == 11424
    assert test.first_rows[-1] + 96 + 96 == 14400  # the last target row is row 14399
    x, y = test.arrays()
    repeat = scores(repeat_forecast(x), y)
    assert abs(repeat["mse"] - 1.295) <= 0.002 and abs(repeat["mae"] - 0.713) <= 0.001
    assert horizon_windows(scaled, 96, 96, *splits["val"]).count == 2785
    assert horizon_windows(scaled, 96, 96, *splits["train"]).count == 8640 - 192 + 1
