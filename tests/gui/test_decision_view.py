"""The decision view with many inputs, its legend, its computation off the GUI thread, and the
size of its hidden-neuron maps (issue 15)."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from mlp_desktop.core import TrainConfig
from mlp_desktop.core.data import prepare_dataset, table_from_frame
from mlp_desktop.core.model import NetworkSpec, fit_model
from mlp_desktop.core.session import RowSets, trained_sample_session
from mlp_desktop.gui.plots import decision_view as module
from mlp_desktop.gui.plots import style
from mlp_desktop.gui.plots.decision_view import MIN_PLOT_HEIGHT, DecisionView


def trained(name: str, hidden=(6,), epochs: int = 20):
    session = trained_sample_session(name, hidden, epochs)
    return session.model(), session.row_sets


@pytest.fixture(scope="module")
def iris():
    return trained("iris", hidden=(12, 8))


@pytest.fixture(scope="module")
def pixels():
    """A 784-input classifier (28 x 28 "images", 3 classes), trained for one epoch, and its rows."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(0, 256, (60, 784)), columns=[f"p{i}" for i in range(784)])
    frame["output"] = [f"digit {k}" for k in rng.integers(0, 3, 60)]
    dataset = prepare_dataset(table_from_frame(frame))
    model, _ = fit_model(dataset, NetworkSpec(hidden_layers=[8]), TrainConfig(epochs=1, seed=1))
    return model, RowSets.of_frames(dataset.frame)


def shown_view(qtbot, width=900, height=450, resolution=20) -> DecisionView:
    view = DecisionView(resolution=resolution)
    view.min_interval = 0.0
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_caption_is_short_with_784_inputs_and_the_map_keeps_its_height(qtbot, pixels):
    model, frame = pixels
    view = shown_view(qtbot, 700, 260)  # shorter than the map wants: the view scrolls instead
    with qtbot.waitSignal(view.computed):
        view.set_model(model, frame)
    caption = view.status.text()
    x, y = view.x_combo.currentText(), view.y_combo.currentText()
    assert caption == f"x: {x}, y: {y} · 782 other inputs held fixed at their means"
    tooltip = view.status.toolTip()
    assert "Held fixed: p0 = " in tooltip and "… and 662 more" in tooltip
    assert view.pages.height() >= MIN_PLOT_HEIGHT
    assert view.scroll.verticalScrollBar().maximum() > 0
    # The Predict form's values, when given, are what the caption names.
    values = {c: 1.0 for c in model.preprocessor.inputs}
    with qtbot.waitSignal(view.computed):
        view.set_fixed(values)
    assert view.status.text().endswith("782 other inputs held fixed at the values in the Predict form")
    assert view.plane.held["p0"] == 1.0


@pytest.mark.parametrize("sample, classes", [("iris", ["setosa", "versicolor", "virginica"]),
                                              ("two_moons", None)])
def test_the_legend_names_each_class_with_its_colour(qtbot, sample, classes):
    model, frame = trained(sample, hidden=(4,), epochs=5)
    classes = classes or [str(c) for c in model.preprocessor.classes]
    view = shown_view(qtbot)
    with qtbot.waitSignal(view.computed):
        view.set_model(model, frame)
    legend = view.legend.text()
    assert view.legend.isVisible()
    for name, colour in zip(classes, module.class_colours(len(classes))):
        assert f"color:{colour.name()}'>&#9632;</span>&nbsp;{name}" in legend
    if len(classes) == 2:  # the colour bar says which probability it shows
        assert view.colour_bar.getAxis("right").labelText == f"P({classes[1]})"


def test_regression_has_a_labelled_colour_bar_and_no_class_legend(qtbot):
    model, frame = trained("health_score", hidden=(3,), epochs=5)
    view = shown_view(qtbot)
    with qtbot.waitSignal(view.computed):
        view.set_model(model, frame)
    assert not view.legend.isVisible()
    assert view.colour_bar.getAxis("right").labelText == "predicted output"


def test_the_grid_is_computed_off_the_gui_thread(qtbot, iris, monkeypatch):
    threads = []
    real = module.evaluate_plane

    def recording(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "evaluate_plane", recording)
    view = shown_view(qtbot)
    with qtbot.waitSignal(view.computed):
        view.set_model(*iris)
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert view.last_result.thread_id != threading.main_thread().ident
    # New weights for the same network reuse the plane: only the forward pass runs again.
    plane, before = view.plane, view.grid.output.copy()
    with qtbot.waitSignal(view.computed):
        view.set_weights(iris[0].net.get_parameters() * 1.5)
    assert view.plane is plane and not np.allclose(before, view.grid.output)


def test_stale_results_are_dropped_and_requests_merge(qtbot, iris, monkeypatch):
    gate, calls = threading.Event(), []
    real = module.evaluate_plane

    def held_back(model, plane, net=None):
        calls.append(plane.y_column)
        if len(calls) == 1:
            gate.wait(5)  # the first computation runs until the test lets it go
        return real(model, plane, net)

    monkeypatch.setattr(module, "evaluate_plane", held_back)
    view = shown_view(qtbot)
    view.set_model(*iris)
    qtbot.waitUntil(lambda: len(calls) == 1)
    first_y = calls[0]
    other = next(c for c in iris[0].inputs if c not in (view.x_combo.currentText(), first_y))
    view.y_combo.setCurrentText(other)  # the running result now answers an old question
    for _ in range(5):
        view.refresh()  # merged into one request while one is in flight
    assert view.busy
    with qtbot.waitSignal(view.computed, timeout=5000):
        gate.set()
    assert view.dropped == 1
    assert calls == [first_y, other]
    assert view.grid.y_column == other and view.plot.getAxis("left").labelText == other


def test_hidden_neuron_maps_get_a_usable_size(qtbot, iris):
    view = shown_view(qtbot, 1000, 420)
    with qtbot.waitSignal(view.computed):
        view.set_model(*iris)
    view.hidden_check.setChecked(True)
    qtbot.wait(50)
    plot_width, maps_width = view.splitter.sizes()
    assert maps_width >= 0.4 * (plot_width + maps_width)
    tiles = [tile for tile in view.neuron_tiles if tile.scene() is not None]
    assert len(tiles) == 16 and view.neuron_note.text().startswith("16 of 20 hidden neurons")
    for tile in tiles:
        assert tile.vb.width() >= 90 and tile.vb.height() >= 80, (tile.vb.width(), tile.vb.height())
    # The maps scroll rather than shrink.
    assert view.neuron_scroll.verticalScrollBar().maximum() > 0


def test_the_map_follows_the_dark_look(qtbot, iris, tmp_path):
    view = shown_view(qtbot)
    with qtbot.waitSignal(view.computed):
        view.set_model(*iris)
    light = view.image.image.copy()
    try:
        style.set_dark(True)
        style.restyle(view, style.LIGHT, style.DARK)  # what a theme switch does to every view
        assert view.plot_layout.backgroundBrush().color().name() == style.DARK.background
        # Unsure cells fade into the dark paper, not into white.
        dark = view.image.image.copy()
        assert dark.mean() < light.mean()
        # An export is drawn on white paper, the map's cells too, and the view is dark again after.
        drawn = []
        original = view.image.setImage
        view.image.setImage = lambda image, **kwargs: (drawn.append(image.copy()), original(image, **kwargs))
        view.export(tmp_path / "map.png")
        assert drawn and np.array_equal(drawn[0], light) and np.array_equal(view.image.image, dark)
    finally:
        style.set_dark(False)


def test_the_same_data_again_keeps_the_plane_and_the_result_on_its_way(qtbot, iris):
    model, rows = iris
    view = shown_view(qtbot)
    with qtbot.waitSignal(view.computed):
        view.set_model(model, rows)
    plane = view.plane
    view.set_weights(model.net.get_parameters() * 1.1)  # a live refresh on its way ...
    with qtbot.waitSignal(view.computed):  # ... then the end of the run: the same rows, new objects
        view.set_model(model, RowSets.of_frames(rows.train.iloc[:]))
    assert view.plane is plane and view.dropped == 0
    with qtbot.waitSignal(view.computed):
        view.set_model(model, RowSets.of_frames(rows.train.iloc[1:]))  # other rows: a new plane
    assert view.plane is not plane


def test_the_same_column_on_both_axes_says_so_and_leaves_no_old_map(qtbot, iris):
    """It said "Choose two different columns" under the map of the axes chosen before."""
    view = shown_view(qtbot)
    with qtbot.waitSignal(view.computed):
        view.set_model(*iris)
    assert view.image.image is not None
    with qtbot.waitSignal(view.computed):
        view.y_combo.setCurrentIndex(view.x_combo.currentIndex())
    assert "two different columns" in view.status.text()
    assert view.image.image is None and view.grid is None
