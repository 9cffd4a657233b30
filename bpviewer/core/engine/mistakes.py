"""Known kinds of backprop mistake, and which one explains a wrong gradient.

Someone's own gradient ∂E/∂W of a layer is compared with bpviewer's; when they differ, each
known mistake is applied to the right gradient (or the backward pass is rerun with the
mistake made) and the one that reproduces the wrong numbers names the cause: the sign, a
missing σ′ (the activation's derivative left out of an error term), a transpose, a factor
of the batch size (a sum instead of the mean) or of 2 (½ in the loss or not).

Shapes: ``x`` (B, n_0), ``t`` (B, n_L); gradients of layer l are (n_{l-1}, n_l) for
weights and (n_l,) for biases, as :class:`Network` stores the parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bpviewer.core.engine import backprop
from bpviewer.core.engine.activations import QUIET, get_activation
from bpviewer.core.engine.losses import get_loss
from bpviewer.core.engine.network import Network

#: Two gradients agree when within this relative tolerance (of the larger magnitude).
RTOL = 1e-6


def gradients(
    network: Network, loss: str, x: np.ndarray, t: np.ndarray, *, drop_prime: int | None = None
) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
    """∂E/∂W and ∂E/∂b of every layer (E the batch mean), optionally with the activation's
    derivative left out of the error term of layer ``drop_prime`` (1-based)."""
    rule = get_loss(loss)
    with np.errstate(**QUIET):
        zs, acts = network.forward_pass(x)
        a_in = [np.asarray(x, dtype=np.float64), *acts[:-1]]
        L = network.n_layers
        out = get_activation(network.activations[-1])
        delta = backprop.output_error_term(rule, out, zs[-1], acts[-1], t)
        if drop_prime == L and out.derivative is not None:
            delta = delta / out.derivative(zs[-1], acts[-1])
        grads_w: list[np.ndarray] = [np.empty(0)] * L
        grads_b: list[np.ndarray | None] = [None] * L
        for l in range(L, 0, -1):
            share = backprop.batch_share(delta)
            grads_w[l - 1] = backprop.weight_gradient(a_in[l - 1], share)
            if network.biases[l - 1] is not None:
                grads_b[l - 1] = backprop.bias_gradient(share)
            if l > 1:
                act = get_activation(network.activations[l - 2])
                back = delta @ network.weights[l - 1].T
                delta = (
                    back if drop_prime == l - 1 else back * act.derivative(zs[l - 2], acts[l - 2])
                )
    return grads_w, grads_b


def agree(got: np.ndarray, expected: np.ndarray, rtol: float = RTOL) -> bool:
    """Same shape and every entry within ``rtol`` of the larger magnitude."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return False
    scale = max(float(np.max(np.abs(expected), initial=0.0)), 1e-12)
    return bool(np.all(np.abs(got - expected) <= rtol * scale))


@dataclass(frozen=True)
class Mistake:
    """A kind of mistake: its name, and what it makes of the right gradient."""

    name: str
    apply: Callable[[np.ndarray], np.ndarray | None]


def explain_difference(
    network: Network,
    loss: str,
    x: np.ndarray,
    t: np.ndarray,
    layer: int,
    kind: str,
    got: np.ndarray,
    expected: np.ndarray,
) -> str | None:
    """The known mistake that turns ``expected`` into ``got`` for parameter ``kind`` (``w``
    or ``b``) of ``layer``, or None."""
    got = np.asarray(got, dtype=np.float64)
    batch = np.atleast_2d(x).shape[0]
    index = 0 if kind == "w" else 1
    candidates = [
        Mistake("the sign is flipped (−∂E/∂w, the step's direction, not the gradient)",
                lambda g: -g),
        Mistake("transposed: (to, from) instead of (from, to)",
                lambda g: g.T if g.ndim == 2 and g.shape[0] != g.shape[1] else None),
        Mistake(f"a factor of the batch size {batch}: a sum over the batch, not its mean",
                lambda g: g * batch if batch > 1 else None),
        Mistake(f"a factor of 1/{batch}: divided by the batch size twice",
                lambda g: g / batch if batch > 1 else None),
        Mistake("a factor of 2: ½ left out of (or added to) the loss", lambda g: 2 * g),
        Mistake("a factor of ½", lambda g: g / 2),
    ]  # fmt: skip
    for mistake in candidates:
        wrong = mistake.apply(np.asarray(expected, dtype=np.float64))
        if wrong is not None and agree(got, wrong):
            return mistake.name
    for l in range(network.n_layers, layer - 1, -1):
        act = get_activation(network.activations[l - 1])
        if act.derivative is None or (
            l == network.n_layers and get_loss(loss).name in ("binary_cross_entropy",)
        ):
            continue
        variant = gradients(network, loss, x, t, drop_prime=l)[index][layer - 1]
        if variant is not None and not agree(variant, expected) and agree(got, variant):
            where = "the output" if l == network.n_layers else f"layer {l}"
            return f"{act.symbol}′ is missing from the error term of {where}"
    return None
