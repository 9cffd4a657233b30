"""The sample editor: which sample (or batch) is stepped, and its input and target, editable."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSignalBlocker, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bpviewer.core.engine.notation import fmt, full, unit_label
from bpviewer.gui.panels.float_delegate import FloatDelegate
from bpviewer.gui.session import Change, Session


class SampleEditor(QWidget):
    """A sample chooser over the data set and a two-row table: x (inputs), t (targets)."""

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("sampleEditor")
        self._session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        top.addWidget(QLabel("Sample"))
        self.spin = QSpinBox()
        self.spin.setObjectName("sampleSpin")
        self.spin.setToolTip("The sample the step-through uses (the first of its batch)")
        self.spin.setKeyboardTracking(False)
        top.addWidget(self.spin)
        self.of = QLabel()
        top.addWidget(self.of)
        top.addStretch(1)
        layout.addLayout(top)
        self.table = QTableWidget(2, 1)
        self.table.setObjectName("sampleTable")
        self.table.setItemDelegate(FloatDelegate(self.table))
        self.table.setVerticalHeaderLabels(["x", "t"])
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self._size_table()
        layout.addWidget(self.table)
        layout.addStretch(1)  # spare height below, not around, the sample
        self.spin.valueChanged.connect(self._on_spin)
        self.table.itemChanged.connect(self._on_item_changed)
        session.changed.connect(self._on_changed)
        self.refresh()

    def _size_table(self) -> None:
        """Two rows of 6-digit values and a scroll bar, in the current font."""
        metrics = self.table.fontMetrics()
        row = metrics.height() + 10
        self.table.horizontalHeader().setDefaultSectionSize(
            metrics.horizontalAdvance("-0.000000") + 20
        )
        self.table.verticalHeader().setDefaultSectionSize(row)
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(
            header + 2 * row + self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) + 6
        )

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the presentation scale
            self._size_table()

    def _on_changed(self, what: Change) -> None:
        if what & (Change.DOCUMENT | Change.DATA | Change.SAMPLE | Change.SHAPE):
            self.refresh()
        if what & (Change.BUSY | Change.DOCUMENT):
            # nothing here may change the document while a run goes: greyed, not ignored
            self.setEnabled(not self._session.busy)

    def refresh(self) -> None:
        """Show the current sample."""
        session = self._session
        data = session.project.dataset
        n, K = data.inputs.shape[1], data.targets.shape[1]
        lo, hi = session.batch_rows()
        L = session.network.n_layers
        with QSignalBlocker(self.spin):
            self.spin.setRange(1, session.n_samples)
            self.spin.setValue(lo + 1)
        batch = "" if hi - lo == 1 else f" (batch: samples {lo + 1}–{hi})"
        self.of.setText(f"of {session.n_samples}{batch}")
        with QSignalBlocker(self.table):
            cols = max(n, K)
            self.table.setColumnCount(cols)
            self.table.setHorizontalHeaderLabels([str(c + 1) for c in range(cols)])
            for row, (values, count, layer) in enumerate(
                ((data.inputs[lo], n, 0), (data.targets[lo], K, L))
            ):
                for c in range(cols):
                    if c < count:
                        name = unit_label(layer, c, L) if row == 0 else f"t{c + 1}"
                        item = QTableWidgetItem(fmt(values[c]))
                        item.setData(Qt.ItemDataRole.EditRole, fmt(values[c]))
                        item.setToolTip(f"{name} = {full(values[c])}")
                        item.setTextAlignment(
                            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                        )
                    else:
                        item = QTableWidgetItem("")
                        item.setFlags(Qt.ItemFlag.NoItemFlags)
                        item.setBackground(QBrush(QColor("#f0f0f0")))
                    self.table.setItem(row, c, item)

    def _on_spin(self, value: int) -> None:
        self._session.select_sample(value - 1)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        which = "input" if item.row() == 0 else "target"
        lo, _ = self._session.batch_rows()
        text = item.data(Qt.ItemDataRole.EditRole)
        if not self._session.set_sample_value(which, lo, item.column(), text):
            self._session.messageIssued.emit(
                f"{text!r} is not a finite number; the {which} keeps its value"
            )
        self.refresh()
