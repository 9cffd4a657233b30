"""Every question the window asks the user, in one replaceable object.

Tests replace :class:`Prompter` with an object that answers without a dialog, so no test
ever blocks on a modal window.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

PROJECT_FILTER = "bpviewer projects (*.json);;All files (*)"


class PrompterOf:
    """The window's prompter at the time of asking (tests replace the window's)."""

    def __init__(self, window) -> None:
        self._window = window

    def __getattr__(self, name: str):
        return getattr(self._window.prompter, name)


class Prompter:
    """Dialogs with the user: confirmations, errors and file names."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def unsaved_changes(self, name: str) -> str:
        """``save``, ``discard`` or ``cancel``."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved changes",
            f"{name} has unsaved changes (weights, data or settings).",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self.parent,
        )
        box.setInformativeText("Save them first?")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {
            QMessageBox.StandardButton.Save: "save",
            QMessageBox.StandardButton.Discard: "discard",
        }.get(QMessageBox.StandardButton(answer), "cancel")

    def recover(self, original: str, when: str) -> str:
        """``restore``, ``discard`` or ``later`` for the unsaved work on the project file
        ``original`` ('' for a project never saved) that a bpviewer which did not close
        left at ``when``."""
        what = (
            f"Unsaved changes to {original} were kept"
            if original
            else "Unsaved work on a new project was kept"
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Restore unsaved changes?",
            f"bpviewer did not close normally. {what} ({when}).",
            QMessageBox.StandardButton.NoButton,
            self.parent,
        )
        box.setInformativeText(
            "Restore them (one undo step on top of the saved file), discard them, or "
            "decide at the next start?"
            if original
            else "Restore it, discard it, or decide at the next start?"
        )
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(restore)
        box.exec()
        clicked = box.clickedButton()
        return "restore" if clicked is restore else "discard" if clicked is discard else "later"

    def large_export(self, terms: int) -> str:
        """``shorten``, ``all`` or ``cancel`` for a trace export of ``terms`` terms."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "A large trace",
            f"Written out in full, this trace has about {terms:,} terms "
            f"(some {terms * 70 / 1e6:,.0f} MB of Markdown, and a while to write).",
            QMessageBox.StandardButton.NoButton,
            self.parent,
        )
        box.setInformativeText(
            'Shorten sums of more than 8 terms to their first terms, "…" and the last, '
            "as the Explain panel shows them?"
        )
        shorten = box.addButton("Shorten", QMessageBox.ButtonRole.AcceptRole)
        everything = box.addButton("Write everything", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(shorten)
        box.exec()
        clicked = box.clickedButton()
        return "shorten" if clicked is shorten else "all" if clicked is everything else "cancel"

    def error(self, title: str, text: str) -> None:
        """Tell the user something failed."""
        QMessageBox.critical(self.parent, title, text)

    def open_file(self, caption: str, file_filter: str = PROJECT_FILTER) -> str:
        """A file to open, or '' when cancelled."""
        return QFileDialog.getOpenFileName(self.parent, caption, "", file_filter)[0]

    def save_file(
        self, caption: str, file_filter: str = PROJECT_FILTER, suggestion: str = ""
    ) -> str:
        """A file to write, or '' when cancelled."""
        return QFileDialog.getSaveFileName(self.parent, caption, suggestion, file_filter)[0]
