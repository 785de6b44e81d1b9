"""``BatchNormalization``, Keras's rule and defaults."""
from __future__ import annotations

import torch

from ._base import Layer, known_features

_MASK_EPSILON = 1e-7  # Keras's backend.epsilon(), added to the masked counts


class BatchNormalization(Layer):
    """Normalizes each feature (the ``axis``, last by default) over the batch::

        y = gamma * (x - mean) / sqrt(variance + epsilon) + beta

    In training (and only while the layer is trainable, as Keras) ``mean`` and
    ``variance`` are the batch's (the biased variance, over every axis but ``axis``),
    and the moving statistics follow them::

        moving_mean     <- momentum * moving_mean     + (1 - momentum) * mean
        moving_variance <- momentum * moving_variance + (1 - momentum) * variance

    At inference (``training=False``, ``model.predict``/``evaluate``) the moving
    statistics are used. With a time mask the batch statistics count only the real steps
    (Keras 3's weighted moments); the mask passes on.

    Weights, Keras's order: ``gamma``, ``beta`` (trainable; absent without ``scale`` /
    ``center``), ``moving_mean``, ``moving_variance`` (non-trainable), each ``(features,)``.
    """

    supports_masking = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 synchronized=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"BatchNormalization: axis must be one int (the features' axis), "
                             f"got {axis!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization: momentum must be in [0, 1], got {momentum!r}")
        if epsilon <= 0:
            raise ValueError(f"BatchNormalization: epsilon must be > 0, got {epsilon!r}")
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.synchronized = synchronized  # accepted; one process has nothing to synchronize

    def build(self, input_shape):
        axis = self.axis % len(input_shape)
        if axis == 0:
            raise ValueError(f"{self.name}: axis={self.axis} is the batch axis; normalize the "
                             "features' axis (-1)")
        features = known_features(self, input_shape[:axis + 1])
        if self.scale:
            self.add_weight("gamma", (features,), self.gamma_initializer)
        if self.center:
            self.add_weight("beta", (features,), self.beta_initializer)
        self.add_weight("moving_mean", (features,), self.moving_mean_initializer,
                        trainable=False)
        self.add_weight("moving_variance", (features,), self.moving_variance_initializer,
                        trainable=False)

    def _broadcast(self, tensor, inputs):
        """A ``(features,)`` tensor shaped to broadcast along ``axis`` of `inputs`."""
        shape = [1] * inputs.dim()
        shape[self.axis % inputs.dim()] = -1
        return tensor.view(shape)

    def _moments(self, inputs, mask):
        axes = [d for d in range(inputs.dim()) if d != self.axis % inputs.dim()]
        if mask is None:
            mean = inputs.mean(dim=axes, keepdim=True)
            variance = (inputs - mean).square().mean(dim=axes, keepdim=True)
            return mean, variance
        weights = mask.to(inputs.dtype).unsqueeze(-1)  # (batch, time, 1)
        count = weights.sum(dim=axes, keepdim=True) + _MASK_EPSILON
        mean = (weights * inputs).sum(dim=axes, keepdim=True) / count
        variance = (weights * (inputs - mean).square()).sum(dim=axes, keepdim=True) / count
        return mean, variance

    def call(self, inputs, mask=None, training=None):
        if training and self.trainable:
            mean, variance = self._moments(inputs, mask)
            with torch.no_grad():
                rate = 1 - self.momentum
                self.moving_mean.mul_(self.momentum).add_(mean.detach().reshape(-1) * rate)
                self.moving_variance.mul_(self.momentum).add_(variance.detach().reshape(-1)
                                                              * rate)
        else:
            mean = self._broadcast(self.moving_mean, inputs)
            variance = self._broadcast(self.moving_variance, inputs)
        outputs = (inputs - mean) * torch.rsqrt(variance + self.epsilon)
        if self.scale:
            outputs = outputs * self._broadcast(self.gamma, inputs)
        if self.center:
            outputs = outputs + self._broadcast(self.beta, inputs)
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
