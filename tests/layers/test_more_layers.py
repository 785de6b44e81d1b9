"""Masking, SpatialDropout1D, BatchNormalization, Lambda, Reshape, Permute, ZeroPadding1D,
UpSampling1D, Cropping1D, GaussianNoise, LeakyReLU, channels_first global poolings:
Keras's arguments, defaults and numbers (golden values by hand or NumPy)."""
import numpy as np
import pytest
import torch

import seqlab.layers as L
from seqlab.models import Model, Sequential


def test_masking_marks_steps_of_mask_value_and_recurrent_layers_skip_them():
    x = np.array([[[0, 0], [1, 2], [3, 4]], [[5, 6], [0, 0], [7, 8]]], dtype=np.float32)
    masking = L.Masking(mask_value=0.0)
    out = masking(torch.tensor(x))
    assert torch.equal(out._keras_mask, torch.tensor([[False, True, True], [True, False, True]]))
    np.testing.assert_array_equal(out.numpy(), x)
    assert torch.equal(L.Masking(mask_value=1.0)(torch.tensor([[[1.0, 1.0], [1.0, 2.0]]])),
                       torch.tensor([[[0.0, 0.0], [1.0, 2.0]]]))
    # Keras's documented use: an LSTM after Masking ignores the padded steps.
    lstm = L.LSTM(3)
    model = Sequential([L.Input((3, 2)), masking, lstm])
    np.testing.assert_allclose(model.predict(x[:1], verbose=0),
                               lstm(torch.tensor(x[:1, 1:])).detach().numpy(), rtol=1e-6)


def test_spatial_dropout_drops_whole_channels():
    torch.manual_seed(0)
    layer = L.SpatialDropout1D(0.5)
    x = torch.ones(64, 10, 8)
    out = layer(x, training=True)
    per_channel = out.amax(dim=1)
    assert torch.equal(out, per_channel.unsqueeze(1).expand_as(out))  # the same for every step
    assert set(out.unique().tolist()) == {0.0, 2.0}
    assert 0.4 < (per_channel == 0).float().mean() < 0.6
    assert torch.equal(layer(x, training=False), x)
    assert layer.get_config()["rate"] == 0.5
    with pytest.raises(ValueError, match=r"expects \(batch, time, channels\)"):
        layer(torch.ones(2, 3), training=True)


def _bn_reference(x, gamma, beta, mean, var, epsilon=1e-3):
    return gamma * (x - mean) / np.sqrt(var + epsilon) + beta


def test_batch_normalization_training_inference_and_moving_statistics():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, size=(6, 4, 3))
    layer = L.BatchNormalization(dtype="float64")
    assert (layer.momentum, layer.epsilon) == (0.99, 1e-3)
    train_out = layer(torch.tensor(x), training=True).detach().numpy()
    mean, var = x.mean(axis=(0, 1)), x.var(axis=(0, 1))  # biased variance, as Keras
    np.testing.assert_allclose(train_out, _bn_reference(x, 1, 0, mean, var), rtol=1e-12)
    gamma, beta, moving_mean, moving_var = layer.get_weights()
    np.testing.assert_allclose(moving_mean, 0.01 * mean, rtol=1e-12)
    np.testing.assert_allclose(moving_var, 0.99 + 0.01 * var, rtol=1e-12)
    assert [n for n, _ in layer.named_parameters()] == ["gamma", "beta", "moving_mean",
                                                       "moving_variance"]
    assert len(layer.trainable_weights) == 2 and len(layer.non_trainable_weights) == 2
    test_out = layer(torch.tensor(x), training=False).detach().numpy()
    np.testing.assert_allclose(test_out, _bn_reference(x, gamma, beta, moving_mean, moving_var),
                               rtol=1e-12)
    np.testing.assert_array_equal(layer.get_weights()[2], moving_mean)  # inference: no update
    layer.trainable = False  # frozen: inference mode even in training, as Keras
    frozen = layer(torch.tensor(x), training=True).detach().numpy()
    np.testing.assert_allclose(frozen, test_out, rtol=1e-12)
    layer.trainable = True
    assert [p.requires_grad for p in layer.parameters()] == [True, True, False, False]


def test_batch_normalization_counts_only_real_steps_under_a_mask():
    x = np.arange(2 * 3 * 2, dtype=np.float64).reshape(2, 3, 2)
    mask = np.array([[True, True, False], [False, True, True]])
    layer = L.BatchNormalization(momentum=0.0, dtype="float64")
    layer(torch.tensor(x), mask=torch.tensor(mask), training=True)
    real = x[mask]  # (4, 2)
    count = len(real) + 1e-7  # Keras adds backend.epsilon() to the count
    mean = real.sum(0) / count
    np.testing.assert_allclose(layer.moving_mean.detach().numpy(), mean, rtol=1e-12)
    np.testing.assert_allclose(layer.moving_variance.detach().numpy(),
                               ((real - mean) ** 2).sum(0) / count, rtol=1e-12)


def test_batch_normalization_gradients_and_parameter_count(capsys):
    layer = L.BatchNormalization(dtype="float64")
    x = torch.randn(5, 4, 3, dtype=torch.float64, requires_grad=True)
    layer(x, training=True)
    assert torch.autograd.gradcheck(lambda v, g, b: _bn_call(layer, v, g, b),
                                    (x, layer.gamma, layer.beta))
    model = Sequential([L.Input((None, 6)), L.BatchNormalization(), L.Dense(1)])
    model.summary()
    text = capsys.readouterr().out
    assert "24" in text and "Non-trainable params: 12" in text  # as Keras's summary


def _bn_call(layer, x, gamma, beta):
    mean = x.mean(dim=(0, 1), keepdim=True)
    var = (x - mean).square().mean(dim=(0, 1), keepdim=True)
    expected = (x - mean) / torch.sqrt(var + 1e-3) * gamma + beta
    got = layer(x, training=True)
    torch.testing.assert_close(got, expected)
    return got


def test_lambda_runs_a_python_function(tmp_path):
    layer = L.Lambda(lambda x, scale: x * scale, arguments={"scale": 3.0})
    assert torch.equal(layer(torch.ones(2, 2)), torch.full((2, 2), 3.0))
    inputs = L.Input((None, 4))
    last = L.Lambda(lambda x: x[:, -1])(inputs)
    model = Model(inputs, L.Dense(1)(last))
    assert model(torch.randn(2, 5, 4)).shape == (2, 1)
    with pytest.raises(ValueError, match="Cannot save"):
        model.save(tmp_path / "lambda.safetensors")
    keep = L.Lambda(lambda x: x + 1, mask=lambda inputs, mask: mask)
    x = torch.zeros(1, 2, 3)
    x._keras_mask = torch.tensor([[True, False]])
    assert torch.equal(keep(x)._keras_mask, x._keras_mask)
    assert not hasattr(L.Lambda(lambda x: x + 1)(x), "_keras_mask")
    with pytest.raises(TypeError, match="Lambda takes a function"):
        L.Lambda("x * 2")


def test_reshape_and_permute():
    x = torch.arange(24.0).reshape(2, 3, 4)
    assert L.Reshape((4, 3))(x).shape == (2, 4, 3)
    assert torch.equal(L.Reshape((-1,))(x), x.reshape(2, 12))
    assert L.Reshape((2, -1))(x).shape == (2, 2, 6)
    with pytest.raises(ValueError, match="cannot reshape inputs of shape"):
        L.Reshape((5,))(x)
    with pytest.raises(ValueError, match="at most one -1"):
        L.Reshape((-1, -1))
    assert torch.equal(L.Permute((2, 1))(x), x.transpose(1, 2))
    with pytest.raises(ValueError, match="permutation of 1..2"):
        L.Permute((0, 1))
    assert L.Reshape((2, 2)).compute_output_shape((None, 4)) == (None, 2, 2)


def test_zero_padding_upsampling_cropping():
    x = torch.tensor([[[1.0], [2.0], [3.0]]])
    assert L.ZeroPadding1D(1)(x)[0, :, 0].tolist() == [0, 1, 2, 3, 0]
    assert L.ZeroPadding1D((2, 0))(x)[0, :, 0].tolist() == [0, 0, 1, 2, 3]
    channels_first = L.ZeroPadding1D((0, 1), data_format="channels_first")
    assert channels_first(x.transpose(1, 2))[0, 0].tolist() == [1, 2, 3, 0]
    assert L.UpSampling1D(2)(x)[0, :, 0].tolist() == [1, 1, 2, 2, 3, 3]
    assert L.Cropping1D((1, 1))(x)[0, :, 0].tolist() == [2]
    assert L.Cropping1D(0)(x).shape == (1, 3, 1)
    with pytest.raises(ValueError, match="removes all 3 steps"):
        L.Cropping1D((2, 1))(x)
    ints = torch.tensor([[[1], [2]]])
    assert L.UpSampling1D(2)(ints).dtype == torch.int64


def test_gaussian_noise_only_in_training():
    torch.manual_seed(0)
    layer = L.GaussianNoise(0.5)
    x = torch.zeros(200, 100)
    noisy = layer(x, training=True)
    assert abs(noisy.std().item() - 0.5) < 0.01 and abs(noisy.mean().item()) < 0.01
    assert torch.equal(layer(x, training=False), x)


def test_leaky_relu_keras_2_and_keras_3_arguments():
    x = torch.tensor([-2.0, 0.0, 3.0])
    assert L.LeakyReLU()(x).tolist() == pytest.approx([-0.6, 0.0, 3.0])  # default 0.3
    assert L.LeakyReLU(alpha=0.1)(x).tolist() == pytest.approx([-0.2, 0.0, 3.0])
    assert L.LeakyReLU(negative_slope=0.5).alpha == 0.5
    with pytest.raises(ValueError, match="both negative_slope"):
        L.LeakyReLU(negative_slope=0.1, alpha=0.2)
    restored = L.LeakyReLU.from_config(L.LeakyReLU(alpha=0.1).get_config())
    assert restored.negative_slope == 0.1


def test_global_poolings_channels_first_masks_and_integers():
    x = torch.arange(12.0).reshape(1, 3, 4)  # (batch, channels, time)
    avg = L.GlobalAveragePooling1D(data_format="channels_first")
    assert avg(x).tolist() == [[1.5, 5.5, 9.5]]
    assert avg.compute_output_shape((None, 3, 4)) == (None, 3)
    mask = torch.tensor([[True, True, False, False]])
    assert avg(x, mask=mask).tolist() == [[0.5, 4.5, 8.5]]
    assert L.GlobalMaxPooling1D(data_format="channels_first")(x).tolist() == [[3, 7, 11]]
    assert L.GlobalAveragePooling1D(data_format="channels_first", keepdims=True)(x).shape == (
        1, 3, 1)
    ints = torch.tensor([[[1, 2], [4, 7]]])  # an integer array, as Keras casts it
    mean = L.GlobalAveragePooling1D()(ints)
    assert mean.dtype == torch.float32 and mean.tolist() == [[2.5, 4.5]]
    with pytest.raises(ValueError, match="data_format must be"):
        L.GlobalAveragePooling1D(data_format="channels_middle")


@pytest.mark.parametrize("pooling", [L.GlobalAveragePooling1D, L.GlobalMaxPooling1D])
def test_channels_first_global_poolings_export_to_onnx(pooling, tmp_path):
    """export_onnx reduces the time axis the layer reduces (axis 2 for channels_first)."""
    onnxruntime = pytest.importorskip("onnxruntime")
    from seqlab.models import export_onnx

    model = Sequential([L.Input((3, 5)), pooling(data_format="channels_first"), L.Dense(2)])
    x = np.random.default_rng(0).normal(size=(4, 3, 5)).astype(np.float32)
    expected = model.predict(x, verbose=0)
    export_onnx(model, tmp_path / "m.onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "m.onnx"),
                                           providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
