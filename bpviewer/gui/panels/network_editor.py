"""The network editor: hidden layers (add, remove, size, activation), the output activation
and biases; applied as one undoable change that keeps every weight that still fits."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from bpviewer.core.engine.activations import ACTIVATIONS
from bpviewer.core.engine.initializers import INIT_SCHEMES
from bpviewer.gui.session import Change, Session

HIDDEN = [name for name, act in ACTIVATIONS.items() if not act.output_only]


class NetworkEditor(QWidget):
    """Rows of hidden layers; Apply reshapes the session's network."""

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("networkEditor")
        self._session = session
        layout = QVBoxLayout(self)
        self.inputs = QLabel()
        layout.addWidget(self.inputs)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["units", "activation"])
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add hidden layer")
        self.add_button.setObjectName("addLayer")
        self.add_button.clicked.connect(self.add_layer)
        self.remove_button = QPushButton("Remove selected")
        self.remove_button.setObjectName("removeLayer")
        self.remove_button.clicked.connect(self.remove_layer)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout.addLayout(row)
        out = QHBoxLayout()
        out.addWidget(QLabel("Output activation"))
        self.output = QComboBox()
        self.output.setObjectName("outputActivation")
        self.output.addItems(list(ACTIVATIONS))
        out.addWidget(self.output)
        layout.addLayout(out)
        self.bias = QCheckBox("biases on every layer")
        self.bias.setObjectName("biasesOn")
        layout.addWidget(self.bias)
        init_row = QHBoxLayout()
        init_row.addWidget(QLabel("New weights"))
        self.init = QComboBox()
        self.init.setObjectName("initScheme")
        self.init.addItems(INIT_SCHEMES)
        self.init.setCurrentText("glorot")
        self.init.setToolTip("How weights that do not fit the old shape are drawn")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Seed of the new weights")
        init_row.addWidget(self.init)
        init_row.addWidget(QLabel("seed"))
        init_row.addWidget(self.seed)
        layout.addLayout(init_row)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setObjectName("applyNetwork")
        self.apply_button.setToolTip(
            "Reshape the network; weights that still fit are kept (undoable)"
        )
        self.apply_button.clicked.connect(self.apply)
        layout.addWidget(self.apply_button)
        layout.addStretch(1)
        session.changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, what: Change) -> None:
        if what & (Change.DOCUMENT | Change.SHAPE):  # not per step: edits not applied stay
            self.refresh()
        if what & (Change.BUSY | Change.DOCUMENT):
            # nothing here may change the document while a run goes: greyed, not ignored
            self.setEnabled(not self._session.busy)

    def refresh(self) -> None:
        """Show the session's network."""
        net = self._session.network
        self.inputs.setText(
            f"{net.layer_sizes[0]} inputs → … → {net.layer_sizes[-1]} outputs (set by the data)"
        )
        self.table.setRowCount(0)
        for size, act in zip(net.layer_sizes[1:-1], net.activations[:-1], strict=True):
            self._append(size, act)
        self.output.setCurrentText(net.activations[-1])
        self.bias.setChecked(any(b is not None for b in net.biases))

    def _append(self, size: int, activation: str) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        spin = QSpinBox()
        spin.setRange(1, 4096)
        spin.setValue(size)
        combo = QComboBox()
        combo.addItems(HIDDEN)
        combo.setCurrentText(activation)
        self.table.setCellWidget(r, 0, spin)
        self.table.setCellWidget(r, 1, combo)

    def add_layer(self, size: int = 4, activation: str = "tanh") -> None:
        """A new hidden layer just before the output (applied with :meth:`apply`)."""
        self._append(size if isinstance(size, int) else 4, activation)

    def remove_layer(self) -> None:
        """Remove the selected hidden layer (or the last)."""
        r = self.table.currentRow()
        self.table.removeRow(r if r >= 0 else self.table.rowCount() - 1)

    def shape(self) -> tuple[list[int], list[str], list[bool]]:
        """Sizes, activations and bias flags as edited."""
        net = self._session.network
        hidden = [
            (self.table.cellWidget(r, 0).value(), self.table.cellWidget(r, 1).currentText())
            for r in range(self.table.rowCount())
        ]
        sizes = [net.layer_sizes[0], *(h[0] for h in hidden), net.layer_sizes[-1]]
        acts = [*(h[1] for h in hidden), self.output.currentText()]
        return sizes, acts, [self.bias.isChecked()] * (len(sizes) - 1)

    def apply(self) -> bool:
        """Reshape the network (one undo step)."""
        return self._session.set_network_shape(
            *self.shape(), init=self.init.currentText(), seed=self.seed.value()
        )
