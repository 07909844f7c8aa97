"""Start-up does only what the first frame needs (issue 15): what it imports, writes and starts.

Speed itself is measured by ``benchmarks/user_speed.py --only startup``, never asserted here.
"""

import json
import os
import subprocess
import sys

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from mlp_desktop.core.training_process import InProcessRunner
from mlp_desktop.gui.training import worker

# Packages and modules the first frame does not need: each is imported where it is used.
NOT_AT_START_UP = (
    "numba", "scipy", "onnx", "openpyxl", "matplotlib", "pyqtgraph.exporters",
    "mlp_desktop.core._kernels", "mlp_desktop.core.cross_validation", "mlp_desktop.core.export",
    "mlp_desktop.core.onnx_export",
    "mlp_desktop.gui.cross_validate_dialog", "mlp_desktop.gui.exports",
    "pandas",  # (core/lazy.py: the sample is read, prepared and predicted from column arrays)
    "numpy.ma",  # (np.unique's first call imports it: core.arrays.distinct_values)
    "concurrent.futures",  # (the decision maps' and big sheets' worker threads)
)

START_UP = """
import gc, json, sys
from mlp_desktop import cli  # what the mlp-desktop command imports first
from mlp_desktop.gui.app import open_main_window
from mlp_desktop.gui.garbage import CollectorBetweenEvents
app, window = open_main_window([])
app.processEvents()
loaded = sorted(name for name in {not_at_start_up!r} if name in sys.modules)
table = window.workspace.table is not None
collected_between_events = not gc.isenabled() and len(app.findChildren(CollectorBetweenEvents)) == 1
window.mark_saved()
window.close()
print(json.dumps({{"loaded": loaded, "sample": table, "collected between events": collected_between_events}}))
"""


def test_start_up_imports_nothing_the_first_frame_does_not_need(tmp_path):
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
                       XDG_DATA_HOME=str(tmp_path / "data"), HOME=str(tmp_path / "home"))
    result = subprocess.run([sys.executable, "-c", START_UP.format(not_at_start_up=NOT_AT_START_UP)],
                            capture_output=True, text=True, timeout=120, env=environment, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown == {"loaded": [], "sample": True, "collected between events": True}


def test_building_the_window_writes_no_settings(qtbot, tmp_path):
    from mlp_desktop.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.wait(50)
    assert settings.allKeys() == []  # the theme it read is not written back (Qt then syncs the file)
    window.mark_saved()


def test_the_window_starts_its_training_process_after_its_first_frame(qtbot, tmp_path, monkeypatch):
    from mlp_desktop.gui.main_window import CHILD_START_DELAY_MS, MainWindow

    starts = []

    class Runner(InProcessRunner):
        def start(self):
            starts.append(window._first_frame_painted)

    monkeypatch.setattr(worker, "RUNNER_FACTORY", Runner)
    window = MainWindow(settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    qtbot.wait(50)
    assert starts == []  # built but not shown: nothing painted, nothing started
    window.show()
    qtbot.waitUntil(lambda: window._first_frame_painted, timeout=5000)
    qtbot.wait(CHILD_START_DELAY_MS // 3)
    assert starts == []  # not while the first frames settle: once the start is over
    qtbot.waitUntil(lambda: starts == [True], timeout=5000)
    window.mark_saved()


def test_hidden_plot_tabs_are_built_when_first_shown(qtbot, window):  # (a fresh window, shown)
    qtbot.wait(20)
    evaluation, decision = window.evaluation_view, window.decision_view
    assert not evaluation.parts_built and not decision.parts_built  # the first frame shows the weights tab
    assert "regression_layout" not in vars(evaluation) and "plot_layout" not in vars(decision)
    window.plot_tabs.setCurrentWidget(evaluation)
    assert evaluation.parts_built and evaluation.regression_layout.isVisible()  # built before it is shown
    assert evaluation.pages.currentWidget() is evaluation.regression_layout
    assert not decision.parts_built
    assert decision.plot is not None and decision.parts_built  # first use builds them too
    window.mark_saved()


def test_the_gradients_plot_is_built_when_shown_with_the_epochs_it_missed(qtbot, window):  # (a fresh window, shown)
    qtbot.wait(20)
    gradients = window.gradient_plot
    assert not gradients.parts_built and "plot_widget" not in vars(gradients)
    gradients.set_log_y(False)  # the look asked for while hidden is the plot's once made
    gradients.append_rows(np.array([1.0, 2.0]), np.array([[0.5, 0.25], [0.4, 0.2]]))
    assert "epoch 2" in gradients.values_label.text() and not gradients.parts_built
    window.plot_tabs.setCurrentWidget(gradients)
    assert gradients.parts_built and gradients.plot_widget.isVisible()
    assert QApplication.activePopupWidget() is None  # its toolbar's menu was shown with it once
    assert not gradients.plot_item.getAxis("left").logMode
    x, y = gradients.curves[1].getData()
    np.testing.assert_array_equal(x, [1.0, 2.0])
    np.testing.assert_array_equal(y, [0.25, 0.2])
    assert gradients.legend.isVisible()
    window.mark_saved()


def test_the_weight_tree_is_made_only_for_networks_too_big_for_the_grid(window):
    from mlp_desktop.gui.plots.weight_plots import GRID_LIMIT

    plots = window.weight_plots
    assert plots.mode == "grid" and not plots.parts_built and plots.checked_names() == []
    names = [f"W1[{i},0]" for i in range(GRID_LIMIT + 1)]
    plots.set_parameter_names(names)
    assert plots.parts_built and plots.stack.currentWidget() is plots.tree_page
    assert plots.checked_names()
    window.mark_saved()


FIRST_IDLE = """
import json, sys
from PySide6.QtCore import QTimer
from mlp_desktop.gui.app import open_main_window

def first_idle():
    loaded = "pandas" in sys.modules
    panel = window.prediction_panel
    shown = panel.result_label.text()
    import pandas as pd
    from mlp_desktop.gui.panels.prediction_panel import _rounded
    row = pd.DataFrame({{name: [value] for name, value in panel.values().items()}})
    expected = panel.model.predict(row)
    through_frames = "\\n".join(f"{{t}} = {{_rounded(expected['predicted_' + t].iloc[0])}}"
                                 for t in panel.model.preprocessor.targets)
    print(json.dumps({{"pandas": loaded, "shown": shown, "through frames": through_frames}}))
    window.mark_saved()
    window.close()
    app.quit()

if __name__ == "__main__":
    app, window = open_main_window([])
    QTimer.singleShot({delay_ms}, first_idle)  # the form's prediction waits {delay_ms} ms less than this
    app.exec()
"""


def test_a_fresh_start_has_not_imported_pandas_when_it_first_goes_idle(tmp_path):
    """The first frame (the sample read, prepared, a model's form predicted) is built without pandas,
    and the form shows what the frames' path computes (issue 15)."""
    from mlp_desktop.gui.panels.prediction_panel import DEBOUNCE_MS

    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
                       XDG_DATA_HOME=str(tmp_path / "data"), HOME=str(tmp_path / "home"))
    script = tmp_path / "first_idle.py"
    script.write_text(FIRST_IDLE.format(delay_ms=DEBOUNCE_MS + 300))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                            env=environment, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["pandas"] is False
    assert shown["shown"] == shown["through frames"] and " = " in shown["shown"]


IN_THE_BACKGROUND = """
import json, sys, threading, time
from PySide6.QtCore import QTimer
from mlp_desktop.core.data import read_table
from mlp_desktop.gui.app import open_main_window

def importer():
    return next((thread for thread in threading.enumerate() if thread.name == "import pandas"), None)

def watch():
    thread = importer()
    if thread is None and "pandas" not in sys.modules and time.monotonic() < GIVE_UP:
        return QTimer.singleShot(5, watch)
    if thread is None:
        print(json.dumps({{"no thread importing pandas": True}}))
        return app.quit()
    table = read_table(sys.argv[1])  # a CSV (read by pandas) while the thread is importing pandas
    thread.join(60)
    print(json.dumps({{"daemon": thread.daemon, "rows": table.n_rows, "pandas": "pandas" in sys.modules}}))
    window.mark_saved()
    window.close()
    app.quit()

if __name__ == "__main__":
    GIVE_UP = time.monotonic() + 10
    app, window = open_main_window([])
    QTimer.singleShot(0, watch)
    app.exec()
"""


def test_pandas_is_imported_in_a_thread_after_the_start_and_a_file_opened_meanwhile_is_read(tmp_path):
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
                       XDG_DATA_HOME=str(tmp_path / "data"), HOME=str(tmp_path / "home"))
    script = tmp_path / "in_the_background.py"
    script.write_text(IN_THE_BACKGROUND.format())
    csv = tmp_path / "data.csv"
    csv.write_text("a,b,label\n1,2,x\n3,4,y\n5,6,x\n")
    result = subprocess.run([sys.executable, str(script), str(csv)], capture_output=True, text=True, timeout=120,
                            env=environment, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"daemon": False, "rows": 3, "pandas": True}

