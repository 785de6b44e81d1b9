"""Plots written as PNG files. matplotlib is imported only when a plot is drawn."""
from .curves import plot_history
from .lengths import plot_lengths

__all__ = ["plot_history", "plot_lengths"]
