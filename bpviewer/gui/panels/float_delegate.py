"""An editor for float64 cells: a plain line edit holding the full-precision value.

A typed number round-trips exactly (no 2-decimal spin box); text that is not a finite number
is handed to the model, which refuses it with a message and keeps the old value.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QLineEdit, QStyledItemDelegate, QWidget

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
        editor.setText("" if value is None else full(value))
        editor.selectAll()

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:
        model.setData(index, editor.text().strip(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor: QWidget, option, index: QModelIndex) -> None:
        editor.setGeometry(option.rect)
