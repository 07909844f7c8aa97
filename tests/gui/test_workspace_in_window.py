"""Issue 12's behaviours, driven through the real window as a user would: opening other work asks
first, other data after training works, saving never stops a run, initialisation applies at once,
new data resets its settings, every view shows the current state, Train keeps the focus where it is."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

import mlp_desktop.gui.dialogs as dialogs
import mlp_desktop.gui.main_window as main_window_module
from mlp_desktop.core.project import load_project
from mlp_desktop.core.samples import sample_path


def answer(monkeypatch, button):
    asked = []
    monkeypatch.setattr(dialogs.QMessageBox, "question",
                        lambda *args, **kwargs: asked.append(args[2] if len(args) > 2 else "") or button)
    return asked


def train_and_wait(qtbot, window, epochs=None):
    with qtbot.waitSignal(window.controller.finished, timeout=20000):
        window.train(epochs)


def test_opening_other_work_with_unsaved_results_asks_and_cancel_changes_nothing(qtbot, window, monkeypatch):
    train_and_wait(qtbot, window, 50)
    params = window.session.net.get_parameters()
    asked = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    assert not window.open_path(sample_path("iris", ".xlsx"))
    assert not window.open_sample("xor_gate")
    assert len(asked) == 2 and "not saved" in asked[0]
    assert window.session.dataset.table.path.stem == "health_score"
    np.testing.assert_array_equal(window.session.net.get_parameters(), params)
    assert window.windowTitle().endswith("*")
    answer(monkeypatch, QMessageBox.StandardButton.Discard)
    assert window.open_path(sample_path("iris", ".xlsx"))


def test_other_data_after_training_follows_the_data_and_names_fresh_weights(qtbot, window, monkeypatch):
    answer(monkeypatch, QMessageBox.StandardButton.Discard)
    train_and_wait(qtbot, window, 50)
    hidden = [layer.size for layer in window.graph.hidden_layers]
    assert window.open_path(sample_path("iris", ".xlsx"))
    assert window.graph.layer_sizes == [4, *hidden, 3] and window.session.net.layer_sizes == (4, *hidden, 3)
    assert "Fresh weights" in window.statusBar().currentMessage()
    assert len(window.weight_plots.parameter_names) == window.session.net.n_parameters
    train_and_wait(qtbot, window, 5)  # and it trains, and the plots follow
    assert window.session.history.last_epoch == 5
    window.reset_weights()
    assert window.workspace.run_state == "idle"


def test_saving_during_training_keeps_training_and_saves_one_epoch(qtbot, window, tmp_path):
    window.parameter_panel.set_values(epochs=10_000_000)
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.last_epoch > 20, timeout=10000)
    assert window.save_project(tmp_path / "running.mlpd")
    assert window.controller.state == "running"
    project = load_project(tmp_path / "running.mlpd")
    np.testing.assert_array_equal(project.weights, project.history.params[-1])  # the same epoch
    window.pause_action.trigger()
    qtbot.waitUntil(lambda: window.workspace.can_save, timeout=5000)
    assert window.save_project(tmp_path / "paused.mlpd")
    assert window.controller.state == "paused" and window.pause_action.text() == "Resume"
    paused = load_project(tmp_path / "paused.mlpd")
    assert paused.history.last_epoch >= project.history.last_epoch
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.stop_action.trigger()
    assert window.session.history.last_epoch >= paused.history.last_epoch


def test_initialisation_applies_at_once_to_an_untrained_network(qtbot, window):
    panel = window.parameter_panel
    before = window.session.net.get_parameters()
    panel.init_combo.setCurrentIndex(panel.init_combo.findData("xavier"))
    after = window.session.net.get_parameters()
    assert not np.array_equal(before, after) and window.workspace.settings["init"] == "xavier"
    shown = window.editor.scene._split  # what the diagram colours by: the new weights
    np.testing.assert_array_equal(shown[0][0], window.session.net.weights[0])
    assert "at once" in panel.init_note_label.text()
    train_and_wait(qtbot, window, 5)
    assert "Reset weights" in panel.init_note_label.text()
    trained = window.session.net.get_parameters()
    panel.init_combo.setCurrentIndex(panel.init_combo.findData("he"))
    np.testing.assert_array_equal(window.session.net.get_parameters(), trained)


def test_a_sample_after_iris_resets_the_task_and_keeps_learning_settings(qtbot, window, monkeypatch):
    answer(monkeypatch, QMessageBox.StandardButton.Discard)
    window.open_sample("iris")
    window.data_panel.set_task("classification")
    window.parameter_panel.set_values(momentum=0.5)
    window.open_path(sample_path("health_score", ".xlsx"))
    assert window.data_panel.task() == "auto" and window.session.dataset.task == "regression"
    assert window.session.net.layer_sizes[-1] == 1
    assert window.workspace.settings["momentum"] == 0.5


def test_new_data_fits_the_diagram_even_after_a_zoom(qtbot, window, monkeypatch):
    answer(monkeypatch, QMessageBox.StandardButton.Discard)
    view = window.editor.view
    view.zoom_by(3.0)
    zoomed = view.zoom()
    window.open_path(sample_path("iris", ".xlsx"))
    assert view.zoom() != zoomed and view._auto_fit


def test_views_not_on_screen_take_no_rows_when_data_opens(qtbot, window):
    # The evaluation and decision views take the training rows (100 MB for a 20,000 x 785 table)
    # only when they are shown; the prediction form gets the training ranges without them.
    window.plot_tabs.setCurrentWidget(window.weight_plots)
    window.open_path(str(sample_path("iris")))
    qtbot.waitUntil(lambda: window.workspace.table is not None and window.workspace.table.path.stem == "iris",
                    timeout=10000)
    assert not window.evaluation_view.isVisible() and not window.decision_view.isVisible()
    rows = window.session.row_sets
    assert rows.taken == ()
    window.plot_tabs.setCurrentWidget(window.decision_view)
    qtbot.waitUntil(lambda: window.decision_view.grid is not None, timeout=10000)
    assert rows.taken == ("train",)


def test_views_show_the_current_state(qtbot, window):
    step = window.step_panel
    step.forward_button.click()
    assert step.summary.toPlainText() and window.editor.scene._annotations is not None
    window.reset_weights()
    assert not step.summary.toPlainText() and window.editor.scene._annotations is None
    train_and_wait(qtbot, window, 20)
    assert "Finished at epoch 20" in window.statusBar().currentMessage()
    window.parameter_panel.set_values(epochs=10_000_000)
    window.train_action.trigger()
    assert "Finished" not in window.statusBar().currentMessage()  # messages belong to their run
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.stop()


def test_train_leaves_the_focus_and_the_dock_where_they_are(qtbot, window):
    window.focus_panel("parameters")
    window.parameter_panel.learning_rate_spin.setFocus(Qt.FocusReason.MouseFocusReason)
    window.parameter_panel.set_values(epochs=200)
    with qtbot.waitSignal(window.controller.finished, timeout=20000):
        qtbot.keyClick(window.parameter_panel.learning_rate_spin, Qt.Key.Key_F5)
    assert not window.docks["parameters"].visibleRegion().isEmpty()
    assert window.docks["step"].visibleRegion().isEmpty()


def test_every_setting_in_the_panel_reaches_the_workspace(window):
    panel = window.parameter_panel
    panel.learning_rate_spin.setValue(0.2)
    panel.update_mode_combo.setCurrentIndex(panel.update_mode_combo.findData("full_batch"))
    assert window.workspace.settings["learning_rate"] == 0.2 and window.workspace.settings["batch_size"] is None
    assert main_window_module.MainWindow.session.fget(window) is window.workspace.session


def test_opening_a_project_after_training_and_discarding_is_clean(qtbot, window, monkeypatch, tmp_path):
    answer(monkeypatch, QMessageBox.StandardButton.Discard)
    window.open_sample("iris")
    project_path = tmp_path / "iris.mlpd"
    assert window.save_project(project_path)
    window.open_sample("health_score")
    train_and_wait(qtbot, window, 30)
    errors = []
    monkeypatch.setattr(dialogs, "show_error_report", lambda *args: errors.append(args))
    assert window.open_project(project_path)  # Discard the trained health network
    assert not errors and window.workspace.problem == ""
    assert window.session.net.layer_sizes[-1] == 3 and window.workspace.run_state == "idle"
    assert "Kept the trained weights" not in window.statusBar().currentMessage()
    assert window.open_project(project_path)  # and again: nothing stale
    assert "Kept the trained weights" not in window.statusBar().currentMessage()
    train_and_wait(qtbot, window, 3)
    assert window.session.history.last_epoch == 3


def test_the_first_window_takes_most_of_the_screen(qtbot, tmp_path):
    from PySide6.QtCore import QRect, QSettings

    from mlp_desktop.gui import window_settings
    from mlp_desktop.gui.main_window import MainWindow

    assert window_settings.first_geometry(QRect(0, 0, 1920, 1080)) == QRect(144, 81, 1632, 918)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    first = MainWindow(settings=settings, sample=None)
    qtbot.addWidget(first)
    available = first.screen().availableGeometry()
    assert first.geometry() == window_settings.first_geometry(available)  # (later starts: the saved one)
    first.controller.shutdown()


def test_a_neuron_count_can_be_typed_as_one_undoable_edit(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *args, **kwargs: (64, True)))
    menu = window.editor.scene.context_menu(1)
    next(a for a in menu.actions() if a.text() == "Set neurons...").trigger()
    assert window.graph.layer_sizes == [3, 64, 1] and window.session.net.layer_sizes == (3, 64, 1)
    assert window.undo_stack.count() == 1 and "64 neurons" in window.undo_stack.undoText()
    window.undo_action.trigger()
    assert window.graph.layer_sizes == [3, 2, 1] and window.session.net.layer_sizes == (3, 2, 1)
    window.redo_action.trigger()
    assert window.session.net.layer_sizes == (3, 64, 1)


def test_stop_or_pause_right_after_resuming_an_edited_run_is_obeyed(qtbot, window):
    window.parameter_panel.set_values(epochs=10_000_000)
    for command in ("stop", "pause"):
        window.train_action.trigger()
        qtbot.waitUntil(lambda: window.controller.last_epoch > window.session.history.last_epoch + 5, timeout=10000)
        window.pause_action.trigger()
        qtbot.waitUntil(lambda: window.workspace.can_save, timeout=5000)
        window.editor._add_neuron(1)
        window.pause_action.trigger()  # Resume: the edited run is queued behind the ending one
        getattr(window.workspace, command)()
        if command == "stop":
            qtbot.waitUntil(lambda: window.workspace.run_state == "finished", timeout=5000)
        else:
            qtbot.waitUntil(lambda: window.workspace.can_save, timeout=5000)
            epoch = window.controller.last_epoch
            qtbot.wait(200)
            assert window.workspace.run_state == "paused" and window.controller.last_epoch == epoch
            with qtbot.waitSignal(window.controller.finished, timeout=10000):
                window.stop()
        assert not window.controller.is_busy() or window.workspace.run_state == "finished"


def test_saving_right_after_pause_waits_for_the_pause(qtbot, window, tmp_path):
    window.parameter_panel.set_values(epochs=10_000_000)
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.last_epoch > 20, timeout=10000)
    window.pause_action.trigger()
    assert window.save_project(tmp_path / "p.mlpd")  # at once: the history may still be on its way
    assert window.controller.state == "paused"
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.stop()


def test_the_data_panel_counts_the_rows_as_the_next_run_splits_them(qtbot, window, monkeypatch):
    answer(monkeypatch, QMessageBox.StandardButton.Discard)
    window.open_path(sample_path("iris", ".xlsx"))
    window.parameter_panel.set_values(seed=5)
    window.workspace.set_settings(test_fraction=0.2)
    assert window.data_panel.counts_label.text() == "150 rows · 90 training · 30 validation · 30 test"
    train_and_wait(qtbot, window, 1)
    session = window.session
    assert (len(session.train_rows), len(session.val_rows), len(session.test_rows)) == (90, 30, 30)


def test_the_evaluation_view_reports_the_held_out_test_rows(qtbot, window, monkeypatch):
    answer(monkeypatch, QMessageBox.StandardButton.Discard)
    window.open_path(sample_path("iris", ".xlsx"))
    window.workspace.set_settings(test_fraction=0.2, seed=3)
    train_and_wait(qtbot, window, 20)
    qtbot.wait(10)  # the model views follow in the next turn of the event loop
    view = window.evaluation_view
    assert list(view.reports) == ["training", "validation", "test"]
    assert view.reports["test"]["n_samples"] == 30 and view.table.columnCount() == 3
    assert "30 test rows" in view.status.text()
    assert [view.rows_combo.itemText(i) for i in range(view.rows_combo.count())] == ["validation", "training", "test"]


def test_the_divergence_warning_comes_once_per_run(qtbot, window, monkeypatch):
    from mlp_desktop.core.graph import NetworkGraph

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: warnings.append(title)))
    window.workspace.replace_graph(NetworkGraph(hidden=[(4, "relu")]).to_dict())
    window.parameter_panel.set_values(learning_rate=10.0, epochs=2000)
    window.data_panel.set_input_scaling("none")
    train_and_wait(qtbot, window)
    assert window.workspace.run_state == "diverged" and warnings == ["Training diverged"]
    window.workspace.apply_step(window.session.net.get_parameters())  # later weight changes say nothing more
    assert warnings == ["Training diverged"]


def test_the_prediction_and_evaluation_follow_the_weights_of_a_paused_run(qtbot, window, monkeypatch):
    """Pause, read a prediction, resume, pause again: each pause predicts with the weights it paused
    at (the diagram's), not with the weights from before the run."""
    window.docks["predict"].raise_()
    evaluated, predicted, drawn = [], [], []
    set_results, set_model = window.evaluation_view.set_results, window.prediction_panel.set_model
    set_parameters = window.editor.set_parameters
    monkeypatch.setattr(window.evaluation_view, "set_results",
                        lambda model, rows: evaluated.append(model) or set_results(model, rows))
    monkeypatch.setattr(window.prediction_panel, "set_model",
                        lambda model, *more: predicted.append(model) or set_model(model, *more))
    monkeypatch.setattr(window.editor, "set_parameters", lambda params: drawn.append(params) or set_parameters(params))
    panel, before = window.prediction_panel, window.workspace.net.get_parameters()
    window.parameter_panel.set_values(epochs=10_000_000)
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.last_epoch > 50, timeout=10000)
    # while training it follows the reported weights, twice a second
    qtbot.waitUntil(lambda: not np.array_equal(panel.model.net.get_parameters(), before), timeout=5000)
    for _pause in range(2):
        window.pause_action.trigger()
        qtbot.waitUntil(lambda: window.workspace.run_params is not None, timeout=10000)
        paused = window.workspace.run_params
        assert not np.array_equal(paused, before)
        np.testing.assert_array_equal(panel.model.net.get_parameters(), paused)
        np.testing.assert_array_equal(evaluated[-1].net.get_parameters(), paused)
        np.testing.assert_array_equal(drawn[-1], paused)  # the diagram shows the very same weights
        assert panel.result_box.isVisible()
        resumed_at = window.controller.last_epoch
        window.pause_action.trigger()  # resume
        qtbot.waitUntil(lambda: window.controller.last_epoch > resumed_at + 50, timeout=10000)
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.stop_action.trigger()
    final = window.workspace.net.get_parameters()
    qtbot.waitUntil(lambda: np.array_equal(panel.model.net.get_parameters(), final), timeout=5000)
    # never back to the weights from before the run on the way (a pause's own are on their way)
    assert not any(np.array_equal(model.net.get_parameters(), before) for model in predicted + evaluated)


def test_exports_while_paused_or_training_take_the_weights_and_history_the_window_shows(qtbot, window, tmp_path):
    """Paused, edited, resumed and paused again: the history export ended at the first pause and
    the model export held the weights from before the run."""
    import pandas as pd

    from mlp_desktop.core.model import load_model

    window.parameter_panel.set_values(epochs=10_000_000)
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.last_epoch > 50, timeout=10000)
    window.pause_action.trigger()
    qtbot.waitUntil(lambda: window.workspace.run_params is not None, timeout=10000)
    window.graph.add_neuron(1)  # an edit while paused
    first_pause = window.workspace.epoch
    window.pause_action.trigger()  # resume
    qtbot.waitUntil(lambda: window.controller.last_epoch > first_pause + 100, timeout=10000)
    window.pause_action.trigger()
    qtbot.waitUntil(lambda: window.workspace.run_params is not None, timeout=10000)
    shown = window.workspace.run_params
    window.export("history", tmp_path / "paused.csv")
    window.export("model", tmp_path / "paused.json")
    assert pd.read_csv(tmp_path / "paused.csv")["epoch"].iloc[-1] == window.workspace.epoch > first_pause
    np.testing.assert_array_equal(load_model(tmp_path / "paused.json").net.get_parameters(), shown)

    window.pause_action.trigger()  # resume; exported while training: paused for a moment, then on
    qtbot.waitUntil(lambda: window.workspace.run_state == "training", timeout=10000)
    window.export("history", tmp_path / "training.csv")
    assert window.workspace.run_state == "training"
    assert pd.read_csv(tmp_path / "training.csv")["epoch"].iloc[-1] > first_pause
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.stop_action.trigger()


def test_data_that_cannot_be_used_leaves_nothing_of_the_last_data_on_show(qtbot, window, tmp_path):
    """After a file with missing cells, the Evaluation tab still showed the last data's confusion
    matrix and the diagram its trained colours, without a word; the status bar said "press Train"
    with Train disabled; and opening another file asked to save though nothing had been done."""
    window.open_sample("iris", ask=False)
    train_and_wait(qtbot, window, epochs=5)
    window.plot_tabs.setCurrentWidget(window.evaluation_view)
    assert window.evaluation_view.reports
    window.mark_saved()
    missing = tmp_path / "missing.csv"
    missing.write_text("x,y,z\n1,2,3\n,3,4\n4,5,6\n")
    assert window.open_path(missing)
    assert window.workspace.data_problem
    assert not window.evaluation_view.reports and "Missing values" in window.evaluation_view.status.text()
    window.plot_tabs.setCurrentWidget(window.decision_view)
    assert window.decision_view.model is None and "Missing values" in window.decision_view.message.text()
    assert "cannot be used" in window.editor.status_label.text()
    window.editor.set_editable(True)  # (every change of run state says so: the note stays)
    assert "cannot be used" in window.editor.status_label.text()
    assert "Data panel says why" in window.statusBar().currentMessage()
    assert not window.windowTitle().endswith("*")  # nothing to save: a file opened into untitled work
    good = tmp_path / "good.csv"
    good.write_text("x,y,z\n1,2,3\n2,3,4\n4,5,6\n5,7,8\n")
    assert window.workspace.unsaved_changes() is None  # so opening the next file asks nothing
    assert window.open_path(good)
    assert not window.workspace.data_problem and window.editor.status_label.text() == ""
    qtbot.waitUntil(lambda: window.decision_view.model is not None, timeout=5000)


def test_save_as_offers_a_name_after_the_data(window, monkeypatch):
    offered = []
    from mlp_desktop.gui import documents

    monkeypatch.setattr(documents.QFileDialog, "getSaveFileName", lambda *args: offered.append(args[2]) or ("", ""))
    assert not window.save_as()
    assert offered[-1].endswith("health_score.mlpd")  # the start-up sample's, not "untitled.mlpd"


def test_a_report_arriving_after_the_pause_leaves_the_pause_on_show(qtbot, window, monkeypatch):
    """A report held back while the window redrew arrived after the pause's weights, and put its
    older epoch in the status bar and its older weights on the diagram."""
    reports = []
    run_progress = window.workspace.run_progress
    monkeypatch.setattr(window.workspace, "run_progress",
                        lambda update, run_id=None: reports.append((update, run_id)) or run_progress(update, run_id))
    drawn = []
    set_parameters = window.editor.set_parameters
    monkeypatch.setattr(window.editor, "set_parameters", lambda params: drawn.append(params) or set_parameters(params))
    window.parameter_panel.set_values(epochs=10_000_000)
    window.train_action.trigger()
    qtbot.waitUntil(lambda: len(reports) > 3, timeout=10000)
    window.pause_action.trigger()
    qtbot.waitUntil(lambda: window.workspace.run_params is not None, timeout=10000)
    paused_epoch, paused = window.workspace.epoch, window.workspace.run_params
    old_update, run_id = reports[1]
    assert old_update.epoch < paused_epoch
    window.workspace.run_progress(old_update, run_id)  # late
    assert window.epoch_label.text() == f"epoch {paused_epoch:,}"
    np.testing.assert_array_equal(drawn[-1], paused)
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.stop_action.trigger()


def test_a_recent_file_that_was_moved_is_said_and_taken_off_the_list(qtbot, window, tmp_path, monkeypatch):
    data = tmp_path / "weather.csv"
    data.write_text("a,b\n1,2\n2,3\n3,5\n")
    assert window.open_path(data)
    assert str(data) in window.recent_files()
    data.rename(tmp_path / "moved.csv")
    said = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: said.append(args[2]))
    assert not window.open_recent(str(data))
    assert "moved or deleted" in said[0] and str(data) not in window.recent_files()


def test_training_on_after_an_early_stop_redraws_the_history_from_the_best_epoch(qtbot, window):
    workspace = window.workspace
    workspace.set_data_settings(validation_fraction=0.3)
    workspace.set_settings(epochs=400, early_stopping_patience=20, seed=3, optimizer="adam", learning_rate=0.05)
    train_and_wait(qtbot, window)
    history = workspace.history
    best, stopped = history.best_epoch, history.last_epoch
    assert history.stop_reason == "early_stopped" and best < stopped
    assert window.epoch_label.text() == f"epoch {stopped}, weights of {best}"
    said = []
    window.statusBar().messageChanged.connect(said.append)
    train_and_wait(qtbot, window, 5)
    assert f"Continuing from epoch {best}'s weights (the best); epochs {best + 1}-{stopped} were dropped " \
           "from the history." in said
    epochs = window.rmse_plot.buffer.arrays()[0]
    np.testing.assert_array_equal(epochs, np.arange(0, best + 6))  # epoch 0, then one point per epoch
    assert window.epoch_label.text() == f"epoch {best + 5}"
