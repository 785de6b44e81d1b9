"""The forecasting architectures of the Keras book's Jena chapter, by name
(``build_forecaster``): (timesteps, features) windows in, one value out."""
from __future__ import annotations

from ..layers import (
    GRU,
    LSTM,
    Bidirectional,
    Conv1D,
    Dense,
    Dropout,
    Flatten,
    Input,
    MaxPooling1D,
)
from ..models import Sequential
from .configs import FORECASTERS

ARCHITECTURES = FORECASTERS


def build_forecaster(name, timesteps, features, units=32, dropout=0.0, recurrent_dropout=0.0):
    """A ``Sequential`` regressor with a linear ``Dense(1)`` head. `dropout` is the
    recurrent layers' input dropout and the rate of a Dropout layer before the head (the
    book's regularised models); ``[Dropout]`` is present only when ``dropout > 0``."""
    if name not in ARCHITECTURES:
        raise ValueError(f"Unknown model {name!r}; choose one of: {', '.join(ARCHITECTURES)}")
    recurrent = dict(dropout=dropout, recurrent_dropout=recurrent_dropout)
    body = {
        "dense": lambda: [Flatten(), Dense(16, activation="relu")],
        "lstm": lambda: [LSTM(units, **recurrent)],
        "gru": lambda: [GRU(units, **recurrent)],
        "stacked": lambda: [GRU(units, return_sequences=True, **recurrent),
                            GRU(units, **recurrent)],
        "bidirectional": lambda: [Bidirectional(LSTM(units, **recurrent))],
        "cnn-gru": lambda: [Conv1D(units, 5, activation="relu"), MaxPooling1D(2),
                            GRU(units, **recurrent)],
    }[name]()
    if dropout and name != "dense":
        body.append(Dropout(dropout))
    return Sequential([Input(shape=(timesteps, features)), *body, Dense(1)],
                      name=f"forecaster_{name.replace('-', '_')}")
