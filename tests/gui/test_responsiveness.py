"""What keeps the window responsive, checked without timing anything (see
benchmarks/gui_responsiveness.py for the figures): bounded work per refresh, one paint per
refresh, the training process leaving a core to the GUI, and the benchmark itself running."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject

from mlp_desktop.core.network import MLP
from mlp_desktop.core.series import SnapshotBuffer
from mlp_desktop.core.training_process import BLAS_THREAD_VARIABLES, blas_threads_for_child
from mlp_desktop.gui.plots.many_curves import POINT_BUDGET
from mlp_desktop.gui.plots.rmse_plot import RmsePlot
from mlp_desktop.gui.plots.weight_plots import WeightPlots

ROOT = Path(__file__).resolve().parents[2]


class PaintCounter(QObject):
    """Counts paint events reaching a widget, and the rectangles of each one's region."""

    def __init__(self, widget):
        super().__init__()
        self.count = 0
        self.rectangles: list[int] = []
        widget.installEventFilter(self)

    def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.count += 1
            self.rectangles.append(event.region().rectCount())
        return False


def large_network_names() -> list[str]:
    return MLP([784, 64, 10], ["relu", "softmax"], seed=0).parameter_names()  # 50,890 parameters


def test_snapshot_buffer_hands_out_only_the_columns_asked_for():
    rng = np.random.default_rng(0)
    buffer = SnapshotBuffer(50, max_rows=8)
    for epoch in range(1, 30):  # thinned several times; the latest row is not a stored one
        buffer.append(epoch, rng.normal(size=50))
    buffer.extend(np.arange(30, 34), rng.normal(size=(4, 50)))
    x, rows = buffer.arrays()
    some_x, some = buffer.arrays([3, 7, 49])
    np.testing.assert_array_equal(some_x, x)
    np.testing.assert_array_equal(some, rows[:, [3, 7, 49]])
    assert buffer.arrays([])[1].shape == (len(x), 0)
    assert SnapshotBuffer(5).arrays([1, 2])[1].shape == (0, 2)


def thousand_curves_shown(qtbot, height: int, checked: slice):
    """A shown weights view of the 784-64-10 network's 50,890 parameters with 1,000 curves ticked."""
    plots = WeightPlots()
    qtbot.addWidget(plots)
    plots.resize(900, height)
    plots.show()
    names = large_network_names()
    plots.set_parameter_names(names)
    plots.set_checked_names(names[checked])
    qtbot.waitUntil(lambda: len(plots.curves_plot.columns) == 1000)
    return plots, names


def test_a_thousand_of_50890_curves_stay_bounded_however_long_the_run(qtbot):
    plots, names = thousand_curves_shown(qtbot, 500, slice(None, 1000))
    curves = plots.curves_plot
    items = len(curves.plot_item.items)
    row = np.linspace(-1, 1, len(names))
    for epoch in range(1, 301):
        plots.append_rows(np.array([epoch]), (row * np.cos(epoch / 30))[None, :])
    assert curves.segment_count() == 1000
    assert len(curves.plot_item.items) == items  # one item per colour, none per curve or refresh
    assert curves._rows.shape[1] == 1000  # only the drawn curves leave the buffer
    assert sum(len(item.getData()[0]) for item in curves.colour_items) <= POINT_BUDGET + 1000
    assert len(plots.buffer.arrays()[0]) <= plots.buffer.max_rows + 1
    # Ticking more curves mid-run draws them at once, with their history.
    plots.set_checked_names(names[:1010])
    qtbot.waitUntil(lambda: curves.segment_count() == 1010)
    x, y = curves.colour_items[1009 % len(curves.colour_items)].getData()
    assert y[-1] == pytest.approx(row[1009] * np.cos(300 / 30))


@pytest.mark.parametrize("kind", ["rmse", "weights"])
def test_a_live_refresh_costs_one_paint(qtbot, kind):
    if kind == "rmse":
        plot = RmsePlot()
        viewport = plot.plot_widget.viewport()
    else:
        plot = WeightPlots()
        plot.set_parameter_names(large_network_names()[:2000])
        viewport = plot.curves_plot.plot_widget.viewport()
    qtbot.addWidget(plot)
    plot.resize(800, 400)
    plot.show()
    qtbot.waitExposed(plot)
    qtbot.wait(50)
    counter = PaintCounter(viewport)
    rng = np.random.default_rng(0)
    paints = []
    for k in range(12):  # the x and y ranges change at each one
        before = counter.count
        epochs = np.arange(100 * k + 1, 100 * k + 101)
        if kind == "rmse":
            plot.append(epochs, np.exp(-epochs / 300) * (1 + k), np.full(100, np.nan))
        else:
            plot.append_rows(epochs[-1:], rng.normal(0, 1 + k, (1, 2000)))
        qtbot.waitUntil(lambda: counter.count > before)
        qtbot.wait(40)  # a second paint, if the refresh asked for one, comes within a frame
        paints.append(counter.count - before)
    # Every refresh took two before; a few still take more when the layout changes (the legend
    # appears, the tick labels grow wider).
    assert paints.count(1) >= 9, paints


def test_a_live_refresh_repaints_the_many_curve_plot_as_one_rectangle(qtbot):
    """Qt's raster engine clips every line segment against what it repaints: against several
    rectangles (the curves' and, beside them, the emptied start dots' at (0, 0) or an axis's) it
    drew 1,000 curves at 2-3x the cost of one rectangle. The start dots are emptied once."""
    plots, names = thousand_curves_shown(qtbot, 400, slice(-1000, None))
    curves = plots.curves_plot
    rng = np.random.default_rng(0)
    plots.set_series(np.array([0]), rng.normal(0, 1, (1, len(names))))  # before the first epoch: dots
    assert len(curves.start_dots.data) == 1000
    qtbot.waitExposed(plots)
    qtbot.wait(50)
    counter = PaintCounter(curves.plot_widget.viewport())
    dots_set = []
    curves.start_dots.sigPlotChanged.connect(dots_set.append)
    for k in range(12):  # as the live reports come: 4 epochs each, the ranges changing
        before = counter.count
        epochs = np.arange(4 * k + 1, 4 * k + 5)
        plots.append_rows(epochs, rng.normal(0, 1 + k, (4, len(names))))
        qtbot.waitUntil(lambda: counter.count > before)
    qtbot.wait(40)
    assert len(dots_set) == 1 and len(curves.start_dots.data) == 0  # emptied at the first epoch only
    assert counter.rectangles and set(counter.rectangles) == {1}, counter.rectangles


def test_the_training_process_leaves_a_core_to_the_window(monkeypatch):
    for name in BLAS_THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")  # a user's own setting stays
    with blas_threads_for_child():
        expected = str(max(1, (os.cpu_count() or 2) - 1))
        assert os.environ["OPENBLAS_NUM_THREADS"] == os.environ["OMP_NUM_THREADS"] == expected
        assert os.environ["MKL_NUM_THREADS"] == "3"
    assert "OPENBLAS_NUM_THREADS" not in os.environ and os.environ["MKL_NUM_THREADS"] == "3"


def test_the_benchmark_runs_end_to_end_and_prints_its_table():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONFAULTHANDLER": "1"}
    # --quick with short measurements: this checks the mechanics and the report, not the figures.
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gui_responsiveness.py"), "--quick",
                             "--seconds", "0.3"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    out = result.stdout
    assert result.returncode in (0, 1), result.stderr[-3000:]  # 1: a target missed, which timings may do
    for case in ("(a)", "(b)", "(b')"):
        assert f"\n{case} " in out
    checks = [line for line in out.splitlines() if line.endswith(("PASS", "FAIL"))]
    assert len(checks) == 8, out
    assert any(line.startswith("refreshes/s with 1,000 weight curves") for line in checks), out
    assert any(line.startswith("weight curves shown") and line.endswith("PASS") for line in checks), out
    assert ("all targets met" in out) == (result.returncode == 0)
