"""Batch prediction: predict every row of a spreadsheet and save it with the prediction columns.

Reading and checking come from :func:`mlp_desktop.core.data.read_table` /
:func:`~mlp_desktop.core.data.prepare_inputs`, the answers from ``Model.predict`` and saving from
:func:`mlp_desktop.core.fileio.write_table` (atomic). This dialog only chooses files and shows them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from PySide6.QtWidgets import (
    QApplication, QCheckBox, QComboBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QMessageBox,
    QProgressBar, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from ..core.data import list_sheets, prepare_inputs, read_table
from ..core.errors import DataError
from ..core.fileio import write_table
from .dataframe_model import DataFrameModel
from .widgets import error_label

CHUNK_ROWS = 5_000
OPEN_FILTER = "Spreadsheets (*.xlsx *.xlsm *.csv *.tsv *.txt);;All files (*)"
SAVE_FILTER = "Excel workbook (*.xlsx);;CSV file (*.csv)"


def predict_in_chunks(model, frame: pd.DataFrame, on_progress=None, chunk_rows: int = CHUNK_ROWS) -> pd.DataFrame:
    """``model.predict(frame)`` a chunk at a time, calling ``on_progress(done, total)`` after each."""
    total = len(frame)
    parts = []
    for start in range(0, total, chunk_rows):
        parts.append(model.predict(frame.iloc[start:start + chunk_rows]))
        if on_progress is not None:
            on_progress(min(start + chunk_rows, total), total)
    return pd.concat(parts) if parts else model.predict(frame)


class BatchPredictDialog(QDialog):
    """Open a file, preview it with the prediction columns appended, save it as .xlsx or .csv."""

    def __init__(self, model, parent: QWidget | None = None, start_folder: str | Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("Predict a file")
        self.model = model
        self.start_folder = Path(start_folder) if start_folder else Path.home()
        self.source: Path | None = None
        self.sheet: str | None = None
        self.result: pd.DataFrame | None = None
        self.row_numbers: np.ndarray | None = None

        self.open_button = QPushButton("Open file…")
        self.open_button.clicked.connect(self.choose_file)
        self.file_label = QLabel("No file chosen.")
        self.sheet_combo = QComboBox()
        self.sheet_combo.hide()
        self.sheet_combo.activated.connect(lambda _: self._reload(self.sheet_combo.currentText()))
        self.skip_check = QCheckBox("Skip incomplete rows")
        self.skip_check.setToolTip("Rows with an empty input cell are left out instead of stopping.")
        self.skip_check.toggled.connect(lambda _: self._reload(self.sheet))
        self.error = error_label()
        self.summary_label = QLabel()
        self.progress = QProgressBar()
        self.progress.hide()
        self.table_model = DataFrameModel(parent=self)
        self.table_view = QTableView()
        self.table_view.setModel(self.table_model)
        self.save_button = QPushButton("Save as…")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.choose_save_path)
        close_button = QPushButton("Close")
        close_button.clicked.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.file_label, 1)
        top.addWidget(self.sheet_combo)
        top.addWidget(self.skip_check)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary_label, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(close_button)
        layout = QVBoxLayout(self)
        needed = ", ".join(model.inputs) if model is not None else ""
        layout.addWidget(QLabel(f"The file needs the input columns: {needed}."))
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.progress)
        layout.addWidget(self.table_view, 1)
        layout.addLayout(bottom)
        self.resize(800, 500)

    # -- loading ---------------------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a file to predict", str(self.start_folder), OPEN_FILTER)
        if path:
            self.load(path)

    def load(self, path, sheet: str | None = None) -> bool:
        """Read ``path`` (``sheet`` of a workbook), predict every row and preview it; False on a DataError."""
        self.source, self.sheet = Path(path), sheet
        self.start_folder = self.source.parent
        self.file_label.setText(self.source.name)
        try:
            sheets = list_sheets(self.source)
        except DataError:
            sheets = []
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(sheets)
        if sheet in sheets:
            self.sheet_combo.setCurrentText(sheet)
        self.sheet_combo.blockSignals(False)
        self.sheet_combo.setVisible(len(sheets) > 1)
        return self._reload(sheet)

    def _reload(self, sheet: str | None) -> bool:
        if self.source is None:
            return False
        self.sheet = sheet or None
        self._show_result(None)
        try:
            table = read_table(self.source, self.sheet)
            pre = self.model.preprocessor
            frame, kept = prepare_inputs(table, pre.inputs, pre.input_kinds, self.skip_check.isChecked())
            self.progress.setRange(0, max(len(frame), 1))
            self.progress.setValue(0)
            self.progress.setVisible(len(frame) > CHUNK_ROWS)
            predictions = predict_in_chunks(self.model, frame, self._progress)
        except DataError as error:
            self.progress.hide()
            self.error.setText(str(error))
            self.error.show()
            return False
        self.progress.hide()
        result = table.frame.iloc[kept].reset_index(drop=True)
        for column in predictions.columns:  # a stale prediction column of the same name is replaced
            result[column] = predictions[column].to_numpy()
        self.row_numbers = np.asarray(table.row_numbers)[kept]
        skipped = len(table.frame) - len(kept)
        self._show_result(result)
        self.summary_label.setText(f"{len(result)} rows predicted" + (f", {skipped} incomplete row{'s' if skipped > 1 else ''} skipped" if skipped else "") + ".")
        return True

    def _progress(self, done: int, total: int) -> None:
        self.progress.setValue(done)
        QApplication.processEvents()

    def _show_result(self, result: pd.DataFrame | None) -> None:
        self.result = result
        self.error.hide()
        self.summary_label.clear()
        self.table_model.set_frame(result, None if result is None else self.row_numbers)
        self.save_button.setEnabled(result is not None)
        if result is not None:
            self.table_view.resizeColumnsToContents()  # Qt samples ~1000 rows, so large files stay fast

    # -- saving ----------------------------------------------------------------------------------
    def choose_save_path(self) -> None:
        if self.result is None or self.source is None:
            return
        suggested = self.source.with_name(self.source.stem + "_predicted.xlsx")
        path, chosen = QFileDialog.getSaveFileName(self, "Save predictions", str(suggested), SAVE_FILTER)
        if not path:
            return
        if Path(path).suffix.lower() not in (".xlsx", ".csv"):
            path += ".csv" if chosen.startswith("CSV") else ".xlsx"
        self.save(path)

    def save(self, path) -> bool:
        """Write the preview to ``path`` (.xlsx or .csv); asks before overwriting the source file."""
        if self.result is None:
            return False
        path = Path(path)
        if self.source is not None and _same_file(path, self.source):
            answer = QMessageBox.question(
                self, "Overwrite the original file?",
                f"{path.name} is the file you opened. Replace it with the predictions?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            write_table(self.result, path)
        except (DataError, OSError) as error:
            self.error.setText(str(error) if isinstance(error, DataError) else f"Cannot save {path.name}: {error}.")
            self.error.show()
            return False
        self.error.hide()
        self.summary_label.setText(f"Saved {len(self.result)} rows to {path.name}.")
        return True


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def main() -> int:
    """Show the dialog alone with a quickly trained iris model and the iris sample loaded."""
    from ..core.samples import sample_path
    from ..core.session import trained_sample_session

    app = QApplication.instance() or QApplication(sys.argv)
    dialog = BatchPredictDialog(trained_sample_session("iris", validation_fraction=0.0).model())
    dialog.load(sample_path("iris"))
    dialog.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
