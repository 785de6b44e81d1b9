"""Datasets: readers for the published formats, downloads with checksums, built-in
generated data, time-series windows, and ``Dataset`` (the tf.data subset Keras
courses use).

Readers return ``LabeledTexts`` (texts, integer labels, label names), ``TextPairs``
(source and target texts) or ``TimeSeries`` (times, values, column names); nothing here
imports torch.
"""
from ._builtin import sample_reviews
from ._lines import text_lines
from ._pairs import PAIR_TASKS, TextPairs, generated_pairs, read_pairs
from ._synthetic import synthetic_reviews
from ._types import LabeledTexts, TimeSeries
from .dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset
from .dataset_utils import text_dataset_from_directory, timeseries_dataset_from_array
from .download import cache_dir, download
from .imdb import load_imdb, load_imdb_splits
from .registry import DATASETS, fetch, info
from .sarcasm import load_sarcasm
from .tables import read_labeled
from .timeseries import read_series, series_from_dataframe
from .splits import Standardizer, time_splits
from .windows import make_windows

__all__ = [
    "AUTOTUNE",
    "INFINITE_CARDINALITY",
    "UNKNOWN_CARDINALITY",
    "DATASETS",
    "Dataset",
    "LabeledTexts",
    "PAIR_TASKS",
    "Standardizer",
    "TextPairs",
    "TimeSeries",
    "cache_dir",
    "download",
    "fetch",
    "generated_pairs",
    "info",
    "load_imdb",
    "load_imdb_splits",
    "load_sarcasm",
    "make_windows",
    "read_labeled",
    "read_pairs",
    "read_series",
    "sample_reviews",
    "series_from_dataframe",
    "synthetic_reviews",
    "text_dataset_from_directory",
    "text_lines",
    "time_splits",
    "timeseries_dataset_from_array",
]
