"""Hypothesis strategies: random small networks with every allowed activation/loss pairing."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from bpviewer.core.engine.activations import ACTIVATIONS
from bpviewer.core.engine.losses import LOSSES
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.optimizers import OPTIMIZERS

#: Every registered hidden activation, and the outputs each loss accepts (from the
#: registries, so a new entry is covered by every property test at once).
HIDDEN = tuple(name for name, act in ACTIVATIONS.items() if not act.output_only)
OUTPUTS = {name: tuple(a for a in ACTIVATIONS if loss.allows(a)) for name, loss in LOSSES.items()}
assert all(OUTPUTS.values())
optimizers = st.sampled_from(OPTIMIZERS)


@st.composite
def problems(draw, max_depth: int = 4, max_size: int = 6, max_samples: int = 5):
    """(network, loss name, inputs (N, n0), targets (N, nL), batch size)."""
    depth = draw(st.integers(1, max_depth))
    sizes = draw(st.lists(st.integers(1, max_size), min_size=depth + 1, max_size=depth + 1))
    loss = draw(st.sampled_from(sorted(OUTPUTS)))
    if loss == "cross_entropy" and sizes[-1] == 1:
        sizes[-1] = draw(st.integers(2, max_size))
    acts = [draw(st.sampled_from(HIDDEN)) for _ in range(depth - 1)]
    acts.append(draw(st.sampled_from(OUTPUTS[loss])))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    bias_flags = [draw(st.booleans()) for _ in range(depth)]
    weights = [rng.uniform(-1.5, 1.5, size=(sizes[i], sizes[i + 1])) for i in range(depth)]
    biases = [
        rng.uniform(-0.5, 0.5, size=sizes[i + 1]) if bias_flags[i] else None for i in range(depth)
    ]
    n = draw(st.integers(1, max_samples))
    x = rng.uniform(-2.0, 2.0, size=(n, sizes[0]))
    k = sizes[-1]
    if loss == "cross_entropy":
        t = np.eye(k)[rng.integers(0, k, size=n)]
    elif loss == "binary_cross_entropy":
        t = rng.uniform(0.0, 1.0, size=(n, k))
    else:
        t = rng.uniform(-1.0, 1.0, size=(n, k))
    batch = draw(st.integers(1, n))
    return Network(tuple(sizes), tuple(acts), weights, biases), loss, x, t, batch
