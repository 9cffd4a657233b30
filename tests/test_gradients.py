"""Analytic gradients against central differences, on random networks (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from bpviewer.core.engine.gradcheck import gradient_check, relative_error
from bpviewer.core.engine.network import Network
from bpviewer.core.files.examples import load_example
from tests.strategies import problems


@given(problems())
def test_analytic_gradients_match_central_differences(problem):
    network, loss, x, t, batch = problem
    result = gradient_check(network, loss, x[:batch], t[:batch])
    judged = [e for e in result.entries if not e.at_kink]
    for e in judged:
        assert e.relative_error < 1e-6, e
    assert result.max_relative_error < 1e-6


def test_gradient_check_catches_a_wrong_gradient(monkeypatch):
    """The check is not vacuous: a backward rule off by a factor is reported."""
    from bpviewer.core.engine import backprop

    real = backprop.weight_gradient
    monkeypatch.setattr(backprop, "weight_gradient", lambda a, d, out=None: 1.01 * real(a, d))
    project = load_example("seed")
    result = gradient_check(
        project.network, "half_sse", project.dataset.inputs, project.dataset.targets
    )
    assert not result.passed
    assert result.max_relative_error > 5e-3


def test_relu_kink_is_reported_not_failed():
    # z of the hidden relu unit is exactly 0: the loss has a kink there.
    net = Network((1, 1, 1), ("relu", "linear"), [[[1.0]], [[1.0]]], [[-0.5], None])
    result = gradient_check(net, "half_sse", [[0.5]], [[1.0]])
    assert result.kinks
    assert result.passed  # judged only away from the kink


def test_relative_error_definition():
    assert relative_error(1.0, 1.0) == 0.0
    assert relative_error(2.0, 1.0) == 0.5
    assert relative_error(0.0, 1e-12) == 1e-12 / 1e-8
    assert np.isclose(relative_error(-1.0, 1.0), 2.0)


def test_a_unit_on_the_kink_at_rounding_level_is_reported_not_failed():
    # z = 1 + 1e-17 − 1: 0 in float64 (the engine: a dead relu, gradient 0) but 1e-17 in
    # extended precision (the oracle: alive, gradient 1); neither is wrong
    if np.finfo(np.longdouble).eps >= 1e-17:
        pytest.skip("no extended precision on this platform")
    net = Network((2, 1, 1), ("relu", "linear"), [[[1.0], [1.0]], [[1.0]]], [[-1.0], None])
    result = gradient_check(net, "half_sse", [[1.0, 1e-17]], [[1.0]])
    flagged = {(e.kind, e.layer, e.row, e.col) for e in result.kinks}
    assert flagged == {("w", 1, 0, 0), ("w", 1, 1, 0), ("b", 1, None, 0), ("w", 2, 0, 0)}
    assert result.passed


def test_tiny_gradients_are_judged_against_the_loss_scale():
    # a derivative that is exactly 0 and a numerical one of rounding noise (~1e-14 for a
    # loss of 43) must not read as a relative error of 1e-6
    assert relative_error(0.0, 6e-15, scale=43.0) < 1e-6
    assert relative_error(0.0, 6e-15) == 6e-15 / 1e-8  # a loss below 1: the 1e-8 floor
    assert relative_error(2e-7, 1e-7, scale=1000.0) == 1e-7 / 1e-5  # still caught


@pytest.mark.parametrize("batch", [1, 2, 8, 64])
def test_scaling_the_error_terms_first_gives_the_same_bits_for_a_power_of_two_batch(batch):
    """The gradients sum −δ/B (a (B, n) scaling, cheaper than scaling (n_prev, n)); with
    B a power of two the scale is exact, so the bits are those of scaling the sum."""
    from bpviewer.core.engine import backprop

    rng = np.random.default_rng(batch)
    a, delta = rng.uniform(0.0, 1.0, (batch, 30)), rng.standard_normal((batch, 7))
    share = backprop.batch_share(delta)
    np.testing.assert_array_equal(
        backprop.weight_gradient(a, share), np.matmul(a.T, delta) * (-1.0 / batch)
    )
    np.testing.assert_array_equal(backprop.bias_gradient(share), delta.sum(axis=0) * (-1.0 / batch))
