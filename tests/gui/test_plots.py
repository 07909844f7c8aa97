"""The live training plots, driven the way the main window and a user drive them."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from mlp_desktop.core.errors import DataError
from mlp_desktop.core.network import MLP
from mlp_desktop.gui.plots import GradientPlot, RmsePlot, WeightPlots
from mlp_desktop.gui.plots.many_curves import concatenated_curves
from mlp_desktop.core.parameters import default_columns, group_parameters
from mlp_desktop.gui.plots.weight_grid import grid_shape


def names_for(layer_sizes):
    activations = ["tanh"] * (len(layer_sizes) - 2) + ["identity"]
    return MLP(layer_sizes, activations, seed=0).parameter_names()


def shown(qtbot, widget, width=900, height=600):
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def settle(qtbot):
    """Let pyqtgraph finish its deferred range updates and paint once."""
    qtbot.wait(30)


def scene_pos(view_box, x, y):
    return view_box.mapViewToScene(QPointF(x, y))


def wheel_over(plot_widget: pg.GraphicsView, view_box: pg.ViewBox) -> None:
    """A real mouse-wheel zoom over the middle of ``view_box``."""
    point = plot_widget.mapFromScene(view_box.sceneBoundingRect().center())
    position = QPointF(point)
    event = QWheelEvent(
        position, QPointF(plot_widget.viewport().mapToGlobal(point)), QPoint(0, 0), QPoint(0, 120),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )
    QApplication.sendEvent(plot_widget.viewport(), event)


def legend_labels(legend: pg.LegendItem) -> list[str]:
    return [label.text for _, label in legend.items]


class FakeClick:
    """The parts of a pyqtgraph mouse-click event the plots read."""

    def __init__(self, pos):
        self._pos = pos

    def button(self):
        return Qt.MouseButton.LeftButton

    def double(self):
        return False

    def scenePos(self):
        return self._pos


# -- RMSE ---------------------------------------------------------------------------------------


class TestRmsePlot:
    def test_batches_of_epochs_become_curve_points(self, qtbot):
        plot = shown(qtbot, RmsePlot())
        epochs = np.arange(1, 101)
        train = 1.0 / epochs
        val = 1.2 / epochs
        plot.append(epochs[:40], train[:40], val[:40])
        plot.append(epochs[40:], train[40:], val[40:])
        x, y = plot.train_curve.getData()
        np.testing.assert_array_equal(x, epochs)
        np.testing.assert_allclose(y, train)
        np.testing.assert_allclose(plot.val_curve.getData()[1], val)
        assert legend_labels(plot.legend) == ["train", "validation"]
        assert "train 0.01 · validation 0.012" in plot.values_label.text()
        assert "epoch 100" in plot.values_label.text()

    def test_all_nan_validation_is_hidden_and_left_out_of_the_legend(self, qtbot):
        plot = shown(qtbot, RmsePlot())
        plot.append(np.arange(1, 51), np.linspace(1, 0.5, 50), np.full(50, np.nan))
        assert not plot.val_curve.isVisible()
        assert legend_labels(plot.legend) == ["train"]
        assert "validation" not in plot.values_label.text()
        assert plot.train_curve.isVisible()
        # A run with a validation split afterwards brings it back.
        plot.set_series(np.arange(1, 11), np.linspace(1, 0.5, 10), np.linspace(1.1, 0.6, 10))
        assert plot.val_curve.isVisible()
        assert legend_labels(plot.legend) == ["train", "validation"]
        assert len(plot.train_curve.getData()[0]) == 10

    @pytest.mark.parametrize("early_stopped", [False, True])
    def test_the_best_epoch_line_says_what_it_is_in_the_legend_with_or_without_early_stopping(
            self, qtbot, early_stopped):
        """Without early stopping the dashed line had no words at all (its label was set while the line
        was hidden, and pyqtgraph then never drew the text); with it, only the stop line's label showed,
        under the legend."""
        plot = shown(qtbot, RmsePlot())
        plot.resize(330, 380)  # its size in the window at 1280x800
        epochs = np.arange(1, 301)
        plot.set_series(epochs, 1.0 / epochs, 1.0 / epochs + (epochs - 165.0) ** 2 / 1e5)
        plot.set_best_epoch(165, early_stopped=early_stopped, stop_epoch=300 if early_stopped else None)
        settle(qtbot)
        best = "best validation RMSE,<br>epoch 165" + (", weights kept" if early_stopped else "")
        expected = ["train", "validation", best] + (["early stop, epoch 300"] if early_stopped else [])
        assert legend_labels(plot.legend) == expected
        assert plot.best_line.toolTip().startswith("Best validation RMSE at epoch 165") and plot.best_epoch() == 165
        # nothing drawn as text over the data: the words are the legend's, inside the plot
        assert not [item for item in plot.plot_item.vb.addedItems if isinstance(item, pg.TextItem)]
        assert all(getattr(line, "label", None) is None for line in (plot.best_line, plot.stop_line))
        view = plot.plot_item.vb.sceneBoundingRect()
        assert view.contains(plot.legend.sceneBoundingRect())
        assert plot.legend.sceneBoundingRect().width() < 0.75 * view.width()
        plot.set_best_epoch(None)
        assert legend_labels(plot.legend) == ["train", "validation"] and not plot.best_line.isVisible()

    def test_reset_and_unit_label(self, qtbot):
        plot = shown(qtbot, RmsePlot())
        plot.append([1, 1_000_000], [5.0, 0.4], [np.nan, np.nan])
        settle(qtbot)
        assert plot.plot_item.vb.viewRange()[0][1] > 900_000
        plot.reset()
        x = plot.train_curve.getData()[0]
        assert x is None or len(x) == 0
        assert plot.values_label.text().startswith("Press Train")  # what will appear, not stale values
        settle(qtbot)
        assert plot.plot_item.vb.viewRange() == [[0.0, 1.0], [0.0, 1.0]]  # not the last run's axes
        plot.append([1, 2], [0.5, 0.4], [np.nan, np.nan])
        settle(qtbot)
        assert plot.plot_item.vb.viewRange()[0][1] < 10  # and fitted to the new run's data
        plot.set_unit_label("RMSE (output units)")
        assert "RMSE (output units)" in plot.plot_item.getAxis("left").labelText

    def test_the_latest_values_line_does_not_make_the_plot_jump(self, qtbot):
        plot = shown(qtbot, RmsePlot())
        plot.resize(230, 400)
        settle(qtbot)
        plot.append([1_000_000], [0.123456789], [0.987654321])  # long numbers: two lines at this width
        settle(qtbot)
        tall = plot.plot_widget.height()
        assert plot.values_label.height() > 1.5 * plot.values_label.fontMetrics().height()
        plot.append([1_000_001], [0.5], [np.nan])  # a short line would fit on one line
        settle(qtbot)
        assert plot.plot_widget.height() == tall  # the line kept its room for the run
        plot.reset()
        settle(qtbot)
        assert plot.values_label.minimumHeight() == 0

    def test_log_toggle(self, qtbot):
        plot = shown(qtbot, RmsePlot())
        plot.append(np.arange(1, 11), np.logspace(0, -3, 10), np.full(10, np.nan))
        assert not plot.is_log_y()
        plot.log_action.trigger()
        assert plot.is_log_y() and plot.plot_item.getAxis("left").logMode
        np.testing.assert_allclose(plot.train_curve.getData()[1], np.linspace(0, -3, 10))
        plot.log_action.trigger()
        assert not plot.plot_item.getAxis("left").logMode

    def test_follow_latest_tracks_the_run_until_the_user_zooms(self, qtbot):
        plot = shown(qtbot, RmsePlot())
        view = plot.plot_item.vb
        plot.append(np.arange(1, 101), np.linspace(1, 0.1, 100), np.full(100, np.nan))
        settle(qtbot)
        low, high = view.viewRange()[0]
        assert low <= 1 and high >= 100
        plot.append(np.arange(101, 501), np.full(400, 0.1), np.full(400, np.nan))
        assert view.viewRange()[0][1] >= 500
        wheel_over(plot.plot_widget, view)
        assert not plot.follow.enabled
        zoomed = view.viewRange()[0]
        plot.append(np.arange(501, 1001), np.full(500, 0.1), np.full(500, np.nan))
        np.testing.assert_allclose(view.viewRange()[0], zoomed)
        plot.follow.action.trigger()  # back on: jumps to the newest data
        assert view.viewRange()[0][1] >= 1000

    def test_follow_a_window_of_last_epochs(self, qtbot):
        plot = shown(qtbot, RmsePlot())
        plot.follow.set_window(100)
        plot.append(np.arange(1, 1001), np.full(1000, 0.2), np.full(1000, 0.3))
        low, high = plot.plot_item.vb.viewRange()[0]
        assert 880 <= low <= 900 and 1000 <= high <= 1005

    def test_hover_names_the_nearest_point(self, qtbot):
        plot = shown(qtbot, RmsePlot())
        epochs = np.arange(1, 101)
        plot.append(epochs, np.linspace(1, 0.01, 100), np.linspace(2, 1.5, 100))
        settle(qtbot)
        view = plot.plot_item.vb
        plot._on_mouse_moved(scene_pos(view, 50, 1.5 + 0.5 * 51 / 99))
        assert plot.hover_label.text().startswith("validation · epoch 50 · ")
        assert plot.marker.isVisible()
        plot._on_mouse_moved(scene_pos(view, 20, plot.train_curve.getData()[1][19]))
        assert plot.hover_label.text() == f"train · epoch 20 · {np.linspace(1, 0.01, 100)[19]:.4g}"
        plot._on_mouse_moved(QPointF(-50, -50))  # outside the plot
        assert not plot.marker.isVisible()

    def test_export_png_and_svg_atomically(self, qtbot, tmp_path):
        plot = shown(qtbot, RmsePlot())
        plot.append(np.arange(1, 51), np.linspace(1, 0.1, 50), np.linspace(1.2, 0.2, 50))
        settle(qtbot)
        plot.export(tmp_path / "rmse.png")
        plot.export(tmp_path / "rmse.svg")
        png = (tmp_path / "rmse.png").read_bytes()
        assert png.startswith(b"\x89PNG") and len(png) > 1000
        from PySide6.QtGui import QImage

        image = QImage(str(tmp_path / "rmse.png"))  # drawn larger than on screen, for documents
        on_screen = plot.plot_item.sceneBoundingRect()
        assert abs(image.width() - 2 * on_screen.width()) <= 2  # as a high-resolution screen shows it
        assert abs(image.width() / image.height() - on_screen.width() / on_screen.height()) < 0.05
        assert "<svg" in (tmp_path / "rmse.svg").read_text(encoding="utf-8")
        with pytest.raises(DataError, match=r"\.png or \.svg"):
            plot.export(tmp_path / "rmse.bmp")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["rmse.png", "rmse.svg"]

    def test_a_long_run_stays_bounded(self, qtbot):
        plot = shown(qtbot, RmsePlot(max_buckets=1024))
        for start in range(1, 100_001, 1000):  # 100,000 epochs in 100 reports
            epochs = np.arange(start, start + 1000)
            plot.append(epochs, 1.0 / epochs, np.full(1000, np.nan))
        assert len(plot.buffer) == 100_000
        assert plot.buffer.n_buckets <= 1024
        assert len(plot.train_curve.getData()[0]) <= 2 * 1024 + 1
        assert plot.train_curve.getData()[0][-1] == 100_000


# -- gradients ----------------------------------------------------------------------------------


class TestGradientPlot:
    def test_one_curve_per_layer_on_a_log_axis(self, qtbot):
        plot = shown(qtbot, GradientPlot())
        plot.set_layer_count(3)
        assert plot.is_log_y()
        for epoch in range(1, 21):
            plot.append(epoch, np.array([1e-4, 1e-3, 1e-2]) * epoch)
        assert legend_labels(plot.legend) == ["layer 1", "layer 2", "layer 3"]
        x, y = plot.curves[2].getData()
        np.testing.assert_array_equal(x, np.arange(1, 21))
        np.testing.assert_allclose(y, np.log10(1e-2 * np.arange(1, 21)))  # displayed in log
        assert "layer 1 0.002" in plot.values_label.text()

    def test_fewer_layers_hide_the_extra_curves(self, qtbot):
        plot = shown(qtbot, GradientPlot(n_layers=4))
        plot.append(1, np.ones(4))
        plot.set_layer_count(2)
        assert len(plot.buffer) == 0
        plot.append(1, np.array([0.5, 0.25]))
        assert legend_labels(plot.legend) == ["layer 1", "layer 2"]
        assert [c.isVisible() for c in plot.curves] == [True, True, False, False]

    def test_a_long_run_stays_bounded_and_exports(self, qtbot, tmp_path):
        plot = shown(qtbot, GradientPlot(n_layers=2, max_buckets=512))
        epochs = np.arange(1, 100_001)
        plot.set_series(epochs, np.column_stack([1 / epochs, 2 / epochs]))
        for epoch in range(100_001, 100_011):
            plot.append(epoch, np.array([1e-5, 2e-5]))
        assert plot.buffer.n_buckets <= 512
        assert len(plot.curves[0].getData()[0]) <= 2 * 512 + 1
        plot.export(tmp_path / "g.svg")
        assert "<svg" in (tmp_path / "g.svg").read_text(encoding="utf-8")


# -- weights ------------------------------------------------------------------------------------


def test_parameter_groups_follow_layers_and_destination_neurons():
    names = names_for([3, 2, 1])
    groups = group_parameters(names)
    assert [g.title for g in groups] == ["Layer 1 (W1, b1)", "Layer 2 (W2, b2)"]
    neuron_1 = groups[0].neurons[1]
    assert neuron_1.title == "neuron 1"
    assert [names[c] for c in neuron_1.columns] == ["W1[0,1]", "W1[1,1]", "W1[2,1]", "b1[1]"]
    big = group_parameters(names_for([40, 30, 1]))
    chosen = default_columns(big)
    assert len(chosen) == 4 * 41  # whole neuron groups of 40 weights + 1 bias, up to 200
    assert default_columns(group_parameters(names_for([30, 30, 1]))) == list(range(961))


def test_grid_shape_is_a_little_wider_than_tall():
    assert grid_shape(11) == (3, 4)
    assert grid_shape(16) == (4, 4)  # at most four columns: six were cut off at 1280x800
    assert grid_shape(1) == (1, 1)


def test_concatenated_curves_break_between_curves():
    x = np.array([1.0, 2.0, 3.0])
    rows = np.arange(12.0).reshape(3, 4)
    all_x, all_y, connect = concatenated_curves(x, rows, [1, 3])
    np.testing.assert_array_equal(all_x, [1, 2, 3, 1, 2, 3])
    np.testing.assert_array_equal(all_y, [1, 5, 9, 3, 7, 11])
    np.testing.assert_array_equal(connect, [1, 1, 0, 1, 1, 0])


def test_starting_values_show_before_the_first_epoch(qtbot):
    """One snapshot (the initial weights) draws no line: tiles and the many-curve plot show dots."""
    plots = shown(qtbot, WeightPlots())
    plots.set_parameter_names(names_for([3, 2, 1]))
    plots.set_series(np.array([0]), np.arange(11.0)[None, :])
    assert plots.grid.curves[4].opts["symbol"] == "o"
    plots.append(1, np.arange(11.0))
    assert plots.grid.curves[4].opts["symbol"] is None  # a line from the second epoch on
    many = names_for([10, 8, 1])  # 97 parameters: the tree and one plot of many curves
    plots.set_parameter_names(many)
    plots.set_series(np.array([0]), np.linspace(-1, 1, len(many))[None, :])
    dots = plots.curves_plot.start_dots
    assert plots.mode == "tree" and len(dots.data) == len(plots.curves_plot.columns) > 0
    plots.append(1, np.zeros(len(many)))
    assert len(dots.data) == 0


class TestWeightGrid:
    def test_small_networks_get_one_titled_plot_per_parameter(self, qtbot):
        plots = shown(qtbot, WeightPlots())
        names = names_for([3, 2, 1])
        plots.set_parameter_names(names)
        assert plots.mode == "grid" and len(plots.grid.tiles) == 11
        assert [tile.titleLabel.text for tile in plots.grid.tiles] == names
        rows = np.arange(33.0).reshape(3, 11)
        for epoch, row in zip((1, 5, 9), rows):
            plots.append(epoch, row)
        x, y = plots.grid.curves[4].getData()
        np.testing.assert_array_equal(x, [1, 5, 9])
        np.testing.assert_array_equal(y, rows[:, 4])
        plots.set_series(np.array([1.0, 2.0]), np.ones((2, 11)))
        np.testing.assert_array_equal(plots.grid.curves[0].getData()[0], [1, 2])

    def test_an_edit_uses_the_tiles_again_and_each_comes_back_as_new(self, qtbot):
        plots = shown(qtbot, WeightPlots())
        grid = plots.grid
        plots.set_parameter_names(names_for([3, 2, 1]))  # 11 tiles in 3 rows of 4
        first = list(grid.tiles)
        plots.append(1, np.arange(11.0))
        plots.highlight(["W1[0,0]"])
        plots.set_parameter_names(names_for([3, 3, 1]))  # 16: the 11 again and 5 new ones
        assert grid.tiles[:11] == first and len(grid.tiles) == 16
        plots.set_parameter_names(names_for([3, 1, 1]))  # 6 in 2 rows of 3 (and 10 kept aside)
        names = names_for([3, 1, 1])
        settle(qtbot)
        assert grid.tiles == first[:6] and grid.tile_grid.grid.count() == 6
        assert [tile.titleLabel.text for tile in grid.tiles] == names
        assert all(grid.tile_grid.tile_at(*divmod(i, 3)) is tile for i, tile in enumerate(grid.tiles))
        scene = grid.layout_widget.scene()
        assert all(tile.scene() is None for tile, _ in grid._made[6:])  # the 10 kept aside are off screen
        assert all(tile.scene() is scene for tile in grid.tiles)
        bottom = [tile.getAxis("bottom").isVisible() for tile in grid.tiles]
        assert bottom == [False, False, False, True, True, True]  # only the lowest of each column
        assert grid.tiles[3].getAxis("bottom").labelText == "epoch"
        assert all(curve.getData()[0] is None or len(curve.getData()[0]) == 0 for curve in grid.curves)
        assert all(curve.opts["pen"].width() == 1 for curve in grid.curves)  # no highlight carried over
        assert all(tile.vb.linkedView(0) is grid.tiles[0].vb for tile in grid.tiles[1:])
        assert grid.tiles[0].vb.linkedView(0) is None
        for epoch in range(1, 30):
            plots.append(epoch, np.full(6, float(epoch)))
        settle(qtbot)
        assert grid.tiles[5].vb.viewRange()[0][1] >= 29  # the x range follows the first tile's

    def test_a_tile_builds_no_widgets_and_draws_curve_axes_and_title(self, qtbot):
        """pyqtgraph's PlotItem built an options menu of about 40 widgets per tile, never shown:
        a quarter of the window's build. A tile is graphics items only."""
        plots = shown(qtbot, WeightPlots())
        before = len(QApplication.allWidgets())
        plots.set_parameter_names(names_for([3, 3, 1]))  # 16 tiles
        assert len(QApplication.allWidgets()) - before <= 16  # (pyqtgraph's scene adds one per plot placed)
        plots.set_series(np.array([1.0, 2.0, 3.0]), np.arange(48.0).reshape(3, 16))
        settle(qtbot)
        tile = plots.grid.tiles[0]
        assert tile.titleLabel.text == "W1[0,0]" and tile.titleLabel.isVisible()
        assert tile.getAxis("left").isVisible() and tile.vb.height() >= 40
        assert plots.grid.curves[0] in tile.vb.addedItems
        assert tile.vb.viewRange()[1][0] <= 0 <= 32 <= tile.vb.viewRange()[1][1]  # the y range fits the curve

    def test_a_weight_an_edit_added_shows_its_value_at_the_edit_as_a_dot(self, qtbot):
        plots = shown(qtbot, WeightPlots())
        plots.set_parameter_names(names_for([2, 1]))  # W1[0,0], W1[1,0], b1[0]
        plots.set_series(np.array([1.0, 2.0, 3.0]), np.array([[1.0, 2.0, np.nan], [1.1, 2.1, np.nan],
                                                              [1.2, 2.2, 0.5]]))
        curves = plots.grid.curves
        assert curves[2].opts["symbol"] == "o" and curves[0].opts["symbol"] is None
        plots.append(4, np.array([1.3, 2.3, 0.6]))  # trained on: a line from the edit on
        assert curves[2].opts["symbol"] is None

    def test_a_theme_change_lets_the_tiles_kept_aside_go(self, qtbot):
        plots = shown(qtbot, WeightPlots())
        grid = plots.grid
        plots.set_parameter_names(names_for([3, 3, 1]))
        plots.set_parameter_names(names_for([2, 1]))
        assert len(grid._made) == 16
        grid.on_look_changed()  # (style.restyle recolours what is in the grid)
        assert len(grid._made) == 3 and grid._made[0][0] is grid.tiles[0]

    def test_highlight_changes_the_pen(self, qtbot):
        plots = shown(qtbot, WeightPlots())
        plots.set_parameter_names(names_for([3, 2, 1]))
        curve = plots.grid.curves[6]  # b1[0]
        assert curve.opts["pen"].width() == 1
        plots.highlight(["b1[0]", "no-such-name"])
        assert curve.opts["pen"].width() == 3
        assert plots.grid.curves[0].opts["pen"].width() == 1
        plots.highlight([])
        assert curve.opts["pen"].width() == 1

    def test_hover_and_click_a_tile(self, qtbot):
        plots = shown(qtbot, WeightPlots())
        names = names_for([3, 2, 1])
        plots.set_parameter_names(names)
        for epoch in range(1, 11):
            plots.append(epoch, np.arange(11.0) * epoch)
        settle(qtbot)
        tile = plots.grid.tiles[3]
        assert plots.grid.markers == []  # made on the first hover
        plots.grid._on_mouse_moved(scene_pos(tile.vb, 4, 12))
        assert plots.grid.hover_label.text() == "W1[1,1] · epoch 4 · 12"
        assert plots.grid.markers == [tile.marker] and tile.marker.isVisible()
        assert list(tile.marker.data["x"]) == [4] and list(tile.marker.data["y"]) == [12]
        plots.grid._on_mouse_moved(scene_pos(plots.grid.tiles[0].vb, 4, 0))
        assert not tile.marker.isVisible() and plots.grid.tiles[0].marker.isVisible()
        with qtbot.waitSignal(plots.curveSelected) as selected:
            plots.grid._on_mouse_clicked(FakeClick(scene_pos(tile.vb, 4, 12)))
        assert selected.args == ["W1[1,1]"]

    def test_follow_turns_off_when_a_tile_is_zoomed(self, qtbot):
        plots = shown(qtbot, WeightPlots())
        plots.set_parameter_names(names_for([2, 1]))
        for epoch in range(1, 50):
            plots.append(epoch, np.full(3, float(epoch)))
        settle(qtbot)
        assert plots.grid.tiles[2].vb.viewRange()[0][1] >= 49  # x-linked to the first tile
        wheel_over(plots.grid.layout_widget, plots.grid.tiles[2].vb)
        assert not plots.follow.enabled

    def test_export_the_whole_grid(self, qtbot, tmp_path):
        plots = shown(qtbot, WeightPlots())
        with pytest.raises(DataError):
            plots.export(tmp_path / "nothing.png")
        plots.set_parameter_names(names_for([2, 2, 1]))
        plots.append(1, np.zeros(9))
        plots.append(2, np.ones(9))
        settle(qtbot)
        plots.export(tmp_path / "w.png")
        plots.export(tmp_path / "w.svg")
        assert (tmp_path / "w.png").stat().st_size > 1000
        svg = (tmp_path / "w.svg").read_text(encoding="utf-8")
        assert "<svg" in svg and "b2[0]" in svg


@pytest.mark.parametrize("layer_sizes, max_rows, epochs", [([2, 2, 1], 2048, 7), ([4, 5, 3], 2048, 7),
                                                            ([4, 5, 3], 4, 11)])
def test_set_history_draws_what_the_stacked_rows_draw(qtbot, layer_sizes, max_rows, epochs):
    # set_history reads the history as it is; what it draws is set_series of epoch 0 and every kept
    # epoch (also when the latest epoch is not a kept row: max_rows=4 thins 11 epochs).
    from mlp_desktop.core.history import History

    names = names_for(layer_sizes)
    rng = np.random.default_rng(3)
    history = History(names, max_rows=max_rows)
    history.set_initial(1.0, np.nan, rng.normal(size=len(names)))
    for epoch in range(1, epochs + 1):
        history.append(epoch, 1 / epoch, np.nan, rng.normal(size=len(names)))
    direct, stacked = shown(qtbot, WeightPlots()), shown(qtbot, WeightPlots())
    for plots in (direct, stacked):
        plots.set_parameter_names(names)
    direct.set_history(history)
    stacked.set_series(np.concatenate([[0], history.epochs]), np.vstack([history.initial_params[None, :], history.params]))
    for a, b in zip(direct.buffer.arrays(), stacked.buffer.arrays()):
        assert a.tobytes() == b.tobytes()
    if direct.mode == "grid":
        items = [(a, b) for a, b in zip(direct.grid.curves, stacked.grid.curves)]
    else:
        items = list(zip(direct.curves_plot.colour_items, stacked.curves_plot.colour_items))
    assert items
    for a, b in items:
        for x, y in zip(a.getData(), b.getData()):
            assert (x is None and y is None) or np.array_equal(x, y)


class TestWeightTree:
    def test_more_than_24_parameters_use_the_tree_and_one_plot(self, qtbot):
        plots = shown(qtbot, WeightPlots())
        names = names_for([4, 5, 3])  # 43 parameters
        plots.set_parameter_names(names)
        assert plots.mode == "tree"
        assert [item.text(0) for item in plots.tree.layer_items] == [
            "Layer 1 (W1, b1)", "Layer 2 (W2, b2)",
        ]
        neuron_0 = plots.tree.layer_items[0].child(0)
        assert neuron_0.text(0) == "neuron 0"
        assert [neuron_0.child(i).text(0) for i in range(neuron_0.childCount())] == [
            "W1[0,0]", "W1[1,0]", "W1[2,0]", "W1[3,0]", "b1[0]",
        ]
        assert plots.checked_names() == names  # at most 1,000: all shown at first
        rows = np.random.default_rng(0).normal(size=(5, 43))
        plots.set_series(np.arange(1, 6), rows)
        assert plots.curves_plot.segment_count() == 43
        assert "43 curves" in plots.legend_label.text()

    def test_checking_a_layer_shows_all_of_its_curves(self, qtbot):
        plots = shown(qtbot, WeightPlots())
        names = names_for([4, 5, 3])
        plots.set_parameter_names(names)
        plots.set_series(np.arange(1, 4), np.tile(np.arange(43.0), (3, 1)))
        plots.set_checked_names([])
        qtbot.waitUntil(lambda: plots.curves_plot.segment_count() == 0)
        assert "No curves" in plots.legend_label.text()
        layer_2 = plots.tree.layer_items[1]
        layer_2.setCheckState(0, Qt.CheckState.Checked)  # what a click on its box does
        layer_2_names = [n for n in names if n.startswith(("W2", "b2"))]
        qtbot.waitUntil(lambda: plots.checked_names() == layer_2_names)
        assert plots.curves_plot.segment_count() == 18
        drawn = np.concatenate([item.getData()[1] for item in plots.curves_plot.colour_items
                                if item.getData()[0] is not None and len(item.getData()[0])])
        assert set(drawn) == {float(names.index(n)) for n in layer_2_names}
        # Unticking one neuron leaves the rest; the legend lists up to 20 curves by name.
        layer_2.child(0).setCheckState(0, Qt.CheckState.Unchecked)
        qtbot.waitUntil(lambda: plots.curves_plot.segment_count() == 12)
        assert "W2[0,1]" in plots.legend_label.text() and "W2[0,0]" not in plots.legend_label.text()
        assert layer_2.checkState(0) == Qt.CheckState.PartiallyChecked

    def test_large_networks_start_with_the_first_neuron_groups(self, qtbot):
        plots = shown(qtbot, WeightPlots())
        plots.set_parameter_names(names_for([40, 30, 1]))  # 1,261 parameters
        expected = {f"W1[{i},{j}]" for i in range(40) for j in range(4)} | {
            f"b1[{j}]" for j in range(4)
        }
        assert set(plots.checked_names()) == expected  # neurons 0-3 of layer 1: 164 curves
        assert plots.curves_plot.segment_count() == 0  # no data yet

    def test_a_thousand_curves_appended_300_times(self, qtbot):
        plots = shown(qtbot, WeightPlots(max_rows=256))
        names = names_for([40, 24, 1])  # 1,009 parameters
        plots.set_parameter_names(names)
        plots.set_checked_names(names)
        qtbot.waitUntil(lambda: len(plots.curves_plot.columns) == 1009)
        row = np.linspace(-1, 1, len(names))
        for epoch in range(1, 301):
            plots.append(epoch, row * np.cos(epoch / 50))
        assert plots.curves_plot.segment_count() == 1009
        x, rows = plots.buffer.arrays()
        assert len(x) <= 257 and x[-1] == 300
        points = sum(len(item.getData()[0]) for item in plots.curves_plot.colour_items)
        assert points <= 210_000
        settle(qtbot)  # and it paints

    def test_highlight_draws_the_curve_on_top(self, qtbot):
        plots = shown(qtbot, WeightPlots())
        names = names_for([4, 5, 3])
        plots.set_parameter_names(names)
        plots.set_series(np.arange(1, 4), np.tile(np.arange(43.0), (3, 1)))
        base_pen = plots.curves_plot.colour_items[0].opts["pen"]
        plots.highlight(["W2[4,2]"])
        x, y = plots.curves_plot.highlight_item.getData()
        np.testing.assert_array_equal(y, [names.index("W2[4,2]")] * 3)
        assert plots.curves_plot.highlight_item.opts["pen"].width() == 3
        assert plots.curves_plot.colour_items[0].opts["pen"].color().alpha() < base_pen.color().alpha()
        plots.highlight([])
        assert len(plots.curves_plot.highlight_item.getData()[0]) == 0
        assert plots.curves_plot.colour_items[0].opts["pen"].color().alpha() == 255

    def test_tree_item_click_selects_the_curve(self, qtbot):
        plots = shown(qtbot, WeightPlots())
        names = names_for([4, 5, 3])
        plots.set_parameter_names(names)
        leaf = plots.tree.leaf(names.index("b1[2]"))
        leaf.parent().setExpanded(True)
        plots.tree.scrollToItem(leaf)
        rect = plots.tree.visualItemRect(leaf)
        with qtbot.waitSignal(plots.curveSelected) as selected:
            qtbot.mouseClick(plots.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert selected.args == ["b1[2]"]

    def test_hover_and_click_in_the_many_curve_plot(self, qtbot):
        plots = shown(qtbot, WeightPlots())
        names = names_for([4, 5, 3])
        plots.set_parameter_names(names)
        plots.set_series(np.arange(1, 11), np.tile(np.arange(43.0), (10, 1)))
        settle(qtbot)
        view = plots.curves_plot.view_box
        target = names.index("W2[1,1]")
        plots.curves_plot._on_mouse_moved(scene_pos(view, 5, target + 0.1))
        assert plots.curves_plot.hover_label.text() == f"W2[1,1] · epoch 5 · {target}"
        with qtbot.waitSignal(plots.curveSelected) as selected:
            plots.curves_plot._on_mouse_clicked(FakeClick(scene_pos(view, 5, target)))
        assert selected.args == ["W2[1,1]"]
        plots.set_parameter_names(names_for([5, 5, 3]))  # another network: no read-out or range of the old one
        settle(qtbot)
        assert plots.curves_plot.hover_label.text() != f"W2[1,1] · epoch 5 · {target}"
        assert not plots.curves_plot.marker.isVisible() and view.viewRange()[0] == [0.0, 1.0]

    def test_curves_without_any_value_draw_nothing_and_raise_nothing(self, qtbot, capsys):
        plots = shown(qtbot, WeightPlots())
        names = names_for([4, 5, 3])
        plots.set_parameter_names(names)
        plots.set_series(np.arange(1, 5), np.full((4, len(names)), np.nan))  # added by an edit, not trained yet
        plots.curves_plot.grab()  # paint: pyqtgraph's painter raised an IndexError on such a connect mask
        assert all(len(item.getData()[0] if item.getData()[0] is not None else []) == 0
                   for item in plots.curves_plot.colour_items)
        assert "Ignored exception" not in capsys.readouterr().err

    def test_same_names_keep_the_ticks(self, qtbot):
        plots = shown(qtbot, WeightPlots())
        names = names_for([4, 5, 3])
        plots.set_parameter_names(names)
        plots.set_checked_names(["b2[0]", "b2[1]"])
        qtbot.waitUntil(lambda: plots.checked_names() == ["b2[0]", "b2[1]"])
        plots.set_parameter_names(names)
        assert plots.checked_names() == ["b2[0]", "b2[1]"]
        plots.set_parameter_names(names_for([2, 1]))
        assert plots.mode == "grid"


def test_nothing_grows_without_bound_after_100000_appends(qtbot):
    """The widgets' buffers and curves stay bounded however many epochs arrive."""
    rmse = shown(qtbot, RmsePlot(max_buckets=256))
    gradients = shown(qtbot, GradientPlot(n_layers=2, max_buckets=256))
    weights = shown(qtbot, WeightPlots(max_rows=128))
    weights.set_parameter_names(names_for([2, 2, 1]))
    epochs = np.arange(1, 100_001)
    for start in range(0, 100_000, 10_000):
        chunk = epochs[start : start + 10_000]
        rmse.append(chunk, 1.0 / chunk, 1.1 / chunk)
    gradients.set_series(epochs, np.column_stack([1.0 / epochs, 2.0 / epochs]))
    weights.set_series(epochs[:-10], np.outer(1.0 / epochs[:-10], np.ones(9)))
    sizes = []
    for epoch in range(99_991, 100_001):  # the live path after a long run
        gradients.append(epoch, np.array([1e-5, 2e-5]))
        weights.append(epoch, np.full(9, 1.0 / epoch))
        sizes.append((rmse.buffer.nbytes, gradients.buffer.nbytes, weights.buffer.nbytes))
    assert len(set(sizes)) == 1  # no growth at all while appending
    assert rmse.buffer.n_buckets <= 256 and gradients.buffer.n_buckets <= 256
    assert len(rmse.train_curve.getData()[0]) <= 513
    assert len(gradients.curves[1].getData()[0]) <= 513
    assert all(len(curve.getData()[0]) <= 129 for curve in weights.grid.curves)
    assert weights.grid.curves[0].getData()[0][-1] == 100_000


class TestLazyWeightTree:
    """Beyond EAGER_LEAVES parameters a neuron's leaves are made when it is expanded."""

    @pytest.fixture
    def plots(self, qtbot, monkeypatch):
        from mlp_desktop.gui.plots import weight_tree

        monkeypatch.setattr(weight_tree, "EAGER_LEAVES", 10)
        plots = shown(qtbot, WeightPlots())
        plots.set_parameter_names(names_for([4, 5, 3]))  # 43 parameters: lazy here
        return plots

    def test_leaves_are_made_on_expanding_with_the_ticks_kept(self, qtbot, plots):
        names = plots.parameter_names
        tree = plots.tree
        neuron_0, layer_2 = tree.layer_items[0].child(0), tree.layer_items[1]
        assert neuron_0.childCount() == 0 and plots.checked_names() == names
        assert neuron_0.checkState(0) == Qt.CheckState.Checked
        neuron_0.setExpanded(True)
        assert [neuron_0.child(i).text(0) for i in range(neuron_0.childCount())] == [
            "W1[0,0]", "W1[1,0]", "W1[2,0]", "W1[3,0]", "b1[0]"]
        assert all(neuron_0.child(i).checkState(0) == Qt.CheckState.Checked for i in range(5))
        # Unticking a layer reaches the neurons never expanded; one expanded leaf re-ticked.
        layer_2.setCheckState(0, Qt.CheckState.Unchecked)
        qtbot.waitUntil(lambda: not any(n.startswith(("W2", "b2")) for n in plots.checked_names()))
        layer_2.child(1).setCheckState(0, Qt.CheckState.Checked)  # a neuron never expanded
        wanted = [n for n in names if not n.startswith(("W2", "b2"))] + ["W2[0,1]", "W2[1,1]", "W2[2,1]",
                                                                          "W2[3,1]", "W2[4,1]", "b2[1]"]
        qtbot.waitUntil(lambda: set(plots.checked_names()) == set(wanted))
        assert layer_2.checkState(0) == Qt.CheckState.PartiallyChecked
        leaf = tree.leaf(names.index("b2[1]"))  # asked for: made, ticked as kept
        assert leaf.checkState(0) == Qt.CheckState.Checked and layer_2.child(1).childCount() == 6
        leaf.setCheckState(0, Qt.CheckState.Unchecked)
        qtbot.waitUntil(lambda: "b2[1]" not in plots.checked_names())
        assert layer_2.child(1).checkState(0) == Qt.CheckState.PartiallyChecked

    def test_set_checked_names_and_colours_reach_leaves_made_later(self, qtbot, plots):
        plots.set_checked_names(["W1[2,3]", "b1[3]"])
        qtbot.waitUntil(lambda: plots.checked_names() == ["W1[2,3]", "b1[3]"])
        neuron_3 = plots.tree.layer_items[0].child(3)
        assert neuron_3.checkState(0) == Qt.CheckState.PartiallyChecked
        assert plots.tree.layer_items[0].child(0).checkState(0) == Qt.CheckState.Unchecked
        neuron_3.setExpanded(True)
        ticked = [neuron_3.child(i).text(0) for i in range(neuron_3.childCount())
                  if neuron_3.child(i).checkState(0) == Qt.CheckState.Checked]
        assert ticked == ["W1[2,3]", "b1[3]"]
        assert neuron_3.child(2).data(0, Qt.ItemDataRole.DecorationRole) is not None  # its colour swatch
        assert neuron_3.child(0).data(0, Qt.ItemDataRole.DecorationRole) is None


def test_epoch_axes_write_numbers_alike_in_every_plot(qtbot):
    """The RMSE axis wrote 500000 and 1e+06 while the weight tiles wrote 500k and 1M."""
    from mlp_desktop.gui.plots.weight_grid import EpochAxis

    plot = shown(qtbot, RmsePlot())
    axis = plot.plot_item.getAxis("bottom")
    assert axis.tickStrings([0, 500_000, 1_000_000], 1.0, 500_000) == ["0", "500k", "1M"]
    assert EpochAxis("bottom").tickStrings([1500], 1.0, 500) == ["1.5k"]


def test_a_long_history_shown_first_keeps_its_rows_while_a_continued_run_arrives(qtbot):
    """The weights plot counted a history's rows (each standing for ~1,000 epochs) as single
    epochs: as the continued run's rows came in, the history's part was thinned to a few points."""
    from mlp_desktop.core.history import History

    names = names_for([2, 1])
    history = History(names)
    epochs = np.arange(1, 1_000_001)
    history.extend(epochs, (np.ones((epochs.size, 2)), np.ones((epochs.size, len(names)))), np.full(epochs.size, 0.1))
    plots = shown(qtbot, WeightPlots(max_rows=1024))
    plots.set_parameter_names(names)
    plots.set_history(history)
    for start in range(1_000_001, 3_000_001, 20_000):  # reports of the continued run, a row every 16 epochs
        plots.append_rows(np.arange(start, start + 20_000, 16), np.ones((1250, len(names))))
    x, _ = plots.buffer.arrays()
    assert np.count_nonzero(x <= 1_000_000) >= 0.2 * len(x) and len(x) <= 1025
