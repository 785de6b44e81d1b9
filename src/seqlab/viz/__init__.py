"""Plots written as PNG files. matplotlib is imported only when a plot is drawn."""
from .confusion import plot_confusion
from .curves import plot_history
from .forecast import plot_forecast
from .horizons import plot_horizons
from .inspect import plot_gates, plot_gradient_flow, plot_projection
from .lengths import plot_lengths

__all__ = ["plot_confusion", "plot_forecast", "plot_gates", "plot_gradient_flow",
           "plot_history", "plot_horizons", "plot_lengths", "plot_projection"]
