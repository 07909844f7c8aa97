"""What the window remembers between sessions: layout, theme, recent files, the last folder, and a
recovery copy of unsaved work (offered after a crash)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSettings, QStandardPaths

from ..core.errors import DataError
from ..core.project import PROJECT_SUFFIX, save_project
from .theme import THEMES

SETTINGS_VERSION = 1
MAX_RECENT_FILES = 8


def default_settings() -> QSettings:
    """The user's settings (tests and benchmarks pass their own, temporary ones)."""
    return QSettings("MLP Desktop", "MLP Desktop")


class WindowSettings:
    """A thin typed view of the window's ``QSettings``."""

    def __init__(self, settings: QSettings):
        self.qsettings = settings

    def theme(self) -> str:
        name = str(self.qsettings.value("theme", "system"))
        return name if name in THEMES else "system"

    def set_theme(self, name: str) -> None:
        self.qsettings.setValue("theme", name)

    def last_folder(self) -> str:
        return str(self.qsettings.value("last_folder", str(Path.home())))

    def set_last_folder(self, folder) -> None:
        self.qsettings.setValue("last_folder", str(folder))

    def recent_files(self) -> list[str]:
        value = self.qsettings.value("recent_files", [])
        return [value] if isinstance(value, str) else list(value or [])

    def forget_recent(self, path) -> None:
        self.qsettings.setValue("recent_files", [f for f in self.recent_files() if f != str(path)])

    def remember_recent(self, path) -> None:
        files = [str(path)] + [f for f in self.recent_files() if f != str(path)]
        self.qsettings.setValue("recent_files", files[:MAX_RECENT_FILES])

    def restore_window(self, window) -> bool:
        """Put back the size, place and layout of the last session; False when there is none."""
        if int(self.qsettings.value("settings_version", 0) or 0) != SETTINGS_VERSION:
            return False
        geometry = self.qsettings.value("geometry")
        state = self.qsettings.value("window_state")
        restored = isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            window.restoreState(state)
        for name, splitter in window.splitters().items():  # (the window's state holds only the docks)
            sizes = self.qsettings.value(f"splitter_{name}")
            if isinstance(sizes, QByteArray):
                splitter.restoreState(sizes)
        return bool(restored)

    def layout_follows_size(self) -> bool:
        """Whether the restored panels were still in their default places (see
        ``MainWindow.layout_follows_size``); settings from before this was saved say no."""
        return str(self.qsettings.value("layout_follows_size", "false")).lower() == "true"

    def save_window(self, window) -> None:
        self.qsettings.setValue("settings_version", SETTINGS_VERSION)
        self.qsettings.setValue("geometry", window.saveGeometry())
        self.qsettings.setValue("window_state", window.saveState())
        for name, splitter in window.splitters().items():  # the diagram beside the error curve, the plots below
            self.qsettings.setValue(f"splitter_{name}", splitter.saveState())
        self.qsettings.setValue("layout_follows_size", bool(window.layout_follows_size()))


FIRST_WINDOW_SHARE = 0.85
"""The first window takes this share of the screen's available width and height, centred."""


def first_geometry(available: QRect) -> QRect:
    """Where the first window goes on a screen whose free area is ``available``."""
    width, height = int(available.width() * FIRST_WINDOW_SHARE), int(available.height() * FIRST_WINDOW_SHARE)
    return QRect(available.x() + (available.width() - width) // 2, available.y() + (available.height() - height) // 2,
                 width, height)


def recovery_path() -> Path:
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation) or Path.home())
    return folder / f"recovery{PROJECT_SUFFIX}"


def write_recovery_copy(workspace, path: Path) -> None:
    """While there are unsaved changes (and no run), keep a recovery copy; never interrupts the user."""
    if not workspace.is_dirty or workspace.is_running or workspace.net is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save_project(workspace.project(), path)
    except (DataError, OSError):
        pass


def remove_recovery_copy(path: Path) -> None:
    path.unlink(missing_ok=True)
