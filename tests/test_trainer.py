"""The fast training path agrees with the traced step machine; batches, epochs, shuffling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpviewer.core.datasets import Dataset
from bpviewer.core.examples import load_example
from bpviewer.core.project import TrainingSettings
from bpviewer.core.stepper import StepMachine
from bpviewer.core.trainer import Trainer, data_loss
from tests.strategies import problems


def _traced_run(network, training, dataset, trainer, iterations):
    """Step machine over the same batches as ``trainer``: losses and parameters per iteration."""
    machine = StepMachine(
        network.copy(),
        training.loss,
        training.optimizer_settings(),
        dataset.inputs[:1],
        dataset.targets[:1],
        update_biases=training.update_biases,
    )
    out = []
    for it in range(iterations):
        rows = trainer.batch_rows(it)
        machine.set_batch(dataset.inputs[rows], dataset.targets[rows])
        machine.run_iteration()
        out.append((machine.results["loss"], [p.copy() for p in machine.network.parameters()]))
    return out


@pytest.mark.parametrize("kernel", ["numpy", "scalar"])
@given(
    problem=problems(max_depth=3, max_size=4, max_samples=6),
    optimizer=st.sampled_from(["sgd", "momentum", "adam"]),
    shuffle=st.booleans(),
    decay=st.sampled_from([0.0, 0.01]),
    update_biases=st.booleans(),
)
def test_fast_path_agrees_with_traced_path(
    kernel, problem, optimizer, shuffle, decay, update_biases
):
    network, loss, x, t, batch = problem
    if kernel == "scalar" and batch > 4:
        batch = 4
    training = TrainingSettings(
        loss=loss,
        learning_rate=0.1,
        batch_size=batch,
        optimizer=optimizer,
        shuffle=shuffle,
        seed=3,
        weight_decay=decay,
        update_biases=update_biases,
    )
    data = Dataset(x, t)
    trainer = Trainer(network, training, data, kernel=kernel)
    expected = _traced_run(network, training, data, trainer, 50)
    for it, (loss_traced, params_traced) in enumerate(expected):
        loss_fast = trainer.step()
        np.testing.assert_allclose(
            loss_fast, loss_traced, rtol=1e-12, atol=1e-12, err_msg=f"loss, iteration {it}"
        )
        for p_fast, p_traced in zip(trainer.network.parameters(), params_traced, strict=True):
            np.testing.assert_allclose(
                p_fast, p_traced, rtol=1e-12, atol=1e-12, err_msg=f"parameters after iteration {it}"
            )


def test_numpy_kernel_is_bit_identical_to_the_step_machine():
    p = load_example("spiral")
    trainer = Trainer(p.network, p.training, p.dataset, kernel="numpy")
    expected = _traced_run(p.network, p.training, p.dataset, trainer, 30)
    for loss_traced, params_traced in expected:
        assert trainer.step() == loss_traced
        for a, b in zip(trainer.network.parameters(), params_traced, strict=True):
            np.testing.assert_array_equal(a, b)


def test_auto_kernel_choice():
    seed = load_example("seed")
    assert Trainer(seed.network, seed.training, seed.dataset).kernel_name == "scalar"
    spiral = load_example("spiral")
    assert Trainer(spiral.network, spiral.training, spiral.dataset).kernel_name == "numpy"


def test_batches_epochs_and_the_smaller_last_batch():
    data = Dataset(np.arange(10.0)[:, None], np.zeros((10, 1)))
    from bpviewer.core.network import Network

    net = Network((1, 1), ("linear",), [[[0.0]]])
    trainer = Trainer(net, TrainingSettings(batch_size=4), data)
    assert trainer.batches_per_epoch == 3
    assert [trainer.batch_rows(i) for i in range(4)] == [
        slice(0, 4),
        slice(4, 8),
        slice(8, 10),
        slice(0, 4),
    ]
    trainer.run(6)
    assert trainer.epoch == 2.0
    shuffled = Trainer(net, TrainingSettings(batch_size=4, shuffle=True, seed=1), data)
    epoch0 = np.concatenate([shuffled.batch_rows(i) for i in range(3)])
    epoch1 = np.concatenate([shuffled.batch_rows(i) for i in range(3, 6)])
    assert sorted(epoch0) == list(range(10)) and sorted(epoch1) == list(range(10))
    assert list(epoch0) != list(epoch1)
    full = Trainer(net, TrainingSettings(batch_size="full"), data)
    assert full.batch_size == 10 and full.batches_per_epoch == 1


def test_training_reduces_the_loss_on_every_example():
    for name in ("xor", "circle", "gaussians", "spiral", "iris"):
        p = load_example(name)
        before = data_loss(p.network, p.training.loss, p.dataset.inputs, p.dataset.targets)
        trainer = Trainer(p.network, p.training, p.dataset, history=False)
        trainer.run(2000)
        after = data_loss(trainer.network, p.training.loss, p.dataset.inputs, p.dataset.targets)
        assert after < 0.7 * before, name
