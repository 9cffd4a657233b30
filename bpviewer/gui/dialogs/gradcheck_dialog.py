"""The gradient check dialog: analytic vs numerical gradient per parameter, coloured by the
relative error."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from bpviewer.core.engine.gradcheck import GradCheckResult
from bpviewer.core.engine.notation import bias_label, full, weight_label


def error_colour(relative_error: float, at_kink: bool) -> str:
    """Green below 1e-7, yellow below 1e-5, red above; grey at a relu kink."""
    if at_kink:
        return "#e0e0e0"
    if relative_error < 1e-7:
        return "#d4f4d4"
    if relative_error < 1e-5:
        return "#fff2b3"
    return "#f8d0d0"


class GradCheckDialog(QDialog):
    """Shows a :class:`GradCheckResult`."""

    def __init__(self, result: GradCheckResult, n_layers: int, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("gradCheckDialog")
        self.setWindowTitle("Gradient check")
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        verdict = "passed" if result.passed else "FAILED"
        sampled = (
            f" ({len(result.entries)} of {result.total} parameters, drawn at random)"
            if result.total > len(result.entries)
            else ""
        )
        summary = QLabel(
            f"Largest relative error {result.max_relative_error:.3e} against tolerance "
            f"{result.tolerance:g}: <b>{verdict}</b>{sampled}. Numerical gradients: central "
            "differences in extended precision."
            + (
                f" {len(result.kinks)} parameter(s) sit at a relu kink and are not judged."
                if result.kinks
                else ""
            )
        )
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.table = QTableWidget(len(result.entries), 4)
        self.table.setHorizontalHeaderLabels(
            ["parameter", "analytic ∂E/∂θ", "numerical", "relative error"]
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, e in enumerate(result.entries):
            name = (
                weight_label(e.layer, e.row, e.col, n_layers)
                if e.kind == "w"
                else bias_label(e.layer, e.col, n_layers)
            )
            cells = [
                name,
                f"{e.analytic + 0.0:.10g}",
                f"{e.numerical + 0.0:.10g}",
                "kink" if e.at_kink else f"{e.relative_error:.2e}",
            ]
            colour = QBrush(QColor(error_colour(e.relative_error, e.at_kink)))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"analytic {full(e.analytic)}\nnumerical {full(e.numerical)}")
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                item.setBackground(colour)
                self.table.setItem(r, c, item)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


#: Gradient checks of bigger networks use this many parameters, drawn at random.
GRADCHECK_MAX = 400


def run_gradient_check(window) -> GradCheckDialog | None:
    """Train → Gradient check: check the session's current batch (with progress for big
    networks) and show the dialog (returned); refused while a run goes."""
    from PySide6.QtWidgets import QApplication, QProgressDialog

    from bpviewer.gui.session import BUSY

    s = window.session
    if s.busy:
        window.statusBar().showMessage(BUSY, 8000)
        return None
    todo = min(sum(p.size for p in s.network.parameters()), GRADCHECK_MAX)
    progress = QProgressDialog("Checking gradients…", "", 0, todo, window)
    progress.setCancelButton(None)
    progress.setMinimumDuration(400)
    progress.setWindowModality(Qt.WindowModality.WindowModal)

    def tick(done: int, total: int) -> None:
        if done % 20 == 0:
            progress.setValue(done)
            QApplication.processEvents()

    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        result = s.gradient_check(tick, GRADCHECK_MAX)
    finally:
        QApplication.restoreOverrideCursor()
        progress.close()
    dialog = GradCheckDialog(result, s.network.n_layers, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    window.statusBar().showMessage(
        f"gradient check: largest relative error {result.max_relative_error:.2e} "
        f"({'passed' if result.passed else 'FAILED'})",
        10000,
    )
    return dialog
