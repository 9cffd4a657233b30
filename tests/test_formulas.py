"""Every formula string, evaluated independently, reproduces the value the engine recorded."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from bpviewer.core.examples import load_example
from bpviewer.core.formulas import evaluate, explain
from bpviewer.core.optimizers import OptimizerSettings
from bpviewer.core.stepper import StepMachine
from tests.strategies import problems


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
    st.sampled_from(["sgd", "momentum", "adam"]),
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
