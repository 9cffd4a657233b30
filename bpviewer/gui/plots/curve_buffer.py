"""A growing (x, y) buffer for live curves: preallocated, doubling when full, so appending a
chunk never copies the whole series (``np.append`` per point would)."""

from __future__ import annotations

import numpy as np


class CurveBuffer:
    """x and y float64 arrays with spare capacity; :meth:`data` returns views."""

    def __init__(self, capacity: int = 1024, width: int = 1) -> None:
        self._x = np.empty(capacity)
        self._y = np.empty((capacity, width))
        self.n = 0

    def append(self, x: np.ndarray, y: np.ndarray) -> None:
        """Add points; ``y`` is (n,) or (n, width)."""
        x = np.asarray(x, dtype=np.float64)
        if not x.shape[0]:
            return  # an empty chunk (a run stopped before its first iteration)
        y = np.asarray(y, dtype=np.float64).reshape(x.shape[0], -1)
        need = self.n + x.shape[0]
        if need > self._x.shape[0]:
            size = self._x.shape[0]
            while size < need:
                size *= 2
            gx, gy = np.empty(size), np.empty((size, self._y.shape[1]))
            gx[: self.n], gy[: self.n] = self._x[: self.n], self._y[: self.n]
            self._x, self._y = gx, gy
        self._x[self.n : need] = x
        self._y[self.n : need] = y
        self.n = need

    def data(self, column: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Views of the points so far (do not write)."""
        return self._x[: self.n], self._y[: self.n, column]

    @property
    def capacity(self) -> int:
        """Points that fit before the next doubling."""
        return self._x.shape[0]
