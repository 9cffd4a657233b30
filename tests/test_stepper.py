"""The step machine's rules: order, phases, staleness, batches."""

from __future__ import annotations

import numpy as np
import pytest

from bpviewer.core.engine.optimizers import OptimizerSettings
from bpviewer.core.engine.stepper import StepMachine, sub_steps
from bpviewer.core.errors import StepError
from bpviewer.core.files.examples import load_example


def _seed_machine() -> StepMachine:
    p = load_example("seed")
    return StepMachine(
        p.network,
        "half_sse",
        OptimizerSettings(learning_rate=0.5),
        p.dataset.inputs,
        p.dataset.targets,
    )


def test_sub_step_order():
    kinds = [(s.kind, s.layer) for s in sub_steps(3)]
    assert kinds == [
        ("forward", 1),
        ("forward", 2),
        ("forward", 3),
        ("loss", 0),
        ("backward", 3),
        ("backward", 2),
        ("backward", 1),
        ("update", 0),
    ]


def test_backward_before_forward_is_refused():
    m = _seed_machine()
    with pytest.raises(StepError, match="Forward pass first"):
        m.run_phase("backward")
    with pytest.raises(StepError, match="Forward and Backward first"):
        m.run_phase("update")


def test_phases_and_enabled_state_through_an_iteration():
    m = _seed_machine()
    assert [m.can_run(p) for p in ("forward", "backward", "update")] == [True, False, False]
    records = m.run_phase("forward")
    assert [r.sub_step.kind for r in records] == ["forward", "forward", "loss"]
    assert [m.can_run(p) for p in ("forward", "backward", "update")] == [False, True, False]
    assert m.status() == "loss done"
    m.run_phase("backward")
    assert [m.can_run(p) for p in ("forward", "backward", "update")] == [False, False, True]
    with pytest.raises(StepError, match="already run"):
        m.run_phase("backward")  # never accumulates: a second Backward is refused
    w_before = [w.copy() for w in m.network.weights]
    m.run_phase("update")
    assert m.iteration == 1
    with pytest.raises(StepError, match="already been applied"):
        m.run_phase("update")
    assert not any(np.array_equal(a, b) for a, b in zip(w_before, m.network.weights, strict=True))
    assert [m.can_run(p) for p in ("forward", "backward", "update")] == [True, False, False]


def test_single_steps_go_forward_then_back_then_update():
    m = _seed_machine()
    seen = [m.step().sub_step for _ in range(6)]
    assert [(s.kind, s.layer) for s in seen] == [
        ("forward", 1),
        ("forward", 2),
        ("loss", 0),
        ("backward", 2),
        ("backward", 1),
        ("update", 0),
    ]
    assert m.iteration_done
    assert m.step().sub_step == ("forward", 1)  # the next iteration starts


def test_editing_after_forward_marks_results_stale():
    m = _seed_machine()
    m.run_phase("forward")
    assert {"z1", "a2", "loss"} <= m.fresh
    m.set_parameter("w", 2, 0, 0, 0.25)
    assert not m.fresh
    assert "loss" in m.results  # kept for display, greyed
    with pytest.raises(StepError):
        m.run_phase("backward")
    m.run_phase("forward")
    assert m.results["z2"][0, 0] == pytest.approx(0.559713649 * 0.25 - 0.3 * 0.386985824)


def test_non_finite_parameter_is_refused_and_value_kept():
    m = _seed_machine()
    with pytest.raises(StepError, match="not a finite number"):
        m.set_parameter("w", 1, 0, 0, float("nan"))
    assert m.network.weights[0][0, 0] == 0.5


def test_batch_error_terms_are_per_sample_and_gradient_is_the_mean():
    p = load_example("xor")
    x, t = p.dataset.inputs, p.dataset.targets
    m = StepMachine(p.network.copy(), "half_sse", OptimizerSettings(), x, t)
    m.run_phase("forward")
    m.run_phase("backward")
    grads = []
    for i in range(4):
        single = StepMachine(
            p.network.copy(), "half_sse", OptimizerSettings(), x[i : i + 1], t[i : i + 1]
        )
        single.run_phase("forward")
        single.run_phase("backward")
        np.testing.assert_allclose(m.results["delta2"][i], single.results["delta2"][0])
        grads.append(single.results["grad_w1"])
    np.testing.assert_allclose(m.results["grad_w1"], np.mean(grads, axis=0), rtol=1e-12)


def test_saturated_units_stay_finite_without_warnings():
    import warnings

    from bpviewer.core.engine.network import Network

    net = Network((1, 1, 1), ("sigmoid", "sigmoid"), [[[1000.0]], [[1000.0]]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in (1.0, -1.0):
            m = StepMachine(net.copy(), "binary_cross_entropy", OptimizerSettings(), [[x]], [[0.5]])
            m.run_iteration()
            assert np.isfinite(m.results["loss"])
            assert all(np.all(np.isfinite(w)) for w in m.network.weights)
        soft = Network((1, 2), ("softmax",), [[[1000.0, -1000.0]]])
        m = StepMachine(soft, "cross_entropy", OptimizerSettings(), [[1.0]], [[0.0, 1.0]])
        m.run_iteration()
        assert m.results["loss"] == pytest.approx(2000.0)
