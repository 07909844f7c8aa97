"""The dark theme reaches the diagram, the plots and the check boxes; switching back restores light."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox

from mlp_desktop.core.graph import NetworkGraph
from mlp_desktop.core.parameters import parameter_count
from mlp_desktop.gui import theme
from mlp_desktop.gui.editor import EditorWidget
from mlp_desktop.gui.editor import style as diagram_style
from mlp_desktop.gui.plots import style as plot_style


@pytest.fixture
def restore_theme():
    """Themes are global to the app: leave the one the session had."""
    before = theme._applied.get("name", "system")
    yield
    theme.apply_theme(before)


def lightness(colour) -> float:
    return QColor(colour).lightnessF()


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two opaque colours (1 to 21)."""
    def luminance(colour: QColor) -> float:
        channels = [c / 255 for c in (colour.red(), colour.green(), colour.blue())]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_diagram_follows_the_theme_and_keeps_its_state(qtbot, restore_theme):
    editor = EditorWidget(NetworkGraph(["age", "exercise", "diet"], ["output"], hidden=[(2, "sigmoid")]))
    qtbot.addWidget(editor)
    scene = editor.scene
    params = np.linspace(-1, 1, parameter_count(editor.graph.layer_sizes))
    params[0] = 0.0  # a weight and a bias of 0: the faintest line, the uncoloured fill
    editor.set_parameters(params)
    scene.highlight_parameters(["W1[0,1]"])

    theme.apply_theme("light")
    scene.restyle()
    assert lightness(scene.backgroundBrush().color()) > 0.9
    light_weak = scene.edge_item(1, 0, 0).pen().color()

    theme.apply_theme("dark")
    scene.restyle()
    canvas = scene.backgroundBrush().color()
    assert lightness(canvas) < 0.2
    assert lightness(scene.neuron_item(0, 0).fill()) < 0.3  # an input neuron
    assert lightness(scene.edge_item(1, 0, 1).pen().color()) > 0.9  # the highlight stands out on dark
    weak = scene.edge_item(1, 0, 0).pen().color()
    assert lightness(weak) < lightness(light_weak)  # weak lines fade into the dark canvas, not to white
    assert contrast(weak, canvas) > 1.5 and diagram_style.colour_sign(weak) == "positive"
    label = scene._columns[0].labels[0]
    assert contrast(label.brush().color(), canvas) > 7
    assert scene.highlighted_parameters() == {"W1[0,1]"}  # restyling keeps the highlight

    theme.apply_theme("light")
    scene.restyle()
    assert lightness(scene.backgroundBrush().color()) > 0.9
    assert scene.edge_item(1, 0, 0).pen().color() == light_weak
    assert scene.neuron_item(0, 0).fill() == QColor(diagram_style.LIGHT.input_fill)
    assert lightness(scene.edge_item(1, 0, 1).pen().color()) < 0.1


def test_the_diagram_exports_on_paper_in_the_dark_theme(qtbot, restore_theme, tmp_path):
    editor = EditorWidget(NetworkGraph(["a", "b"], ["y"], hidden=[(2, "tanh")]))
    qtbot.addWidget(editor)
    theme.apply_theme("dark")
    editor.scene.restyle()
    from mlp_desktop.gui.editor.export import export_scene
    from PySide6.QtGui import QImage

    image = QImage(str(export_scene(editor.scene, tmp_path / "diagram.png")))
    assert lightness(image.pixelColor(3, 3)) > 0.9  # the corner: the canvas
    assert lightness(editor.scene.backgroundBrush().color()) < 0.2  # and the window stays dark


def test_unticked_check_boxes_can_be_seen_in_the_dark_theme(qtbot, restore_theme):
    theme.apply_theme("dark")
    box = QCheckBox("Skip incomplete rows")
    qtbot.addWidget(box)
    box.resize(box.sizeHint())
    image = box.grab().toImage()
    window = box.palette().window().color()
    # The indicator sits at the left, vertically centred; its frame is its most contrasting pixel.
    height = image.height()
    indicator = QRect(0, 0, height, height)
    best = max(contrast(image.pixelColor(x, y), window)
               for x in range(indicator.left(), indicator.right()) for y in range(indicator.top(), indicator.bottom()))
    assert best >= 3.0
    assert plot_style.is_dark()


def plot_colours(window) -> dict:
    """The colours a user sees in the plots: backgrounds, axis and tick-text pens, titles, legend text."""
    rmse = window.rmse_plot
    grid = window.weight_plots.grid
    tile = grid.tile_grid.tile_at(0, 0)  # a weight tile
    return {
        "rmse background": rmse.plot_widget.backgroundBrush().color(),
        "rmse axis": rmse.plot_item.getAxis("left").pen().color(),
        "rmse tick text": rmse.plot_item.getAxis("bottom").textPen().color(),
        "rmse legend text": next(label for _, label in rmse.legend.items).opts["color"],
        "weights background": grid.layout_widget.backgroundBrush().color(),
        "tile title": tile.titleLabel.opts["color"],
        "curves background": window.weight_plots.curves_plot.plot_widget.backgroundBrush().color(),
        "curves highlight": window.weight_plots.curves_plot.highlight_item.opts["pen"].color(),
    }


def test_switching_theme_restyles_the_plots_diagram_and_widgets(window, qtbot, restore_theme, tmp_path):
    window.set_theme("light")
    window.parameter_panel.set_values(epochs=20)
    window.train()
    qtbot.waitUntil(lambda: window.workspace.run_state == "finished", timeout=10_000)
    light = plot_colours(window)

    window.set_theme("dark")
    dark = plot_colours(window)
    qtbot.waitUntil(lambda: lightness(window.palette().window().color()) < 0.3)  # Qt posts the palette change
    window_colour = window.palette().window().color()
    for name in ("rmse background", "weights background", "curves background"):
        assert lightness(dark[name]) < 0.2, name
    for name in ("rmse axis", "rmse tick text", "rmse legend text", "tile title", "curves highlight"):
        assert lightness(dark[name]) > 0.8, name  # light on the dark plots
    assert lightness(window.editor.scene.backgroundBrush().color()) < 0.2
    assert lightness(window.editor.scene.neuron_item(1, 0).fill()) < 0.6  # a hidden neuron, by its bias
    # A label with a style sheet of its own follows the palette too (it used to keep the old one).
    assert contrast(window.editor.legend_label.palette().windowText().color(), window_colour) > 7

    # Exports stay on white paper, with dark axes, and the window stays dark.
    from PySide6.QtGui import QImage

    window.rmse_plot.export(str(tmp_path / "rmse.svg"))
    svg = (tmp_path / "rmse.svg").read_text()
    assert "#e6e6e6" not in svg.lower() and "#1e1e1e" not in svg.lower()
    window.rmse_plot.export(str(tmp_path / "rmse.png"))
    image = QImage(str(tmp_path / "rmse.png"))
    assert lightness(image.pixelColor(2, 2)) > 0.9
    assert plot_colours(window) == dark

    window.set_theme("light")
    assert {name: QColor(colour).name() for name, colour in plot_colours(window).items()} == {
        name: QColor(colour).name() for name, colour in light.items()}
    assert lightness(light["rmse background"]) > 0.9 and lightness(light["rmse axis"]) < 0.1
    assert lightness(window.editor.scene.backgroundBrush().color()) > 0.9


def test_the_data_table_tints_follow_the_theme(window, qtbot, restore_theme):
    """The target column was tinted pale blue with black text in the dark theme too: it glared."""
    from PySide6.QtCore import Qt

    model = window.data_panel.model
    target = model.column_names().index("output")
    cell = model.index(0, target)
    received = []
    model.dataChanged.connect(lambda *args: received.append(args))
    for name in ("dark", "light"):
        window.set_theme(name)
        qtbot.waitUntil(lambda: (lightness(window.palette().window().color()) < 0.3) == (name == "dark"))
        tint = model.data(cell, Qt.ItemDataRole.BackgroundRole).color()
        text = model.data(cell, Qt.ItemDataRole.ForegroundRole)
        text = text.color() if text is not None else window.data_panel.table_view.palette().text().color()
        assert (lightness(tint) < 0.3) == (name == "dark")
        assert contrast(tint, text) > 7
    assert len(received) == 2  # the table drew its cells again at each switch
