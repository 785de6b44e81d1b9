"""1-D convolution and pooling over time, channels last: inputs are ``(batch, time, channels)``.

Padding as Keras/TensorFlow compute it, for kernel ``k``, stride ``s``, dilation ``d``:

* ``valid``: none; output length ``floor((T - d (k - 1) - 1) / s) + 1``;
* ``same``: output length ``ceil(T / s)``; ``total = max((ceil(T/s) - 1) s + d (k - 1) + 1 - T, 0)``
  split with ``total // 2`` on the left and the rest on the right;
* ``causal``: ``d (k - 1)`` zeros on the left, so step ``t`` only sees steps ``<= t``.

Masks: Conv1D keeps the time mask when the output has one step per input step
(``same``/``causal`` with stride 1) and drops it otherwise; poolings over windows drop
it. The global poolings use it: masked steps are left out of the mean and the max (an
improvement on Keras, whose max ignores the mask); a row with no real step gives 0.
The global poolings also take ``data_format='channels_first'`` (``(batch, channels,
time)``), as Keras's do; the other layers here are channels-last only.
``masking=False`` on Conv1D and GlobalMaxPooling1D gives Keras's behaviour (Conv1D drops
the mask, the max reads every step), as a model loaded from a Keras file needs.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from . import activations
from ._base import Layer, check_features, known_features

_PADDINGS = ("valid", "same", "causal")


def _check(layer, padding, allowed, data_format):
    if padding not in allowed:
        raise ValueError(f"{layer}: padding must be one of {', '.join(map(repr, allowed))}, "
                         f"got {padding!r}")
    if data_format != "channels_last":
        raise ValueError(f"{layer}: only data_format='channels_last' (batch, time, channels) is "
                         f"supported, got {data_format!r}")


def _output_length(length, window, stride, padding, dilation=1):
    """Keras's output length of a window over `length` steps (None stays None)."""
    if length is None:
        return None
    if padding == "same":
        return math.ceil(length / stride)
    if padding == "causal":
        length += dilation * (window - 1)
    return max((length - dilation * (window - 1) - 1) // stride + 1, 0)


def _same_padding(length, window, stride, dilation=1):
    total = max((math.ceil(length / stride) - 1) * stride + dilation * (window - 1) + 1 - length, 0)
    return total // 2, total - total // 2


class Conv1D(Layer):
    """``y[t] = activation(sum_j x[t s + j d] @ kernel[j] + bias)``.

    Weights: ``kernel (kernel_size, in_channels, filters)``, ``bias (filters,)``.
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 masking=True, **kwargs):
        super().__init__(**kwargs)
        _check("Conv1D", padding, _PADDINGS, data_format)
        self.masking = bool(masking)
        self.filters = filters
        self.kernel_size = _single(kernel_size, "kernel_size")
        self.strides = _single(strides, "strides")
        self.dilation_rate = _single(dilation_rate, "dilation_rate")
        if self.strides > 1 and self.dilation_rate > 1:
            raise ValueError("Conv1D: strides > 1 with dilation_rate > 1 is not supported (as Keras)")
        self.padding = padding
        self.groups = groups
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer

    def build(self, input_shape):
        channels = known_features(self, input_shape)
        if channels % self.groups or self.filters % self.groups:
            raise ValueError(f"Conv1D: groups={self.groups} must divide the input channels "
                             f"({channels}) and filters ({self.filters})")
        self.add_weight("kernel", (self.kernel_size, channels // self.groups, self.filters),
                        self.kernel_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer)

    def call(self, inputs):
        check_features(self, inputs, self.kernel.shape[1] * self.groups, ndim=3)
        x = inputs.transpose(1, 2)  # (B, C, T), torch's layout
        reach = self.dilation_rate * (self.kernel_size - 1)
        if self.padding == "causal":
            x = F.pad(x, (reach, 0))
        elif self.padding == "same":
            x = F.pad(x, _same_padding(x.shape[-1], self.kernel_size, self.strides,
                                       self.dilation_rate))
        weight = self.kernel.permute(2, 1, 0)  # (filters, in/groups, k)
        y = F.conv1d(x, weight, self.bias if self.use_bias else None, stride=self.strides,
                     dilation=self.dilation_rate, groups=self.groups)
        return self.activation(y.transpose(1, 2))

    def compute_mask(self, inputs, mask=None):
        keeps_length = self.padding in ("same", "causal") and self.strides == 1
        return mask if keeps_length and self.masking else None

    def compute_output_shape(self, input_shape):
        length = _output_length(input_shape[1], self.kernel_size, self.strides, self.padding,
                                self.dilation_rate)
        return (input_shape[0], length, self.filters)


class _Pooling1D(Layer):
    def __init__(self, pool_size=2, strides=None, padding="valid", data_format="channels_last",
                 **kwargs):
        super().__init__(**kwargs)
        _check(type(self).__name__, padding, ("valid", "same"), data_format)
        self.pool_size = _single(pool_size, "pool_size")
        self.strides = _single(strides if strides is not None else pool_size, "strides")
        self.padding = padding

    def _padding(self, length):
        if self.padding == "valid":
            return 0, 0
        return _same_padding(length, self.pool_size, self.strides)

    def compute_output_shape(self, input_shape):
        length = _output_length(input_shape[1], self.pool_size, self.strides, self.padding)
        return (input_shape[0], length, input_shape[2])


class MaxPooling1D(_Pooling1D):
    """Maximum over windows of ``pool_size`` steps (stride defaults to ``pool_size``)."""

    def call(self, inputs):
        x = inputs.transpose(1, 2)
        x = F.pad(x, self._padding(x.shape[-1]), value=float("-inf"))
        return F.max_pool1d(x, self.pool_size, self.strides).transpose(1, 2)


class AveragePooling1D(_Pooling1D):
    """Mean over windows; with ``padding='same'`` padded positions are not counted (as TF)."""

    def call(self, inputs):
        x = inputs.transpose(1, 2)
        padding = self._padding(x.shape[-1])
        sums = F.avg_pool1d(F.pad(x, padding), self.pool_size, self.strides) * self.pool_size
        ones = F.pad(torch.ones_like(x[:1, :1]), padding)
        counts = F.avg_pool1d(ones, self.pool_size, self.strides) * self.pool_size
        return (sums / counts).transpose(1, 2)


class _GlobalPooling1D(Layer):
    """Pooling over the whole time axis: axis 1 for ``channels_last`` ``(batch, time, C)``,
    axis 2 for ``channels_first`` ``(batch, C, time)``; ``(batch, C)`` out, or with
    ``keepdims`` the time axis kept with size 1. The time mask is ``(batch, time)``."""

    def __init__(self, data_format="channels_last", keepdims=False, **kwargs):
        super().__init__(**kwargs)
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"{type(self).__name__}: data_format must be 'channels_last' or "
                             f"'channels_first', got {data_format!r}")
        self.data_format = data_format
        self.keepdims = keepdims

    @property
    def _steps_axis(self):
        return 1 if self.data_format == "channels_last" else 2

    def _mask_for(self, inputs, mask):
        """The (batch, time) mask shaped to broadcast against `inputs`."""
        return mask.unsqueeze(-1 if self.data_format == "channels_last" else 1)

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        if self.keepdims:
            shape[self._steps_axis] = 1
        else:
            del shape[self._steps_axis]
        return tuple(shape)


class GlobalAveragePooling1D(_GlobalPooling1D):
    """Mean over time of the unmasked steps. Integer inputs are cast to the layer's float
    dtype first, as Keras does."""

    def call(self, inputs, mask=None):
        if not inputs.is_floating_point():
            inputs = inputs.to(self.compute_dtype)
        axis = self._steps_axis
        if mask is None:
            return inputs.mean(dim=axis, keepdim=self.keepdims)
        weights = self._mask_for(inputs, mask).to(inputs.dtype)
        total = (inputs * weights).sum(dim=axis, keepdim=self.keepdims)
        count = weights.sum(dim=axis, keepdim=self.keepdims).clamp(min=1.0)  # all-padding rows: 0
        return total / count


class GlobalMaxPooling1D(_GlobalPooling1D):
    """Maximum over time of the unmasked steps (integer inputs stay integers)."""

    _keeps_dtype = True

    def __init__(self, data_format="channels_last", keepdims=False, masking=True, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.masking = bool(masking)

    def call(self, inputs, mask=None):
        axis = self._steps_axis
        if mask is None or not self.masking:
            return inputs.amax(dim=axis, keepdim=self.keepdims)
        real = self._mask_for(inputs, mask)
        lowest = float("-inf") if inputs.is_floating_point() else torch.iinfo(inputs.dtype).min
        peak = inputs.masked_fill(~real, lowest).amax(dim=axis, keepdim=self.keepdims)
        has_real = real.any(dim=axis, keepdim=self.keepdims)
        return torch.where(has_real, peak, torch.zeros_like(peak))


def _single(value, name):
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"{name} must be an int or a 1-tuple, got {value!r}")
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value
