"""The confusion matrix of class data: how many samples of each true class (rows) the
network puts in each class (columns), on the validation samples when there are some.

Cells are shaded by their share of the row (the diagonal dark when the network is right);
the heading says which samples and the accuracy.  Redrawn when the parameters or the data
change while the panel is seen, caught up when its tab comes to the front, and shown live
during a run (:meth:`show_network`).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bpviewer.core.engine.decision import confusion
from bpviewer.gui import palette
from bpviewer.gui.session import Change, Session
from bpviewer.gui.visibility import seen

LIMIT = 50_000  # samples counted at most (the first ones), so an update stays quick


class ConfusionView(QWidget):
    """A K×K table of counts over the session's network and data (objectName
    ``confusionView``)."""

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("confusionView")
        self._session = session
        self.matrix: np.ndarray | None = None
        self._due = True
        self.redraws = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip("Rows: the true class; columns: the class the network gives")
        layout.addWidget(self.table, 1)
        session.changed.connect(self._on_changed)

    def _on_changed(self, what: Change) -> None:
        if what & (Change.DOCUMENT | Change.PARAMETERS | Change.DATA | Change.SHAPE):
            if seen(self):
                self.show_network()
            else:
                self._due = True

    def catch_up(self) -> None:
        """Redraw now if the network or data changed while the panel was not seen."""
        if self._due:
            self.show_network()

    def show_network(self, network=None) -> None:
        """Count the classes the network (default: the session's; during a run, its newest
        parameters) gives the validation samples, or the training samples without any."""
        self._due = False
        self.redraws += 1
        data = self._session.project.dataset
        net = network or self._session.network
        held_out = data.validation_inputs is not None and len(data.validation_inputs) > 0
        x, t = (
            (data.validation_inputs, data.validation_targets)
            if held_out
            else (data.inputs, data.targets)
        )
        total = len(x)
        x, t = x[:LIMIT], t[:LIMIT]  # at every update: a bounded cost, said in the heading
        self.matrix = confusion(net, x, t)
        if self.matrix is None:
            self.heading.setText(
                "The confusion matrix is for class data (these targets are not classes)."
            )
            self.table.hide()
            return
        m = self.matrix
        k = m.shape[0]
        right = int(np.trace(m))
        which = "validation" if held_out else "training"
        counted = f"{m.sum():,}" if total <= LIMIT else f"the first {m.sum():,} of {total:,}"
        self.heading.setText(
            f"{which} samples: {counted}; right {right:,} ({right / max(1, m.sum()):.1%})"
            "  ·  rows: true class, columns: the network's"
        )
        names = data.class_labels or [str(c) for c in range(k)]
        if len(names) != k:
            names = [str(c) for c in range(k)]
        table = self.table
        table.show()
        table.setRowCount(k)
        table.setColumnCount(k)
        table.setHorizontalHeaderLabels(names)
        table.setVerticalHeaderLabels(names)
        shares = m / np.maximum(1, m.sum(axis=1, keepdims=True))
        base = QColor(palette.POSITIVE)
        for i in range(k):
            for j in range(k):
                item = QTableWidgetItem(f"{m[i, j]:,}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                share = float(shares[i, j])
                colour = QColor(base)
                colour.setAlphaF(0.85 * share)
                item.setBackground(QBrush(colour))
                if share > 0.5:
                    item.setForeground(QBrush(QColor("white")))
                item.setToolTip(
                    f"true {names[i]}, given {names[j]}: {m[i, j]:,} of {m[i].sum():,} ({share:.1%})"
                )
                table.setItem(i, j, item)
