"""Every formula string, evaluated independently, reproduces the value the engine recorded."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpviewer.core.engine.formulas import evaluate, explain
from bpviewer.core.engine.optimizers import OptimizerSettings
from bpviewer.core.engine.stepper import StepMachine
from bpviewer.core.files.examples import load_example
from tests.strategies import optimizers, problems


def _check_all(machine: StepMachine) -> int:
    n = 0
    for record in machine.run_iteration():
        for formula in explain(record):
            got = evaluate(formula.expression)
            assert math.isclose(got, formula.value, rel_tol=1e-9, abs_tol=1e-12), formula
            assert formula.substituted and formula.symbolic
            n += 1
    return n


@given(
    problems(max_depth=3, max_size=4, max_samples=3),
    optimizers,
    st.floats(0.0, 0.1),
)
def test_formulas_reproduce_recorded_values(problem, optimizer, decay):
    network, loss, x, t, batch = problem
    settings = OptimizerSettings(optimizer, learning_rate=0.3, weight_decay=decay)
    machine = StepMachine(network, loss, settings, x[:batch], t[:batch])
    assert _check_all(machine) > 0
    assert _check_all(machine) > 0  # second iteration: optimiser state is non-zero


def test_seed_formulas_use_the_exercise_vocabulary():
    project = load_example("seed")
    machine = StepMachine(
        project.network,
        "half_sse",
        OptimizerSettings(learning_rate=0.5),
        project.dataset.inputs,
        project.dataset.targets,
    )
    texts = [f for r in machine.run_iteration() for f in explain(r)]
    by_vocab = {f.vocab: f for f in texts if f.vocab}
    assert set(by_vocab) >= {
        "hidden_layer_input[0]",
        "hidden_layer_output[1]",
        "output_layer_in[0]",
        "output[0]",
        "error[0]",
        "output_error_term[0]",
        "hidden_error_term[1]",
        "delta_w_h_o[1][0]",
        "delta_w_i_h[2][1]",
    }
    delta = by_vocab["output_error_term[0]"]
    assert delta.symbolic == "(t − y)·σ′(z)"
    assert delta.substituted == "0.115027 × σ′(-0.0601244) = 0.0287307"
    assert np.isclose(by_vocab["delta_w_i_h[2][1]"].value, 2.04471402e-04, atol=1e-12)


def test_explain_limit():
    project = load_example("spiral")
    machine = StepMachine(
        project.network,
        "cross_entropy",
        OptimizerSettings(),
        project.dataset.inputs[:4],
        project.dataset.targets[:4],
    )
    record = machine.step()
    assert len(explain(record, limit=5)) == 5


def test_long_sums_are_elided_for_display_and_short_ones_stay_evaluable():
    import numpy as np

    from bpviewer.core.engine.network import Network
    from bpviewer.core.engine.stepper import StepMachine

    rng = np.random.default_rng(0)
    net = Network.initialised([20, 3, 2], ["sigmoid", "sigmoid"], seed=0, bias=True)
    machine = StepMachine(
        net, "half_sse", OptimizerSettings(), rng.uniform(size=(1, 20)), rng.uniform(size=(1, 2))
    )
    forward = machine.run_phase("forward")
    first = forward[0]  # layer 1: 20 inputs per unit
    full_z = [f for f in explain(first) if f.quantity.startswith("z(")]
    short_z = [f for f in explain(first, max_terms=8) if f.quantity.startswith("z(")]
    assert len(full_z) == len(short_z) == 3
    for long_f, short_f in zip(full_z, short_z, strict=True):
        assert short_f.value == long_f.value  # the same number, written shorter
        assert short_f.expression == "" and "…" in short_f.substituted
        assert short_f.symbolic.count(" + ") == 7 + 1 + 1  # 7 terms, …, the last, the bias
        assert "x₂₀" in short_f.symbolic  # the last input is named
        assert evaluate(long_f.expression) == pytest.approx(long_f.value, rel=1e-15)
    layer2 = [f for f in explain(forward[1], max_terms=8) if f.quantity.startswith("z(")]
    for f in layer2:  # 3 inputs: short enough, nothing elided
        assert "…" not in f.substituted
        assert evaluate(f.expression) == pytest.approx(f.value, rel=1e-15)
