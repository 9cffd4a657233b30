"""Loss functions and the output-layer error term each one gives.

Shapes: ``z``, ``y`` (outputs) and ``t`` (targets) are (batch, K).  ``per_sample`` returns
(batch,); the loss of a batch is always the mean of its samples' losses.  ``error_term``
returns δ = −∂E_s/∂z of each sample's own loss E_s, shape (batch, K), the exercise's sign.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bpviewer.core.activations import Activation

Array = np.ndarray


def _softplus(x: Array) -> Array:
    """log(1 + e^x) without overflow."""
    return np.logaddexp(0.0, x)


def _half_sse(z: Array, y: Array, t: Array) -> Array:
    e = t - y
    return 0.5 * np.sum(e * e, axis=-1)


def _mse(z: Array, y: Array, t: Array) -> Array:
    e = t - y
    return np.mean(e * e, axis=-1)


def _bce(z: Array, y: Array, t: Array) -> Array:
    # −[t log σ(z) + (1 − t) log(1 − σ(z))] = t·softplus(−z) + (1 − t)·softplus(z)
    return np.mean(t * _softplus(-z) + (1.0 - t) * _softplus(z), axis=-1)


def _cross_entropy(z: Array, y: Array, t: Array) -> Array:
    # −Σ t log softmax(z) = Σ t (logsumexp(z) − z)
    m = z.max(axis=-1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))
    return np.sum(t * (lse - z), axis=-1)


def _delta_half_sse(z: Array, y: Array, t: Array, act: Activation, out: Array | None) -> Array:
    out = np.subtract(t, y, out=out)
    return np.multiply(out, act.derivative(z, y), out=out)


def _delta_mse(z: Array, y: Array, t: Array, act: Activation, out: Array | None) -> Array:
    out = np.subtract(t, y, out=out)
    np.multiply(out, 2.0 / t.shape[-1], out=out)
    return np.multiply(out, act.derivative(z, y), out=out)


def _delta_bce(z: Array, y: Array, t: Array, act: Activation, out: Array | None) -> Array:
    out = np.subtract(t, y, out=out)
    return np.divide(out, t.shape[-1], out=out)


def _delta_cross_entropy(z: Array, y: Array, t: Array, act: Activation, out: Array | None) -> Array:
    # ∂E/∂z = y·Σt − t, so δ = t − y·Σt (= t − y for one-hot targets)
    out = np.multiply(y, t.sum(axis=-1, keepdims=True), out=out)
    return np.subtract(t, out, out=out)


@dataclass(frozen=True)
class Loss:
    """A loss: its value per sample, its output error term, and which outputs it accepts."""

    name: str
    title: str
    per_sample: Callable[[Array, Array, Array], Array]
    error_term: Callable[..., Array]
    allowed_outputs: tuple[str, ...] | None  # None: any output activation except softmax

    def allows(self, output_activation: str) -> bool:
        """Whether this loss may follow an output layer with ``output_activation``."""
        if self.allowed_outputs is None:
            return output_activation != "softmax"
        return output_activation in self.allowed_outputs

    def check_pairing(self, output_activation: str) -> None:
        """Raise ValueError with a clear message for a pairing the engine refuses."""
        if self.allows(output_activation):
            return
        if self.allowed_outputs is None:
            need = "any output activation but softmax (softmax goes with cross_entropy)"
        else:
            need = " or ".join(self.allowed_outputs) + " output"
        raise ValueError(
            f"loss {self.name!r} cannot follow a {output_activation} output layer; it needs {need}"
        )


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("half_sse", "½ Σ (t − y)²", _half_sse, _delta_half_sse, None),
        Loss("mse", "mean (t − y)²", _mse, _delta_mse, None),
        Loss("binary_cross_entropy", "binary cross-entropy", _bce, _delta_bce, ("sigmoid",)),
        Loss("cross_entropy", "−Σ t log y", _cross_entropy, _delta_cross_entropy, ("softmax",)),
    )
}


def get_loss(name: str) -> Loss:
    """The loss called ``name``; a clear error naming the choices otherwise."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r} (choose one of: {', '.join(LOSSES)})") from None


def losses_for(output_activation: str) -> list[str]:
    """Names of the losses allowed after an output layer with ``output_activation``."""
    return [name for name, loss in LOSSES.items() if loss.allows(output_activation)]
