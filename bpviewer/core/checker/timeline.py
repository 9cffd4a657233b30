"""The values a learner's code held, in the order it assigned them (recorded by
:mod:`bpviewer.core.checker.check_runner`), and how to look them up by name or by value."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

RTOL, ATOL = 1e-6, 1e-9


@dataclass(frozen=True)
class Event:
    """One value given to ``name`` in frame ``frame`` (an index) before line event ``seq``."""

    seq: int
    frame: int
    name: str
    value: np.ndarray | str  # an array (shape () for a number) or a type name

    @property
    def numeric(self) -> bool:
        """Whether the value is a number or an array of numbers."""
        return not isinstance(self.value, str)


def close(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal values within the checker's tolerance, whatever the shapes (same size)."""
    return a.size == b.size and bool(
        np.allclose(a.reshape(-1), b.reshape(-1), rtol=RTOL, atol=ATOL)
    )


@dataclass
class Timeline:
    """Every event of a run, with indexes by name and by value."""

    events: list[Event]
    frames: list[str]
    _by_name: dict[str, list[Event]] = field(default_factory=dict, repr=False)
    _by_size: dict[int, tuple[list[float], list[Event]]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, raw: dict) -> Timeline:
        """The runner's result file → a timeline."""
        values = [
            np.array(v["data"], dtype=np.float64).reshape(v["shape"]) if "data" in v else v["type"]
            for v in raw.get("values", [])
        ]
        events = [Event(int(s), int(f), str(n), values[i]) for s, f, n, i in raw.get("events", [])]
        return cls(events, list(raw.get("frames", [])))

    def __post_init__(self) -> None:
        by_size: dict[int, list[tuple[float, int, Event]]] = {}
        for i, e in enumerate(self.events):
            self._by_name.setdefault(e.name, []).append(e)
            if e.numeric and e.value.size:
                by_size.setdefault(e.value.size, []).append((float(e.value.flat[0]), i, e))
        for size, rows in by_size.items():
            rows.sort(key=lambda r: (r[0], r[1]))
            self._by_size[size] = ([r[0] for r in rows], [r[2] for r in rows])

    def frame_label(self, frame: int) -> str:
        """The function a frame runs (``<module>`` for the script itself)."""
        return self.frames[frame] if 0 <= frame < len(self.frames) else "?"

    def named(self, name: str) -> list[Event]:
        """Every event of a name (any frame), in order."""
        return self._by_name.get(name, [])

    def names(self) -> list[str]:
        """Every name that held a value."""
        return list(self._by_name)

    def with_value(
        self, value: np.ndarray, after: int = -1, until: int | None = None
    ) -> list[Event]:
        """The numeric events whose value equals ``value`` (any shape of the same size), in
        order, with ``after <= seq <= until``."""
        value = np.asarray(value, dtype=np.float64)
        if value.size == 0 or value.size not in self._by_size:
            return []
        keys, rows = self._by_size[value.size]
        first = float(value.flat[0])
        tol = ATOL + RTOL * abs(first) * 1.01 + 1e-12
        lo = bisect.bisect_left(keys, first - tol)
        hi = bisect.bisect_right(keys, first + tol)
        hits = [
            e
            for e in rows[lo:hi]
            if e.seq >= after and (until is None or e.seq <= until) and close(e.value, value)
        ]
        return sorted(hits, key=lambda e: e.seq)

    def value_at(self, frame: int, name: str, seq: int) -> Event | None:
        """The last event of ``name`` in ``frame`` at or before ``seq``."""
        found = None
        for e in self.named(name):
            if e.seq > seq:
                break
            if e.frame == frame:
                found = e
        return found

    @property
    def last_seq(self) -> int:
        """The seq of the last event (0 when nothing was recorded)."""
        return self.events[-1].seq if self.events else 0
