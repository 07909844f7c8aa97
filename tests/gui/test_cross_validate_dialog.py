"""File > Cross-validate...: the dialog runs K folds off the GUI thread, shows the table and box plots,
cancels cleanly and is off while training."""

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from mlp_desktop.core.data import read_table
from mlp_desktop.core.samples import sample_path
from mlp_desktop.core.training_process import InProcessRunner
from mlp_desktop.core.workspace import Workspace
from mlp_desktop.gui.actions import ACTIONS, FILE_MENU
from mlp_desktop.gui.cross_validate_dialog import CrossValidateDialog, box_segments
from mlp_desktop.gui.documents import DocumentCommands


def iris_workspace(epochs: int) -> Workspace:
    workspace = Workspace()
    workspace.open_table(read_table(sample_path("iris")))
    workspace.set_settings(epochs=epochs, learning_rate=0.05, batch_size=16, seed=1)
    return workspace


@pytest.fixture
def dialog(qtbot):
    made = []

    def make(epochs=5):
        dialog = CrossValidateDialog(iris_workspace(epochs), InProcessRunner)
        qtbot.addWidget(dialog)
        dialog.show()
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        assert dialog.shutdown()


def test_three_folds_give_a_table_with_mean_and_std_and_a_box_plot_per_metric(qtbot, dialog):
    dialog = dialog()
    assert (dialog.folds_spin.minimum(), dialog.folds_spin.maximum(), dialog.folds_spin.value()) == (2, 20, 5)
    assert (dialog.repeats_spin.minimum(), dialog.repeats_spin.maximum()) == (1, 10)
    dialog.folds_spin.setValue(3)
    dialog.start_button.click()
    assert not dialog.start_button.isEnabled() and dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=15000)
    result = dialog.result
    assert not result.stopped and len(result.folds) == 3
    table = dialog.table
    labels = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    assert labels == ["Fold 1", "Fold 2", "Fold 3", "Mean", "± Std"]
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == ["Accuracy"]
    assert float(table.item(3, 0).text()) == pytest.approx(result.mean["accuracy"], rel=1e-3)
    assert set(dialog.box_plots) == {"accuracy"}
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum()
    assert dialog.start_button.isEnabled() and not dialog.cancel_button.isEnabled()


def test_cancel_mid_run_keeps_the_dialog_usable(qtbot, dialog):
    dialog = dialog(epochs=100_000)
    dialog.folds_spin.setValue(3)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.progress_bar.value() > 0 or "epoch" in dialog.status_label.text(), timeout=10000)
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=10000)
    assert dialog.result.stopped and dialog.start_button.isEnabled() and dialog.folds_spin.isEnabled()
    assert "Cancelled" in dialog.status_label.text()
    dialog.workspace.set_settings(epochs=3)  # usable: a second run goes through
    dialog.folds_spin.setValue(2)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None and not dialog.result.stopped, timeout=15000)
    assert dialog.table.rowCount() == 2 + 2


def test_box_segments_draw_the_quartiles_and_whiskers():
    x, y, stats = box_segments([1.0, 2.0, 3.0, 4.0, 5.0])
    assert stats == {"min": 1.0, "q1": 2.0, "median": 3.0, "q3": 4.0, "max": 5.0}
    assert len(x) == len(y) and len(x) % 2 == 0 and set(np.round(y, 6)) == {1.0, 2.0, 3.0, 4.0, 5.0}


def test_the_action_is_in_the_file_menu_and_off_while_training_or_without_data():
    spec = next(spec for spec in ACTIONS if spec.name == "cross_validate")
    assert FILE_MENU[FILE_MENU.index("predict_file") + 1] == "cross_validate"
    assert spec.handler == "cross_validate" and spec.tip
    assert spec.enabled_when(SimpleNamespace(problem="", is_running=False))
    assert not spec.enabled_when(SimpleNamespace(problem="", is_running=True))  # training or paused
    assert not spec.enabled_when(Workspace())  # no data yet


def test_the_command_opens_the_dialog_on_the_workspace(qtbot, monkeypatch):
    opened = []
    monkeypatch.setattr(CrossValidateDialog, "exec", lambda self: (opened.append(self), self.shutdown(), 0)[-1])
    window = QWidget()
    qtbot.addWidget(window)
    window.workspace = iris_workspace(5)
    DocumentCommands.cross_validate(window)
    assert len(opened) == 1 and opened[0].workspace is window.workspace and opened[0].parent() is window
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    window.workspace = Workspace()
    DocumentCommands.cross_validate(window)
    assert len(opened) == 1 and warnings and "dataset" in warnings[0]


def test_a_number_of_folds_the_dialog_cannot_take_is_said_not_clamped(qtbot, dialog):
    """25 folds silently became 2 (a plain spin box)."""
    from PySide6.QtCore import Qt

    dialog = dialog()
    spin = dialog.folds_spin
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "25")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert spin.value() == 5 and "Folds must be from 2 to 20" in dialog.error.text() and dialog.error.isVisibleTo(dialog)
