"""The display conventions (δ as −∂E/∂z or ∂E/∂z; weights as (from, to) or (to, from)):
every formula evaluates to the value it shows in both, the shown δ is ∂E/∂z by central
differences, and the engine's numbers never change."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpviewer.core.engine.activations import get_activation
from bpviewer.core.engine.conventions import EXERCISE, Conventions, layout_name
from bpviewer.core.engine.formulas import evaluate, explain
from bpviewer.core.engine.losses import get_loss
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.notation import fmt, unit_label
from bpviewer.core.engine.optimizers import OptimizerSettings
from bpviewer.core.engine.stepper import StepMachine
from bpviewer.core.files.examples import load_example
from bpviewer.core.files.export import markdown
from tests.strategies import optimizers, problems

DERIVATIVE = Conventions(delta_sign="derivative")


def _records(problem, optimizer="sgd"):
    network, loss, x, t, batch = problem
    machine = StepMachine(
        network, loss, OptimizerSettings(optimizer, learning_rate=0.3), x[:batch], t[:batch]
    )
    return machine.run_iteration() + machine.run_iteration()  # the optimiser state non-zero


@given(problems(max_depth=3, max_size=4, max_samples=3), optimizers)
def test_formulas_evaluate_to_the_value_shown_in_both_conventions(problem, optimizer):
    for record in _records(problem, optimizer):
        exercise = explain(record)
        derivative = explain(record, conventions=DERIVATIVE)
        assert [f.quantity for f in exercise] == [f.quantity for f in derivative]
        for ex, de in zip(exercise, derivative, strict=True):
            for f in (ex, de):
                got = evaluate(f.expression)
                assert math.isclose(got, f.value, rel_tol=1e-9, abs_tol=1e-12), f
            if ex.quantity.startswith("δ("):
                assert de.value == -ex.value  # every δ shown is the engine's negated
                assert de.vocab is None  # the exercise's names are its own δ
            else:  # z, a, E, ∂E/∂w, Δw, w: the same numbers
                assert de.value == ex.value and de.vocab == ex.vocab
            if ex.quantity.startswith("∂E/∂"):
                assert ex.symbolic.startswith("−") and not de.symbolic.startswith("−")
                assert de.symbolic == ex.symbolic[1:]


def test_the_engine_values_recorded_are_the_same_in_both():
    """The records hold the engine's δ (−∂E/∂z); the convention only changes what is shown."""
    project = load_example("seed")
    machine = StepMachine(
        project.network,
        "half_sse",
        OptimizerSettings(learning_rate=0.5),
        project.dataset.inputs,
        project.dataset.targets,
    )
    records = machine.run_iteration()
    before = [np.array(r.values["delta"]) for r in records if r.sub_step.kind == "backward"]
    for record in records:
        explain(record, conventions=DERIVATIVE)
    after = [np.array(r.values["delta"]) for r in records if r.sub_step.kind == "backward"]
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))


def test_seed_output_delta_reads_as_the_derivative():
    project = load_example("seed")
    machine = StepMachine(
        project.network,
        "half_sse",
        OptimizerSettings(learning_rate=0.5),
        project.dataset.inputs,
        project.dataset.targets,
    )
    records = machine.run_iteration()
    out = [f for r in records for f in explain(r, conventions=DERIVATIVE)]
    delta = next(f for f in out if f.quantity == "δ(y₁)")
    assert delta.symbolic == "(y − t)·σ′(z)"
    assert delta.substituted == "(-0.115027) × σ′(-0.0601244) = -0.0287307"
    hidden = next(f for f in out if f.quantity == "δ(h₁)")
    assert hidden.symbolic == "(Σₖ w(h₁→k)·δₖ)·σ′(z(h₁))"  # the same form: linear in δ
    assert "×(-0.0287307)" in hidden.substituted
    grad = next(f for f in out if f.quantity == "∂E/∂w(h₁→y₁)")
    assert grad.symbolic == "h₁·δ(y₁)"
    # ΔW = −η·∂E/∂w reads the same and has the same value in both
    ex = [f for r in records for f in explain(r)]
    step = [f for f in out if f.quantity.startswith("Δw")]
    assert [(f.symbolic, f.value) for f in step] == [
        (f.symbolic, f.value) for f in ex if f.quantity.startswith("Δw")
    ]


@pytest.mark.parametrize(
    ("loss", "derivative_symbol"),
    [
        ("half_sse", "(y − t)·"),
        ("mse", "(2/K)·(y − t)·"),
        ("binary_cross_entropy", "(y − t)/K"),
        ("cross_entropy", "y − t"),
    ],
)
def test_each_loss_writes_its_negated_output_delta(loss, derivative_symbol):
    out_act = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}.get(loss, "tanh")
    net = Network.initialised([2, 3, 3], ["tanh", out_act], seed=3, bias=True)
    t = np.array([[0.0, 1.0, 0.0]])
    machine = StepMachine(net, loss, OptimizerSettings(), np.array([[0.3, -0.7]]), t)
    records = machine.run_phase("forward") + machine.run_phase("backward")
    backward = records[-2]  # the output layer's Backward (then the hidden one)
    assert backward.sub_step.layer == 2
    for f in explain(backward, conventions=DERIVATIVE):
        if f.quantity.startswith("δ("):
            assert f.symbolic.startswith(derivative_symbol)
            assert evaluate(f.expression) == pytest.approx(f.value, rel=1e-12, abs=1e-15)


def _loss_from_z(net: Network, loss: str, layer: int, z: np.ndarray, t: np.ndarray) -> float:
    """One sample's E as a function of layer ``layer``'s net input z (n_l,)."""
    a = get_activation(net.activations[layer - 1]).forward(z[None, :])
    zl = z[None, :]
    for l in range(layer, net.n_layers):
        zl = a @ net.weights[l] + (0 if net.biases[l] is None else net.biases[l])
        a = get_activation(net.activations[l]).forward(zl)
    return float(get_loss(loss).per_sample(zl, a, t[None, :])[0])


@settings(max_examples=25)
@given(
    st.sampled_from([("half_sse", "sigmoid"), ("mse", "tanh"), ("cross_entropy", "softmax")]),
    st.integers(0, 2**31 - 1),
)
def test_derivative_delta_is_dE_dz_by_central_differences(pairing, seed):
    """The δ shown in the ∂E/∂z convention is ∂E_s/∂z of each unit, by central differences
    of the sample's loss in that unit's net input (an oracle apart from the engine)."""
    loss, out_act = pairing
    rng = np.random.default_rng(seed)
    net = Network.initialised([2, 3, 2, 3], ["tanh", "sigmoid", out_act], seed=seed, bias=True)
    x = rng.uniform(-1, 1, size=(1, 2))
    t = np.eye(3)[[rng.integers(0, 3)]] if loss == "cross_entropy" else rng.uniform(size=(1, 3))
    machine = StepMachine(net, loss, OptimizerSettings(), x, t)
    machine.run_phase("forward")
    zs, _ = net.forward_pass(x)
    h = 1e-6
    for record in machine.run_phase("backward"):
        l = record.sub_step.layer
        shown = {f.quantity: f.value for f in explain(record, conventions=DERIVATIVE)}
        for j in range(net.layer_sizes[l]):
            up, down = zs[l - 1][0].copy(), zs[l - 1][0].copy()
            up[j] += h
            down[j] -= h
            numeric = (
                _loss_from_z(net, loss, l, up, t[0]) - _loss_from_z(net, loss, l, down, t[0])
            ) / (2 * h)
            assert shown[f"δ({unit_label(l, j, net.n_layers)})"] == pytest.approx(
                numeric, rel=1e-6, abs=1e-9
            )


def test_conventions_refuse_unknown_names_and_read_cli_spellings():
    with pytest.raises(ValueError, match="δ sign"):
        Conventions(delta_sign="positive")
    with pytest.raises(ValueError, match="layout"):
        Conventions(layout="rows")
    assert layout_name("to-from") == "to_from" and layout_name("from_to") == "from_to"
    with pytest.raises(ValueError, match="to-from"):
        layout_name("sideways")
    assert EXERCISE.shown_delta(2.0) == 2.0 and DERIVATIVE.shown_delta(2.0) == -2.0
    w = np.arange(6.0).reshape(2, 3)
    assert Conventions(layout="to_from").shown_weights(w).shape == (3, 2)
    assert EXERCISE.shown_weights(w) is w
    assert EXERCISE.delta_definition == "δ = −∂E/∂z"
    assert DERIVATIVE.delta_definition == "δ = ∂E/∂z"


def test_markdown_export_follows_the_convention():
    project = load_example("seed")
    machine = StepMachine(
        project.network,
        "half_sse",
        OptimizerSettings(learning_rate=0.5),
        project.dataset.inputs,
        project.dataset.targets,
    )
    records = machine.run_iteration()
    ex, de = markdown(records, "toy"), markdown(records, "toy", conventions=DERIVATIVE)
    assert r"(t - y) \cdot \sigma'(z)" in ex and r"(y - t) \cdot \sigma'(z)" in de
    assert r"\delta  = -\partial E/\partial z" in ex
    assert r"\delta  = \partial E/\partial z" in de


# ---------------------------------------------------------------------------- bpviewer trace
def _trace(capsys, *options: str) -> str:
    from bpviewer.cli import main

    assert main(["trace", "--preset", "iris", *options]) == 0
    return capsys.readouterr().out


def test_trace_text_follows_the_delta_sign_and_the_layout(capsys):
    import json

    from bpviewer.core.engine.trace import trace_dict, trace_iteration

    plain = _trace(capsys)
    shown = _trace(capsys, "--delta-sign", "derivative", "--layout", "to-from")
    assert "conventions:" not in plain
    assert (
        "conventions: δ = ∂E/∂z (as in Nielsen's book and CS231n); weights as (to, from)" in shown
    )
    d = trace_dict(trace_iteration(load_example("iris")))
    out_delta = np.atleast_2d(d["error_terms"][-1])[0, 0]  # the engine's δ (−∂E/∂z), y₁
    assert out_delta != 0
    line = next(x for x in shown.splitlines() if x.strip().startswith("δ(y₁)"))
    assert f" = {fmt(-out_delta)}" in line and line.split(":")[1].startswith(" y − t")
    line = next(x for x in plain.splitlines() if "δ(y₁)" in x)
    assert f" = {fmt(out_delta)}" in line and line.split(":")[1].startswith(" t − y")
    # ΔW of layer 1 (4 inputs → 8 hidden) printed as (to, from): 8 rows of 4
    block = shown.split(
        "Change in weights for input layer to hidden layer (rows: to, columns: from):\n"
    )[1]
    rows = [r for r in block.strip().splitlines()]
    assert len(rows) == 8
    printed = np.array([[float(v) for v in r.strip("[] ").split()] for r in rows])
    assert np.allclose(printed, np.array(d["delta_weights"][0]).T, rtol=1e-7)
    # --json: the one documented convention, whatever the display options say
    assert json.loads(_trace(capsys, "--json")) == json.loads(
        _trace(capsys, "--json", "--delta-sign", "derivative", "--layout", "to-from")
    )


def test_trace_refuses_unknown_conventions_in_one_line(capsys):
    from bpviewer.cli import main

    assert main(["trace", "--preset", "seed", "--delta-sign", "up"]) == 2
    assert main(["trace", "--preset", "seed", "--layout", "sideways"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(e.startswith("bpviewer: trace: argument --") for e in err)
