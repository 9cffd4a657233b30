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


# ---------------------------------------------------------------------- the panel
def _machine_brute_force(session, etas):
    """E after one update at each η by the step machine on copies of the session's."""
    m, training = session.machine, session.project.training
    settings = training.optimizer_settings()
    return np.array(
        [
            _brute_force(
                m.network, training.loss, m.inputs, m.targets, settings,
                m.optimizer_state, training.update_biases, e,
            )[1]
            for e in etas
        ]
    )  # fmt: skip


def _raise_probe(window, qtbot):
    from bpviewer.gui.visibility import seen

    panel = window.lr_probe_view
    window.lr_probe_dock.raise_()
    qtbot.waitUntil(lambda: seen(panel) and panel.result is not None and not panel._due)
    return panel


def test_the_probe_runs_when_its_tab_comes_to_the_front(window, qtbot):
    from bpviewer.core.engine.notation import fmt, shown

    panel = window.lr_probe_view
    qtbot.wait(10)
    assert panel.probes == 0 and panel.plot is None  # not at the window's first show
    before = panel.probes
    window.actionForward.trigger()
    window.actionBackward.trigger()
    window.actionApplyUpdate.trigger()
    assert panel.probes == before  # behind the Loss tab: nothing computed
    _raise_probe(window, qtbot)
    assert panel.probes == before + 1
    s = window.session
    r = panel.result
    np.testing.assert_array_equal(r.etas, default_etas())
    brute = _machine_brute_force(s, r.etas)
    np.testing.assert_array_equal(r.losses, brute)
    e0 = loss_and_gradient(s.network, s.project.training.loss, s.machine.inputs, s.machine.targets)
    assert r.loss_before == e0[0]
    eta = s.project.training.learning_rate
    here = _machine_brute_force(s, [eta])[0]
    assert panel.current.losses[0] == here
    text = panel.summary.text()
    assert f"E₀ = {fmt(e0[0])}" in text
    assert f"current η = {shown(eta)}: E after one update = {fmt(here)}" in text
    best = max(e for e, b in zip(r.etas, brute, strict=True) if b < e0[0])
    assert f"largest η that lowers E: {shown(best)}" in text
    assert panel.best_line.isVisible() and panel.best_line.value() == pytest.approx(np.log10(best))
    assert panel.eta_line.value() == pytest.approx(np.log10(eta))
    # seen now: an edit probes again at once
    window.session.set_parameter("w", 1, 0, 0, "0.25")
    assert panel.probes == before + 2
    np.testing.assert_array_equal(panel.result.losses, _machine_brute_force(s, r.etas))


def test_clicking_a_point_sets_eta_as_one_undo_step(window, qtbot):
    from PySide6.QtCore import QPointF, Qt

    panel = _raise_probe(window, qtbot)
    s = window.session
    old = s.project.training.learning_rate
    steps = s.undo_stack.count()
    spots = panel.points.points()
    spot = spots[len(spots) // 3]
    eta = float(spot.data())
    assert eta in panel.result.etas and eta != old
    plot = panel.plot
    scene_pos = plot.getPlotItem().vb.mapViewToScene(QPointF(spot.pos()))
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=plot.mapFromScene(scene_pos))
    assert s.project.training.learning_rate == eta
    assert s.undo_stack.count() == steps + 1
    assert panel.eta_line.value() == pytest.approx(np.log10(eta))  # redrawn at once
    s.undo()
    assert s.project.training.learning_rate == old
    assert s.undo_stack.count() == steps + 1 and s.undo_stack.canRedo()


def test_use_eta_sets_the_one_whose_update_lowers_e_most(window, qtbot):
    panel = _raise_probe(window, qtbot)
    s = window.session
    brute = _machine_brute_force(s, panel.result.etas)
    lowest = panel.result.etas[int(np.argmin(brute))]
    assert panel.use_button.isEnabled()
    old, steps = s.project.training.learning_rate, s.undo_stack.index()
    panel.use_button.click()
    assert s.project.training.learning_rate == lowest
    assert s.undo_stack.index() == steps + 1
    s.undo()
    assert s.project.training.learning_rate == old


@pytest.mark.parametrize("example", ["seed", "spiral"])
def test_probing_never_changes_the_document(window, qtbot, example):
    s = window.session
    if example != "seed":
        window.new_from_example(example)
        s.set_training(optimizer="adam")
        s.iterate()
    window.actionForward.trigger()
    panel = _raise_probe(window, qtbot)
    state = s.capture()
    network = s.network.copy()
    slots = s.machine.optimizer_state.copy()
    index, count, dirty = s.undo_stack.index(), s.undo_stack.count(), s.dirty
    emitted = []
    s.changed.connect(emitted.append)
    probes = panel.probes
    panel.probe_button.click()
    panel.probe_button.click()
    assert panel.probes == probes + 2
    assert emitted == []
    assert s.network.same_as(network)
    assert _same_state(s.machine.optimizer_state, slots)
    assert (s.undo_stack.index(), s.undo_stack.count(), s.dirty) == (index, count, dirty)
    after = s.capture()
    assert after.machine.position == state.machine.position
    assert after.machine.results.keys() == state.machine.results.keys()
    assert all(after.machine.results[k] is state.machine.results[k] for k in state.machine.results)
    assert after.project is state.project and after.sample_index == state.sample_index


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_after_an_update_predicted_and_actual_change_are_shown(window, qtbot, optimizer):
    from bpviewer.core.engine.notation import fmt

    s = window.session
    window.new_from_example("xor")
    s.set_training(optimizer=optimizer, batch_size=2, weight_decay=0.01)
    panel = _raise_probe(window, qtbot)
    s.iterate()  # momentum: the next update starts from a velocity
    first = panel.change
    assert first is not None
    window.actionForward.trigger()
    window.actionBackward.trigger()
    before, x, t = s.network.copy(), s.machine.inputs, s.machine.targets
    loss = s.project.training.loss
    steps = [s.machine.results[f"delta_{kind}{l}"] for kind, l in before.parameter_layout()]
    window.actionApplyUpdate.trigger()
    assert s.machine.inputs is not x  # the next batch is loaded: the line is of the update's
    change = panel.change
    # independent: E after by a step machine on the updated network, on the update's batch
    check = StepMachine(s.network.copy(), loss, OptimizerSettings(), x, t)
    check.run_phase("forward")
    e0 = loss_and_gradient(before, loss, x, t)[0]
    assert change.actual == check.results["loss"] - e0
    grads = _numerical_gradient(before, loss, x, t)
    assert grads is not None
    want = sum(float(np.sum(g * d)) for g, d in zip(grads, steps, strict=True))
    assert change.predicted == pytest.approx(want, rel=1e-6)
    text = panel.after_update.text()
    assert f"predicted ΔE = {fmt(change.predicted)} (∇E·ΔW)" in text
    assert f"actual ΔE = {fmt(change.actual)}" in text
    s.undo()  # the update undone: the line is the iteration's before it again
    assert panel.change == first
    assert f"predicted ΔE = {fmt(first.predicted)} (∇E·ΔW)" in panel.after_update.text()
    for _ in range(3):  # Backward, Forward, Iterate: before any update, no line
        s.undo()
    assert s.last_update is None and panel.change is None
    assert panel.after_update.text() == ""


def test_no_probe_during_a_run(window, qtbot):
    panel = _raise_probe(window, qtbot)
    s = window.session
    run = s.begin_run()
    assert not panel.probe_button.isEnabled() and not panel.use_button.isEnabled()
    probes = panel.probes
    panel.refresh()
    assert panel.probes == probes
    assert "waits" in panel.summary.text()
    s.end_run(run, None)
    assert panel.probe_button.isEnabled()
    assert panel.probes == probes + 1  # seen: probed again when the run ends
