"""The session: the document.  One object owns everything the window shows.

It holds the project (network, data, settings), the step machine and its records, the
current sample, the stepped losses, every training run of this document and the undo
stack.  Three rules keep the window consistent:

* **One signal.**  Every change ends in exactly one ``changed(Change)`` emission that says
  what changed; views redraw from the session's current state when it names something
  they show, so each view redraws at most once per user action.
* **Every change is an undo step.**  Each action (a phase, a sub-step, an iteration, an
  edit, a paste, data, network or settings, a training run's end, a rewind) captures the
  whole document state before and after (:class:`DocState`: frozen copies, cheap) and
  pushes one :class:`DocCommand`; undo and redo put a whole state back, bit for bit.
  Opening a project, New and Check my code start a new document: a new undo stack and no
  runs.
* **Quiet while a run goes.**  While a training run goes, or a data set is read in the
  background (:meth:`Session.begin_loading`), every call that would change the document is
  refused with a message; the run's end, or the data read, is one undo step.

Widgets never compute and never change the document except through these methods.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from bpviewer.core.engine.conventions import EXERCISE, Conventions
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.notation import bias_label, fmt, weight_label
from bpviewer.core.engine.stepper import MachineSnapshot, StepMachine, StepRecord
from bpviewer.core.errors import StepError
from bpviewer.core.files.examples import load_example
from bpviewer.core.files.project import Project, load_project, save_project
from bpviewer.core.training.runs import Run, describe_change
from bpviewer.core.training.settings import SETTING_LABELS, TrainingSettings

if TYPE_CHECKING:
    from bpviewer.core.data.datasets import Dataset
    from bpviewer.core.training.training_run import Chunk, RunResult, Watch

#: Earlier runs kept (curves and their histories for rewinding).
MAX_RUNS = 6
#: Memory the undo stack may hold, about (its length is set from the network's size).
UNDO_BUDGET = 512 * 2**20
#: What a refused change says while a run goes.
BUSY = "a training run is going: stop it first (Shift+F5)"
#: What a refused change says while a data set is read in the background.
LOADING = "a data set is being read: wait for it, or cancel it in the Data panel"


class Change(enum.Flag):
    """What a ``changed`` emission says changed."""

    DOCUMENT = enum.auto()  # a new document: everything, runs cleared, marks gone
    SHAPE = enum.auto()  # the network's layers, activations or biases
    PARAMETERS = enum.auto()  # weight or bias values
    STEP = enum.auto()  # the step machine's position, results, records
    DATA = enum.auto()  # the data set (replaced: an edit, a preset, a file)
    SAMPLE = enum.auto()  # which sample / batch the step machine works on
    SETTINGS = enum.auto()  # training settings
    LOSSES = enum.auto()  # the stepped losses
    RUNS = enum.auto()  # a run started or ended, runs cleared or no longer fitting
    PROGRESS = enum.auto()  # a running run's new chunk
    BUSY = enum.auto()  # a run began or ended: what may be done now


NOTHING = Change(0)

#: Everything about the document (a new document, or a state put back by undo).
ALL = (
    Change.DOCUMENT
    | Change.SHAPE
    | Change.PARAMETERS
    | Change.STEP
    | Change.DATA
    | Change.SAMPLE
    | Change.SETTINGS
    | Change.LOSSES
    | Change.RUNS
    | Change.BUSY
)


@dataclass(frozen=True)
class DocState:
    """What an undo step puts back: the whole document but its runs and its file name.

    Nothing in it is changed in place later: the machine snapshot holds copies, the
    project's data set is replaced, never edited, and records are frozen."""

    project: Project
    machine: MachineSnapshot
    sample_index: int
    losses: tuple[tuple[int, float], ...]
    last_update: StepRecord | None
    last_records: tuple[StepRecord, ...]
    initial_network: Network


class DocCommand(QUndoCommand):
    """An undo step that swaps whole document states (exact, whatever the action was)."""

    def __init__(self, session: Session, text: str, before: DocState, after: DocState) -> None:
        super().__init__(text)
        self._session, self.before, self.after = session, before, after
        self._first = True

    def redo(self) -> None:
        if self._first:  # the action itself already ran
            self._first = False
            return
        self._session._restore(self.after)

    def undo(self) -> None:
        self._session._restore(self.before)


class Session(QObject):
    """The document: project, step machine, records, losses, runs and the undo stack."""

    changed = Signal(object)  # Change: what changed
    messageIssued = Signal(str)
    dirtyChanged = Signal(bool)
    #: The display conventions changed (a preference: never an undo step, never saved in
    #: the project; the views that show δ or weight tables redraw).
    conventionsChanged = Signal(object)

    def __init__(self, project: Project | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.busy = False
        #: What is being read in the background (the document is busy meanwhile), or None.
        self.loading: str | None = None
        self.runs: list[Run] = []
        self.current_run: Run | None = None
        self._run_before: DocState | None = None
        self._pending = NOTHING
        self._depth = 0
        self._dirty = False
        #: How δ and the weight tables are shown (see :mod:`bpviewer.core.engine.conventions`).
        self.conventions: Conventions = EXERCISE
        self.load(project or load_example("seed"))

    def set_conventions(self, conventions: Conventions) -> None:
        """Show δ and the weight tables in ``conventions`` (what is shown only: the
        document, its undo stack and its dirty state are untouched)."""
        if conventions != self.conventions:
            self.conventions = conventions
            self.conventionsChanged.emit(conventions)

    # ------------------------------------------------------------------ the one signal
    @contextmanager
    def _changing(self, what: Change = NOTHING) -> Iterator[None]:
        """Collect the changes of one action; the outermost block emits them once."""
        self._pending |= what
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._flush()

    def _flush(self) -> None:
        what, self._pending = self._pending, NOTHING
        dirty = self.dirty
        if what:
            self.changed.emit(what)
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirtyChanged.emit(dirty)

    @contextmanager
    def messages(self) -> Iterator[list[str]]:
        """The messages said inside the block (a view shows why a call was refused)."""
        said: list[str] = []
        self.messageIssued.connect(said.append)
        try:
            yield said
        finally:
            self.messageIssued.disconnect(said.append)

    def _refuse_if_busy(self) -> bool:
        if self.busy:
            self.messageIssued.emit(LOADING if self.loading is not None else BUSY)
            return True
        return False

    # ------------------------------------------------------------------ document
    def load(self, project: Project) -> bool:
        """Start a new document on ``project``: a new undo stack, no runs."""
        if self._refuse_if_busy():
            return False
        with self._changing(ALL):
            self.project = project
            self.initial_network = project.network.copy()
            self.sample_index = 0
            self.losses: dict[int, float] = {}
            self.last_records: list[StepRecord] = []
            self.last_update: StepRecord | None = None
            self.machine = self._new_machine(project, project.network.copy())
            self.runs = []
            self.undo_stack.clear()
            self.undo_stack.setUndoLimit(_undo_limit(project.network))
            self._mark_saved()
            self._state = self.capture()
        return True

    def open(self, path: str | Path) -> bool:
        """Load a project file (raises BpviewerError with the file name and the problem)."""
        if self._refuse_if_busy():
            return False
        project = load_project(path)
        self.load(project)
        for warning in self.project.warnings:
            self.messageIssued.emit(f"{path}: {warning}")
        return True

    def save(self, path: str | Path | None = None) -> Path:
        """Write the project (current parameters) atomically; marks the session clean."""
        target = Path(path) if path else self.project.path
        if target is None:
            raise ValueError("no file name: use Save As")
        project = replace(self.project, network=self.machine.network.copy())
        save_project(project, target)
        with self._changing():
            self.project = replace(project, path=target)
            self._mark_saved()
        return target

    def _mark_saved(self) -> None:
        self.undo_stack.setClean()
        self._saved = (
            self.machine.network.copy(),
            self.project.dataset,
            self.project.training,
            self.project.data_spec,  # replaced, never changed in place: kept, not copied
        )

    @property
    def dirty(self) -> bool:
        """Whether the weights, data or settings differ from those last saved or loaded
        (stepping without an update changes nothing a file holds)."""
        net, dataset, training, spec = self._saved
        return not (
            self.project.dataset is dataset
            and self.project.training == training
            and (self.project.data_spec is spec or self.project.data_spec == spec)
            and self.machine.network.same_shape(net)
            and self.machine.network.same_as(net)
        )

    @property
    def network(self) -> Network:
        """The live network (owned by the machine; read it, never change it)."""
        return self.machine.network

    @staticmethod
    def _new_machine(project: Project, network: Network, index: int = 0) -> StepMachine:
        t, data = project.training, project.dataset
        stop = min(index + t.batch_length(data.n_samples), data.n_samples)
        return StepMachine(
            network,
            t.loss,
            t.optimizer_settings(),
            data.inputs[index:stop],
            data.targets[index:stop],
            update_biases=t.update_biases,
        )

    # ------------------------------------------------------------------ undoable state
    def capture(self) -> DocState:
        """The whole document state now (for undo)."""
        return DocState(
            self.project,
            self.machine.snapshot(),
            self.sample_index,
            tuple(sorted(self.losses.items())),
            self.last_update,
            tuple(self.last_records),
            self.initial_network,
        )

    def _restore(self, state: DocState) -> None:
        """Put a whole state back (undo, redo); keeps the file name and the runs."""
        what = _diff(self._state, state)
        if what & Change.SHAPE:
            what |= Change.RUNS  # runs fit again, or no longer
        with self._changing(what):
            old = self.project
            self.project = replace(state.project, path=old.path, name=old.name)
            machine = self._new_machine(state.project, state.machine.network.copy())
            machine.restore(state.machine)
            self.machine = machine
            self.sample_index = state.sample_index
            self.losses = dict(state.losses)
            self.last_update = state.last_update
            self.last_records = list(state.last_records)
            self.initial_network = state.initial_network
            self._state = state

    def _push(self, text: str, before: DocState) -> Change:
        """Push the change from ``before`` to now as one undo step; what changed."""
        after = self.capture()
        what = _diff(before, after)
        if what:
            self.undo_stack.push(DocCommand(self, text, before, after))
        self._state = after
        return what

    @contextmanager
    def _action(self, text: str, extra: Change = NOTHING) -> Iterator[None]:
        """One undoable action: change, push (nothing when the block raises or changes
        nothing), one notification naming what the states differ in (and ``extra``).

        The state before is the one the last action left (kept, not captured again)."""
        with self._changing():
            before = self._state
            yield
            what = self._push(text, before)
            if what:
                self._pending |= what | extra

    def undo(self) -> bool:
        """Undo the last action (refused while a run goes)."""
        if self._refuse_if_busy() or not self.undo_stack.canUndo():
            return False
        with self._changing():
            self.undo_stack.undo()
        return True

    def redo(self) -> bool:
        """Redo the next action (refused while a run goes)."""
        if self._refuse_if_busy() or not self.undo_stack.canRedo():
            return False
        with self._changing():
            self.undo_stack.redo()
        return True

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

    def _load_batch(self) -> None:
        lo, hi = self.batch_rows()
        self.machine.set_batch(
            self.project.dataset.inputs[lo:hi], self.project.dataset.targets[lo:hi]
        )
        self.last_records = []

    def select_sample(self, index: int) -> bool:
        """Step from sample ``index`` (the batch starts there); results become stale."""
        if self._refuse_if_busy():
            return False
        if not 0 <= index < self.n_samples:
            self.messageIssued.emit(f"sample {index + 1} does not exist (1 to {self.n_samples})")
            return False
        if index == self.sample_index:
            return True
        with self._action(f"Select sample {index + 1}"):
            self.sample_index = index
            self._load_batch()
        return True

    def _advance_batch(self) -> None:
        """After an update: the next iteration starts at the next batch (results stale)."""
        lo, hi = self.batch_rows()
        nxt = hi % self.n_samples
        if nxt != lo:  # one sample, or the full batch: the next iteration uses the same rows
            self.sample_index = nxt
            lo, hi = self.batch_rows()
            data = self.project.dataset
            self.machine.set_batch(data.inputs[lo:hi], data.targets[lo:hi])

    def set_sample_value(self, which: str, row: int, col: int, text: str | float) -> bool:
        """Edit an input (``which='input'``) or target of the data set, undoably.

        The data set is replaced, never changed in place: runs keep the data they used."""
        if self._refuse_if_busy():
            return False
        value = self._parse(text)
        if value is None:
            self.messageIssued.emit(f"{text!r} is not a finite number; the sample keeps its value")
            return False
        data = self.project.dataset
        array = data.inputs if which == "input" else data.targets
        if float(array[row, col]) == value:
            return True
        edited = array.copy()
        edited[row, col] = value
        dataset = replace(data, **{"inputs" if which == "input" else "targets": edited})
        spec = self.project.data_spec
        if not {"inputs", "targets"} <= spec.keys() or len(spec) > 2:
            self.messageIssued.emit(
                "the edited samples are kept in the project file from now on (they no "
                "longer come from the preset or file they were read from)"
            )
        inline: dict[str, Any] = {
            "inputs": dataset.inputs.tolist(),
            "targets": dataset.targets.tolist(),
        }
        if dataset.image_shape is not None:  # still a picture, row by row
            inline["image_shape"] = list(dataset.image_shape)
        with self._action(f"Edit {which} {col + 1} of sample {row + 1}"):
            self.project = replace(self.project, dataset=dataset, data_spec=inline)
            self._load_batch()
        return True

    # ------------------------------------------------------------------ parameters
    @staticmethod
    def _parse(text: str | float) -> float | None:
        try:
            value = float(text)
        except (TypeError, ValueError):
            return None
        return value if np.isfinite(value) else None

    def parameter_label(self, kind: str, layer: int, row: int, col: int) -> str:
        """``w(x₁→h₁)`` or ``b(h₂)``."""
        n = self.network.n_layers
        return bias_label(layer, col, n) if kind == "b" else weight_label(layer, row, col, n)

    def set_parameter(self, kind: str, layer: int, row: int, col: int, text: str | float) -> bool:
        """Set a weight (``kind='w'``) or bias from user input; False (and a message, the old
        value kept) when the text is not a finite number."""
        if self._refuse_if_busy():
            return False
        value = self._parse(text)
        name = self.parameter_label(kind, layer, row, col)
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
        with self._action(f"Edit {name}"):
            self.machine.set_parameter(kind, layer, row, col, value)
            self.last_records = []
        return True

    def set_block(
        self, kind: str, layer: int, top: int, left: int, values: list[list[str]]
    ) -> bool:
        """Paste a block of cells (a spreadsheet's tab-separated text) as one undo step.

        Every cell must be a finite number inside the matrix, or nothing changes."""
        if self._refuse_if_busy():
            return False
        target = self.network.weights[layer - 1] if kind == "w" else None
        rows, cols = target.shape if target is not None else (1, self.network.layer_sizes[layer])
        if kind == "b" and self.network.biases[layer - 1] is None:
            self.messageIssued.emit(f"paste refused: layer {layer} has no bias")
            return False
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
        with self._action(f"Paste into layer {layer}"):
            for r, row in enumerate(parsed):
                for c, v in enumerate(row):
                    self.machine.set_parameter(kind, layer, top + r, left + c, v)
            self.last_records = []
        return True

    def reset(self) -> bool:
        """Back to the weights the project started with (undoable)."""
        if self._refuse_if_busy():
            return False
        with self._action("Reset weights"):
            self.machine.network.assign(self.initial_network)
            self.machine.invalidate()
            self.last_update = None
            self.last_records = []
        return True

    # ------------------------------------------------------------------ shape and data
    def replace_project(self, project: Project, text: str) -> bool:
        """Install a project of another shape (network or data) as one undo step; the
        parameters that still fit were kept by the caller.  Runs that no longer fit stay,
        faded, and refuse to be restored."""
        if self._refuse_if_busy():
            return False
        with self._action(text, Change.RUNS):  # runs may no longer fit
            dataset = project.dataset
            index = min(self.sample_index, dataset.n_samples - 1)
            self.machine = self._new_machine(project, project.network.copy(), index)
            self.project = project
            self.sample_index = index
            self.losses = {}
            self.last_update = None
            self.last_records = []
            self.initial_network = project.network.copy()
        return True

    def set_network_shape(
        self, sizes, activations, biases, *, init: str = "glorot", seed: int = 0
    ) -> bool:
        """Add or remove layers, resize them, change activations or biases (undoably);
        weights are kept where the shapes still fit."""
        from bpviewer.core.engine.losses import get_loss, losses_for
        from bpviewer.core.engine.network_edit import reshape_network

        if self._refuse_if_busy():
            return False
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
        return self.replace_project(
            replace(self.project, network=network, training=training), "Change the network"
        )

    def data_base_dir(self) -> Path:
        """The folder a data spec's relative CSV path is read from (the project's)."""
        return self.project.path.parent if self.project.path else Path.cwd()

    def begin_loading(self, what: str) -> bool:
        """A data set is about to be read off the GUI thread (``what`` names it): the
        document is busy, so nothing changes under the reader, until :meth:`end_loading`.
        False, with a message, when a run or another read is going."""
        if self._refuse_if_busy():
            return False
        with self._changing(Change.BUSY):
            self.busy = True
            self.loading = what
        return True

    def end_loading(
        self,
        spec: dict | None = None,
        dataset: Dataset | None = None,
        base_dir: Path | None = None,
        text: str = "New data",
    ) -> bool:
        """The background read ended: the document is free again and, when ``dataset``
        (read from ``spec``) is given, it becomes the document's data as one undo step (see
        :meth:`set_data`); one notification in all.  Without a dataset (cancelled, or
        the file refused) the current data stay; returns whether data were applied."""
        if self.loading is None:
            return False
        with self._changing(Change.BUSY):
            self.busy = False
            self.loading = None
            if spec is None or dataset is None:
                return False
            return self.set_data(spec, base_dir, text, dataset=dataset)

    def set_data(
        self,
        spec: dict,
        base_dir: Path | None = None,
        text: str = "New data",
        *,
        dataset: Dataset | None = None,
    ) -> bool:
        """Use a new data set (a preset, a CSV file, derived features); the network's input
        and output layers follow its widths.  A set that cannot be read is refused with a
        message and the current data stay.

        ``dataset``, when given, is ``spec``'s data already built (read in the background
        by :class:`~bpviewer.gui.data_loader.DataLoader`): it is used as it is."""
        from bpviewer.core.data.datasets import build_dataset
        from bpviewer.core.engine.losses import get_loss, losses_for
        from bpviewer.core.engine.network_edit import output_for_data, reshape_network
        from bpviewer.core.errors import BpviewerError

        if self._refuse_if_busy():
            return False
        if dataset is None:
            try:
                dataset = build_dataset(spec, base_dir or self.data_base_dir())
            except (BpviewerError, OSError) as exc:
                self.messageIssued.emit(f"{exc}; the current data stay")
                return False
        net = self.machine.network
        sizes = list(net.layer_sizes)
        sizes[0], sizes[-1] = dataset.inputs.shape[1], dataset.targets.shape[1]
        acts, note = output_for_data(net.activations, sizes[-1], dataset.class_labels)
        network = reshape_network(net, sizes, acts, [b is not None for b in net.biases])
        training = self.project.training
        if not get_loss(training.loss).allows(acts[-1]):
            preferred = "binary_cross_entropy" if note else losses_for(acts[-1])[0]
            training = replace(training, loss=preferred)
        if note:
            self.messageIssued.emit(note)
        return self.replace_project(
            replace(
                self.project,
                network=network,
                training=training,
                data_spec=dict(spec),
                dataset=dataset,
            ),
            text,
        )

    # ------------------------------------------------------------------ settings
    def set_training(self, **changes: Any) -> bool:
        """Change training settings (learning rate, …) undoably; the weights never reset."""
        from bpviewer.core.engine.losses import get_loss

        if self._refuse_if_busy():
            return False
        before = self.project.training
        try:
            after = before.changed(**changes)  # every value checked there
            get_loss(after.loss).check_pairing(self.machine.network.activations[-1])
        except (TypeError, ValueError) as exc:
            self.messageIssued.emit(str(exc))
            return False
        if after == before:
            return True
        text = ", ".join(
            f"{SETTING_LABELS.get(k, k)} = {fmt(v) if isinstance(v, float) else v}"
            for k, v in changes.items()
        )
        with self._action(f"Set {text}"):
            self._set_training(after)
        return True

    def _set_training(self, settings: TrainingSettings) -> None:
        """New settings on the current parameters: the optimiser state is kept when the
        optimiser stays (its step count and slots), else it starts afresh."""
        machine = self.machine
        same_optimizer = settings.optimizer == self.project.training.optimizer
        self.project = replace(self.project, training=settings)
        fresh = self._new_machine(self.project, machine.network.copy(), self.sample_index)
        fresh.iteration = machine.iteration
        fresh.results.update({k: v for k, v in machine.results.items() if k != "a0"})
        if same_optimizer:
            fresh.optimizer_state = machine.optimizer_state.copy()
        self.machine = fresh
        # mid-iteration (say after Backward), the sub-steps run so far run again with the
        # new settings: the step goes on where it was, its ΔW as the new η makes it
        if 0 < machine.position < len(machine.sub_steps):
            shown = len(self.last_records)
            with np.errstate(all="ignore"):
                records = [fresh.step() for _ in range(machine.position)]
            self.last_records = records[-shown:] if shown else []
        else:
            self.last_records = []

    # ------------------------------------------------------------------ training runs
    def begin_run(
        self,
        *,
        settings: TrainingSettings | None = None,
        track: list[tuple[int, str]] | None = None,
    ) -> Run | None:
        """Start a run from the current network and optimiser state (the document is
        busy until :meth:`end_run`); None, with a message, when one is going."""
        if self._refuse_if_busy():
            return None
        from bpviewer.core.training.trainer import Trainer

        settings = settings or self.project.training
        machine = self.machine
        try:
            trainer = Trainer(
                machine.network,
                settings,
                self.project.dataset,
                optimizer_state=machine.optimizer_state.copy(),
                start_iteration=machine.iteration,
                record_gradient_norms=True,
            )
        except ValueError as exc:
            self.messageIssued.emit(f"cannot train: {exc}")
            return None
        previous = self.runs[-1].settings if self.runs else None
        run = Run(
            (self.runs[-1].number + 1) if self.runs else 1,
            trainer,
            machine.iteration,
            settings,
            machine.network.copy(),
            self.project.dataset,
            describe_change(previous, settings),
            tracked_labels=[label for _, label in track or []],
        )
        with self._changing(Change.RUNS | Change.BUSY | Change.STEP):
            self._run_before = self._state
            self.runs.append(run)
            del self.runs[:-MAX_RUNS]
            self.current_run = run
            self.busy = True
        return run

    def add_chunk(self, run: Run, chunk: Chunk) -> None:
        """A running run's chunk: kept on the run; views draw what is new."""
        if run is not self.current_run:
            return
        run.chunks.append(chunk)
        if chunk.params is not None:
            run.latest_params = chunk.params
        with self._changing(Change.PROGRESS):
            pass

    def end_run(self, run: Run, result: RunResult | None) -> None:
        """The run ended (done, target, watchpoint, stopped, or failed when ``result`` is
        None): its final parameters become the document's, as one undo step."""
        if run is not self.current_run:
            return
        if result is None:  # the worker failed: keep what the trainer reached
            from bpviewer.core.training.training_run import RunResult

            trainer = run.trainer
            result = RunResult(
                trainer,
                trainer.network,
                trainer.optimizer_state,
                trainer.iteration - run.start,
                "failed",
            )
        run.result = result
        run.latest_params = None
        iteration = run.start + result.iterations
        if result.trip is not None and result.trip.restored_iteration is not None:
            iteration = result.trip.restored_iteration
        before = self._run_before or self._state
        with self._changing(Change.RUNS | Change.BUSY):
            self.busy = False
            self.current_run = None
            self._run_before = None
            self._install_parameters(result.network, result.optimizer_state, iteration, run)
            self._pending |= self._push(f"Train {result.iterations:,} iterations", before)

    def _install_parameters(
        self, network: Network, optimizer_state, iteration: int, run: Run
    ) -> None:
        """The parameters and optimiser state of ``iteration`` of ``run``, at the batch that
        iteration used (so Forward computes the loss the curve shows there)."""
        m = self.machine
        m.network.assign(network)
        m.optimizer_state = optimizer_state.copy()
        rows = run.trainer.batch_rows(iteration)
        if isinstance(rows, slice) and run.dataset is self.project.dataset:
            self.sample_index = rows.start
            lo, hi = self.batch_rows()
            m.set_batch(self.project.dataset.inputs[lo:hi], self.project.dataset.targets[lo:hi])
        m.invalidate()
        m.iteration = iteration
        self.last_update = None
        self.last_records = []

    def train(
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
        """Run a whole training run here and now (no thread): for scripts and tests.

        Give ``iterations``, ``epochs`` or ``target_loss`` (or a watch that trips), or the
        run never ends.  The run's end is one undo step, as in the window."""
        from bpviewer.core.training.training_run import Watch, training_run

        run = self.begin_run(settings=settings, track=track)
        if run is None:
            return None
        generator = training_run(
            run.trainer,
            iterations=iterations,
            epochs=epochs,
            target_loss=target_loss,
            watch=watch or Watch(),
            snapshot_params=snapshot_params,
            track=[i for i, _ in track or []],
            pause=0.0,
        )
        result = None
        try:
            while True:
                self.add_chunk(run, next(generator))
        except StopIteration as stop:
            result = stop.value
        finally:
            self.end_run(run, result)
        return run

    def run_fits(self, run: Run) -> bool:
        """Whether ``run`` belongs to this document and fits the current network."""
        return any(r is run for r in self.runs) and run.fits(self.network)

    def rewind(self, run: Run, iteration: int) -> bool:
        """Put back the parameters and optimiser state of ``iteration`` of ``run`` (before
        its update), replayed on the data that run used, as one undo step.  When the run's
        optimiser is not the current one, its settings come back too (an optimiser state
        means nothing to another optimiser).  Refused, with a message, while a run goes,
        for a run of another document and for one that no longer fits the network."""
        if self._refuse_if_busy():
            return False
        if not any(r is run for r in self.runs):
            self.messageIssued.emit("that run belongs to another project; nothing restored")
            return False
        if not run.fits(self.network):
            self.messageIssued.emit(
                f"run {run.number} trained a network of another shape "
                f"({'-'.join(map(str, run.template.layer_sizes))}); nothing restored"
            )
            return False
        try:
            network, state = run.trainer.restore(iteration)
        except (ValueError, KeyError) as exc:
            self.messageIssued.emit(str(exc))
            return False
        with self._action(f"Rewind to iteration {iteration}"):
            if run.settings.optimizer != self.project.training.optimizer:
                self._set_training(run.settings)
                self.messageIssued.emit(
                    f"the settings of run {run.number} came back with its optimiser "
                    f"({run.settings.optimizer})"
                )
            self._install_parameters(network, state, iteration, run)
        return True

    def clear_runs(self) -> None:
        """Forget every run but the running or newest one that fits."""
        keep = self.current_run or next(
            (r for r in reversed(self.runs) if r.fits(self.network)), None
        )
        with self._changing(Change.RUNS):
            self.runs = [keep] if keep is not None else []

    # ------------------------------------------------------------------ engine questions
    def gradient_check(
        self, progress: Callable[[int, int], None] | None = None, max_parameters: int = 400
    ):
        """Analytic against central-difference gradients on the current batch."""
        from bpviewer.core.engine.gradcheck import gradient_check

        lo, hi = self.batch_rows()
        data = self.project.dataset
        return gradient_check(
            self.network,
            self.project.training.loss,
            data.inputs[lo:hi],
            data.targets[lo:hi],
            progress=progress,
            max_parameters=max_parameters,
        )

    def live_network(self) -> Network | None:
        """The running run's newest parameters (for live views), or None."""
        run = self.current_run
        return run.live_network() if run is not None else None

    # ------------------------------------------------------------------ stepping
    def can_run(self, phase: str) -> bool:
        """Whether a phase may run now (never while training)."""
        return not self.busy and self.machine.can_run(phase)

    def why_not(self, phase: str) -> str:
        """Why a phase cannot run now."""
        if self.busy:
            return "training is running" if self.loading is None else "a data set is being read"
        return self.machine.why_not(phase)

    def run_phase(self, phase: str) -> list[StepRecord]:
        """Run (the rest of) a phase: forward, backward or update."""
        if not self.can_run(phase):
            self.messageIssued.emit(self.why_not(phase))
            return []
        text = {"forward": "Forward", "backward": "Backward", "update": "Apply update"}[phase]
        return self._run(text, lambda: self.machine.run_phase(phase))

    def step(self) -> list[StepRecord]:
        """Run the next sub-step."""
        if self._refuse_if_busy():
            return []
        m = self.machine
        nxt = m.sub_steps[0] if m.iteration_done else m.next_sub_step
        return self._run(f"Step: {nxt.describe(m.n_layers)}", lambda: [m.step()])

    def run_phase_rest(self) -> list[StepRecord]:
        """Run the rest of the phase the next sub-step belongs to (Shift+F10)."""
        phase = "forward" if self.machine.iteration_done else self.machine.next_sub_step.phase
        return self.run_phase(phase)

    def iterate(self) -> list[StepRecord]:
        """Forward, backward and update (the rest of the iteration), then the next sample."""
        if self._refuse_if_busy():
            return []
        return self._run("Iterate", self.machine.run_iteration)

    def _run(self, text: str, work: Callable[[], list[StepRecord]]) -> list[StepRecord]:
        records: list[StepRecord] = []
        with self._action(text):
            try:
                records = work()
            except StepError as exc:
                self.messageIssued.emit(str(exc))
                return []
            for record in records:
                if record.sub_step.kind == "loss":
                    self.losses[record.iteration] = float(record.values["loss"])
                if record.sub_step.kind == "update":  # with its batch (the next one loads below)
                    m = self.machine
                    batch = {"inputs": m.inputs, "targets": m.targets, "loss_name": m.loss.name}
                    self.last_update = replace(record, values={**record.values, **batch})
            self.last_records = records
            if any(r.sub_step.kind == "update" for r in records):
                self._advance_batch()
        return records

    # ------------------------------------------------------------------ status
    def status_text(self) -> str:
        """``forward: layer 2 of 2 done · iteration 12 · sample 3 of 4 · E = 0.0213``."""
        lo, hi = self.batch_rows()
        n = self.n_samples
        sample = (
            f"sample {lo + 1:,} of {n:,}" if hi - lo == 1 else f"samples {lo + 1:,}–{hi:,} of {n:,}"
        )
        state = self.machine.status()
        if (
            state == "ready"
            and self.last_records
            and self.last_records[-1].sub_step.kind == "update"
        ):
            state = "update done"
        if self.busy:
            state = "training" if self.loading is None else "reading data"
        parts = [state, f"iteration {self.machine.iteration}", sample]
        loss = self.machine.results.get("loss")
        if loss is not None:
            stale = "" if "loss" in self.machine.fresh else " (stale)"
            parts.append(f"E = {fmt(loss)}{stale}")
        return " · ".join(parts)


def _diff(a: DocState, b: DocState) -> Change:
    """What differs between two document states (NOTHING: the same state)."""
    ma, mb = a.machine, b.machine
    what = NOTHING
    if not ma.network.same_shape(mb.network):
        what |= Change.SHAPE | Change.PARAMETERS
    elif not ma.network.same_as(mb.network) or a.initial_network is not b.initial_network:
        what |= Change.PARAMETERS
    if (
        ma.position != mb.position
        or ma.iteration != mb.iteration
        or ma.fresh != mb.fresh
        or ma.results.keys() != mb.results.keys()
        or any(ma.results[k] is not mb.results[k] for k in ma.results)
        or a.last_update is not b.last_update
        or len(a.last_records) != len(b.last_records)
        or any(x is not y for x, y in zip(a.last_records, b.last_records, strict=False))
        or not _same_optimizer_state(ma.optimizer_state, mb.optimizer_state)
    ):
        what |= Change.STEP
    if a.project is not b.project and (
        a.project.dataset is not b.project.dataset
        or (
            a.project.data_spec is not b.project.data_spec
            and a.project.data_spec != b.project.data_spec  # (inline data can be long)
        )
    ):
        what |= Change.DATA
    if a.sample_index != b.sample_index or ma.inputs is not mb.inputs:
        what |= Change.SAMPLE
    if a.project.training != b.project.training:
        what |= Change.SETTINGS
    if a.losses != b.losses:
        what |= Change.LOSSES
    return what


def _same_optimizer_state(a, b) -> bool:
    if a.t != b.t or len(a.slots) != len(b.slots):
        return False
    return all(
        len(x) == len(y)
        and all(np.array_equal(p, q, equal_nan=True) for p, q in zip(x, y, strict=True))
        for x, y in zip(a.slots, b.slots, strict=True)
    )


def _undo_limit(network: Network) -> int:
    """Undo steps to keep for a network of this size: each holds a copy of the network
    and step records with a few more (about 8 arrays of its size), within UNDO_BUDGET."""
    size = 8 * 8 * sum(p.size for p in network.parameters())
    return int(min(1000, max(50, UNDO_BUDGET // max(size, 1))))
