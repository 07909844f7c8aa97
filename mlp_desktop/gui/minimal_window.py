"""A first window: the health-score sample, a Train button and a live RMSE curve.

It trains on the GUI thread in short slices (a QTimer), which is fine for six rows; the threaded
trainer of the main window replaces it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QMainWindow, QPushButton, QVBoxLayout, QWidget

from ..core import MLP, History, TrainConfig, train

# The six-person health-score table: age, exercise, diet -> score.
HEALTH_X = np.array([[60, 8, 7], [63, 2, 2], [17, 7, 7], [35, 4, 5], [90, 1, 1], [10, 9, 7]], float)
HEALTH_Y = np.array([[7], [3], [9], [6], [1], [10]], float)


class MinimalWindow(QMainWindow):
    def __init__(self):
        super().__init__()
        self.setWindowTitle("MLP Desktop — health_score")
        self.net = MLP([3, 2, 1], ["identity", "identity"], init="uniform", init_range=(0.1, 0.9), seed=1)
        self.X = HEALTH_X / np.array([101.0, 11.0, 11.0])
        self.history = History(self.net.parameter_names())
        self.train_button = QPushButton("Train 2000 epochs")
        self.train_button.clicked.connect(self.start)
        self.status = QLabel("Health-score sample loaded: 6 rows, a 3-2-1 network. Press Train.")
        self.plot = pg.PlotWidget(title="Training RMSE")
        self.plot.setLabel("bottom", "epoch")
        self.curve = self.plot.plot(pen=pg.mkPen("#0072B2", width=1))
        layout = QVBoxLayout()
        for widget in (self.status, self.train_button, self.plot):
            layout.addWidget(widget)
        central = QWidget()
        central.setLayout(layout)
        self.setCentralWidget(central)
        self.resize(800, 500)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.step)
        self.remaining = 0

    def start(self):
        self.remaining = 2000
        self.train_button.setEnabled(False)
        self.timer.start(15)

    def step(self):
        epochs = min(50, self.remaining)
        train(self.net, self.X, HEALTH_Y, TrainConfig(epochs=epochs, learning_rate=0.005), history=self.history)
        self.remaining -= epochs
        self.curve.setData(self.history.epochs, self.history.train_rmse)
        self.status.setText(f"Epoch {self.history.last_epoch}: RMSE {self.history.train_rmse[-1]:.4f}")
        if self.remaining <= 0:
            self.timer.stop()
            self.train_button.setEnabled(True)
