"""``Masking``: marks the steps whose features all equal ``mask_value`` as padding."""
from __future__ import annotations

from ._base import Layer


class Masking(Layer):
    """A step is real when any of its features differs from ``mask_value``; the output is
    the input with the padded steps set to zero, carrying the ``(batch, time)`` mask that
    recurrent layers and global poolings after it use (Keras's rule)."""

    supports_masking = True
    _keeps_dtype = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def call(self, inputs):
        real = (inputs != self.mask_value).any(dim=-1, keepdim=True)
        return inputs * real.to(inputs.dtype)

    def compute_mask(self, inputs, mask=None):
        return (inputs != self.mask_value).any(dim=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
