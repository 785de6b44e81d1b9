"""Masking: steps whose features all equal mask_value are padding (Keras's Masking)."""
import numpy as np
import torch

from seqlab.layers import LSTM, Masking
from seqlab.models import Sequential


def test_masked_steps_are_zeroed_and_carry_the_mask():
    x = torch.tensor([[[-1.0, -1.0], [1.0, -1.0], [2.0, 3.0]]])
    y = Masking(-1.0)(x)
    np.testing.assert_array_equal(y.numpy(), [[[0, 0], [1, -1], [2, 3]]])
    np.testing.assert_array_equal(y._keras_mask.numpy(), [[False, True, True]])


def test_an_lstm_after_masking_sees_only_the_real_steps():
    torch.manual_seed(0)
    real = torch.randn(1, 4, 3)
    padded = torch.cat([torch.zeros(1, 2, 3), real], dim=1)  # 'pre' padding
    model = Sequential([Masking(0.0), LSTM(5)])
    model.build((None, None, 3))
    plain = Sequential([LSTM(5)])
    plain.build((None, None, 3))
    plain.set_weights(model.get_weights())
    np.testing.assert_allclose(model.predict(padded, verbose=0), plain.predict(real, verbose=0),
                               atol=1e-6)
