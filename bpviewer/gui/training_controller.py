"""Training runs in a worker thread (superqt's generator worker), handed back in chunks.

The run itself belongs to the session (the document): :meth:`Session.begin_run` makes it
and makes the document busy, each chunk goes to :meth:`Session.add_chunk`, and
:meth:`Session.end_run` takes the final parameters as one undo step.  This controller only
drives the thread: start, pause, resume, stop, and wait when the window closes.  The worker
owns a :class:`~bpviewer.core.training.trainer.Trainer` working on a copy of the network; the GUI
thread only reads the immutable chunks it yields.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from bpviewer.core.engine.notation import fmt
from bpviewer.core.training.paint_gate import PaintGate
from bpviewer.core.training.runs import Run
from bpviewer.core.training.settings import TrainingSettings
from bpviewer.gui import gc_guard
from bpviewer.gui.session import Session

if TYPE_CHECKING:  # the engine's training modules load with the first run
    from bpviewer.core.training.training_run import Chunk, RunResult, Watch

#: Work per chunk handed to the window: ten hand-overs a second keep the curve live while
#: the GUI thread (which must take the GIL for each) stays out of the worker's way.
CHUNK_SECONDS = 0.1
#: The progress text in the status bar changes at most this often.
PROGRESS_SECONDS = 0.25

TRIPS = {
    "nan": "a value became NaN or infinite",
    "growth": "the loss grew",
    "vanishing": "a gradient vanished",
    "stopped": "units stopped learning",
}
VERDICTS = {
    "done": "done",
    "target": "target loss reached",
    "stopped": "stopped",
    "watch": "stopped by a watchpoint",
    "failed": "failed",
}


def _accuracy_text(network, dataset) -> str:
    """`` · accuracy 97% (validation 95%)`` for class data, else nothing."""
    from bpviewer.core.engine.decision import accuracy

    train = accuracy(network, dataset.inputs, dataset.targets)
    if train is None:
        return ""
    text = f" · accuracy {train:.0%}"
    if dataset.validation_inputs is not None:
        val = accuracy(network, dataset.validation_inputs, dataset.validation_targets)
        text += f" (validation {val:.0%})" if val is not None else ""
    return text


class TrainingController(QObject):
    """Starts, pauses, resumes and stops the session's runs in a worker thread."""

    runStarted = Signal(object)  # Run
    chunkArrived = Signal(object, object)  # Run, Chunk
    runFinished = Signal(object)  # Run
    progressChanged = Signal(str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.worker = None
        self._run: Run | None = None
        self._result: RunResult | None = None
        self._stop = threading.Event()
        self._started = 0.0
        self._paused = False
        self._last_progress = 0.0
        self._error = ""
        #: Closed while the window paints: the worker then waits at its next breather.
        self.gate = PaintGate()

    # ------------------------------------------------------------------ control
    @property
    def runs(self) -> list[Run]:
        """The document's runs (the session owns them)."""
        return self._session.runs

    @property
    def current(self) -> Run | None:
        """The run going, if any."""
        return self._run

    @property
    def running(self) -> bool:
        """Whether a run is going (paused counts as going)."""
        return self._run is not None

    @property
    def tracked_labels(self) -> list[str]:
        """Labels of the weights the running run tracks."""
        return self._run.tracked_labels if self._run is not None else []

    def start(
        self,
        *,
        iterations: int | None = None,
        epochs: int | None = None,
        target_loss: float | None = None,
        watch: Watch | None = None,
        settings: TrainingSettings | None = None,
        track: list[tuple[int, str]] | None = None,
        snapshot_params: bool = False,
    ) -> Run | None:
        """Start a run from the session's current network and optimiser state."""
        if self.running:
            return None
        run = self._session.begin_run(settings=settings, track=track)
        if run is None:
            return None
        from superqt.utils import create_worker  # superqt costs ~130 ms: not at start-up

        from bpviewer.core.training.training_run import Watch, training_run

        self._run, self._result, self._error = run, None, ""
        self._stop = threading.Event()
        self._started = time.perf_counter()
        self._paused = False
        self.worker = create_worker(
            training_run,
            run.trainer,
            iterations=iterations,
            epochs=epochs,
            target_loss=target_loss,
            watch=watch or Watch(),
            gate=self.gate,
            snapshot_params=snapshot_params,
            chunk_seconds=CHUNK_SECONDS,
            track=[i for i, _ in track or []],
            halt=self._stop,
            _start_thread=False,
            _ignore_errors=True,
        )
        self.worker.yielded.connect(self._on_chunk)
        self.worker.returned.connect(self._on_returned)
        self.worker.errored.connect(self._on_errored)
        self.worker.paused.connect(self._on_worker_paused)
        self.worker.finished.connect(self._on_finished)
        self.runStarted.emit(run)
        gc_guard.pause()  # no cyclic GC in the worker thread (see gc_guard)
        self.worker.start()
        return run

    def pause(self) -> None:
        """Pause between chunks."""
        if self.worker is not None and not self._paused:
            self.worker.pause()
            self._paused = True
            self.progressChanged.emit("training paused")

    def resume(self) -> None:
        """Go on after a pause (also when the worker has not reached its pause yet)."""
        if self.worker is not None and self._paused:
            self._paused = False
            self.worker.resume()  # a no-op until the worker pauses: see _on_worker_paused

    def _on_worker_paused(self) -> None:
        # the worker pauses at its next chunk, maybe after Resume was already pressed
        if not self._paused and self.worker is not None:
            self.worker.resume()

    @property
    def paused(self) -> bool:
        """Whether the run is paused."""
        return self._paused

    def stop(self) -> None:
        """Stop at the worker's next breather; the run still returns its result (the
        parameters of its last iteration, or a watchpoint's finite ones)."""
        if self.worker is not None:
            self._stop.set()
            if self._paused:
                self._paused = False
                self.worker.resume()

    def wait(self, msecs: int = 10_000) -> None:
        """Stop, join the worker thread and end the run in the document (closing the
        window), so the document is in the state the run reports before anything else."""
        worker = self.worker
        if worker is None:
            return
        self.stop()
        # not superqt's await_workers: it aborts the worker, which then never returns its
        # result (the run would end as "failed", without a watchpoint's restore)
        from PySide6.QtCore import QCoreApplication, QThreadPool

        if not QThreadPool.globalInstance().waitForDone(msecs):
            return  # still running: its trainer must not be read while it writes
        QCoreApplication.sendPostedEvents()  # the worker's queued signals, in order
        if self._run is not None:  # finished never arrived (the thread was cut off)
            self._on_finished()

    # ------------------------------------------------------------------ worker signals
    def _on_chunk(self, chunk: Chunk) -> None:
        run = self._run
        if run is None:
            return
        self._session.add_chunk(run, chunk)
        self.chunkArrived.emit(run, chunk)
        now = time.perf_counter()
        if now - self._last_progress < PROGRESS_SECONDS:
            return
        self._last_progress = now
        rate = chunk.done / max(chunk.elapsed, 1e-9)
        text = f"training: {chunk.done:,}"
        if chunk.total:
            left = (chunk.total - chunk.done) / rate if rate > 0 else 0.0
            text += f" of {chunk.total:,} iterations · {rate:,.0f} it/s · {left:.1f} s left"
        else:
            text += f" iterations · {rate:,.0f} it/s"
        means = [end[2] for c in run.chunks[-20:] for end in c.epochs]
        if means:  # the epoch's mean says how training goes; one batch's loss jumps about
            text += f" · E (epoch mean) = {fmt(means[-1])}"
        elif len(chunk.losses):
            text += f" · E (last batch) = {fmt(chunk.losses[-1])}"
        self.progressChanged.emit(text)

    def _on_returned(self, result: RunResult) -> None:
        self._result = result

    def _on_errored(self, exc: Exception) -> None:
        self._error = str(exc)

    def _on_finished(self) -> None:
        run = self._run
        if run is None:
            return
        self._run = None
        self.worker = None
        self._paused = False
        gc_guard.resume()
        self._session.end_run(run, self._result)
        result = run.result
        elapsed = time.perf_counter() - self._started
        loss = result.final_loss
        message = (
            f"training {VERDICTS.get(result.reason, result.reason)}: "
            f"{result.iterations:,} iterations in {elapsed:.1f} s"
            f" · E = {fmt(loss) if loss == loss else '—'}"
        )
        message += _accuracy_text(result.network, run.dataset)
        if self._error:
            message += f" · {self._error}"
        if result.trip is not None:  # the whole advice is in the Training panel (wrapped)
            message += f" · {TRIPS.get(result.trip.kind, result.trip.kind)}: see the Training panel"
        self.progressChanged.emit(message)
        self.runFinished.emit(run)
