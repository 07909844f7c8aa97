"""Colours, pens and fonts shared by the plots: a light or dark paper, thin pens, Okabe-Ito colours.

The app sets pyqtgraph's global options too, but the plots never rely on them: every pen and
background is passed explicitly. Colours that depend on the theme come from :func:`look` (or the
shorthands :func:`background` and :func:`foreground`), read when an item is drawn or styled,
never copied into a module constant; :func:`set_dark` is called by ``gui.theme``.
"""

from __future__ import annotations

from contextlib import contextmanager
import math
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPen
from PySide6.QtWidgets import QWidget

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
# Its last colour, black, is the light look's ink: colour() gives the theme's foreground instead.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")


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


def legend_brush() -> QBrush:
    """A legend's box: the plot's background, slightly see-through."""
    made = QColor(look().background)
    made.setAlpha(LEGEND_ALPHA)
    return QBrush(made)


LEGEND_ALPHA = 210
HIGHLIGHT_WIDTH = 3


def colour(index: int) -> str:
    """The palette colour for curve ``index``, cycling through the eight colours (black, the
    last, is the theme's foreground: black would vanish on the dark background)."""
    name = PALETTE[index % len(PALETTE)]
    return look().foreground if name == "#000000" else name


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


def compact_number(value: float) -> str:
    """An epoch as a tick label: 500, 1.5k, 20k, 1.2M (pyqtgraph wrote 500000 and 1e+06)."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.3g}M"
    if size >= 1e3:
        return f"{value / 1e3:.3g}k"
    return f"{value:.4g}"


class EpochNumbersAxis(pg.AxisItem):
    """An epoch axis labelled with :func:`compact_number`, alike in every plot."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        return [compact_number(value * scale) for value in values]


class ReadableAxis(pg.AxisItem):
    """A vertical axis whose log-scale ticks never overlap: below about two decades pyqtgraph puts
    every tick (0.02, 0.03, ... 0.09, 0.1, 0.2) in one level and labels them all, over each other
    on a short plot. Ticks are kept by rank (1, then 2 and 5, then the others times a power of ten)
    while they are a label's height apart."""

    def tickValues(self, minVal, maxVal, size):
        levels = super().tickValues(minVal, maxVal, size)
        if not self.logMode or self.orientation not in ("left", "right") or not maxVal > minVal or size <= 0:
            return levels
        font = self.style.get("tickFont") or self.font()
        room = (QFontMetrics(font).height() + 2) * (maxVal - minVal) / size  # in log10 units
        kept: list[float] = []
        thinned = []
        for spacing, values in levels:
            chosen = []
            for value in sorted(values, key=_log_tick_rank):
                if all(abs(value - other) >= room for other in kept):
                    chosen.append(value)
                    kept.append(value)
            thinned.append((spacing, sorted(chosen)))
        return thinned


def _log_tick_rank(log_value: float) -> int:
    mantissa = round(10 ** (log_value - math.floor(log_value + 1e-9)), 6)
    return 0 if mantissa in (1.0, 10.0) else (1 if mantissa in (2.0, 5.0) else 2)


def style_plot_item(plot_item: pg.PlotItem, y_label: str = "", small: bool = False) -> None:
    """Axes in the foreground colour with readable ticks, an ``epoch`` x label and ``y_label`` on the left.

    ``small`` is for the tiles of a small-multiples grid: smaller tick font, no axis labels.
    """
    tick_font = QFont()
    tick_font.setPointSize(7 if small else 9)
    for name in ("left", "bottom"):
        axis = plot_item.getAxis(name)
        axis.setPen(pen(foreground()))
        axis.setTextPen(pen(foreground()))
        axis.setTickFont(tick_font)
    for name in getattr(plot_item, "axis_names", ("left", "bottom", "top", "right")):  # (a grid's tile has two)
        # SI scaling turns "RMSE" into "RMSE (x0.001)" with log ticks in other units: confusing.
        # The hidden top and right axes follow the view too, and with SI scaling on each of their
        # range changes re-set their (empty) label's HTML: 48 times per tile while a grid is built.
        plot_item.getAxis(name).enableAutoSIPrefix(False)
    if small:
        plot_item.getAxis("left").setWidth(44)
        plot_item.getAxis("bottom").setHeight(22)
    else:
        plot_item.setLabel("bottom", "epoch", color=foreground())
        plot_item.setLabel("left", y_label, color=foreground())
    # No grid by default: pyqtgraph's translucent grid multiplied the software-rendered frame
    # time here (one plot: 4 ms -> 42 ms; 11 tiles: 27 ms -> 100 ms). Users can still turn it
    # on from the plot's context menu; the hover read-out gives exact values.
    # An invisible border is still drawn as a closed path, which shows as a frame in SVG exports.
    plot_item.vb.border = None


def configure_curve(item: pg.PlotDataItem) -> None:
    """Clip to the visible x range and peak-downsample; must be called after ``addItem``."""
    item.setClipToView(True)
    item.setDownsampling(auto=True, method="peak")


# -- switching theme at run time ----------------------------------------------------------------------
def restyle(root: QWidget, old: Look, new: Look) -> None:
    """Re-colour every plot under ``root`` drawn in ``old`` to ``new`` (after :func:`set_dark`).

    Walks the ``pg.GraphicsView`` widgets (plot widgets and layouts) and their items: backgrounds,
    axis and text pens, axis labels, titles and legend text, legend boxes, and the pens and brushes
    of curves, scatters and lines, wherever their colour is one of ``old``'s (the palette colours
    stay). Text items drawn over data (the confusion matrix counts) are left to their views, which
    pick their colour from what is under them: any widget under ``root`` with an
    ``on_look_changed()`` method is called last, to redraw such colours of its own.
    """
    if old == new:
        return
    views = root.findChildren(pg.GraphicsView)
    if isinstance(root, pg.GraphicsView):
        views.append(root)
    for view in views:
        replaced = _Swap(old, new).colour(view.backgroundBrush().color())
        if replaced is not None:
            view.setBackground(replaced)
        if view.scene() is not None:
            restyle_scene(view.scene(), old, new)
    # Views with colours of their own (a heatmap's colour map, say) redraw them in this hook.
    for widget in [root, *root.findChildren(QWidget)]:
        hook = getattr(widget, "on_look_changed", None)
        if callable(hook):
            hook()


def restyle_scene(scene, old: Look, new: Look) -> None:
    """:func:`restyle` for the items of one graphics scene."""
    swap = _Swap(old, new)
    for item in scene.items():
        if isinstance(item, pg.AxisItem):
            _restyle_axis(item, swap)
        elif isinstance(item, pg.LabelItem):
            if item.opts.get("color") is not None:
                replaced = swap.colour(pg.mkColor(item.opts["color"]))
                if replaced is not None:
                    item.setText(item.text, color=replaced)  # not "#aarrggbb": pyqtgraph reads #rrggbbaa
        elif isinstance(item, pg.LegendItem):
            if item.opts.get("labelTextColor") is not None:
                replaced = swap.colour(pg.mkColor(item.opts["labelTextColor"]))
                if replaced is not None:  # the labels themselves are LabelItems of the scene
                    item.opts["labelTextColor"] = replaced
            for getter, setter, make in ((item.brush, item.setBrush, QBrush), (item.pen, item.setPen, QPen)):
                replaced = swap.colour(getter().color())
                if replaced is not None:
                    changed = make(getter())
                    changed.setColor(replaced)
                    setter(changed)
        elif isinstance(item, pg.PlotDataItem):
            for key, setter in (("pen", item.setPen), ("symbolPen", item.setSymbolPen), ("shadowPen", item.setShadowPen)):
                if item.opts.get(key) is not None:
                    changed = swap.pen(pg.mkPen(item.opts[key]))
                    if changed is not None:
                        setter(changed)
            for key, setter in (("symbolBrush", item.setSymbolBrush), ("fillBrush", item.setFillBrush)):
                if item.opts.get(key) is not None:
                    changed = swap.brush(pg.mkBrush(item.opts[key]))
                    if changed is not None:
                        setter(changed)
        elif isinstance(item.parentItem(), pg.PlotDataItem):
            continue  # restyled through its PlotDataItem
        elif isinstance(item, (pg.PlotCurveItem, pg.ScatterPlotItem)):
            if item.opts.get("pen") is not None:
                changed = swap.pen(pg.mkPen(item.opts["pen"]))
                if changed is not None:
                    item.setPen(changed)
            if item.opts.get("brush") is not None:
                changed = swap.brush(pg.mkBrush(item.opts["brush"]))
                if changed is not None:
                    item.setBrush(changed)
        elif isinstance(item, pg.InfiniteLine):
            changed = swap.pen(item.pen)
            if changed is not None:
                item.setPen(changed)


def _restyle_axis(axis: pg.AxisItem, swap: "_Swap") -> None:
    changed = swap.pen(axis.pen())
    if changed is not None:
        axis.setPen(changed)
    changed = swap.pen(axis.textPen())
    if changed is not None:
        axis.setTextPen(changed)  # also sets the label's colour
    elif "color" in axis.labelStyle:
        replaced = swap.colour(pg.mkColor(axis.labelStyle["color"]))
        if replaced is not None:
            axis.labelStyle["color"] = replaced.name()
            axis.setLabel(axis.labelText, axis.labelUnits, axis.labelUnitPrefix, **axis.labelStyle)


class _Swap:
    """Maps the colours of one look to another's, keeping alpha; ``None`` for any other colour."""

    def __init__(self, old: Look, new: Look):
        self.old, self.new = old, new
        # Foreground first: the light look's highlight is its foreground too.
        self._pairs = [(QColor(getattr(old, role)).rgb(), getattr(new, role))
                       for role in ("foreground", "background", "muted", "highlight")]

    def colour(self, colour: QColor, wide: bool = False) -> QColor | None:
        rgb = colour.rgb()
        if wide and rgb == QColor(self.old.highlight).rgb():
            made = QColor(self.new.highlight)  # a thick pen in the highlight colour is a highlight
        else:
            made = next((QColor(new) for old, new in self._pairs if old == rgb), None)
        if made is not None:
            made.setAlpha(colour.alpha())
        return made

    def pen(self, old: QPen) -> QPen | None:
        if old.style() == pg.QtCore.Qt.PenStyle.NoPen:
            return None
        replaced = self.colour(old.color(), wide=old.widthF() >= HIGHLIGHT_WIDTH)
        if replaced is None:
            return None
        made = QPen(old)
        made.setColor(replaced)
        return made

    def brush(self, old: QBrush) -> QBrush | None:
        if old.style() == pg.QtCore.Qt.BrushStyle.NoBrush:
            return None
        replaced = self.colour(old.color())
        if replaced is None:
            return None
        made = QBrush(old)
        made.setColor(replaced)
        return made
