"""Gradient check: the engine's analytic ∂E/∂θ against central finite differences.

The numerical gradient uses the fourth-order central stencil

    (−E(θ+2h) + 8E(θ+h) − 8E(θ−h) + E(θ−2h)) / 12h

in extended precision (x86's 80-bit long double) at h = 1e-4, where truncation and
rounding errors are near 1e-15, so genuine agreement shows
as a relative error far below 1e-6.  A parameter whose perturbation moves some relu or leaky
relu unit across its kink (z changes sign) is flagged: there the loss is not differentiable
and a disagreement is expected, not a bug.  So is a parameter whose gradient flows through a
unit with z so near 0 that float64 and the extended-precision oracle see it on opposite
sides of the kink.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bpviewer.core.engine.activations import QUIET, get_activation
from bpviewer.core.engine.losses import get_loss
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.optimizers import OptimizerSettings
from bpviewer.core.engine.stepper import StepMachine


@dataclass(frozen=True)
class GradCheckEntry:
    """One parameter: ``kind`` w or b, 1-based ``layer``, ``row`` (None for a bias), ``col``."""

    kind: str
    layer: int
    row: int | None
    col: int
    analytic: float
    numerical: float
    relative_error: float
    at_kink: bool


@dataclass(frozen=True)
class GradCheckResult:
    """Every parameter's entry, and the largest relative error away from kinks."""

    entries: list[GradCheckEntry]
    tolerance: float
    total: int = 0  # parameters in the network (more than len(entries) when sampled)

    @property
    def max_relative_error(self) -> float:
        """Largest relative error over parameters not at a kink (0 when there are none)."""
        errs = [e.relative_error for e in self.entries if not e.at_kink]
        return max(errs, default=0.0)

    @property
    def passed(self) -> bool:
        """Whether every parameter away from a kink is within the tolerance."""
        return self.max_relative_error <= self.tolerance

    @property
    def kinks(self) -> list[GradCheckEntry]:
        """Entries whose check straddles a relu kink."""
        return [e for e in self.entries if e.at_kink]


def relative_error(a: float, n: float, scale: float = 1.0) -> float:
    """|a − n| / max(|a|, |n|, 1e-8 · max(1, scale)).

    ``scale`` is the loss's size |E|: the numerical derivative's rounding noise grows with
    it (a few ulps of E over h), so a gradient below 1e-8·|E| is judged by its absolute
    difference against that floor, not relative to its own (tiny) size."""
    return abs(a - n) / max(abs(a), abs(n), 1e-8 * max(1.0, scale))


def _loss_and_signs(
    weights: list[np.ndarray],
    biases: list[np.ndarray | None],
    activations: tuple[str, ...],
    loss_name: str,
    x: np.ndarray,
    t: np.ndarray,
) -> tuple[float, list[np.ndarray]]:
    """Batch loss E and the sign pattern (z > 0) of every kinked layer, in the arrays' dtype."""
    a, signs = x, []
    with np.errstate(**QUIET):
        for w, b, name in zip(weights, biases, activations, strict=True):
            z = a @ w
            if b is not None:
                z = z + b
            if get_activation(name).kinked:
                signs.append(z > 0)
            a = get_activation(name).forward(z)
        return get_loss(loss_name).per_sample(z, a, t).mean(), signs


def _rounding_kinks(
    network: Network, x: np.ndarray, t: np.ndarray, loss: str, precise_signs: list[np.ndarray]
) -> dict[int, set[int]]:
    """Units (layer → unit indices) whose net input is so close to a kink that float64 (the
    engine) and extended precision (the oracle) put it on different sides: there the two
    gradients are of different branches of the loss, neither wrong."""
    _, signs = _loss_and_signs(network.weights, network.biases, network.activations, loss, x, t)
    layers = [l for l, name in enumerate(network.activations, 1) if get_activation(name).kinked]
    out: dict[int, set[int]] = {}
    for l, s64, s_precise in zip(layers, signs, precise_signs, strict=True):
        units = set(np.flatnonzero(np.any(s64 != s_precise, axis=0)).tolist())
        if units:
            out[l] = units
    return out


def _through_kink(kind: str, l: int, index: tuple, kinks: dict[int, set[int]]) -> bool:
    """Whether the gradient of parameter ``index`` of layer ``l`` flows through a unit of
    ``kinks``: every parameter of that layer and the ones before it, and the unit's
    outgoing weights."""
    return any(
        l <= k or (kind == "w" and l == k + 1 and index[0] in units) for k, units in kinks.items()
    )


def gradient_check(
    network: Network,
    loss: str,
    inputs: np.ndarray,
    targets: np.ndarray,
    *,
    h: float | None = None,
    tolerance: float = 1e-5,
    progress: Callable[[int, int], None] | None = None,
    max_parameters: int | None = None,
    seed: int = 0,
) -> GradCheckResult:
    """Check every weight and bias on the batch ``inputs`` (B, n_0), ``targets`` (B, n_L).

    The analytic gradient comes from the step machine's Backward; ``network`` is not changed.
    ``progress(done, total)`` is called after each parameter when given.  With
    ``max_parameters``, a network with more parameters is checked on that many, drawn at
    random from ``seed`` (``GradCheckResult.total`` says how many there were).
    """
    x64 = np.atleast_2d(np.asarray(inputs, dtype=np.float64))
    t64 = np.atleast_2d(np.asarray(targets, dtype=np.float64))
    machine = StepMachine(network.copy(), loss, OptimizerSettings(), x64, t64)
    machine.run_phase("forward")
    machine.run_phase("backward")
    # The oracle runs in extended precision where the platform has it (x86: 80-bit), an
    # independent path from the float64 engine with far smaller rounding error.
    dtype = np.longdouble
    if h is None:
        h = 1e-4 if np.finfo(dtype).eps < np.finfo(np.float64).eps else 1e-3
    weights = [w.astype(dtype) for w in network.weights]
    biases = [None if b is None else b.astype(dtype) for b in network.biases]
    x, t, acts = x64.astype(dtype), t64.astype(dtype), network.activations
    base_loss, base_signs = _loss_and_signs(weights, biases, acts, loss, x, t)
    scale = abs(float(base_loss))
    rounding_kinks = _rounding_kinks(network, x64, t64, loss, base_signs)

    params: list[tuple[str, int, np.ndarray, np.ndarray]] = []
    for l in range(1, network.n_layers + 1):
        params.append(("w", l, weights[l - 1], machine.results[f"grad_w{l}"]))
        if biases[l - 1] is not None:
            params.append(("b", l, biases[l - 1], machine.results[f"grad_b{l}"]))
    cells = [(k, index) for k, (*_, p, _) in enumerate(params) for index in np.ndindex(p.shape)]
    total_parameters = len(cells)
    if max_parameters is not None and total_parameters > max_parameters:
        pick = np.random.default_rng(seed).choice(total_parameters, max_parameters, replace=False)
        cells = [cells[i] for i in np.sort(pick)]
    total = len(cells)
    entries: list[GradCheckEntry] = []
    for k, index in cells:
        kind, l, param, grad = params[k]
        original = param[index]
        values, kink = [], False
        for step in (2.0, 1.0, -1.0, -2.0):
            param[index] = original + dtype(step * h)
            value, signs = _loss_and_signs(weights, biases, acts, loss, x, t)
            values.append(value)
            kink = kink or any(
                not np.array_equal(s, s0) for s, s0 in zip(signs, base_signs, strict=True)
            )
        param[index] = original
        kink = kink or _through_kink(kind, l, index, rounding_kinks)
        numerical = float(
            (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * dtype(h))
        )
        analytic = float(grad[index])
        row, col = (index[0], index[1]) if kind == "w" else (None, index[0])
        entries.append(
            GradCheckEntry(
                kind,
                l,
                row,
                col,
                analytic,
                numerical,
                relative_error(analytic, numerical, scale),
                kink,
            )
        )
        if progress is not None:
            progress(len(entries), total)
    return GradCheckResult(entries, tolerance, total_parameters)
