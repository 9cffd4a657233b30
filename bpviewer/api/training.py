"""``bpv.train`` and ``bpv.gradcheck``: the engine's training run and gradient check, from
Python."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bpviewer.api.inputs import samples
from bpviewer.core.data.datasets import Dataset
from bpviewer.core.engine.network import Network
from bpviewer.core.files.project import Project
from bpviewer.core.training.settings import TrainingSettings


@dataclass(frozen=True, eq=False)
class History:
    """A training run: ``losses`` (n,) of every iteration (the batch's loss before its
    update), ``epoch_losses`` (epochs,) the epoch means, the final ``network``, and why the
    run ended (``reason``: done, target, watch; ``message`` says what a watchpoint saw)."""

    network: Network
    losses: np.ndarray
    epoch_losses: np.ndarray
    iterations: int
    reason: str
    message: str
    final_loss: float
    _trainer: Any

    def restore(self, iteration: int) -> Network:
        """The network as it was before ``iteration``'s update (exact: replayed)."""
        return self._trainer.restore(iteration)[0]

    def __repr__(self) -> str:
        return (
            f"<History: {self.iterations:,} iterations, {self.reason}, "
            f"final loss {self.final_loss:.6g}>"
        )


def _dataset(net: Network, data: Any) -> Dataset:
    if isinstance(data, Dataset):
        return data
    if isinstance(data, Project):
        return data.dataset
    try:
        x, t = data
    except (TypeError, ValueError):
        raise TypeError("data must be (inputs, targets), a Dataset or a project") from None
    xs, ts = samples(net, x, t)
    return Dataset(xs, ts)


def train(
    net: Network,
    data: Any,
    *,
    iterations: int | None = None,
    epochs: int | None = None,
    target_loss: float | None = None,
    loss: str = "half_sse",
    learning_rate: float = 0.5,
    watch: bool = True,
    **settings: Any,
) -> History:
    """Train a copy of ``net`` on ``data`` (``(inputs (N, n_0), targets (N, n_L))``, a
    ``Dataset`` or a project) for ``iterations`` or ``epochs`` (or until the epoch-mean
    loss is below ``target_loss``); ``net`` itself is not changed.

    Other keywords are training settings (``batch_size=4``, ``optimizer="adam"`` …).
    With ``watch`` the run stops on NaN/∞ (with the last finite parameters) or on a
    diverging loss, and ``History.message`` says why.

    >>> import bpviewer as bpv
    >>> x = [[0, 0], [0, 1], [1, 0], [1, 1]]; t = [[0], [1], [1], [0]]
    >>> net = bpv.Network.init([2, 3, 1], "sigmoid", biases=True, seed=3)
    >>> h = bpv.train(net, (x, t), epochs=2000, learning_rate=2.0, batch_size="full")
    >>> h.losses.shape, bool(h.final_loss < h.losses[0])
    ((2000,), True)
    """
    if iterations is None and epochs is None and target_loss is None:
        raise ValueError("give iterations, epochs or target_loss (or the run never ends)")
    from bpviewer.core.training.trainer import Trainer
    from bpviewer.core.training.training_run import Watch, training_run

    training = TrainingSettings(loss=loss, learning_rate=learning_rate, **settings)
    trainer = Trainer(net, training, _dataset(net, data))
    run = training_run(
        trainer,
        iterations=iterations,
        epochs=epochs,
        target_loss=target_loss,
        watch=Watch() if watch else Watch(nan=False, growth=None),
        pause=0.0,
    )
    losses = []
    try:
        while True:
            losses.append(next(run).losses)
    except StopIteration as stop:
        result = stop.value
    return History(
        result.network,
        np.concatenate(losses) if losses else np.empty(0),
        np.asarray(result.epoch_means, dtype=np.float64),
        result.iterations,
        result.reason,
        result.trip.message if result.trip is not None else "",
        result.final_loss,
        trainer,
    )


def gradcheck(net: Network, x: Any, target: Any, *, loss: str = "half_sse", **options: Any):
    """Analytic gradients against central differences (in extended precision) on ``x``
    (n_0,) or (B, n_0) and ``target``; a result with ``passed``,
    ``max_relative_error`` and an entry per parameter.

    >>> import bpviewer as bpv
    >>> net = bpv.Network.init([3, 4, 2], "tanh", biases=True, seed=2)
    >>> bpv.gradcheck(net, [0.1, -0.4, 0.8], [0.5, -0.5]).passed
    True
    """
    from bpviewer.core.engine.gradcheck import gradient_check

    xs, ts = samples(net, x, target)
    return gradient_check(net, loss, xs, ts, **options)
