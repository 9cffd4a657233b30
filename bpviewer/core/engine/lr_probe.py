"""The learning-rate probe: the loss after one update as a function of η, on copies.

For the current batch (inputs (B, n_0), targets (B, K)) and the current parameters W and
optimiser state, :func:`probe` takes each η of a grid and computes

* ``E(η)``: the loss of the batch after one update with learning rate η, applied to a copy
  of the network from a copy of the optimiser state (the configured rule: SGD, momentum or
  Adam, with its weight decay and frozen biases), exactly as the step machine applies it;
* the first-order prediction ``E₀ + ∇E·ΔW(η)``, where ∇E is the gradient of the loss
  (without the weight-decay term: E is the loss the window shows) and ΔW(η) the rule's
  step at η from the current state (for SGD −η∇E; momentum adds μv, Adam divides by
  √v̂ + ε);
* the largest η of the grid whose update lowers E (``E(η) < E₀``), None when none does.

:func:`update_change` compares, for an update just applied, the predicted change ∇E·ΔW
with the actual one E(W + ΔW) − E(W) on the batch the update came from.

Nothing here changes its arguments: every update is applied to copies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from bpviewer.core.engine import backprop
from bpviewer.core.engine.activations import QUIET, get_activation
from bpviewer.core.engine.losses import get_loss
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.optimizers import OptimizerSettings, OptimizerState
from bpviewer.core.engine.stepper import make_optimizer

#: The issue's grid: 60 learning rates, log-spaced from 10⁻⁴ to 10.
ETA_MIN, ETA_MAX, ETA_POINTS = 1e-4, 10.0, 60


def default_etas() -> np.ndarray:
    """The probe's learning rates: (60,), log-spaced from 10⁻⁴ to 10, increasing."""
    return np.logspace(np.log10(ETA_MIN), np.log10(ETA_MAX), ETA_POINTS)


@dataclass(frozen=True)
class ProbeResult:
    """What :func:`probe` found; arrays have one entry per learning rate, shape (P,).

    ``losses`` may hold ∞ or NaN where an update overflows; such η never lower E.
    """

    etas: np.ndarray
    loss_before: float  # E₀ = E(W) on the batch
    losses: np.ndarray  # E(W + ΔW(η))
    predicted: np.ndarray  # E₀ + ∇E·ΔW(η)
    best_eta: float | None  # the largest η with E(η) < E₀, None if none lowers E

    @property
    def lowest(self) -> int | None:
        """The index of the smallest finite E(η) (the first, on ties), None if none is."""
        finite = np.isfinite(self.losses)
        if not finite.any():
            return None
        return int(np.argmin(np.where(finite, self.losses, np.inf)))


@dataclass(frozen=True)
class UpdateChange:
    """An applied update ΔW on a batch: ``predicted`` = ∇E·ΔW, ``actual`` = E_after − E_before."""

    loss_before: float
    loss_after: float
    predicted: float

    @property
    def actual(self) -> float:
        """E(W + ΔW) − E(W)."""
        return self.loss_after - self.loss_before


def loss_of(network: Network, loss: str, inputs: np.ndarray, targets: np.ndarray) -> float:
    """E of the batch (the mean of its samples' losses), computed as the step machine does:
    ``inputs`` (B, n_0), ``targets`` (B, K)."""
    x = np.atleast_2d(np.asarray(inputs, dtype=np.float64))
    t = np.atleast_2d(np.asarray(targets, dtype=np.float64))
    with np.errstate(**QUIET):
        a = x
        for w, b, name in zip(network.weights, network.biases, network.activations, strict=True):
            z, a = backprop.forward_layer(a, w, b, get_activation(name))
        return backprop.batch_loss(get_loss(loss), z, a, t)[1]


def loss_and_gradient(
    network: Network, loss: str, inputs: np.ndarray, targets: np.ndarray
) -> tuple[float, list[np.ndarray]]:
    """E of the batch and ∂E/∂θ for every parameter, in ``network.parameter_layout()``
    order (each shaped like its parameter), computed as the step machine computes them."""
    x = np.atleast_2d(np.asarray(inputs, dtype=np.float64))
    t = np.atleast_2d(np.asarray(targets, dtype=np.float64))
    zs, outs, deltas = backprop.backward_pass(network, loss, x, t)
    below = [x, *outs[:-1]]
    with np.errstate(**QUIET):
        e = backprop.batch_loss(get_loss(loss), zs[-1], outs[-1], t)[1]
        grads: dict[tuple[str, int], np.ndarray] = {}
        for l in range(network.n_layers, 0, -1):
            share = backprop.batch_share(deltas[l - 1])
            grads[("w", l)] = backprop.weight_gradient(below[l - 1], share)
            if network.biases[l - 1] is not None:
                grads[("b", l)] = backprop.bias_gradient(share)
    return e, [grads[key] for key in network.parameter_layout()]


def _dot(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return float(sum(np.sum(x * y) for x, y in zip(a, b, strict=True)))


def probe(
    network: Network,
    inputs: np.ndarray,
    targets: np.ndarray,
    loss: str,
    settings: OptimizerSettings,
    state: OptimizerState | None = None,
    *,
    update_biases: bool = True,
    etas: np.ndarray | None = None,
) -> ProbeResult:
    """E after one update at each learning rate of ``etas`` (default :func:`default_etas`),
    on copies, with the first-order prediction and the largest η that lowers E.

    ``inputs`` (B, n_0) and ``targets`` (B, K) are the batch; ``settings`` the update rule
    (its own learning rate is ignored: each η of the grid replaces it) and ``state`` its
    state now (None: a fresh one, as before the first update).  Neither ``network`` nor
    ``state`` is changed.
    """
    etas = default_etas() if etas is None else np.asarray(etas, dtype=np.float64)
    optimizer = make_optimizer(network, settings, update_biases)
    params = network.parameters()
    if state is None:
        state = optimizer.initial_state(params)
    e0, grads = loss_and_gradient(network, loss, inputs, targets)
    losses = np.empty(len(etas))
    predicted = np.empty(len(etas))
    twin = network.copy()
    mine = twin.parameters()
    with np.errstate(**QUIET):
        for k, eta in enumerate(etas):
            optimizer.settings = replace(settings, learning_rate=float(eta))
            steps = [
                optimizer.delta(i, g, p, state)[0]
                for i, (g, p) in enumerate(zip(grads, params, strict=True))
            ]
            for p, new, step in zip(params, mine, steps, strict=True):
                np.add(p, step, out=new)  # W + ΔW, as the machine's W += ΔW
            losses[k] = loss_of(twin, loss, inputs, targets)
            predicted[k] = e0 + _dot(grads, steps)
    lower = np.flatnonzero(losses < e0)
    best = float(etas[lower.max()]) if lower.size else None
    return ProbeResult(etas, e0, losses, predicted, best)


def update_change(
    before: Network,
    steps: list[np.ndarray],
    loss: str,
    inputs: np.ndarray,
    targets: np.ndarray,
) -> UpdateChange:
    """Predicted (∇E·ΔW) against actual (E(W + ΔW) − E(W)) change of the batch's loss for
    the update ``steps`` (ΔW, in ``before.parameter_layout()`` order, each shaped like its
    parameter) applied to ``before`` on ``inputs`` (B, n_0), ``targets`` (B, K).
    ``before`` is not changed."""
    e0, grads = loss_and_gradient(before, loss, inputs, targets)
    after = before.copy()
    with np.errstate(**QUIET):
        for p, new, step in zip(before.parameters(), after.parameters(), steps, strict=True):
            np.add(p, step, out=new)
        e1 = loss_of(after, loss, inputs, targets)
        return UpdateChange(e0, e1, _dot(grads, steps))
