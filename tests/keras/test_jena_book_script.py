"""The Keras book's (1st edition, section 6.3) Jena temperature chapter, written as the book
writes it (generators, ``fit_generator``, ``RMSprop``, the reversed-order experiment, the
1-D convnet over ``input_shape=(None, features)``), with only these changes:

* imports: ``from keras...`` -> ``from seqlab.keras...``;
* the data: the shared hourly file (every 6th row of the book's 10-minute file, 6 of
  its 14 columns, temperature first), so ``step=1``, ``lookback=240`` (10 days),
  ``delay=24`` (24 hours), index ``0`` for the temperature and the book's row bounds
  divided by 6; the file ends with a newline, so its last, empty line is skipped;
* sizes: a few steps per epoch instead of 500 x 20 epochs (a test, not a training run).
"""
import os

import numpy as np
import pytest

from seqlab import set_seed

from tests.helpers import shared_data


@pytest.mark.filterwarnings("ignore:Model.(fit|evaluate|predict)_generator:DeprecationWarning")
def test_jena_chapter_with_generators_and_fit_generator(capsys):
    # was: from keras.models import Sequential; from keras import layers; ...
    from seqlab.keras import layers
    from seqlab.keras.models import Sequential
    from seqlab.keras.optimizers import RMSprop

    np.random.seed(0)
    set_seed(0)  # (not in the book: a test must repeat)
    fname = os.fspath(shared_data("jena/jena_climate_hourly_6vars_2009_2016.csv"))
    f = open(fname)
    data = f.read()
    f.close()

    lines = data.split('\n')
    header = lines[0].split(',')
    lines = [line for line in lines[1:] if line]  # the book's file has no final newline

    float_data = np.zeros((len(lines), len(header) - 1))
    for i, line in enumerate(lines):
        values = [float(x) for x in line.split(',')[1:]]
        float_data[i, :] = values

    mean = float_data[:33333].mean(axis=0)
    float_data -= mean
    std = float_data[:33333].std(axis=0)
    float_data /= std

    def generator(data, lookback, delay, min_index, max_index,
                  shuffle=False, batch_size=128, step=6):
        if max_index is None:
            max_index = len(data) - delay - 1
        i = min_index + lookback
        while 1:
            if shuffle:
                rows = np.random.randint(
                    min_index + lookback, max_index, size=batch_size)
            else:
                if i + batch_size >= max_index:
                    i = min_index + lookback
                rows = np.arange(i, min(i + batch_size, max_index))
                i += len(rows)

            samples = np.zeros((len(rows),
                               lookback // step,
                               data.shape[-1]))
            targets = np.zeros((len(rows),))
            for j, row in enumerate(rows):
                indices = range(rows[j] - lookback, rows[j], step)
                samples[j] = data[indices]
                targets[j] = data[rows[j] + delay][0]
            yield samples, targets

    lookback = 240
    step = 1
    delay = 24
    batch_size = 128

    train_gen = generator(float_data, lookback=lookback, delay=delay, min_index=0,
                          max_index=33333, shuffle=True, step=step, batch_size=batch_size)
    val_gen = generator(float_data, lookback=lookback, delay=delay, min_index=33334,
                        max_index=50000, step=step, batch_size=batch_size)
    test_gen = generator(float_data, lookback=lookback, delay=delay, min_index=50001,
                         max_index=None, step=step, batch_size=batch_size)

    val_steps = (50000 - 33334 - lookback) // batch_size
    test_steps = (len(float_data) - 50001 - lookback) // batch_size

    # The common-sense baseline: the temperature 24 hours from now is the one now.
    def evaluate_naive_method():
        batch_maes = []
        for step in range(val_steps):
            samples, targets = next(val_gen)
            preds = samples[:, -1, 0]
            mae = np.mean(np.abs(preds - targets))
            batch_maes.append(mae)
        return np.mean(batch_maes)

    celsius_mae = evaluate_naive_method() * std[0]
    # The book: "an MAE of 0.29 ... an average absolute error of 2.57 degrees Celsius".
    assert celsius_mae == pytest.approx(2.57, abs=0.02)

    # A densely connected model (the book's listing 6.37).
    model = Sequential()
    model.add(layers.Flatten(input_shape=(lookback // step, float_data.shape[-1])))
    model.add(layers.Dense(32, activation='relu'))
    model.add(layers.Dense(1))

    model.compile(optimizer=RMSprop(), loss='mae')
    with pytest.warns(DeprecationWarning, match="fit_generator"):
        history = model.fit_generator(train_gen, steps_per_epoch=30, epochs=4,
                                      validation_data=val_gen, validation_steps=10,
                                      verbose=0)
    assert len(history.history['loss']) == 4 and len(history.history['val_loss']) == 4
    assert history.history['loss'][-1] < 0.7 * history.history['loss'][0]
    # normalised MAE (the naive method: 0.30; always predicting the mean: about 0.8)
    assert history.history['val_loss'][-1] < 0.8

    # A recurrent baseline (listing 6.39), with dropout (6.40), over any length.
    model = Sequential()
    model.add(layers.GRU(32, dropout=0.2, recurrent_dropout=0.2,
                         input_shape=(None, float_data.shape[-1])))
    model.add(layers.Dense(1))
    model.compile(optimizer=RMSprop(), loss='mae')
    history = model.fit_generator(train_gen, steps_per_epoch=6, epochs=1,
                                  validation_data=val_gen, validation_steps=3, verbose=0)
    assert np.isfinite(history.history['val_loss'][0])

    # The reversed-order experiment (listing 6.42): samples[:, ::-1, :] has negative strides.
    def reverse_order_generator(data, lookback, delay, min_index, max_index,
                                shuffle=False, batch_size=128, step=6):
        for samples, targets in generator(data, lookback, delay, min_index, max_index,
                                          shuffle, batch_size, step):
            yield samples[:, ::-1, :], targets

    train_gen_reverse = reverse_order_generator(
        float_data, lookback=lookback, delay=delay, min_index=0, max_index=33333,
        shuffle=True, step=step, batch_size=batch_size)
    val_gen_reverse = reverse_order_generator(
        float_data, lookback=lookback, delay=delay, min_index=33334, max_index=50000,
        step=step)
    model = Sequential()
    model.add(layers.GRU(32, input_shape=(None, float_data.shape[-1])))
    model.add(layers.Dense(1))
    model.compile(optimizer=RMSprop(), loss='mae')
    history = model.fit_generator(train_gen_reverse, steps_per_epoch=4, epochs=1,
                                  validation_data=val_gen_reverse, validation_steps=2,
                                  verbose=0)
    assert np.isfinite(history.history['loss'][0])

    # The 1-D convnet over a variable length (listing 6.47): summary needs shape rules.
    model = Sequential()
    model.add(layers.Conv1D(32, 5, activation='relu',
                            input_shape=(None, float_data.shape[-1])))
    model.add(layers.MaxPooling1D(3))
    model.add(layers.Conv1D(32, 5, activation='relu'))
    model.add(layers.MaxPooling1D(3))
    model.add(layers.Conv1D(32, 5, activation='relu'))
    model.add(layers.GlobalMaxPooling1D())
    model.add(layers.Dense(1))
    capsys.readouterr()
    model.summary()
    text = capsys.readouterr().out
    # Keras's counts: 5*6*32+32, 5*32*32+32 twice, 32+1
    for count in ("992", "5,152", "33", "Total params: 11,329"):
        assert count in text, text
    assert "(None, None, 32)" in text
    model.compile(optimizer=RMSprop(), loss='mae')
    model.fit_generator(train_gen, steps_per_epoch=3, epochs=1, verbose=0)

    with pytest.warns(DeprecationWarning):
        test_loss = model.evaluate_generator(test_gen, steps=3)
    with pytest.warns(DeprecationWarning):
        predictions = model.predict_generator(test_gen, steps=2)
    assert np.isfinite(test_loss) and predictions.shape == (256, 1)
    assert test_steps > 0
