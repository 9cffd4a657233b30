"""The session: the one object that owns the project, the step machine and the undo stack.

Widgets never compute; they call the session and redraw on its signals.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from bpviewer.core.errors import StepError
from bpviewer.core.examples import load_example
from bpviewer.core.notation import fmt
from bpviewer.core.project import Project, load_project, save_project
from bpviewer.core.stepper import MachineSnapshot, StepMachine, StepRecord, make_optimizer


@dataclass(frozen=True)
class SessionState:
    """What an undo step puts back: the machine (with the network) and the sample."""

    machine: MachineSnapshot
    sample_index: int
    losses: dict[int, float]
    last_update: StepRecord | None


class StateCommand(QUndoCommand):
    """An undo step that swaps whole session states (exact, whatever the action was)."""

    def __init__(
        self, session: Session, text: str, before: SessionState, after: SessionState
    ) -> None:
        super().__init__(text)
        self._session, self._before, self._after = session, before, after
        self._first = True

    def redo(self) -> None:
        if self._first:  # the action itself already ran
            self._first = False
            return
        self._session._apply_state(self._after)

    def undo(self) -> None:
        self._session._apply_state(self._before)


class SampleCommand(QUndoCommand):
    """An edit of one input or target value of the data set."""

    def __init__(
        self, session: Session, which: str, row: int, col: int, old: float, new: float
    ) -> None:
        super().__init__(f"Edit {which} {col + 1} of sample {row + 1}")
        self._session, self._args = session, (which, row, col)
        self._old, self._new = old, new

    def redo(self) -> None:
        self._session._set_sample_value(*self._args, self._new)

    def undo(self) -> None:
        self._session._set_sample_value(*self._args, self._old)


class SettingsCommand(QUndoCommand):
    """A change of the training settings (the weights stay)."""

    def __init__(self, session: Session, before, after, text: str) -> None:
        super().__init__(text)
        self._session, self._before, self._after = session, before, after

    def redo(self) -> None:
        self._session._set_training(self._after)

    def undo(self) -> None:
        self._session._set_training(self._before)


class ProjectCommand(QUndoCommand):
    """A change of the network's shape or of the data: whole project and machine swapped."""

    def __init__(self, session: Session, before: tuple, after: tuple, text: str) -> None:
        super().__init__(text)
        self._session, self._before, self._after = session, before, after
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._session._install(self._after)

    def undo(self) -> None:
        self._session._install(self._before)


class Session(QObject):
    """Project, step machine, current sample, per-iteration losses and the undo stack."""

    projectChanged = Signal()  # a new network shape: rebuild views
    parametersChanged = Signal()  # weight or bias values changed
    stepCompleted = Signal(object)  # list[StepRecord] just run
    machineChanged = Signal()  # position, freshness or batch changed
    lossesChanged = Signal()
    messageIssued = Signal(str)
    dirtyChanged = Signal(bool)
    busyChanged = Signal(bool)
    settingsChanged = Signal()

    def __init__(self, project: Project | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.busy = False
        self.last_records: list[StepRecord] = []
        self.load(project or load_example("seed"))

    # ------------------------------------------------------------------ project
    def load(self, project: Project) -> None:
        """Make ``project`` the current one (no undo across projects)."""
        self.project = project
        self.initial_network = project.network.copy()
        self.sample_index = 0
        self.losses: dict[int, float] = {}
        self.last_records = []
        self.last_update: StepRecord | None = None
        lo, hi = self.batch_rows()
        t = project.training
        self.machine = StepMachine(
            project.network.copy(),
            t.loss,
            t.optimizer_settings(),
            project.dataset.inputs[lo:hi],
            project.dataset.targets[lo:hi],
            update_biases=t.update_biases,
        )
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.projectChanged.emit()
        self.parametersChanged.emit()
        self.machineChanged.emit()
        self.lossesChanged.emit()
        self.dirtyChanged.emit(False)

    def open(self, path: str | Path) -> None:
        """Load a project file (raises BpviewerError with the file name and the problem)."""
        self.load(load_project(path))
        for warning in self.project.warnings:
            self.messageIssued.emit(f"{path}: {warning}")

    def save(self, path: str | Path | None = None) -> Path:
        """Write the project (current parameters) atomically; marks the session clean."""
        target = Path(path) if path else self.project.path
        if target is None:
            raise ValueError("no file name: use Save As")
        self.project = replace(self.project, network=self.machine.network.copy())
        save_project(self.project, target)
        self.undo_stack.setClean()
        self.dirtyChanged.emit(False)
        return target

    @property
    def network(self):
        """The live network (owned by the machine; do not modify directly)."""
        return self.machine.network

    @property
    def dirty(self) -> bool:
        """Whether weights, data or settings differ from the file."""
        return not self.undo_stack.isClean()

    def _on_clean_changed(self, clean: bool) -> None:
        self.dirtyChanged.emit(not clean)

    # ------------------------------------------------------------------ batch
    @property
    def n_samples(self) -> int:
        """Samples in the training data."""
        return self.project.dataset.n_samples

    def batch_rows(self) -> tuple[int, int]:
        """Rows [lo, hi) of the current batch."""
        n = self.n_samples
        lo = self.sample_index
        return lo, min(lo + self.project.training.batch_length(n), n)

    def select_sample(self, index: int) -> None:
        """Step from sample ``index`` (the batch starts there); results become stale."""
        if not 0 <= index < self.n_samples:
            self.messageIssued.emit(f"sample {index + 1} does not exist (1 to {self.n_samples})")
            return
        self.sample_index = index
        self._load_batch()

    def _load_batch(self) -> None:
        lo, hi = self.batch_rows()
        self.machine.set_batch(
            self.project.dataset.inputs[lo:hi], self.project.dataset.targets[lo:hi]
        )
        self.machineChanged.emit()

    def _advance_batch(self) -> None:
        lo, hi = self.batch_rows()
        nxt = hi % self.n_samples
        if nxt != lo:  # one sample, or the full batch: the next iteration uses the same rows
            self.sample_index = nxt
            self._load_batch()

    def set_sample_value(self, which: str, row: int, col: int, text: str | float) -> bool:
        """Edit an input (``which='input'``) or target of the data set, undoably."""
        value = self._parse(text)
        if value is None:
            return False
        data = self.project.dataset
        array = data.inputs if which == "input" else data.targets
        old = float(array[row, col])
        if old == value:
            return True
        self.undo_stack.push(SampleCommand(self, which, row, col, old, value))
        return True

    def _set_sample_value(self, which: str, row: int, col: int, value: float) -> None:
        data = self.project.dataset
        (data.inputs if which == "input" else data.targets)[row, col] = value
        self._load_batch()

    # ------------------------------------------------------------------ undoable state
    def capture(self) -> SessionState:
        """The current state, for undo."""
        return SessionState(
            self.machine.snapshot(), self.sample_index, dict(self.losses), self.last_update
        )

    def _apply_state(self, state: SessionState) -> None:
        self.machine.restore(state.machine)
        self.sample_index = state.sample_index
        self.losses = dict(state.losses)
        self.last_update = state.last_update
        self.parametersChanged.emit()
        self.machineChanged.emit()
        self.lossesChanged.emit()

    def _push(self, text: str, before: SessionState) -> None:
        self.undo_stack.push(StateCommand(self, text, before, self.capture()))

    # ------------------------------------------------------------------ parameters
    @staticmethod
    def _parse(text: str | float) -> float | None:
        try:
            value = float(text)
        except (TypeError, ValueError):
            return None
        return value if np.isfinite(value) else None

    def set_parameter(self, kind: str, layer: int, row: int, col: int, text: str | float) -> bool:
        """Set a weight (``kind='w'``) or bias from user input; False (and a message, the old
        value kept) when the text is not a finite number."""
        if self.busy:
            self.messageIssued.emit("editing is disabled while training runs")
            return False
        value = self._parse(text)
        name = f"{'w' if kind == 'w' else 'b'}{layer}"
        if value is None:
            self.messageIssued.emit(f"{text!r} is not a finite number; {name} keeps its value")
            return False
        current = (
            self.network.weights[layer - 1][row, col]
            if kind == "w"
            else self.network.biases[layer - 1][col]
        )
        if float(current) == value:
            return True
        before = self.capture()
        self.machine.set_parameter(kind, layer, row, col, value)
        self._push(f"Edit {name}", before)
        self.parametersChanged.emit()
        self.machineChanged.emit()
        return True

    def set_block(
        self, kind: str, layer: int, top: int, left: int, values: list[list[str]]
    ) -> bool:
        """Paste a block of cells (a spreadsheet's tab-separated text) as one undo step.

        Every cell must be a finite number inside the matrix, or nothing changes."""
        target = self.network.weights[layer - 1] if kind == "w" else None
        rows, cols = target.shape if target is not None else (1, self.network.layer_sizes[layer])
        parsed = []
        for r, line in enumerate(values):
            row = []
            for c, cell in enumerate(line):
                v = self._parse(cell)
                if v is None:
                    self.messageIssued.emit(
                        f"paste refused: {cell!r} (row {r + 1}, column "
                        f"{c + 1}) is not a finite number"
                    )
                    return False
                if top + r >= rows or left + c >= cols:
                    self.messageIssued.emit("paste refused: the block does not fit the table")
                    return False
                row.append(v)
            parsed.append(row)
        before = self.capture()
        for r, row in enumerate(parsed):
            for c, v in enumerate(row):
                self.machine.set_parameter(kind, layer, top + r, left + c, v)
        self._push(f"Paste into layer {layer}", before)
        self.parametersChanged.emit()
        self.machineChanged.emit()
        return True

    def reset(self) -> None:
        """Back to the weights the project started with (undoable)."""
        before = self.capture()
        self.machine.restore(replace(self.machine.snapshot(), network=self.initial_network))
        self.machine.invalidate()
        self.last_update = None
        self._push("Reset weights", before)
        self.parametersChanged.emit()
        self.machineChanged.emit()

    # ------------------------------------------------------------------ shape and data
    def _whole(self) -> tuple:
        return (
            self.project,
            self.machine,
            self.sample_index,
            dict(self.losses),
            self.last_update,
            self.initial_network,
        )

    def _install(self, whole: tuple) -> None:
        (
            self.project,
            self.machine,
            self.sample_index,
            losses,
            self.last_update,
            self.initial_network,
        ) = whole
        self.losses = dict(losses)
        self.last_records = []
        self.projectChanged.emit()
        self.parametersChanged.emit()
        self.machineChanged.emit()
        self.lossesChanged.emit()
        self.settingsChanged.emit()

    def replace_project(self, project: Project, text: str) -> None:
        """Install a project of another shape (network or data) as one undo step; the
        parameters that still fit were kept by the caller."""
        before = self._whole()
        t = project.training
        dataset = project.dataset
        index = min(self.sample_index, dataset.n_samples - 1)
        stop = min(index + t.batch_length(dataset.n_samples), dataset.n_samples)
        machine = StepMachine(
            project.network.copy(),
            t.loss,
            t.optimizer_settings(),
            dataset.inputs[index:stop],
            dataset.targets[index:stop],
            update_biases=t.update_biases,
        )
        initial = project.network.copy()
        self._install((project, machine, index, {}, None, initial))
        self.undo_stack.push(ProjectCommand(self, before, self._whole(), text))

    def set_network_shape(
        self, sizes, activations, biases, *, init: str = "glorot", seed: int = 0
    ) -> bool:
        """Add or remove layers, resize them, change activations or biases (undoably);
        weights are kept where the shapes still fit."""
        from bpviewer.core.losses import get_loss, losses_for
        from bpviewer.core.network_edit import reshape_network

        data = self.project.dataset
        if sizes[0] != data.inputs.shape[1] or sizes[-1] != data.targets.shape[1]:
            self.messageIssued.emit(
                f"the data have {data.inputs.shape[1]} inputs and {data.targets.shape[1]} "
                "targets: the input and output layers must keep those sizes"
            )
            return False
        try:
            network = reshape_network(
                self.machine.network, sizes, activations, biases, init=init, seed=seed
            )
        except ValueError as exc:
            self.messageIssued.emit(str(exc))
            return False
        training = self.project.training
        if not get_loss(training.loss).allows(activations[-1]):
            training = replace(training, loss=losses_for(activations[-1])[0])
            self.messageIssued.emit(
                f"loss changed to {training.loss} to fit a {activations[-1]} output"
            )
        self.replace_project(
            replace(self.project, network=network, training=training), "Change the network"
        )
        return True

    def set_data(self, spec: dict, base_dir: Path | None = None, text: str = "New data") -> bool:
        """Use a new data set (a preset, a CSV file, derived features); the network's input
        and output layers follow its widths.  A set that cannot be read is refused with a
        message and the current data stay."""
        from bpviewer.core.datasets import build_dataset
        from bpviewer.core.errors import BpviewerError
        from bpviewer.core.losses import get_loss, losses_for
        from bpviewer.core.network_edit import reshape_network

        base = base_dir or (self.project.path.parent if self.project.path else Path.cwd())
        try:
            dataset = build_dataset(spec, base)
        except BpviewerError as exc:
            self.messageIssued.emit(f"{exc}; the current data stay")
            return False
        net = self.machine.network
        sizes = list(net.layer_sizes)
        sizes[0], sizes[-1] = dataset.inputs.shape[1], dataset.targets.shape[1]
        acts = list(net.activations)
        if dataset.class_labels and sizes[-1] > 1 and acts[-1] != "softmax":
            acts[-1] = "softmax"
        network = reshape_network(net, sizes, acts, [b is not None for b in net.biases])
        training = self.project.training
        if not get_loss(training.loss).allows(acts[-1]):
            training = replace(training, loss=losses_for(acts[-1])[0])
        self.replace_project(
            replace(
                self.project,
                network=network,
                training=training,
                data_spec=dict(spec),
                dataset=dataset,
            ),
            text,
        )
        return True

    # ------------------------------------------------------------------ settings
    def set_training(self, **changes) -> None:
        """Change training settings (learning rate, …) undoably; the weights never reset."""
        before = self.project.training
        from bpviewer.core.losses import get_loss

        try:
            after = replace(before, **changes)
            after.optimizer_settings()
            get_loss(after.loss).check_pairing(self.machine.network.activations[-1])
            bs = after.batch_size
            if bs != "full" and (not isinstance(bs, int) or bs < 1):
                raise ValueError(f'batch size must be a positive integer or "full", got {bs!r}')
        except (TypeError, ValueError) as exc:
            self.messageIssued.emit(str(exc))
            return
        if after == before:
            return
        text = ", ".join(f"{k} = {v}" for k, v in changes.items())
        self.undo_stack.push(SettingsCommand(self, before, after, f"Set {text}"))

    def _set_training(self, settings) -> None:
        from bpviewer.core.losses import get_loss

        self.project = replace(self.project, training=settings)
        m = self.machine
        m.loss = get_loss(settings.loss)
        same_optimizer = settings.optimizer == m.settings.name
        m.settings = settings.optimizer_settings()
        m.update_biases = settings.update_biases
        m.optimizer = make_optimizer(m.network, m.settings, settings.update_biases)
        if not same_optimizer:
            m.optimizer_state = m.optimizer.initial_state(m.network.parameters())
        self._load_batch()  # the batch size may have changed
        self.settingsChanged.emit()
        self.machineChanged.emit()

    # ------------------------------------------------------------------ training
    def set_busy(self, busy: bool) -> None:
        """Training runs: editing and stepping are disabled while busy."""
        self.busy = busy
        self.busyChanged.emit(busy)
        self.machineChanged.emit()

    def apply_training(
        self, network, optimizer_state, iteration: int, text: str, before: SessionState | None
    ) -> None:
        """Take a training run's final network as one undo step."""
        before = before or self.capture()
        self.machine.restore(
            replace(self.machine.snapshot(), network=network, optimizer_state=optimizer_state)
        )
        self.machine.invalidate()
        self.machine.iteration = iteration
        self.last_update = None
        self._push(text, before)
        self.parametersChanged.emit()
        self.machineChanged.emit()

    def rewind(self, network, optimizer_state, iteration: int) -> None:
        """Put back the parameters of an earlier training iteration (undoable)."""
        self.apply_training(
            network, optimizer_state, iteration, f"Rewind to iteration {iteration}", None
        )

    # ------------------------------------------------------------------ stepping
    def can_run(self, phase: str) -> bool:
        """Whether a phase may run now (never while training)."""
        return not self.busy and self.machine.can_run(phase)

    def why_not(self, phase: str) -> str:
        """Why a phase cannot run now."""
        return "training is running" if self.busy else self.machine.why_not(phase)

    def run_phase(self, phase: str) -> list[StepRecord]:
        """Run (the rest of) a phase: forward, backward or update."""
        if not self.can_run(phase):
            self.messageIssued.emit(self.why_not(phase))
            return []
        before = self.capture() if phase == "update" else None
        try:
            records = self.machine.run_phase(phase)
        except StepError as exc:
            self.messageIssued.emit(str(exc))
            return []
        return self._after(records, before, "Apply update")

    def step(self) -> list[StepRecord]:
        """Run the next sub-step."""
        if self.busy:
            return []
        update = self.machine.next_sub_step.kind == "update" and not self.machine.iteration_done
        before = self.capture() if update else None
        return self._after([self.machine.step()], before, "Step: update")

    def run_phase_rest(self) -> list[StepRecord]:
        """Run the rest of the phase the next sub-step belongs to (Shift+F10)."""
        phase = "forward" if self.machine.iteration_done else self.machine.next_sub_step.phase
        return self.run_phase(phase)

    def iterate(self) -> list[StepRecord]:
        """Forward, backward and update (the rest of the iteration), then the next sample."""
        if self.busy:
            return []
        before = self.capture()
        records = self.machine.run_iteration()
        return self._after(records, before, "Iterate")

    def _after(
        self, records: list[StepRecord], before: SessionState | None, text: str
    ) -> list[StepRecord]:
        for record in records:
            if record.sub_step.kind == "loss":
                self.losses[record.iteration] = float(record.values["loss"])
                self.lossesChanged.emit()
            if record.sub_step.kind == "update":
                self.last_update = record
        self.last_records = records
        updated = any(r.sub_step.kind == "update" for r in records)
        if updated:
            self._advance_batch()
        if before is not None and updated:
            self._push(text, before)
        if updated:
            self.parametersChanged.emit()
        self.machineChanged.emit()
        self.stepCompleted.emit(records)
        return records

    # ------------------------------------------------------------------ status
    def status_text(self) -> str:
        """``forward: layer 2 of 2 done · iteration 12 · sample 3 of 4 · E = 0.0213``."""
        lo, hi = self.batch_rows()
        n = self.n_samples
        sample = f"sample {lo + 1} of {n}" if hi - lo == 1 else f"samples {lo + 1}–{hi} of {n}"
        state = self.machine.status()
        if (
            state == "ready"
            and self.last_records
            and self.last_records[-1].sub_step.kind == "update"
        ):
            state = "update done"
        parts = [state, f"iteration {self.machine.iteration}", sample]
        loss = self.machine.results.get("loss")
        if loss is not None:
            stale = "" if "loss" in self.machine.fresh else " (stale)"
            parts.append(f"E = {fmt(loss)}{stale}")
        return " · ".join(parts)
