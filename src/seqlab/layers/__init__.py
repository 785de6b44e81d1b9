"""Layers with Keras's names, arguments, weight shapes and masks, as torch modules."""
from . import activations, initializers
from ._base import Layer
from .advanced_activations import LeakyReLU
from .batch_normalization import BatchNormalization
from .attention import AdditiveAttention, Attention, MultiHeadAttention
from .cells import GRUCell, LSTMCell, SimpleRNNCell
from .conv import (
    AveragePooling1D,
    Conv1D,
    GlobalAveragePooling1D,
    GlobalMaxPooling1D,
    MaxPooling1D,
)
from .core import Activation, Dense, Dropout, Flatten, RepeatVector, TimeDistributed
from .embedding import Embedding
from .lambda_layer import Lambda
from .masking import Masking
from ._symbolic import Input, InputLayer, SymbolicTensor
from .layer_normalization import LayerNormalization
from .lookup import IntegerLookup, StringLookup
from .merge import Add, Average, Concatenate, Maximum, Multiply, Subtract
from .noise import GaussianNoise, SpatialDropout1D
from .recurrent import GRU, LSTM, RNN, SimpleRNN
from .reshaping import Cropping1D, Permute, Reshape, UpSampling1D, ZeroPadding1D
from .text_vectorization import TextVectorization
from .wrappers import Bidirectional

__all__ = [
    "AdditiveAttention",
    "Attention",
    "LayerNormalization",
    "MultiHeadAttention",
    "Add",
    "Average",
    "Concatenate",
    "Input",
    "IntegerLookup",
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
    "MaxPooling1D",
    "RepeatVector",
    "SimpleRNN",
    "SimpleRNNCell",
    "StringLookup",
    "TextVectorization",
    "TimeDistributed",
    "BatchNormalization",
    "Cropping1D",
    "GaussianNoise",
    "Lambda",
    "LeakyReLU",
    "Masking",
    "Permute",
    "Reshape",
    "SpatialDropout1D",
    "UpSampling1D",
    "ZeroPadding1D",
    "activations",
    "initializers",
]
