"""One full traced iteration of a project, as data for ``bpviewer trace`` and exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bpviewer.core.engine.network import Network
from bpviewer.core.engine.stepper import StepMachine, StepRecord
from bpviewer.core.errors import DataError
from bpviewer.core.files.project import Project
from bpviewer.core.training.settings import TrainingSettings


@dataclass
class Trace:
    """A machine after one iteration on the batch starting at ``start``, with its records."""

    machine: StepMachine
    records: list[StepRecord]
    start: int
    loss_after: float


def batch_bounds(project: Project, start: int) -> tuple[int, int]:
    """Rows [start, stop) of the batch that begins at sample ``start``."""
    n = project.dataset.n_samples
    if not 0 <= start < n:
        raise DataError(f"sample {start} is out of range: the data has samples 0 to {n - 1}")
    return start, min(start + project.training.batch_length(n), n)


def trace_iteration(project: Project, start: int = 0) -> Trace:
    """Run forward, backward and update on a copy of the project's network."""
    lo, hi = batch_bounds(project, start)
    x, t = project.dataset.inputs[lo:hi], project.dataset.targets[lo:hi]
    return trace_batch(project.network, project.training, x, t, start)


def trace_batch(
    network: Network, training: TrainingSettings, x: np.ndarray, t: np.ndarray, start: int = 0
) -> Trace:
    """One iteration on a copy of ``network`` for the batch ``x`` (B, n_0), ``t`` (B, n_L)."""
    machine = StepMachine(
        network.copy(),
        training.loss,
        training.optimizer_settings(),
        x,
        t,
        update_biases=training.update_biases,
    )
    records = machine.run_iteration()
    zs, activations = machine.network.forward_pass(machine.inputs)
    loss_after = float(machine.loss.per_sample(zs[-1], activations[-1], machine.targets).mean())
    return Trace(machine, records, start, loss_after)


def _per_unit(a: np.ndarray) -> Any:
    """One sample: a flat list; a batch: a list of rows."""
    return a[0].tolist() if a.shape[0] == 1 else a.tolist()


def trace_dict(trace: Trace) -> dict[str, Any]:
    """The JSON object of ``bpviewer trace --json`` (keys fixed by the command's contract)."""
    r, L = trace.machine.results, trace.machine.n_layers
    layers = range(1, L + 1)
    net = trace.machine.network

    def maybe(a: np.ndarray | None) -> Any:
        return None if a is None else a.tolist()

    return {
        "net_inputs": [_per_unit(r[f"z{l}"]) for l in layers],
        "activations": [_per_unit(r[f"a{l}"]) for l in layers],
        "error_terms": [_per_unit(r[f"delta{l}"]) for l in layers],
        "output": _per_unit(r[f"a{L}"]),
        "error": _per_unit(r["error"]),
        "loss": float(r["loss"]),
        "weight_gradients": [r[f"grad_w{l}"].tolist() for l in layers],
        "bias_gradients": [maybe(r[f"grad_b{l}"]) for l in layers],
        "delta_weights": [r[f"delta_w{l}"].tolist() for l in layers],
        "delta_biases": [maybe(r[f"delta_b{l}"]) for l in layers],
        "weights_after": [w.tolist() for w in net.weights],
        "biases_after": [maybe(b) for b in net.biases],
        "loss_after": trace.loss_after,
    }
