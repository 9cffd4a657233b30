"""The decision boundary (2-input networks): the output over the input plane as a heatmap
(the winning output's class when there are several), with the data points on top
(pyqtgraph ImageItem + scatter)."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from bpviewer.core.engine.decision import decision_grid, plane, threshold
from bpviewer.gui.plots.plotting import plain_axes, pyqtgraph
from bpviewer.gui.session import Change, Session

GRID = 80
CLASS_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]


class DecisionBoundary(QWidget):
    """Heatmap + points; refreshed on parameter changes and, during a run, from chunks."""

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionBoundary")
        self._session = session
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.note = QLabel("")
        self._layout.addWidget(self.note)
        self.plot = None
        self.image = None
        self.scatter = None
        self.values: np.ndarray | None = None
        session.changed.connect(self._on_changed)

    def applicable(self) -> bool:
        """Whether the network has two raw inputs (derived features count as extra)."""
        spec = self._session.project.data_spec
        raw = self._session.network.layer_sizes[0] - len(spec.get("features") or [])
        return raw == 2

    def ensure_plot(self):
        """Create the plot (pyqtgraph on first use)."""
        if self.plot is None:
            pg = pyqtgraph()

            self._pg = pg
            self.plot = pg.PlotWidget()
            self.plot.setObjectName("decisionPlot")
            self.plot.setAspectLocked(False)
            plain_axes(self.plot)
            self.image = pg.ImageItem()
            self.scatter = pg.ScatterPlotItem(size=6, pen=pg.mkPen("k", width=0.5))
            self.plot.addItem(self.image)
            self.plot.addItem(self.scatter)
            self._layout.addWidget(self.plot, 1)
        return self.plot

    def _on_changed(self, what: Change) -> None:
        if what & (Change.DOCUMENT | Change.PARAMETERS | Change.DATA | Change.SHAPE):
            self.refresh()

    def refresh(self, network=None, image_only: bool = False) -> None:
        """Recompute the heatmap (for ``network``, default the session's); the data points
        too unless ``image_only`` (during a run they do not move)."""
        if not self.applicable():
            self.note.setText("The decision boundary is drawn for networks with two inputs.")
            if self.plot is not None:
                self.plot.hide()
            return
        self.note.setText("")
        if not self.isVisible() and network is None:
            self._stale = True
            return
        self.ensure_plot().show()
        s = self._session
        net = network or s.network
        data = s.project.dataset
        features = s.project.data_spec.get("features") or []
        xs, ys = plane(data.inputs[:, :2], GRID)
        self.values = decision_grid(net, xs, ys, features)
        pg = self._pg
        k = net.layer_sizes[-1]
        if k > 1:  # the winning output's class colour
            colours = [pg.mkColor(CLASS_COLOURS[i % len(CLASS_COLOURS)]) for i in range(k)]
            lut = np.array([[c.red(), c.green(), c.blue(), 110] for c in colours], dtype=np.ubyte)
            self.image.setImage(self.values.T, levels=(0, max(k - 1, 1)), lut=lut)
            self.image.setOpacity(1.0)
            self.image.setToolTip("Colour: the class of the largest output")
        else:  # the output's value, on a diverging map centred where the classes split
            cmap = pg.colormap.get("CET-D1A")
            self.image.setImage(
                self.values.T,
                levels=output_levels(net.activations[-1], self.values),
                lut=cmap.getLookupTable(nPts=256, alpha=False),
            )
            self.image.setOpacity(0.55)
            self.image.setToolTip("Colour: the output's value (white where the classes split)")
        self.image.setRect(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0])
        if image_only:
            return
        classes = (
            np.argmax(data.targets, axis=1)
            if data.targets.shape[1] > 1
            else (data.targets[:, 0] > threshold(net.activations[-1])).astype(int)
        )
        brushes = [pg.mkBrush(CLASS_COLOURS[c % len(CLASS_COLOURS)]) for c in classes]
        self.scatter.setData(data.inputs[:, 0], data.inputs[:, 1], brush=brushes)
        self._stale = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if getattr(self, "_stale", True):
            self.refresh()


def output_levels(activation: str, values: np.ndarray) -> tuple[float, float]:
    """Colour levels for one output's values: its range for sigmoid (0, 1) and tanh
    (−1, 1); for an unbounded output the values' own span, centred on 0.5 so the map's
    middle stays where :func:`threshold` splits the classes."""
    if activation == "tanh":
        return -1.0, 1.0
    if activation in ("sigmoid", "softmax"):
        return 0.0, 1.0
    finite = values[np.isfinite(values)]
    if not finite.size:
        return 0.0, 1.0
    half = max(abs(float(finite.max()) - 0.5), abs(float(finite.min()) - 0.5), 0.5)
    return 0.5 - half, 0.5 + half
