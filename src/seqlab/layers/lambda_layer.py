"""``Lambda``: a Python callable as a layer, for the small computations course code writes
inline (``Lambda(lambda x: x[:, -1])``)."""
from __future__ import annotations

import inspect

from ._base import Layer


class Lambda(Layer):
    """``outputs = function(inputs, **arguments)`` (also given ``mask=`` and ``training=``
    when the function takes them, as in Keras).

    ``output_shape``: the output shape without the batch axis, or a function of the
    input shape (batch included) returning the output shape; without it the shape is
    found by tracing the function (see ``seqlab.layers._symbolic``). ``mask``: a
    function ``(inputs, mask) -> mask``, or a fixed mask, for the output (default none).

    A Lambda holds code: a model with one is never written to a file with its function
    (``model.save`` refuses it; save the weights and rebuild the model in code), and no
    file is ever turned back into a function.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda takes a function, got {type(function).__name__} "
                            f"{function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):  # some builtins have no signature
            parameters = {}
        self._takes_mask = "mask" in parameters
        self._takes_training = "training" in parameters

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._takes_mask:
            kwargs["mask"] = mask
        if self._takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_spec(self, inputs, *args, **kwargs):
        if self._output_shape is None:
            return traced_spec(self, (inputs, *args), kwargs)
        return super().compute_output_spec(inputs, *args, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            raise ValueError(f"{self.name}: give Lambda an output_shape= to state its output "
                             "shape without tracing the function")
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch = input_shape[0] if isinstance(input_shape, tuple) else input_shape[0][0]
        return (batch,) + tuple(self._output_shape)


from ._symbolic import traced_spec  # noqa: E402 (builds on Layer)
