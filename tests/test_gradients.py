"""Analytic gradients against central differences, on random networks (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given

from bpviewer.core.examples import load_example
from bpviewer.core.gradcheck import gradient_check, relative_error
from bpviewer.core.network import Network
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
    from bpviewer.core import backprop

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
