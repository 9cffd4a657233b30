"""The view of a live plot, grown in steps while a run adds points.

Auto-ranging on every redraw makes pyqtgraph rebuild both axes (their ticks and labels),
which costs more than drawing the curves, and the range change schedules a second paint.
A :class:`SteppedRange` changes the view only when the data leave it, by enough to last a
while: the x end by 1.5× the data's extent, the y range with a margin.
"""

from __future__ import annotations

import math


class SteppedRange:
    """Keeps a pyqtgraph plot's view around the data of a run, in steps."""

    def __init__(self, plot) -> None:
        self.plot = plot
        self.reset()

    def reset(self) -> None:
        """A new run: forget the view (the next :meth:`cover` sets it)."""
        self._x_end = -math.inf
        self._y = (math.inf, -math.inf)

    def cover(self, x_first: float, x_last: float, low: float, high: float, log: bool) -> bool:
        """Make the view hold x in [x_first, x_last] and y in [low, high]; on a log axis
        ``low`` and ``high`` are the data's values (positive), not their logarithms.
        Returns whether the view changed."""
        changed = False
        if x_last > self._x_end:
            self._x_end = x_first + 1.5 * (x_last - x_first) + 1.0
            self.plot.setXRange(x_first, self._x_end, padding=0.02)
            changed = True
        if not (math.isfinite(low) and math.isfinite(high)):
            return changed
        y_low, y_high = self._y
        if low < y_low or high > y_high:
            if log:
                low, high = max(low / 2, 1e-300), max(high * 2, 1e-300)
                self.plot.setYRange(math.log10(low), math.log10(high), padding=0)
            else:
                span = max(high - low, 1e-12)
                low, high = low - 0.05 * span, high + 0.25 * span
                self.plot.setYRange(low, high, padding=0)
            self._y = (low, high)
            changed = True
        return changed
