"""The arithmetic of one backpropagation iteration, shared by the step machine and the fast
training path so that both compute exactly the same bits.

Shapes: B samples in a batch; layer l has n_l units.  ``a_prev`` (B, n_{l-1}), ``w``
(n_{l-1}, n_l), ``b`` (n_l,), ``z`` and ``a`` (B, n_l), ``delta`` (B, n_l).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from bpviewer.core.engine.activations import QUIET, Activation, get_activation
from bpviewer.core.engine.losses import Loss, get_loss

if TYPE_CHECKING:
    from bpviewer.core.engine.network import Network

Array = np.ndarray


def forward_layer(
    a_prev: Array,
    w: Array,
    b: Array | None,
    act: Activation,
    z_out: Array | None = None,
    a_out: Array | None = None,
) -> tuple[Array, Array]:
    """z = a_prev · W (+ b) and a = f(z); both (B, n_l)."""
    z = affine(a_prev, w, b, z_out)
    return z, act.forward(z, out=a_out)


def affine(a_prev: Array, w: Array, b: Array | None, out: Array | None = None) -> Array:
    """z = a_prev · W (+ b), (B, n_l): :func:`forward_layer` before the activation."""
    z = np.matmul(a_prev, w, out=out)
    if b is not None:
        np.add(z, b, out=z)
    return z


def output_error_term(
    loss: Loss, act: Activation, z: Array, y: Array, t: Array, out: Array | None = None
) -> Array:
    """δ_L = −∂E_s/∂z_L for each sample's own loss, (B, n_L)."""
    return loss.error_term(z, y, t, act, out)


def hidden_error_term(
    delta_next: Array,
    w_next: Array,
    act: Activation,
    z: Array,
    a: Array,
    out: Array | None = None,
    work: Array | None = None,
) -> Array:
    """δ_l = (δ_{l+1} · W_{l+1}ᵀ) ⊙ f′(z_l), (B, n_l); ``work`` (B, n_l) may hold f′(z_l)."""
    out = np.matmul(delta_next, w_next.T, out=out)
    return np.multiply(out, act.derivative(z, a, out=work), out=out)


def batch_share(delta: Array, out: Array | None = None) -> Array:
    """−δ / B, each sample's share of the batch's gradient, (B, n_l).

    The gradients below are sums of these shares: scaling the (B, n_l) error terms costs
    less than scaling an (n_{l-1}, n_l) gradient, and for a power-of-two B both give the
    same bits (the scale is exact).
    """
    return np.multiply(delta, -1.0 / delta.shape[0], out=out)


def weight_gradient(a_prev: Array, share: Array, out: Array | None = None) -> Array:
    """∂E/∂W = a_prevᵀ · (−δ / B), the mean over the batch; ``share`` is
    :func:`batch_share`'s −δ / B, (B, n_l); the gradient is (n_{l-1}, n_l)."""
    return np.matmul(a_prev.T, share, out=out)


def bias_gradient(share: Array, out: Array | None = None) -> Array:
    """∂E/∂b = −mean over the batch of δ: the sum of ``share`` (−δ / B, (B, n_l)); (n_l,)."""
    return np.add.reduce(share, axis=0, out=out)  # np.sum without its wrapper


def batch_loss(loss: Loss, z: Array, y: Array, t: Array) -> tuple[Array, float]:
    """Per-sample losses (B,) and their mean, the loss E of the batch."""
    per_sample = loss.per_sample(z, y, t)
    return per_sample, float(per_sample.mean())


def backward_pass(
    network: Network, loss: str, inputs: Array, targets: Array
) -> tuple[list[Array], list[Array], list[Array]]:
    """A whole batch through the network and back, as the step machine computes it: z, a
    and δ of every layer 1 … L, three lists of (B, n_l) arrays (inputs (B, n₀), targets
    (B, n_L)); the views that explain a gradient or probe an update start here."""
    x = np.atleast_2d(np.asarray(inputs, dtype=np.float64))
    t = np.atleast_2d(np.asarray(targets, dtype=np.float64))
    acts = [get_activation(name) for name in network.activations]
    L = network.n_layers
    zs: list[Array] = []
    outs: list[Array] = []
    with np.errstate(**QUIET):
        a = x
        for w, b, act in zip(network.weights, network.biases, acts, strict=True):
            z, a = forward_layer(a, w, b, act)
            zs.append(z)
            outs.append(a)
        deltas: list[Array] = [np.empty(0)] * L
        deltas[L - 1] = output_error_term(get_loss(loss), acts[L - 1], zs[L - 1], outs[L - 1], t)
        for l in range(L - 2, -1, -1):
            deltas[l] = hidden_error_term(
                deltas[l + 1], network.weights[l + 1], acts[l], zs[l], outs[l]
            )
    return zs, outs, deltas
