"""The document and its files: new, open, save, recent files, recovery and dropped files.

Replacing the document asks first when there are unsaved changes (Save, Discard or Cancel)
and is refused while a training run goes.  Questions go through the window's prompter, so
tests answer them without dialogs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bpviewer.core.errors import BpviewerError
from bpviewer.core.files.examples import load_example
from bpviewer.core.files.project import load_project
from bpviewer.gui.session import BUSY
from bpviewer.gui.settings import add_recent_file, recent_files

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from bpviewer.gui.main_window import MainWindow


STAND_IN = (
    "the new network has one stand-in sample (every input 0.5) until you choose data: "
    "a preset or a CSV file in the Data panel"
)


class DocumentFiles:
    """File commands of ``window`` over its session."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window

    @property
    def _session(self):
        return self._window.session

    def _say(self, text: str, msecs: int = 5000) -> None:
        self._window.statusBar().showMessage(text, msecs)

    # ------------------------------------------------------------------ asking first
    def idle(self) -> bool:
        """Whether the document may be replaced now (no run going); says why not."""
        if self._session.busy:
            self._say(BUSY, 8000)
            return False
        return True

    def confirm_discard(self) -> bool:
        """True when it is fine to drop the current project (saved, discarded or clean)."""
        if not self._session.dirty:
            return True
        p = self._session.project
        answer = self._window.prompter.unsaved_changes(
            p.path.name if p.path else p.name or "The project"
        )
        if answer == "save":
            return self.save()
        return answer == "discard"

    # ------------------------------------------------------------------ new and open
    def new_from_example(self, name: str) -> None:
        """Replace the project with a built-in example (a new document)."""
        if self.idle() and self.confirm_discard():
            self._session.load(load_example(name))

    def new_network(self) -> None:
        """File → New network: the dialog, then a new document."""
        from bpviewer.gui.dialogs.new_network_dialog import NewNetworkDialog

        if not self.idle():
            return
        dialog = NewNetworkDialog(self._session.project, self._window)
        if dialog.exec() and dialog.project is not None and self.confirm_discard():
            self._session.load(dialog.project)
            if getattr(dialog, "stand_in", False):
                self._say(STAND_IN, 20000)

    def open_project(self, path: str | Path, background: bool = True) -> bool:
        """Load a project file; a broken file is refused with its name and the problem.
        A big one (or one whose data are a big CSV file) is read in the background, with
        progress and Cancel in the Data panel: True then says the read started (unless not
        ``background``: a caller that goes on with the opened project waits for it)."""
        if not self.idle():
            return False
        if background and _big(Path(path)):
            return self._open_in_background(Path(path))
        try:
            self._session.open(path)
        except BpviewerError as exc:
            self._window.prompter.error("Cannot open project", str(exc))
            self._say(str(exc), 10000)
            return False
        add_recent_file(path)
        self._say(f"opened {path}")
        return True

    def _open_in_background(self, path: Path) -> bool:
        panel = self._window.data_panel
        loader = panel.loader
        if not loader.open_project(path):
            return False
        panel.show_reading(path.name)

        def done(applied: bool, message: str) -> None:
            loader.finished.disconnect(done)
            if applied:
                add_recent_file(path)
            elif not loader.cancelled:
                self._window.prompter.error("Cannot open project", message)

        loader.finished.connect(done)
        return True

    def open(self) -> None:
        """File → Open: ask for a file (after asking about unsaved changes)."""
        if not self.idle() or not self.confirm_discard():
            return
        path = self._window.prompter.open_file("Open project")
        if path:
            self.open_project(path)

    def fill_recent(self, menu: QMenu) -> None:
        """File → Open recent, filled as it opens."""
        menu.clear()
        files = recent_files()
        if not files:
            menu.addAction("(none)").setEnabled(False)
        for f in files:
            act = menu.addAction(f)
            act.triggered.connect(
                lambda _=False, p=f: self.idle() and self.confirm_discard() and self.open_project(p)
            )

    # ------------------------------------------------------------------ save
    def save(self) -> bool:
        """Save to the project's file (asks for a name the first time)."""
        if self._session.project.path is None:
            return self.save_as()
        return self.save_to(self._session.project.path)

    def save_as(self) -> bool:
        """Ask for a file name and save there."""
        suggestion = f"{self._session.project.name or 'project'}.json"
        path = self._window.prompter.save_file("Save project as", suggestion=suggestion)
        return bool(path) and self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        """Write the project to ``path`` (a message box names the file and the problem)."""
        try:
            self._session.save(path)
        except (OSError, ValueError) as exc:
            self._window.prompter.error("Cannot save", f"{path}: {exc}")
            return False
        add_recent_file(path)
        self._window.update_title()
        self._say(f"saved {path}")
        return True

    # ------------------------------------------------------------------ recovery
    def offer_recovery(self) -> bool:
        """At start: offer back the unsaved work of a bpviewer that did not close (newest
        first). Restoring is one undo step on top of the file it came from; returns
        whether a project was restored."""
        from datetime import datetime

        from bpviewer.gui.recovery import leftovers

        for left in leftovers():
            when = datetime.fromtimestamp(left.written).strftime("%Y-%m-%d %H:%M")
            answer = self._window.prompter.recover(left.original, when)
            if answer == "later":
                continue
            if answer == "discard":
                left.discard()
                continue
            if self._restore(left):
                self._say(f"restored the unsaved changes of {when}", 10000)
                return True
        return False

    def _restore(self, left) -> bool:
        try:
            recovered = load_project(left.path)
        except BpviewerError as exc:
            self._window.prompter.error("Cannot restore", str(exc))
            return False
        original = Path(left.original) if left.original else None
        if original is not None and original.is_file() and self.confirm_discard():
            if not self.open_project(original, background=False):  # restored on top of it
                return False
        elif not self.confirm_discard():
            return False
        recovered.path = original
        self._session.replace_project(recovered, "Restore unsaved changes")
        left.discard()
        return True

    # ------------------------------------------------------------------ dropped files
    @staticmethod
    def dropped_file(event) -> Path | None:
        """The one local .json or .csv file being dragged, if that is what it is."""
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) != 1 or not urls[0].isLocalFile():
            return None
        path = Path(urls[0].toLocalFile())
        return path if path.suffix.lower() in (".json", ".csv") else None

    def drop(self, path: Path) -> None:
        """A project file opens (asking about unsaved changes); a CSV file goes to the Data
        panel's import preview."""
        window = self._window
        if path.suffix.lower() == ".json":
            if self.idle() and self.confirm_discard():
                self.open_project(path)
        elif window.data_panel.load_csv(path):
            window.data_dock.show()
            window.data_dock.raise_()
            self._say(f"{path.name}: choose the columns, then Import (undoable)", 8000)


def _big(path: Path) -> bool:
    """Whether opening ``path`` reads enough to be done in the background: a project file
    of a megabyte or more, or one whose data are a CSV file of a megabyte or more."""
    import json

    from bpviewer.gui.panels.data_panel import BACKGROUND_BYTES

    try:
        if path.stat().st_size >= BACKGROUND_BYTES:
            return True
        data = json.loads(path.read_text(encoding="utf-8")).get("data", {})
        csv = data.get("csv") if isinstance(data, dict) else None
        return bool(csv) and (path.parent / csv).stat().st_size >= BACKGROUND_BYTES
    except (OSError, ValueError, AttributeError, TypeError):
        return False  # the ordinary open says what is wrong with the file
