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
    box = QCheckBox("Drop incomplete rows")
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
