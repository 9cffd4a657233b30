"""A handshake between a training worker and a thread that paints."""

from __future__ import annotations

import threading

GATE_TIMEOUT = 0.25  # a worker never waits longer than this for a painter


class PaintGate:
    """A handshake that lets a GUI thread paint without the training worker in its way.

    NumPy drops and retakes the GIL around its calls; each drop hands a busy worker the GIL
    for a whole switch interval (5 ms), so a paint of a few milliseconds could take fifty.
    The painter calls :meth:`close` (which waits until the worker has parked at its next
    breather, at most a few milliseconds), paints, then :meth:`open`.
    """

    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()
        self._parked = threading.Event()

    def is_set(self) -> bool:
        """Whether the worker may run."""
        return self._open.is_set()

    def close(self, wait: float = 0.012) -> None:
        """Ask the worker to park and wait (a little) until it has."""
        self._parked.clear()
        self._open.clear()
        self._parked.wait(wait)

    def open(self) -> None:
        """Let the worker go on."""
        self._open.set()

    def park(self) -> None:
        """(Worker) wait while the gate is closed."""
        self._parked.set()
        self._open.wait(GATE_TIMEOUT)
