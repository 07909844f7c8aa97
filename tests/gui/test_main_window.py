"""The main window driven as a user drives it: load, train, watch, pause, stop, close."""

import sys

import numpy as np
import pytest
from PySide6.QtCore import SIGNAL, QSettings

from mlp_desktop.core.graph import NetworkGraph
from mlp_desktop.core.samples import SAMPLES, sample_path
from mlp_desktop.gui import documents as documents_module
from mlp_desktop.gui import main_window as main_window_module
from mlp_desktop.gui.main_window import MainWindow, install_excepthook


def train_and_wait(qtbot, window, timeout=30000):
    with qtbot.waitSignal(window.controller.finished, timeout=timeout):
        window.train_action.trigger()
    qtbot.wait(50)  # prediction and evaluation refresh in the next turn of the event loop


def test_opens_with_the_health_score_sample_ready(window):
    assert "health_score" in window.windowTitle()
    assert window.session.net.layer_sizes == (3, 2, 1)
    assert window.train_action.isEnabled() and not window.stop_action.isEnabled()
    assert window.weight_plots.mode == "grid" and len(window.weight_plots.parameter_names) == 11


def test_train_shows_rmse_falling_and_every_weight(qtbot, window):
    train_and_wait(qtbot, window)
    x, y = window.rmse_plot.train_curve.getData()
    assert len(x) > 100 and y[-1] < 0.5 * y[0]
    epochs, rows = window.weight_plots.buffer.arrays()
    assert rows.shape[1] == 11 and epochs[0] == 0 and epochs[-1] == 2000
    np.testing.assert_array_equal(rows[-1], window.session.net.get_parameters())
    gradient_x, gradient_y = window.gradient_plot.curves[0].getData()
    assert len(gradient_x) > 100 and np.isfinite(gradient_y).all()  # every epoch, per layer
    assert "Finished at epoch 2,000" in window.statusBar().currentMessage()
    assert window.epoch_label.text() == "epoch 2,000"
    # train again: continues from the current weights
    train_and_wait(qtbot, window)
    assert window.session.history.last_epoch == 4000


def test_pause_resume_and_stop(qtbot, window):
    window.parameter_panel.set_values(epochs=10_000_000)
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.last_epoch > 10, timeout=10000)
    window.pause_action.trigger()
    assert window.controller.state == "paused" and window.pause_action.text() == "Resume"
    qtbot.wait(300)
    paused_at = window.controller.last_epoch
    qtbot.wait(300)
    assert window.controller.last_epoch == paused_at
    assert window.time_label.text() == "" and window.speed_label.text() == "paused"  # no speed or time left stands still
    window.pause_action.trigger()
    qtbot.waitUntil(lambda: window.controller.last_epoch > paused_at, timeout=10000)
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.stop_action.trigger()
    assert window.session.history.stop_reason == "stopped"
    assert window.train_action.isEnabled() and window.controller.state == "idle"


def test_panels_are_locked_while_training(qtbot, window):
    window.parameter_panel.set_values(epochs=10_000_000)
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "running", timeout=5000)
    assert not window.reset_action.isEnabled() and not window.train_action.isEnabled()
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.stop()


@pytest.mark.training_process
def test_closing_while_training_stops_the_thread_cleanly(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.show()
    window.parameter_panel.set_values(epochs=10_000_000)
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.last_epoch > 5, timeout=10000)
    window.close()
    assert window.controller.thread.isFinished()
    assert settings.value("settings_version") is not None


def test_a_closed_window_leaves_no_connection_to_the_application(qapp, tmp_path):
    """The application outlives its windows: a window that stayed connected to its focus changes
    had its slot called, docks deleted, on every later focus change."""
    focus_changed = SIGNAL("focusChanged(QWidget*,QWidget*)")
    before = qapp.receivers(focus_changed)
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    window.show()
    assert qapp.receivers(focus_changed) == before + 1  # (Tab into a tabbed-away dock raises it)
    window.mark_saved()
    window.close()
    assert qapp.receivers(focus_changed) == before
    window.show()
    assert qapp.receivers(focus_changed) == before + 1
    window.close()


def test_step_trains_one_epoch_and_reset_starts_over(qtbot, window):
    initial = window.session.net.get_parameters()
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.step_action.trigger()
    assert window.session.history.last_epoch == 1
    assert not np.array_equal(window.session.net.get_parameters(), initial)
    window.reset_action.trigger()
    assert window.session.history.last_epoch == 0
    np.testing.assert_array_equal(window.session.net.get_parameters(), initial)


def test_a_bad_file_is_explained_and_the_current_data_stays(window, tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(np.random.default_rng(0).bytes(2000))
    assert not window.open_path(bad)
    assert "broken.xlsx" in window.data_panel.error_message()
    assert "health_score" in window.windowTitle()
    assert window.session.dataset is not None and window.train_action.isEnabled()


def test_opening_another_file_while_training_stops_training_first(qtbot, window):
    window.parameter_panel.set_values(epochs=10_000_000)
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.last_epoch > 5, timeout=10000)
    assert window.open_path(sample_path("iris", ".xlsx"))
    assert window.controller.state == "idle"
    assert "iris" in window.windowTitle() and window.session.net.layer_sizes[-1] == 3
    assert str(sample_path("iris", ".xlsx")) in window.recent_files()


class TestSamples:  # one window: the samples are opened one after another, as File > Samples does
    @pytest.mark.parametrize("name", list(SAMPLES))
    def test_every_sample_opens_ready_to_train(self, class_window, name):
        window = class_window
        window.open_sample(name)
        assert name in window.windowTitle() and not window.windowTitle().endswith("*")
        assert window.workspace.unsaved_changes() is None  # a sample as it comes is nothing to save
        assert window.train_action.isEnabled()
        assert window.session.net.layer_sizes[0] == len(window.session.preprocessor.encoded_inputs)


def test_divergence_stops_with_an_explanation(qtbot, window, monkeypatch):
    warnings = []
    monkeypatch.setattr(main_window_module.QMessageBox, "warning",
                        lambda parent, title, text: warnings.append((title, text)))
    window.workspace.replace_graph(NetworkGraph(hidden=[(4, "relu")]).to_dict())
    window.parameter_panel.set_values(learning_rate=10.0, epochs=2000)
    window.data_panel.set_input_scaling("none")
    train_and_wait(qtbot, window)
    assert window.session.history.stop_reason == "diverged"
    assert warnings and "lower learning rate" in warnings[0][1]
    x, y = window.rmse_plot.train_curve.getData()
    assert y is None or np.isfinite(y).all()


def test_unexpected_errors_show_a_report_and_the_app_keeps_running(window, monkeypatch):
    reports = []
    from mlp_desktop.gui import dialogs

    monkeypatch.setattr(dialogs, "show_error_report",
                        lambda parent, message, details: reports.append((message, details)))
    old_hook = sys.excepthook
    try:
        install_excepthook(window)
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old_hook
    assert reports and "boom" in reports[0][0] and "Traceback" in reports[0][1]
    assert window.isVisible()


def test_layout_and_recent_files_survive_a_restart(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    first = MainWindow(settings=settings)
    first.show()
    first.docks["history"].hide()
    first.open_path(sample_path("iris", ".csv"))
    first.close()
    second = MainWindow(settings=settings)
    qtbot.addWidget(second)
    assert not second.docks["history"].isVisibleTo(second)
    assert second.recent_files()[0].endswith("iris.csv")
    second.reset_layout()
    assert second.docks["history"].isVisibleTo(second)
    second.controller.shutdown()


def test_dropping_a_file_on_the_window_opens_it(window):
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(sample_path("xor_gate", ".csv")))])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    assert "xor_gate.csv" in window.windowTitle()
    mime.setUrls([QUrl.fromLocalFile("/tmp/notes.docx")])
    refused = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                              Qt.KeyboardModifier.NoModifier)
    refused.setAccepted(False)
    window.dragEnterEvent(refused)
    assert not refused.isAccepted()


def test_diagram_edits_rebuild_the_network_and_undo_restores_it(qtbot, window):
    assert window.editor.scene is not None
    window.graph.set_io(*[list(layer.neuron_ids) for layer in (window.graph.input_layer, window.graph.output_layer)])
    before = window.graph.to_dict()["layers"]
    window.editor.add_layer()
    assert window.session.net.layer_sizes[1:-1] == tuple(layer.size for layer in window.graph.hidden_layers)
    assert len(window.weight_plots.parameter_names) == window.session.net.n_parameters
    assert window.undo_action.isEnabled()
    window.undo_action.trigger()
    assert window.graph.to_dict()["layers"] == before and window.session.net.layer_sizes == (3, 2, 1)


def test_editing_a_trained_network_keeps_untouched_weights(qtbot, window):
    train_and_wait(qtbot, window)
    trained = dict(zip(window.session.net.parameter_names(), window.session.net.get_parameters()))
    window.editor._add_neuron(1)
    assert window.session.net.layer_sizes == (3, 3, 1)
    kept = dict(zip(window.session.net.parameter_names(), window.session.net.get_parameters()))
    assert kept["W1[0,0]"] == trained["W1[0,0]"] and kept["b2[0]"] == trained["b2[0]"]
    assert "W1[0,2]" in window.session.reset_parameter_names
    assert "fresh weights" in window.statusBar().currentMessage()


def test_undo_is_locked_while_training(qtbot, window):
    window.editor.add_layer()
    window.parameter_panel.set_values(epochs=10_000_000)
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.state == "running", timeout=5000)
    assert not window.undo_action.isEnabled()
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.stop()
    assert window.undo_action.isEnabled()


def test_training_colours_the_diagram(qtbot, window):
    train_and_wait(qtbot, window)
    params = window.session.net.get_parameters()
    assert window.editor.set_parameters(params)


def test_editing_while_paused_keeps_the_run_its_history_and_its_epoch_count(qtbot, window):
    window.parameter_panel.set_values(epochs=10_000_000)
    window.train_action.trigger()
    qtbot.waitUntil(lambda: window.controller.last_epoch > 20, timeout=10000)
    window.pause_action.trigger()
    qtbot.waitUntil(lambda: window.workspace.can_save, timeout=5000)  # the pause's history has arrived
    assert window.editor.is_editable()
    paused_at = window.workspace.snapshot()[1].last_epoch
    window.editor._add_neuron(1)
    assert window.controller.state == "paused" and window.pause_action.text() == "Resume"
    assert window.session.net.layer_sizes == (3, 3, 1)
    assert "W1[0,2]" in window.session.reset_parameter_names
    assert "fresh weights" in window.statusBar().currentMessage()
    assert window.speed_label.text() == "paused"  # still said after the edit's redraw
    history = window.session.history
    assert history.last_epoch == paused_at and len(history.parameter_names) == 16  # curves kept
    x, _ = window.rmse_plot.train_curve.getData()
    assert x is not None and x[-1] == paused_at  # the error curve is still there
    window.pause_action.trigger()  # Resume: the rest of the epochs, counted on from the pause
    assert window.controller.state == "running"
    qtbot.waitUntil(lambda: window.controller.last_epoch > paused_at + 10, timeout=10000)
    with qtbot.waitSignal(window.controller.finished, timeout=10000):
        window.stop_action.trigger()
    history = window.session.history
    assert history.last_epoch > paused_at + 10 and history.stop_reason == "stopped"
    assert history.epochs[0] == 1 and window.workspace.run_state == "finished"


def test_prediction_follows_training(qtbot, window):
    train_and_wait(qtbot, window)
    panel = window.prediction_panel
    panel.set_values({"age": 30, "exercise": 2, "diet": 5})
    import pandas as pd

    expected = window.session.model().predict(pd.DataFrame([{"age": 30.0, "exercise": 2.0, "diet": 5.0}]))
    assert panel.prediction().iloc[0, 0] == pytest.approx(expected.iloc[0, 0], rel=1e-12)
    assert window.predict_file_action.isEnabled()


def test_evaluation_and_decision_views_follow_training(qtbot, window):
    window.open_sample("two_moons")
    window.plot_tabs.setCurrentWidget(window.decision_view)
    train_and_wait(qtbot, window)
    report = window.evaluation_view.reports["validation"]
    assert report["n_samples"] == 40 and 0 <= report["accuracy"] <= 1
    qtbot.waitUntil(lambda: window.decision_view.grid is not None, timeout=10000)  # computed in a worker
    assert window.decision_view.grid.output.shape == (window.decision_view.resolution,) * 2


def test_diagram_and_weight_plots_highlight_each_other(window):
    window.editor.parametersSelected.emit(["W1[2,1]"])
    names = window.weight_plots.parameter_names
    assert window.weight_plots.grid.highlighted == [names.index("W1[2,1]")]
    window.weight_plots.curveSelected.emit("b1[0]")
    assert window.weight_plots.grid.highlighted == [names.index("b1[0]")]
    assert "b1[0]" in window.editor.scene.highlighted_parameters()


def test_exports_write_history_model_script_and_diagram(qtbot, window, tmp_path):
    from mlp_desktop.core.errors import DataError
    from mlp_desktop.core.model import load_model

    with pytest.raises(DataError, match="Nothing has been trained"):
        window.export("history", tmp_path / "h.csv")
    train_and_wait(qtbot, window)
    window.export("history", tmp_path / "h.xlsx")
    import pandas as pd

    table = pd.read_excel(tmp_path / "h.xlsx")
    assert list(table.columns[:3]) == ["epoch", "train_rmse", "val_rmse"] and "W1[0,0]" in table.columns
    assert table["epoch"].iloc[0] == 0 and table["epoch"].iloc[-1] == 2000
    window.export("model", tmp_path / "m.json")
    np.testing.assert_array_equal(load_model(tmp_path / "m.json").net.get_parameters(),
                                  window.session.net.get_parameters())
    window.export("python", tmp_path / "p.py")
    assert "def predict(rows)" in (tmp_path / "p.py").read_text()
    window.export("diagram", tmp_path / "d.svg")
    assert "<svg" in (tmp_path / "d.svg").read_text()
    try:
        import onnx  # noqa: F401  (the optional extra)
    except ImportError:
        with pytest.raises(DataError, match="needs the onnx package"):
            window.export("onnx", tmp_path / "m.onnx")
    else:
        window.export("onnx", tmp_path / "m.onnx")
        assert (tmp_path / "m.onnx").stat().st_size > 0


def test_project_round_trip_restores_weights_history_and_settings(qtbot, window, tmp_path, monkeypatch):
    import shutil

    data = tmp_path / "health.csv"
    shutil.copy(sample_path("health_score", ".csv"), data)
    assert window.open_path(data)
    window.parameter_panel.set_values(learning_rate=0.05, epochs=500, batch_size=1, seed=3)
    window.editor.add_layer()
    train_and_wait(qtbot, window)
    assert window.windowTitle().endswith("*")
    project = tmp_path / "work.mlpd"
    assert window.save_project(project)
    assert not window.windowTitle().endswith("*") and "work.mlpd" in window.windowTitle()
    weights = window.session.net.get_parameters()
    prediction = window.session.model().predict(window.session.dataset.frame)

    other = MainWindow(settings=window.settings, sample=None)
    qtbot.addWidget(other)
    assert other.open_project(project)
    np.testing.assert_array_equal(other.session.net.get_parameters(), weights)
    assert other.session.history.last_epoch == 500
    assert other.graph.to_dict()["layers"] == window.graph.to_dict()["layers"]
    assert other.session.config.learning_rate == 0.05 and other.session.config.seed == 3
    import pandas as pd

    pd.testing.assert_frame_equal(other.session.model().predict(other.session.dataset.frame), prediction)
    assert not other.windowTitle().endswith("*")
    x, _ = other.rmse_plot.train_curve.getData()
    assert len(x) > 100
    # The Gradients tab comes back too: each layer's mean gradient size per epoch, as trained.
    saved, loaded = window.gradient_plot.buffer.arrays(), other.gradient_plot.buffer.arrays()
    assert len(loaded[0]) > 100 and other.gradient_plot.curves[2].isVisible()
    np.testing.assert_allclose(loaded[1][-1], saved[1][-1])
    assert "averaged over all the steps" in other.gradient_plot.caption.text()
    other.controller.shutdown()


def test_closing_with_unsaved_changes_asks_and_can_cancel(qtbot, window, monkeypatch):
    window.editor.add_layer()
    assert window.has_unsaved_changes()
    asked = []
    monkeypatch.setattr(main_window_module.QMessageBox, "question",
                        lambda *args, **kwargs: asked.append(args) or main_window_module.QMessageBox.StandardButton.Cancel)
    window.close()
    assert asked and window.isVisible()


def test_a_moved_data_file_is_located_by_the_user(qtbot, window, tmp_path, monkeypatch):
    import shutil

    data = tmp_path / "health.csv"
    shutil.copy(sample_path("health_score", ".csv"), data)
    window.open_path(data)
    project = tmp_path / "p.mlpd"
    window.save_project(project)
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    shutil.move(str(data), moved / "renamed.csv")
    monkeypatch.setattr(main_window_module.QMessageBox, "information", lambda *args: None)
    monkeypatch.setattr(documents_module.QFileDialog, "getOpenFileName",
                        lambda *args, **kwargs: (str(moved / "renamed.csv"), ""))
    assert window.open_project(project)
    assert window.data_panel.file_path().name == "renamed.csv"


def test_recovery_copy_is_offered_after_a_crash(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setattr(MainWindow, "recovery_path", lambda self: tmp_path / "recovery.mlpd")
    window.editor.add_layer()
    window.write_recovery_copy()
    assert (tmp_path / "recovery.mlpd").exists()
    layers = window.graph.to_dict()["layers"]
    fresh = MainWindow(settings=window.settings)
    qtbot.addWidget(fresh)
    monkeypatch.setattr(main_window_module.QMessageBox, "question",
                        lambda *args, **kwargs: main_window_module.QMessageBox.StandardButton.Yes)
    assert fresh.offer_recovery()
    assert [layer["neuron_ids"] for layer in fresh.graph.to_dict()["layers"]] == [layer["neuron_ids"] for layer in layers]
    assert fresh.has_unsaved_changes()
    fresh.mark_saved()
    fresh.controller.shutdown()


def test_theme_is_chosen_and_remembered(qtbot, window, tmp_path):
    assert window.theme() == "system"
    dark = next(a for a in window.theme_actions.actions() if a.data() == "dark")
    dark.trigger()
    assert window.settings.value("theme") == "dark" and dark.isChecked()
    again = MainWindow(settings=window.settings, sample=None)
    qtbot.addWidget(again)
    assert again.theme() == "dark"
    again.set_theme("system")
    again.controller.shutdown()


def test_early_stopped_run_marks_its_best_epoch_and_the_status_bar_shows_the_learning_rate(qtbot, window):
    window.workspace.set_data_settings(validation_fraction=0.3)
    window.parameter_panel.set_values(optimizer="adam", learning_rate=0.05, epochs=3000, early_stopping_patience=5,
                                      lr_schedule="inverse_time", seed=1)
    seen = []
    window.workspace.subscribe(lambda event: seen.append(window.speed_label.text()) if event.kind == "progress" else None)
    train_and_wait(qtbot, window)
    history = window.workspace.history
    assert history.stop_reason == "early_stopped" and history.best_epoch is not None
    assert window.rmse_plot.best_epoch() == history.best_epoch
    assert f"early stop, epoch {history.last_epoch:,}" in window.rmse_plot.legend_texts()
    assert f"best validation RMSE,<br>epoch {history.best_epoch:,}, weights kept" in window.rmse_plot.legend_texts()
    stop = window.rmse_plot.stop_line
    assert stop.isVisible() and stop.value() == history.last_epoch > history.best_epoch
    # the status bar's epoch says whose weights the network holds (it said only the last epoch)
    assert window.epoch_label.text() == f"epoch {history.last_epoch:,}, weights of {history.best_epoch:,}"
    assert any("learning rate" in text for text in seen)
    assert np.isfinite(history.learning_rates).all()
    window.workspace.reset_weights()  # a fresh start has no best epoch
    assert window.rmse_plot.best_epoch() is None and not window.rmse_plot.stop_line.isVisible()


def test_opening_data_or_a_project_refreshes_each_view_once(qtbot, window, tmp_path):
    """One change ("data", "network", "weights", "history" once each) redraws the history and
    rebuilds the prediction, evaluation and decision views once, not once per event."""
    import shutil

    from mlp_desktop.core.project import load_project, save_project

    data = tmp_path / "health.csv"
    shutil.copy(sample_path("health_score", ".csv"), data)
    qtbot.wait(20)
    for open_it in (lambda: window.open_path(data), lambda: window.open_project(project, ask=False)):
        before = window.model_view_refreshes, window.history_redraws
        assert open_it()
        qtbot.wait(50)  # the queued refresh after "weights"
        assert (window.model_view_refreshes - before[0], window.history_redraws - before[1]) == (1, 1)
        assert window.prediction_panel.model is not None and window.prediction_panel.prediction() is not None
        if open_it.__code__.co_names == ("open_path", ):
            saved = window.workspace.project()
            saved.weights = np.random.default_rng(3).normal(size=saved.weights.size)  # as if trained
            project = tmp_path / "p.mlpd"
            save_project(saved, project)
            assert load_project(project).weights.tobytes() == saved.weights.tobytes()
    # the opened project's weights reached the views
    np.testing.assert_array_equal(window.prediction_panel.model.net.get_parameters(), saved.weights)
