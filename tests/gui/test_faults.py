"""Faults in the app, driven the way a user meets them: closing or opening files while training,
a full disk or a read-only folder when saving or exporting, damaged project settings and extreme
settings. Nothing may raise past the window, leave a training process behind or lose work.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from mlp_desktop.core.errors import DataError
from mlp_desktop.core.graph import MAX_NEURONS, NetworkGraph
from mlp_desktop.core.history import History
from mlp_desktop.core.project import load_project, save_project
from mlp_desktop.core.samples import sample_path
from mlp_desktop.gui import documents as documents_module
from mlp_desktop.gui import main_window as main_window_module
from mlp_desktop.gui.batch_predict import BatchPredictDialog
from mlp_desktop.gui.editor.style import MAX_DRAWN_NEURONS
from mlp_desktop.gui.panels.parameter_panel import LEARNING_RATE_RANGE

Answer = main_window_module.QMessageBox.StandardButton
OLD = b"the old file, which a failed save must leave exactly as it was\n"


# -- helpers -------------------------------------------------------------------------------------

@pytest.fixture
def uncaught(monkeypatch):
    """Every exception that reaches ``sys.excepthook`` (the app's last resort) fails the test."""
    errors = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, value, tb: errors.append(value))
    yield errors
    assert not errors, errors


@pytest.fixture
def warnings(monkeypatch):
    """Message boxes the window shows, as (title, text), instead of showing them."""
    shown = []
    monkeypatch.setattr(main_window_module.QMessageBox, "warning",
                        lambda parent, title, text, *args: shown.append((title, text)))
    monkeypatch.setattr(main_window_module.QMessageBox, "information",
                        lambda parent, title, text, *args: shown.append((title, text)))
    return shown


def answer(monkeypatch, button) -> list:
    """Answer every "Save the changes?" question with ``button``; returns the questions asked."""
    asked = []
    monkeypatch.setattr(main_window_module.QMessageBox, "question",
                        lambda *args, **kwargs: asked.append(args[2] if len(args) > 2 else "") or button)
    return asked


def save_as(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(documents_module.QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (str(path), ""))


@pytest.fixture
def shared(module_window, qtbot, uncaught):
    """The shared window, idle, with nothing unsaved (and the health-score sample, see ``restored``)."""
    module_window._stop_and_wait()
    module_window.mark_saved()
    module_window.statusBar().clearMessage()
    return module_window


@pytest.fixture
def restored(shared):
    """The shared window, given back with a fresh health-score sample after a test that changes it."""
    yield shared
    shared._stop_and_wait()
    shared.mark_saved()
    shared.open_sample("health_score")
    shared.mark_saved()


def training_children() -> list:
    return [p for p in multiprocessing.active_children() if p.name == "mlp-desktop-training"]


def start_long_run(qtbot, window, epochs_before: int = 5) -> None:
    """Train for a long time, starting from a state with nothing unsaved (as right after a save)."""
    window.parameter_panel.set_values(epochs=10_000_000)
    window.mark_saved()
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.last_epoch > epochs_before, timeout=15000)
    assert window.controller.state == "running"


def _training_child(qtbot, window):
    """The window's training process, started once the window is shown (after its first frame)."""
    qtbot.waitUntil(lambda: window.controller.process._process is not None, timeout=10000)
    return window.controller.process._process


def train_and_wait(qtbot, window, timeout=30000) -> None:
    with qtbot.waitSignal(window.controller.finished, timeout=timeout):
        window.train_action.trigger()
    qtbot.wait(50)


# -- closing and opening while training ----------------------------------------------------------

@pytest.mark.training_process
def test_closing_while_training_asks_first_and_saves_what_was_learned(qtbot, window, uncaught, tmp_path,
                                                                       monkeypatch):
    child = _training_child(qtbot, window)
    start_long_run(qtbot, window)
    assert window.has_unsaved_changes()  # a run changes the weights: closing must not drop them silently
    answer(monkeypatch, Answer.Cancel)
    assert not window.close()
    assert window.isVisible() and window.controller.state == "running"
    epoch = window.controller.last_epoch
    qtbot.waitUntil(lambda: window.controller.last_epoch > epoch, timeout=10000)  # it goes on

    asked = answer(monkeypatch, Answer.Save)
    save_as(monkeypatch, tmp_path / "run.mlpd")
    assert window.close()
    assert asked and window.controller.thread.isFinished()
    child.join(5)
    assert not child.is_alive() and child not in training_children()
    saved = load_project(tmp_path / "run.mlpd")
    assert saved.history.last_epoch > epoch and saved.history.stop_reason == "stopped"
    np.testing.assert_array_equal(saved.weights, window.session.net.get_parameters())


@pytest.mark.training_process
def test_opening_files_while_training_stops_cleanly_and_loses_nothing(qtbot, window, uncaught, tmp_path, monkeypatch):
    # A window of its own: the shared one trains in-process, this test is about the child.
    child = _training_child(qtbot, window)
    first, second = tmp_path / "first.mlpd", tmp_path / "second.mlpd"
    assert window.save_project(first)
    shutil.copy(first, second)

    # Opening a project asks about the run first; Cancel lets it go on.
    start_long_run(qtbot, window)
    answer(monkeypatch, Answer.Cancel)
    assert not window.open_project(second)
    assert window.controller.state == "running"

    # Save: the run is stopped and goes into the project it belongs to, then the other one opens.
    asked = answer(monkeypatch, Answer.Save)
    assert window.open_project(second)
    assert asked and window.controller.state == "idle"
    assert load_project(first).history.last_epoch > 5
    assert window.project_path == second and window.session.history.last_epoch == 0
    assert not window.has_unsaved_changes()

    # Opening a dataset stops the run; the same training process serves the new data.
    start_long_run(qtbot, window)
    assert window.open_path(sample_path("iris", ".csv"))
    assert window.controller.state == "idle" and window.session.dataset.task == "classification"
    assert training_children() == [child] and child.is_alive()
    window.parameter_panel.set_values(epochs=20)
    train_and_wait(qtbot, window)
    assert window.session.history.last_epoch == 20 and training_children() == [child]


# -- damaged project settings --------------------------------------------------------------------

def _rewrite_manifest(path: Path, change) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def test_project_settings_are_saved_as_shown_and_unusable_ones_are_named(qtbot, restored, tmp_path, warnings):
    window = restored
    path = tmp_path / "edited.mlpd"
    # Changed since the last run, so not yet in the training session: saved as the panel shows them.
    window.parameter_panel.set_values(learning_rate=0.2, epochs=30, momentum=0.5, seed=9, batch_size=None,
                                      target_rmse=0.01)
    assert window.save_project(path)
    saved = load_project(path).parameters
    assert saved["learning_rate"] == 0.2 and saved["epochs"] == 30 and saved["momentum"] == 0.5
    assert saved["seed"] == 9 and saved["batch_size"] is None and saved["target_rmse"] == 0.01

    def change(manifest):  # as a hand edit or a damaged file might leave them
        manifest["parameters"].update(epochs="many", seed=2**40, loss="hinge", favourite_colour="red")
        manifest["data"].update(input_scaling="logarithmic", validation_fraction="a fifth", drop_missing="yes",
                                inputs=7, sheet=["Sheet1"], task=None)
        manifest["view"] = {"log_y": {"maybe": True}}

    _rewrite_manifest(path, change)
    window.parameter_panel.set_values(learning_rate=0.5, momentum=0.0)
    window.mark_saved()
    assert window.open_project(path)
    values = window.workspace.settings
    assert (values["learning_rate"], values["momentum"], values["batch_size"]) == (0.2, 0.5, None)  # the usable ones
    assert window.parameter_panel.values() == values
    message = window.statusBar().whole_message()
    assert "could not be used" in message and not warnings
    for name in ("epochs", "seed", "loss", "favourite_colour", "input_scaling", "validation_fraction"):
        assert name in message
    assert window.train_action.isEnabled()


def test_weights_and_history_of_another_network_are_not_applied(qtbot, restored, tmp_path, warnings):
    window = restored
    path = tmp_path / "p.mlpd"
    project = window.project()
    # The saved network has two inputs; the data it points to has three: a network of another
    # size is built, and the saved weights and history (of the old size) cannot apply to it.
    graph = NetworkGraph(["age", "weight"], ["output"], [(2, "sigmoid")])
    project.graph = graph.to_dict()
    n = 2 * 2 + 2 + 2 + 1
    project.weights = np.zeros(n)
    project.history = History([f"p{i}" for i in range(n)])
    project.history.set_initial(1.0, np.nan, np.zeros(n))
    for epoch in range(1, 30):
        project.history.append(epoch, 0.5, np.nan, np.ones(n))
    save_project(project, path)
    assert window.open_project(path)
    assert window.session.net.layer_sizes == (3, 2, 1)
    assert window.session.history.last_epoch == 0
    assert np.isfinite(window.session.net.get_parameters()).all()
    assert "weights" in window.statusBar().currentMessage()


# -- a full disk and a read-only folder ----------------------------------------------------------

def _only(folder: Path, name: str, content: bytes = OLD) -> None:
    assert (folder / name).read_bytes() == content
    assert sorted(p.name for p in folder.iterdir()) == [name]


@pytest.mark.parametrize("fault", ["full disk", "read-only folder"])
def test_saving_a_project_that_cannot_be_written_keeps_the_old_one(qtbot, shared, tmp_path, monkeypatch, warnings,
                                                                   full_disk, read_only_folder, fault):
    window = shared
    folder, lock = read_only_folder
    path = folder / "work.mlpd"
    assert window.save_project(path)
    old = path.read_bytes()
    window.parameter_panel.set_values(epochs=window.workspace.settings["epochs"] + 1)  # a change
    assert window.has_unsaved_changes()
    if fault == "full disk":
        full_disk(folder)
    else:
        lock()
    assert not window.save_project(path)
    assert warnings and warnings[-1][0] == "Could not save"
    assert "work.mlpd" in warnings[-1][1]
    assert ("No space left on device" if fault == "full disk" else "Permission denied") in warnings[-1][1]
    _only(folder, "work.mlpd", old)
    assert window.has_unsaved_changes() and window.windowTitle().endswith("*")


# After a failed write, openpyxl's zip file complains once more when it is garbage-collected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("kind, name", [("history", "h.xlsx"), ("history", "h.csv"), ("model", "m.json"),
                                        ("python", "p.py"), ("diagram", "d.svg"), ("diagram", "d.png")])
@pytest.mark.parametrize("fault", ["full disk", "read-only folder"])
def test_exports_that_cannot_be_written_explain_and_keep_the_old_file(qtbot, shared, monkeypatch, warnings, full_disk,
                                                                      read_only_folder, kind, name, fault):
    window = shared
    if kind == "history":
        window.parameter_panel.set_values(epochs=20)
        train_and_wait(qtbot, window)
    folder, lock = read_only_folder
    (folder / name).write_bytes(OLD)
    if fault == "full disk":
        full_disk(folder)
    else:
        lock()
    save_as(monkeypatch, folder / name)
    window.export_dialog(kind)
    assert warnings and warnings[-1][0] == "Could not export"
    assert name in warnings[-1][1]
    assert ("No space left on device" if fault == "full disk" else "Permission denied") in warnings[-1][1]
    _only(folder, name)


@pytest.mark.parametrize("fault", ["full disk", "read-only folder"])
def test_plot_exports_that_cannot_be_written_keep_the_old_file(qtbot, shared, monkeypatch, full_disk, read_only_folder, fault):
    window = shared
    window.parameter_panel.set_values(epochs=20)
    train_and_wait(qtbot, window)
    folder, lock = read_only_folder
    for name in ("rmse.svg", "rmse.png"):
        (folder / name).write_bytes(OLD)
    if fault == "full disk":
        full_disk(folder)
    else:
        lock()
    reason = "No space left on device" if fault == "full disk" else "Permission denied"
    for name in ("rmse.svg", "rmse.png"):
        with pytest.raises(DataError, match=f"rmse.*{reason}"):
            window.rmse_plot.export(folder / name)
    with pytest.raises(DataError, match=reason):
        window.weight_plots.export(folder / "rmse.svg")
    assert sorted(p.name for p in folder.iterdir()) == ["rmse.png", "rmse.svg"]
    assert all((folder / name).read_bytes() == OLD for name in ("rmse.png", "rmse.svg"))


def test_an_image_qt_cannot_encode_is_an_error_and_the_old_file_stays(qtbot, shared, tmp_path, monkeypatch):
    window = shared
    for name in ("plot.png", "diagram.png"):
        (tmp_path / name).write_bytes(OLD)
    monkeypatch.setattr(QImage, "save", lambda *args: False)
    with pytest.raises(DataError, match="Could not draw the plot"):
        window.rmse_plot.export(tmp_path / "plot.png")
    with pytest.raises(DataError, match="Could not draw the diagram"):
        window.export("diagram", tmp_path / "diagram.png")
    assert all((tmp_path / name).read_bytes() == OLD for name in ("plot.png", "diagram.png"))
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("fault", ["full disk", "read-only folder"])
def test_saving_predictions_that_cannot_be_written_keeps_the_old_file(qtbot, shared, full_disk, read_only_folder, fault):
    window = shared
    dialog = BatchPredictDialog(window.session.model(), window)
    qtbot.addWidget(dialog)
    dialog.load(sample_path("health_score", ".csv"))
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=10_000)  # read and predicted on the worker thread
    assert dialog.result is not None
    folder, lock = read_only_folder
    (folder / "predicted.xlsx").write_bytes(OLD)
    if fault == "full disk":
        full_disk(folder)
    else:
        lock()
    assert dialog.save(folder / "predicted.xlsx")
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=10_000)
    assert not dialog.error.isHidden()
    assert "predicted.xlsx" in dialog.error.text()
    assert ("No space left on device" if fault == "full disk" else "Permission denied") in dialog.error.text()
    _only(folder, "predicted.xlsx")


def test_an_interrupted_project_save_in_the_app_leaves_the_old_project(qtbot, shared, tmp_path, monkeypatch):
    window = shared
    path = tmp_path / "work.mlpd"
    assert window.save_project(path)
    old = path.read_bytes()
    window.parameter_panel.set_values(epochs=123)
    real_open = zipfile.ZipFile.open

    def open_member(self, name, mode="r", *args, **kwargs):  # the arrays are written into the archive
        if mode == "w" and getattr(name, "filename", name) == "history_params.npy":
            raise KeyboardInterrupt
        return real_open(self, name, mode, *args, **kwargs)

    with monkeypatch.context() as patch:  # (undoing every patch would undo the conftest's answers too)
        patch.setattr(zipfile.ZipFile, "open", open_member)
        with pytest.raises(KeyboardInterrupt):
            window.save_project(path)
    assert path.read_bytes() == old and sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".ini") == [
        "work.mlpd"]
    assert window.has_unsaved_changes()


# -- extreme settings ----------------------------------------------------------------------------

def test_a_learning_rate_of_1e9_is_capped_and_divergence_is_explained(qtbot, restored, warnings):
    window = restored
    window.parameter_panel.set_values(learning_rate=1e9, epochs=2000)
    assert window.parameter_panel.values()["learning_rate"] == LEARNING_RATE_RANGE[1]
    window.workspace.replace_graph(NetworkGraph(hidden=[(4, "relu")]).to_dict())
    window.data_panel.set_input_scaling("none")
    train_and_wait(qtbot, window)
    history = window.session.history
    assert history.stop_reason == "diverged"
    assert any(title == "Training diverged" and "lower learning rate" in text for title, text in warnings)
    weights = window.session.net.get_parameters()
    assert np.isfinite(weights).all()
    np.testing.assert_array_equal(weights, history.params[-1] if history.last_epoch else history.initial_params)
    predictions = window.session.model().predict(window.session.dataset.frame)
    assert len(predictions) == len(window.session.dataset.frame)
    x, y = window.rmse_plot.train_curve.getData()
    assert y is None or np.isfinite(y).all()


def test_zero_epochs_cannot_be_chosen_and_a_zero_epoch_run_says_so(qtbot, shared):
    window = shared
    window.parameter_panel.set_values(epochs=0)
    assert window.parameter_panel.values()["epochs"] == window.workspace.settings["epochs"] == 1
    before = window.session.net.get_parameters()
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.train(0)
    np.testing.assert_array_equal(window.session.net.get_parameters(), before)
    assert "Nothing to train" in window.statusBar().currentMessage()


def test_ten_thousand_neurons_train_and_the_diagram_stays_small(qtbot, restored, tmp_path):
    window = restored
    window.workspace.replace_graph(NetworkGraph(hidden=[(MAX_NEURONS, "tanh")]).to_dict())
    assert window.session.net.layer_sizes == (3, MAX_NEURONS, 1)
    assert len(window.editor.scene.items()) < 10 * MAX_DRAWN_NEURONS  # the editor draws a few, not 10,000
    with qtbot.waitSignal(window.controller.finished, timeout=60000):
        window.step()
    assert window.session.history.last_epoch == 1
    assert np.isfinite(window.session.net.get_parameters()).all()
    window.export("diagram", tmp_path / "big.svg")
    assert 0 < (tmp_path / "big.svg").stat().st_size < 2_000_000
    with pytest.raises(DataError, match="between 1 and 10,000"):
        window.graph.set_size(1, MAX_NEURONS + 1)


def test_training_data_that_cannot_be_made_ends_the_run_with_a_message(qtbot, shared, warnings, monkeypatch):
    # The arrays are made in the training thread: a MemoryError there left the window "training" for good.
    from mlp_desktop.core import session as session_module

    window = shared
    before = window.session.net.get_parameters()

    def no_memory(*args):
        raise MemoryError("Unable to allocate 100. MiB")

    made = session_module.training_arrays
    monkeypatch.setattr(session_module, "training_arrays", no_memory)
    window.train(5)
    qtbot.waitUntil(lambda: window.workspace.run_state != "training", timeout=10000)
    assert any("not enough free memory" in text for _, text in warnings), warnings
    np.testing.assert_array_equal(window.session.net.get_parameters(), before)
    monkeypatch.setattr(session_module, "training_arrays", made)  # the next run makes them, and trains
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.train(2)
    assert window.workspace.epoch >= 2
