"""``keras.layers.experimental`` (TF 2.2-2.5's home of the preprocessing layers)."""
from . import preprocessing  # noqa: F401
