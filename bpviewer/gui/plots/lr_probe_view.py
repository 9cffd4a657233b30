"""The learning-rate probe: the loss of the current batch after one update, for 60
learning rates from 10⁻⁴ to 10 (log scale), computed on copies of the network and the
optimiser state (:mod:`bpviewer.core.engine.lr_probe`); the document never changes.

The plot shows E(η) as points, the first-order prediction E₀ + ∇E·ΔW(η) of the configured
optimiser dashed, E₀ as a horizontal line, the current η and the largest η that still
lowers E as vertical lines.  Clicking a point sets η to it (one undo step), as does "Use η
= …" for the η whose update lowers E most.  After an update (Apply update, Iterate) a line
compares the change of E it predicted (∇E·ΔW) with the actual one on its batch.

Probed when the panel is seen and what it depends on changed (parameters, batch, settings,
optimiser state), caught up when its tab comes to the front; never during a run.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from bpviewer.core.engine.lr_probe import ProbeResult, UpdateChange, probe, update_change
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.notation import fmt, shown
from bpviewer.gui import palette
from bpviewer.gui.plots.plotting import follow_font, legend_beside, plain_axes, pyqtgraph
from bpviewer.gui.session import Change, Session
from bpviewer.gui.visibility import seen

#: What the probe depends on (an update changes the parameters; STEP is checked apart).
INPUTS = (
    Change.DOCUMENT
    | Change.SHAPE
    | Change.PARAMETERS
    | Change.DATA
    | Change.SAMPLE
    | Change.SETTINGS
    | Change.BUSY
)
LOWERS = "#2ca02c"  # the largest η that lowers E (green, as the loss going down)


def eta_axis():
    """A log-mode x axis labelled 0.0001 … 1, 10 (not 10⁰, 10¹ beside decimals)."""
    pg = pyqtgraph()

    class EtaAxis(pg.AxisItem):
        def tickStrings(self, values, scale, spacing):
            if not self.logMode:
                return super().tickStrings(values, scale, spacing)
            return [f"{10.0**v:g}" if abs(v - round(v)) < 1e-9 else "" for v in values]

    return EtaAxis("bottom")


class LrProbeView(QWidget):
    """The probe's plot, its summary and the predicted-against-actual line (objectName
    ``lrProbeView``)."""

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("lrProbeView")
        self._session = session
        self.result: ProbeResult | None = None
        self.current: ProbeResult | None = None  # the probe at the current η alone
        self.change: UpdateChange | None = None
        self.probes = 0
        self._due = True
        self._probed_state = None  # the optimiser state the shown probe started from
        self._update_seen = None
        self._scheduled = False  # a catch-up waits for the event loop
        self._lowers = False  # whether the probed η of the lowest E lowers E
        self.plot = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        texts = QVBoxLayout()
        buttons = QVBoxLayout()
        top.addLayout(texts, 1)
        top.addLayout(buttons)
        self.probe_button = QPushButton("Probe η")
        self.probe_button.setObjectName("probeButton")
        self.probe_button.setToolTip(
            "E of the current batch after one update, for 60 learning rates from 10⁻⁴ to 10 "
            "(on copies: the document does not change)"
        )
        self.probe_button.clicked.connect(self.refresh)
        self.use_button = QPushButton("Use η")
        self.use_button.setObjectName("useEtaButton")
        self.use_button.setToolTip("Set η to the probed one whose update lowers E most (undoable)")
        self.use_button.clicked.connect(self._use_lowest)
        self.use_button.setEnabled(False)
        buttons.addWidget(self.probe_button)
        buttons.addWidget(self.use_button)
        buttons.addStretch(1)
        self.summary = QLabel("")
        self.summary.setObjectName("probeSummary")
        self.summary.setWordWrap(True)
        texts.addWidget(self.summary)
        self.after_update = QLabel("")
        self.after_update.setObjectName("probeAfterUpdate")
        self.after_update.setWordWrap(True)
        texts.addWidget(self.after_update)
        texts.addStretch(1)
        layout.addLayout(top)
        self._plot_at = layout.count()
        self._layout = layout
        session.changed.connect(self._on_changed)

    # ------------------------------------------------------------------ when
    def _on_changed(self, what: Change) -> None:
        m = self._session.machine
        stale = bool(what & INPUTS) or (
            bool(what & Change.STEP) and m.optimizer_state is not self._probed_state
        )
        new_update = self._session.last_update is not self._update_seen
        self._enable()
        if not (stale or new_update):
            return
        self._due = self._due or stale
        if seen(self):
            self._catch_up_now()
        elif new_update:
            self._update_seen = None  # computed when seen

    def catch_up(self) -> None:
        """The tab came to the front: probe, if what the probe depends on changed while the
        panel was not seen, at the next turn of the event loop if it is still seen (the
        window's first show brings every tab to the front for a moment; pyqtgraph is
        imported only for a plot someone sees)."""
        if not self._scheduled:
            self._scheduled = True
            QTimer.singleShot(0, self, self._catch_up_now)

    def _catch_up_now(self) -> None:
        self._scheduled = False
        if not seen(self):
            return
        if self._due:
            self.refresh()
        elif self._session.last_update is not self._update_seen:
            self._show_update_change()

    # ------------------------------------------------------------------ probing
    def refresh(self) -> None:
        """Probe the current batch (not during a run: the document is the run's then)."""
        s = self._session
        self._enable()
        if s.busy:
            self._due = True
            self.summary.setText("The probe waits until the training run ends.")
            return
        self._due = False
        self.probes += 1
        m, training = s.machine, s.project.training
        args = (m.network, m.inputs, m.targets, training.loss, training.optimizer_settings())
        kwargs = {"update_biases": training.update_biases}
        self.result = probe(*args, m.optimizer_state, **kwargs)
        eta = training.learning_rate
        self.current = probe(*args, m.optimizer_state, etas=[eta], **kwargs)
        self._probed_state = m.optimizer_state
        self._draw(self.result, eta, float(self.current.losses[0]))
        self._write_summary(self.result, eta, float(self.current.losses[0]))
        self._show_update_change()

    def _batch_words(self) -> str:
        lo, hi = self._session.batch_rows()
        n = self._session.n_samples
        return f"sample {lo + 1} of {n}" if hi - lo == 1 else f"samples {lo + 1}–{hi} of {n}"

    def _write_summary(self, r: ProbeResult, eta: float, e_eta: float) -> None:
        name = self._session.project.training.optimizer
        parts = [
            f"E₀ = {fmt(r.loss_before)} ({self._batch_words()}, {name})",
            f"current η = {shown(eta)}: E after one update = {fmt(e_eta)}",
        ]
        if r.best_eta is None:
            parts.append("no probed η lowers E")
        else:
            k = int(np.flatnonzero(r.etas == r.best_eta)[0])
            edge = (
                " — the edge of the probed range: a larger η may lower E too"
                if (k == len(r.etas) - 1)
                else ""
            )
            parts.append(
                f"largest η that lowers E: {shown(r.best_eta)} (E = {fmt(r.losses[k])}){edge}"
            )
        if not np.all(r.losses <= y_range(r)[1]):  # (NaN too)
            parts.append("△: E above the plot (or ∞)")
        self.summary.setText(" · ".join(parts))
        low = r.lowest
        self._lowers = bool(low is not None and r.losses[low] < r.loss_before)
        self.use_button.setText(f"Use η = {shown(r.etas[low])}" if self._lowers else "Use η")
        self._enable()

    def _enable(self) -> None:
        """Probe and Use only when no run goes (Use when some probed η lowers E)."""
        idle = not self._session.busy
        self.probe_button.setEnabled(idle)
        self.use_button.setEnabled(idle and self._lowers)

    # ------------------------------------------------------------------ after an update
    def _show_update_change(self) -> None:
        """Predicted (∇E·ΔW) against actual ΔE of the last update, on its own batch."""
        record = self._session.last_update
        self._update_seen = record
        self.change = None
        if record is None or "inputs" not in record.values:
            self.after_update.setText("")
            return
        v = record.values
        net = self._session.network
        try:
            before = Network(net.layer_sizes, net.activations, v["w_before"], v["b_before"])
        except ValueError:  # the network's shape changed since, or the update overflowed
            self.after_update.setText("")
            return
        steps = [
            v["delta_w"][l - 1] if kind == "w" else v["delta_b"][l - 1]
            for kind, l in before.parameter_layout()
        ]
        c = update_change(before, steps, v["loss_name"], v["inputs"], v["targets"])
        self.change = c
        self.after_update.setText(
            f"Last update: predicted ΔE = {fmt(c.predicted)}"
            f" (∇E·ΔW), actual ΔE = {fmt(c.actual)} (E {fmt(c.loss_before)} → "
            f"{fmt(c.loss_after)} on its batch)"
        )

    # ------------------------------------------------------------------ setting η
    def use_eta(self, eta: float) -> bool:
        """Set the learning rate to ``eta`` through the session (one undo step)."""
        return self._session.set_training(learning_rate=float(eta))

    def _use_lowest(self) -> None:
        if self.result is not None and self.result.lowest is not None:
            self.use_eta(self.result.etas[self.result.lowest])

    def _clicked(self, item, points, ev=None) -> None:
        if len(points):
            self.use_eta(points[0].data())

    # ------------------------------------------------------------------ drawing
    def ensure_plot(self):
        """Create the plot (pyqtgraph on first use)."""
        if self.plot is None:
            pg = pyqtgraph()
            self._pg = pg
            plot = pg.PlotWidget(axisItems={"bottom": eta_axis()})
            plot.setObjectName("lrProbePlot")
            plain_axes(plot)
            plot.setLogMode(x=True, y=False)
            plot.setMouseEnabled(x=False, y=False)
            plot.setMenuEnabled(False)
            plot.getPlotItem().hideButtons()
            plot.setLabel("bottom", "learning rate η (log scale)")
            plot.setLabel("left", "E after one update")
            legend = legend_beside(plot)
            self.prediction = plot.plot(
                [],
                [],
                pen=pg.mkPen(palette.BACKWARD, width=2, style=pg.QtCore.Qt.PenStyle.DashLine),
                name="first order: E₀ + ∇E·ΔW(η)",
            )
            self.points = pg.ScatterPlotItem(
                size=8, pen=pg.mkPen("k", width=0.5), brush=pg.mkBrush(palette.FORWARD)
            )
            self.points.sigClicked.connect(self._clicked)
            plot.addItem(self.points)
            legend.addItem(self.points, "E after one update (click: use η)")
            self.off_chart = pg.ScatterPlotItem(
                size=9, symbol="t1", pen=pg.mkPen(palette.NEGATIVE, width=1.5), brush=None
            )
            self.off_chart.sigClicked.connect(self._clicked)
            plot.addItem(self.off_chart)
            self.here = pg.ScatterPlotItem(
                size=13, symbol="star", pen=pg.mkPen("k"), brush=pg.mkBrush(palette.NEGATIVE)
            )
            plot.addItem(self.here)
            self.e0_line = pg.InfiniteLine(
                angle=0,
                pen=pg.mkPen(palette.STALE, width=1.5, style=pg.QtCore.Qt.PenStyle.DotLine),
                label="E₀",
                labelOpts={"position": 0.03, "color": palette.TEXT},
            )
            # the vertical lines are named in the legend (a label on the line covers points)
            eta_pen = pg.mkPen(palette.NEGATIVE, width=1.5)
            best_pen = pg.mkPen(LOWERS, width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine)
            self.eta_line = pg.InfiniteLine(angle=90, pen=eta_pen)
            self.best_line = pg.InfiniteLine(angle=90, pen=best_pen)
            for line in (self.e0_line, self.eta_line, self.best_line):
                plot.addItem(line, ignoreBounds=True)
            legend.addItem(pg.PlotDataItem(pen=eta_pen), "current η")
            self.eta_entry = legend.items[-1][1]
            legend.addItem(pg.PlotDataItem(pen=best_pen), "largest η that lowers E")
            self.best_entry = legend.items[-1][1]
            plot.setToolTip(
                "E of this batch after one update with each η (points), the first-order "
                "prediction (dashed), E now (dotted); click a point to set η (undoable)"
            )
            self.plot = plot
            self._layout.insertWidget(self._plot_at, plot, 1)
            follow_font(plot)
        return self.plot

    def _draw(self, r: ProbeResult, eta: float, e_eta: float) -> None:
        self.ensure_plot()
        x = np.log10(r.etas)  # the scatter items are placed in the log-mode view's units
        finite = np.isfinite(r.losses)
        lo, hi = y_range(r)
        inside = finite & (r.losses <= hi)
        self.points.setData(x[inside], r.losses[inside], data=list(r.etas[inside]))
        above = ~inside
        self.off_chart.setData(x[above], np.full(int(above.sum()), hi), data=list(r.etas[above]))
        self.off_chart.setToolTip(
            "above the plot (or ∞/NaN): E after one update at these η" if above.any() else ""
        )
        span = hi - lo  # (a line far off the plot is clipped: only its part inside shows)
        self.prediction.setData(r.etas, np.clip(r.predicted, lo - span, hi + span))
        self.here.setData([np.log10(eta)], [min(e_eta, hi)] if np.isfinite(e_eta) else [hi])
        self.e0_line.setPos(r.loss_before)
        self.eta_line.setPos(np.log10(eta))
        self.eta_entry.setText(f"current η = {shown(eta)} (star: its E)")
        if r.best_eta is None:
            self.best_line.hide()
            self.best_entry.setText("no probed η lowers E")
        else:
            self.best_line.show()
            self.best_line.setPos(np.log10(r.best_eta))
            at_edge = r.best_eta == r.etas[-1]
            self.best_entry.setText(
                f"largest η that lowers E {'≥' if at_edge else '='} {shown(r.best_eta)}"
            )
        plot = self.plot
        plot.setXRange(x[0] - 0.1, x[-1] + 0.1, padding=0)
        plot.setYRange(lo, hi, padding=0)


def y_range(r: ProbeResult) -> tuple[float, float]:
    """The E range shown: every finite E(η) from a little under the lowest, up to 3·E₀
    (higher ones are drawn at the top, marked off the chart) — the region where an update
    helps keeps most of the plot when large η blow E up."""
    finite = r.losses[np.isfinite(r.losses)]
    e0 = r.loss_before
    low = min(float(finite.min()) if finite.size else e0, e0)
    high = max(float(finite.max()) if finite.size else e0, e0)
    cap = e0 + 2.0 * max(abs(e0), 1e-12)
    high = min(high, cap)
    span = max(high - low, 1e-12 * max(1.0, abs(e0)))
    return low - 0.08 * span, high + 0.08 * span
