"""Make the Keras fixture files of tests/models/test_keras_files.py with real Keras.

Run once, in a throwaway environment OUTSIDE the repository (TensorFlow is never a
dependency of seqlab and CI never installs it)::

    python3 -m venv /work/envs/keras
    /work/envs/keras/bin/pip install tensorflow-cpu tf-keras "keras>=3" h5py
    cd tests/models/keras_fixtures
    TF_CPP_MIN_LOG_LEVEL=3 /work/envs/keras/bin/python make_fixtures.py

It writes, next to itself, for each case NAME:

* ``NAME.h5`` (tf.keras 2.x = Keras 2 semantics, ``model.save``) or ``NAME.keras``
  (Keras 3) or both, the model with random weights (biases too, scaled so that
  saturating activations such as ``hard_sigmoid`` leave their linear range);
* ``NAME.npz``: ``x`` (or ``x0``, ``x1``... for several inputs) and ``y`` (or ``y0``...),
  Keras's own ``predict`` outputs, float32.

Extra files: ``k2_weights_only.h5`` and ``k2_weights_only.weights.h5`` (``save_weights``
in the legacy and in the Keras 3 layout), ``k2_to_json.json`` and ``k3_to_json.json``
(``model.to_json()``), and ``k2_cudnn_lstm.h5`` / ``k2_cudnn_gru.h5`` (CuDNN layers,
whose outputs come from tf.keras's own CuDNN -> LSTM/GRU weight conversion, as they
cannot run on a CPU).

``check_roundtrip.py`` (same environment) is the other half of the round trip: it loads
the ``.keras`` files seqlab wrote and compares Keras 3's outputs to these.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import tf_keras as k2  # noqa: E402
import keras as k3  # noqa: E402

HERE = Path(__file__).resolve().parent
RNG = np.random.default_rng(1234)


def randomize(model, scale=0.6):
    """Random weights everywhere (Keras's zero biases would hide bias-layout mistakes)."""
    model.set_weights([RNG.normal(0.0, scale, w.shape).astype(np.float32)
                       for w in model.get_weights()])


def tokens(batch=5, length=9, vocabulary=20, pad=True):
    """Integer sequences; with `pad`, some rows left-padded, one right-padded, and one
    all padding (a row with no real step)."""
    x = RNG.integers(1, vocabulary, size=(batch, length))
    if pad:
        x[0, :3] = 0      # 'pre' padding, Keras's default
        x[1, -4:] = 0     # 'post' padding
        x[2, :] = 0       # nothing real
        x[3, :1] = 0
    return x.astype(np.int32)


def floats(batch=4, length=7, features=3, scale=2.0):
    return (RNG.normal(0.0, scale, size=(batch, length, features))).astype(np.float32)


def save(name, model, inputs, suffixes):
    inputs = inputs if isinstance(inputs, list) else [inputs]
    outputs = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    arrays = {}
    for i, x in enumerate(inputs):
        arrays["x" if len(inputs) == 1 else f"x{i}"] = x
    for i, y in enumerate(outputs):
        arrays["y" if len(outputs) == 1 else f"y{i}"] = np.asarray(y, dtype=np.float32)
    np.savez_compressed(HERE / f"{name}.npz", **arrays)
    for suffix in suffixes:
        model.save(HERE / f"{name}{suffix}")
    print(f"{name}: {', '.join(suffixes)}; outputs {[o.shape for o in outputs]}")


# ------------------------------------------------------------------ Keras 2 (tf.keras)

def keras2_cases():
    L = k2.layers
    cases = {}
    for reset_after in (True, False):
        m = k2.Sequential([L.Embedding(20, 8, input_length=9),
                           L.GRU(6, reset_after=reset_after, return_sequences=not reset_after),
                           L.Dense(2, activation="softmax")])
        cases[f"k2_gru_reset_after_{str(reset_after).lower()}"] = (m, tokens(pad=False))
    m = k2.Sequential([L.Embedding(20, 8, mask_zero=True), L.LSTM(5),
                       L.Dense(3, activation="softmax")])
    m.build((None, 9))
    cases["k2_lstm_mask"] = (m, tokens())
    m = k2.Sequential([L.Embedding(20, 8, mask_zero=True), L.LSTM(5, return_sequences=True)])
    m.build((None, 9))
    cases["k2_lstm_mask_sequences"] = (m, tokens())
    for mode, cell in (("concat", L.LSTM), ("sum", L.GRU), ("mul", L.SimpleRNN),
                       ("ave", L.LSTM)):
        sequences = mode in ("sum", "ave")
        m = k2.Sequential([L.Embedding(20, 6, mask_zero=True),
                           L.Bidirectional(cell(4, return_sequences=sequences), merge_mode=mode),
                           L.Dense(2)])
        m.build((None, 9))
        cases[f"k2_bidirectional_{mode}"] = (m, tokens())
    m = k2.Sequential([L.Embedding(20, 8), L.LSTM(6, return_sequences=True),
                       L.GRU(5, return_sequences=True),
                       L.SimpleRNN(4, activation="relu", return_sequences=True),
                       L.SimpleRNN(3, activation="relu"), L.Dense(1, activation="sigmoid")])
    m.build((None, 9))
    cases["k2_stacked"] = (m, tokens(pad=False))
    m = k2.Sequential([L.Embedding(20, 8), L.Conv1D(6, 3, padding="same", activation="relu"),
                       L.MaxPooling1D(2), L.Conv1D(5, 2, activation="tanh"),
                       L.AveragePooling1D(2, padding="same"), L.GRU(4), L.Dense(1)])
    m.build((None, 12))
    cases["k2_conv_gru"] = (m, tokens(length=12, pad=False))
    # Keras's Conv1D drops the mask (even with padding='same'); its max ignores it
    m = k2.Sequential([L.Embedding(20, 6, mask_zero=True), L.Conv1D(4, 3, padding="same"),
                       L.LSTM(3, return_sequences=True), L.GlobalMaxPooling1D(), L.Dense(2)])
    m.build((None, 9))
    cases["k2_mask_conv"] = (m, tokens())
    m = k2.Sequential([k2.Input(shape=(7, 3)), L.LSTM(5, return_sequences=True),
                       L.TimeDistributed(L.Dense(2, activation="tanh")), L.Dropout(0.3),
                       L.Flatten(), L.Dense(3)])
    cases["k2_time_distributed"] = (m, floats())
    m = k2.Sequential([k2.Input(shape=(7, 3)),
                       L.LSTM(5, recurrent_activation="hard_sigmoid", return_sequences=True),
                       L.GRU(4, recurrent_activation="hard_sigmoid", reset_after=False),
                       L.Dense(2, activation="hard_sigmoid")])
    cases["k2_hard_sigmoid"] = (m, floats(scale=3.0))
    x = floats()
    x[0, :3] = 0.0  # padded steps: every feature equals mask_value
    x[1, -2:] = 0.0
    m = k2.Sequential([k2.Input(shape=(7, 3)), L.Masking(0.0), L.GRU(4, return_sequences=True),
                       L.Bidirectional(L.LSTM(3)), L.Dense(2)])
    cases["k2_masking"] = (m, x)
    m = k2.Sequential([L.Embedding(20, 6, mask_zero=True),
                       L.RNN(L.LSTMCell(4, recurrent_activation="hard_sigmoid"),
                             return_sequences=True),
                       L.RNN(L.SimpleRNNCell(3, activation="relu")), L.Dense(2)])
    m.build((None, 9))
    cases["k2_rnn_cells"] = (m, tokens())
    # functional: an encoder-decoder with states, and a two-branch merge
    enc_in = k2.Input(shape=(None,), name="source")
    dec_in = k2.Input(shape=(None,), name="target")
    enc = L.Embedding(20, 6, mask_zero=True, name="source_embedding")(enc_in)
    _, h, c = L.LSTM(5, return_state=True, name="encoder")(enc)
    dec = L.Embedding(15, 6, name="target_embedding")(dec_in)
    dec = L.LSTM(5, return_sequences=True, name="decoder")(dec, initial_state=[h, c])
    branch = L.GlobalMaxPooling1D()(L.Conv1D(4, 2, padding="causal")(dec))
    merged = L.Concatenate()([h, branch])
    out = L.Dense(3, activation="softmax", name="head")(merged)
    seq = L.TimeDistributed(L.Dense(15, activation="softmax"), name="tokens")(dec)
    m = k2.Model([enc_in, dec_in], [seq, out], name="encoder_decoder")
    cases["k2_functional"] = (m, [tokens(), tokens(length=6, vocabulary=15, pad=False)])
    # shared layers: one Embedding and one GRU called on two inputs (node index 1)
    left, right = k2.Input(shape=(9,), name="left"), k2.Input(shape=(9,), name="right")
    embed, encode = L.Embedding(20, 5, mask_zero=True), L.GRU(4)
    m = k2.Model([left, right], L.Dense(1, activation="sigmoid")(
        L.Subtract()([encode(embed(left)), encode(embed(right))])), name="siamese")
    cases["k2_shared"] = (m, [tokens(), tokens()])
    return cases


def keras2_extras():
    L = k2.layers
    m = k2.Sequential([L.Embedding(20, 8, name="emb"), L.GRU(5, name="gru"),
                       L.Dense(2, name="out")], name="weights_only")
    m.build((None, 9))
    randomize(m)
    x = tokens(pad=False)
    np.savez_compressed(HERE / "k2_weights_only.npz", x=x, y=m.predict(x, verbose=0))
    m.save_weights(HERE / "k2_weights_only.h5")  # the legacy layout (layer_names, weight_names)
    m.save_weights(HERE / "k2_weights_only.weights.h5")  # tf.keras >= 2.13: Keras 3's layout
    (HERE / "k2_to_json.json").write_text(m.to_json())
    print("k2_weights_only.h5, k2_weights_only.weights.h5, k2_to_json.json")

    # CuDNN layers: made and saved on a CPU, never run; Keras's own conversion to LSTM /
    # GRU(reset_after=True) gives the reference outputs.
    from tf_keras.src.layers.rnn.cudnn_gru import CuDNNGRU
    from tf_keras.src.layers.rnn.cudnn_lstm import CuDNNLSTM
    for name, cudnn, plain in (("k2_cudnn_lstm", CuDNNLSTM, lambda: L.LSTM(5)),
                               ("k2_cudnn_gru", CuDNNGRU,
                                lambda: L.GRU(5, reset_after=True,
                                              recurrent_activation="sigmoid"))):
        m = k2.Sequential([L.Embedding(20, 6, name="emb"), cudnn(5, name="rnn"),
                           L.Dense(2, name="out")])
        m.build((None, 9))
        randomize(m)
        m.save(HERE / f"{name}.h5")
        legacy = HERE / f"{name}_weights.h5"
        m.save_weights(legacy)
        twin = k2.Sequential([L.Embedding(20, 6, name="emb"), plain(), L.Dense(2, name="out")])
        twin.build((None, 9))
        twin.load_weights(legacy)  # tf.keras converts the CuDNN layout
        legacy.unlink()
        x = tokens(pad=False)
        np.savez_compressed(HERE / f"{name}.npz", x=x, y=twin.predict(x, verbose=0))
        print(f"{name}.h5")


# ---------------------------------------------------------------------------- Keras 3

def keras3_cases():
    L = k3.layers
    cases = {}
    m = k3.Sequential([k3.Input(shape=(9,), dtype="int32"), L.Embedding(20, 8, mask_zero=True),
                       L.GRU(6, return_sequences=True), L.LSTM(4),
                       L.Dense(2, activation="softmax")])
    cases["k3_gru_lstm_mask"] = (m, tokens())
    m = k3.Sequential([k3.Input(shape=(9,), dtype="int32"), L.Embedding(20, 6, mask_zero=True),
                       L.Bidirectional(L.GRU(4, reset_after=False, return_sequences=True),
                                       merge_mode="ave"),
                       L.Bidirectional(L.LSTM(3), merge_mode="concat"), L.Dense(2)])
    cases["k3_bidirectional"] = (m, tokens())
    m = k3.Sequential([k3.Input(shape=(7, 3)),
                       L.LSTM(5, recurrent_activation="hard_sigmoid", return_sequences=True),
                       L.SimpleRNN(4, activation="relu", return_sequences=True),
                       L.TimeDistributed(L.Dense(2, activation="hard_sigmoid"))])
    cases["k3_hard_sigmoid"] = (m, floats(scale=3.0))
    m = k3.Sequential([k3.Input(shape=(12,), dtype="int32"), L.Embedding(20, 8),
                       L.Conv1D(6, 3, padding="causal", activation="relu"),
                       L.MaxPooling1D(2), L.GRU(4, return_sequences=True),
                       L.GlobalAveragePooling1D(), L.Dense(1, activation="sigmoid")])
    cases["k3_conv_gru"] = (m, tokens(length=12, pad=False))
    m = k3.Sequential([k3.Input(shape=(9,), dtype="int32"), L.Embedding(20, 6, mask_zero=True),
                       L.Dense(4, activation="tanh"), L.GlobalMaxPooling1D(), L.Dense(2)])
    cases["k3_mask_max"] = (m, tokens())
    x = floats()
    x[0, :3] = -1.0
    x[2, -2:] = -1.0
    series = k3.Input(shape=(7, 3), name="series")
    hidden = L.LSTM(4, return_sequences=True)(L.Masking(-1.0)(series))
    m = k3.Model(series, L.GRU(3)(hidden), name="masked_series")
    cases["k3_masking"] = (m, x)
    m = k3.Sequential([k3.Input(shape=(7, 3)),
                       L.RNN(L.GRUCell(4, reset_after=False), go_backwards=True),
                       L.Dense(2)])
    cases["k3_rnn_cell"] = (m, floats())
    # a recurrent layer inside TimeDistributed: rows of a 4-D input, then over the rows
    m = k3.Sequential([k3.Input(shape=(4, 5, 3)), L.TimeDistributed(L.LSTM(3)), L.GRU(2)])
    cases["k3_hierarchical"] = (m, RNG.normal(size=(3, 4, 5, 3)).astype(np.float32))
    enc_in = k3.Input(shape=(None,), dtype="int32", name="source")
    dec_in = k3.Input(shape=(None,), dtype="int32", name="target")
    enc = L.Embedding(20, 6, mask_zero=True, name="source_embedding")(enc_in)
    _, h, c = L.LSTM(5, return_state=True, name="encoder")(enc)
    dec = L.Embedding(15, 6, name="target_embedding")(dec_in)
    dec = L.LSTM(5, return_sequences=True, name="decoder")(dec, initial_state=[h, c])
    added = L.Add()([L.Dense(5, name="project")(h), c])
    out = L.Dense(3, activation="softmax", name="head")(added)
    seq = L.Dense(15, activation="softmax", name="tokens")(dec)
    m = k3.Model([enc_in, dec_in], [seq, out], name="encoder_decoder")
    cases["k3_functional"] = (m, [tokens(), tokens(length=6, vocabulary=15, pad=False)])
    left = k3.Input(shape=(9,), dtype="int32", name="left")
    right = k3.Input(shape=(9,), dtype="int32", name="right")
    embed, encode = L.Embedding(20, 5, mask_zero=True), L.Bidirectional(L.LSTM(3))
    joined = L.Concatenate()([encode(embed(left)), encode(embed(right))])
    m = k3.Model([left, right], L.Dense(2, activation="softmax")(joined), name="siamese")
    cases["k3_shared"] = (m, [tokens(), tokens()])
    return cases


def reshaping_cases():
    """``k2_reshaping_bn.h5`` / ``k3_reshaping_bn.keras``: Conv1D -> BatchNormalization
    (moving statistics set away from 0/1) -> LeakyReLU -> ZeroPadding1D -> Cropping1D ->
    UpSampling1D -> Permute -> Reshape -> GaussianNoise -> GRU -> Dense, the same weights
    in both Keras versions."""
    x = floats(batch=4, length=12, features=6)

    def build(keras, leaky):
        layers = keras.layers
        inputs = keras.Input(shape=(12, 6))
        h = layers.BatchNormalization()(layers.Conv1D(8, 3, padding="same")(inputs))
        h = layers.ZeroPadding1D(2)(leaky(layers)(h))
        h = layers.UpSampling1D(2)(layers.Cropping1D((1, 2))(h))
        h = layers.Reshape((8, -1))(layers.Permute((2, 1))(h))
        h = layers.GRU(5)(layers.GaussianNoise(0.1)(h))
        return keras.Model(inputs, layers.Dense(2)(h))

    old = build(k2, lambda layers: layers.LeakyReLU(alpha=0.2))
    randomize(old)
    norm = next(layer for layer in old.layers if "batch" in layer.name)
    norm.set_weights([RNG.normal(size=8) + 1, RNG.normal(size=8), RNG.normal(size=8),
                      RNG.uniform(0.5, 2, size=8)])
    old.compile(optimizer="adam", loss="mse")
    save("k2_reshaping_bn", old, x, [".h5"])
    new = build(k3, lambda layers: layers.LeakyReLU(negative_slope=0.2))
    new.set_weights(old.get_weights())
    new.compile(optimizer="adam", loss="mse")
    save("k3_reshaping_bn", new, x, [".keras"])


def main():
    compile_settings = {  # a few other compile settings than mse / adam
        "k2_functional": dict(optimizer=k2.optimizers.RMSprop(learning_rate=0.01),
                              loss=["sparse_categorical_crossentropy",
                                    "categorical_crossentropy"], metrics=["accuracy"]),
        "k2_shared": dict(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"]),
        "k3_shared": dict(optimizer=k3.optimizers.Adam(learning_rate=0.002),
                          loss=k3.losses.CategoricalCrossentropy(label_smoothing=0.1),
                          metrics=["accuracy"])}
    for name, (model, x) in keras2_cases().items():
        randomize(model)
        model.compile(**compile_settings.get(name, dict(optimizer="adam", loss="mse")))
        # tf.keras >= 2.13 also writes .keras files (keras_version 2.x: Keras 2's hard_sigmoid)
        save(name, model, x, [".h5"] + ([".keras"] if name == "k2_hard_sigmoid" else []))
    keras2_extras()
    for name, (model, x) in keras3_cases().items():
        if name == "k3_bidirectional":
            (HERE / "k3_to_json.json").write_text(model.to_json())
        randomize(model)
        model.compile(**compile_settings.get(name, dict(optimizer="adam", loss="mse")))
        # the .h5 Keras 3 writes (legacy format, keras_version 3.x): hard_sigmoid is Keras 3's
        save(name, model, x, [".keras"] + ([".h5"] if name == "k3_hard_sigmoid" else []))
    reshaping_cases()
    sizes = {p.name: p.stat().st_size for p in sorted(HERE.iterdir()) if p.suffix != ".py"}
    print(json.dumps(sizes, indent=1))


if __name__ == "__main__":
    main()
