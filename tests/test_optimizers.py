"""Each optimiser against a hand-written reference update on a small network."""

from __future__ import annotations

import numpy as np
import pytest

from bpviewer.core.data.datasets import Dataset
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.optimizers import OPTIMIZERS, OptimizerSettings
from bpviewer.core.engine.stepper import StepMachine
from bpviewer.core.training.settings import TrainingSettings
from bpviewer.core.training.trainer import Trainer

NET = Network(
    (2, 2, 1),
    ("tanh", "sigmoid"),
    [[[0.3, -0.2], [0.5, 0.1]], [[0.7], [-0.4]]],
    [[0.1, -0.1], [0.05]],
)
X = np.array([[0.5, -1.0]])
T = np.array([[1.0]])
LR, MU, B1, B2, EPS, DECAY = 0.1, 0.9, 0.9, 0.999, 1e-8, 0.01


def _gradients(net: Network) -> list[np.ndarray]:
    m = StepMachine(net.copy(), "half_sse", OptimizerSettings(), X, T)
    m.run_phase("forward")
    m.run_phase("backward")
    return [m.results["grad_w1"], m.results["grad_b1"], m.results["grad_w2"], m.results["grad_b2"]]


def _reference(name: str, steps: int) -> list[np.ndarray]:
    if name not in ("sgd", "momentum", "adam"):
        pytest.fail(f"no hand-written reference for the optimizer {name!r}: write one")
    params = [p.copy() for p in (NET.weights[0], NET.biases[0], NET.weights[1], NET.biases[1])]
    is_weight = [True, False, True, False]
    v = [np.zeros_like(p) for p in params]
    m = [np.zeros_like(p) for p in params]
    for t in range(1, steps + 1):
        net = Network(
            (2, 2, 1), ("tanh", "sigmoid"), [params[0], params[2]], [params[1], params[3]]
        )
        grads = _gradients(net)
        for k, g in enumerate(grads):
            g = g + DECAY * params[k] if is_weight[k] else g
            if name == "sgd":
                step = -LR * g
            elif name == "momentum":
                v[k] = MU * v[k] - LR * g
                step = v[k]
            else:
                m[k] = B1 * m[k] + (1 - B1) * g
                v[k] = B2 * v[k] + (1 - B2) * g**2
                m_hat, v_hat = m[k] / (1 - B1**t), v[k] / (1 - B2**t)
                step = -LR * m_hat / (np.sqrt(v_hat) + EPS)
            params[k] = params[k] + step
    return params


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("kernel", ["numpy", "scalar"])
def test_optimizer_matches_hand_written_reference(name, kernel):
    training = TrainingSettings(
        loss="half_sse",
        learning_rate=LR,
        optimizer=name,
        momentum=MU,
        beta1=B1,
        beta2=B2,
        eps=EPS,
        weight_decay=DECAY,
    )
    trainer = Trainer(NET, training, Dataset(X, T), kernel=kernel)
    trainer.run(3)
    expected = _reference(name, 3)
    for got, want in zip(trainer.network.parameters(), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def test_frozen_biases_stay_put():
    training = TrainingSettings(loss="half_sse", optimizer="adam", update_biases=False)
    trainer = Trainer(NET, training, Dataset(X, T))
    trainer.run(5)
    np.testing.assert_array_equal(trainer.network.biases[0], NET.biases[0])
    assert not np.array_equal(trainer.network.weights[0], NET.weights[0])


def test_bad_optimizer_settings_are_refused():
    with pytest.raises(ValueError, match="unknown optimizer"):
        OptimizerSettings("rmsprop")
    with pytest.raises(ValueError, match="learning_rate"):
        OptimizerSettings(learning_rate=float("nan"))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"momentum": 1.5}, "momentum must be below 1"),
        ({"beta1": 1.0}, "beta1 must be below 1"),
        ({"beta2": 1.0}, "beta2 must be below 1"),
        ({"eps": 0.0}, "eps must be above 0"),
    ],
)
def test_settings_that_would_divide_by_zero_or_never_decay_are_refused(change, words):
    from bpviewer.core.engine.optimizers import OptimizerSettings

    with pytest.raises(ValueError, match=words):
        OptimizerSettings("adam", **change)


def test_the_window_refuses_such_a_setting_and_keeps_the_old_one(window):
    before = window.session.project.training
    messages = []
    window.session.messageIssued.connect(messages.append)
    window.session.set_training(beta1=1.0)
    assert window.session.project.training == before
    assert "beta1 must be below 1" in messages[-1]


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("decay", [0.0, DECAY])
@pytest.mark.parametrize("frozen", [False, True])
@pytest.mark.parametrize("into", ["buffer", "gradient"])
def test_a_step_into_a_buffer_has_the_same_bits(name, decay, frozen, into):
    """The fast path's ``out=`` (a buffer, or the gradient itself) changes where Δ goes,
    never its value; rules with slots return new arrays and leave the buffer alone."""
    from bpviewer.core.engine.optimizers import Optimizer

    rng = np.random.default_rng(5)
    w, g = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    settings = OptimizerSettings(name=name, learning_rate=LR, weight_decay=decay)
    opt = Optimizer(settings, decays=[True], frozen=[frozen])
    state = opt.initial_state([w])
    state.slots = [tuple(rng.uniform(0.0, 1.0, (4, 3)) for _ in s) for s in state.slots]
    expected, expected_slot = opt.delta(0, g.copy(), w, state)
    given = g.copy()
    out = given if into == "gradient" else np.full_like(w, np.nan)
    got, slot = opt.delta(0, given, w, state, out)
    np.testing.assert_array_equal(got, expected)
    for a, b in zip(slot, expected_slot, strict=True):
        np.testing.assert_array_equal(a, b)
    writes = name == "sgd"  # the one rule without slots
    assert (got is out) == writes
    if not writes:
        np.testing.assert_array_equal(given, g)  # the gradient is left as it was
