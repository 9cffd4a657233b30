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


def output_for_data(
    activations: Sequence[str], n_outputs: int, class_labels: bool
) -> tuple[tuple[str, ...], str]:
    """The activations for data with ``n_outputs`` targets, and a note when the output's
    activation had to change ("" otherwise).

    Class labels over several outputs get a softmax; a single target after a softmax (a
    softmax over one unit is the constant 1) gets a sigmoid, which goes with binary
    cross-entropy."""
    acts = list(activations)
    note = ""
    if class_labels and n_outputs > 1 and acts[-1] != "softmax":
        acts[-1] = "softmax"
    elif acts[-1] == "softmax" and n_outputs == 1:
        acts[-1] = "sigmoid"
        note = (
            "one target: the output is now a sigmoid with binary cross-entropy "
            "(a softmax over one unit is the constant 1)"
        )
    return tuple(acts), note
