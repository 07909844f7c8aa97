"""The live training plots of the main window: RMSE, every weight and bias, gradient magnitudes.

Each widget keeps its memory bounded (``mlp_desktop.core.series``) and is fed in the GUI thread.
The names below are imported on first use, so ``python -m mlp_desktop.gui.plots.<module>`` runs a
module's demo without importing it twice.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_MODULE_OF = {"GradientPlot": "gradient_plot", "RmsePlot": "rmse_plot", "WeightPlots": "weight_plots"}
__all__ = sorted(_MODULE_OF)

if TYPE_CHECKING:
    from .gradient_plot import GradientPlot
    from .rmse_plot import RmsePlot
    from .weight_plots import WeightPlots


def __getattr__(name: str):
    if name in _MODULE_OF:
        return getattr(importlib.import_module(f".{_MODULE_OF[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
