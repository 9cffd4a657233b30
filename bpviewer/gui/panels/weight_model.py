"""A table model over one layer's weights (and bias row): W, ∂E/∂W or ΔW in the same grid.

In the (from, to) layout (the default) rows are the from-units, then a "bias" row when the
layer has one, and columns the to-units.  In the (to, from) layout (PyTorch's, see
:mod:`bpviewer.core.engine.conventions`) the table is the transpose: rows are the to-units,
columns the from-units, then a "bias" column, so each row is one unit's weights and its
bias, as ``Linear.weight`` and ``Linear.bias`` hold them.  Either way :meth:`parameter` and
:meth:`display_index` speak the one canonical (from, to) indexing the rest of the app uses.
``Qt.EditRole`` gives the float; display text uses the shared 6-significant-digit format and
the tooltip the full precision.  Edits go through the session (undoable, validated).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from bpviewer.core.engine.notation import bias_label, fmt, full, unit_label, weight_label
from bpviewer.gui.palette import CHANGED, STALE
from bpviewer.gui.session import Session

MODES = ("W", "grad", "delta")
MODE_TITLES = {"W": "W", "grad": "∂E/∂W", "delta": "ΔW"}

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class LayerView:
    """What a table shows of one layer, copied from the session when it is told to change:
    the model never reads a network that may have been replaced since.

    ``w`` (n_from, n_to), ``b`` (n_to,) or None; ``grad_w``/``delta_w`` like ``w`` and
    ``grad_b``/``delta_b`` like ``b``, or None when not computed; ``changed_w``/``changed_b``
    the cells the last applied update changed (or None)."""

    n_layers: int
    w: np.ndarray
    b: np.ndarray | None
    grad_w: np.ndarray | None
    grad_b: np.ndarray | None
    delta_w: np.ndarray | None
    delta_b: np.ndarray | None
    fresh: bool
    changed_w: np.ndarray | None
    changed_b: np.ndarray | None
    editable: bool

    @classmethod
    def of(cls, session: Session, layer: int) -> LayerView:
        """Layer ``layer`` (1-based) of the session as it is now (copies)."""
        machine, l = session.machine, layer - 1
        net, results = machine.network, machine.results

        def copy(key: str) -> np.ndarray | None:
            array = results.get(key)
            return None if array is None else np.array(array, dtype=np.float64)

        changed_w = changed_b = None
        record = session.last_update
        if record is not None and len(record.values["w_before"]) > l:
            before, after = record.values["w_before"][l], record.values["w_after"][l]
            if before.shape == net.weights[l].shape:
                changed_w = before != after
                bb, ba = record.values["b_before"][l], record.values["b_after"][l]
                changed_b = None if bb is None else bb != ba
        b = net.biases[l]
        return cls(
            net.n_layers,
            net.weights[l].copy(),
            None if b is None else b.copy(),
            copy(f"grad_w{layer}"),
            copy(f"grad_b{layer}"),
            copy(f"delta_w{layer}"),
            copy(f"delta_b{layer}"),
            f"grad_w{layer}" in machine.fresh,
            changed_w,
            changed_b,
            not session.busy,
        )


def live_layer(network, layer: int) -> LayerView:
    """Layer ``layer`` of a running run's network: its weights, read-only, nothing else."""
    b = network.biases[layer - 1]
    w = network.weights[layer - 1].copy()
    return LayerView(
        network.n_layers,
        w,
        None if b is None else b.copy(),
        None,
        None,
        None,
        None,
        False,
        None,
        None,
        False,
    )


class WeightTableModel(QAbstractTableModel):
    """Layer ``layer`` (1-based) of the session's network, as last refreshed."""

    def __init__(self, session: Session, layer: int, parent=None) -> None:
        super().__init__(parent)
        self._session = session
        self.layer = layer
        self.mode = "W"
        self.refusal = ""  # why the last edit was refused, for the editor to say
        self.transposed = session.conventions.transposed  # (to, from) layout
        self._view = LayerView.of(session, layer)

    def set_transposed(self, transposed: bool) -> None:
        """Show the layer (to, from) (True) or (from, to) (False)."""
        if transposed != self.transposed:
            self.beginResetModel()
            self.transposed = transposed
            self.endResetModel()

    def refresh(self) -> None:
        """Copy the layer's values from the session again (same shape) and repaint."""
        self._view = LayerView.of(self._session, self.layer)
        self._on_values_changed()

    def show_live(self, network) -> None:
        """Show a running run's newest weights of this layer (read-only)."""
        self._view = live_layer(network, self.layer)
        self._on_values_changed()

    # ------------------------------------------------------------------ shape
    @property
    def shape(self) -> tuple[int, int]:
        """(from-units, to-units) of the layer shown."""
        return self._view.w.shape

    @property
    def has_bias(self) -> bool:
        """Whether the last row (column, in the (to, from) layout) holds the biases."""
        return self._view.b is not None

    @property
    def n_from(self) -> int:
        """Units the layer's weights come from (rows of W, or columns when transposed)."""
        return self._view.w.shape[0]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        if self.transposed:
            return self._view.w.shape[1]
        return self.n_from + (1 if self.has_bias else 0)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        if self.transposed:
            return self.n_from + (1 if self.has_bias else 0)
        return self._view.w.shape[1]

    def cell(self, row: int, col: int) -> tuple[bool, int, int]:
        """(is a bias, from-unit i, to-unit j) of the cell shown at ``row``, ``col``
        (i is 0 for a bias)."""
        i, j = (col, row) if self.transposed else (row, col)
        if self.has_bias and i == self.n_from:
            return True, 0, j
        return False, i, j

    def display_index(self, kind: str, row: int, col: int) -> tuple[int, int]:
        """Where parameter ``kind`` (``w``|``b``) ``row``, ``col`` (canonical (from, to)
        indices, as :meth:`parameter` gives them) is shown: (row, column) of the table."""
        i = self.n_from if kind == "b" else row
        return (col, i) if self.transposed else (i, col)

    def is_bias_row(self, row: int) -> bool:
        """Whether ``row`` is the bias row (the (from, to) layout; (to, from) has a column)."""
        return self.has_bias and not self.transposed and row == self.n_from

    def is_bias_cell(self, row: int, col: int) -> bool:
        """Whether the cell shown at ``row``, ``col`` is a bias."""
        return self.cell(row, col)[0]

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
        v = self._view
        bias, row, col = self.cell(row, col)
        if mode == "W":
            array = v.b if bias else v.w
        elif mode == "grad":
            array = v.grad_b if bias else v.grad_w
        else:
            array = v.delta_b if bias else v.delta_w
        if array is None:
            return None
        return float(array[col] if bias else array[row, col])

    def is_fresh(self) -> bool:
        """Whether ∂E/∂W and ΔW of this layer belong to the current parameters."""
        return self._view.fresh

    def changed_by_last_update(self, row: int, col: int) -> bool:
        """Whether the last applied update changed this cell."""
        v = self._view
        bias, row, col = self.cell(row, col)
        if bias:
            return v.changed_b is not None and bool(v.changed_b[col])
        return v.changed_w is not None and bool(v.changed_w[row, col])

    def label(self, row: int, col: int) -> str:
        """``w(x₁→h₂)`` or ``b(h₂)``."""
        n = self._view.n_layers
        bias, row, col = self.cell(row, col)
        if bias:
            return bias_label(self.layer, col, n)
        return weight_label(self.layer, row, col, n)

    def parameter(self, row: int, col: int) -> tuple[str, int, int, int]:
        """(``w``|``b``, layer, from-unit, to-unit) of the cell shown at ``row``, ``col``,
        as the session names parameters (the same in either layout)."""
        bias, i, j = self.cell(row, col)
        return ("b", self.layer, 0, j) if bias else ("w", self.layer, i, j)

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
        n = self._view.n_layers
        to_units = (orientation == Qt.Orientation.Horizontal) != self.transposed
        if to_units:
            return unit_label(self.layer, section, n)
        if self.has_bias and section == self.n_from:
            return "bias"
        return unit_label(self.layer - 1, section, n)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.mode == "W" and self._view.editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: _Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or self.mode != "W":
            return False
        kind, layer, row, col = self.parameter(index.row(), index.column())
        with self._session.messages() as said:
            ok = self._session.set_parameter(kind, layer, row, col, value)
        self.refusal = "" if ok else (said[-1] if said else "refused")
        return ok

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
