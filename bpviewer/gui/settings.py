"""Application settings (window layout, recent files), kept out of the user's real settings
when ``BPVIEWER_SETTINGS_DIR`` is set (the tests set it)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

from bpviewer.core.engine.conventions import DELTA_SIGNS, LAYOUTS, Conventions

MAX_RECENT = 8


def app_settings() -> QSettings:
    """The settings store: an INI file under ``BPVIEWER_SETTINGS_DIR``, or Qt's default."""
    folder = os.environ.get("BPVIEWER_SETTINGS_DIR")
    if folder:
        return QSettings(str(Path(folder) / "bpviewer.ini"), QSettings.Format.IniFormat)
    return QSettings("bpviewer", "bpviewer")


def data_folder() -> Path:
    """Where bpviewer keeps files of its own (crash recovery): ``BPVIEWER_SETTINGS_DIR``,
    or the platform's application data folder."""
    folder = os.environ.get("BPVIEWER_SETTINGS_DIR")
    if folder:
        return Path(folder)
    from PySide6.QtCore import QStandardPaths

    location = QStandardPaths.StandardLocation.AppDataLocation
    return Path(QStandardPaths.writableLocation(location) or Path.home() / ".bpviewer")


def recent_files() -> list[str]:
    """Recently opened or saved project files, newest first, existing ones only."""
    value = app_settings().value("recentFiles", [])
    files = [value] if isinstance(value, str) else list(value or [])
    return [f for f in files if Path(f).is_file()]


def add_recent_file(path: str | Path) -> None:
    """Put ``path`` first in the recent files."""
    p = str(Path(path).resolve())
    files = [p, *[f for f in recent_files() if f != p]][:MAX_RECENT]
    app_settings().setValue("recentFiles", files)


def load_conventions() -> Conventions:
    """The display conventions remembered (the exercise's when none, or not understood)."""
    settings = app_settings()
    sign = settings.value("display/deltaSign", "exercise")
    layout = settings.value("display/layout", "from_to")
    return Conventions(
        sign if sign in DELTA_SIGNS else "exercise", layout if layout in LAYOUTS else "from_to"
    )


def save_conventions(conventions: Conventions) -> None:
    """Remember the display conventions for the next start."""
    settings = app_settings()
    settings.setValue("display/deltaSign", conventions.delta_sign)
    settings.setValue("display/layout", conventions.layout)
