"""The learning-rate probe (#17): E after one update for each η, against brute force (the
step machine applying the update on a copy), the first-order prediction against finite
differences, and the window's panel (computed when seen, one click sets η as one undo step,
the document never changed, predicted against actual ΔE after an update)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bpviewer.core.engine.gradcheck import gradient_check
from bpviewer.core.engine.lr_probe import (
    default_etas,
    loss_and_gradient,
    probe,
    update_change,
)
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.optimizers import OptimizerSettings, OptimizerState
from bpviewer.core.engine.stepper import StepMachine
from tests.strategies import optimizers, problems

#: A few learning rates of the grid's range (the whole grid is tested on the exercise).
ETAS = np.array([1e-4, 3e-3, 0.1, 0.7, 4.0])


@st.composite
def situations(draw):
    """A problem, update-rule settings, and an optimiser state reached by 0–2 updates on
    other rows of the data (so momentum's velocity and Adam's m, v, t are not zero)."""
    network, loss, x, t, batch = draw(problems())
    settings = OptimizerSettings(
        name=draw(optimizers),
        learning_rate=draw(st.sampled_from([0.01, 0.3])),
        weight_decay=draw(st.sampled_from([0.0, 0.05])),
    )
    update_biases = draw(st.booleans())
    warm = draw(st.integers(0, 2))
    machine = StepMachine(
        network.copy(), loss, settings, x[-batch:], t[-batch:], update_biases=update_biases
    )
    for _ in range(warm):
        machine.run_iteration()
    assume(all(np.all(np.isfinite(p)) for p in machine.network.parameters()))
    return (
        machine.network.copy(),
        loss,
        x[:batch],
        t[:batch],
        settings,
        machine.optimizer_state,
        update_biases,
    )


def _brute_force(network, loss, x, t, settings, state, update_biases, eta):
    """E after one update at ``eta`` by the step machine on copies, and the ΔW it applied."""
    m = StepMachine(
        network.copy(),
        loss,
        OptimizerSettings(**{**settings.__dict__, "learning_rate": float(eta)}),
        x,
        t,
        update_biases=update_biases,
        optimizer_state=state.copy(),
    )
    m.run_iteration()
    loss_before = m.results["loss"]
    steps = [m.results[f"delta_{kind}{l}"] for kind, l in network.parameter_layout()]
    m.run_phase("forward")
    return loss_before, m.results["loss"], steps


def _numerical_gradient(network, loss, x, t):
    """∂E/∂θ by the gradient check's fourth-order central differences (in extended
    precision), in parameter_layout order; None when a difference straddles a relu kink."""
    result = gradient_check(network, loss, x, t)
    if result.kinks:
        return None
    grads = [np.zeros_like(p) for p in network.parameters()]
    layout = network.parameter_layout()
    for e in result.entries:
        g = grads[layout.index((e.kind, e.layer))]
        g[(e.row, e.col) if e.kind == "w" else (e.col,)] = e.numerical
    return grads


def _same_state(a: OptimizerState, b: OptimizerState) -> bool:
    return a.t == b.t and all(
        np.array_equal(p, q)
        for x, y in zip(a.slots, b.slots, strict=True)
        for p, q in zip(x, y, strict=True)
    )


# ---------------------------------------------------------------------- core
def test_the_grid_is_60_log_spaced_learning_rates_from_1e_4_to_10():
    etas = default_etas()
    assert etas.shape == (60,)
    assert etas[0] == pytest.approx(1e-4, rel=1e-14) and etas[-1] == pytest.approx(10.0, rel=1e-14)
    ratios = etas[1:] / etas[:-1]
    np.testing.assert_allclose(ratios, 10 ** (5 / 59), rtol=1e-12)


@given(situations())
def test_loss_after_one_update_equals_the_step_machine_on_a_copy(situation):
    network, loss, x, t, settings, state, update_biases = situation
    net_before, state_before = network.copy(), state.copy()
    x_before, t_before = x.copy(), t.copy()
    result = probe(network, x, t, loss, settings, state, update_biases=update_biases, etas=ETAS)
    # nothing the probe was given changed, bit for bit
    assert network.same_as(net_before)
    assert _same_state(state, state_before)
    assert np.array_equal(x, x_before) and np.array_equal(t, t_before)
    brute = [_brute_force(network, loss, x, t, settings, state, update_biases, e) for e in ETAS]
    assert result.loss_before == brute[0][0]
    np.testing.assert_array_equal(result.losses, [after for _, after, _ in brute])
    lowering = [e for e, (_, after, _) in zip(ETAS, brute, strict=True) if after < brute[0][0]]
    assert result.best_eta == (max(lowering) if lowering else None)
    finite = [after if np.isfinite(after) else np.inf for _, after, _ in brute]
    if np.isfinite(min(finite)):
        assert result.lowest == int(np.argmin(finite))


@given(situations())
def test_the_prediction_is_e0_plus_the_numerical_gradient_dot_the_applied_step(situation):
    network, loss, x, t, settings, state, update_biases = situation
    grads = _numerical_gradient(network, loss, x, t)
    assume(grads is not None)
    result = probe(network, x, t, loss, settings, state, update_biases=update_biases, etas=ETAS)
    for eta, predicted in zip(ETAS, result.predicted, strict=True):
        e0, _, steps = _brute_force(network, loss, x, t, settings, state, update_biases, eta)
        terms = [g * s for g, s in zip(grads, steps, strict=True)]
        want = sum(float(np.sum(term)) for term in terms)
        scale = sum(float(np.sum(np.abs(term))) for term in terms)
        assert abs((predicted - e0) - want) <= 1e-6 * scale + 1e-9 * max(1.0, abs(e0))


@given(situations())
def test_the_predictions_slope_at_zero_is_the_slope_of_the_true_curve(situation):
    """Where ΔW(0) = 0 (SGD, Adam, and momentum from rest), d E(W + ΔW(η))/dη at η → 0
    (finite differences of brute-force updates, Richardson-extrapolated) equals the
    prediction's slope ∇E·dΔW/dη."""
    network, loss, x, t, settings, state, update_biases = situation
    if settings.name == "momentum":
        state = StepMachine(network.copy(), loss, settings, x, t).optimizer_state
    result = probe(network, x, t, loss, settings, state, update_biases=update_biases, etas=[0.5])
    slope = (result.predicted[0] - result.loss_before) / 0.5
    h = 1e-6
    e0, e1, _ = _brute_force(network, loss, x, t, settings, state, update_biases, h)
    _, e2, _ = _brute_force(network, loss, x, t, settings, state, update_biases, 2 * h)
    numerical = (4 * (e1 - e0) - (e2 - e0)) / (2 * h)
    assume(np.isfinite(numerical))
    assert abs(numerical - slope) <= 1e-4 * abs(slope) + 1e-7 * max(1.0, abs(e0))


@given(situations())
def test_predicted_and_actual_change_of_an_applied_update(situation):
    network, loss, x, t, settings, state, update_biases = situation
    grads = _numerical_gradient(network, loss, x, t)
    assume(grads is not None)
    e0, e1, steps = _brute_force(network, loss, x, t, settings, state, update_biases, 0.3)
    before = network.copy()
    change = update_change(network, steps, loss, x, t)
    assert network.same_as(before)
    assert change.loss_before == e0 and change.loss_after == e1
    assert change.actual == e1 - e0
    terms = [g * s for g, s in zip(grads, steps, strict=True)]
    want = sum(float(np.sum(term)) for term in terms)
    scale = sum(float(np.sum(np.abs(term))) for term in terms)
    assert abs(change.predicted - want) <= 1e-6 * scale + 1e-9 * max(1.0, abs(e0))


@given(problems())
def test_the_gradient_is_the_step_machines(problem):
    network, loss, x, t, batch = problem
    m = StepMachine(network.copy(), loss, OptimizerSettings(), x[:batch], t[:batch])
    m.run_phase("forward")
    m.run_phase("backward")
    e, grads = loss_and_gradient(network, loss, x[:batch], t[:batch])
    assert e == m.results["loss"]
    for g, (kind, l) in zip(grads, network.parameter_layout(), strict=True):
        assert np.array_equal(g, m.results[f"grad_{kind}{l}"])


def test_on_the_exercise_sgd_lowers_e_up_to_a_point_and_the_prediction_is_a_line():
    """SGD on the course exercise, the whole grid: E(η) against brute force, the largest η
    that lowers E, and the prediction E₀ − η‖∇E‖² (a straight line in η)."""
    from bpviewer.core.files.examples import load_example

    project = load_example("seed")
    net, data = project.network, project.dataset
    x, t = data.inputs[:1], data.targets[:1]
    settings = project.training.optimizer_settings()
    result = probe(net, x, t, project.training.loss, settings)
    e0, grads = loss_and_gradient(net, project.training.loss, x, t)
    norm2 = sum(float(np.sum(g * g)) for g in grads)
    np.testing.assert_allclose(result.predicted, e0 - result.etas * norm2, rtol=1e-12)
    state = StepMachine(net.copy(), project.training.loss, settings, x, t).optimizer_state
    brute = [
        _brute_force(net, project.training.loss, x, t, settings, state, True, e)[1]
        for e in result.etas
    ]
    np.testing.assert_array_equal(result.losses, brute)
    assert result.best_eta is not None
    assert result.best_eta == max(e for e, b in zip(result.etas, brute, strict=True) if b < e0)


def test_no_eta_lowers_e_at_a_minimum():
    """At a minimum (output exactly the target) every update leaves E at 0 or raises it."""
    net = Network((1, 1), ("linear",), [[[2.0]]])
    result = probe(net, [[1.0]], [[2.0]], "half_sse", OptimizerSettings(), etas=ETAS)
    assert result.loss_before == 0.0
    assert result.best_eta is None
    np.testing.assert_array_equal(result.predicted, 0.0)
