"""Crash recovery: unsaved work survives a crash, a killed process or a power cut.

While the project has unsaved changes, the window writes it (current weights, data, every
setting) to ``recovery-<pid>.json`` in bpviewer's data folder, at most every
:data:`RECOVERY_SECONDS` and only when something changed since the last write.  Saving,
discarding or undoing back to the saved state, and closing normally, remove the file.  At
the next start, a file whose process is gone is offered back (:func:`leftovers`).
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from bpviewer.core.files.atomic import write_atomic
from bpviewer.core.files.project import save_project
from bpviewer.gui.session import Session
from bpviewer.gui.settings import data_folder

RECOVERY_SECONDS = 15
_NAME = re.compile(r"recovery-(\d+)\.json$")


@dataclass
class Leftover:
    """A recovery file left by a bpviewer that did not close."""

    path: Path  # the recovered project (a project file)
    original: str  # the project file it had open, or "" for an unsaved one
    written: float  # when it was written (seconds since the epoch)

    def discard(self) -> None:
        """Remove the recovery file and its note."""
        _remove(self.path, _origin_note(self.path))


def _remove(*paths: Path) -> None:
    """Remove files that may not exist; a data folder that cannot be used (not a folder,
    not ours) has nothing of ours to remove, and must not stop a save or a close."""
    for p in paths:
        with contextlib.suppress(OSError):
            p.unlink(missing_ok=True)


def _origin_note(path: Path) -> Path:
    return path.with_suffix(".origin")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill(pid, 0) would send CTRL_C_EVENT on Windows
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process of that number
        return True
    return True


def leftovers(folder: Path | None = None) -> list[Leftover]:
    """Recovery files of processes that are gone, newest first."""
    folder = folder or data_folder()
    found = []
    for path in folder.glob("recovery-*.json") if folder.is_dir() else []:
        match = _NAME.search(path.name)
        if match is None or _alive(int(match.group(1))):
            continue
        note = _origin_note(path)
        original = note.read_text(encoding="utf-8").strip() if note.is_file() else ""
        found.append(Leftover(path, original, path.stat().st_mtime))
    return sorted(found, key=lambda left: left.written, reverse=True)


class Recovery(QObject):
    """Keeps ``session``'s unsaved work in a recovery file."""

    def __init__(
        self, session: Session, folder: Path | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._session = session
        self.path = (folder or data_folder()) / f"recovery-{os.getpid()}.json"
        self._stale = False  # changes since the last write
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(RECOVERY_SECONDS * 1000)
        self.timer.timeout.connect(self.write_now)
        session.undo_stack.indexChanged.connect(self._on_change)
        session.dirtyChanged.connect(self._on_dirty)

    def _on_change(self) -> None:
        self._stale = True
        if not self.timer.isActive():
            self.timer.start()

    def _on_dirty(self, dirty: bool) -> None:
        if not dirty:
            self.discard()

    def write_now(self) -> bool:
        """Write the unsaved project now (if it changed since the last write); returns
        whether a file was written."""
        s = self._session
        if not s.dirty:
            self.discard()
            return False
        if not self._stale:
            return False
        project = s.project
        spec = dict(project.data_spec)
        if "csv" in spec and not Path(spec["csv"]).is_absolute():  # found from anywhere
            base = project.path.parent if project.path else Path.cwd()
            spec["csv"] = str((base / spec["csv"]).resolve())
        snapshot = replace(project, network=s.network.copy(), data_spec=spec)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(_origin_note(self.path), str(project.path or "") + "\n")
            save_project(snapshot, self.path)
        except (OSError, ValueError) as exc:
            s.messageIssued.emit(f"could not write the recovery file {self.path}: {exc}")
            return False
        self._stale = False
        return True

    def discard(self) -> None:
        """Remove this process's recovery file (the work is saved or given up)."""
        self.timer.stop()
        self._stale = False
        _remove(self.path, _origin_note(self.path))
