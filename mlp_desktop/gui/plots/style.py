"""Colours, pens and fonts shared by the plots: a light or dark paper, thin pens, Okabe-Ito colours.

The app sets pyqtgraph's global options too, but the plots never rely on them: every pen and
background is passed explicitly. Colours that depend on the theme come from :func:`look` (or the
shorthands :func:`background` and :func:`foreground`), read when an item is drawn or styled,
never copied into a module constant; :func:`set_dark` is called by ``gui.theme``.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
BACKGROUND = "w"  # the light look's; use background() / foreground(), which follow the theme
FOREGROUND = "k"


@dataclass(frozen=True)
class Look:
    """The theme-dependent colours of every plot (and of the diagram's canvas)."""

    background: str
    foreground: str  # axes, tick labels, titles, outlines of points
    muted: str  # secondary text and grid lines
    highlight: str  # the selected curve


LIGHT = Look(background="#ffffff", foreground="#000000", muted="#6a6a6a", highlight="#000000")
DARK = Look(background="#1e1e1e", foreground="#e6e6e6", muted="#9a9a9a", highlight="#ffffff")
_current = {"look": LIGHT}


def look() -> Look:
    """The colours of the theme in force."""
    return _current["look"]


def set_dark(dark: bool) -> None:
    _current["look"] = DARK if dark else LIGHT


def is_dark() -> bool:
    return _current["look"] is DARK


@contextmanager
def paper():
    """The light look while the block runs, whatever the theme.

    Exported images use it: they end up in documents, slides and papers, which are white, and a
    dark picture pasted there looks wrong and prints as a black block. (Draw and restore without
    returning to the event loop, so no window is painted in the wrong look.)
    """
    saved = _current["look"]
    _current["look"] = LIGHT
    try:
        yield
    finally:
        _current["look"] = saved


def background() -> str:
    return look().background


def foreground() -> str:
    return look().foreground
HIGHLIGHT_COLOUR = "#000000"
HIGHLIGHT_WIDTH = 3
MARKER_COLOUR = "#000000"


def colour(index: int) -> str:
    """The palette colour for curve ``index``, cycling through the eight colours."""
    return PALETTE[index % len(PALETTE)]


def pen(colour_name: str, width: float = 1) -> "pg.QtGui.QPen":
    """A cosmetic pen (width in pixels, whatever the zoom); width 1 draws fastest."""
    made = pg.mkPen(colour_name, width=width)
    made.setCosmetic(True)
    return made


def dimmed(colour_name: str, alpha: int = 70) -> QColor:
    """``colour_name`` made translucent, for curves behind a highlighted one."""
    made = QColor(colour_name)
    made.setAlpha(alpha)
    return made


def style_plot_item(plot_item: pg.PlotItem, y_label: str = "", small: bool = False) -> None:
    """Black axes with readable ticks, an ``epoch`` x label and ``y_label`` on the left.

    ``small`` is for the tiles of a small-multiples grid: smaller tick font, no axis labels.
    """
    tick_font = QFont()
    tick_font.setPointSize(7 if small else 9)
    for name in ("left", "bottom"):
        axis = plot_item.getAxis(name)
        axis.setPen(pen(FOREGROUND))
        axis.setTextPen(pen(FOREGROUND))
        axis.setTickFont(tick_font)
        # SI scaling turns "RMSE" into "RMSE (x0.001)" with log ticks in other units: confusing.
        axis.enableAutoSIPrefix(False)
    if small:
        plot_item.getAxis("left").setWidth(44)
        plot_item.getAxis("bottom").setHeight(22)
    else:
        plot_item.setLabel("bottom", "epoch", color=FOREGROUND)
        plot_item.setLabel("left", y_label, color=FOREGROUND)
    # No grid by default: pyqtgraph's translucent grid multiplied the software-rendered frame
    # time here (one plot: 4 ms -> 42 ms; 11 tiles: 27 ms -> 100 ms). Users can still turn it
    # on from the plot's context menu; the hover read-out gives exact values.
    # An invisible border is still drawn as a closed path, which shows as a frame in SVG exports.
    plot_item.vb.border = None
    plot_item.setMenuEnabled(True)


def configure_curve(item: pg.PlotDataItem) -> None:
    """Clip to the visible x range and peak-downsample; must be called after ``addItem``."""
    item.setClipToView(True)
    item.setDownsampling(auto=True, method="peak")
