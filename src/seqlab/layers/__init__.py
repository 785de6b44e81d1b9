"""Layers with Keras's names, arguments, weight shapes and masks, as torch modules."""
from . import activations, initializers
from ._base import Layer
from .cells import GRUCell, LSTMCell, SimpleRNNCell
from .conv import (
    AveragePooling1D,
    Conv1D,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    MaxPooling1D,
)
from .core import Activation, Dense, Dropout, Flatten, Masking, RepeatVector, TimeDistributed
from .embedding import Embedding
from ._symbolic import Input, InputLayer, SymbolicTensor
from .merge import Add, Average, Concatenate, Maximum, Multiply, Subtract
from .recurrent import GRU, LSTM, RNN, SimpleRNN
from .wrappers import Bidirectional

__all__ = [
    "Add",
    "Average",
    "Concatenate",
    "Input",
    "InputLayer",
    "Maximum",
    "Multiply",
    "Subtract",
    "SymbolicTensor",
    "GRU",
    "LSTM",
    "RNN",
    "Activation",
    "AveragePooling1D",
    "Bidirectional",
    "Conv1D",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "GRUCell",
    "GlobalAveragePooling1D",
    "GlobalMaxPooling1D",
    "LSTMCell",
    "Layer",
    "Masking",
    "MaxPooling1D",
    "RepeatVector",
    "SimpleRNN",
    "SimpleRNNCell",
    "TimeDistributed",
    "activations",
    "initializers",
]
