"""Geometry, colours and the weight-to-pen mapping of the diagram.

Weights and biases are shown by sign (Okabe-Ito blue positive, vermillion negative, the same
colour-blind-safe pair as the plots) and by magnitude relative to the largest ``|value|`` of their
layer pair (thicker and more opaque = larger).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QFont, QPen

from ..plots.style import PALETTE

POSITIVE = PALETTE[0]  # Okabe-Ito blue
NEGATIVE = PALETTE[1]  # Okabe-Ito vermillion
NEUTRAL_EDGE = "#b4b4b4"
OUTLINE = "#3c3c3c"
HIGHLIGHT = "#000000"
SELECTION = PALETTE[4]  # orange ring around a selected neuron or header
HEADER_FILL = "#f4f4f4"
INPUT_FILL = "#eeeeee"

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

# Continuous styling (one item per edge) and the binned one of batched edges use the same range:
# stronger = thicker and more saturated.
# Widths in scene units, so a zoomed-out big network stays light; the highlight is cosmetic
# (screen pixels) so a selected connection stands out at any zoom. (The dotted-looking vertical
# stripes in a dense layer pair are real: evenly spaced columns make all lines cross at a few points.)
MIN_WIDTH, MAX_WIDTH = 0.6, 3.2
MIN_STRENGTH = 0.22  # how much of the sign colour the weakest connection shows (the rest is white)
MAGNITUDE_LEVELS = 4

Z_EDGES, Z_BIAS_EDGES, Z_HIGHLIGHT, Z_NEURONS, Z_LABELS, Z_HEADERS, Z_ANNOTATIONS = 0, 1, 2, 3, 4, 5, 6


def font(point_size: float = 9, bold: bool = False) -> QFont:
    made = QFont()
    made.setPointSizeF(point_size)
    made.setBold(bold)
    return made


def magnitude_fraction(values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """``|values| / scale`` in [0, 1]; ``scale`` defaults to the largest ``|value|`` (NaN counts as 0)."""
    magnitude = np.abs(np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0))
    if scale is None:
        scale = float(magnitude.max()) if magnitude.size else 0.0
    if not scale > 0:
        return np.zeros_like(magnitude)
    return np.clip(magnitude / scale, 0.0, 1.0)


def _towards_white(colour: str, strength: float) -> QColor:
    target = QColor(colour)
    def mix(channel: int) -> int:
        return int(round(255 + (channel - 255) * strength))

    return QColor(mix(target.red()), mix(target.green()), mix(target.blue()))


def sign_colour(value: float, fraction: float) -> QColor:
    """The sign colour, from a pale tint (``fraction`` 0) to the full colour (1).

    Opaque on purpose: translucent antialiased lines painted about 15x slower than opaque ones
    here (and round caps 60x slower), which is the difference between a smooth and a stuck
    diagram during training.
    """
    return _towards_white(POSITIVE if value >= 0 else NEGATIVE, MIN_STRENGTH + (1 - MIN_STRENGTH) * fraction)


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
    return QPen(QColor(NEUTRAL_EDGE), 1.0)


def highlight_pen() -> QPen:
    return _cosmetic(QPen(QColor(HIGHLIGHT), 3.5))


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
    """An opaque fill (connections end under the neurons): the sign colour mixed into white."""
    if value == 0 or not np.isfinite(value):
        return QColor("#ffffff")
    return _towards_white(POSITIVE if value >= 0 else NEGATIVE, 0.12 + 0.78 * fraction)


def elide(text: str, limit: int = LABEL_MAX_CHARS) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
