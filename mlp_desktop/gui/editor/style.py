"""Geometry, colours and the weight-to-pen mapping of the diagram.

Weights and biases are shown by sign (Okabe-Ito blue positive, vermillion negative, the same
colour-blind-safe pair as the plots) and by magnitude relative to the largest ``|value|`` of their
layer pair (thicker and more opaque = larger).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QApplication

from ..plots import style as plot_style
from ..plots.style import PALETTE

POSITIVE = PALETTE[0]  # Okabe-Ito blue
NEGATIVE = PALETTE[1]  # Okabe-Ito vermillion
SELECTION = PALETTE[4]  # orange ring around a selected neuron or header: readable on both looks


@dataclass(frozen=True)
class DiagramLook:
    """The theme-dependent colours of the diagram (``#rrggbb``, or ``#rrggbbaa`` CSS order)."""

    canvas: str  # the scene's background, and what weak connections and biases fade towards
    neuron_fill: str  # hidden and output neurons while no weights are known
    input_fill: str
    outline: str  # neuron and bias node outlines
    highlight: str  # the selected connection or neuron
    neutral_edge: str  # connections while no weights are known
    text: str  # header titles, neuron labels, annotation text
    secondary_text: str  # the header's size line
    muted_text: str  # "no activation", the "… more" marker, placeholders
    header_fill: str
    header_drag_fill: str
    header_border: str
    button_fill: str  # the header's activation chip and +/- buttons
    button_hover_fill: str
    button_border: str
    bias_node_fill: str
    box_fill: str  # annotation and marker boxes (translucent, over connections)
    box_border: str
    weakest: float  # how much of the sign colour the weakest connection shows (the rest is canvas)


# The canvas, text and highlight are the plots' paper, ink and highlight (one owner: plots.style).
LIGHT = DiagramLook(
    canvas=plot_style.LIGHT.background, neuron_fill="#ffffff", input_fill="#eeeeee", outline="#3c3c3c",
    highlight=plot_style.LIGHT.highlight, neutral_edge="#b4b4b4", text=plot_style.LIGHT.foreground, secondary_text="#333333", muted_text="#555555",
    header_fill="#f4f4f4", header_drag_fill="#e8f0f8", header_border="#9a9a9a", button_fill="#ffffff",
    button_hover_fill="#dfe9f3", button_border="#8a8a8a", bias_node_fill="#fff8dc", box_fill="#ffffffe6",
    box_border="#c8c8c8", weakest=0.22,
)
DARK = DiagramLook(
    canvas=plot_style.DARK.background, neuron_fill="#2c2c2c", input_fill="#3a3a3a", outline="#b8b8b8",
    highlight=plot_style.DARK.highlight, neutral_edge="#5c5c5c", text=plot_style.DARK.foreground, secondary_text="#c8c8c8", muted_text="#a0a0a0",
    header_fill="#2f2f2f", header_drag_fill="#283848", header_border="#6a6a6a", button_fill="#3a3a3a",
    button_hover_fill="#34506a", button_border="#7a7a7a", bias_node_fill="#4a4430", box_fill="#262626e6",
    box_border="#5a5a5a", weakest=0.4,  # a dim line on dark reads weaker than a pale one on white
)


def look() -> DiagramLook:
    """The diagram colours of the theme in force (follows the plots' :func:`~..plots.style.set_dark`)."""
    return DARK if plot_style.is_dark() else LIGHT


def colour(value: str) -> QColor:
    """A ``QColor`` from ``#rrggbb`` or CSS-ordered ``#rrggbbaa`` (pyqtgraph's reading; Qt's own takes
    8 digits as ``#aarrggbb``)."""
    return pg.mkColor(value)

# Layout, in scene units (pixels at zoom 1).
COLUMN_DX = 230.0
NEURON_DY = 48.0
NEURON_RADIUS = 15.0
HEADER_WIDTH = 150.0
HEADER_HEIGHT = 62.0
HEADER_GAP = 26.0  # between the header row and the top neuron row
MAX_DRAWN_NEURONS = 32
BATCH_EDGE_THRESHOLD = 256  # from this many drawn edges in a layer pair on, one batched item
LABEL_MAX_CHARS = 18
MAX_EDGE_ANNOTATIONS = 40
"""Step-through numbers go on the connections only up to this many drawn connections (a 3-2-1 or a
4-5-3 network); bigger networks keep them in the Step panel's table, so the diagram stays readable."""
READABLE_TEXT_PX = 10.0
"""The smallest text height on screen (a font's ascent + descent, in pixels) counted as readable."""
ANNOTATION_PX = 11
"""The step-through labels' font size in screen pixels: readable (about 13 px a line), and small
enough that labels of neighbouring neurons fit side by side at 1280x800 (the neurons are ~17-20 px
apart there)."""

# Continuous styling (one item per edge) and the binned one of batched edges use the same range:
# stronger = thicker and more saturated.
# Widths in scene units, so a zoomed-out big network stays light; the highlight is cosmetic
# (screen pixels) so a selected connection stands out at any zoom. (The dotted-looking vertical
# stripes in a dense layer pair are real: evenly spaced columns make all lines cross at a few points.)
MIN_WIDTH, MAX_WIDTH = 0.6, 3.2
MAGNITUDE_LEVELS = 4

Z_EDGES, Z_BIAS_EDGES, Z_HIGHLIGHT, Z_NEURONS, Z_LABELS, Z_HEADERS, Z_ANNOTATIONS = 0, 1, 2, 3, 4, 5, 6


def font(point_size: float = 9, bold: bool = False) -> QFont:
    made = QFont()
    made.setPointSizeF(point_size)
    made.setBold(bold)
    return made


def annotation_font() -> QFont:
    """The step-through labels' font: the application's family at :data:`ANNOTATION_PX` pixels, the
    same on screen at any zoom (the labels are scaled against the view's zoom)."""
    made = QFont(QApplication.font())
    made.setPixelSize(ANNOTATION_PX)
    return made


def magnitude_fraction(values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """``|values| / scale`` in [0, 1]; ``scale`` defaults to the largest ``|value|`` (NaN counts as 0)."""
    magnitude = np.abs(np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0))
    if scale is None:
        scale = float(magnitude.max()) if magnitude.size else 0.0
    if not scale > 0:
        return np.zeros_like(magnitude)
    return np.clip(magnitude / scale, 0.0, 1.0)


def _towards_canvas(colour_name: str, strength: float) -> QColor:
    """``colour_name`` mixed into the canvas colour: weak values fade into the background, on
    white as on dark."""
    target, base = QColor(colour_name), QColor(look().canvas)

    def mix(channel: int, base_channel: int) -> int:
        return int(round(base_channel + (channel - base_channel) * strength))

    return QColor(mix(target.red(), base.red()), mix(target.green(), base.green()), mix(target.blue(), base.blue()))


def sign_colour(value: float, fraction: float) -> QColor:
    """The sign colour, from a pale tint (``fraction`` 0) to the full colour (1).

    Opaque on purpose: translucent antialiased lines painted about 15x slower than opaque ones
    here (and round caps 60x slower), which is the difference between a smooth and a stuck
    diagram during training.
    """
    weakest = look().weakest
    return _towards_canvas(POSITIVE if value >= 0 else NEGATIVE, weakest + (1 - weakest) * fraction)


def colour_sign(colour: QColor) -> str | None:
    """``"positive"`` or ``"negative"`` for a colour made by :func:`sign_colour` (by hue), else ``None``."""
    hue = colour.hsvHue()
    for name, reference in (("positive", POSITIVE), ("negative", NEGATIVE)):
        if hue >= 0 and abs(hue - QColor(reference).hsvHue()) <= 4 and colour.hsvSaturation() > 20:
            return name
    return None


def _cosmetic(pen: QPen) -> QPen:
    pen.setCosmetic(True)
    return pen


def weight_pen(value: float, fraction: float) -> QPen:
    return QPen(sign_colour(value, fraction), MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * fraction)


def neutral_pen() -> QPen:
    return QPen(QColor(look().neutral_edge), 1.0)


def highlight_pen() -> QPen:
    return _cosmetic(QPen(QColor(look().highlight), 3.5))


def level_pens() -> list[QPen]:
    """Pens of the binned styling: index ``sign * MAGNITUDE_LEVELS + level`` (sign 0 = positive)."""
    pens = []
    for sign in (1.0, -1.0):
        for level in range(MAGNITUDE_LEVELS):
            pens.append(weight_pen(sign, (level + 0.5) / MAGNITUDE_LEVELS))  # the bin's middle
    return pens


def level_keys(values: np.ndarray, scale: float) -> np.ndarray:
    """The bin of each value for :func:`level_pens` (negative values in the second half)."""
    fraction = magnitude_fraction(values, scale)
    level = np.minimum((fraction * MAGNITUDE_LEVELS).astype(np.int64), MAGNITUDE_LEVELS - 1)
    return level + MAGNITUDE_LEVELS * (np.nan_to_num(values) < 0)


def bias_fill(value: float, fraction: float) -> QColor:
    """An opaque fill (connections end under the neurons): the sign colour mixed into the canvas."""
    if value == 0 or not np.isfinite(value):
        return QColor(look().neuron_fill)
    return _towards_canvas(POSITIVE if value >= 0 else NEGATIVE, 0.12 + 0.78 * fraction)


def elide(text: str, limit: int = LABEL_MAX_CHARS) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
