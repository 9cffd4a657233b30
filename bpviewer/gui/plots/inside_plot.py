"""Inside the network (objectName ``insidePlot``): each layer's gradient norm ‖∂E/∂W‖ and
the trajectories of the weights selected in the tables, live during a run."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtWidgets import QVBoxLayout, QWidget

from bpviewer.gui.plots.curve_buffer import CurveBuffer
from bpviewer.gui.plots.error_plot import PAINT_SHARE
from bpviewer.gui.plots.live_range import SteppedRange
from bpviewer.gui.plots.plotting import (
    LEFT_AXIS_WIDTH,
    compact_axis,
    follow_font,
    integer_axis,
    legend_beside,
    plain_axes,
    pyqtgraph,
)
from bpviewer.gui.visibility import seen

LAYER_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]


class InsidePlot(QWidget):
    """Gradient norm per layer, and the trajectories of tracked weights, over a run."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("insidePlot")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.norm_plot = None
        self.traj_plot = None
        self.norms: CurveBuffer | None = None
        self.tracks: CurveBuffer | None = None
        self.norm_items: list = []
        self.track_items: list = []
        self.tracked_labels: list[str] = []
        self.dirty = False  # points arrived since the last redraw
        self._next_redraw = 0.0  # perf_counter time before which a redraw is skipped
        self._norm_span = (np.inf, -np.inf)  # positive finite gradient norms so far
        self._track_span = (np.inf, -np.inf)
        self._ranges: list[SteppedRange] = []

    def ensure_plots(self) -> None:
        """Create the two plots (pyqtgraph imported on first use)."""
        if self.norm_plot is not None:
            return
        pg = pyqtgraph()

        self._pg = pg
        self.norm_plot = pg.PlotWidget(axisItems={"bottom": integer_axis("bottom")})
        self.norm_plot.setObjectName("gradNormPlot")
        self.norm_plot.setLabel("left", "‖∂E/∂W‖")
        self.norm_plot.setLabel("bottom", "iteration")
        self.norm_plot.setLogMode(y=True)
        legend_beside(self.norm_plot)
        self.traj_plot = pg.PlotWidget(
            axisItems={"left": compact_axis("left"), "bottom": integer_axis("bottom")}
        )
        self.traj_plot.setObjectName("trajectoryPlot")
        self.traj_plot.setLabel("left", "weight")
        plain_axes(self.norm_plot)
        plain_axes(self.traj_plot)
        self.traj_plot.setLabel("bottom", "iteration")
        legend_beside(self.traj_plot)
        self.traj_plot.setXLink(self.norm_plot)
        for plot in (self.norm_plot, self.traj_plot):  # stacked: the x axes line up
            plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
            follow_font(plot)
        self._layout.addWidget(self.norm_plot, 1)
        self._layout.addWidget(self.traj_plot, 1)
        self._ranges = [SteppedRange(self.norm_plot), SteppedRange(self.traj_plot)]

    def start(self, n_layers: int, tracked_labels: list[str]) -> None:
        """A new run: empty curves, one per layer and per tracked weight."""
        self.ensure_plots()
        pg = self._pg
        for item in self.norm_items:
            self.norm_plot.removeItem(item)
        for item in self.track_items:
            self.traj_plot.removeItem(item)
        self.norm_plot.plotItem.legend.clear()
        self.traj_plot.plotItem.legend.clear()
        self.norms = CurveBuffer(width=n_layers)
        self.tracks = CurveBuffer(64, width=max(1, len(tracked_labels)))
        self.tracked_labels = tracked_labels
        self.norm_items = []
        for l in range(n_layers):
            item = self.norm_plot.plot(
                # 1 px: Qt draws thin lines on a fast path; at 1.5 px these jagged curves
                # of thousands of points took 2.5× as long to paint
                pen=pg.mkPen(LAYER_COLOURS[l % 6], width=1),
                name=f"layer {l + 1}",
            )
            item.setDownsampling(auto=True, method="peak")
            item.setClipToView(True)
            self.norm_items.append(item)
        self.track_items = [
            self.traj_plot.plot(pen=pg.mkPen(LAYER_COLOURS[k % 6], width=1.5), name=label)
            for k, label in enumerate(tracked_labels)
        ]
        self.dirty = True
        self._next_redraw = 0.0
        self._norm_span = self._track_span = (np.inf, -np.inf)
        # the views grow in steps during the run (see SteppedRange); fit() after it
        for plot, stepped in zip((self.norm_plot, self.traj_plot), self._ranges, strict=True):
            plot.disableAutoRange()
            stepped.reset()

    def add_chunk(self, chunk) -> None:
        """Store a chunk's gradient norms and tracked values."""
        if self.norms is None:
            return
        if chunk.grad_norms is not None:
            n = chunk.grad_norms.shape[0]
            self.norms.append(
                np.arange(chunk.start, chunk.start + n, dtype=np.float64),
                np.maximum(chunk.grad_norms, 1e-300),
            )
            self._norm_span = _widened(self._norm_span, chunk.grad_norms, positive=True)
        if chunk.tracked is not None and self.tracked_labels:
            end = chunk.start + chunk.losses.shape[0]
            self.tracks.append(np.array([end], dtype=np.float64), chunk.tracked[None, :])
            self._track_span = _widened(self._track_span, chunk.tracked)
        self.dirty = True

    def catch_up(self) -> None:
        """Draw the points that arrived while the panel was not seen."""
        if self.norm_plot is not None and self.dirty:
            self.redraw()

    def due(self) -> bool:
        """Whether a live redraw is worth it now: new points, and the last redraw's cost
        spent (painting takes at most :data:`PAINT_SHARE` of the time during a run)."""
        return self.dirty and time.perf_counter() >= self._next_redraw

    def fit(self) -> None:
        """The run ended: the views fit all the data again."""
        if self.norm_plot is not None:
            self.norm_plot.enableAutoRange()
            self.traj_plot.enableAutoRange()

    def redraw(self) -> None:
        """Push the buffered points to the curves and paint them now."""
        if self.norms is None:
            return
        started = time.perf_counter()
        for l, item in enumerate(self.norm_items):
            item.setData(*self.norms.data(l))
        for k, item in enumerate(self.track_items):
            item.setData(*self.tracks.data(k))
        self.dirty = False
        # one iteration axis for both (x-linked): the run's first and newest iterations
        ends = [buffer.data()[0] for buffer in (self.norms, self.tracks) if buffer.n]
        if ends:
            first, last = min(x[0] for x in ends), max(x[-1] for x in ends)
            self._ranges[0].cover(first, last, *self._norm_span, log=True)
            self._ranges[1].cover(first, last, *self._track_span, log=False)
        if seen(self):
            self.norm_plot.viewport().repaint()
            self.traj_plot.viewport().repaint()
        now = time.perf_counter()
        self._next_redraw = now + (now - started) / PAINT_SHARE


def _widened(span: tuple[float, float], values: np.ndarray, positive: bool = False):
    """``span`` (low, high) widened to hold the finite (and, if ``positive``, the
    positive) ``values``."""
    keep = np.isfinite(values)
    if positive:
        keep &= values > 0
    kept = values[keep]
    if not kept.size:
        return span
    return min(span[0], float(kept.min())), max(span[1], float(kept.max()))
