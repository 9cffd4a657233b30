"""The fast training path: many iterations with no records and no formula strings.

An **iteration** is one update on one batch; an **epoch** is one pass over the training
data.  Batch ``k`` of epoch ``e`` takes rows ``order_e[k·B : (k+1)·B]`` (the last batch of an
epoch may be smaller), where ``order_e`` is the identity, or a permutation drawn from
``(training.seed, e)`` when shuffling: the position in the data follows from the iteration
number alone, so replaying from a snapshot needs nothing else.

Each iteration runs in a kernel: :class:`~bpviewer.core.training.numpy_kernel.NumpyKernel` (the step
machine's own arithmetic) or, for tiny networks where NumPy's per-call overhead dominates,
:class:`~bpviewer.core.training.scalar_kernel.ScalarKernel` (the same operations on Python floats).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from bpviewer.core.data.datasets import Dataset
from bpviewer.core.engine.activations import QUIET
from bpviewer.core.engine.losses import get_loss
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.optimizers import OptimizerState
from bpviewer.core.engine.stepper import make_optimizer
from bpviewer.core.training import scalar_kernel
from bpviewer.core.training.history import History
from bpviewer.core.training.numpy_kernel import NumpyKernel
from bpviewer.core.training.scalar_kernel import ScalarKernel
from bpviewer.core.training.settings import TrainingSettings

KERNELS = ("auto", "numpy", "scalar")


def data_loss(network: Network, loss: str, inputs: np.ndarray, targets: np.ndarray) -> float:
    """Mean loss of ``network`` over all rows of ``inputs`` (N, n) / ``targets`` (N, K),
    without any L2 term."""
    zs, activations = network.forward_pass(inputs)
    with np.errstate(**QUIET):
        return float(get_loss(loss).per_sample(zs[-1], activations[-1], targets).mean())


class Trainer:
    """Trains a copy of ``network`` on ``dataset`` with ``training``'s settings.

    Read :attr:`network` between iterations for the current parameters.  ``history`` (None
    when off) records every iteration's loss and snapshots within ``memory_budget`` bytes.
    """

    def __init__(
        self,
        network: Network,
        training: TrainingSettings,
        dataset: Dataset,
        *,
        history: bool = True,
        memory_budget: int = 64 * 2**20,
        optimizer_state: OptimizerState | None = None,
        start_iteration: int = 0,
        kernel: str = "auto",
        record_gradient_norms: bool = False,
    ) -> None:
        get_loss(training.loss).check_pairing(network.activations[-1])
        self.training = training
        self.dataset = dataset
        self.n_samples = dataset.n_samples
        self.batch_size = training.batch_length(self.n_samples)
        self.batches_per_epoch = -(-self.n_samples // self.batch_size)
        self.iteration = start_iteration
        self._network = network.copy()
        self._shapes = [p.shape for p in self._network.parameters()]
        optimizer = make_optimizer(
            self._network, training.optimizer_settings(), training.update_biases
        )
        state = optimizer_state or optimizer.initial_state(self._network.parameters())
        self._slot_shapes = [[s.shape for s in slot] for slot in state.slots]
        if kernel not in KERNELS:
            raise ValueError(f"unknown kernel {kernel!r} (choose one of: {', '.join(KERNELS)})")
        if kernel == "auto":
            kernel = "scalar" if scalar_kernel.suits(network, self.batch_size) else "numpy"
        self.kernel_name = kernel
        cls = ScalarKernel if kernel == "scalar" else NumpyKernel
        self.kernel = cls(self._network, training.loss, optimizer, state, record_gradient_norms)
        self.history = History(memory_budget, start_iteration) if history else None
        # the scalar kernel reads rows as lists: convert the data once, not per iteration
        self._rows_as_lists = (
            (dataset.inputs.tolist(), dataset.targets.tolist()) if kernel == "scalar" else None
        )
        self._order_epoch = -1
        self._gathered: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._order: np.ndarray | None = None
        self._memory_budget = memory_budget

    # ------------------------------------------------------------------ state
    @property
    def n_layers(self) -> int:
        """Weight layers of the network trained."""
        return self._network.n_layers

    @property
    def epoch(self) -> float:
        """Epochs done: iterations / batches per epoch."""
        return self.iteration / self.batches_per_epoch

    @property
    def network(self) -> Network:
        """The current network (a fresh copy, safe to keep)."""
        flat = np.asarray(self.kernel.flat_parameters(), dtype=np.float64)
        return network_from_flat(self._network, flat)

    @property
    def optimizer_state(self) -> OptimizerState:
        """The current optimiser state (a copy)."""
        return self.kernel.optimizer_state(self._shapes).copy()

    def batch_rows(self, iteration: int) -> np.ndarray | slice:
        """Rows of the training data used by ``iteration``."""
        epoch, k = divmod(iteration, self.batches_per_epoch)
        lo, hi = k * self.batch_size, min((k + 1) * self.batch_size, self.n_samples)
        if not self.training.shuffle:
            return slice(lo, hi)
        if epoch != self._order_epoch:
            rng = np.random.default_rng([self.training.seed, epoch])
            self._order = rng.permutation(self.n_samples)
            self._order_epoch = epoch
        assert self._order is not None
        return self._order[lo:hi]

    # ------------------------------------------------------------------ running
    def step(self) -> float:
        """Run one iteration (forward, backward, update) and return the loss of its Forward."""
        history = self.history
        if history is not None and history.wants_snapshot(self.iteration):
            state = self.kernel.optimizer_state(self._shapes)
            slots = [v for slot in state.slots for a in slot for v in np.ravel(a)]
            history.add_snapshot(self.iteration, self.kernel.flat_parameters(), state.t, slots)
        rows = self.batch_rows(self.iteration)
        if self._rows_as_lists is None:
            loss = self.kernel.step(*self._batch(rows))
        else:
            xs, ts = self._rows_as_lists
            if isinstance(rows, slice):
                loss = self.kernel.step_lists(xs[rows], ts[rows])
            else:
                loss = self.kernel.step_lists([xs[i] for i in rows], [ts[i] for i in rows])
        self.iteration += 1
        if history is not None:
            history.append_loss(loss)
        return loss

    def _batch(self, rows: np.ndarray | slice) -> tuple[np.ndarray, np.ndarray]:
        """The batch's inputs (B, n) and targets (B, K): views for a slice; shuffled rows
        gathered into buffers kept per batch size (no new arrays per iteration)."""
        x, t = self.dataset.inputs, self.dataset.targets
        if isinstance(rows, slice) or x.dtype != np.float64 or t.dtype != np.float64:
            return x[rows], t[rows]
        size = len(rows)
        buffers = self._gathered.get(size)
        if buffers is None:
            buffers = self._gathered[size] = (
                np.empty((size, x.shape[1])),
                np.empty((size, t.shape[1])),
            )
        # "clip": the rows are a permutation's, always in range; the default "raise" would
        # gather into a temporary array first and copy that into the buffer
        return np.take(x, rows, 0, buffers[0], "clip"), np.take(t, rows, 0, buffers[1], "clip")

    def run(self, iterations: int, should_stop: Callable[[], bool] | None = None) -> int:
        """Run up to ``iterations`` iterations; returns how many ran."""
        step = self.step
        if should_stop is None:
            for _ in range(iterations):
                step()
            return iterations
        for done in range(iterations):
            if should_stop():
                return done
            step()
        return iterations

    def chunks(self, iterations: int, chunk: int = 256) -> Iterator[np.ndarray]:
        """Run ``iterations`` iterations, yielding each chunk's losses (a new array)."""
        left = iterations
        while left > 0:
            n = min(chunk, left)
            losses = np.empty(n)
            for k in range(n):
                losses[k] = self.step()
            left -= n
            yield losses

    @property
    def last_gradient_norms(self) -> list[float] | None:
        """‖∂E/∂W‖ of each layer in the last iteration (with ``record_gradient_norms``)."""
        return self.kernel.grad_norms

    # ------------------------------------------------------------------ history
    def restore(self, iteration: int) -> tuple[Network, OptimizerState]:
        """Parameters and optimiser state as they were before ``iteration``'s update.

        Bit-exact: from the kept snapshot at or before ``iteration``, the remaining
        iterations are replayed with this run's own kernel.
        """
        if self.history is None:
            raise ValueError("this training run kept no history")
        if not self.history.start <= iteration <= self.iteration:
            raise ValueError(
                f"iteration {iteration} is outside the run "
                f"({self.history.start} to {self.iteration})"
            )
        if iteration == self.iteration:
            return self.network, self.optimizer_state
        snap = self.history.nearest_snapshot(iteration)
        replay = Trainer(
            network_from_flat(self._network, snap.params),
            self.training,
            self.dataset,
            history=False,
            optimizer_state=snap.optimizer_state(self._slot_shapes),
            start_iteration=snap.iteration,
            kernel=self.kernel_name,
        )
        replay.run(iteration - snap.iteration)
        return replay.network, replay.optimizer_state


def network_from_flat(template: Network, flat: np.ndarray) -> Network:
    """A new network shaped like ``template`` with parameters from ``flat`` (layout order)."""
    net = template.copy()
    at = 0
    for p in net.parameters():
        p[...] = flat[at : at + p.size].reshape(p.shape)
        at += p.size
    return net
