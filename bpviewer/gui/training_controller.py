"""Training runs in a worker thread (superqt's generator worker), handed back in chunks.

The worker owns a :class:`~bpviewer.core.trainer.Trainer` working on a copy of the network;
the GUI thread only reads the immutable chunks it yields.  When the run ends (done, target,
watchpoint, or Stop) the final network goes back to the session as one undo step, and the
trainer is kept so any iteration of the run can be restored exactly (rewind).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from bpviewer.core.notation import fmt
from bpviewer.core.paint_gate import PaintGate
from bpviewer.core.project import TrainingSettings
from bpviewer.gui import gc_guard
from bpviewer.gui.session import Session, SessionState

if TYPE_CHECKING:  # the engine's training modules load with the first run
    from bpviewer.core.trainer import Trainer
    from bpviewer.core.training_run import Chunk, RunResult, Watch

#: Earlier runs kept (curves and their histories for rewinding).
MAX_RUNS = 6
#: Work per chunk handed to the window: ten hand-overs a second keep the curve live while
#: the GUI thread (which must take the GIL for each) stays out of the worker's way.
CHUNK_SECONDS = 0.1
#: The progress text in the status bar changes at most this often.
PROGRESS_SECONDS = 0.25


@dataclass
class Run:
    """One training run: its trainer (history), where it started, and what it ended with."""

    number: int
    trainer: Trainer
    start: int
    settings: TrainingSettings
    label: str = ""
    result: RunResult | None = None
    chunks: list[Chunk] = field(default_factory=list)

    @property
    def end(self) -> int:
        """The iteration after the last one run."""
        return self.trainer.iteration


def describe_change(old: TrainingSettings | None, new: TrainingSettings) -> str:
    """What changed between two runs' settings, e.g. ``η 0.5 → 0.1``."""
    if old is None:
        return f"η {fmt(new.learning_rate)}, {new.optimizer}, batch {new.batch_size}"
    names = {
        "learning_rate": "η",
        "batch_size": "batch",
        "optimizer": "optimizer",
        "weight_decay": "λ",
        "momentum": "μ",
        "loss": "loss",
        "shuffle": "shuffle",
    }
    parts = []
    for key, short in names.items():
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            parts.append(
                f"{short} {fmt(a) if isinstance(a, float) else a} → "
                f"{fmt(b) if isinstance(b, float) else b}"
            )
    return ", ".join(parts) or "same settings"


class TrainingController(QObject):
    """Starts, pauses, resumes and stops runs; keeps the earlier ones for comparison."""

    runStarted = Signal(object)  # Run
    chunkArrived = Signal(object, object)  # Run, Chunk
    runFinished = Signal(object)  # Run
    progressChanged = Signal(str)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.runs: list[Run] = []
        self.current: Run | None = None
        self.worker = None
        self._before: SessionState | None = None
        self._started = 0.0
        self._paused = False
        self._last_progress = 0.0
        self.tracked_labels: list[str] = []
        #: Closed while the window paints: the worker then waits at its next breather.
        self.gate = PaintGate()
        session.projectChanged.connect(self.clear_runs)

    # ------------------------------------------------------------------ control
    @property
    def running(self) -> bool:
        """Whether a run is going (paused counts as going)."""
        return self.current is not None

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
        s = self._session
        settings = settings or s.project.training
        machine = s.machine
        from bpviewer.core.trainer import Trainer
        from bpviewer.core.training_run import Watch

        watch = watch or Watch()
        trainer = Trainer(
            machine.network,
            settings,
            s.project.dataset,
            optimizer_state=machine.optimizer_state.copy(),
            start_iteration=machine.iteration,
            record_gradient_norms=True,
        )
        previous = self.runs[-1].settings if self.runs else None
        run = Run(
            len(self.runs) + 1,
            trainer,
            machine.iteration,
            settings,
            describe_change(previous, settings),
        )
        self.current = run
        self.runs.append(run)
        del self.runs[:-MAX_RUNS]
        self._before = s.capture()
        self._started = time.perf_counter()
        self._paused = False
        s.set_busy(True)
        self.tracked_labels = [label for _, label in track or []]
        from superqt.utils import create_worker  # superqt costs ~130 ms: not at start-up

        from bpviewer.core.training_run import training_run

        self.worker = create_worker(
            training_run,
            trainer,
            iterations=iterations,
            epochs=epochs,
            target_loss=target_loss,
            watch=watch,
            gate=self.gate,
            snapshot_params=snapshot_params,
            chunk_seconds=CHUNK_SECONDS,
            track=[i for i, _ in track or []],
            _start_thread=False,
            _ignore_errors=True,
        )
        self.worker.yielded.connect(self._on_chunk)
        self.worker.returned.connect(self._on_returned)
        self.worker.errored.connect(self._on_errored)
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
        """Go on after a pause."""
        if self.worker is not None and self._paused:
            self.worker.resume()
            self._paused = False

    @property
    def paused(self) -> bool:
        """Whether the run is paused."""
        return self._paused

    def stop(self) -> None:
        """Stop at the end of the current chunk; the network is the history's last entry."""
        if self.worker is not None:
            if self._paused:
                self.worker.resume()
            self.worker.quit()

    def wait(self, msecs: int = 10_000) -> None:
        """Stop and join the worker thread (closing the window)."""
        self.stop()
        if self.worker is not None:
            self.worker.await_workers(msecs)

    def clear_runs(self) -> None:
        """Forget earlier runs (not the current one)."""
        self.runs = [r for r in self.runs if r is self.current]

    # ------------------------------------------------------------------ worker signals
    def _on_chunk(self, chunk: Chunk) -> None:
        run = self.current
        if run is None:
            return
        run.chunks.append(chunk)
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
        if len(chunk.losses):
            text += f" · E = {fmt(chunk.losses[-1])}"
        self.progressChanged.emit(text)

    def _on_returned(self, result: RunResult) -> None:
        if self.current is not None:
            self.current.result = result

    def _on_errored(self, exc: Exception) -> None:
        self.progressChanged.emit(f"training failed: {exc}")

    def _on_finished(self) -> None:
        run = self.current
        if run is None:
            return
        if run.result is None:  # stopped: the worker ended at a chunk boundary
            trainer = run.trainer
            from bpviewer.core.training_run import RunResult

            run.result = RunResult(
                trainer,
                trainer.network,
                trainer.optimizer_state,
                trainer.iteration - run.start,
                "stopped",
            )
        result = run.result
        iteration = run.start + result.iterations
        if result.trip is not None and result.trip.restored_iteration is not None:
            iteration = result.trip.restored_iteration
        self.current = None
        self.worker = None
        gc_guard.resume()
        s = self._session
        s.set_busy(False)
        s.apply_training(
            result.network,
            result.optimizer_state,
            iteration,
            f"Train {result.iterations:,} iterations",
            self._before,
        )
        elapsed = time.perf_counter() - self._started
        verdict = {
            "done": "done",
            "target": "target loss reached",
            "stopped": "stopped",
            "watch": "stopped by a watchpoint",
        }[result.reason]
        message = (
            f"training {verdict}: {result.iterations:,} iterations in {elapsed:.1f} s"
            f" · E = {fmt(result.final_loss) if result.final_loss == result.final_loss else '—'}"
        )
        if result.trip is not None:
            message += f" · {result.trip.message}"
        self.progressChanged.emit(message)
        self.runFinished.emit(run)
