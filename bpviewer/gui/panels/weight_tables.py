"""The weight tables: one tab per layer pair, a W / ∂E/∂W / ΔW switch, paste from a
spreadsheet; (from, to) or (to, from) as the session's conventions say (pasting and copying
follow the table as shown)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bpviewer.core.engine.notation import full
from bpviewer.gui.panels.float_delegate import FloatDelegate
from bpviewer.gui.panels.weight_model import MODE_TITLES, MODES, WeightTableModel
from bpviewer.gui.session import Change, Session


class WeightTableView(QTableView):
    """A table view that pastes tab-separated blocks and copies the selection."""

    def __init__(self, session: Session, model: WeightTableModel, parent=None) -> None:
        super().__init__(parent)
        self._session = session
        self.setModel(model)
        self.setItemDelegate(FloatDelegate(self))
        self.setEditTriggers(
            QTableView.EditTrigger.DoubleClicked
            | QTableView.EditTrigger.EditKeyPressed
            | QTableView.EditTrigger.AnyKeyPressed
        )
        self._size_cells()
        self.setToolTip(
            "Double-click or type to edit a weight; Ctrl+V pastes a block copied from a spreadsheet"
        )

    def _size_cells(self) -> None:
        """Cells as wide as a 6-digit value and as tall as a line, in the current font."""
        metrics = self.fontMetrics()
        self.horizontalHeader().setDefaultSectionSize(
            metrics.horizontalAdvance("-7.08022e-05") + 16
        )
        self.verticalHeader().setDefaultSectionSize(metrics.height() + 8)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the presentation scale
            self._size_cells()

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste(QGuiApplication.clipboard().text())
            return
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            return
        super().keyPressEvent(event)

    def paste(self, text: str) -> bool:
        """Paste tab-separated rows at the current cell, as one undo step; the block is
        laid as the table is shown ((to, from) blocks land transposed in W)."""
        index = self.currentIndex()
        if not index.isValid() or not text.strip():
            return False
        model: WeightTableModel = self.model()
        rows = [line.split("\t") for line in text.strip("\n").split("\n")]
        rows = [[cell.strip() for cell in row] for row in rows]
        top, left = index.row(), index.column()
        if model.transposed:
            return self._paste_transposed(model, top, left, rows)
        n_from = model.n_from
        if model.is_bias_cell(top, left):
            return self._session.set_block("b", model.layer, 0, left, rows)
        if top + len(rows) > n_from:
            self._session.messageIssued.emit(
                "paste refused: the block reaches past the weights (paste biases separately)"
            )
            return False
        return self._session.set_block("w", model.layer, top, left, rows)

    def _paste_transposed(
        self, model: WeightTableModel, top: int, left: int, rows: list[list[str]]
    ) -> bool:
        """Paste a block into a (to, from) table: rows are to-units, columns from-units
        (and the bias column takes one value a row)."""
        say = self._session.messageIssued.emit
        if model.is_bias_cell(top, left):
            if any(len(row) != 1 for row in rows):
                say("paste refused: the bias column takes one value a row")
                return False
            return self._session.set_block("b", model.layer, 0, top, [[r[0] for r in rows]])
        if left + max(len(row) for row in rows) > model.n_from:
            say("paste refused: the block reaches past the weights (paste biases separately)")
            return False
        if len({len(row) for row in rows}) != 1:
            say("paste refused: the rows of the block differ in length")
            return False
        block = [list(column) for column in zip(*rows, strict=True)]  # (from, to)
        return self._session.set_block("w", model.layer, left, top, block)

    def copy_selection(self) -> None:
        """Copy the selected cells at full precision, tab-separated."""
        indexes = sorted(self.selectedIndexes(), key=lambda i: (i.row(), i.column()))
        if not indexes:
            return
        model: WeightTableModel = self.model()
        rows: dict[int, list[str]] = {}
        for i in indexes:
            v = model.value(i.row(), i.column())
            rows.setdefault(i.row(), []).append("" if v is None else full(v))
        QGuiApplication.clipboard().setText("\n".join("\t".join(r) for r in rows.values()))


class WeightTables(QWidget):
    """Tabs ``weightTable1``, ``weightTable2``… and the W / ∂E/∂W / ΔW switch."""

    modeChanged = Signal(str)
    parameterSelected = Signal(str, int, int, int)  # the current cell: kind, layer, row, col

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self._session = session
        self.models: list[WeightTableModel] = []
        self.views: list[WeightTableView] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        switch = QHBoxLayout()
        switch.addWidget(QLabel("Show:"))
        self._buttons = QButtonGroup(self)
        tips = {
            "W": "the weights (editable)",
            "grad": "the gradient ∂E/∂W of the last Backward",
            "delta": "the step ΔW that Apply update adds",
        }
        for mode in MODES:
            button = QRadioButton(MODE_TITLES[mode])
            button.setObjectName(f"showMode_{mode}")
            button.setToolTip(f"Show {tips[mode]}")
            self._buttons.addButton(button)
            button.setProperty("mode", mode)
            switch.addWidget(button)
            if mode == "W":
                button.setChecked(True)
        switch.addStretch(1)
        self._buttons.buttonToggled.connect(self._on_mode_toggled)
        layout.addLayout(switch)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(self._on_tab_shown)
        layout.addWidget(self.tabs)
        self.mode = "W"
        self._shapes: list[tuple[int, int, bool]] = []
        session.changed.connect(self._on_changed)
        session.conventionsChanged.connect(self._on_conventions)
        self._rebuild()

    def _on_changed(self, what: Change) -> None:
        if what & (Change.DOCUMENT | Change.SHAPE) and self._shapes != self._current_shapes():
            self._rebuild()
        elif what & (
            Change.PARAMETERS | Change.STEP | Change.BUSY | Change.DOCUMENT | Change.SHAPE
        ):
            for model in self.models:
                model.refresh()

    def _on_conventions(self, conventions) -> None:
        """(from, to) or (to, from): every table turned, the current cell kept."""
        for view, model in zip(self.views, self.models, strict=True):
            current = view.currentIndex()
            kept = model.parameter(current.row(), current.column()) if current.isValid() else None
            model.set_transposed(conventions.transposed)
            if kept is not None:
                index = model.index(*model.display_index(kept[0], kept[2], kept[3]))
                view.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                )

    def _current_shapes(self) -> list[tuple[int, int, bool]]:
        net = self._session.network
        return [(*w.shape, b is not None) for w, b in zip(net.weights, net.biases, strict=True)]

    def _rebuild(self) -> None:
        """One tab per layer of the network's new shape.  The old models keep showing
        what they showed until Qt is done with them (they never read the new network)."""
        self.tabs.clear()
        for view in self.views:
            view.deleteLater()
        for model in self.models:
            model.deleteLater()
        self.models, self.views = [], []
        self._shapes = self._current_shapes()
        net = self._session.network
        for l in range(1, net.n_layers + 1):
            model = WeightTableModel(self._session, l, self)
            model.set_mode(self.mode)
            view = WeightTableView(self._session, model)
            view.setObjectName(f"weightTable{l}")
            view.selectionModel().currentChanged.connect(self._on_current_cell)
            self.models.append(model)
            self.views.append(view)
            src = "input" if l == 1 else f"hidden {l - 1}" if net.n_layers > 2 else "hidden"
            dst = (
                "output" if l == net.n_layers else (f"hidden {l}" if net.n_layers > 2 else "hidden")
            )
            self.tabs.addTab(view, f"{src} → {dst}")

    def _on_mode_toggled(self, button, checked: bool) -> None:
        if checked:
            self.set_mode(button.property("mode"))

    def set_mode(self, mode: str) -> None:
        """Show W, ∂E/∂W or ΔW in every table."""
        self.mode = mode
        for b in self._buttons.buttons():
            if b.property("mode") == mode and not b.isChecked():
                b.setChecked(True)
        for model in self.models:
            model.set_mode(mode)
        self.modeChanged.emit(mode)

    def show_live(self, network) -> None:
        """A running run's newest weights, in the tab shown (read-only; the other tabs
        catch up when shown or when the run ends)."""
        index = self.tabs.currentIndex()
        if 0 <= index < len(self.models):
            self.models[index].show_live(network)

    def _on_current_cell(self, current, previous) -> None:
        model = current.model()
        if current.isValid() and isinstance(model, WeightTableModel):
            self.parameterSelected.emit(*model.parameter(current.row(), current.column()))

    def _on_tab_shown(self, index: int) -> None:
        """During a run, a tab brought to the front catches up with the run at once."""
        live = self._session.live_network() if self._session.current_run else None
        if live is not None and 0 <= index < len(self.models):
            self.models[index].show_live(live)

    def selected_parameters(self) -> list[tuple[str, int, int, int, str]]:
        """(``w``|``b``, layer, row, column, label) of the cells selected in the tab shown."""
        index = self.tabs.currentIndex()
        if index < 0:
            return []
        view, model = self.views[index], self.models[index]
        return [
            (*model.parameter(i.row(), i.column()), model.label(i.row(), i.column()))
            for i in view.selectionModel().selectedIndexes()
        ]

    def select(self, kind: str, layer: int, row: int, col: int) -> None:
        """Show layer ``layer``'s tab and select a weight (or the bias of column ``col``)."""
        self.tabs.setCurrentIndex(layer - 1)
        view, model = self.views[layer - 1], self.models[layer - 1]
        index = model.index(*model.display_index(kind, row, col))
        view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        view.scrollTo(index)
        view.setFocus(Qt.FocusReason.OtherFocusReason)
