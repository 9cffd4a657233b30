"""The sample editor: which sample (or batch) is stepped, and its input and target, editable.

The table is a model over copies of the sample's two rows, so a 784-input sample costs only
the cells in view (it was 1,600 table items made anew on every step).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QSignalBlocker, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bpviewer.core.engine.notation import fmt, full, unit_label
from bpviewer.gui.panels.float_delegate import FloatDelegate
from bpviewer.gui.session import Change, Session

EMPTY = QColor("#f0f0f0")
ROLE = Qt.ItemDataRole


class SampleModel(QAbstractTableModel):
    """Two rows, x (the inputs) and t (the targets), of one sample; edits go to the session."""

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self._session = session
        self._rows: list[np.ndarray] = [np.zeros(0), np.zeros(0)]
        self._names: list[list[str]] = [[], []]
        self._first = 0  # the sample shown (the first of its batch)
        self.refusal = ""

    def show_sample(self, x: np.ndarray, t: np.ndarray, names: list[list[str]], first: int) -> None:
        """Show input ``x`` (n,) and target ``t`` (K,) of sample ``first``."""
        reshaped = (x.size, t.size) != (self._rows[0].size, self._rows[1].size)
        if reshaped:
            self.beginResetModel()
        self._rows, self._names, self._first = [x.copy(), t.copy()], names, first
        if reshaped:
            self.endResetModel()
        elif self.columnCount():
            last = self.index(1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else max(self._rows[0].size, self._rows[1].size)

    def _value(self, index: QModelIndex) -> float | None:
        row = self._rows[index.row()]
        return float(row[index.column()]) if index.column() < row.size else None

    def data(self, index: QModelIndex, role: int = ROLE.DisplayRole):
        value = self._value(index)
        if value is None:
            return QBrush(EMPTY) if role == ROLE.BackgroundRole else None
        if role == ROLE.DisplayRole:
            return fmt(value)
        if role == ROLE.EditRole:
            return value
        if role == ROLE.ToolTipRole:
            return f"{self._names[index.row()][index.column()]} = {full(value)}"
        if role == ROLE.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if self._value(index) is None:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def headerData(self, section: int, orientation, role: int = ROLE.DisplayRole):
        if role != ROLE.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return str(section + 1)
        return ("x", "t")[section]

    def setData(self, index: QModelIndex, value, role: int = ROLE.EditRole) -> bool:
        """Set one input or target of the sample shown, through the session (one undo
        step); text that is not a finite number is refused, saying why."""
        if role != ROLE.EditRole or self._value(index) is None:
            return False
        which = "input" if index.row() == 0 else "target"
        text = str(value)
        if self._session.busy:  # the session says why (a run or a read is going)
            self.refusal = ""
            self._session.set_sample_value(which, self._first, index.column(), text)
            return False
        if self._session.set_sample_value(which, self._first, index.column(), text):
            self.refusal = ""
            return True
        # the session has said it in the status bar; the delegate says it at the cell
        self.refusal = f"{text!r} is not a finite number; the {which} keeps its value"
        return False


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
        self.model = SampleModel(session, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setObjectName("sampleTable")
        self.table.setItemDelegate(FloatDelegate(self.table))
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self._size_table()
        layout.addWidget(self.table)
        # image data (e.g. the 8×8 digits): the sample as a picture, dark where the value is high
        self.image = QLabel()
        self.image.setObjectName("sampleImage")
        self.image.setToolTip("The sample's inputs as an image, row by row (dark: high values)")
        self.image.hide()
        self._range_of, self._range_value = None, (0.0, 1.0)  # grey scale of the data shown
        layout.addWidget(self.image)
        layout.addStretch(1)  # spare height below, not around, the sample
        self.spin.valueChanged.connect(self._on_spin)
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
        batch = "" if hi - lo == 1 else f" (batch: samples {lo + 1:,}–{hi:,})"
        self.of.setText(f"of {session.n_samples:,}{batch}")
        names = [[unit_label(0, c, L) for c in range(n)], [f"t{c + 1}" for c in range(K)]]
        self.model.show_sample(data.inputs[lo], data.targets[lo], names, lo)
        self._show_image(data, lo)

    def _range(self, data) -> tuple[float, float]:
        """The inputs' range in raw units (the pictures' grey scale), once per data set."""
        if self._range_of is not data:
            lo, hi = data.inputs.min(axis=0), data.inputs.max(axis=0)
            if data.mean is not None and data.std is not None:  # the picture is in raw units
                lo, hi = lo * data.std + data.mean, hi * data.std + data.mean  # std > 0
            self._range_of, self._range_value = data, (float(lo.min()), float(hi.max()))
        return self._range_value

    def _show_image(self, data, row: int) -> None:
        """Sample ``row`` as a picture when the data declare an image shape."""
        if data.image_shape is None:
            self.image.hide()
            return
        picture = data.sample_image(row)
        lo, hi = self._range(data)
        grey = 255 - np.clip((picture - lo) / ((hi - lo) or 1.0) * 255, 0, 255)
        pixels = np.ascontiguousarray(grey.astype(np.uint8))
        h, w = pixels.shape
        image = QImage(pixels.tobytes(), w, h, w, QImage.Format.Format_Grayscale8).copy()
        side = 12 * max(1, round(self.fontMetrics().height() / 16))  # pixels per input
        self.image.setPixmap(QPixmap.fromImage(image).scaled(w * side, h * side))
        self.image.show()

    def _on_spin(self, value: int) -> None:
        self._session.select_sample(value - 1)
