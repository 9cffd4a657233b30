"""File → Check my code…: run the solution checker off the GUI thread and show its report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout

from bpviewer.core.data.datasets import Dataset
from bpviewer.core.files.project import Project
from bpviewer.core.training.settings import TrainingSettings

if TYPE_CHECKING:  # the checker is imported when a check starts, not at the window's start
    from bpviewer.core.checker.checker import CheckReport, ScriptRun
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
    return {name: q.right for name, q in report.quantities.items() if q.status != "missing"}


class CheckRunner(QObject):
    """Runs one check in a worker thread; emits ``finished(run, report)`` or ``failed(text)``."""

    finished = Signal(object, object)
    failed = Signal(str)

    def __init__(self, path: str, timeout: float | None = None, parent=None) -> None:
        from bpviewer.core.checker.checker import DEFAULT_TIMEOUT, check_script

        timeout = DEFAULT_TIMEOUT if timeout is None else timeout
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
        from bpviewer.core.checker.report import report_text

        return report_text(report, run)


class CheckController:
    """File → Check my code…: one check at a time, its report, and the script's network
    loaded as a new document (asking about unsaved changes first)."""

    def __init__(self, window) -> None:
        self._w = window
        self.runner: CheckRunner | None = None
        self.report_dialog: ReportDialog | None = None

    @property
    def busy(self) -> bool:
        """Whether a check is running."""
        return self.runner is not None

    def choose(self) -> None:
        """Ask for a script and check it."""
        path = self._w.prompter.open_file(
            "Check my code",
            "Scripts and notebooks (*.py *.ipynb);;Python scripts (*.py);;"
            "Jupyter notebooks (*.ipynb);;All files (*)",
        )
        if path:
            self.check(path)

    def check(self, path: str, timeout: float | None = None) -> CheckRunner:
        """Check a learner's script or notebook in a worker thread; returns the runner (for
        tests)."""
        runner = CheckRunner(path, timeout, self._w)
        runner.finished.connect(self._on_finished)
        runner.failed.connect(self._on_failed)
        self.runner = runner
        self._w.update_actions()
        self._w.statusBar().showMessage(f"checking {path}…")
        runner.start()
        return runner

    def _on_failed(self, text: str) -> None:
        self.runner = None
        self._w.update_actions()
        self._w.statusBar().showMessage(text, 10000)
        self._w.prompter.error("Cannot check the script", text)

    def _on_finished(self, run: ScriptRun, report: CheckReport) -> None:
        from pathlib import Path

        w = self._w
        runner, self.runner = self.runner, None
        w.update_actions()
        if w.files.idle() and w.files.confirm_discard():
            w.session.load(project_from_report(report, Path(run.path).stem))
            w.values_panel.set_marks(marks_from_report(report))
        verdict = (
            "all correct: Nice job!  That's right!"
            if report.ok
            else f"first wrong: {report.first_wrong}"
        )
        w.statusBar().showMessage(f"{run.path.name}: {verdict}", 15000)
        self.report_dialog = ReportDialog(f"Check: {run.path.name}", runner.text(run, report), w)
        self.report_dialog.show()
