"""The Qt-free core: data, preprocessing, the NumPy MLP engine, training and models.

Nothing here imports Qt or pyqtgraph (a test enforces it), so it runs headless and in scripts::

    from mlp_desktop.core import MLP, TrainConfig, train, History
"""

from .activations import ACTIVATIONS
from .errors import DataError
from .history import History
from .network import MLP
from .training import ProgressReport, TrainConfig, train

__all__ = ["ACTIVATIONS", "DataError", "History", "MLP", "ProgressReport", "TrainConfig", "train"]
