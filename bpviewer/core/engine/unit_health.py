"""Units that stopped learning, judged over the training set (never one batch).

A sigmoid or tanh unit is *saturated* when its derivative f′(z) is below
:data:`SATURATED_PRIME` on at least :data:`SATURATED_SHARE` of the samples: whatever error
reaches it, almost none passes back through it.  A ReLU is *dead* when it is inactive
(z ≤ 0, so f′ = 0) on every sample: it gets no gradient at all and cannot come back.
Other activations (linear, leaky ReLU, softmax) never stop in these ways.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpviewer.core.engine.activations import get_activation
from bpviewer.core.engine.network import Network

SATURATED_PRIME = 0.01
SATURATED_SHARE = 0.95
CHUNK = 65_536  # samples a forward pass at a time, so a big data set needs little memory


@dataclass(frozen=True)
class Stopped:
    """Unit ``unit`` (0-based) of hidden layer ``layer`` (1-based): ``kind`` "saturated"
    or "dead", and the share of samples where f′ is below the threshold (or 0)."""

    layer: int
    unit: int
    kind: str
    share: float


def stopped_units(network: Network, inputs: np.ndarray) -> list[Stopped]:
    """The hidden units that stopped learning on ``inputs`` (N, n₀), layer by layer."""
    inputs = np.atleast_2d(np.asarray(inputs, dtype=np.float64))
    hidden = range(network.n_layers - 1)
    low = [np.zeros(network.layer_sizes[l + 1]) for l in hidden]  # samples with small f′
    active = [np.zeros(network.layer_sizes[l + 1]) for l in hidden]  # ReLU: z > 0
    n = inputs.shape[0]
    for start in range(0, n, CHUNK):
        zs, acts = network.forward_pass(inputs[start : start + CHUNK])
        for l in hidden:
            name = network.activations[l]
            if name in ("sigmoid", "tanh"):
                prime = get_activation(name).derivative(zs[l], acts[l])
                low[l] += np.sum(prime < SATURATED_PRIME, axis=0)
            elif name == "relu":  # a NaN z is no evidence of inactivity: counted as active
                active[l] += np.sum(~(zs[l] <= 0), axis=0)
    out = []
    for l in hidden:
        name = network.activations[l]
        for u in range(network.layer_sizes[l + 1]):
            if name in ("sigmoid", "tanh") and n and low[l][u] / n >= SATURATED_SHARE:
                out.append(Stopped(l + 1, u, "saturated", float(low[l][u] / n)))
            elif name == "relu" and n and active[l][u] == 0:
                out.append(Stopped(l + 1, u, "dead", 1.0))
    return out


def stopped_share(network: Network, stopped: list[Stopped]) -> list[float]:
    """Each hidden layer's share of units that stopped, layer 1 … L−1."""
    sizes = network.layer_sizes[1:-1]
    counts = [0] * len(sizes)
    for s in stopped:
        counts[s.layer - 1] += 1
    return [c / n for c, n in zip(counts, sizes, strict=True)]
