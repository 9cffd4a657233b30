"""The arithmetic of one backpropagation iteration, shared by the step machine and the fast
training path so that both compute exactly the same bits.

Shapes: B samples in a batch; layer l has n_l units.  ``a_prev`` (B, n_{l-1}), ``w``
(n_{l-1}, n_l), ``b`` (n_l,), ``z`` and ``a`` (B, n_l), ``delta`` (B, n_l).
"""

from __future__ import annotations

import numpy as np

from bpviewer.core.engine.activations import Activation
from bpviewer.core.engine.losses import Loss

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
    z = np.matmul(a_prev, w, out=z_out)
    if b is not None:
        np.add(z, b, out=z)
    return z, act.forward(z, out=a_out)


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
) -> Array:
    """δ_l = (δ_{l+1} · W_{l+1}ᵀ) ⊙ f′(z_l), (B, n_l)."""
    out = np.matmul(delta_next, w_next.T, out=out)
    return np.multiply(out, act.derivative(z, a), out=out)


def weight_gradient(a_prev: Array, delta: Array, out: Array | None = None) -> Array:
    """∂E/∂W = −a_prevᵀ · δ / B, the mean over the batch; (n_{l-1}, n_l)."""
    out = np.matmul(a_prev.T, delta, out=out)
    return np.multiply(out, -1.0 / delta.shape[0], out=out)


def bias_gradient(delta: Array) -> Array:
    """∂E/∂b = −mean over the batch of δ; (n_l,)."""
    return np.multiply(delta.sum(axis=0), -1.0 / delta.shape[0])


def batch_loss(loss: Loss, z: Array, y: Array, t: Array) -> tuple[Array, float]:
    """Per-sample losses (B,) and their mean, the loss E of the batch."""
    per_sample = loss.per_sample(z, y, t)
    return per_sample, float(per_sample.mean())
