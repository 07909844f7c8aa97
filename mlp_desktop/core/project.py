"""Project files (``.mlpd``): the network, the settings, the data's location, the trained weights and
the training history, in one file.

A project file is a zip archive holding

``manifest.json``
    ``{"format": "mlp-desktop-project", "version": 4, "saved_with": ..., "graph": ..., "parameters":
    ..., "data": ..., "view": ..., "has_weights": ..., "has_history": ..., "history_meta": ...}``.
    JSON never holds NaN: missing numbers are stored as ``null``. ``history_meta`` holds the
    history's ``parameter_names`` only when they are not the network's own (``parameters.
    parameter_names`` of its layer sizes, which they always are when the app saves).
``weights.npy``, ``history_epochs.npy``, ...
    the arrays (:data:`ARRAY_KEYS`), each a NumPy ``.npy`` member, so the project file is also an
    ``.npz`` (``numpy.load`` lists them): ``weights`` (the flat parameter vector) and, with a
    history, ``history_epochs`` ``(n,)``, ``history_rmse`` ``(n, 2)`` (train, validation),
    ``history_params`` ``(n, n_params)``, ``history_learning_rates`` ``(n,)`` (optional; NaN where
    an epoch had none), ``history_grad_rms`` ``(n, n_layers)`` (optional: each weight layer's RMS
    gradient over the epoch's steps, the Gradients plot; NaN where not recorded) and
    ``initial_params`` ``(n_params,)``. NumPy's format keeps every float bit for bit. Stored without
    compression (weights barely compress) and written straight from memory; deflated members open
    the same.
``data.csv``
    the data table itself, only when the project embeds it.

Older versions are brought up to date by :func:`migrate`; version 1 described the network as
hidden-layer sizes and activations (``"network"``) instead of the editor's graph; version 2 had no
optimizer, regularization or stopping settings (a file without them keeps their defaults) and no
learning rates, best epoch or test RMSE in its history. Versions 1-3 kept the arrays in one nested
``arrays.npz`` member (read as before; writing it checksummed and copied 34 MB twice) and always
listed the parameter names (50,000 strings for a 784-64-10 network). Anything wrong
with a file raises :class:`~mlp_desktop.core.errors.DataError` in plain words.
"""

from __future__ import annotations

import copy
import io
import json
import math
import os
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import __version__
from . import parameters, settings
from .errors import DataError
from .fileio import atomic_path
from .lazy import pd
from .reading.archive import check_npz, check_project_zip, open_member, read_member
from .graph import NetworkGraph
from .history import MEMORY_BUDGET, History

PROJECT_FORMAT = "mlp-desktop-project"
PROJECT_VERSION = 4
PROJECT_SUFFIX = ".mlpd"

MANIFEST_NAME = "manifest.json"
ARRAYS_NAME = "arrays.npz"
"""Where versions 1-3 kept the arrays (a nested ``.npz``); version 4 stores :data:`ARRAY_KEYS` as members."""
DATA_NAME = "data.csv"
ARRAY_KEYS = ("weights", "history_epochs", "history_rmse", "history_params", "history_learning_rates",
              "history_grad_rms", "initial_params")
ARRAY_SUFFIX = ".npy"

DEFAULT_DATA = {
    "path": None,
    "relative_path": None,
    "sheet": None,
    "inputs": [],
    "targets": [],
    "task": "auto",
    "drop_missing": False,
    "input_scaling": "standard",
    "validation_fraction": 0.0,
    "embedded": False,
}

# What a damaged archive, array or table can raise while being read; all become DataError. (pandas'
# ParserError and EmptyDataError are ValueErrors: naming them here would import pandas with this module.)
_READ_ERRORS = (
    ValueError, TypeError, LookupError, AttributeError, ArithmeticError, RuntimeError, OSError, EOFError,
    zipfile.BadZipFile, zlib.error, NotImplementedError,
)


@dataclass
class Project:
    """Everything a project file holds.

    ``graph`` is :meth:`NetworkGraph.to_dict`; ``parameters`` the training settings; ``data`` where
    the data is and how it is used (keys of ``DEFAULT_DATA``); ``view`` free-form plot settings;
    ``weights`` the flat parameter vector ``(n_params,)``; ``embedded_data`` the data table when it
    is stored in the project itself.
    """

    graph: dict
    parameters: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    view: dict = field(default_factory=dict)
    weights: np.ndarray | None = None
    history: History | None = None
    embedded_data: pd.DataFrame | None = None


# -- saving --------------------------------------------------------------------------------------

def save_project(project: Project, path) -> None:
    """Write ``project`` to ``path`` atomically: on any failure the old file is left as it was.

    ``data["relative_path"]`` is recomputed from ``data["path"]`` against the project's folder,
    and ``data["embedded"]`` says whether ``project.embedded_data`` is stored.
    """
    path = Path(path)
    graph_state = _checked_graph(project.graph, f"Cannot save {path.name}:")
    n_params = parameter_count(graph_state)
    data = {**DEFAULT_DATA, **(project.data or {})}
    if data.get("path"):
        data["path"] = str(Path(data["path"]).absolute())
        data["relative_path"] = _relative_to(Path(data["path"]), path.absolute().parent)
    data["embedded"] = project.embedded_data is not None

    arrays: dict[str, np.ndarray] = {}
    if project.weights is not None:
        weights = np.asarray(project.weights, dtype=np.float64).ravel()
        if weights.size != n_params:
            raise DataError(f"Cannot save {path.name}: the network has {n_params} weights and biases "
                            f"but {weights.size} values were given.")
        arrays["weights"] = weights
    history_meta = None
    if project.history is not None:
        history_meta = _history_arrays(project.history, arrays)

    manifest = {
        "format": PROJECT_FORMAT,
        "version": PROJECT_VERSION,
        "saved_with": f"mlp-desktop {__version__}",
        "graph": graph_state,
        "parameters": dict(project.parameters or {}),
        "data": data,
        "view": dict(project.view or {}),
        "has_weights": project.weights is not None,
        "has_history": project.history is not None,
    }
    if history_meta is not None:
        manifest["history_meta"] = history_meta
    try:
        # Compact: with an indent Python's json encodes in Python, not C (0.07 s for 50,000 names).
        manifest_text = json.dumps(_json_safe(manifest), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise DataError(f"Cannot save {path.name}: a setting cannot be written to a project file ({error}).") from None

    with atomic_path(path) as temporary:
        # Level 1: an embedded table deflates 3x faster than at the default level, to about the same size.
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.writestr(MANIFEST_NAME, manifest_text)
            date_time = time.localtime()[:6]
            for key, array in arrays.items():
                _write_npy(archive, key + ARRAY_SUFFIX, array, date_time)
            if project.embedded_data is not None:
                archive.writestr(DATA_NAME, project.embedded_data.to_csv(index=False))


def _write_npy(archive: zipfile.ZipFile, member_name: str, array: np.ndarray, date_time: tuple) -> None:
    """Write ``array`` as a ``.npy`` member, stored, straight from its memory.

    Stored, not deflated: weights barely compress (a 34 MB history shrank 4 % in 1.3 s). The bytes
    go from the array to the file with one checksum pass: ``numpy.savez`` into a nested ``.npz``
    (versions 1-3) copied them in chunks and checksummed them twice, inside and out.
    """
    member = zipfile.ZipInfo(member_name, date_time=date_time)
    member.compress_type = zipfile.ZIP_STORED
    member.external_attr = 0o600 << 16  # as writestr gives
    if not (array.flags.c_contiguous or (array.ndim == 2 and array.strides[1] == array.itemsize)):
        array = np.ascontiguousarray(array)  # written in C order, so the header must say so (not F order)
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, np.lib.format.header_data_from_array_1_0(array))
    with archive.open(member, "w", force_zip64=True) as stream:
        stream.write(header.getvalue())
        if array.size == 0:
            return
        if array.flags.c_contiguous:
            stream.write(memoryview(array).cast("B"))
        else:
            for row in array:  # a block of columns (the history's parameters): each row is contiguous
                stream.write(memoryview(row).cast("B"))


def _history_arrays(history: History, arrays: dict) -> dict:
    """Put the history's arrays into ``arrays``; return its other fields for the manifest."""
    epochs, rows = history.records(copy=False)  # read at once by the save: no copy of a 34 MB record
    arrays["history_epochs"] = np.asarray(epochs, dtype=np.int64)
    arrays["history_rmse"] = np.ascontiguousarray(rows[:, :2], dtype=np.float64)
    arrays["history_params"] = rows[:, 2:]  # written row by row as it is
    arrays["history_learning_rates"] = np.asarray(history.learning_rates, dtype=np.float64)
    arrays["history_grad_rms"] = np.asarray(history.grad_rms, dtype=np.float64)
    if history.initial_params is not None:
        arrays["initial_params"] = np.asarray(history.initial_params, dtype=np.float64)
    names = history.parameter_names
    meta = {} if parameters.layer_sizes_of(names) is not None else {"parameter_names": list(names)}
    return {
        **meta,  # the usual names are made from the graph when read (50,000 of them were most of the manifest)
        "initial_train_rmse": history.initial_train_rmse,
        "initial_val_rmse": history.initial_val_rmse,
        "stop_reason": history.stop_reason,
        "message": history.message,
        "elapsed_seconds": history.elapsed_seconds,
        "best_epoch": history.best_epoch,
        "best_val_rmse": history.best_val_rmse,
        "best_train_rmse": history.best_train_rmse,
        "test_rmse": history.test_rmse,
    }


def _relative_to(target: Path, folder: Path) -> str | None:
    try:
        return Path(os.path.relpath(target, folder)).as_posix()
    except ValueError:  # another drive on Windows: no relative path exists
        return None


def _json_safe(value):
    """``value`` with NumPy types made plain and NaN/infinity replaced by ``None``."""
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        if _all_text(value):  # parameter and neuron names: 50,000 of them
            return list(value)
        return [_json_safe(item) for item in value]
    if isinstance(value, np.ndarray):
        return _json_safe(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    return value


# -- loading -------------------------------------------------------------------------------------

def load_project(path) -> Project:
    """Read a project file written by this or an older version of MLP Desktop.

    Raises :class:`DataError` if the file is missing, not a project file, damaged, or from a newer
    version.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise DataError(f"The project file {path} does not exist.")
    try:
        with zipfile.ZipFile(path) as archive:
            check_project_zip(archive, name)  # declared sizes, before anything is inflated
            return _read_archive(archive, name)
    except DataError:
        raise
    except MemoryError:
        raise DataError(f"{name} is damaged or too large to open in the memory available.") from None
    except zipfile.BadZipFile:
        raise DataError(f"{name} is not an MLP Desktop project file (it is not a zip archive), "
                        "or it is damaged.") from None
    except PermissionError:
        raise DataError(f"Cannot open {name}: permission denied.") from None
    except _READ_ERRORS as error:
        raise DataError(f"{name} is damaged and cannot be opened ({type(error).__name__}: {error}).") from None


def _read_archive(archive: zipfile.ZipFile, name: str) -> Project:
    members = set(archive.namelist())
    if MANIFEST_NAME not in members:
        raise DataError(f"{name} is not an MLP Desktop project file: it has no {MANIFEST_NAME}.")
    try:
        text = read_member(archive, MANIFEST_NAME, name, "project file").decode("utf-8")
        manifest = json.loads(text, parse_constant=lambda constant: None)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise DataError(f"{name} is damaged: its {MANIFEST_NAME} is not valid JSON.") from None
    if not isinstance(manifest, dict):
        raise DataError(f"{name} is damaged: its {MANIFEST_NAME} does not describe a project.")
    manifest = migrate(manifest)

    graph_state = _checked_graph(manifest["graph"], name)
    n_params = parameter_count(graph_state)
    parameters = _dict_field(manifest, "parameters", name)
    view = _dict_field(manifest, "view", name)
    data = {**DEFAULT_DATA, **_dict_field(manifest, "data", name)}

    arrays = {}
    if manifest["has_weights"] or manifest["has_history"]:
        if ARRAYS_NAME in members:  # versions 1-3
            arrays = _read_arrays(read_member(archive, ARRAYS_NAME, name, "project file"), name)
        else:
            arrays = {info.filename[:-len(ARRAY_SUFFIX)]: _read_npy(archive, info, name)
                      for info in archive.infolist() if info.filename[:-len(ARRAY_SUFFIX)] in ARRAY_KEYS
                      and info.filename.endswith(ARRAY_SUFFIX)}
            if not arrays:
                raise DataError(f"{name} is damaged: the weights ({'weights' + ARRAY_SUFFIX}) are missing.")

    weights = None
    if manifest["has_weights"]:
        weights = _float_array(arrays, "weights", (n_params,), name, finite=True)
    history = None
    if manifest["has_history"]:
        history = _read_history(arrays, manifest.get("history_meta"),
                                [len(layer["neuron_ids"]) for layer in graph_state["layers"]], name)

    embedded = None
    if data.get("embedded"):
        if DATA_NAME not in members:
            raise DataError(f"{name} is damaged: its embedded data table ({DATA_NAME}) is missing.")
        try:
            embedded = pd.read_csv(io.BytesIO(read_member(archive, DATA_NAME, name, "project file")))
        except pd.errors.EmptyDataError:
            embedded = pd.DataFrame()
        except (ValueError, pd.errors.ParserError):
            raise DataError(f"{name} is damaged: its embedded data table cannot be read.") from None
    return Project(graph=graph_state, parameters=parameters, data=data, view=view, weights=weights,
                   history=history, embedded_data=embedded)


def _read_arrays(raw: bytes, name: str) -> dict[str, np.ndarray]:
    check_npz(raw, name, ARRAYS_NAME)  # array headers against the stored bytes, before allocating
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except _READ_ERRORS:
        raise DataError(f"{name} is damaged: its weights ({ARRAYS_NAME}) cannot be read.") from None


class _Counted:
    """A stream that counts the bytes read from it (the length of a ``.npy`` header)."""

    def __init__(self, stream):
        self.stream, self.count = stream, 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.count += len(data)
        return data


_CHUNK_BYTES = 16 * 2**20


def _read_npy(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> np.ndarray:
    """One ``.npy`` member (version 4) as an array.

    Its header must describe plain numbers that exactly fill the member (checked before anything
    is allocated), and the member's bytes must match its checksum. A stored member (as saved) is
    read from the file straight into the array; any other is inflated in pieces, capped at its
    declared size (:func:`open_member`).
    """
    key = info.filename
    if (info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 0x1
            and info.compress_size == info.file_size and isinstance(getattr(archive, "fp", None), io.BufferedReader)):
        return _read_stored_npy(archive.fp, info, name)
    with open_member(archive, info, name, "project file") as member:
        stream = _Counted(member)
        shape, fortran_order, dtype, size = _npy_header(stream, info, name)
        flat = np.empty(size // dtype.itemsize, dtype=dtype)
        if size:
            target, done = memoryview(flat).cast("B"), 0
            while done < size:
                piece = member.read(min(size - done, _CHUNK_BYTES))
                if not piece:
                    raise DataError(f"{name} is damaged: its weights ({key}) cannot be read.")
                target[done:done + len(piece)] = piece
                done += len(piece)
        if member.read(1):
            raise DataError(f"{name} is damaged: its weights ({key}) cannot be read.")
    return flat.reshape(shape, order="F" if fortran_order else "C")


def _npy_header(stream: _Counted, info: zipfile.ZipInfo, name: str) -> tuple[tuple, bool, np.dtype, int]:
    """``(shape, fortran_order, dtype, data bytes)`` of a ``.npy`` member's header, read from
    ``stream``; DataError unless it describes plain numbers that exactly fill the rest of the member."""
    key = info.filename
    try:
        version = np.lib.format.read_magic(stream)
        reader = {(1, 0): np.lib.format.read_array_header_1_0,
                  (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if reader is None:
            raise ValueError("unsupported array format")
        shape, fortran_order, dtype = reader(stream, max_header_size=10_000)
    except Exception:  # noqa: BLE001 - a damaged header fails in many ways (tokenize.TokenError, ValueError, ...)
        raise DataError(f"{name} is damaged: its weights ({key}) cannot be read.") from None
    if dtype.hasobject or dtype.kind not in "biuf":
        raise DataError(f"{name} is damaged: {key} holds something that is not plain numbers.")
    size = math.prod(int(size) for size in shape) * dtype.itemsize
    if size != info.file_size - stream.count:
        raise DataError(f"{name} is damaged: {key} declares shape {tuple(int(s) for s in shape)} "
                        f"({size:,} bytes) but stores {info.file_size - stream.count:,}; it was not loaded.")
    return shape, fortran_order, dtype, size


_LOCAL_HEADER = 30  # bytes of a zip member's local header before its name and extra field


def _read_stored_npy(file: io.BufferedReader, info: zipfile.ZipInfo, name: str) -> np.ndarray:
    """A stored ``.npy`` member read from the archive's file straight into its array: one read and
    one checksum pass (through zipfile, each 16 MB piece was read into a new bytes object first)."""
    damaged = f"{name} is damaged: its weights ({info.filename}) cannot be read."
    file.seek(info.header_offset)
    local = file.read(_LOCAL_HEADER)
    if len(local) != _LOCAL_HEADER or local[:4] != b"PK\x03\x04":
        raise DataError(damaged)
    start = info.header_offset + _LOCAL_HEADER + int.from_bytes(local[26:28], "little") + int.from_bytes(
        local[28:30], "little")
    file.seek(start)
    head = file.read(min(info.file_size, 10_240))
    stream = _Counted(io.BytesIO(head))
    shape, fortran_order, dtype, size = _npy_header(stream, info, name)
    flat = np.empty(size // dtype.itemsize, dtype=dtype)
    target = memoryview(flat).cast("B") if size else memoryview(b"")
    file.seek(start + stream.count)
    if size and file.readinto(target) != size:
        raise DataError(f"{name} is damaged: its part {info.filename} is shorter than it declares.")
    if zlib.crc32(target, zlib.crc32(head[:stream.count])) != info.CRC:
        raise DataError(f"{name} is damaged: its part {info.filename} fails its checksum.")
    return flat.reshape(shape, order="F" if fortran_order else "C")


def _float_array(arrays: dict, key: str, shape: tuple, name: str, finite: bool = False) -> np.ndarray:
    if key not in arrays:
        raise DataError(f"{name} is damaged: {key!r} is missing from its arrays.")
    array = arrays[key]
    if array.dtype.kind not in "fiu":
        raise DataError(f"{name} is damaged: {key!r} does not hold numbers.")
    if array.shape != shape:
        if key == "weights" and array.ndim == 1:
            raise DataError(f"{name} is damaged: the network has {shape[0]} weights and biases, "
                            f"but the file holds {array.size}.")
        raise DataError(f"{name} is damaged: {key!r} has shape {array.shape}, expected {shape}.")
    array = array.astype(np.float64, copy=False)
    if finite and not np.isfinite(array).all():
        # Training never keeps a missing or infinite weight (it steps back to the last good ones).
        raise DataError(f"{name} is damaged: {key!r} holds missing or infinite values.")
    return array


_NETWORK_NAMES = object()


def _read_history(arrays: dict, meta, layer_sizes: list[int], name: str) -> History:
    n_params = parameters.parameter_count(layer_sizes)
    if not isinstance(meta, dict):
        meta = {}
    names = meta.get("parameter_names", _NETWORK_NAMES)
    if names is _NETWORK_NAMES:  # version 4 leaves the network's own names out
        names = parameters.parameter_names(layer_sizes)
    if not (isinstance(names, list) and _all_text(names)):
        raise DataError(f"{name} is damaged: the training history has no parameter names.")
    if len(names) != n_params:
        raise DataError(f"{name} is damaged: the training history has {len(names)} parameters, "
                        f"the network {n_params}.")
    epochs = arrays.get("history_epochs")
    if epochs is None or epochs.ndim != 1 or epochs.dtype.kind not in "iu":
        raise DataError(f"{name} is damaged: the training history's epochs are missing or not whole numbers.")
    n = epochs.size
    if n > 1 and not np.all(np.diff(epochs) > 0):
        raise DataError(f"{name} is damaged: the training history's epochs do not increase.")
    rmse = _float_array(arrays, "history_rmse", (n, 2), name)
    params = _float_array(arrays, "history_params", (n, n_params), name, finite=True)
    initial = (_float_array(arrays, "initial_params", (n_params,), name, finite=True)
               if "initial_params" in arrays else None)
    rates = (_float_array(arrays, "history_learning_rates", (n,), name)
             if "history_learning_rates" in arrays else np.full(n, np.nan))  # version 2 had none

    # Room for every stored row, so none is thinned away again while rebuilding, but no more than
    # a new history of this network gets: the budget for 784-64-10 was 834 MB, which a run
    # continued after reopening could fill (review).
    row_bytes = 8 * (n_params + 3)
    capacity = max(min(2048, MEMORY_BUDGET // row_bytes), n + n % 2 + 2)
    history = History(names, max_rows=capacity, memory_budget=max(MEMORY_BUDGET, row_bytes * (capacity + 1)))
    shape = (n, history.n_layers)  # each weight layer's RMS gradient per epoch; saved since December 2026
    grads = _float_array(arrays, "history_grad_rms", shape, name) if "history_grad_rms" in arrays else np.full(
        shape, np.nan)
    if initial is not None:
        history.set_initial(_number(meta.get("initial_train_rmse")), _number(meta.get("initial_val_rmse")),
                            initial)
    history.extend(epochs, (rmse, params), rates, grads)  # the same as appending row by row
    reason = meta.get("stop_reason", "completed")
    history.stop_reason = reason if isinstance(reason, str) else "completed"
    message = meta.get("message", "")
    history.message = message if isinstance(message, str) else ""
    elapsed = _number(meta.get("elapsed_seconds"))
    history.elapsed_seconds = 0.0 if math.isnan(elapsed) else elapsed
    best = meta.get("best_epoch")
    history.best_epoch = best if isinstance(best, int) and not isinstance(best, bool) and best >= 0 else None
    history.best_val_rmse = _number(meta.get("best_val_rmse"))
    history.best_train_rmse = _number(meta.get("best_train_rmse"))  # saved since December 2026 (NaN before: only needed when the best epoch has no row)
    history.test_rmse = _number(meta.get("test_rmse"))
    return history


def _number(value) -> float:
    """A float from JSON: ``None`` (how NaN is stored) and non-numbers become NaN."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)


def _dict_field(manifest: dict, key: str, name: str) -> dict:
    value = manifest.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DataError(f"{name} is damaged: its {key!r} section is not a set of named values.")
    return value


def _checked_graph(state, name: str) -> dict:
    """``state`` as a graph dict that :meth:`NetworkGraph.from_dict` accepts, or DataError."""
    problem = (f"{name} the network description is not valid" if name.endswith(":")
               else f"{name} is damaged: its network description is not valid")
    if not isinstance(state, dict) or not isinstance(state.get("layers"), list) or len(state["layers"]) < 2:
        raise DataError(f"{problem}.")
    for layer in state["layers"]:
        if not (isinstance(layer, dict) and isinstance(layer.get("neuron_ids"), list)
                and isinstance(layer.get("id"), int) and layer.get("kind") in ("input", "hidden", "output")
                and (layer.get("activation") is None or isinstance(layer.get("activation"), str))):
            raise DataError(f"{problem}.")
    kinds = [layer["kind"] for layer in state["layers"]]
    if kinds[0] != "input" or kinds[-1] != "output" or any(kind != "hidden" for kind in kinds[1:-1]):
        raise DataError(f"{problem} (the layers are out of order).")
    if "next_id" in state and (isinstance(state["next_id"], bool) or not isinstance(state["next_id"], int)):
        raise DataError(f"{problem}.")
    try:
        return NetworkGraph.from_dict(state).to_dict()
    except DataError:
        raise
    except _READ_ERRORS:
        raise DataError(f"{problem}.") from None


def parameter_count(graph_state: dict) -> int:
    """Weights and biases of the network described by a graph state."""
    return parameters.parameter_count([len(layer["neuron_ids"]) for layer in graph_state["layers"]])


# -- migration -----------------------------------------------------------------------------------

def migrate(manifest: dict) -> dict:
    """Bring a manifest of any known version up to :data:`PROJECT_VERSION` (returns a new dict).

    Raises :class:`DataError` for another format, an unknown version or a newer one.
    """
    if not isinstance(manifest, dict) or manifest.get("format") != PROJECT_FORMAT:
        raise DataError("This is not an MLP Desktop project file (its format is "
                        f"{manifest.get('format')!r} rather than {PROJECT_FORMAT!r})."
                        if isinstance(manifest, dict) else "This is not an MLP Desktop project file.")
    version = manifest.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise DataError(f"This project file has an unknown format version ({version!r}).")
    if version > PROJECT_VERSION:
        raise DataError(f"This project was saved by a newer MLP Desktop (project format {version}); "
                        "please update MLP Desktop to open it.")
    manifest = _copy_json(manifest)
    while manifest["version"] < PROJECT_VERSION:
        manifest = _MIGRATIONS[manifest["version"]](manifest)
    manifest["has_weights"] = bool(manifest.get("has_weights", False))
    manifest["has_history"] = bool(manifest.get("has_history", False))
    if "graph" not in manifest:
        raise DataError("This project file is damaged: it does not describe a network.")
    return manifest


def _all_text(values) -> bool:
    """True when every item is a ``str`` (one pass in C: 50,000 names are common)."""
    return set(map(type, values)) <= {str}


def _copy_json(value):
    """A deep copy of JSON-like data (``copy.deepcopy`` took 0.05 s for 50,000 parameter names)."""
    if isinstance(value, dict):
        return {key: _copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        if _all_text(value):
            return list(value)
        return [_copy_json(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_copy_json(item) for item in value)
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    return copy.deepcopy(value)


def _migrate_1_to_2(manifest: dict) -> dict:
    """Version 1 described the network by its hidden layers; version 2 stores the editor's graph,
    a relative data path, whether the data is embedded, and the plot settings."""
    network = manifest.pop("network", None)
    if not isinstance(network, dict):
        raise DataError("This project file (format 1) is damaged: it does not describe a network.")
    old_data = manifest.get("data")
    old_data = old_data if isinstance(old_data, dict) else {}
    try:
        sizes = list(network.get("hidden_layers", []))
        activations = network.get("activations", "tanh")
        if isinstance(activations, str):
            activations = [activations] * len(sizes)
        activations = list(activations)
        if len(activations) != len(sizes):
            raise DataError("This project file (format 1) is damaged: it gives "
                            f"{len(sizes)} hidden layers but {len(activations)} activations.")
        inputs = list(network.get("input_names") or old_data.get("inputs") or [])
        outputs = list(network.get("output_names") or old_data.get("targets") or [])
        output_activation = network.get("output_activation", "auto")
        if not isinstance(output_activation, str) or not all(isinstance(a, str) for a in activations):
            raise DataError("This project file (format 1) is damaged: an activation is not a name.")
        graph = NetworkGraph(inputs, outputs, zip(sizes, activations), output_activation)
    except DataError:
        raise
    except _READ_ERRORS:
        raise DataError("This project file (format 1) is damaged: its network description is not valid.") from None
    manifest["graph"] = graph.to_dict()
    data = {**DEFAULT_DATA, **old_data}
    if not old_data.get("inputs"):
        data["inputs"] = inputs
    if not old_data.get("targets"):
        data["targets"] = outputs
    data["relative_path"] = None
    data["embedded"] = False
    manifest["data"] = data
    manifest.setdefault("view", {})
    manifest.setdefault("parameters", {})
    manifest["version"] = 2
    return manifest


def _migrate_3_to_4(manifest: dict) -> dict:
    """Version 4 stores each array as a ``.npy`` member instead of one nested ``arrays.npz`` (the
    reader finds either) and may leave out the history's parameter names when they are the
    network's own; a version-3 manifest lists them, and they are used as they are."""
    manifest["version"] = 4
    return manifest


def _migrate_2_to_3(manifest: dict) -> dict:
    """Version 3 added the optimizer, regularization, stopping, schedule, test-share and class-weight
    settings and the history's learning rates, best epoch and test RMSE. A version-2 file has none of
    them, so nothing is filled in: missing settings keep their defaults, a missing learning-rate
    array reads as NaN, a missing best epoch as none."""
    manifest["version"] = 3
    return manifest


_MIGRATIONS = {1: _migrate_1_to_2, 2: _migrate_2_to_3, 3: _migrate_3_to_4}


# -- settings the app can apply ------------------------------------------------------------------
# A project file is a user's file: it may have been edited by hand or come from another version.
# The settings schema (core/settings.py) says which stored values the app can use; anything else is
# left at its default and named.

def _accepts(name: str):
    def check(value) -> bool:
        try:
            settings.SETTINGS[name].check(value)
        except DataError:
            return False
        return True
    return check


def _is_name(value) -> bool:
    return isinstance(value, str) and value != ""


def _is_optional_name(value) -> bool:
    return value is None or _is_name(value)


def _is_names(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


PARAMETER_NAMES = settings.names("learning") + settings.names("init")
PARAMETER_CHECKS = {name: _accepts(name) for name in PARAMETER_NAMES}
"""Training settings of a project (``Project.parameters``): whether a stored value is usable."""

DATA_CHECKS = {
    "path": _is_optional_name,
    "relative_path": _is_optional_name,
    "sheet": _is_optional_name,
    "inputs": _is_names,
    "targets": _is_names,
    **{name: _accepts(name) for name in settings.names("data")},
    "embedded": lambda value: isinstance(value, bool),
}
"""Data settings of a project (``Project.data``, keys of ``DEFAULT_DATA``) and their usable values."""


def usable_parameters(parameters) -> tuple[dict, list[str]]:
    """The training settings the app can apply (canonical values: ``init_range`` as a tuple), and
    the names of those it cannot (left at their defaults)."""
    return settings.usable(parameters, PARAMETER_NAMES)


def usable_data_settings(data) -> tuple[dict, list[str]]:
    """``DEFAULT_DATA`` updated with the project's usable data settings, and the names of the others."""
    data = data if isinstance(data, dict) else {}
    usable = {key: value for key, value in data.items() if key in DATA_CHECKS and DATA_CHECKS[key](value)}
    for name in settings.names("data"):
        if name in usable:
            usable[name] = settings.SETTINGS[name].check(usable[name])
    return {**DEFAULT_DATA, **usable}, sorted(str(key) for key in data if key not in usable)


# -- finding the data ----------------------------------------------------------------------------

def resolve_data_path(project: Project, project_path) -> Path | None:
    """The project's data file, or ``None`` when it cannot be found (then ask the user).

    The path relative to the project's folder is tried first, so a project folder that was moved
    or copied together with its data uses the data beside it; then the absolute path; then a file
    of the same name in the project's folder.
    """
    data = project.data or {}
    folder = Path(project_path).absolute().parent
    candidates = []
    relative, absolute = data.get("relative_path"), data.get("path")
    if isinstance(relative, str) and relative:
        candidates.append(folder / relative)
    if isinstance(absolute, str) and absolute:
        candidates.append(Path(absolute))
        candidates.append(folder / Path(absolute).name)
    for candidate in candidates:
        try:
            if candidate.is_file():
                return Path(os.path.normpath(candidate.absolute()))
        except (OSError, ValueError):  # an unreadable folder or a path with a NUL byte
            continue
    return None
