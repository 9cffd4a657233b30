"""The training dock: how long to train, watchpoints, the learning rate; and the plots of the
inside of the network during a run (gradient norm per layer, chosen weights' trajectories)."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bpviewer.core.notation import full
from bpviewer.gui.curve_buffer import CurveBuffer
from bpviewer.gui.error_plot import PAINT_SHARE
from bpviewer.gui.live_range import SteppedRange
from bpviewer.gui.plotting import plain_axes, pyqtgraph
from bpviewer.gui.session import Change, Session

LAYER_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]


class TrainingPanel(QWidget):
    """Run length, stop conditions and watchpoints."""

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self._session = session
        form = QFormLayout(self)
        row = QHBoxLayout()
        self.amount = QSpinBox()
        self.amount.setObjectName("trainAmount")
        self.amount.setRange(1, 100_000_000)
        self.amount.setValue(1000)
        self.amount.setGroupSeparatorShown(True)
        self.unit = QComboBox()
        self.unit.setObjectName("trainUnit")
        self.unit.addItems(["iterations", "epochs", "until loss <"])
        self.unit.setToolTip(
            "Train for a number of iterations (updates), of epochs (passes "
            "over the data), or until the epoch-mean loss is below a target"
        )
        self.target = QLineEdit("0.01")
        self.target.setObjectName("trainTarget")
        self.target.setToolTip("Target loss (epoch mean)")
        self.target.setMaximumWidth(80)
        self.unit.currentIndexChanged.connect(self._on_unit)
        row.addWidget(self.amount)
        row.addWidget(self.unit)
        row.addWidget(self.target)
        form.addRow("Train", row)
        self.learning_rate = QLineEdit()
        self.learning_rate.setObjectName("learningRate")
        self.learning_rate.setToolTip("Learning rate η (Enter to apply; undoable)")
        self.learning_rate.editingFinished.connect(self._on_learning_rate)
        form.addRow("Learning rate η", self.learning_rate)
        self._build_watches(form)
        self.verdict = QLabel("")
        self.verdict.setObjectName("trainingVerdict")
        self.verdict.setWordWrap(True)
        form.addRow(self.verdict)
        self._on_unit()
        session.changed.connect(self._on_changed)
        self.refresh()

    def _build_watches(self, form: QFormLayout) -> None:
        """The watchpoints: NaN or ∞, a growing loss, a vanishing gradient."""
        self.watch_nan = QCheckBox("stop on NaN or ∞")
        self.watch_nan.setObjectName("watchNan")
        self.watch_nan.setToolTip(
            "Stop when a loss or a weight stops being a finite number, and go back to the "
            "last iteration whose values were all finite"
        )
        self.watch_nan.setChecked(True)
        form.addRow("Watch", self.watch_nan)
        growth = QHBoxLayout()
        self.watch_growth = QCheckBox("stop if the loss grows")
        self.watch_growth.setObjectName("watchGrowth")
        self.watch_growth.setToolTip(
            "Stop when the epoch-mean loss (smoothed over 5 epochs) grows to more than this "
            "factor above the run's start: usually a learning rate that is too large"
        )
        self.watch_growth.setChecked(True)
        self.growth = QDoubleSpinBox()
        self.growth.setObjectName("growthFactor")
        self.growth.setRange(1.1, 1e6)
        self.growth.setValue(10.0)
        self.growth.setSuffix(" ×")
        growth.addWidget(self.watch_growth)
        growth.addWidget(self.growth)
        growth.addStretch(1)
        form.addRow("", growth)
        vanish = QHBoxLayout()
        self.watch_vanish = QCheckBox("stop if a gradient norm falls below")
        self.watch_vanish.setObjectName("watchVanishing")
        self.watch_vanish.setToolTip(
            "Stop when a layer's ‖∂E/∂W‖ (epoch mean) falls below this: vanishing gradients, "
            "often saturated sigmoid or tanh units"
        )
        self.vanish = QLineEdit("1e-8")
        self.vanish.setObjectName("vanishingThreshold")
        self.vanish.setMaximumWidth(80)
        vanish.addWidget(self.watch_vanish)
        vanish.addWidget(self.vanish)
        vanish.addStretch(1)
        form.addRow("", vanish)

    def add_controls(self, actions) -> None:
        """Buttons for the window's Train, Pause and Stop commands (same keys, same state)."""
        row = QHBoxLayout()
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            row.addWidget(button)
        row.addStretch(1)
        self.layout().insertRow(1, "", row)

    def _on_changed(self, what: Change) -> None:
        if what & ~Change.PROGRESS:
            self.refresh()

    def refresh(self) -> None:
        """Show the project's learning rate."""
        if not self.learning_rate.hasFocus():
            self.learning_rate.setText(full(self._session.project.training.learning_rate))

    def _on_unit(self) -> None:
        until = self.unit.currentIndex() == 2
        self.target.setVisible(until)  # only then does it mean anything
        self.amount.setToolTip("At most this many epochs" if until else "How many to run")

    def _on_learning_rate(self) -> None:
        text = self.learning_rate.text()
        try:
            value = float(text)
        except ValueError:
            self._session.messageIssued.emit(f"{text!r} is not a number; η keeps its value")
            self.refresh()
            return
        if not self._session.set_training(learning_rate=value):  # checked in core, once
            self.refresh()

    def run_arguments(self) -> dict | None:
        """Keyword arguments for :meth:`TrainingController.start`, or None (bad input)."""
        args: dict = {}
        n = self.amount.value()
        unit = self.unit.currentIndex()
        if unit == 0:
            args["iterations"] = n
        else:
            args["epochs"] = n
        if unit == 2:
            try:
                args["target_loss"] = float(self.target.text())
            except ValueError:
                self._session.messageIssued.emit(f"{self.target.text()!r} is not a number")
                return None
        vanishing = None
        if self.watch_vanish.isChecked():
            try:
                vanishing = float(self.vanish.text())
            except ValueError:
                self._session.messageIssued.emit(f"{self.vanish.text()!r} is not a number")
                return None
        from bpviewer.core.training_run import Watch

        args["watch"] = Watch(
            nan=self.watch_nan.isChecked(),
            growth=self.growth.value() if self.watch_growth.isChecked() else None,
            vanishing=vanishing,
        )
        return args


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
        self.norm_plot = pg.PlotWidget()
        self.norm_plot.setObjectName("gradNormPlot")
        self.norm_plot.setLabel("left", "‖∂E/∂W‖")
        self.norm_plot.setLabel("bottom", "iteration")
        self.norm_plot.setLogMode(y=True)
        self.norm_plot.addLegend(offset=(-10, 10))
        self.traj_plot = pg.PlotWidget()
        self.traj_plot.setObjectName("trajectoryPlot")
        self.traj_plot.setLabel("left", "weight")
        plain_axes(self.norm_plot)
        plain_axes(self.traj_plot)
        self.traj_plot.setLabel("bottom", "iteration")
        self.traj_plot.addLegend(offset=(-10, 10))
        self.traj_plot.setXLink(self.norm_plot)
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
        if self.isVisible():
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
