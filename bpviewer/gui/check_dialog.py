"""File → Check my code…: run the solution checker off the GUI thread and show its report."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout

from bpviewer.core.checker import CheckReport, ScriptRun, check_script, report_text
from bpviewer.core.datasets import Dataset
from bpviewer.core.project import Project, TrainingSettings
from bpviewer.gui import gc_guard


class ReportDialog(QDialog):
    """The checker's text report."""

    def __init__(self, title: str, text: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("checkReportDialog")
        self.setWindowTitle(title)
        self.resize(900, 560)
        layout = QVBoxLayout(self)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(font)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def project_from_report(report: CheckReport, name: str) -> Project:
    """The script's own network, sample and learning rate as a project to step through."""
    data = Dataset(report.inputs, report.targets)
    spec = {"inputs": report.inputs.tolist(), "targets": report.targets.tolist()}
    training = TrainingSettings(loss="half_sse", learning_rate=report.learnrate or 0.5)
    return Project(report.network.copy(), training, spec, data, name=name)


def marks_from_report(report: CheckReport) -> dict[str, bool]:
    """Green (True) for correct names, red (False) for wrong ones and those that follow."""
    return {
        name: q.status == "ok" for name, q in report.quantities.items() if q.status != "missing"
    }


class CheckRunner(QObject):
    """Runs one check in a worker thread; emits ``finished(run, report)`` or ``failed(text)``."""

    finished = Signal(object, object)
    failed = Signal(str)

    def __init__(self, path: str, timeout: float = 10.0, parent=None) -> None:
        super().__init__(parent)
        from superqt.utils import create_worker  # superqt costs ~130 ms: not at start-up

        self.worker = create_worker(
            check_script, path, timeout, _start_thread=False, _ignore_errors=True
        )  # errors are reported, not raised
        self.worker.returned.connect(self._on_returned)
        self.worker.errored.connect(self._on_errored)

    def start(self) -> None:
        """Start the check in its thread."""
        gc_guard.pause()  # no cyclic GC in the worker thread (see gc_guard)
        self.worker.finished.connect(self._on_worker_finished)  # queued: the GUI thread
        self.worker.start()

    def _on_worker_finished(self) -> None:
        gc_guard.resume()

    def _on_returned(self, result: tuple[ScriptRun, CheckReport]) -> None:
        self.finished.emit(*result)

    def _on_errored(self, exc: Exception) -> None:
        self.failed.emit(str(exc))

    def text(self, run: ScriptRun, report: CheckReport) -> str:
        """The report as text."""
        return report_text(report, run)
