"""The rule registries: every entry works in every path, and a new one registered at run
time works everywhere with nothing else to edit."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from bpviewer.core.data.datasets import Dataset
from bpviewer.core.engine.activations import (
    ACTIVATIONS,
    Activation,
    get_activation,
    register_activation,
    unregister_activation,
)
from bpviewer.core.engine.decision import threshold
from bpviewer.core.engine.formulas import evaluate, explain
from bpviewer.core.engine.gradcheck import gradient_check
from bpviewer.core.engine.losses import LOSSES, get_loss
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.optimizers import OPTIMIZERS, get_rule
from bpviewer.core.engine.stepper import StepMachine
from bpviewer.core.files.export import markdown, to_latex
from bpviewer.core.files.project import Project, load_project, save_project
from bpviewer.core.training.settings import TrainingSettings
from bpviewer.core.training.trainer import Trainer

# ---------------------------------------------------------------------- a toy activation


def _softsign(z, out=None):
    value = z / (1.0 + np.abs(z))
    if out is None:
        return value
    out[...] = value
    return out


def _softsign_prime(z, a, out=None):
    value = (1.0 - np.abs(a)) * (1.0 - np.abs(a))
    if out is None:
        return value
    out[...] = value
    return out


SOFTSIGN = Activation(
    "softsign",
    "ssg",
    r"\operatorname{ssg}",
    _softsign,
    _softsign_prime,
    lambda z: z / (1.0 + abs(z)),
    lambda z: (1.0 - abs(z / (1.0 + abs(z)))) ** 2,
    lambda z: f"({z} / (1.0 + abs({z})))",
    lambda z, a: f"((1.0 - abs({a})) * (1.0 - abs({a})))",
    split=0.0,
)


@pytest.fixture
def softsign():
    register_activation(SOFTSIGN)
    yield SOFTSIGN
    unregister_activation("softsign")


def _problem(hidden: str, output: str = "sigmoid", loss: str = "half_sse", k: int = 1):
    rng = np.random.default_rng(3)
    net = Network.initialised([3, 4, k], [hidden, output], seed=2, bias=True)
    x = rng.normal(size=(4, 3))
    t = np.eye(k)[rng.integers(0, k, 4)] if loss == "cross_entropy" else rng.uniform(size=(4, k))
    return net, x, t


def test_a_toy_activation_works_everywhere(softsign, tmp_path):
    net, x, t = _problem("softsign")
    # step machine, with every formula's expression reproducing its value
    machine = StepMachine(net.copy(), "half_sse", TrainingSettings().optimizer_settings(), x, t)
    records = machine.run_iteration()
    for record in records:
        for f in explain(record):
            assert math.isclose(evaluate(f.expression), f.value, rel_tol=1e-9, abs_tol=1e-12)
    symbols = {f.symbolic for r in records for f in explain(r)}
    assert any("ssg(" in s for s in symbols) and any("ssg′(" in s for s in symbols)
    # gradient check against finite differences
    assert gradient_check(net, "half_sse", x, t).passed
    # training with both kernels
    settings = TrainingSettings(learning_rate=0.3, batch_size=2)
    trained = {}
    for kernel in ("numpy", "scalar"):
        trainer = Trainer(net, settings, Dataset(x, t), kernel=kernel)
        trainer.run(30)
        trained[kernel] = np.concatenate([p.ravel() for p in trainer.network.parameters()])
    np.testing.assert_allclose(trained["numpy"], trained["scalar"], rtol=1e-12, atol=1e-14)
    # export and the decision split
    assert r"\operatorname{ssg}(" in markdown(records, "toy")
    assert to_latex("ssg′(z)") == r"\operatorname{ssg}'(z)"
    assert threshold("softsign") == 0.0
    # a project file round trip
    spec = {"inputs": x.tolist(), "targets": t.tolist()}
    project = Project(net, settings, spec, Dataset(x, t), name="toy")
    save_project(project, tmp_path / "toy.json")
    again = load_project(tmp_path / "toy.json")
    assert again.network.activations == ("softsign", "sigmoid")
    assert again.network.same_as(net)


def test_the_toy_activation_is_gone_once_unregistered(softsign):
    unregister_activation("softsign")
    with pytest.raises(ValueError, match="unknown activation 'softsign'"):
        get_activation("softsign")


@pytest.mark.parametrize(
    "facet", ["derivative", "scalar", "scalar_prime", "source", "source_prime", "latex"]
)
def test_an_entry_missing_a_facet_is_refused_naming_it(facet):
    broken = dataclasses.replace(SOFTSIGN, **{facet: None if facet != "latex" else ""})
    with pytest.raises(ValueError, match=f"lacks {facet}"):
        register_activation(broken)
    assert "softsign" not in ACTIVATIONS


@pytest.mark.parametrize("name", ["swish", None, 3])
def test_unknown_names_raise_where_they_are_looked_up(name):
    with pytest.raises(ValueError, match="unknown activation"):
        get_activation(name)
    with pytest.raises(ValueError, match="unknown loss"):
        get_loss(name)
    with pytest.raises(ValueError, match="unknown optimizer"):
        get_rule(name)


# ---------------------------------------------------------------------- every entry, every path


def _cases():
    for loss_name, loss in LOSSES.items():
        outputs = [a for a in ACTIVATIONS if loss.allows(a)]
        for hidden in (a for a, act in ACTIVATIONS.items() if not act.output_only):
            for optimizer in OPTIMIZERS:
                yield pytest.param(
                    hidden,
                    outputs[0],
                    loss_name,
                    optimizer,
                    id=f"{hidden}-{outputs[0]}-{loss_name}-{optimizer}",
                )
        for output in outputs:
            yield pytest.param(
                "tanh", output, loss_name, "sgd", id=f"tanh-{output}-{loss_name}-sgd"
            )


@pytest.mark.parametrize(("hidden", "output", "loss", "optimizer"), list(_cases()))
def test_every_rule_agrees_in_the_traced_path_and_both_kernels(hidden, output, loss, optimizer):
    """Traced step machine = NumPy kernel bit for bit; the scalar kernel to 1e-12: a rule
    missing a facet, or computing it otherwise, fails here and not in a user's Train."""
    k = 3 if output == "softmax" else 2
    net, x, t = _problem(hidden, output, loss, k)
    settings = TrainingSettings(
        loss=loss, learning_rate=0.1, optimizer=optimizer, batch_size=2, weight_decay=0.01
    )
    machine = StepMachine(net.copy(), loss, settings.optimizer_settings(), x[:2], t[:2])
    for start in (0, 2, 0):
        machine.set_batch(x[start : start + 2], t[start : start + 2])
        machine.run_iteration()
    flat = {}
    for kernel in ("numpy", "scalar"):
        trainer = Trainer(net, settings, Dataset(x, t), kernel=kernel)
        trainer.run(3)
        flat[kernel] = np.concatenate([p.ravel() for p in trainer.network.parameters()])
    traced = np.concatenate([p.ravel() for p in machine.network.parameters()])
    np.testing.assert_array_equal(traced, flat["numpy"])
    np.testing.assert_allclose(flat["scalar"], flat["numpy"], rtol=1e-12, atol=1e-15)
