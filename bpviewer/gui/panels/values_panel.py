"""The values panel: every named quantity of the current iteration (name, shape, value),
stale ones greyed."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from bpviewer.core.engine.conventions import EXERCISE, Conventions
from bpviewer.core.engine.notation import exercise_name, fmt
from bpviewer.gui import palette
from bpviewer.gui.session import Change, Session
from bpviewer.gui.visibility import seen

MAX_SHOWN = 12  # numbers written out per value; the tooltip has them all (up to a limit)


def quantity_names(
    n_layers: int, conventions: Conventions = EXERCISE
) -> list[tuple[str, str, str]]:
    """(result key, display name, exercise name or '') in dependency order.  With δ shown
    as ∂E/∂z, the δ rows are named so and carry no exercise name (the exercise's
    ``output_error_term`` is −∂E/∂z)."""
    out = [("a0", "x (inputs)", "x")]
    for l in range(1, n_layers + 1):
        out.append((f"z{l}", f"z{l} (net input)", exercise_name("z", l, n_layers) or ""))
        out.append((f"a{l}", f"a{l} (activation)", exercise_name("a", l, n_layers) or ""))
    out += [("error", "error t − y", "error"), ("loss", "loss E", "")]
    for l in range(n_layers, 0, -1):
        if conventions.derivative:
            out.append((f"delta{l}", f"δ{l} = ∂E/∂z{l} (error term)", ""))
        else:
            vocab = exercise_name("delta", l, n_layers) or ""
            out.append((f"delta{l}", f"δ{l} (error term)", vocab))
    for l in range(n_layers, 0, -1):
        out.append((f"grad_w{l}", f"∂E/∂W{l}", ""))
        out.append((f"grad_b{l}", f"∂E/∂b{l}", ""))
        out.append((f"delta_w{l}", f"ΔW{l}", exercise_name("delta_w", l, n_layers) or ""))
        out.append((f"delta_b{l}", f"Δb{l}", ""))
    return out


def format_value(value) -> str:
    """A number or an array as text, at most :data:`MAX_SHOWN` numbers written out."""
    if np.isscalar(value):
        return fmt(value)
    arr = np.asarray(value)
    flat = arr.ravel()
    body = ", ".join(fmt(v) for v in flat[:MAX_SHOWN])
    more = f", … ({flat.size} values)" if flat.size > MAX_SHOWN else ""
    return f"[{body}{more}]"


class ValuesPanel(QTableWidget):
    """Name · shape · value of every quantity the step machine holds."""

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(0, 3, parent)
        self.setObjectName("valuesPanel")
        self._session = session
        self.marks: dict[str, bool] = {}
        self.setHorizontalHeaderLabels(["name", "shape", "value"])
        self.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.redraws = 0
        self._due = False  # changed while hidden: redrawn when shown
        session.changed.connect(self._on_changed)
        session.conventionsChanged.connect(lambda _: self._refresh_when_seen())
        self.refresh()

    def _on_changed(self, what: Change) -> None:
        if what & Change.DOCUMENT:
            self.marks = {}
        if what & (Change.DOCUMENT | Change.SHAPE | Change.STEP | Change.DATA | Change.PARAMETERS):
            self._refresh_when_seen()

    def _refresh_when_seen(self) -> None:
        if seen(self):
            self.refresh()
        else:  # a tab behind Explain: formatting every quantity would be wasted
            self._due = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.catch_up()

    def catch_up(self) -> None:
        """Redraw now if something changed while the panel was hidden."""
        if self._due:
            self.refresh()

    def set_marks(self, marks: dict[str, bool]) -> None:
        """Colour names green (True) or red (False), e.g. from a solution check."""
        self.marks = dict(marks)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild from the session's machine."""
        self.redraws += 1
        self._due = False
        machine = self._session.machine
        conventions = self._session.conventions
        rows = []
        for key, name, vocab in quantity_names(machine.n_layers, conventions):
            value = machine.results.get(key)
            if value is None:
                continue
            if key.startswith("delta") and key[5:].isdigit():  # δ as the conventions show it
                value = conventions.shown_delta(value)
            label = f"{vocab} = {name}" if vocab else name
            per_unit = (
                key[0] in "az" or key == "error" or (key.startswith("delta") and key[5:].isdigit())
            )
            if per_unit and np.ndim(value) == 2 and np.shape(value)[0] == 1:
                value = value[0]  # one sample: a vector per layer, as the exercise writes it
            shape = "scalar" if np.isscalar(value) else "×".join(map(str, np.shape(value)))
            fresh = key == "a0" or key in machine.fresh
            rows.append((key, vocab, label, shape, value, fresh))
        self.setRowCount(len(rows))
        for r, (key, vocab, label, shape, value, fresh) in enumerate(rows):
            items = [
                QTableWidgetItem(label),
                QTableWidgetItem(shape),
                QTableWidgetItem(format_value(value)),
            ]
            tip = np.array2string(np.asarray(value), precision=17, threshold=200)
            for item in items:
                item.setToolTip(f"{label}\n{tip}" + ("" if fresh else "\n(stale)"))
                if not fresh:
                    item.setForeground(QBrush(QColor(palette.STALE)))
            if conventions.derivative and key.startswith("delta") and key[5:].isdigit():
                vocab = exercise_name("delta", int(key[5:]), machine.n_layers) or ""  # marks
            mark = self.marks.get(vocab or key)
            if mark is not None:
                items[0].setBackground(QBrush(QColor("#d4f4d4" if mark else "#f8d0d0")))
            items[0].setData(256, key)
            for c, item in enumerate(items):
                self.setItem(r, c, item)
        self.resizeColumnToContents(0)
        self.resizeColumnToContents(1)

    def text(self) -> str:
        """Everything shown, one row a line (tests and copying)."""
        self.catch_up()
        return "\n".join(
            " | ".join(self.item(r, c).text() for c in range(3)) for r in range(self.rowCount())
        )
