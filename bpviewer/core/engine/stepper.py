"""The step machine: one backpropagation iteration taken one sub-step at a time.

An iteration on a network with L layers is the sequence of sub-steps

    forward 1 … forward L, loss, backward L … backward 1, update

grouped into three phases: Forward (the forward sub-steps and the loss), Backward, Update.
Each sub-step returns a :class:`StepRecord` holding copies of what it used and computed;
:func:`bpviewer.core.engine.formulas.explain` turns a record into per-unit formulas.

Rules: Backward before Forward is refused; Backward cannot run twice (nothing accumulates);
an update applies once; changing a parameter, input or target marks every result stale
and sends the machine back to the start of the iteration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from bpviewer.core.engine import backprop
from bpviewer.core.engine.activations import QUIET, get_activation
from bpviewer.core.engine.losses import get_loss
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.optimizers import Optimizer, OptimizerSettings, OptimizerState
from bpviewer.core.errors import StepError

PHASES = ("forward", "backward", "update")


class SubStep(NamedTuple):
    """One sub-step: ``kind`` is forward, loss, backward or update; ``layer`` is 1-based
    (0 for loss and update)."""

    kind: str
    layer: int

    @property
    def phase(self) -> str:
        """The phase this sub-step belongs to (the loss is part of Forward)."""
        return "forward" if self.kind == "loss" else self.kind

    def describe(self, n_layers: int) -> str:
        """``forward: layer 2 of 2`` and the like."""
        if self.kind in ("loss", "update"):
            return self.kind
        return f"{self.kind}: layer {self.layer} of {n_layers}"


def sub_steps(n_layers: int) -> list[SubStep]:
    """The sub-steps of one iteration on a network with ``n_layers`` weight layers."""
    return [
        *(SubStep("forward", l) for l in range(1, n_layers + 1)),
        SubStep("loss", 0),
        *(SubStep("backward", l) for l in range(n_layers, 0, -1)),
        SubStep("update", 0),
    ]


def make_optimizer(network: Network, settings: OptimizerSettings, update_biases: bool) -> Optimizer:
    """An optimiser over ``network``'s flat parameters: weights decay, biases may be frozen."""
    layout = network.parameter_layout()
    return Optimizer(
        settings,
        decays=[kind == "w" for kind, _ in layout],
        frozen=[kind == "b" and not update_biases for kind, _ in layout],
    )


@dataclass(frozen=True)
class StepRecord:
    """What one sub-step used and computed (copies; later changes never alter a record).

    ``values`` maps names to arrays; which names depends on the kind (see :meth:`StepMachine.step`).
    """

    sub_step: SubStep
    iteration: int
    n_layers: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MachineSnapshot:
    """A step machine's complete state (see :meth:`StepMachine.snapshot`).

    Result arrays are never modified in place by the machine, so they are shared, not copied.
    """

    network: Network
    position: int
    iteration: int
    results: dict[str, Any]
    fresh: frozenset[str]
    pending_slots: dict[int, tuple[np.ndarray, ...]]
    optimizer_state: OptimizerState
    inputs: np.ndarray
    targets: np.ndarray


class StepMachine:
    """Runs backpropagation on ``network`` for one batch, sub-step by sub-step.

    ``inputs`` (B, n_0) and ``targets`` (B, n_L) are the current batch.  The network is
    changed in place by Update.  ``results`` maps ``z1``, ``a1``, ``delta2``, ``grad_w1``,
    ``grad_b1``, ``delta_w1``, ``delta_b1``, ``error``, ``loss``, ``per_sample_loss`` (and
    ``a0``, the inputs) to their latest values; ``fresh`` names those computed in this
    iteration from the current parameters, the rest are stale.
    """

    def __init__(
        self,
        network: Network,
        loss: str,
        settings: OptimizerSettings,
        inputs: np.ndarray,
        targets: np.ndarray,
        *,
        update_biases: bool = True,
        optimizer_state: OptimizerState | None = None,
    ) -> None:
        self.network = network
        self.loss = get_loss(loss)
        self.loss.check_pairing(network.activations[-1])
        self.settings = settings
        self.update_biases = update_biases
        self.optimizer = make_optimizer(network, settings, update_biases)
        self.optimizer_state = optimizer_state or self.optimizer.initial_state(network.parameters())
        self.sub_steps = sub_steps(network.n_layers)
        self.position = 0
        self.iteration = 0
        self.results: dict[str, Any] = {}
        self.fresh: set[str] = set()
        self._pending_slots: dict[int, tuple[np.ndarray, ...]] = {}
        self.set_batch(inputs, targets)

    # ------------------------------------------------------------------ state
    @property
    def n_layers(self) -> int:
        """Weight layers of the network."""
        return self.network.n_layers

    @property
    def next_sub_step(self) -> SubStep:
        """The sub-step :meth:`step` will run (a finished iteration wraps to forward 1)."""
        return self.sub_steps[self.position % len(self.sub_steps)]

    @property
    def last_sub_step(self) -> SubStep | None:
        """The sub-step just completed in this iteration, or None at its start."""
        return self.sub_steps[self.position - 1] if self.position else None

    @property
    def iteration_done(self) -> bool:
        """Whether the update of this iteration has been applied."""
        return self.position == len(self.sub_steps)

    def can_run(self, phase: str) -> bool:
        """Whether ``phase`` (forward, backward, update) may run now."""
        if phase == "forward":
            return self.iteration_done or self.next_sub_step.phase == "forward"
        return not self.iteration_done and self.next_sub_step.phase == phase

    def why_not(self, phase: str) -> str:
        """Why ``phase`` cannot run now (empty when it can)."""
        if self.can_run(phase):
            return ""
        if phase == "backward":
            if self.next_sub_step.phase == "forward":
                return "Backward needs a complete Forward pass first"
            return "Backward has already run for this iteration; apply the update next"
        if phase == "update":
            if self.iteration_done:
                return "the update of this iteration has already been applied"
            if self.next_sub_step.phase == "forward":
                return "Update needs Forward and Backward first"
            return "Update needs the whole Backward pass first"
        return "Forward has already run; continue with Backward"

    def status(self) -> str:
        """Where the machine stands, e.g. ``forward: layer 2 of 2 done``."""
        last = self.last_sub_step
        if last is None:
            return "ready"
        return f"{last.describe(self.n_layers)} done"

    def snapshot(self) -> MachineSnapshot:
        """Everything needed to put the machine (and its network) back exactly as it is."""
        return MachineSnapshot(
            self.network.copy(),
            self.position,
            self.iteration,
            dict(self.results),
            frozenset(self.fresh),
            dict(self._pending_slots),
            self.optimizer_state.copy(),
            self.inputs,  # never changed in place (set_batch replaces them): shared
            self.targets,
        )

    def restore(self, snap: MachineSnapshot) -> None:
        """Return to a :meth:`snapshot` (parameters copied into the network in place)."""
        self.network.assign(snap.network)
        self.position, self.iteration = snap.position, snap.iteration
        self.results = dict(snap.results)
        self.fresh = set(snap.fresh)
        self._pending_slots = dict(snap.pending_slots)
        self.optimizer_state = snap.optimizer_state.copy()
        self.inputs, self.targets = snap.inputs, snap.targets

    # ------------------------------------------------------------------ inputs
    def set_batch(self, inputs: np.ndarray, targets: np.ndarray) -> None:
        """Use a new batch: ``inputs`` (B, n_0), ``targets`` (B, n_L); marks results stale."""
        x = np.atleast_2d(np.asarray(inputs, dtype=np.float64))
        t = np.atleast_2d(np.asarray(targets, dtype=np.float64))
        sizes = self.network.layer_sizes
        if x.ndim != 2 or x.shape[1] != sizes[0]:
            raise StepError(f"inputs have {x.shape[-1]} columns, the network expects {sizes[0]}")
        if t.shape != (x.shape[0], sizes[-1]):
            raise StepError(f"targets have shape {t.shape}, expected ({x.shape[0]}, {sizes[-1]})")
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(t))):
            raise StepError("inputs and targets must be finite numbers")
        self.inputs = x
        self.targets = t
        self.invalidate()

    def invalidate(self) -> None:
        """Mark every result stale and go back to the start of the iteration.

        Call after changing a parameter of ``network`` in place.
        """
        self.fresh.clear()
        self._pending_slots.clear()
        self.position = 0
        self.results["a0"] = self.inputs

    def set_parameter(self, kind: str, layer: int, row: int, col: int, value: float) -> None:
        """Set weight (``kind='w'``, row, col) or bias (``kind='b'``, col) of ``layer``."""
        value = float(value)
        if not np.isfinite(value):
            raise StepError(f"{value!r} is not a finite number")
        if kind == "w":
            self.network.weights[layer - 1][row, col] = value
        else:
            bias = self.network.biases[layer - 1]
            if bias is None:
                raise StepError(f"layer {layer} has no bias")
            bias[col] = value
        self.invalidate()

    # ------------------------------------------------------------------ running
    def step(self) -> StepRecord:
        """Run the next sub-step and return its record."""
        if self.iteration_done:
            self.position = 0
        if self.position == 0:
            self.fresh.clear()
            self._pending_slots.clear()
        sub_step = self.sub_steps[self.position]
        with np.errstate(**QUIET):
            values = getattr(self, f"_run_{sub_step.kind}")(sub_step.layer)
        self.position += 1
        return StepRecord(sub_step, self.iteration, self.n_layers, values)

    def run_phase(self, phase: str) -> list[StepRecord]:
        """Run the rest of ``phase`` (forward, backward or update); refuse if not allowed."""
        if phase not in PHASES:
            raise StepError(f"unknown phase {phase!r}")
        if not self.can_run(phase):
            raise StepError(self.why_not(phase))
        records = [self.step()]
        while not self.iteration_done and self.next_sub_step.phase == phase:
            records.append(self.step())
        return records

    def run_iteration(self) -> list[StepRecord]:
        """Run every remaining sub-step of the iteration (a whole one from its start)."""
        records = [self.step()]
        while not self.iteration_done:
            records.append(self.step())
        return records

    # ------------------------------------------------------------------ sub-steps
    def _store(self, **values: Any) -> None:
        self.results.update(values)
        self.fresh.update(values)

    def _run_forward(self, l: int) -> dict[str, Any]:
        net = self.network
        act = get_activation(net.activations[l - 1])
        a_prev = self.inputs if l == 1 else self.results[f"a{l - 1}"]
        w, b = net.weights[l - 1], net.biases[l - 1]
        z, a = backprop.forward_layer(a_prev, w, b, act)
        self._store(**{f"z{l}": z, f"a{l}": a})
        return {
            "a_prev": a_prev,
            "w": w.copy(),
            "b": None if b is None else b.copy(),
            "z": z,
            "a": a,
            "activation": act.name,
        }

    def _run_loss(self, _: int) -> dict[str, Any]:
        L = self.n_layers
        z, y, t = self.results[f"z{L}"], self.results[f"a{L}"], self.targets
        per_sample, loss = backprop.batch_loss(self.loss, z, y, t)
        error = t - y
        self._store(error=error, per_sample_loss=per_sample, loss=loss)
        return {
            "z": z,
            "y": y,
            "t": t,
            "error": error,
            "per_sample_loss": per_sample,
            "loss": loss,
            "loss_name": self.loss.name,
            "activation": self.network.activations[-1],
        }

    def _run_backward(self, l: int) -> dict[str, Any]:
        net, L = self.network, self.n_layers
        act = get_activation(net.activations[l - 1])
        z, a = self.results[f"z{l}"], self.results[f"a{l}"]
        values: dict[str, Any] = {"z": z, "a": a, "activation": act.name}
        if l == L:
            delta = backprop.output_error_term(self.loss, act, z, a, self.targets)
            values.update(t=self.targets, loss_name=self.loss.name)
        else:
            delta_next, w_next = self.results[f"delta{l + 1}"], net.weights[l]
            delta = backprop.hidden_error_term(delta_next, w_next, act, z, a)
            values.update(delta_next=delta_next, w_next=w_next.copy())
        a_prev = self.inputs if l == 1 else self.results[f"a{l - 1}"]
        share = backprop.batch_share(delta)
        grad_w = backprop.weight_gradient(a_prev, share)
        w, b = net.weights[l - 1], net.biases[l - 1]
        layout = net.parameter_layout()
        i_w = layout.index(("w", l))
        delta_w, slot_w = self.optimizer.delta(i_w, grad_w, w, self.optimizer_state)
        self._pending_slots[i_w] = slot_w
        grad_b = delta_b = None
        if b is not None:
            i_b = layout.index(("b", l))
            grad_b = backprop.bias_gradient(share)
            delta_b, slot_b = self.optimizer.delta(i_b, grad_b, b, self.optimizer_state)
            self._pending_slots[i_b] = slot_b
            values.update(old_slot_b=self.optimizer_state.slots[i_b], new_slot_b=slot_b)
        self._store(
            **{
                f"delta{l}": delta,
                f"grad_w{l}": grad_w,
                f"grad_b{l}": grad_b,
                f"delta_w{l}": delta_w,
                f"delta_b{l}": delta_b,
            }
        )
        values.update(
            delta=delta,
            a_prev=a_prev,
            w=w.copy(),
            b=None if b is None else b.copy(),
            grad_w=grad_w,
            grad_b=grad_b,
            delta_w=delta_w,
            delta_b=delta_b,
            settings=self.settings,
            t_step=self.optimizer_state.t + 1,
            old_slot_w=self.optimizer_state.slots[i_w],
            new_slot_w=slot_w,
            frozen_b=not self.update_biases,
        )
        return values

    def _run_update(self, _: int) -> dict[str, Any]:
        net = self.network
        before_w = [w.copy() for w in net.weights]
        before_b = [None if b is None else b.copy() for b in net.biases]
        for l in range(1, self.n_layers + 1):
            net.weights[l - 1] += self.results[f"delta_w{l}"]
            if net.biases[l - 1] is not None:
                net.biases[l - 1] += self.results[f"delta_b{l}"]
        slots = [self._pending_slots[i] for i in range(len(net.parameter_layout()))]
        self.optimizer_state = Optimizer.commit(self.optimizer_state, slots)
        self._pending_slots.clear()
        self.iteration += 1
        # Forward results now describe the old parameters: they stay on screen, greyed.
        self.fresh.clear()
        return {
            "w_before": before_w,
            "b_before": before_b,
            "delta_w": [self.results[f"delta_w{l}"] for l in range(1, self.n_layers + 1)],
            "delta_b": [self.results[f"delta_b{l}"] for l in range(1, self.n_layers + 1)],
            "w_after": [w.copy() for w in net.weights],
            "b_after": [None if b is None else b.copy() for b in net.biases],
        }
