"""Keras's initializers (by their published formulas, checked statistically on large draws)
and the weights API: get/set_weights in Keras's order, trainable, config and cloning."""
import math

import numpy as np
import pytest
import torch

from seqlab.layers import GRU, LSTM, Conv1D, Dense, Embedding, initializers

SHAPE = (400, 600)  # fan_in 400, fan_out 600


@pytest.mark.parametrize("name, kind, bound", [
    ("glorot_uniform", "uniform", math.sqrt(6 / (400 + 600))),
    ("he_uniform", "uniform", math.sqrt(6 / 400)),
    ("lecun_uniform", "uniform", math.sqrt(3 / 400)),
    ("random_uniform", "uniform", 0.05),
    ("uniform", "uniform", 0.05),
    ("glorot_normal", "truncated", math.sqrt(2 / (400 + 600))),
    ("he_normal", "truncated", math.sqrt(2 / 400)),
    ("lecun_normal", "truncated", math.sqrt(1 / 400)),
    ("random_normal", "normal", 0.05),
    ("truncated_normal", "truncated_raw", 0.05),
])
def test_distributions(name, kind, bound):
    torch.manual_seed(0)
    values = initializers.get(name)(SHAPE, torch.float64)
    assert values.shape == SHAPE and values.dtype == torch.float64
    assert abs(values.mean().item()) < 0.02 * bound
    if kind == "uniform":  # U(-b, b): bounds and standard deviation b / sqrt(3)
        assert values.abs().max().item() <= bound
        assert values.abs().max().item() > 0.999 * bound
        assert values.std().item() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    elif kind == "normal":
        assert values.std().item() == pytest.approx(bound, rel=0.01)
    else:  # the variance of the truncated draw is the target one (or stddev**2 * 0.774 raw)
        target = bound if kind == "truncated" else 0.05 * 0.87962566103423978
        assert values.std().item() == pytest.approx(target, rel=0.01)
        limit = 2 * (bound / 0.87962566103423978 if kind == "truncated" else 0.05)
        assert values.abs().max().item() <= limit + 1e-12


def test_orthogonal_and_identity():
    torch.manual_seed(0)
    for shape in ((8, 8), (8, 32), (32, 8)):
        q = initializers.get("orthogonal")(shape, torch.float64)
        small = min(shape)
        gram = q @ q.T if shape[0] <= shape[1] else q.T @ q
        torch.testing.assert_close(gram, torch.eye(small, dtype=torch.float64))
    assert torch.equal(initializers.get("identity")((2, 3)), torch.eye(2, 3))
    assert torch.equal(initializers.Constant(3)((2,)), torch.tensor([3.0, 3.0]))


def test_fans_seeds_and_names():
    assert initializers.fans((3, 10, 20)) == (30.0, 60.0)  # conv kernel: receptive field 3
    first = initializers.GlorotUniform(seed=7)((5, 5))
    assert torch.equal(first, initializers.GlorotUniform(seed=7)((5, 5)))
    assert isinstance(initializers.get("GlorotUniform"), initializers.GlorotUniform)
    assert isinstance(initializers.get("he_normal"), initializers.HeNormal)
    with pytest.raises(ValueError, match="Unknown initializer 'glorot'"):
        initializers.get("glorot")


def test_layer_defaults_are_keras_defaults():
    torch.manual_seed(0)
    lstm = LSTM(64, input_shape=(None, 300))
    kernel, recurrent, bias = lstm.get_weights()
    assert abs(kernel).max() <= math.sqrt(6 / (300 + 256))            # glorot_uniform
    assert recurrent.shape == (64, 256)
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(64), atol=1e-5)  # orthogonal rows
    np.testing.assert_array_equal(bias, np.r_[np.zeros(64), np.ones(64), np.zeros(128)])
    no_forget = LSTM(4, unit_forget_bias=False, input_shape=(None, 2))
    assert not no_forget.get_weights()[2].any()
    gru = GRU(4, input_shape=(None, 3))
    assert gru.get_weights()[2].shape == (2, 12) and not gru.get_weights()[2].any()
    conv = Conv1D(16, 5, input_shape=(None, 8))
    assert abs(conv.get_weights()[0]).max() <= math.sqrt(6 / (5 * 8 + 5 * 16))


def test_set_weights_checks_count_and_shapes():
    layer = Dense(3, input_shape=(2,))
    kernel, bias = np.arange(6.0).reshape(2, 3), np.array([1.0, 2.0, 3.0])
    layer.set_weights([kernel, bias])
    assert np.array_equal(layer.get_weights()[0], kernel)
    assert layer(torch.tensor([[1.0, 0.0]])).tolist() == [[1.0, 3.0, 5.0]]
    with pytest.raises(ValueError, match=r"got 1 arrays, expected 2 \(kernel, bias\)"):
        layer.set_weights([kernel])
    with pytest.raises(ValueError, match=r"weight 'kernel' has shape \(2, 3\), got an array of "
                                         r"shape \(3, 2\)"):
        layer.set_weights([kernel.T, bias])
    with pytest.raises(ValueError, match="no weights yet"):
        Dense(3).set_weights([kernel, bias])
    with pytest.raises(ValueError, match="not built yet"):
        Dense(3).count_params()


def test_trainable_and_config():
    layer = LSTM(4, return_sequences=True, input_shape=(None, 3), name="encoder")
    layer.trainable = False
    assert all(not p.requires_grad for p in layer.parameters()) and not layer.trainable_weights
    config = layer.get_config()
    assert config["units"] == 4 and config["return_sequences"] and config["name"] == "encoder"
    copy = LSTM.from_config({**config, "name": "copy"})
    assert copy.units == 4 and copy.return_sequences and copy.name == "copy"
    embedding = Embedding(10, 3, mask_zero=True)
    assert embedding.get_config()["mask_zero"] is True


def test_automatic_names_follow_keras():
    names = [LSTM(2).name, LSTM(2).name, Conv1D(2, 2).name]
    assert names[0].startswith("lstm") and names[1] != names[0]
    assert names[2].startswith("conv1d")
