"""Training history: the loss of every iteration and parameter snapshots within a budget.

Iteration i's entry holds the loss computed in its Forward and, when a snapshot was kept,
the parameters *before* its update together with the optimiser state, so training can
resume from there exactly.  Snapshots are kept every ``stride`` iterations; when they would
exceed ``memory_budget`` bytes the stride doubles and every other snapshot is dropped, so
older iterations are thinned while every loss stays.  Restoring a thinned iteration replays
from the nearest earlier snapshot (see :meth:`bpviewer.core.training.trainer.Trainer.restore`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpviewer.core.engine.optimizers import OptimizerState


@dataclass(frozen=True)
class Snapshot:
    """Parameters (flat, float64, layout order) and optimiser state before iteration
    ``iteration``'s update."""

    iteration: int
    params: np.ndarray
    optimizer_t: int
    optimizer_slots: np.ndarray

    def optimizer_state(self, slot_shapes: list[list[tuple[int, ...]]]) -> OptimizerState:
        """The optimiser state, unpacked into slots of the given shapes."""
        slots, at = [], 0
        for shapes in slot_shapes:
            arrays = []
            for shape in shapes:
                size = int(np.prod(shape))
                arrays.append(self.optimizer_slots[at : at + size].reshape(shape).copy())
                at += size
            slots.append(tuple(arrays))
        return OptimizerState(self.optimizer_t, slots)


class History:
    """Losses of all iterations (a buffer that doubles when full) and thinned snapshots."""

    def __init__(
        self,
        memory_budget: int = 64 * 2**20,
        start_iteration: int = 0,
        snapshot_stride: int = 8,
    ) -> None:
        self.memory_budget = int(memory_budget)
        self.start = start_iteration
        self._loss = np.empty(1024)
        self._n = 0
        self.stride = snapshot_stride
        self._count = 0
        self._row_bytes = 0
        self._params: np.ndarray | None = None

    # ------------------------------------------------------------------ losses
    def __len__(self) -> int:
        return self._n

    @property
    def losses(self) -> np.ndarray:
        """Loss of each recorded iteration, (n,), a view (do not write)."""
        return self._loss[: self._n]

    @property
    def iterations(self) -> np.ndarray:
        """Iteration numbers of :attr:`losses`, (n,)."""
        return np.arange(self.start, self.start + self._n)

    def append_loss(self, loss: float) -> None:
        """Record the loss of the next iteration."""
        if self._n == self._loss.shape[0]:
            grown = np.empty(2 * self._loss.shape[0])
            grown[: self._n] = self._loss
            self._loss = grown
        self._loss[self._n] = loss
        self._n += 1

    def extend_losses(self, losses: np.ndarray) -> None:
        """Record the losses of the next ``len(losses)`` iterations."""
        need = self._n + losses.shape[0]
        if need > self._loss.shape[0]:
            size = self._loss.shape[0]
            while size < need:
                size *= 2
            grown = np.empty(size)
            grown[: self._n] = self._loss[: self._n]
            self._loss = grown
        self._loss[self._n : need] = losses
        self._n = need

    # ------------------------------------------------------------------ snapshots
    def wants_snapshot(self, iteration: int) -> bool:
        """Whether a snapshot is due before ``iteration``'s update."""
        return (iteration - self.start) % self.stride == 0

    def add_snapshot(self, iteration: int, params, optimizer_t: int, slots) -> None:
        """Keep a snapshot (``params`` and ``slots`` flat sequences of floats); thin older
        ones by doubling the stride when the budget would be exceeded."""
        if self._params is None:
            p, s = len(params), len(slots)
            self._row_bytes = 8 * (p + s + 2)
            cap = max(1, min(1024, self.memory_budget // self._row_bytes))
            self._iters = np.empty(cap, dtype=np.int64)
            self._ts = np.empty(cap, dtype=np.int64)
            self._params = np.empty((cap, p))
            self._slots = np.empty((cap, s))
        if self._count == self._iters.shape[0]:
            if (2 * self._count) * self._row_bytes <= self.memory_budget:
                self._grow(2 * self._count)
            else:
                self._thin()
                if not self.wants_snapshot(iteration):
                    return
        k = self._count
        self._iters[k] = iteration
        self._ts[k] = optimizer_t
        self._params[k] = params
        self._slots[k] = slots
        self._count += 1

    def _grow(self, capacity: int) -> None:
        n = self._count
        for name in ("_iters", "_ts", "_params", "_slots"):
            old = getattr(self, name)
            new = np.empty((capacity, *old.shape[1:]), dtype=old.dtype)
            new[:n] = old[:n]
            setattr(self, name, new)

    def _thin(self) -> None:
        """Double the stride and keep only the snapshots on it (compacting in place)."""
        self.stride *= 2
        n = self._count
        keep = np.flatnonzero((self._iters[:n] - self.start) % self.stride == 0)
        m = keep.shape[0]
        for name in ("_iters", "_ts", "_params", "_slots"):
            arr = getattr(self, name)
            arr[:m] = arr[keep]
        self._count = m

    def nearest_snapshot(self, iteration: int) -> Snapshot:
        """The kept snapshot at or before ``iteration``."""
        iters = self._iters[: self._count] if self._count else np.empty(0, dtype=np.int64)
        k = int(np.searchsorted(iters, iteration, side="right")) - 1
        if k < 0:
            raise KeyError(f"no snapshot at or before iteration {iteration}")
        return Snapshot(
            int(iters[k]), self._params[k].copy(), int(self._ts[k]), self._slots[k].copy()
        )

    @property
    def snapshot_iterations(self) -> list[int]:
        """Iterations that have a kept snapshot, ascending."""
        return self._iters[: self._count].tolist() if self._count else []

    @property
    def nbytes(self) -> int:
        """Memory held by the losses buffer and the snapshot store."""
        store = 0 if self._params is None else self._iters.shape[0] * self._row_bytes
        return self._loss.nbytes + store
