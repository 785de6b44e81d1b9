"""Forecasting windows: hand-worked indices, the Keras reference, the book's Jena numbers."""
import doctest

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from seqlab.data import windows as windows_module
from seqlab.data import ltsf as ltsf_module
from seqlab.data import splits as splits_module
from seqlab.data.baselines import last_value_forecast, mae, seasonal_naive_forecast
from seqlab.data.splits import Standardizer, time_splits
from seqlab.data.windows import Windows, make_windows, timeseries_windows
from tests.helpers import shared_data

JENA = "jena/jena_climate_hourly_6vars_2009_2016.csv"
JENA_HEADER = "Date Time,T (degC),p (mbar),rh (%),VPmax (mbar),wv (m/s),Tdew (degC)"


def rows_series(n=20):
    """Column 0 holds the row number, column 1 the row number + 100: values name their rows."""
    rows = np.arange(n, dtype=np.float64)
    return np.stack([rows, rows + 100], axis=1)


# --------------------------------------------------------------------------- make_windows


def test_indices_worked_out_by_hand():
    # 20 rows, lookback 6, step 2, horizon 3: the first sample ends at row 0 + 6 - 2 = 4
    # (inputs 0, 2, 4; target 4 + 3 = 7); the last ends at 19 - 3 = 16 (12, 14, 16 -> 19).
    w = make_windows(rows_series(), lookback=6, step=2, horizon=3)
    assert isinstance(w, Windows) and len(w) == 13 and w.timesteps == 3
    assert w.inputs_for(0).tolist() == [0, 2, 4] and w.target_for(0) == 7
    assert w.inputs_for(5).tolist() == [5, 7, 9] and w.target_for(5) == 12
    assert w.inputs_for(12).tolist() == [12, 14, 16] and w.target_for(12) == 19
    assert w.inputs_for(-1).tolist() == [12, 14, 16] and w.target_for(-13) == 7
    assert w.input_rows.tolist() == [[i, i + 2, i + 4] for i in range(13)]
    assert w.target_rows.tolist() == list(range(7, 20))


def test_start_and_end_bound_the_inputs_not_the_targets():
    # inputs within [3, 15): first 3, 5, 7 -> 10; last 10, 12, 14 -> 17 (17 >= end is allowed)
    w = make_windows(rows_series(), lookback=6, step=2, horizon=3, start=3, end=15)
    assert len(w) == 8
    assert w.inputs_for(0).tolist() == [3, 5, 7] and w.target_for(0) == 10
    assert w.inputs_for(-1).tolist() == [10, 12, 14] and w.target_for(-1) == 17
    assert w.input_rows.min() == 3 and w.input_rows.max() == 14


def test_describe_names_the_exact_rows():
    w = make_windows(rows_series(), lookback=6, step=2, horizon=3, batch_size=5)
    assert w.describe() == (
        "13 samples from a 20-row series (2 columns), inputs within rows [0, 20)\n"
        "each: 3 inputs (lookback 6 rows at step 2) -> column 0, 3 rows after the last input\n"
        "first sample: input rows 0..4 step 2 -> target row 7\n"
        "last sample: input rows 12..16 step 2 -> target row 19\n"
        "batches: 3 per pass of up to 5 samples, in time order")
    w = make_windows(rows_series(), 6, step=2, horizon=3, target=1, start=3, end=15,
                     shuffle=True, seed=4)
    assert w.describe() == (
        "8 samples from a 20-row series (2 columns), inputs within rows [3, 15)\n"
        "each: 3 inputs (lookback 6 rows at step 2) -> column 1, 3 rows after the last input\n"
        "first sample: input rows 3..7 step 2 -> target row 10\n"
        "last sample: input rows 10..14 step 2 -> target row 17\n"
        "targets of the last 3 samples lie at or after row 15 (allowed: only inputs are kept "
        "within [start, end))\n"
        "batches: 1 per pass of up to 128 samples, shuffled every pass (seed 4)")
    assert repr(w) == ("<Windows: 8 samples, input rows 3..7 step 2 -> target row 10 ... "
                       "input rows 10..14 step 2 -> target row 17, column 1>")


def test_arrays_hold_the_rows_named_by_the_indices():
    w = make_windows(rows_series(), lookback=6, step=2, horizon=3, target=1)
    x, y = w.arrays()
    assert x.shape == (13, 3, 2) and y.shape == (13,)
    assert x.dtype == np.float32 and y.dtype == np.float32
    assert x[4, :, 0].tolist() == [4, 6, 8] and x[4, :, 1].tolist() == [104, 106, 108]
    assert y.tolist() == [100 + r for r in range(7, 20)]  # column 1, rows 7..19


def test_windows_keep_their_own_copy_of_the_series():
    series = rows_series()
    w = make_windows(series, lookback=4)
    before = w.arrays()
    series[:] = -1
    after = w.arrays()
    assert np.array_equal(before[0], after[0]) and np.array_equal(before[1], after[1])


def test_batches_in_time_order_cover_every_sample_and_restart():
    w = make_windows(rows_series(), lookback=6, step=2, horizon=3, batch_size=5)
    assert w.num_batches == 3
    epochs = [list(w), list(w)]
    for batches in epochs:
        assert [len(y) for _, y in batches] == [5, 5, 3]
        assert [x.shape for x, _ in batches] == [(5, 3, 2), (5, 3, 2), (3, 3, 2)]
        x, y = w.arrays()
        assert np.array_equal(np.concatenate([b[0] for b in batches]), x)
        assert np.array_equal(np.concatenate([b[1] for b in batches]), y)


def epoch_targets(w):
    """The target rows (column 0 holds the row number) of every batch of one pass."""
    return [y.astype(int).tolist() for _, y in w]


def test_shuffle_is_repeatable_with_a_seed_and_new_every_epoch():
    make = (lambda seed: make_windows(rows_series(40), lookback=6, step=2, horizon=3,
                                      batch_size=8, shuffle=True, seed=seed))
    first, again, other = make(11), make(11), make(12)
    run = [epoch_targets(first), epoch_targets(first)]
    assert run == [epoch_targets(again), epoch_targets(again)]
    assert run[0] != run[1] and run[0] != epoch_targets(other)
    for epoch in run:
        assert [len(b) for b in epoch] == [8, 8, 8, 8, 1]  # 33 samples: t = 4..36
        assert sorted(sum(epoch, [])) == first.target_rows.tolist()  # every sample once
        assert sum(epoch, []) != first.target_rows.tolist()  # not in time order
    x, y = first.arrays()  # arrays() stays in time order
    assert y.astype(int).tolist() == first.target_rows.tolist()
    for x, y in first:  # inputs stay paired with their targets when shuffled
        assert np.array_equal(x[:, -1, 0] + 3, y)


def test_docstring_examples_run():
    result = doctest.testmod(windows_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 3 and result.failed == 0
    result = doctest.testmod(splits_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 1 and result.failed == 0
    result = doctest.testmod(ltsf_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 2 and result.failed == 0


# --------------------------------------------------------------------------- Keras reference


def test_reference_matches_the_keras_docstring_examples():
    # Example 1: indices 0..98, sequence_length=10, sampling_rate=2, sequence_stride=3
    w = timeseries_windows(np.arange(99), None, 10, sampling_rate=2, sequence_stride=3)
    assert w.inputs[0].tolist() == list(range(0, 20, 2))
    assert w.inputs[1].tolist() == list(range(3, 23, 2))
    assert w.inputs[2].tolist() == list(range(6, 26, 2))
    assert w.inputs[-1].tolist() == list(range(78, 98, 2)) and len(w.inputs) == 27
    assert w.targets is None
    # Example 2: data[:-10] with targets data[10:] pairs steps 0..9 with step 10
    data = np.arange(50) * 10
    w = timeseries_windows(data[:-10], data[10:], sequence_length=10)
    assert data[:-10][w.inputs[0]].tolist() == data[:10].tolist()
    assert data[10:][w.targets[0]] == data[10]
    assert len(w.inputs) == 31 and w.targets.tolist() == list(range(31))


def test_reference_start_end_and_target_cap():
    w = timeseries_windows(np.zeros(40), np.zeros(40), 4, sampling_rate=3, start_index=5,
                           end_index=30)
    # 30 - 5 - (4 - 1) * 3 = 16 windows starting at 5..20; the last input is 20 + 9 = 29
    assert w.inputs[:, 0].tolist() == list(range(5, 21)) and w.inputs[-1].tolist()[-1] == 29
    assert w.targets.tolist() == list(range(5, 21))
    # Keras caps the count at len(targets)
    assert len(timeseries_windows(np.zeros(40), np.zeros(3), 4).inputs) == 3
    # no full window: an empty result, as Keras's empty dataset
    empty = timeseries_windows(np.zeros(40), None, 30, sampling_rate=2)
    assert empty.inputs.shape == (0, 30)


def book_reference(series, start, end, sampling_rate=1, sequence_length=120):
    """The book's call: data raw[:-delay], targets temperature[delay:] (column 0 here)."""
    delay = sampling_rate * (sequence_length + 24 - 1)
    w = timeseries_windows(series[:-delay], series[delay:, 0], sequence_length,
                           sampling_rate=sampling_rate, start_index=start, end_index=end)
    return w, delay


@pytest.mark.parametrize("n_rows, sampling_rate", [(2011, 1), (7213, 6)])
def test_book_mapping_gives_the_same_windows_in_every_split(n_rows, sampling_rate):
    # hourly: lookback 120, horizon 24; ten-minute rows (the book): lookback 720 at step 6,
    # horizon 144. The book's test call has no end_index: its data stops `delay` rows early.
    series = np.random.default_rng(0).normal(size=(n_rows, 3))
    train_end, val_end = time_splits(n_rows)
    delay = sampling_rate * (120 + 24 - 1)
    splits = {"train": (0, train_end, train_end), "val": (train_end, val_end, val_end),
              "test": (val_end, None, n_rows - delay)}
    for name, (start, end_index, end) in splits.items():
        reference, delay = book_reference(series, start, end_index, sampling_rate)
        w = make_windows(series, lookback=120 * sampling_rate, step=sampling_rate,
                         horizon=24 * sampling_rate, start=start, end=end)
        assert len(w) == len(reference.inputs) > 0, name
        assert np.array_equal(w.input_rows, reference.inputs), name
        assert np.array_equal(w.target_rows, reference.targets + delay), name
        x, y = w.arrays()
        assert np.array_equal(x, series[reference.inputs].astype(np.float32)), name
        assert np.array_equal(y, series[delay:, 0][reference.targets].astype(np.float32)), name
    # make_windows(end=None) also keeps the test windows whose targets the book's call drops
    book_test, _ = book_reference(series, val_end, None, sampling_rate)
    full_test = make_windows(series, 120 * sampling_rate, step=sampling_rate,
                             horizon=24 * sampling_rate, start=val_end)
    assert len(full_test) - len(book_test.inputs) == delay - 24 * sampling_rate


@given(n=st.integers(10, 80), steps=st.integers(1, 6), step=st.integers(1, 4),
       horizon=st.integers(1, 10), start=st.integers(0, 40), end=st.integers(1, 80))
def test_make_windows_equals_the_keras_reference(n, steps, step, horizon, start, end):
    # Keras's form of the same windows: data series[:-D], targets series[D:] with
    # D = lookback - step + horizon (rows from a window's first input to its target).
    lookback = steps * step
    delay = lookback - step + horizon
    end = min(end, n - delay)
    assume(0 <= start < end and lookback <= end - start)
    assume(step < n - delay)  # Keras requires sampling_rate < len(data)
    series = rows_series(n)
    w = make_windows(series, lookback, step=step, horizon=horizon, start=start, end=end)
    reference = timeseries_windows(series[:-delay], series[delay:, 0], steps,
                                   sampling_rate=step, start_index=start,
                                   end_index=None if end == n - delay else end)
    assert np.array_equal(w.input_rows, reference.inputs)
    assert np.array_equal(w.target_rows, reference.targets + delay)


# --------------------------------------------------------------------------- the book's numbers


@pytest.fixture(scope="module")
def jena():
    path = shared_data(JENA)
    with open(path, encoding="utf-8") as file:
        assert file.readline().rstrip("\n") == JENA_HEADER
    return np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(1, 7))


def jena_split_windows(jena):
    """Validation and test windows as the book: 120 hours in, T 24 hours after the last input;
    the test windows end where the book's test call ends (its data is raw[:-delay])."""
    train_end, val_end = time_splits(len(jena))
    delay = 120 + 24 - 1
    val = make_windows(jena, lookback=120, horizon=24, start=train_end, end=val_end)
    test = make_windows(jena, lookback=120, horizon=24, start=val_end, end=len(jena) - delay)
    return val, test


def test_jena_last_value_baseline_gives_the_books_mae(jena):
    assert jena.shape == (70038, 6)
    assert time_splits(len(jena)) == (35019, 52528)
    val, test = jena_split_windows(jena)
    assert (len(val), len(test)) == (17390, 17248)
    temperature = jena[:, 0]
    val_mae = mae(last_value_forecast(val, jena, 0), temperature[val.target_rows])
    test_mae = mae(last_value_forecast(test, jena, 0), temperature[test.target_rows])
    assert abs(val_mae - 2.44) <= 0.01 and abs(test_mae - 2.62) <= 0.01  # the book's values
    assert val_mae == pytest.approx(2.44259, abs=1e-5)  # measured on this file
    assert test_mae == pytest.approx(2.62488, abs=1e-5)
    # the book's own loop over its reference windows gives the same numbers
    for start, end, expected in ((35019, 52528, val_mae), (52528, None, test_mae)):
        reference, delay = book_reference(jena, start, end)
        book_mae = np.mean(np.abs(temperature[reference.inputs[:, -1]]
                                  - temperature[delay:][reference.targets]))
        assert book_mae == pytest.approx(expected, abs=1e-12)


def test_jena_seasonal_naive_with_a_daily_season(jena):
    # 24 h ahead with a 24 h season, the seasonal naive value is the last input: the same
    # forecast as "T in 24 h = T now"; its MAE is that baseline's.
    val, test = jena_split_windows(jena)
    for split, expected in ((val, 2.44259), (test, 2.62488)):
        seasonal = seasonal_naive_forecast(split, jena, 0, season=24)
        assert np.array_equal(seasonal, last_value_forecast(split, jena, 0))
        assert mae(seasonal, jena[split.target_rows, 0]) == pytest.approx(expected, abs=1e-5)


def test_jena_standardized_windows_give_back_the_units(jena):
    train_end, _ = time_splits(len(jena))
    scaler = Standardizer.from_training_rows(jena, train_end)
    val, _ = jena_split_windows(jena)
    scaled = make_windows(scaler.transform(jena), lookback=120, horizon=24,
                          start=val.start, end=val.end)
    x, y = scaled.arrays()
    predictions = scaler.inverse(x[:, -1, 0], column=0)  # the baseline on scaled inputs
    assert mae(predictions, jena[val.target_rows, 0]) == pytest.approx(2.44259, abs=1e-4)


# --------------------------------------------------------------------------- baselines by hand


@pytest.mark.parametrize("horizon, season, back", [(3, 5, 2), (7, 3, 2), (4, 4, 0), (1, 2, 1)])
def test_seasonal_naive_rows_by_hand(horizon, season, back):
    # the latest row a whole number of seasons before the target: target - season * ceil(h/s)
    # (h=3, s=5: 5 rows before the target = 2 before the last input; h=7, s=3: 9 = 2 + 7)
    w = make_windows(rows_series(30), lookback=6, horizon=horizon)
    predictions = seasonal_naive_forecast(w, rows_series(30), 1, season)
    assert predictions.tolist() == (w.target_rows - horizon - back + 100).tolist()


def test_last_value_and_mae_by_hand():
    series = rows_series()
    w = make_windows(series, lookback=6, step=2, horizon=3)
    assert last_value_forecast(w, series, 0).tolist() == list(range(4, 17))
    assert mae(last_value_forecast(w, series, 0), series[w.target_rows, 0]) == 3.0
    assert mae([1, 2, 3], [2, 2, 5]) == 1.0


# --------------------------------------------------------------------------- splits, scaling


def test_time_splits_as_the_book():
    assert time_splits(10) == (5, 7)
    assert time_splits(7, train=0.6, val=0.2) == (4, 5)  # int(4.2), int(1.4)
    assert time_splits(70038) == (35019, 35019 + 17509)


def test_standardizer_by_hand():
    scaler = Standardizer().fit([[1.0, 10.0], [3.0, 30.0]])
    assert scaler.mean.tolist() == [2.0, 20.0] and scaler.std.tolist() == [1.0, 10.0]
    assert scaler.transform([[1.0, 10.0], [5.0, 0.0]]).tolist() == [[-1, -1], [3, -2]]
    assert scaler.transform(np.ones((2, 3, 2))).shape == (2, 3, 2)
    assert scaler.inverse([[-1.0, -1.0]]).tolist() == [[1.0, 10.0]]
    assert scaler.inverse([0.0, 1.0], column=1).tolist() == [20.0, 30.0]
    with pytest.raises(ValueError):
        scaler.mean[0] = 5.0  # read-only
    with pytest.raises(ValueError, match="constant"):
        scaler.fit([[1.0, 2.0], [1.0, 3.0]])
    assert scaler.mean.tolist() == [2.0, 20.0]  # a failed fit keeps the previous state


def test_standardizer_sees_only_the_training_rows():
    series = np.random.default_rng(1).normal(size=(200, 3)) * [1, 5, 10] + [0, 3, -2]
    changed = series.copy()
    changed[100:] = changed[100:] * 1000 + 7  # validation and test rows only
    scalers = [Standardizer.from_training_rows(s, train_end=100) for s in (series, changed)]
    assert np.array_equal(scalers[0].mean, scalers[1].mean)
    assert np.array_equal(scalers[0].std, scalers[1].std)
    assert np.allclose(scalers[0].mean, series[:100].mean(axis=0))
    train = [make_windows(scaler.transform(s), lookback=12, horizon=4, end=100)
             for scaler, s in zip(scalers, (series, changed))]
    (x0, y0), (x1, y1) = train[0].arrays(), train[1].arrays()
    assert np.array_equal(x0, x1)
    inside = train[0].target_rows < 100  # the last 4 targets lie in the validation rows
    assert np.array_equal(y0[inside], y1[inside]) and not np.array_equal(y0, y1)
    # control: statistics over every row would have moved (the test can fail)
    assert not np.allclose(Standardizer().fit(series).mean, Standardizer().fit(changed).mean)


# --------------------------------------------------------------------------- errors


SERIES = rows_series()


def fitted():
    return Standardizer().fit([[1.0, 10.0], [3.0, 30.0]])


def windows():
    return make_windows(SERIES, lookback=6, step=2, horizon=3)


ERRORS = [
    # make_windows
    (lambda: make_windows(np.arange(20.0), 4), ValueError,
     r"series must be 2-D .* got shape \(20,\): for one feature use series\[:, None\]"),
    (lambda: make_windows(np.where(np.arange(40).reshape(20, 2) == 7, np.nan, SERIES), 4),
     ValueError, r"non-finite value \(nan\) at row 3, column 1: fill or drop"),
    (lambda: make_windows([["a", "b"]], 1), TypeError, r"series must be a 2-D array of numbers"),
    (lambda: make_windows(SERIES, 0), ValueError, r"lookback must be >= 1, got lookback=0"),
    (lambda: make_windows(SERIES, 2.5), TypeError, r"lookback must be an int, got lookback=2.5"),
    (lambda: make_windows(SERIES, 7, step=2), ValueError,
     r"lookback=7 is not a multiple of step=2; .* use lookback=6 or 8"),
    (lambda: make_windows(SERIES, 3, step=4), ValueError, r"step=4; .*: use lookback=4$"),
    (lambda: make_windows(SERIES, 4, step=0), ValueError, r"step must be >= 1, got step=0"),
    (lambda: make_windows(SERIES, 4, horizon=0), ValueError,
     r"horizon=0, but the target is `horizon` rows after .* use horizon >= 1"),
    (lambda: make_windows(SERIES, 4, target=2), ValueError,
     r"target=2 is not a column of a series with 2 columns: use a column index 0..1"),
    (lambda: make_windows(SERIES, 4, start=-1), ValueError, r"start must be >= 0, got start=-1"),
    (lambda: make_windows(SERIES, 4, end=21), ValueError,
     r"end=21 is beyond the series, which has 20 rows: use end <= 20"),
    (lambda: make_windows(SERIES, 4, start=10, end=10), ValueError,
     r"start=10 must be below end=10"),
    (lambda: make_windows(SERIES, 30), ValueError,
     r"lookback=30 rows, but only 20 rows lie in \[start, end\) = \[0, 20\) of the 20-row"),
    (lambda: make_windows(SERIES, 8, start=5, end=12), ValueError,
     r"only 7 rows lie in \[start, end\) = \[5, 12\)"),
    (lambda: make_windows(SERIES, 18, horizon=3), ValueError,
     r"no windows: the first one ends at row 17 and its target row 20 is past the last row "
     r"\(19\) of the series: use horizon <= 2"),
    (lambda: make_windows(SERIES, 4, batch_size=0), ValueError, r"batch_size must be >= 1"),
    (lambda: make_windows(SERIES, 4, shuffle="yes"), TypeError, r"shuffle must be True or"),
    (lambda: make_windows(SERIES, 4, seed=1.5), TypeError, r"seed must be an int"),
    (lambda: windows().inputs_for(13), IndexError,
     r"sample 13 is out of range: there are 13 samples \(0..12\)"),
    (lambda: windows().target_for(-14), IndexError, r"sample -14 is out of range"),
    (lambda: windows().inputs_for("0"), TypeError, r"i must be an int, got i='0'"),
    # timeseries_windows (Keras's checks)
    (lambda: timeseries_windows(SERIES, None, 0), ValueError, r"sequence_length must be >= 1"),
    (lambda: timeseries_windows(SERIES, None, 2, sampling_rate=0), ValueError,
     r"sampling_rate must be >= 1"),
    (lambda: timeseries_windows(SERIES, None, 2, sampling_rate=20), ValueError,
     r"sampling_rate=20 must be lower than len\(data\)=20"),
    (lambda: timeseries_windows(SERIES, None, 2, sequence_stride=0), ValueError,
     r"sequence_stride must be >= 1"),
    (lambda: timeseries_windows(SERIES, None, 2, start_index=-1), ValueError,
     r"start_index must be >= 0"),
    (lambda: timeseries_windows(SERIES, None, 2, start_index=20), ValueError,
     r"start_index=20 must be lower than len\(data\)=20"),
    (lambda: timeseries_windows(SERIES, None, 2, start_index=5, end_index=5), ValueError,
     r"end_index=5 must be higher than start_index=5"),
    (lambda: timeseries_windows(SERIES, None, 2, end_index=20), ValueError,
     r"end_index=20 must be lower than len\(data\)=20, as in Keras: pass end_index=None"),
    (lambda: timeseries_windows(SERIES, None, 2, end_index=0), ValueError,
     r"end_index must be >= 1"),
    (lambda: timeseries_windows(SERIES, np.zeros(10), 2, start_index=12), ValueError,
     r"starting at row 18 needs targets\[18\] but targets has 10 rows"),
    # time_splits
    (lambda: time_splits(0), ValueError, r"n_rows must be >= 1, got n_rows=0"),
    (lambda: time_splits(10, train=0), ValueError, r"train is a fraction .* got train=0"),
    (lambda: time_splits(10, val=1.2), ValueError, r"got val=1.2"),
    (lambda: time_splits(10, train=0.8, val=0.3), ValueError,
     r"train=0.8 \+ val=0.3 is more than all the rows"),
    (lambda: time_splits(3), ValueError, r"give 1 training and 0 validation rows"),
    # Standardizer
    (lambda: Standardizer().transform(SERIES), ValueError,
     r"transform: not fitted yet: call fit\(training_rows\)"),
    (lambda: Standardizer().inverse(SERIES), ValueError, r"inverse: not fitted yet"),
    (lambda: Standardizer().fit(np.ones((5, 2))), ValueError,
     r"column 0 is constant over the 5 rows given \(std 0\)"),
    (lambda: Standardizer().fit([1.0, 2.0]), ValueError, r"values must be 2-D"),
    (lambda: fitted().transform(np.ones((4, 3))), ValueError,
     r"values of shape \(4, 3\) do not end in the 2 columns it was fitted on"),
    (lambda: fitted().inverse(np.ones(4)), ValueError,
     r"shape \(4,\) do not end in 2 columns: for one column's values pass column="),
    (lambda: fitted().inverse(np.ones(4), column=2), ValueError, r"target=2 is not a column"),
    (lambda: Standardizer.from_training_rows(SERIES, 0), ValueError, r"train_end must be >= 1"),
    (lambda: Standardizer.from_training_rows(SERIES, 21), ValueError,
     r"train_end=21 is beyond the series, which has 20 rows"),
    # baselines and mae
    (lambda: last_value_forecast(windows().arrays(), SERIES, 0), TypeError,
     r"windows must come from make_windows, got tuple"),
    (lambda: last_value_forecast(windows(), SERIES[:10], 0), ValueError,
     r"made from a 20-row series but series has 10 rows"),
    (lambda: last_value_forecast(windows(), SERIES, 5), ValueError, r"target=5 is not a column"),
    (lambda: seasonal_naive_forecast(windows(), SERIES, 0, season=0), ValueError,
     r"season must be >= 1"),
    (lambda: seasonal_naive_forecast(windows(), SERIES, 0, season=8), ValueError,
     r"season=8 reaches 5 rows before the last input, past the first input \(lookback=6, "
     r"step=2\): use windows with lookback >= 8"),
    (lambda: mae(np.ones((3, 1)), np.ones(3)), ValueError,
     r"predictions have shape \(3, 1\) but truth has shape \(3,\): .* predictions\[:, 0\]"),
    (lambda: mae([], []), ValueError, r"mae: no values given"),
]


@pytest.mark.parametrize("call, kind, message", ERRORS)
def test_errors_name_the_value_and_the_fix(call, kind, message):
    with pytest.raises(kind, match=message):
        call()
