"""Why a parameter got its gradient: the chain rule for one weight or bias, with numbers.

Sign convention (the exercise's): δ = −∂E/∂z.  For the weight w(i→j) from unit i of layer
l−1 to unit j of layer l, over a batch of B samples,

    ∂E/∂w(i→j) = mean over samples of −a_i · δ_j                      (the local form)
    δ_j        = f′(z_j) · Σ_k w(j→k) · δ_k   (layer by layer, down to the output's δ)

and, unfolding δ_j to the output, the same gradient is a sum over *paths* j = u_l → u_{l+1}
→ … → u_L, each the product of its factors:

    −a_i · f′(z_{u_l}) · w(u_l→u_{l+1}) · f′(z_{u_{l+1}}) · … · w(u_{L−1}→u_L) · δ_{u_L}.

The number of paths is the product of the later layers' sizes, so they are not enumerated:
:func:`why` finds the largest ones layer by layer (for one sample, the exact 10 largest by
magnitude, keeping the 10 best partial products at each unit; for a batch, the largest batch
means among each sample's 10 largest) and gives the rest as one term, the gradient less the
paths shown, so the total is always exactly the gradient.  A bias is a weight from a unit
whose activation is 1.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from bpviewer.core.engine.activations import get_activation
from bpviewer.core.engine.backprop import backward_pass
from bpviewer.core.engine.network import Network

TOP = 10
EXACT_PATHS = 2_000  # up to this many paths, all are evaluated: the largest are exact
SEARCH_SAMPLES = 64  # samples whose own largest paths are the candidates for a batch


@dataclass
class Path:
    """One path from the parameter to the loss: the units it runs through in layers l … L,
    each sample's product of its factors (B,), and their mean (its share of the gradient)."""

    units: tuple[int, ...]
    per_sample: np.ndarray
    value: float


@dataclass
class Unfolding:
    """δ of one unit of layer ``layer`` as the next layer makes it: ``delta`` (B,) and
    ``prime`` f′(z) (B,) for every sample; for the first sample, the outgoing weights
    ``weights`` w(j→k) (n_{l+1},), the next layer's ``next_delta`` δ_k (n_{l+1},) and their
    products ``terms`` (1, n_{l+1}) (at the output these are None: δ comes from the loss)."""

    layer: int
    unit: int
    delta: np.ndarray
    prime: np.ndarray | None = None
    terms: np.ndarray | None = None
    weights: np.ndarray | None = None
    next_delta: np.ndarray | None = None


@dataclass
class Why:
    """Everything :func:`why` found for one parameter, over a batch of B samples.

    ``a_from`` (B,) is a_i (ones for a bias), ``delta_to`` (B,) δ_j, ``per_sample`` (B,) each
    sample's −a_i·δ_j and ``gradient`` their mean; ``unfolding`` follows δ_j down to the
    output along the largest path; ``paths`` the largest paths, ``rest`` the gradient less
    them and ``n_paths`` how many paths there are in all; ``exact`` whether ``paths`` are
    surely the largest (every path evaluated, or one sample), else the largest of each
    sample's own largest."""

    kind: str
    layer: int
    row: int
    col: int
    a_from: np.ndarray
    delta_to: np.ndarray
    per_sample: np.ndarray
    gradient: float
    unfolding: list[Unfolding] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    rest: float = 0.0
    n_paths: int = 0
    exact: bool = True


def deltas(
    network: Network, inputs: np.ndarray, targets: np.ndarray, loss: str
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """z, a and δ of every layer 1 … L for a batch: three lists of (B, n_l) arrays."""
    return backward_pass(network, loss, inputs, targets)


def count_paths(network: Network, layer: int) -> int:
    """How many paths run from a parameter of ``layer`` (1-based) to the loss."""
    return math.prod(network.layer_sizes[layer + 1 :]) if layer < network.n_layers else 1


def why(
    network: Network,
    inputs: np.ndarray,
    targets: np.ndarray,
    loss: str,
    kind: str,
    layer: int,
    row: int,
    col: int,
    top: int = TOP,
) -> Why:
    """The chain rule for weight w(row→col) of ``layer`` (``kind`` "w"), or the bias of unit
    ``col`` (``kind`` "b"), over inputs (B, n₀) and targets (B, K)."""
    inputs = np.atleast_2d(np.asarray(inputs, dtype=np.float64))
    zs, activations, ds = deltas(network, inputs, targets, loss)
    B, L = inputs.shape[0], network.n_layers
    below = inputs if layer == 1 else activations[layer - 2]
    a_from = np.ones(B) if kind == "b" else below[:, row].copy()
    delta_to = ds[layer - 1][:, col].copy()
    per_sample = -a_from * delta_to
    result = Why(kind, layer, row, col, a_from, delta_to, per_sample, float(per_sample.mean()))
    primes = [
        get_activation(network.activations[m]).derivative(zs[m], activations[m])
        if m < L - 1
        else None
        for m in range(L)
    ]
    result.n_paths = count_paths(network, layer)
    if result.n_paths <= EXACT_PATHS:
        result.paths = _all_paths(network, primes, ds, a_from, layer, col, top)
    else:
        result.paths = _largest_paths(network, primes, ds, a_from, layer, col, top)
        result.exact = B == 1
    result.rest = result.gradient - sum(p.value for p in result.paths)
    # along the largest path (or, with none that is finite, each layer's first unit)
    path = result.paths[0].units if result.paths else (col,) + (0,) * (L - layer)
    for m, unit in zip(range(layer, L + 1), path, strict=True):
        if m == L:
            result.unfolding.append(Unfolding(m, unit, ds[m - 1][:, unit].copy()))
        else:
            weights, below = network.weights[m][unit].copy(), ds[m][0].copy()  # sample 1's
            result.unfolding.append(
                Unfolding(
                    m,
                    unit,
                    ds[m - 1][:, unit].copy(),
                    primes[m - 1][:, unit].copy(),
                    (weights * below)[None, :],
                    weights,
                    below,
                )
            )
    return result


def path_products(
    network: Network,
    primes: list[np.ndarray | None],
    ds: list[np.ndarray],
    a_from: np.ndarray,
    layer: int,
    units: tuple[int, ...],
) -> np.ndarray:
    """Each sample's product of one path's factors (B,): −a_i · f′ · w · … · δ_L."""
    L = network.n_layers
    value = -a_from.copy()
    for m, unit in zip(range(layer, L + 1), units, strict=True):
        if m < L:
            value *= primes[m - 1][:, unit] * network.weights[m][unit, units[m - layer + 1]]
        else:
            value *= ds[L - 1][:, unit]
    return value


def _ranked(paths: list[Path], top: int) -> list[Path]:
    """The ``top`` largest by |batch mean|; a path that is not finite ranks last."""
    paths.sort(key=lambda p: (-abs(p.value) if np.isfinite(p.value) else np.inf, p.units))
    return paths[:top]


def _all_paths(network, primes, ds, a_from, layer, col, top) -> list[Path]:
    """Every path evaluated, the ``top`` largest kept: exact (few paths)."""
    later = [range(n) for n in network.layer_sizes[layer + 1 :]]
    paths = []
    for rest in itertools.product(*later):
        units = (col, *rest)
        values = path_products(network, primes, ds, a_from, layer, units)
        paths.append(Path(units, values, float(values.mean())))
    return _ranked(paths, top)


def _largest_paths(network, primes, ds, a_from, layer, col, top) -> list[Path]:
    """The ``top`` largest paths by the magnitude of their batch mean, among the largest
    by magnitude of each of the first :data:`SEARCH_SAMPLES` samples (exact for one
    sample); each candidate's mean is over the whole batch."""
    candidates: set[tuple[int, ...]] = set()
    for s in range(min(a_from.shape[0], SEARCH_SAMPLES)):
        candidates.update(_sample_top(network, primes, ds, s, layer, col, top))
    paths = []
    for units in candidates:
        values = path_products(network, primes, ds, a_from, layer, units)
        paths.append(Path(units, values, float(values.mean())))
    return _ranked(paths, top)


def _sample_top(network, primes, ds, s, layer, col, top) -> list[tuple[int, ...]]:
    """The ``top`` paths of sample ``s`` with the largest |product| (the factor a_i is the
    same for all and left out): the best partial products kept at each unit, layer by
    layer (magnitudes multiply, so the best paths through a unit extend its best partials).
    """
    L = network.n_layers
    if layer == L:
        return [(col,)]
    # best[u, r]: the r-th largest |partial product| of the paths reaching unit u; −1: none
    best = np.full((network.layer_sizes[layer], 1), -1.0)
    best[col, 0] = abs(float(primes[layer - 1][s, col]))
    steps = []  # per layer: where each kept (unit, rank) came from, (unit, rank) arrays
    for m in range(layer, L):
        factor = np.abs(ds[L - 1][s]) if m + 1 == L else np.abs(primes[m][s])
        reach = np.abs(network.weights[m]) * factor[None, :]  # (n_m, n_{m+1})
        ranks = best.shape[1]
        options = best[:, :, None] * reach[:, None, :]  # (n_m, ranks, n_{m+1})
        options[np.isnan(options)] = np.inf  # a path through NaN: kept, it is real
        options[best < 0] = -1.0  # no path reaches there
        options = options.reshape(-1, reach.shape[1])
        keep = min(top, options.shape[0])
        order = np.argsort(-options, axis=0, kind="stable")[:keep]  # (keep, n_{m+1})
        steps.append(np.divmod(order.T, ranks))
        best = np.take_along_axis(options, order, axis=0).T  # (n_{m+1}, keep)
    paths = []
    for index in np.argsort(-best, axis=None, kind="stable")[:top]:
        unit, rank = np.unravel_index(index, best.shape)
        if best[unit, rank] < 0:
            break
        units = [int(unit)]
        for origin, ranks in reversed(steps):
            unit, rank = origin[unit, rank], ranks[unit, rank]
            units.append(int(unit))
        paths.append(tuple(reversed(units)))
    return paths
