"""History: every loss kept, snapshots thinned within a budget, restore bit-exact."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bpviewer.core.engine.optimizers import OPTIMIZERS
from bpviewer.core.files.examples import load_example
from bpviewer.core.training.history import History
from bpviewer.core.training.trainer import Trainer


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("kernel", ["scalar", "numpy"])
def test_restore_is_bit_exact_after_thinning(optimizer, kernel):
    p = load_example("xor")
    training = dataclasses.replace(
        p.training, optimizer=optimizer, shuffle=True, seed=5, learning_rate=0.05
    )
    trainer = Trainer(p.network, training, p.dataset, memory_budget=4096, kernel=kernel)
    trainer.run(10_000)
    history = trainer.history
    assert len(history) == 10_000
    assert history.stride > 8, "the tiny budget must have thinned the snapshots"
    assert history.nbytes < 4096 + history.losses.nbytes * 2 + 1024 * 8 * 2
    for iteration in (0, 1, 4_999, 9_999):
        restored, state = trainer.restore(iteration)
        fresh = Trainer(p.network, training, p.dataset, history=False, kernel=kernel)
        fresh.run(iteration)
        for a, b in zip(restored.parameters(), fresh.network.parameters(), strict=True):
            np.testing.assert_array_equal(a, b)
        assert state.t == fresh.optimizer_state.t
        for sa, sb in zip(state.slots, fresh.optimizer_state.slots, strict=True):
            for a, b in zip(sa, sb, strict=True):
                np.testing.assert_array_equal(a, b)
        # and the loss recorded for that iteration is what the restored parameters give
        check = Trainer(
            restored,
            training,
            p.dataset,
            history=False,
            kernel=kernel,
            optimizer_state=state,
            start_iteration=iteration,
        )
        assert check.step() == history.losses[iteration]


def test_every_loss_is_kept_and_matches_the_run():
    p = load_example("circle")
    trainer = Trainer(p.network, p.training, p.dataset)
    losses = np.concatenate(list(trainer.chunks(1000, chunk=300)))
    np.testing.assert_array_equal(trainer.history.losses, losses)
    np.testing.assert_array_equal(trainer.history.iterations, np.arange(1000))


def test_restore_outside_the_run_is_refused():
    p = load_example("seed")
    trainer = Trainer(p.network, p.training, p.dataset)
    trainer.run(5)
    with pytest.raises(ValueError, match="outside the run"):
        trainer.restore(6)
    assert trainer.restore(5)[0].same_as(trainer.network)


def test_loss_buffer_doubles():
    h = History()
    for k in range(5000):
        h.append_loss(float(k))
    h.extend_losses(np.arange(5000.0, 7000.0))
    np.testing.assert_array_equal(h.losses, np.arange(7000.0))
