"""Evaluation and decision views, driven the way a user does."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlp_desktop.core import TrainConfig
from mlp_desktop.core.data import prepare_dataset
from mlp_desktop.core.evaluation import evaluation_report
from mlp_desktop.core.model import NetworkSpec
from mlp_desktop.core.session import RowSets, trained_sample_session
from mlp_desktop.gui.plots.decision_view import NEEDS_TWO, DecisionView
from mlp_desktop.gui.plots.evaluation_view import DATA_ROLE, EvaluationView


def trained(name: str, hidden=(6,), epochs: int = 60):
    session = trained_sample_session(name, hidden, epochs)
    return session.model(), session.row_sets.train, session.row_sets.validation


@pytest.fixture(scope="module")
def iris():
    return trained("iris")


@pytest.fixture(scope="module")
def health():
    return trained("health_score", hidden=(3,))


def table_values(view: EvaluationView) -> dict[str, list[float]]:
    table = view.table
    return {table.verticalHeaderItem(r).text(): [table.item(r, c).data(DATA_ROLE) for c in range(2)]
            for r in range(table.rowCount())}


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b)


def shown_results(qtbot, trained_model, width: int) -> EvaluationView:
    """An evaluation view ``width`` pixels wide, shown, with the model's results."""
    model, train, val = trained_model
    view = EvaluationView()
    qtbot.addWidget(view)
    view.resize(width, 400)
    view.show()
    view.set_results(model, RowSets.of_frames(train, val))
    return view


def cell_texts(report: dict) -> list[list[str]]:
    """What each cell of the confusion matrix reads: "count (share of its actual class)", "0" when empty."""
    return [[f"{count} ({share:.0%})" if count else "0" for count, share in zip(counts, shares)]
            for counts, shares in zip(report["confusion_matrix"], report["confusion_shares"])]


def test_classification_table_and_confusion_counts(qtbot, iris, tmp_path):
    model, train, val = iris
    view = shown_results(qtbot, iris, 900)
    train_report, val_report = evaluation_report(model, train), evaluation_report(model, val)
    values = table_values(view)
    assert list(values)[0] == "accuracy"
    assert same(values["accuracy"][0], train_report["accuracy"])
    assert same(values["accuracy"][1], val_report["accuracy"])
    for i, label in enumerate(train_report["classes"]):
        assert same(values[f"precision ({label})"][0], train_report["precision"][i])
        assert same(values[f"recall ({label})"][1], val_report["recall"][i])
    # Validation rows first; the combo switches to the training rows.
    assert view.rows_combo.currentText() == "validation"
    assert view.count_texts_shown() == cell_texts(val_report)
    view.rows_combo.setCurrentText("training")
    assert view.count_texts_shown() == cell_texts(train_report)
    np.testing.assert_array_equal(view.confusion_image.image, np.asarray(train_report["confusion_shares"]).T)
    qtbot.wait(10)
    written = view.export(tmp_path / "confusion.png")
    assert written.exists() and written.read_bytes()[:4] == b"\x89PNG"


def test_the_confusion_matrix_is_shaded_by_each_actual_class_s_share_and_says_so(qtbot, iris):
    """A large class shaded every cell of its row darker than a small class's, whatever the network did
    for each: the shading is now each row's shares (recall on the diagonal), the counts still written."""
    model, train, val = iris
    unbalanced = train[(train["species"] != "setosa") | (np.arange(len(train)) % 8 == 0)]  # few setosa rows
    view = EvaluationView()
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    view.set_results(model, RowSets.of_frames(unbalanced, val))
    view.rows_combo.setCurrentText("training")
    report = evaluation_report(model, unbalanced)
    matrix, shares = np.asarray(report["confusion_matrix"]), np.asarray(report["confusion_shares"])
    assert matrix.sum(axis=1).max() >= 4 * matrix.sum(axis=1).min()  # one class has far fewer rows
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.diag(shares), report["recall"])
    np.testing.assert_array_equal(view.confusion_image.image, shares.T)
    assert view.confusion_image.levels is not None and tuple(view.confusion_image.levels) == (0.0, 1.0)
    assert view.count_texts_shown() == cell_texts(report)
    assert "share of each actual class" in view.confusion_caption.text
    # white on the darkest cells, the theme's ink on the pale ones
    n = len(report["classes"])
    for k in range(n * n):
        white = view.count_texts[k].color.name() == "#ffffff"
        assert white == (shares[divmod(k, n)] > 0.6)


def test_cells_too_narrow_for_their_share_show_the_count_alone(qtbot):
    """Twelve classes in a 900-pixel view: "20 (100%)" does not fit a cell; every cell shows its count."""
    import pandas as pd

    from mlp_desktop.core.data import table_from_frame
    from mlp_desktop.core.session import TrainingSession

    rng = np.random.default_rng(0)
    labels = np.repeat([f"class {k}" for k in range(12)], 20)
    frame = pd.DataFrame({"x": rng.normal(size=240) + np.repeat(np.arange(12), 20), "label": labels})
    session = TrainingSession()
    session.set_dataset(prepare_dataset(table_from_frame(frame)))
    session.set_spec(NetworkSpec(hidden_layers=[4]))
    session.set_config(TrainConfig(epochs=5, seed=1, validation_fraction=0.2))
    session.train()
    view = shown_results(qtbot, (session.model(), session.row_sets.train, session.row_sets.validation), 900)
    view.rows_combo.setCurrentText("training")
    report = view._reports["training"]
    assert view.count_texts_shown() == [[str(count) for count in row] for row in report["confusion_matrix"]]
    np.testing.assert_array_equal(view.confusion_image.image, np.asarray(report["confusion_shares"]).T)


def test_regression_table_and_scatter(qtbot, health):
    model, train, val = health
    view = EvaluationView()
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.refreshRequested):
        view.update_button.click()
    view.set_results(model, RowSets.of_frames(train, val))
    values = table_values(view)
    assert list(values) == ["RMSE", "MAE", "R²"]
    for name, key in (("RMSE", "rmse"), ("MAE", "mae"), ("R²", "r2")):
        assert same(values[name][0], evaluation_report(model, train)[key])
        assert same(values[name][1], evaluation_report(model, val)[key])
    assert len(view.train_scatter.data) == len(train)
    assert len(view.val_scatter.data) == len(val)
    np.testing.assert_allclose(sorted(view.train_scatter.data["x"]), sorted(train["output"]))
    assert view.train_histogram.yData.sum() == len(train)
    # No validation rows: the validation column shows a dash.
    view.set_results(model, RowSets.of_frames(train))
    assert view.table.item(0, 1).text() == "–" and len(view.val_scatter.data) == 0
    view.clear()
    assert view.table.rowCount() == 0


def test_decision_view_image_columns_and_hidden(qtbot, tmp_path):
    model, train, _ = trained("iris", hidden=(12, 8), epochs=20)
    view = DecisionView(resolution=30)
    qtbot.addWidget(view)
    view.resize(900, 450)
    view.show()
    with qtbot.waitSignal(view.computed):
        view.set_model(model, RowSets.of_frames(train))
    # It starts on the inputs that separate the classes best, where all three show.
    assert (view.x_combo.currentText(), view.y_combo.currentText()) == ("petal_length", "petal_width")
    assert view.image.image.shape[:2] == (30, 30)
    first = view.grid
    with qtbot.waitSignal(view.computed):
        view.y_combo.setCurrentText("sepal_width")
    assert view.grid is not first and view.grid.y_column == "sepal_width"
    assert view.plot.getAxis("left").labelText == "sepal_width"
    assert not view.neuron_layout.isVisible()
    view.hidden_check.setChecked(True)
    assert view.neuron_layout.isVisible()
    shown = [tile for tile in view.neuron_tiles if tile.isVisible() and tile.scene() is not None]
    assert len(shown) == 16
    assert view.neuron_images[0].image.shape == (30, 30)
    # 16 of the 20 fit: those that vary most over the plane, the liveliest first.
    maps = [m for layer in view.grid.hidden for m in layer]
    np.testing.assert_allclose(view.neuron_images[0].image, maps[int(np.argmax([np.ptp(m) for m in maps]))])
    assert "16 of 20 hidden neurons, those that vary most" in view.neuron_note.text()
    qtbot.wait(10)
    written = view.export(tmp_path / "decision.png")
    assert written.read_bytes()[:4] == b"\x89PNG"


def test_decision_view_two_classes_fixed_and_hidden_refresh(qtbot):
    model, train, _ = trained("two_moons", hidden=(4,), epochs=10)
    view = DecisionView(resolution=25)
    qtbot.addWidget(view)
    view.set_model(model, RowSets.of_frames(train))
    assert view.grid is None and not view.busy  # not visible yet: nothing computed
    with qtbot.waitSignal(view.computed):
        view.show()
    np.testing.assert_allclose(view.image.image, view.grid.output)
    assert len(view.points.data) == len(train)
    model.net.weights = [w * 2 for w in model.net.weights]
    before = view.grid.output.copy()
    with qtbot.waitSignal(view.computed):
        view.refresh()
    assert not np.allclose(before, view.grid.output)


def test_decision_view_needs_two_numeric_columns(qtbot, health):
    model, train, _ = health
    view = DecisionView(resolution=10)
    qtbot.addWidget(view)
    view.show()
    view.set_model(model, RowSets.of_frames(train), fixed={"diet": 3})
    assert view.pages.currentWidget() is view.plot_page
    one_input = trained_one_input()
    view.set_model(*one_input)
    assert view.pages.currentWidget() is view.message and view.message.text() == NEEDS_TWO


def trained_one_input():
    """A regression model with a single input column, and its rows."""
    import pandas as pd

    from mlp_desktop.core.data import table_from_frame
    from mlp_desktop.core.model import fit_model

    frame = pd.DataFrame({"x": np.linspace(0, 1, 20), "output": np.linspace(0, 2, 20)})
    dataset = prepare_dataset(table_from_frame(frame))
    model, _ = fit_model(dataset, NetworkSpec(hidden_layers=[2]), TrainConfig(epochs=2, seed=1))
    return model, RowSets.of_frames(dataset.frame)


def test_class_colours_show_when_the_view_is_first_opened_after_training(qtbot):
    # The colour bar, linked to the image, put back 0-1 levels: the map was blank white until
    # the next refresh.
    model, train, _ = trained("iris", hidden=(6,), epochs=20)
    view = DecisionView(resolution=20)
    qtbot.addWidget(view)
    view.resize(900, 450)
    view.set_model(model, RowSets.of_frames(train))  # hidden, as on a tab not yet shown
    with qtbot.waitSignal(view.computed):
        view.show()
    assert view.grid is not None
    assert list(view.image.levels) == [0, 255]


def test_the_scatter_legend_goes_to_the_corner_the_points_leave_free(qtbot, health):
    """A poor model predicting about 12 for every row drew its points under the legend (top left)."""
    view = shown_results(qtbot, health, 700)
    box = view.scatter_plot.vb

    def legend_corner() -> tuple[bool, bool]:
        qtbot.wait(20)
        centre, middle = view.scatter_legend.sceneBoundingRect().center(), box.sceneBoundingRect().center()
        return centre.x() > middle.x(), centre.y() > middle.y()  # (right, below)

    empty = {"actual": np.zeros(0), "predicted": np.zeros(0)}
    over = {"actual": np.array([1.0, 2, 3, 6, 7, 10]), "predicted": np.full(6, 11.7)}  # the top left is full
    view._place_legend(over, empty, 1.0, 11.7)
    assert legend_corner() == (True, True)
    under = {"actual": np.array([1.0, 2, 3, 6, 7, 10]), "predicted": np.full(6, 1.0)}  # the bottom right is
    view._place_legend(under, empty, 1.0, 10.0)
    assert legend_corner() == (False, False)
