"""Datasets: built-in sample texts (no download) and plain-text corpora."""
from ._builtin import sample_reviews
from ._lines import text_lines

__all__ = ["sample_reviews", "text_lines"]
