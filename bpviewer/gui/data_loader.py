"""Data sets read in a worker thread (superqt's function worker), with progress and Cancel.

The document is the session's: :meth:`Session.begin_loading` makes it busy (nothing may
change under the reader), the worker builds the data set from its spec with
:func:`~bpviewer.core.data.datasets.build_dataset` (NumPy's reader, in chunks of about
10 ms, so the window's thread waits for the GIL no longer than a chunk), and
:meth:`Session.end_loading` applies it on the GUI thread as one undo step.  Cancelled or
refused, the current data stay.  This object only drives the thread, as
:class:`~bpviewer.gui.training_controller.TrainingController` does for runs.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool, Signal

from bpviewer.core.data.csvdata import ReadCancelled
from bpviewer.gui import gc_guard
from bpviewer.gui.session import LOADING, Session

if TYPE_CHECKING:
    from bpviewer.core.data.datasets import Dataset


class DataLoader(QObject):
    """Reads one data set at a time off the GUI thread for the session."""

    #: The fraction read, 0..1 (at most a hundred times a read), on the GUI thread.
    progressed = Signal(float)
    #: The read ended: (applied, message).  ``message`` says what happened (the error with
    #: the file name and line and column, "cancelled", or what was loaded).
    finished = Signal(bool, str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.worker = None
        self._cancel = threading.Event()
        self._job: tuple[dict, Path, str, str] | None = None
        self._project: Path | None = None  # a project file being read (open_project)
        self._started = 0.0
        self._percent = -1
        self._result: Dataset | None = None
        self._error: BaseException | None = None
        #: (applied, message) of the last read that ended, for callers that waited.
        self.outcome: tuple[bool, str] | None = None
        #: Whether the last read that ended was cancelled (Cancel, or the window closing).
        self.cancelled = False
        #: Whether the last read that ended was a whole project file (open_project).
        self.was_project = False

    @property
    def loading(self) -> bool:
        """Whether a read is going."""
        return self._job is not None

    def load(
        self, spec: dict, base_dir: Path | None = None, text: str = "New data", what: str = ""
    ) -> bool:
        """Start reading ``spec``'s data (``what`` names it in messages); False, with the
        session's message, when the document is busy (a run, or another read)."""
        if self.loading:  # (the session is busy then: it says so)
            self._session.messageIssued.emit(LOADING)
            return False
        if not self._session.begin_loading(what or text):
            return False
        from superqt.utils import create_worker  # superqt costs ~130 ms: not at start-up

        from bpviewer.core.data.datasets import build_dataset

        base = base_dir or self._session.data_base_dir()
        self._job = (dict(spec), base, text, what or text)
        self._cancel = threading.Event()
        self._result, self._error, self.outcome = None, None, None
        self.cancelled = False
        self._percent = -1
        self._started = time.perf_counter()
        self.worker = create_worker(
            build_dataset,
            dict(spec),
            base,
            progress=self._on_progress,
            _start_thread=False,
            _ignore_errors=True,
        )
        self.worker.returned.connect(self._on_returned)
        self.worker.errored.connect(self._on_errored)
        self.worker.finished.connect(self._on_finished)
        gc_guard.pause()  # no cyclic GC in the worker thread (see gc_guard)
        self.worker.start()
        return True

    def open_project(self, path: Path) -> bool:
        """Read the project file ``path`` (whose data may be a big CSV file) off the GUI
        thread and make it the document; False, with the session's message, when busy."""
        if self.loading:
            self._session.messageIssued.emit(LOADING)
            return False
        if not self._session.begin_loading(path.name):
            return False
        from superqt.utils import create_worker

        from bpviewer.core.files.project import load_project

        self._job = ({}, path.parent, f"Open {path.name}", path.name)
        self._project = path
        self._cancel = threading.Event()
        self._result, self._error, self.outcome = None, None, None
        self.cancelled = False
        self._percent = -1
        self._started = time.perf_counter()
        self.worker = create_worker(
            load_project, path, progress=self._on_progress, _start_thread=False, _ignore_errors=True
        )
        self.worker.returned.connect(self._on_returned)
        self.worker.errored.connect(self._on_errored)
        self.worker.finished.connect(self._on_finished)
        gc_guard.pause()
        self.worker.start()
        return True

    def cancel(self) -> None:
        """Stop the read at its next chunk; the current data stay."""
        self._cancel.set()

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait for the read to end and its outcome to be applied (tests, closing the
        window); False if it is still going after ``msecs``."""
        if not self.loading:
            return True
        if not QThreadPool.globalInstance().waitForDone(msecs):
            return False
        QCoreApplication.sendPostedEvents()  # the worker's queued signals, in order
        if self.loading:  # finished never arrived (the thread was cut off)
            self._on_finished()
        return True

    # ------------------------------------------------------------------ worker side
    def _on_progress(self, fraction: float) -> bool:
        """Called in the worker thread with the fraction read; False stops the read."""
        worker = self.worker
        if self._cancel.is_set() or (worker is not None and worker.abort_requested):
            return False
        percent = int(fraction * 100)
        if percent != self._percent:  # a hundred signals a read at most
            self._percent = percent
            self.progressed.emit(fraction)  # queued to the GUI thread
        return True

    # ------------------------------------------------------------------ GUI side
    def _on_returned(self, dataset: Dataset) -> None:
        self._result = dataset

    def _on_errored(self, exc: BaseException) -> None:
        self._error = exc

    def _on_finished(self) -> None:
        if self._job is None:
            return
        spec, base, text, what = self._job
        self._job, self.worker = None, None
        gc_guard.resume()
        dataset, error = self._result, self._error
        self._result = self._error = None
        elapsed = time.perf_counter() - self._started
        if self._project is not None:
            self._project_read(dataset, error, what, elapsed)
            return
        self.was_project = False
        if dataset is not None and not self._cancel.is_set():
            with self._session.messages() as said:  # set_data says why it refused, if so
                applied = self._session.end_loading(spec, dataset, base, text)
            if applied:
                message = f"{what}: {dataset.n_samples:,} samples read in {elapsed:.1f} s"
                self._session.messageIssued.emit(message)
            else:
                message = said[-1] if said else f"{what}: not used; the current data stay"
        else:
            self._session.end_loading()
            applied = False
            self.cancelled = (
                isinstance(error, ReadCancelled) or self._cancel.is_set() or error is None
            )
            if self.cancelled:
                message = f"{what}: reading cancelled; the current data stay"
            else:
                message = f"{error}; the current data stay"
            self._session.messageIssued.emit(message)
        self.outcome = (applied, message)
        self.finished.emit(applied, message)

    def _project_read(self, project, error, what: str, elapsed: float) -> None:
        """A project file was read (or refused, or cancelled): the document is free again
        and, if read, the project becomes the document (as File → Open does)."""
        path, self._project = self._project, None
        self.was_project = True
        self._session.end_loading()
        applied = project is not None and not self._cancel.is_set()
        if applied:
            self._session.load(project)
            for warning in self._session.project.warnings:
                self._session.messageIssued.emit(f"{path}: {warning}")
            message = (
                f"opened {path} ({project.dataset.n_samples:,} samples read in {elapsed:.1f} s)"
            )
        else:
            self.cancelled = (
                error is None or isinstance(error, ReadCancelled) or self._cancel.is_set()
            )
            message = (
                f"{what}: reading cancelled; the current project stays"
                if self.cancelled
                else f"{error}; the current project stays"
            )
        self._session.messageIssued.emit(message)
        self.outcome = (applied, message)
        self.finished.emit(applied, message)
