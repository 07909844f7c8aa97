"""Every weight and bias against epoch.

Up to ``GRID_LIMIT`` parameters: a grid of small plots, one per parameter. More: one plot of the
parameters ticked in a tree (layer > destination neuron > incoming weights and bias), drawn as a
few concatenated curve items so a thousand curves stay smooth, with a colour legend.

Run ``python -m mlp_desktop.gui.plots.weight_plots [layer sizes, e.g. 30,30,1]`` for a demo.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QLabel, QSplitter, QStackedWidget, QToolBar, QVBoxLayout, QWidget,
)

from ...core.errors import DataError
from ...core.series import SnapshotBuffer
from .exporting import export_graphics, make_export_action
from .follow import FollowLatest
from .many_curves import ManyCurvesPlot
from ...core.parameters import default_columns, group_parameters
from .weight_grid import WeightGrid
from .weight_tree import ParameterTree
from ..widgets import BuiltWhenNeeded

GRID_LIMIT = 16  # 4 x 4 tiles fit the pane at 1280x800; more would be cut or squashed
LEGEND_LIMIT = 20


class WeightPlots(BuiltWhenNeeded, QWidget):
    """Parameter trajectories: a small-multiples grid or a tree plus one many-curve plot.

    Memory is bounded by a :class:`~mlp_desktop.core.series.SnapshotBuffer` (``max_rows`` rows).

    Signals
    -------
    curveSelected(str) : a parameter name, when the user clicks its curve, tile or tree item.
    """

    curveSelected = Signal(str)
    LAZY_PARTS = frozenset({"tree", "curves_plot", "legend_label", "tree_page"})

    def __init__(self, parent: QWidget | None = None, max_rows: int = 1024):
        super().__init__(parent)
        self._max_rows = max_rows
        self._names: list[str] = []
        self._name_index: dict[str, int] | None = {}  # made when first asked for (50,890 names: 5 ms)
        self.buffer = SnapshotBuffer(0, max_rows)

        self.follow = FollowLatest(self)
        self.export_action = make_export_action(self, self.export, "weights.png")
        self.toolbar = QToolBar()
        self.toolbar.setStyleSheet("QToolBar { border: 0px; }")
        self.toolbar.addAction(self.follow.action)
        self.toolbar.addAction(self.export_action)
        self.toolbar.addSeparator()
        self.summary_label = QLabel("")
        self.toolbar.addWidget(self.summary_label)

        self.empty_page = QLabel("Weights and biases appear here once a network is set up.")
        self.empty_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.grid = WeightGrid()
        self.stack = QStackedWidget()
        for page in (self.empty_page, self.grid):
            self.stack.addWidget(page)  # and the tree page, made when first needed (_build_parts)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.stack, 1)

        self.grid.curveClicked.connect(self._on_curve_clicked)

    def _build_parts(self) -> None:
        """The tree page, for networks of more than ``GRID_LIMIT`` parameters: its plot cost every
        window 20 ms, and the sample and most small networks show the grid."""
        self.tree = ParameterTree()
        self.curves_plot = ManyCurvesPlot()
        self.legend_label = QLabel("")
        self.legend_label.setWordWrap(True)
        self.legend_label.setTextFormat(Qt.TextFormat.RichText)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel("Tick the curves to show:"))
        side_layout.addWidget(self.tree, 1)
        side_layout.addWidget(self.legend_label)
        self.tree_page = QSplitter(Qt.Orientation.Horizontal)
        self.tree_page.addWidget(side)
        self.tree_page.addWidget(self.curves_plot)
        self.tree_page.setStretchFactor(1, 1)
        self.tree_page.setSizes([240, 760])
        self.stack.addWidget(self.tree_page)
        self.curves_plot.curveClicked.connect(self._on_curve_clicked)
        self.tree.parameterClicked.connect(self.curveSelected)
        self.tree.checkedChanged.connect(self._on_checked_changed)

    # -- the data API the main window uses -------------------------------------------------

    @property
    def mode(self) -> str:
        """``"empty"``, ``"grid"`` (at most ``GRID_LIMIT`` parameters) or ``"tree"``."""
        if not self._names:
            return "empty"
        return "grid" if len(self._names) <= GRID_LIMIT else "tree"

    @property
    def parameter_names(self) -> list[str]:
        return list(self._names)

    def set_parameter_names(self, names: list[str]) -> None:
        """Show these parameters (engine order); rebuilds the grid or the tree and clears the data.

        With the same names as before, the tree keeps what was ticked.
        """
        kept = self.tree.checked_columns() if names == self._names and self.mode == "tree" else None
        self._names = list(names)
        self._name_index = None
        self.buffer = SnapshotBuffer(len(self._names), self._max_rows)
        self.follow.clear()
        if self.mode == "empty":
            self.follow.set_views([])
            self.stack.setCurrentWidget(self.empty_page)
        elif self.mode == "grid":
            self.grid.set_names(self._names)
            self.follow.set_views(self.grid.view_boxes, self.grid.view_boxes[:1], fit_y=False)  # the grid fits y
            self.stack.setCurrentWidget(self.grid)
        else:
            groups = group_parameters(self._names)
            checked = kept if kept is not None else default_columns(groups)
            self.tree.set_parameters(self._names, groups, checked)
            self.curves_plot.set_names(self._names)
            self.curves_plot.set_columns(checked)
            self._update_legend()
            self.follow.set_views([self.curves_plot.view_box])
            self.stack.setCurrentWidget(self.tree_page)
        count = len(self._names)
        self.summary_label.setText(f"{count} parameter{'s' if count != 1 else ''}" if count else "")

    @property
    def _index(self) -> dict[str, int]:
        """Parameter name -> column."""
        if self._name_index is None:
            self._name_index = {name: column for column, name in enumerate(self._names)}
        return self._name_index

    # The buffer places rows by epoch: a long history shown first (its rows every 1,024th epoch,
    # say) keeps its rows while the live ones of a continued run arrive, instead of being thinned
    # as if each of its rows were one epoch.
    def append(self, epoch: int, params: np.ndarray) -> None:
        """Add one snapshot of all parameters, ``params: (n_params,)`` in names order."""
        self.buffer.append(epoch, params, int(epoch))
        self._refresh()

    def append_rows(self, epochs: np.ndarray, params: np.ndarray) -> None:
        """Add many snapshots at once (``epochs: (n_rows,)``, ``params: (n_rows, n_params)``), one redraw."""
        if len(epochs):
            self.buffer.extend(epochs, params, np.asarray(epochs, dtype=np.int64))
            self._refresh()

    def set_series(self, epochs: np.ndarray, params: np.ndarray) -> None:
        """Replace everything: ``epochs: (n_rows,)``, ``params: (n_rows, n_params)``."""
        self.buffer.clear()
        self.follow.clear()
        self.buffer.extend(epochs, params, np.asarray(epochs, dtype=np.int64))
        self._refresh()

    def set_history(self, history) -> None:
        """Replace everything with a :class:`~mlp_desktop.core.history.History` of these parameters:
        its initial parameters as epoch 0, then every epoch it kept. Read from the history as it is
        (stacking the initial row onto a copy of a 34 MB history took 0.1 s)."""
        self.buffer.clear()
        self.follow.clear()
        if history.initial_params is not None:
            self.buffer.append(0, history.initial_params, 0)
        epochs, rows = history.records(copy=False)
        self.buffer.extend(epochs, rows[:, 2:], epochs)
        self._refresh()

    def reset(self) -> None:
        """Remove the data, keeping the parameters and what is ticked."""
        self.buffer.clear()
        self.follow.clear()
        self._refresh()

    def highlight(self, names: list[str]) -> None:
        """Emphasise the curves of ``names`` (unknown names are ignored); ``[]`` clears."""
        columns = [self._index[name] for name in names if name in self._index]
        if self.mode == "grid":
            self.grid.set_highlight(columns)
        elif self.mode == "tree":
            self.curves_plot.set_highlight(columns)
            self._refresh()  # the plot holds only the curves it draws: fetch the new ones
            if columns:
                self.tree.scrollToItem(self.tree.leaf(columns[0]))

    def export(self, path) -> None:
        """Save the plot(s) to ``path``: ``.png`` or ``.svg`` by suffix, written atomically."""
        for marker in self.grid.markers + ([self.curves_plot.marker] if self.parts_built else []):
            marker.hide()  # the hover marker is not part of the figure
        if self.mode == "grid":
            export_graphics(self.grid.tile_grid, path)
        elif self.mode == "tree":
            export_graphics(self.curves_plot.plot_item, path)
        else:
            raise DataError("There are no weight plots to export yet.")

    # -- inside ------------------------------------------------------------------------------

    def _refresh(self) -> None:
        if self.mode == "tree":
            # Only the drawn curves leave the buffer: a refresh costs the same for a network of
            # 50,000 parameters as for one of 1,000 (copying all of them took ~10 ms a refresh).
            columns = self.curves_plot.needed_columns()
            x, rows = self.buffer.arrays(columns)
            self.curves_plot.set_data(x, rows, columns)
        else:
            x, rows = self.buffer.arrays()
            if self.mode == "grid":
                self.grid.set_data(x, rows, fit_y=self.follow.enabled)
        if x.size:
            self.follow.set_data_range(x[0], x[-1])

    def checked_names(self) -> list[str]:
        """Names of the curves shown in the single plot (tree mode), in parameter order."""
        if not self.parts_built:
            return []
        return [self._names[column] for column in self.curves_plot.columns]

    def set_checked_names(self, names: list[str]) -> None:
        """Tick exactly these parameters in the tree (tree mode)."""
        self.tree.set_checked_columns([self._index[n] for n in names if n in self._index])

    @Slot()
    def _on_checked_changed(self) -> None:
        self.curves_plot.set_columns(self.tree.checked_columns())
        self._refresh()
        self._update_legend()

    def _update_legend(self) -> None:
        columns = self.curves_plot.columns
        colours = {column: self.curves_plot.colour_of(p) for p, column in enumerate(columns)}
        self.tree.show_colours(colours)
        if not columns:
            self.legend_label.setText("No curves ticked.")
        elif len(columns) <= LEGEND_LIMIT:
            entries = [
                f'<span style="color:{colours[c]}; font-weight:bold">&#9644;</span>&nbsp;'
                f"{html.escape(self._names[c])}"
                for c in columns
            ]
            self.legend_label.setText("&nbsp;&nbsp; ".join(entries))
        else:
            self.legend_label.setText(
                f"{len(columns)} curves (the tree shows each one's colour)"
            )

    @Slot(int)
    def _on_curve_clicked(self, column: int) -> None:
        self.curveSelected.emit(self._names[column])


def _demo() -> int:
    import sys

    from ...core.network import MLP
    from .demo import run_demo

    sizes = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "3,2,1").split(",")]
    names = MLP(sizes, ["tanh"] * (len(sizes) - 2) + ["identity"], seed=0).parameter_names()
    rng = np.random.default_rng(0)
    start = rng.normal(0, 1, len(names))
    end = rng.normal(0, 1, len(names))
    tau = rng.uniform(200, 3000, len(names))
    wobble = rng.uniform(0.01, 0.1, len(names))
    state = {"epoch": 0}
    plots: list[WeightPlots] = []

    def make() -> WeightPlots:
        plots.append(WeightPlots())
        plots[0].set_parameter_names(names)
        plots[0].curveSelected.connect(lambda name: plots[0].highlight([name]))
        return plots[0]

    def tick() -> None:
        state["epoch"] += 20
        t = state["epoch"]
        params = end + (start - end) * np.exp(-t / tau) + wobble * np.sin(t / 150 + tau)
        plots[0].append(t, params)

    return run_demo(make, tick, f"WeightPlots demo — {'-'.join(map(str, sizes))} network")


if __name__ == "__main__":
    raise SystemExit(_demo())
