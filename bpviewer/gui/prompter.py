"""Every question the window asks the user, in one replaceable object.

Tests replace :class:`Prompter` with an object that answers without a dialog, so no test
ever blocks on a modal window.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

PROJECT_FILTER = "bpviewer projects (*.json);;All files (*)"


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
        box.setInformativeText("Save them before closing?")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {
            QMessageBox.StandardButton.Save: "save",
            QMessageBox.StandardButton.Discard: "discard",
        }.get(QMessageBox.StandardButton(answer), "cancel")

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
