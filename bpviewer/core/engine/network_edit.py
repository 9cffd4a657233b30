"""Changing a network's shape while keeping every weight that still fits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bpviewer.core.engine.initializers import initial_weights
from bpviewer.core.engine.network import Network


def reshape_network(
    old: Network,
    sizes: Sequence[int],
    activations: Sequence[str],
    biases: Sequence[bool],
    *,
    init: str = "glorot",
    seed: int = 0,
) -> Network:
    """A network of the new shape.  Layer l keeps ``old``'s weight matrix l (and bias) when
    its shape is unchanged; otherwise the overlapping block is kept and the rest drawn by
    ``init`` from ``seed``.  Layers are matched from the input side."""
    rng = np.random.default_rng(seed)
    n_layers = len(sizes) - 1
    weights, new_biases = [], []
    for l in range(n_layers):
        shape = (sizes[l], sizes[l + 1])
        fresh = initial_weights(*shape, init, rng)
        if l < old.n_layers:
            w_old = old.weights[l]
            r, c = min(shape[0], w_old.shape[0]), min(shape[1], w_old.shape[1])
            fresh[:r, :c] = w_old[:r, :c]
        weights.append(fresh)
        if biases[l]:
            b = np.zeros(sizes[l + 1])
            if l < old.n_layers and old.biases[l] is not None:
                k = min(b.shape[0], old.biases[l].shape[0])
                b[:k] = old.biases[l][:k]
            new_biases.append(b)
        else:
            new_biases.append(None)
    return Network(tuple(sizes), tuple(activations), weights, new_biases)
