"""An editor for float64 cells: a plain line edit holding the full-precision value.

A typed number round-trips exactly (no 2-decimal spin box); text that is not a finite number
is handed to the model, which refuses it with a message and keeps the old value.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QLineEdit, QStyledItemDelegate, QToolTip, QWidget

from bpviewer.core.engine.notation import full


class FloatDelegate(QStyledItemDelegate):
    """createEditor / setEditorData / setModelData for float cells."""

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setToolTip("Type a number (e.g. 0.5, -1e-3); Enter to apply, Esc to cancel")
        editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        text = "" if value is None else full(value)
        editor.setText(text)
        # all selected (typing replaces it), the cursor at the start so the leading digits
        # show, not the tail of a 17-digit value
        editor.setSelection(len(text), -len(text))

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:
        if not model.setData(index, editor.text().strip(), Qt.ItemDataRole.EditRole):
            why = getattr(model, "refusal", "")
            if why:  # said at the cell, not only in the status bar
                QToolTip.showText(editor.mapToGlobal(editor.rect().bottomLeft()), why, editor)

    def updateEditorGeometry(self, editor: QWidget, option, index: QModelIndex) -> None:
        editor.setGeometry(option.rect)
