"""Embedding, Dense, Dropout, Activation, Flatten, RepeatVector, TimeDistributed, Conv1D and
the poolings, against the oracle and by hand; masks through them; the course's shapes."""
import numpy as np
import pytest
import torch

from seqlab.layers import (
    LSTM,
    Activation,
    AveragePooling1D,
    Bidirectional,
    Conv1D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    MaxPooling1D,
    RepeatVector,
    SimpleRNN,
    TimeDistributed,
)
from tests.layers import keras_reference as ref

rng = np.random.default_rng(0)


# ------------------------------------------------------------------ shapes and counts

def test_course_shapes():
    assert Embedding(64, 100)(np.array([[1, 2, 3]])).shape == (1, 3, 100)
    assert Embedding(64, 100, input_shape=(3,)).embeddings.shape == (64, 100)
    rnn = SimpleRNN(64, return_sequences=True, use_bias=False)
    assert rnn(torch.randn(1, 5, 100)).shape == (1, 5, 64)
    assert [w.shape for w in rnn.get_weights()] == [(100, 64), (64, 64)]
    lstm = LSTM(64, use_bias=False)
    lstm(torch.randn(1, 5, 100))
    assert [w.shape for w in lstm.get_weights()] == [(100, 256), (64, 256)]
    assert Bidirectional(SimpleRNN(64, return_sequences=True))(torch.randn(1, 5, 100)).shape == (
        1, 5, 128)


def test_course_model_parameter_count():
    layers = [Embedding(10000, 16), Dropout(0.2), Bidirectional(LSTM(64, return_sequences=True)),
              Dropout(0.2), Bidirectional(LSTM(32)), Dropout(0.2), Dense(64, activation="relu"),
              Dense(1)]
    x = torch.randint(1, 10000, (2, 7))
    for layer in layers:
        x = layer(x)
    counts = [layer.count_params() for layer in layers]
    assert counts == [160000, 0, 41472, 0, 41216, 0, 4160, 65]
    assert sum(counts) == 246913


def test_gru_parameter_counts():
    from seqlab.layers import GRU
    for reset_after, expected in ((True, 6336), (False, 6240)):
        layer = GRU(32, reset_after=reset_after, input_shape=(None, 32))
        assert layer.count_params() == expected


# ------------------------------------------------------------------------- Embedding

def test_embedding_lookup_and_mask():
    layer = Embedding(10, 4, mask_zero=True)
    indices = np.array([[0, 3, 9], [2, 0, 0]])
    out = layer(indices)
    np.testing.assert_array_equal(out.detach().numpy(),
                                  ref.embedding(indices, layer.get_weights()[0]))
    assert torch.equal(out._keras_mask, torch.tensor([[False, True, True], [True, False, False]]))
    assert not hasattr(Embedding(10, 4)(indices), "_keras_mask")
    weights = layer.get_weights()[0]
    assert weights.min() >= -0.05 and weights.max() <= 0.05  # Keras's uniform(-0.05, 0.05)


@pytest.mark.parametrize("bad, message", [
    ([[1, 10]], r"got index 10 at position \(0, 1\), but input_dim is 10"),
    ([[-1, 2]], r"got index -1 at position \(0, 0\)"),
])
def test_embedding_rejects_out_of_range(bad, message):
    with pytest.raises(IndexError, match=message + ".*tokenizer.vocab_size"):
        Embedding(10, 4)(np.array(bad))


def test_embedding_floats_and_frozen_weights():
    layer = Embedding(5, 2, weights=[np.arange(10.0).reshape(5, 2)], trainable=False)
    np.testing.assert_array_equal(layer(np.array([[4.0, 1.0]])).numpy(), [[[8, 9], [2, 3]]])
    assert not layer.embeddings.requires_grad and layer.trainable_weights == []
    with pytest.raises(TypeError, match="non-integer index 1.5"):
        layer(np.array([[1.5]]))
    with pytest.raises(ValueError, match="input_dim must be a positive int"):
        Embedding(0, 3)


def test_embedding_gradient_sums_the_rows_of_repeated_indices():
    """The CPU lookup's own backward (one index_add_) against torch's embedding, on
    repeated indices and 1-, 2- and 3-D index tensors; gradcheck in float64."""
    layer = Embedding(7, 3, dtype="float64")
    for shape in [(5,), (4, 6), (2, 3, 4)]:
        indices = torch.randint(0, 7, shape)
        layer.zero_grad()
        weights = torch.randn(*shape, 3, dtype=torch.float64)
        (layer(indices) * weights).sum().backward()
        reference = layer.embeddings.detach().clone().requires_grad_(True)
        (torch.nn.functional.embedding(indices, reference) * weights).sum().backward()
        torch.testing.assert_close(layer.embeddings.grad, reference.grad, rtol=0, atol=0)
    assert torch.autograd.gradcheck(
        lambda table: torch.func.functional_call(layer, {"embeddings": table}, (indices,)),
        (layer.embeddings.detach().clone().requires_grad_(True),))


# ------------------------------------------------------------------------ core layers

def test_dense_any_rank_and_activation():
    layer = Dense(3, activation="relu", dtype="float64")
    x = rng.normal(size=(2, 4, 5))
    out = layer(torch.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), ref.dense(x, *layer.get_weights(), "relu"))
    assert [w.shape for w in layer.get_weights()] == [(5, 3), (3,)]


def test_dropout_is_inverted_and_only_in_training():
    layer = Dropout(0.25)
    x = torch.ones(200, 200)
    out = layer(x, training=True)
    kept = out != 0
    assert abs(kept.float().mean().item() - 0.75) < 0.01
    assert torch.allclose(out[kept], torch.tensor(1 / 0.75))
    assert torch.equal(layer(x, training=False), x)
    layer.eval()
    assert torch.equal(layer(x), x)
    shared = Dropout(0.5, noise_shape=(None, 1, None))(torch.ones(4, 6, 3), training=True)
    assert torch.equal(shared, shared[:, :1].expand_as(shared))  # one draw along axis 1
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\)"):
        Dropout(1.0)


def test_masks_pass_through_dense_dropout_activation_timedistributed():
    mask = torch.tensor([[True, False, True]])
    x = torch.randn(1, 3, 4)
    for layer in (Dense(2), Dropout(0.5), Activation("tanh"), TimeDistributed(Dense(2))):
        assert torch.equal(layer(x, mask=mask)._keras_mask, mask), layer
    assert not hasattr(x, "_keras_mask")  # the input tensor is left alone
    for layer in (Flatten(), GlobalAveragePooling1D(), GlobalMaxPooling1D()):
        assert not hasattr(layer(x, mask=mask), "_keras_mask")


def test_flatten_repeat_and_time_distributed():
    assert Flatten()(torch.randn(2, 3, 4)).shape == (2, 12)
    repeated = RepeatVector(3)(torch.tensor([[1.0, 2.0]]))
    assert repeated.tolist() == [[[1, 2], [1, 2], [1, 2]]]
    dense = Dense(2, dtype="float64")
    layer = TimeDistributed(dense)
    x = rng.normal(size=(2, 3, 4))
    out = layer(torch.tensor(x))
    assert out.shape == (2, 3, 2) and layer.count_params() == 10
    np.testing.assert_allclose(out.detach().numpy(), ref.dense(x, *dense.get_weights()))


def test_activations_by_name():
    x = torch.linspace(-5, 5, 11, dtype=torch.float64)
    for name in ("relu", "sigmoid", "tanh", "softsign", "elu", "softplus", "hard_sigmoid",
                 "linear", "selu", "exponential"):
        np.testing.assert_allclose(Activation(name, dtype="float64")(x).numpy(),
                                   ref.get_activation(name)(x.numpy()),
                                   rtol=1e-12, err_msg=name)
    assert Activation("hard_sigmoid")(torch.tensor([-3.0, 0.0, 1.5, 3.0])).tolist() == [
        0.0, 0.5, 0.75, 1.0]  # Keras 3: x / 6 + 1/2, clipped
    with pytest.raises(ValueError, match="Unknown activation 'tanhh'"):
        Activation("tanhh")


# ----------------------------------------------------------------- Conv1D and pooling

@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
@pytest.mark.parametrize("strides, dilation", [(1, 1), (2, 1), (3, 1), (1, 2)])
def test_conv1d_matches_oracle(padding, strides, dilation):
    x = rng.normal(size=(2, 9, 3))
    layer = Conv1D(4, 3, strides=strides, padding=padding, dilation_rate=dilation,
                   activation="relu", dtype="float64")
    out = layer(torch.tensor(x))
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 3, 4)
    expected = ref.conv1d(x, kernel, bias, strides, padding, dilation)
    np.testing.assert_allclose(out.detach().numpy(), np.maximum(expected, 0), rtol=1e-10,
                               atol=1e-12)


def test_conv1d_keeps_the_mask_only_when_steps_line_up():
    x, mask = torch.randn(1, 4, 2), torch.tensor([[False, True, True, True]])
    assert torch.equal(Conv1D(3, 2, padding="causal")(x, mask=mask)._keras_mask, mask)
    assert not hasattr(Conv1D(3, 2)(x, mask=mask), "_keras_mask")
    assert not hasattr(Conv1D(3, 2, padding="same", strides=2)(x, mask=mask), "_keras_mask")


@pytest.mark.parametrize("pool, strides, padding", [(2, None, "valid"), (3, 1, "valid"),
                                                    (2, None, "same"), (3, 2, "same"),
                                                    (4, 3, "same")])
def test_pooling_matches_oracle(pool, strides, padding):
    x = rng.normal(size=(2, 7, 3))
    for layer, oracle in ((MaxPooling1D(pool, strides, padding, dtype="float64"),
                           ref.max_pooling1d),
                          (AveragePooling1D(pool, strides, padding, dtype="float64"),
                           ref.average_pooling1d)):
        np.testing.assert_allclose(layer(torch.tensor(x)).numpy(),
                                   oracle(x, pool, strides, padding), rtol=1e-12)


def test_global_pooling_uses_the_mask():
    x = rng.normal(size=(3, 4, 2))
    mask = np.array([[True, True, False, False], [False, True, True, True], [False] * 4])
    average = GlobalAveragePooling1D(dtype="float64")(torch.tensor(x), mask=torch.tensor(mask))
    np.testing.assert_allclose(average[:2].numpy(), ref.global_average_pooling1d(x, mask)[:2])
    assert average[2].tolist() == [0.0, 0.0]  # no real step: 0 (Keras gives NaN)
    peak = GlobalMaxPooling1D(dtype="float64")(torch.tensor(x), mask=torch.tensor(mask))
    np.testing.assert_allclose(peak[0].numpy(), x[0, :2].max(axis=0))
    np.testing.assert_allclose(peak[1].numpy(), x[1, 1:].max(axis=0))
    assert peak[2].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(GlobalMaxPooling1D(dtype="float64")(torch.tensor(x)).numpy(),
                               ref.global_max_pooling1d(x))
    assert GlobalAveragePooling1D(keepdims=True)(torch.randn(2, 3, 4)).shape == (2, 1, 4)


def test_conv_and_pooling_errors():
    with pytest.raises(ValueError, match="padding must be one of 'valid', 'same', 'causal'"):
        Conv1D(2, 3, padding="full")
    with pytest.raises(ValueError, match="kernel_size must be a positive int"):
        Conv1D(2, 0)
    with pytest.raises(ValueError, match="channels_last"):
        MaxPooling1D(data_format="channels_first")
