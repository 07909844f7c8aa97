"""Regenerate the screenshots used by the README and the user guide.

Runs the real main window (offscreen, or on $DISPLAY when QT_QPA_PLATFORM=xcb), trains the
samples exactly as a user would by pressing Train, and saves what the window shows:

    python docs/take_screenshots.py            # writes docs/screenshots/*.png
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "screenshots"


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from mlp_desktop.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.resize(1280, 800)
    window.show()
    window.reset_layout()  # the first window's layout, for 1280x800 (Data is the first right-hand tab)

    def settle(ms: int = 300) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def train_and_wait() -> None:
        loop = QEventLoop()
        window.controller.finished.connect(loop.quit)
        window.train()
        loop.exec()
        window.controller.finished.disconnect(loop.quit)
        settle()

    def show(tab=None, dock=None, name=None) -> None:
        if tab is not None:
            window.plot_tabs.setCurrentWidget(tab)
        if dock is not None:
            window.docks[dock].raise_()
        settle()
        window.grab().save(str(OUT / f"{name}.png"))

    settle(800)
    window.grab().save(str(OUT / "start.png"))
    train_and_wait()
    window.grab().save(str(OUT / "health_score_trained.png"))
    window.set_theme("dark")
    show(None, "parameters", "health_score_trained_dark")
    window.set_theme("light")
    window.prediction_panel.set_values({"age": 30, "exercise": 2, "diet": 5})
    show(window.evaluation_view, "predict", "health_score_evaluation_and_prediction")
    window.step_panel.forward()
    show(window.weight_plots, "step", "health_score_step_through")
    window.mark_saved()  # switching samples would otherwise ask to save
    window.open_sample("iris")
    settle()
    train_and_wait()
    show(window.weight_plots, "parameters", "iris_trained")
    show(window.gradient_plot, None, "iris_gradients")
    show(window.evaluation_view, "predict", "iris_evaluation_and_prediction")
    window.mark_saved()  # switching samples would otherwise ask to save
    window.open_sample("two_moons")
    settle()
    train_and_wait()
    show(window.decision_view, None, "two_moons_decision_view")
    window.mark_saved()  # nothing to save
    early_stopping(window, train_and_wait, show)
    window.mark_saved()
    window.close()
    print(f"Saved screenshots to {OUT}")


def early_stopping(window, train_and_wait, show) -> None:
    """Iris with Adam and early stopping: the RMSE plot marks the best epoch (docs/training-options.md)."""
    window.open_sample("iris")
    window.workspace.set_data_settings(validation_fraction=0.3)
    window.parameter_panel.set_values(optimizer="adam", learning_rate=0.05, epochs=3000, early_stopping_patience=20,
                                      seed=1)
    window.parameter_panel.set_regularization_shown(True)
    train_and_wait()
    show(window.rmse_plot, "parameters", "early-stopping")


if __name__ == "__main__":
    main()
