"""File > Export: the history table, the model (JSON, Python script, ONNX) and the diagram."""

from __future__ import annotations

from ..core.errors import DataError

EXPORT_FILTERS = {
    "history": ("history.xlsx", "Excel workbook (*.xlsx);;CSV file (*.csv)"),
    "model": ("model.json", "MLP Desktop model (*.json)"),
    "python": ("predict_model.py", "Python script (*.py)"),
    "onnx": ("model.onnx", "ONNX model (*.onnx)"),
    "diagram": ("network.png", "PNG image (*.png);;SVG drawing (*.svg)"),
}


def export(workspace, editor, kind: str, path) -> None:
    """Write ``kind`` of the current work to ``path``; :class:`DataError` says what went wrong.

    The weights and history are those the window shows (``Workspace.snapshot``: while a run is
    paused, as of the pause; the caller pauses a run in progress for a moment)."""
    from ..core.export import export_python
    from ..core.fileio import write_table

    if kind == "diagram":
        editor.export(path)
        return
    params, history = workspace.snapshot()
    if kind == "history":
        if history is None or history.initial_params is None:
            raise DataError("Nothing has been trained yet, so there is no history to export.")
        write_table(history.to_frame(rmse_scale=workspace.session.rmse_unit_scale), path)
        return
    model = workspace.model(params)
    if kind == "model":
        model.save(path)
    elif kind == "python":
        export_python(model, path)
    elif kind == "onnx":
        from ..core.onnx_export import export_onnx

        export_onnx(model, path)
    else:
        raise ValueError(kind)
