"""A table model over one layer's weights (and bias row): W, ∂E/∂W or ΔW in the same grid.

Rows are the from-units, then a "bias" row when the layer has one; columns are the to-units.
``Qt.EditRole`` gives the float; display text uses the shared 6-significant-digit format and
the tooltip the full precision.  Edits go through the session (undoable, validated).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from bpviewer.core.notation import bias_label, fmt, full, unit_label, weight_label
from bpviewer.gui.palette import CHANGED, STALE
from bpviewer.gui.session import Session

MODES = ("W", "grad", "delta")
MODE_TITLES = {"W": "W", "grad": "∂E/∂W", "delta": "ΔW"}

_Index = QModelIndex | QPersistentModelIndex


class WeightTableModel(QAbstractTableModel):
    """Layer ``layer`` (1-based) of the session's network."""

    def __init__(self, session: Session, layer: int, parent=None) -> None:
        super().__init__(parent)
        self._session = session
        self.layer = layer
        self.mode = "W"
        session.parametersChanged.connect(self._on_values_changed)
        session.machineChanged.connect(self._on_values_changed)

    def detach(self) -> None:
        """Stop following the session (its network is about to change shape)."""
        self._session.parametersChanged.disconnect(self._on_values_changed)
        self._session.machineChanged.disconnect(self._on_values_changed)

    # ------------------------------------------------------------------ shape
    @property
    def _net(self):
        return self._session.network

    @property
    def has_bias(self) -> bool:
        """Whether the last row is the bias row."""
        return self._net.biases[self.layer - 1] is not None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return self._net.layer_sizes[self.layer - 1] + (1 if self.has_bias else 0)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return self._net.layer_sizes[self.layer]

    def is_bias_row(self, row: int) -> bool:
        """Whether ``row`` is the bias row."""
        return self.has_bias and row == self._net.layer_sizes[self.layer - 1]

    # ------------------------------------------------------------------ values
    def set_mode(self, mode: str) -> None:
        """Show W, ∂E/∂W (``grad``) or ΔW (``delta``)."""
        if mode not in MODES:
            raise ValueError(mode)
        self.mode = mode
        self._on_values_changed()

    def value(self, row: int, col: int, mode: str | None = None) -> float | None:
        """The number in a cell for ``mode`` (default: the current one); None if not computed."""
        mode = mode or self.mode
        l, bias = self.layer, self.is_bias_row(row)
        if mode == "W":
            return float(
                self._net.biases[l - 1][col] if bias else self._net.weights[l - 1][row, col]
            )
        key = f"{'grad' if mode == 'grad' else 'delta'}_{'b' if bias else 'w'}{l}"
        array = self._session.machine.results.get(key)
        if array is None:
            return None
        return float(array[col] if bias else array[row, col])

    def is_fresh(self) -> bool:
        """Whether ∂E/∂W and ΔW of this layer belong to the current parameters."""
        return f"grad_w{self.layer}" in self._session.machine.fresh

    def changed_by_last_update(self, row: int, col: int) -> bool:
        """Whether the last applied update changed this cell."""
        record = self._session.last_update
        if record is None:
            return False
        l = self.layer - 1
        if self.is_bias_row(row):
            before, after = record.values["b_before"][l], record.values["b_after"][l]
            return before is not None and before[col] != after[col]
        return record.values["w_before"][l][row, col] != record.values["w_after"][l][row, col]

    def label(self, row: int, col: int) -> str:
        """``w(x₁→h₂)`` or ``b(h₂)``."""
        n = self._net.n_layers
        if self.is_bias_row(row):
            return bias_label(self.layer, col, n)
        return weight_label(self.layer, row, col, n)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            v = self.value(row, col)
            return "—" if v is None else fmt(v)
        if role == Qt.ItemDataRole.EditRole:
            return self.value(row, col, "W")
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [self.label(row, col)]
            for mode, title in (("W", "w"), ("grad", "∂E/∂w"), ("delta", "Δw")):
                v = self.value(row, col, mode)
                parts.append(f"{title} = {'not computed' if v is None else full(v)}")
            return "\n".join(parts)
        if role == Qt.ItemDataRole.ForegroundRole:
            if self.mode != "W" and not self.is_fresh():
                return QBrush(QColor(STALE))
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if self.mode == "W" and self.changed_by_last_update(row, col):
                return QBrush(QColor(CHANGED))
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        n = self._net.n_layers
        if orientation == Qt.Orientation.Horizontal:
            return unit_label(self.layer, section, n)
        if self.is_bias_row(section):
            return "bias"
        return unit_label(self.layer - 1, section, n)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.mode == "W" and not self._session.busy:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: _Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or self.mode != "W":
            return False
        row, col = index.row(), index.column()
        kind = "b" if self.is_bias_row(row) else "w"
        return self._session.set_parameter(kind, self.layer, row, col, value)

    # ------------------------------------------------------------------ updates
    def _on_values_changed(self) -> None:
        rows, cols = self.rowCount(), self.columnCount()
        if rows and cols:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(rows - 1, cols - 1),
                [
                    Qt.ItemDataRole.DisplayRole,
                    Qt.ItemDataRole.EditRole,
                    Qt.ItemDataRole.ForegroundRole,
                    Qt.ItemDataRole.BackgroundRole,
                    Qt.ItemDataRole.ToolTipRole,
                ],
            )

    def as_array(self) -> np.ndarray:
        """The values shown, rows × columns (NaN where not computed)."""
        return np.array(
            [
                [
                    np.nan if (v := self.value(r, c)) is None else v
                    for c in range(self.columnCount())
                ]
                for r in range(self.rowCount())
            ]
        )
