"""Evaluation view: a metrics table, predicted-vs-actual and residual plots, or a confusion matrix.

Only view and glue: the numbers come from :func:`mlp_desktop.core.evaluation.evaluation_report`.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter, QStackedWidget,
    QTableWidget, QTableWidgetItem, QToolButton, QVBoxLayout, QWidget,
)

from ...core.evaluation import evaluation_report
from ..widgets import BuiltWhenShown

if TYPE_CHECKING:
    from ...core.session import RowSets
from .exporting import export_graphics, make_export_action
from .style import PALETTE, background, foreground, look, pen, style_plot_item

TRAIN_COLOUR, VALIDATION_COLOUR = PALETTE[0], PALETTE[1]
CELL_BLUE = (0, 114, 178)


def confusion_map() -> pg.ColorMap:
    """The plot's background to Okabe-Ito blue: sequential, readable in grey and for colour-blind
    users; an empty cell looks like the paper in both themes."""
    return pg.ColorMap([0.0, 1.0], [pg.mkColor(look().background).getRgb()[:3], CELL_BLUE])
CONFUSION_CAPTION = "Shaded by the share of each actual class (a row makes 100%) · diagonal: recall"
"""Under the confusion matrix: what the shading means (each cell reads "count (share)")."""
DARK_CELL = 0.6  # cells shaded above this share are dark in both themes: their text is white
HISTOGRAM_BINS = 20
DATA_ROLE = Qt.ItemDataRole.UserRole
METRIC_TIPS = {
    "rmse": "Root-mean-square error: the typical size of a prediction's error, in the target's units.",
    "mae": "Mean absolute error: the average size of a prediction's error, in the target's units.",
    "r2": "R²: the share of the target's variation the network explains (1 is perfect, 0 no better than the mean).",
    "accuracy": "The share of rows whose class was predicted correctly.",
    "precision": "Of the rows predicted as this class, the share that really are this class.",
    "recall": "Of the rows that really are this class, the share the network found.",
}


def _format(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.4g}"


class EvaluationView(BuiltWhenShown, QWidget):
    """Metrics of a trained model on its training and validation rows, with plots.

    The plots are built when the view is first shown (or one of them first used): the window
    starts on another tab, and they took about 25 ms of its start-up.

    Signals
    -------
    refreshRequested() : the user pressed "Update"; the window should call :meth:`set_results`.
    """

    refreshRequested = Signal()
    LAZY_PARTS = frozenset({
        "pages", "regression_layout", "scatter_plot", "scatter_legend", "identity_line", "train_scatter",
        "val_scatter", "residual_plot", "train_histogram", "val_histogram", "confusion_layout", "confusion_plot",
        "confusion_image", "count_texts", "confusion_caption",
    })

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._reports: dict[str, dict] = {}
        self._pending: tuple | None = None  # what set_results asked for while the view was hidden
        self.task: str | None = None

        self.update_button = QPushButton("Update")
        self.update_button.setToolTip("Recompute the metrics and plots with the current network")
        self.update_button.clicked.connect(self.refreshRequested)
        self.rows_combo = QComboBox()
        self.rows_combo.addItems(["validation", "training"])
        self.rows_combo.setToolTip("Which rows the confusion matrix counts")
        self.rows_combo.currentIndexChanged.connect(self._show_confusion)
        self.rows_label = QLabel("Confusion matrix of:")
        self.rows_label.setBuddy(self.rows_combo)
        self.export_button = QToolButton()
        self.export_button.setDefaultAction(make_export_action(self, self.export, "evaluation.png"))
        self.status = QLabel("Train a network, then press Update.")

        bar = QHBoxLayout()
        bar.addWidget(self.update_button)
        bar.addWidget(self.rows_label)
        bar.addWidget(self.rows_combo)
        bar.addStretch(1)
        bar.addWidget(self.export_button)

        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["training", "validation"])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setToolTip("Each metric on the training rows and on the held-out validation rows")
        # Columns as wide as their header and numbers, never elided; the table is sized to fit them
        # (see _fit_table_width) and the plot takes the rest.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move between cells
        self._residual_beside = True

        self._plots_holder = QWidget()  # gets the plots' pages (_build_parts)
        holder_layout = QVBoxLayout(self._plots_holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self._plots_holder)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(0, False)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self.clear()
        self._fit_table_width()

    def _build_parts(self) -> None:
        """The plots, in the look in force (see :class:`~mlp_desktop.gui.widgets.BuiltWhenShown`)."""
        # Regression page: predicted against actual, and the residual histogram.
        self.regression_layout = pg.GraphicsLayoutWidget()
        self.regression_layout.setBackground(background())
        self.scatter_plot = self.regression_layout.addPlot(row=0, col=0)
        style_plot_item(self.scatter_plot, "predicted")
        self.scatter_plot.setLabel("bottom", "actual", color=foreground())
        # A compact legend listing only the series shown: a full one covered the points in a short plot.
        self.scatter_legend = self.scatter_plot.addLegend(offset=(6, 4), labelTextColor=foreground(),
                                                          labelTextSize="8pt", verSpacing=-6)
        self.identity_line = pg.PlotDataItem(pen=pen(foreground()), name="y = x")
        self.scatter_plot.addItem(self.identity_line)
        self.train_scatter = pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(TRAIN_COLOUR), name="training")
        self.val_scatter = pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(VALIDATION_COLOUR),
                                              symbol="t", name="validation")
        self.scatter_plot.addItem(self.train_scatter)
        self.scatter_plot.addItem(self.val_scatter)
        # Beside the scatter in a wide, short pane, under it in a narrow one (_arrange_regression_plots):
        # stacked in the 300-pixel-high pane at 1280x800, each plot was about 60 pixels tall.
        self.residual_plot = self.regression_layout.addPlot(row=0, col=1)
        self.regression_layout.installEventFilter(self)
        style_plot_item(self.residual_plot, "rows")
        self.residual_plot.setLabel("bottom", "residual (predicted − actual)", color=foreground())
        self.train_histogram = pg.PlotDataItem(stepMode="center", fillLevel=0, pen=pen(TRAIN_COLOUR),
                                               brush=pg.mkBrush(TRAIN_COLOUR + "60"))
        self.val_histogram = pg.PlotDataItem(stepMode="center", fillLevel=0, pen=pen(VALIDATION_COLOUR),
                                             brush=pg.mkBrush(VALIDATION_COLOUR + "60"))
        self.residual_plot.addItem(self.train_histogram)
        self.residual_plot.addItem(self.val_histogram)

        # Classification page: the confusion matrix as a heatmap with counts.
        self.confusion_layout = pg.GraphicsLayoutWidget()
        self.confusion_layout.setBackground(background())
        self.confusion_plot = self.confusion_layout.addPlot()
        style_plot_item(self.confusion_plot, "actual")
        self.confusion_plot.setLabel("bottom", "predicted", color=foreground())
        self.confusion_plot.invertY(True)
        # No aspect lock: a locked view laid out while hidden cropped the last class off.
        self.confusion_plot.setMouseEnabled(False, False)
        self.confusion_image = pg.ImageItem(axisOrder="col-major")
        self.confusion_image.setColorMap(confusion_map())
        self.confusion_plot.addItem(self.confusion_image)
        self.count_texts: list[pg.TextItem] = []  # a pool, grown when a model has more classes
        self._cell_texts: list[tuple[str, str]] = []  # each cell's (count, "count (share)"), row by row
        self.confusion_caption = self.confusion_layout.addLabel(CONFUSION_CAPTION, row=1, col=0, size="8pt",
                                                                color=foreground())
        self.confusion_plot.vb.sigResized.connect(self._update_predicted_ticks)
        self.confusion_plot.vb.sigResized.connect(self._fit_cell_texts)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.regression_layout)
        self.pages.addWidget(self.confusion_layout)
        self._plots_holder.layout().addWidget(self.pages)

    # -- public --------------------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        if self.parts_built and watched is self.regression_layout and event.type() == QEvent.Type.Resize:
            self._arrange_regression_plots(event.size().width(), event.size().height())
        return super().eventFilter(watched, event)

    def _arrange_regression_plots(self, width: int, height: int) -> None:
        """The residual histogram beside the scatter when the pane is wide, under it when it is narrow."""
        beside = width >= 1.6 * height
        if beside != self._residual_beside:
            self._residual_beside = beside
            layout = self.regression_layout.ci
            layout.removeItem(self.residual_plot)
            layout.addItem(self.residual_plot, row=0 if beside else 1, col=1 if beside else 0)

    @property
    def reports(self) -> dict[str, dict]:
        """The metrics shown, by row set (computed now if the view has not been shown since they changed)."""
        self._catch_up()
        return self._reports

    def set_results(self, model, rows: RowSets) -> None:
        """Show the metrics of ``model`` on its training, validation and (held-out) test ``rows``.

        Evaluating every row takes a while on a big table (0.5 s for 20,000 x 784): a hidden view
        only remembers what to show, and takes the rows and computes when it is shown (or its
        reports are read)."""
        self._pending = (model, rows)
        if self.isVisible():
            self._catch_up()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._catch_up()

    def _catch_up(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._compute_results(*pending)

    def _compute_results(self, model, rows: RowSets) -> None:
        self._reports = {"training": evaluation_report(model, rows.train),
                        "validation": evaluation_report(model, rows.validation)}
        if rows.n_rows("test"):
            self._reports["test"] = evaluation_report(model, rows.test)
        self.task = model.preprocessor.task
        self._fill_table()
        has_validation = self._reports["validation"]["n_samples"] > 0
        counts = [f"{report['n_samples']} {name} rows" for name, report in self._reports.items()]
        self.status.setText(", ".join(counts) + ("" if "test" not in self._reports
                                                  else " (the test rows were held out of training)") + ".")
        self.rows_combo.blockSignals(True)
        self.rows_combo.clear()
        self.rows_combo.addItems([name for name in ("validation", "training", "test") if name in self._reports])
        self.rows_combo.blockSignals(False)
        if self.task == "regression":
            self.pages.setCurrentWidget(self.regression_layout)
            self._show_regression()
        else:
            self.pages.setCurrentWidget(self.confusion_layout)
            self.rows_combo.blockSignals(True)
            self.rows_combo.setCurrentText("validation" if has_validation else "training")
            self.rows_combo.blockSignals(False)
            self._show_confusion()
        classification = self.task == "classification"
        self.rows_combo.setVisible(classification)
        self.rows_label.setVisible(classification)
        self.export_button.setEnabled(True)

    def clear(self, reason: str = "") -> None:
        """Show nothing (no model yet), and ``reason`` if given (the data cannot be used, say)."""
        self._reports, self.task, self._pending = {}, None, None
        self.table.setRowCount(0)
        if self.parts_built:  # plots built later start empty
            for item in (self.train_scatter, self.val_scatter, self.identity_line,
                         self.train_histogram, self.val_histogram):
                item.setData([], [])
            self.confusion_image.clear()
            for text in self.count_texts:
                text.setVisible(False)
        self.rows_combo.setVisible(False)
        self.rows_label.setVisible(False)
        self.export_button.setEnabled(False)
        self.status.setText(reason or "Train a network, then press Update.")

    def on_look_changed(self) -> None:
        """The theme changed (``style.restyle`` calls this): the heatmap and its counts follow."""
        if not self.parts_built:
            return  # they are built in the look in force
        self.confusion_image.setColorMap(confusion_map())
        if self.task == "classification" and self._reports:  # not .reports: that would compute them
            self._show_confusion()

    def export(self, path: str | os.PathLike) -> Path:
        """Save the plots shown now as PNG or SVG (by the suffix of ``path``)."""
        layout = self.pages.currentWidget()
        return export_graphics(layout.ci, path)

    # -- drawing -------------------------------------------------------------------------------
    def _fill_table(self) -> None:
        train = self._reports["training"]
        names = list(self._reports)
        self.table.setColumnCount(len(names))
        self.table.setHorizontalHeaderLabels(names)
        if self.task == "regression":
            rows = [("RMSE", "rmse", None), ("MAE", "mae", None), ("R²", "r2", None)]
        else:
            rows = [("accuracy", "accuracy", None)]
            for i, label in enumerate(train["classes"]):
                rows += [(f"precision ({label})", "precision", i), (f"recall ({label})", "recall", i)]
        self.table.setRowCount(len(rows))
        for row, (name, key, _) in enumerate(rows):
            header = QTableWidgetItem(name)
            header.setToolTip(METRIC_TIPS.get(key, ""))
            self.table.setVerticalHeaderItem(row, header)
        for row, (_, key, index) in enumerate(rows):
            for column, report in enumerate(self._reports.values()):
                value = self._value(report, key, index)
                item = QTableWidgetItem(_format(value))
                item.setData(DATA_ROLE, value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self._fit_table_width()

    def _fit_table_width(self) -> None:
        """Make the table exactly wide enough for its row names and both columns (no elided text)."""
        table = self.table
        table.resizeColumnsToContents()
        width = (table.verticalHeader().sizeHint().width() + table.horizontalHeader().length()
                 + 2 * table.frameWidth() + table.verticalScrollBar().sizeHint().width())
        table.setFixedWidth(width)

    @staticmethod
    def _value(report: dict, key: str, index: int | None) -> float:
        if report["n_samples"] == 0:
            return float("nan")
        value = report[key]
        if index is None:
            return float(value)
        return float(value[index]) if index < len(value) else float("nan")

    def _place_legend(self, train: dict, validation: dict, low: float, high: float) -> None:
        """The legend in the corner the points leave free: top left (over-predictions) unless more
        points are there than bottom right (under-predictions). A poor model's points ran under
        the legend at the top left."""
        actual = np.concatenate([train["actual"], validation["actual"]])
        predicted = np.concatenate([train["predicted"], validation["predicted"]])
        span = (high - low) or 1.0
        left, right = actual < low + 0.45 * span, actual > high - 0.45 * span
        top, bottom = predicted > high - 0.35 * span, predicted < low + 0.35 * span
        bottom_right = int(np.count_nonzero(right & bottom)) < int(np.count_nonzero(left & top))
        corner = (1, 1) if bottom_right else (0, 0)
        self.scatter_legend.anchor(itemPos=corner, parentPos=corner, offset=(-6, -4) if bottom_right else (6, 4))

    def _show_regression(self) -> None:
        train, validation = self._reports["training"], self._reports["validation"]
        self.scatter_legend.clear()
        for item, name, shown in ((self.identity_line, "y = x", True), (self.train_scatter, "training", True),
                                  (self.val_scatter, "validation", validation["n_samples"] > 0)):
            if shown:
                self.scatter_legend.addItem(item, name)
        self.train_scatter.setData(train["actual"], train["predicted"])
        self.val_scatter.setData(validation["actual"], validation["predicted"])
        values = np.concatenate([train["actual"], train["predicted"], validation["actual"], validation["predicted"]])
        values = values[np.isfinite(values)]
        if values.size:
            low, high = float(values.min()), float(values.max())
            self.identity_line.setData([low, high], [low, high])
            self._place_legend(train, validation, low, high)
        residuals = np.concatenate([train["residuals"], validation["residuals"]])
        residuals = residuals[np.isfinite(residuals)]
        if residuals.size == 0:
            return
        spread = max(float(np.abs(residuals).max()), 1e-12)
        edges = np.linspace(-spread, spread, HISTOGRAM_BINS + 1)
        for item, report in ((self.train_histogram, train), (self.val_histogram, validation)):
            counts, _ = np.histogram(report["residuals"][np.isfinite(report["residuals"])], bins=edges)
            item.setData(edges, counts)

    @Slot()
    def _show_confusion(self) -> None:
        """The confusion matrix shaded by each actual class's shares (a large class no longer
        outshades the others), each cell reading "count (share)" (an empty one "0")."""
        if self.task != "classification":
            return
        report = self._reports[self.rows_combo.currentText()]
        matrix = np.asarray(report["confusion_matrix"])
        shares = np.asarray(report["confusion_shares"])
        classes = report["classes"]
        n = len(classes)
        # ImageItem col-major: image[x = predicted column, y = actual row].
        self.confusion_image.setImage(shares.T.astype(float), levels=(0.0, 1.0))
        self.confusion_image.setRect(QRectF(-0.5, -0.5, n, n))
        self.confusion_plot.getAxis("left").setTicks([[(i, str(label)) for i, label in enumerate(classes)]])
        self._update_predicted_ticks()
        while len(self.count_texts) < n * n:
            text = pg.TextItem(anchor=(0.5, 0.5))
            self.confusion_plot.addItem(text)
            self.count_texts.append(text)
        self._cell_texts = []
        for k, text in enumerate(self.count_texts):
            if k >= n * n:
                text.setVisible(False)
                continue
            row, column = divmod(k, n)
            count, share = int(matrix[row, column]), float(shares[row, column])
            self._cell_texts.append((str(count), f"{count} ({_percent(share)})" if count else "0"))
            # White on the darker (larger share) cells; the theme's text on the paler ones.
            text.setColor((255, 255, 255) if share > DARK_CELL else foreground())
            text.setPos(column, row)
            text.setVisible(True)
        self._fit_cell_texts()
        self.confusion_plot.setRange(xRange=(-0.5, n - 0.5), yRange=(-0.5, n - 0.5), padding=0.02)
        self.confusion_plot.setTitle(f"{self.rows_combo.currentText()} rows ({report['n_samples']})",
                                     color=foreground())

    @Slot()
    def _fit_cell_texts(self, *unused) -> None:
        """Each cell reads "count (share)" where every cell has room for it, else the count alone
        (the shading still shows the share; many classes make narrow cells)."""
        if not self._cell_texts:
            return
        n = math.isqrt(len(self._cell_texts))
        metrics = QFontMetrics(self.count_texts[0].textItem.font())
        room = self.confusion_plot.vb.width() / (n * 1.04) - 6  # the range has 2 % padding each side
        with_share = all(metrics.horizontalAdvance(full) <= room for _, full in self._cell_texts)
        for text, (count, full) in zip(self.count_texts, self._cell_texts):
            text.setText(full if with_share else count)

    @Slot()
    def _update_predicted_ticks(self, *unused) -> None:
        """Class names under the columns, shortened with "…" where a column is too narrow for them."""
        if self.task != "classification" or not self._reports:
            return
        classes = [str(label) for label in self._reports["training"]["classes"]]
        axis = self.confusion_plot.getAxis("bottom")
        metrics = QFontMetrics(axis.style.get("tickFont") or axis.font())
        room = int(self.confusion_plot.vb.width() / (max(len(classes), 1) * 1.05)) - 8  # the range has 2 % padding
        axis.setTicks([[(i, metrics.elidedText(label, Qt.TextElideMode.ElideRight, max(room, 1)))
                        for i, label in enumerate(classes)]])

    def predicted_tick_labels(self) -> list[str]:
        """The class names shown under the confusion matrix's columns (possibly shortened)."""
        ticks = self.confusion_plot.getAxis("bottom")._tickLevels
        return [text for _, text in ticks[0]] if ticks else []

    def count_texts_shown(self) -> list[list[str]]:
        """What the heatmap's cells read, row by row: "count (share)", or the count where the cells
        are too narrow (for tests and screen readers)."""
        n = len(self._reports[self.rows_combo.currentText()]["classes"]) if self._reports else 0
        return [[self.count_texts[r * n + c].toPlainText() for c in range(n)] for r in range(n)]


def _percent(share: float) -> str:
    """A share as a whole percentage that never reads 0% or 100% when it is not: "<1%", ">99%"."""
    if 0.0 < share < 0.005:
        return "<1%"
    if 0.995 <= share < 1.0:
        return ">99%"
    return f"{share:.0%}"


def _demo() -> int:
    import sys

    from PySide6.QtWidgets import QApplication

    from ...core.session import trained_sample_session

    app = QApplication.instance() or QApplication(sys.argv)
    name = sys.argv[1] if len(sys.argv) > 1 else "iris"
    session = trained_sample_session(name, [6], epochs=100)
    view = EvaluationView()

    def update() -> None:
        view.set_results(session.model(), session.row_sets)

    view.refreshRequested.connect(update)
    update()
    view.resize(1000, 500)
    view.setWindowTitle(f"Evaluation: {name}")
    view.show()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(_demo())
