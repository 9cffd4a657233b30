"""The error plot (objectName ``errorPlot``): the loss of each stepped iteration, and of
training runs live, with the epoch mean and the validation loss.

pyqtgraph costs about a second to import, so it is imported only when the plot is first
needed (:meth:`ErrorPlot.ensure_plot`), after the window has been painted.  Each series is
one curve item fed with ``setData`` from a :class:`CurveBuffer`; redraws are throttled to
about 30 per second whatever the training speed; peak downsampling and clip-to-view keep a
curve of 10⁶ points smooth.  Earlier runs stay as faded curves, named by what changed.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from bpviewer.core.engine.notation import fmt
from bpviewer.gui import palette
from bpviewer.gui.plots.curve_buffer import CurveBuffer
from bpviewer.gui.plots.live_range import SteppedRange
from bpviewer.gui.plots.plotting import (
    follow_font,
    integer_axis,
    legend_beside,
    plain_axes,
    pyqtgraph,
)
from bpviewer.gui.session import Change, Session
from bpviewer.gui.visibility import seen

REDRAW_MS = 33  # at most about 30 redraws a second
MAX_REDRAW_MS = 500
#: Share of the GUI thread's time redraws may take during a run: painting holds the GIL, so
#: every millisecond spent drawing is a millisecond the training worker cannot run (the
#: worker parks while the window paints).  At 2% a ~3 ms repaint comes every ~150 ms; 3%
#: measured 3% slower training in the window (benchmarks/README.md, case 3).
PAINT_SHARE = 0.02
#: Larger losses are left out of the stepped curve (a padded range around them overflows).
DRAWABLE = 1e306
FADED = ["#9ecae1", "#fdae6b", "#a1d99b", "#bcbddc", "#fc9272", "#d9d9d9"]


class RunCurves:
    """The curves of one training run."""

    def __init__(self, plot, pg, run, colour: str, width: float, validation: bool = False) -> None:
        self.run = run
        self.loss = CurveBuffer()
        self.epoch = CurveBuffer(64)
        self.validation = CurveBuffer(64)
        name = f"run {run.number}: {run.label}"
        self._pen = pg.mkPen(colour, width=width)
        self.faded = False
        self.seen = 0  # chunks of the run taken so far
        self.loss_item = plot.plot(pen=self._pen, name=name)
        self.epoch_item = plot.plot(pen=pg.mkPen(palette.BACKWARD, width=2))
        self.validation_item = plot.plot(
            pen=pg.mkPen("#d62728", width=2, style=Qt.PenStyle.DashLine),
            name="validation" if validation else None,
        )
        for item in (self.loss_item, self.epoch_item, self.validation_item):
            item.setDownsampling(auto=True, method="peak")
            item.setClipToView(True)
        self.dirty = True
        self.low, self.high = np.inf, -np.inf  # the loss range so far (finite values)

    def add(self, chunk) -> None:
        n = chunk.losses.shape[0]
        finite = chunk.losses[np.isfinite(chunk.losses)]
        if finite.size:
            self.low = min(self.low, float(finite.min()))
            self.high = max(self.high, float(finite.max()))
        self.loss.append(np.arange(chunk.start, chunk.start + n, dtype=np.float64), chunk.losses)
        if chunk.epochs:
            ends = np.array(chunk.epochs, dtype=np.float64)
            self.epoch.append(ends[:, 0] - 1, ends[:, 2])
        if chunk.validation:
            vals = np.array(chunk.validation, dtype=np.float64)
            self.validation.append(vals[:, 0] - 1, vals[:, 1])
        self.dirty = True

    def redraw(self) -> None:
        if not self.dirty:
            return
        self.loss_item.setData(*self.loss.data())
        self.epoch_item.setData(*self.epoch.data())
        self.validation_item.setData(*self.validation.data())
        self.dirty = False

    def set_faded(self, faded: bool, colour: str) -> None:
        """An earlier run (or one of another network) is drawn thin and pale."""
        import pyqtgraph as pg

        if faded == self.faded:
            return
        self.faded = faded
        self.loss_item.setPen(pg.mkPen(colour, width=1) if faded else self._pen)
        self.epoch_item.setVisible(not faded)
        self.validation_item.setVisible(not faded)

    def remove(self, plot) -> None:
        for item in (self.loss_item, self.epoch_item, self.validation_item):
            plot.removeItem(item)


class ErrorPlot(QWidget):
    """Loss curves; click a point of a run to restore that iteration (``pointClicked``)."""

    pointClicked = Signal(object, int)  # Run, iteration

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("errorPlotContainer")
        self._session = session
        self.plot = None
        self.curve = None  # stepped iterations
        self.runs: list[RunCurves] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.log_box = QCheckBox("log scale")
        self.log_box.setObjectName("logScale")
        self.log_box.setToolTip("Show the loss on a logarithmic axis")
        self.log_box.toggled.connect(self._on_log_toggled)
        self.all_box = QCheckBox("all runs")
        self.all_box.setObjectName("showAllRuns")
        self.all_box.setToolTip(
            "Fit the view to every run (off: to the latest run, so an earlier diverged run "
            "does not flatten it)"
        )
        self.all_box.toggled.connect(lambda _: self.fit_view())
        self.clear_button = QPushButton("Clear earlier runs")
        self.clear_button.setObjectName("clearRuns")
        self.clear_button.setToolTip("Remove the faded curves of earlier runs")
        self.clear_button.clicked.connect(self.clear_earlier_runs)
        self.hover = QLabel("")
        self.hover.setObjectName("plotHover")
        bar.addWidget(self.log_box)
        bar.addWidget(self.all_box)
        bar.addWidget(self.clear_button)
        bar.addStretch(1)
        bar.addWidget(self.hover)
        self._layout.addLayout(bar)
        self._placeholder = QLabel("loss plot loading…")
        self._layout.addWidget(self._placeholder, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self.redraw)
        self.redraws = 0
        self.gate = None  # a PaintGate the training worker parks at while we paint
        self._range: SteppedRange | None = None  # the view during a run
        session.changed.connect(self._on_changed)

    # ------------------------------------------------------------------ creation
    def ensure_plot(self):
        """Create the pyqtgraph plot (imports pyqtgraph on first use) and return it."""
        if self.plot is not None:
            return self.plot
        pg = pyqtgraph()
        plot = pg.PlotWidget(axisItems={"bottom": integer_axis("bottom")})
        plot.setObjectName("errorPlot")
        plot.setLabel("bottom", "iteration")
        plot.setLabel("left", "loss E")
        plain_axes(plot)
        # no grid: replaying its thousands of translucent lines costs more than the curve
        legend_beside(plot)
        follow_font(plot)
        self.curve = plot.plot(
            [],
            [],
            pen=pg.mkPen(palette.FORWARD, width=2),
            symbol="o",
            symbolSize=6,
            symbolBrush=palette.FORWARD,
        )  # in the legend only while it has points (see _on_losses_changed)
        plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        plot.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self._layout.removeWidget(self._placeholder)
        self._placeholder.deleteLater()
        self._layout.addWidget(plot, 1)
        self.plot = plot
        self._pg = pg
        self._range = SteppedRange(plot)
        self._on_losses_changed()
        return plot

    def _on_changed(self, what: Change) -> None:
        if what & (Change.DOCUMENT | Change.RUNS):
            self.hover.setText("")
        if what & (Change.LOSSES | Change.DOCUMENT):
            self._on_losses_changed()
        if what & (Change.RUNS | Change.DOCUMENT | Change.SHAPE):
            self._sync_runs()
        if what & Change.PROGRESS:
            for curves in self.runs:
                self._take_chunks(curves)

    # ------------------------------------------------------------------ stepped losses
    def _on_losses_changed(self) -> None:
        if self.curve is None:
            return
        losses = self._session.losses
        x = np.fromiter(sorted(losses), dtype=np.float64, count=len(losses))
        y = np.array([losses[int(i)] for i in x], dtype=np.float64)
        # ∞, NaN and losses so large that a padded axis range overflows are not drawn (the
        # hover text still names them): pyqtgraph cannot range or paint them
        drawable = np.isfinite(y) & (np.abs(y) < DRAWABLE)
        x, y = x[drawable], y[drawable]
        self.curve.setData(x, y)
        legend = self.plot.plotItem.legend
        listed = legend.getLabel(self.curve) is not None
        if x.size and not listed:
            legend.addItem(self.curve, "stepped")
        elif not x.size and listed:
            legend.removeItem(self.curve)
        if x.size == 1 and not self.runs:  # one point: the axis from 0, not ±0.5 around it
            self.plot.setXRange(0, 1, padding=0.05)
            top = 1.25 * y[0]
            if not self.log_box.isChecked():
                self.plot.setYRange(0, top if 0 < top < np.inf else 1, padding=0)
        elif x.size > 1:
            self.plot.enableAutoRange()

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """The stepped points plotted (x: iterations, y: losses)."""
        if self.curve is None:
            return np.empty(0), np.empty(0)
        x, y = self.curve.getData()
        return (np.empty(0), np.empty(0)) if x is None else (x, y)

    # ------------------------------------------------------------------ training runs
    def _sync_runs(self) -> None:
        """Curves for exactly the session's runs: new runs get curves, forgotten ones
        lose theirs; the newest run is bright while it fits the network, the rest fade."""
        runs = self._session.runs
        if not runs and not self.runs:
            return
        self.ensure_plot()
        legend = self.plot.plotItem.legend
        for curves in [c for c in self.runs if not any(r is c.run for r in runs)]:
            curves.remove(self.plot)
            if legend is not None:
                legend.removeItem(curves.loss_item)
            self.runs.remove(curves)
        for run in runs:
            if not any(c.run is run for c in self.runs):
                if run.running:
                    self.start_run(run)
                else:
                    self._add_curves(run)
                self._take_chunks(self.runs[-1])
        for k, curves in enumerate(self.runs):
            newest = curves is self.runs[-1] and self._session.run_fits(curves.run)
            curves.set_faded(not newest, FADED[k % len(FADED)])
        if self.timer.isActive() and not any(c.run.running for c in self.runs):
            self.finish_run(None)
        elif not self.timer.isActive():
            self.redraw()

    def _add_curves(self, run) -> RunCurves:
        dataset = getattr(run, "dataset", None) or self._session.project.dataset
        curves = RunCurves(
            self.plot,
            self._pg,
            run,
            palette.FORWARD,
            1.0,
            validation=dataset.validation_inputs is not None,
        )
        self.runs.append(curves)
        return curves

    def _take_chunks(self, curves: RunCurves) -> None:
        """Buffer the run's chunks that arrived since the last time (drawn at the next
        tick)."""
        chunks = getattr(curves.run, "chunks", [])
        for chunk in chunks[curves.seen :]:
            curves.add(chunk)
        curves.seen = len(chunks)

    def start_run(self, run) -> None:
        """A run begins: earlier runs fade, a new set of curves starts, redrawn by the
        timer."""
        self.ensure_plot()
        for k, old in enumerate(self.runs):
            old.set_faded(True, FADED[k % len(FADED)])
        self._add_curves(run)
        # During a run the view grows in steps instead of auto-ranging on every redraw: a
        # range change makes pyqtgraph rebuild both axes, the dearest part of a paint.
        self.plot.disableAutoRange()
        self._range.reset()
        self.timer.setInterval(REDRAW_MS)
        self.timer.start()

    def add_chunk(self, run, chunk) -> None:
        """Data from the worker: stored now, drawn at the next tick."""
        for curves in self.runs:
            if curves.run is run:
                curves.add(chunk)

    def _grow_view(self) -> None:
        """Widen the view only when the newest run's data leave it (in steps)."""
        if self.plot is None or not self.runs:
            return
        current = self.runs[-1]
        xs, _ = current.loss.data()
        if not xs.size or not np.isfinite(current.low):
            return
        first = (
            min(c.loss.data()[0][0] for c in self.runs if c.loss.n)
            if self.all_box.isChecked()
            else xs[0]
        )
        self._range.cover(first, xs[-1], current.low, current.high, self.log_box.isChecked())

    def fit_view(self) -> None:
        """The view around the latest run (or every run, with "all runs"); while a run
        goes, the view grows in steps instead."""
        if self.plot is None or self.timer.isActive():
            return
        shown = [c for c in self.runs if c.loss.n and np.isfinite(c.low)]
        if not self.all_box.isChecked():
            shown = shown[-1:]
        if not shown:
            self.plot.enableAutoRange()
            return
        self.plot.setXRange(
            min(c.loss.data()[0][0] for c in shown),
            max(c.loss.data()[0][-1] for c in shown),
            padding=0.02,
        )
        low, high = min(c.low for c in shown), max(c.high for c in shown)
        if self.log_box.isChecked():
            low, high = max(low, 1e-300), max(high, 1e-300)
            self.plot.setYRange(np.log10(low), np.log10(high), padding=0.05)
        else:
            self.plot.setYRange(min(low, 0.0), high if high > low else low + 1, padding=0.05)

    def finish_run(self, run) -> None:
        """The run ended: a last redraw, then the timer stops and the view fits the run."""
        self.redraw()
        self.timer.stop()
        self.fit_view()

    def redraw(self) -> None:
        """Push buffered points to the curve items and paint them now.

        Called by the timer at most ~30 times a second; the interval then adapts so that
        painting takes no more than :data:`PAINT_SHARE` of the time (a slow machine or a
        huge curve redraws less often, never the training less fast)."""
        if not any(curves.dirty for curves in self.runs):
            return
        if self.gate is not None:
            self.gate.close()  # the training worker parks while we paint
        started = time.perf_counter()
        try:
            for curves in self.runs:
                curves.redraw()
            self._grow_view()
            self.redraws += 1
            if self.plot is not None and seen(self.plot):
                self.plot.viewport().repaint()
        finally:
            if self.gate is not None:
                self.gate.open()
        cost_ms = (time.perf_counter() - started) * 1000
        self.timer.setInterval(int(min(MAX_REDRAW_MS, max(REDRAW_MS, cost_ms / PAINT_SHARE))))

    def clear_earlier_runs(self) -> None:
        """Forget every run but the latest one that fits: the session drops them, and
        their curves go with them."""
        self._session.clear_runs()

    def run_points(self, index: int = -1) -> tuple[np.ndarray, np.ndarray]:
        """The loss points of a run (default: the latest)."""
        return self.runs[index].loss.data() if self.runs else (np.empty(0), np.empty(0))

    def curves_csv(self) -> str:
        """Every curve as CSV: series, run, iteration, loss (full precision)."""
        rows = ["series,run,iteration,loss"]
        stepped = self._session.losses
        rows += [f"stepped,,{i},{stepped[i]!r}" for i in sorted(stepped)]
        for curves in self.runs:
            n = curves.run.number
            for series, buffer in (
                ("loss", curves.loss),
                ("epoch_mean", curves.epoch),
                ("validation", curves.validation),
            ):
                xs, ys = buffer.data()
                rows += [f"{series},{n},{int(x)},{float(y)!r}" for x, y in zip(xs, ys, strict=True)]
        return "\n".join(rows) + "\n"

    # ------------------------------------------------------------------ interaction
    def _on_log_toggled(self, on: bool) -> None:
        if self.plot is not None:
            self.plot.setLogMode(y=on)
            self._range.reset()  # a run's view is set again, in the new units

    def _nearest(self, x: float):
        """(run curves, iteration, loss) of the point nearest iteration ``x``, newest run
        first."""
        for curves in reversed(self.runs):
            xs, ys = curves.loss.data()
            if xs.size and xs[0] - 0.5 <= x <= xs[-1] + 0.5:
                k = int(np.clip(round(x - xs[0]), 0, xs.size - 1))
                return curves, int(xs[k]), float(ys[k])
        return None

    def leaveEvent(self, event) -> None:
        self.hover.setText("")  # the point under the mouse is gone
        super().leaveEvent(event)

    def _on_mouse_moved(self, pos) -> None:
        vb = self.plot.plotItem.vb
        if not vb.sceneBoundingRect().contains(pos):
            return
        x = vb.mapSceneToView(pos).x()
        hit = self._nearest(x)
        if hit is None:
            stepped = self._session.losses
            it = round(x)
            self.hover.setText(f"iteration {it}: E = {fmt(stepped[it])}" if it in stepped else "")
            return
        curves, it, loss = hit
        how = (
            "click to restore"
            if self._session.run_fits(curves.run)
            else "another network: cannot be restored"
        )
        self.hover.setText(f"iteration {it}: E = {fmt(loss)} ({how})")

    def _on_mouse_clicked(self, event) -> None:
        vb = self.plot.plotItem.vb
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        self.click_at(vb.mapSceneToView(event.scenePos()).x())

    def click_at(self, x: float) -> bool:
        """Restore the iteration nearest ``x`` (in plot coordinates); False if none."""
        hit = self._nearest(x)
        if hit is None:
            return False
        curves, it, _ = hit
        self.pointClicked.emit(curves.run, it)
        return True
