"""``keras.layers``: seqlab's layers under their Keras names (``seqlab.layers``).

Names are looked up when used, so layers seqlab gains later appear here too; a Keras
layer seqlab lacks raises an error naming the nearest seqlab layer.

One difference from ``seqlab.layers``: an activation given as ``'hard_sigmoid'`` is
Keras 2's ``0.2 x + 0.5`` (clipped), as in every Keras and tf.keras before Keras 3,
because the code that reaches seqlab through this namespace was written for it;
``seqlab.layers`` keeps Keras 3's ``x / 6 + 1 / 2``. A layer so made records
``'hard_sigmoid_keras2'`` in its config, so a saved model reloads with the same numbers.
An activation given as one of Keras's functions (``keras.activations.relu``) is recorded
by its name, so that the model can be saved.
"""
from __future__ import annotations

import functools
import inspect

from ...layers import Layer, activations
from .._lazy import namespace

_2D = "seqlab works on sequences (batch, time, features): use the 1-D layer "
_MISSING = {
    **{name: _2D + name.replace("2D", "1D").replace("3D", "1D")
       for name in ("Conv2D", "Conv3D", "MaxPooling2D", "MaxPooling3D", "AveragePooling2D",
                    "AveragePooling3D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
                    "UpSampling2D", "ZeroPadding2D", "Cropping2D", "SpatialDropout2D")},
    "MaxPool2D": _2D + "MaxPooling1D",
    "SeparableConv1D": "Conv1D (a plain convolution)",
    "DepthwiseConv1D": "Conv1D(groups=channels)",
    "Conv1DTranspose": "UpSampling1D followed by Conv1D",
    "ConvLSTM1D": "TimeDistributed(Conv1D(...)) followed by LSTM",
    "ConvLSTM2D": "TimeDistributed(Conv1D(...)) followed by LSTM",
    "CuDNNLSTM": "LSTM (it chooses its fast kernel itself)",
    "CuDNNGRU": "GRU(reset_after=False) for CuDNNGRU's weights' layout, or GRU",
    "StackedRNNCells": "several recurrent layers stacked with return_sequences=True",
    "Normalization": "seqlab.data.Standardizer (fitted on the training rows) before the model",
    "CategoryEncoding": "seqlab.keras.utils.to_categorical",
    "Hashing": "seqlab.text.hashing_trick",
    "TextVectorization": "seqlab.text.Tokenizer with pad_sequences",
    "StringLookup": "seqlab.text.Tokenizer (word_index)",
    "IntegerLookup": "a dict from values to indices, then Embedding",
    "Dot": "Multiply followed by a sum (Lambda(lambda t: t.sum(-1, keepdim=True)))",
    "ActivityRegularization": "weight_decay= on the optimizer",
    "InputSpec": "Input(shape=...)",
}


def _keras2_activations(name, value):
    """A layer class that reads ``'hard_sigmoid'`` as Keras 2's (see the module docstring)."""
    if not (isinstance(value, type) and issubclass(value, Layer)):
        return value
    signature = inspect.signature(value.__init__)
    chosen = [p for p in signature.parameters if p.endswith("activation")]
    if not chosen:
        return value

    @functools.wraps(value.__init__)
    def __init__(self, *args, **kwargs):
        bound = signature.bind_partial(self, *args, **kwargs)
        for parameter in chosen:
            given = bound.arguments.get(parameter)
            if given == "hard_sigmoid":
                bound.arguments[parameter] = "hard_sigmoid_keras2"
            elif callable(given) and activations.name_of(given):  # keras.activations.relu
                bound.arguments[parameter] = activations.name_of(given)  # saves by name
        value.__init__(*bound.args, **bound.kwargs)

    # named seqlab.keras.layers.<name>, where pickle finds it again (this module caches it)
    keras2 = type(value.__name__, (value,), {"__module__": __name__,
                                             "__qualname__": value.__name__,
                                             "__doc__": value.__doc__})
    keras2.__init__ = __init__  # set after creation: the base class records the arguments
    return keras2


__getattr__, __dir__ = namespace(__name__, ("seqlab.layers",), missing=_MISSING,
                                 resolve=_keras2_activations)

from . import experimental  # noqa: E402,F401 (keras.layers.experimental.preprocessing)
