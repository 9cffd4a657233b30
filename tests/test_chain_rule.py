"""Why this gradient (#17): the chain rule for one parameter, against the engine's gradient,
central differences and, on small networks, every path enumerated."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bpviewer.core.engine.activations import get_activation
from bpviewer.core.engine.chain_rule import count_paths, deltas, path_products, why
from bpviewer.core.engine.gradcheck import gradient_check
from bpviewer.core.engine.network import Network
from tests.strategies import problems


def _every_path(network: Network, x, t, loss, kind, layer, row, col) -> dict:
    """Each path's per-sample product, by brute force over every path."""
    zs, acts, ds = deltas(network, x, t, loss)
    L = network.n_layers
    primes = [
        get_activation(network.activations[m]).derivative(zs[m], acts[m]) if m < L - 1 else None
        for m in range(L)
    ]
    below = x if layer == 1 else acts[layer - 2]
    a_from = np.ones(len(x)) if kind == "b" else below[:, row]
    later = [range(n) for n in network.layer_sizes[layer + 1 :]]
    out = {}
    for rest in itertools.product(*later):
        units = (col, *rest)
        value = -a_from.copy()
        for m, unit in enumerate(units):
            here = layer + m
            if here < L:
                value = (
                    value * primes[here - 1][:, unit] * network.weights[here][unit, units[m + 1]]
                )
            else:
                value = value * ds[L - 1][:, unit]
        out[units] = value
    return out


def _parameters(network: Network):
    for l in range(1, network.n_layers + 1):
        w = network.weights[l - 1]
        for i, j in itertools.product(range(w.shape[0]), range(w.shape[1])):
            yield "w", l, i, j
        if network.biases[l - 1] is not None:
            for j in range(w.shape[1]):
                yield "b", l, 0, j


@settings(max_examples=40, deadline=None)
@given(problems(max_depth=4, max_size=4, max_samples=4))
def test_the_chain_rule_equals_the_engine_central_differences_and_every_path(problem):
    network, loss, x, t, batch = problem
    x, t = x[:batch], t[:batch]
    check = gradient_check(network, loss, x, t)
    by_parameter = {
        (e.kind, e.layer, e.row if e.kind == "w" else 0, e.col): e for e in check.entries
    }
    for kind, layer, row, col in _parameters(network):
        found = why(network, x, t, loss, kind, layer, row, col)
        entry = by_parameter[(kind, layer, row, col)]
        scale = max(1.0, abs(entry.analytic))
        assert abs(found.gradient - entry.analytic) <= 1e-12 * scale
        if not entry.at_kink:
            assert abs(found.gradient - entry.numerical) <= 1e-6 * max(1.0, abs(entry.numerical))
        # the paths shown and the rest add up to the gradient
        shown = sum(p.value for p in found.paths)
        assert abs(shown + found.rest - found.gradient) <= 1e-12 * scale
        every = _every_path(network, x, t, loss, kind, layer, row, col)
        assert found.n_paths == len(every) == count_paths(network, layer)
        total = sum(v.mean() for v in every.values())
        assert abs(total - found.gradient) <= 1e-10 * max(
            scale, *(abs(v.mean()) for v in every.values())
        )
        for path in found.paths:  # each shown path's numbers are that path's
            np.testing.assert_allclose(path.per_sample, every[path.units], rtol=1e-12, atol=1e-300)
        if len(x) == 1:  # one sample: exactly the largest paths
            largest = sorted(every, key=lambda u: -abs(every[u][0]))[: len(found.paths)]
            sizes = sorted(abs(every[u][0]) for u in largest)
            np.testing.assert_allclose(sorted(abs(p.value) for p in found.paths), sizes, rtol=1e-12)
        assert len(found.paths) == min(10, len(every))


def test_a_weight_of_784_128_10_has_its_ten_paths_and_the_unfolding_to_the_output():
    rng = np.random.default_rng(0)
    net = Network.init([784, 128, 10], ["sigmoid", "softmax"], biases=True, seed=0)
    x = rng.uniform(0, 1, (16, 784))
    t = np.eye(10)[rng.integers(0, 10, 16)]
    found = why(net, x, t, "cross_entropy", "w", 1, 300, 5)
    assert found.n_paths == 10 and len(found.paths) == 10 and abs(found.rest) < 1e-15
    first, last = found.unfolding
    assert (first.layer, first.unit, last.layer) == (1, 5, 2)
    # δ_j = f′(z_j) · Σ_k w(j→k) δ_k, for the sample shown
    np.testing.assert_allclose(first.delta[0], first.prime[0] * first.terms[0].sum(), rtol=1e-12)
    assert (first.unit, last.unit) == found.paths[0].units  # along the largest path
    np.testing.assert_allclose(found.per_sample, -x[:, 300] * first.delta, rtol=1e-15)


@given(st.integers(0, 2**31 - 1))
@settings(max_examples=10, deadline=None)
def test_deep_networks_are_not_enumerated_but_still_add_up(seed):
    rng = np.random.default_rng(seed)
    net = Network.init([3, 12, 12, 12, 12, 2], ["tanh"] * 4 + ["softmax"], biases=True, seed=seed)
    x = rng.normal(size=(6, 3))
    t = np.eye(2)[rng.integers(0, 2, 6)]
    found = why(net, x, t, "cross_entropy", "w", 1, 2, 4)
    assert found.n_paths == 12**3 * 2
    assert abs(sum(p.value for p in found.paths) + found.rest - found.gradient) < 1e-14
    zs, acts, ds = deltas(net, x, t, "cross_entropy")
    primes = [get_activation("tanh").derivative(zs[m], acts[m]) for m in range(4)] + [None]
    for path in found.paths:
        np.testing.assert_array_equal(
            path.per_sample, path_products(net, primes, ds, x[:, 2], 1, path.units)
        )
    magnitudes = [abs(p.value) for p in found.paths]
    assert magnitudes == sorted(magnitudes, reverse=True)


def test_a_batch_shows_the_largest_paths_by_their_mean_when_they_are_few():
    """2-16-16-3, a batch of 16: 48 paths, all evaluated, so the 10 shown are the largest
    by the magnitude of their batch mean (a sample's own largest need not be)."""
    rng = np.random.default_rng(5)
    net = Network.init([2, 16, 16, 3], ["relu", "relu", "softmax"], biases=True, seed=5)
    x, t = rng.normal(size=(16, 2)), np.eye(3)[rng.integers(0, 3, 16)]
    found = why(net, x, t, "cross_entropy", "w", 1, 1, 3)
    every = _every_path(net, x, t, "cross_entropy", "w", 1, 1, 3)
    largest = sorted(every, key=lambda u: -abs(every[u].mean()))[:10]
    assert found.exact and [p.units for p in found.paths] == largest
    assert found.unfolding[0].unit == 3 and tuple(u.unit for u in found.unfolding) == largest[0]


def test_one_sample_of_a_deep_network_gets_its_largest_paths_without_enumerating():
    rng = np.random.default_rng(7)
    net = Network.init([3, 12, 12, 12, 12, 2], ["tanh"] * 4 + ["softmax"], biases=True, seed=7)
    x, t = rng.normal(size=(1, 3)), np.eye(2)[[1]]
    found = why(net, x, t, "cross_entropy", "w", 1, 0, 4)
    assert found.n_paths == 3456 and found.exact
    every = _every_path(net, x, t, "cross_entropy", "w", 1, 0, 4)
    largest = sorted(every, key=lambda u: -abs(every[u][0]))[:10]
    assert [p.units for p in found.paths] == largest


def test_a_weight_that_is_not_finite_is_explained_not_a_crash():
    rng = np.random.default_rng(0)
    net = Network.init([2, 20, 3, 2], ["tanh", "tanh", "softmax"], biases=True, seed=0)
    net.weights[1][5, :] = np.nan
    x, t = rng.normal(size=(1, 2)), np.eye(2)[[0]]
    found = why(net, x, t, "cross_entropy", "w", 1, 0, 5)
    assert found.paths and not np.isfinite(found.gradient)
    assert len(found.unfolding) == 3
