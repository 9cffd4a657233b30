"""The fast training path agrees with the traced step machine; batches, epochs, shuffling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bpviewer.core.data.datasets import Dataset
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.stepper import StepMachine
from bpviewer.core.files.examples import load_example
from bpviewer.core.training.settings import TrainingSettings
from bpviewer.core.training.trainer import Trainer, data_loss
from tests.strategies import optimizers, problems


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


def _nudged(network, seed: int | None = None):
    """The same network with every parameter moved by one unit in the last place: all up,
    or (with ``seed``) each up or down at random, as rounding differences fall."""
    out = network.copy()
    rng = None if seed is None else np.random.default_rng(seed)
    for p in out.parameters():
        if rng is None:
            p[...] = np.nextafter(p, np.inf)
        else:
            p[...] = np.nextafter(p, np.where(rng.random(p.shape) < 0.5, -np.inf, np.inf))
    return out


def _permutations(network, seed: int) -> list[np.ndarray]:
    """A random order of the units of every layer (inputs and outputs kept in place)."""
    rng = np.random.default_rng(seed)
    sizes = network.layer_sizes
    return [
        np.arange(n) if l in (0, len(sizes) - 1) else rng.permutation(n)
        for l, n in enumerate(sizes)
    ]


def _permuted(network, perms):
    """The same function with its hidden units reordered: every sum runs in another order."""
    out = network.copy()
    for l in range(network.n_layers):
        out.weights[l] = network.weights[l][np.ix_(perms[l], perms[l + 1])].copy()
        if network.biases[l] is not None:
            out.biases[l] = network.biases[l][perms[l + 1]].copy()
    return out


def _unpermuted_run(run, network, perms):
    """A run of the permuted network, its parameters put back in the original order."""
    inverse = [np.argsort(p) for p in perms]
    out = []
    for loss, params in run:
        it = iter(params)
        back = []
        for l in range(network.n_layers):
            back.append(next(it)[np.ix_(inverse[l], inverse[l + 1])])
            if network.biases[l] is not None:
                back.append(next(it)[inverse[l + 1]])
        out.append((loss, back))
    return out


def _max_difference(run_a, run_b) -> float:
    worst = 0.0
    for (_, pa), (_, pb) in zip(run_a, run_b, strict=True):
        for a, b in zip(pa, pb, strict=True):
            with np.errstate(all="ignore"):
                d = np.abs(a - b) / (1.0 + np.abs(b))
            worst = max(worst, float(np.nanmax(d, initial=0.0)))
    return worst


SETTINGS = dict(
    problem=problems(max_depth=3, max_size=4, max_samples=6),
    optimizer=optimizers,
    shuffle=st.booleans(),
    decay=st.sampled_from([0.0, 0.01]),
    update_biases=st.booleans(),
)


def _setup(problem, optimizer, shuffle, decay, update_biases, max_batch=6):
    network, loss, x, t, batch = problem
    training = TrainingSettings(
        loss=loss,
        learning_rate=0.1,
        batch_size=min(batch, max_batch),
        optimizer=optimizer,
        shuffle=shuffle,
        seed=3,
        weight_decay=decay,
        update_biases=update_biases,
    )
    return network, training, Dataset(x, t)


@given(**SETTINGS)
def test_numpy_fast_path_is_bit_identical_to_traced_path(
    problem, optimizer, shuffle, decay, update_biases
):
    network, training, data = _setup(problem, optimizer, shuffle, decay, update_biases)
    trainer = Trainer(network, training, data, kernel="numpy")
    for loss_traced, params_traced in _traced_run(network, training, data, trainer, 50):
        np.testing.assert_array_equal(trainer.step(), loss_traced)
        for a, b in zip(trainer.network.parameters(), params_traced, strict=True):
            np.testing.assert_array_equal(a, b)


@given(**SETTINGS)
def test_scalar_fast_path_agrees_with_traced_path(
    problem, optimizer, shuffle, decay, update_biases
):
    """The scalar kernel does the same operations in the same order on Python floats, but
    ``math.exp`` and NumPy's SIMD ``exp`` (and BLAS's fused dot products) may differ in the
    last bit.  Where the training trajectory itself amplifies a one-ulp change of the start
    weights beyond 1e-13 in 50 iterations (divergence, chaos, Adam normalising gradients that
    should be exactly zero), no two float implementations can agree to 1e-12, so such
    trajectories are measured and set aside; every other one must agree to 1e-12.  The
    probes are the same run with the weights nudged by one ulp (all up, and in random
    directions) and with the hidden units reordered, which changes the order of every sum
    as the two kernels' orders differ.  Nudges alone missed trajectories that amplify
    rounding differences: a linear network blowing up to 1e19, and an Adam run whose dead
    ReLU unit gets gradients that cancel to ±1e-17 in one summation order and to 0 in
    another (Adam then takes a full step either way).  With HYPOTHESIS_PROFILE=thorough,
    1,000 examples pass and 86 (8%) are set aside."""
    network, training, data = _setup(problem, optimizer, shuffle, decay, update_biases, 4)
    trainer = Trainer(network, training, data, kernel="scalar")
    expected = _traced_run(network, training, data, trainer, 50)
    probes = [
        _traced_run(_nudged(network, seed), training, data, trainer, 50) for seed in (None, 0)
    ]
    perms = _permutations(network, 1)
    probes.append(
        _unpermuted_run(
            _traced_run(_permuted(network, perms), training, data, trainer, 50), network, perms
        )
    )
    sensitivity = max(_max_difference(expected, probe) for probe in probes)
    assume(sensitivity < 1e-13)
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
    from bpviewer.core.engine.network import Network

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


@pytest.mark.parametrize(
    ("sizes", "batch"),
    [([2, 3, 1], 4), ([3, 5, 4, 2], 6)],  # the scalar kernel, then the NumPy kernel
)
def test_gradient_norms_per_layer_match_finite_differences(sizes, batch):
    """What Inside the network plots: ‖∂E/∂W_l‖ of each step, per layer, against the norm of
    numerical derivatives (central differences in extended precision) at the same weights."""
    from bpviewer.core.engine.gradcheck import gradient_check

    rng = np.random.default_rng(5)
    net = Network.initialised(sizes, ["tanh"] * (len(sizes) - 2) + ["sigmoid"], seed=3, bias=True)
    data = Dataset(rng.normal(size=(batch, sizes[0])), rng.uniform(0, 1, (batch, sizes[-1])))
    settings = TrainingSettings(loss="mse", batch_size=batch, shuffle=False, learning_rate=0.1)
    trainer = Trainer(net, settings, data, history=False, record_gradient_norms=True)
    trainer.step()
    numerical = gradient_check(net, "mse", data.inputs, data.targets)
    for l, norm in enumerate(trainer.last_gradient_norms):
        derivs = [e.numerical for e in numerical.entries if e.kind == "w" and e.layer == l + 1]
        assert len(derivs) == sizes[l] * sizes[l + 1]
        assert norm == pytest.approx(float(np.linalg.norm(derivs)), rel=1e-8)


@pytest.mark.parametrize("batch", [16, 12])
def test_numpy_kernel_on_a_wider_network_is_bit_identical_to_the_step_machine(batch):
    """Sizes where BLAS blocks its products (and softmax with cross-entropy, shuffled
    batches gathered into buffers, a smaller last batch, gradient norms recorded)."""
    rng = np.random.default_rng(7)
    x = rng.uniform(0.0, 1.0, (100, 96))
    t = np.eye(10)[rng.integers(0, 10, 100)]
    net = Network.initialised([96, 40, 10], ["sigmoid", "softmax"], seed=1, bias=True)
    training = TrainingSettings(
        loss="cross_entropy", learning_rate=0.3, batch_size=batch, shuffle=True, seed=2
    )
    data = Dataset(x, t)
    trainer = Trainer(net, training, data, kernel="numpy", record_gradient_norms=True)
    iterations = 2 * trainer.batches_per_epoch + 1
    for loss_traced, params_traced in _traced_run(net, training, data, trainer, iterations):
        assert trainer.step() == loss_traced
        for a, b in zip(trainer.network.parameters(), params_traced, strict=True):
            np.testing.assert_array_equal(a, b)
