"""The decision boundary (2-input networks): the output over the input plane as a smooth
field (the winning output's class when there are several), with the data points on top,
training points filled and validation points hollow, and a legend of what the colours
mean.  Orange and blue as in the diagram: class 0 (an output below the split) orange,
class 1 blue.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from bpviewer.core.engine.decision import decision_grid, plane, threshold
from bpviewer.gui import palette
from bpviewer.gui.plots.plotting import follow_font, plain_axes, pyqtgraph
from bpviewer.gui.session import Change, Session
from bpviewer.gui.visibility import seen

#: The field's resolution; during a run, where it is redrawn every half second while the
#: training worker waits, a coarser one (drawn smoothed) keeps the cost of a redraw.
GRID = 160
LIVE_GRID = 80
CLASS_COLOURS = [palette.NEGATIVE, palette.POSITIVE, "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]


def class_colour_map(pg):
    """Orange (class 0, low) through white (the split) to blue (class 1, high)."""
    return pg.ColorMap([0.0, 0.5, 1.0], [palette.NEGATIVE, "#ffffff", palette.POSITIVE])


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
        self.scatter = None  # the training points (one item per class, for the legend)
        self.points: list = []
        self.colour_bar = None
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
            self.plot.setAspectLocked(True)  # one unit is as long on both axes
            plain_axes(self.plot)
            self.image = pg.ImageItem()
            self.image.setAutoDownsample(False)
            self.scatter = pg.ScatterPlotItem(size=6, pen=pg.mkPen("k", width=0.5))
            self.plot.addItem(self.image)
            self.plot.addItem(self.scatter)
            self.legend = self.plot.addLegend(offset=(-5, 5))
            follow_font(self.plot)
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
        if not seen(self) and network is None:
            self._stale = True
            return
        self.ensure_plot().show()
        s = self._session
        net = network or s.network
        data = s.project.dataset
        features = s.project.data_spec.get("features") or []
        xs, ys = plane(data.inputs[:, :2], LIVE_GRID if image_only else GRID)
        self.values = decision_grid(net, xs, ys, features)
        pg = self._pg
        k = net.layer_sizes[-1]
        if k > 1:  # the winning output's class colour
            colours = [pg.mkColor(CLASS_COLOURS[i % len(CLASS_COLOURS)]) for i in range(k)]
            lut = np.array([[c.red(), c.green(), c.blue(), 110] for c in colours], dtype=np.ubyte)
            self.image.setImage(self.values.T, levels=(0, max(k - 1, 1)), lut=lut)
            self.image.setOpacity(1.0)
            self.image.setToolTip("Colour: the class of the largest output")
            self._colour_bar(None)
        else:  # the output's value, orange to blue through white where the classes split
            levels = output_levels(net.activations[-1], self.values)
            cmap = class_colour_map(pg)
            self.image.setImage(self.values.T, levels=levels, lut=cmap.getLookupTable(nPts=256))
            self.image.setOpacity(0.55)
            self.image.setToolTip("Colour: the output's value (white where the classes split)")
            self._colour_bar(levels, cmap)
        self.image.setRect(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0])
        if image_only:
            return
        self._draw_points(data, net)
        self._stale = False

    def _colour_bar(self, levels, cmap=None) -> None:
        """A colour legend for one output's value (none for classes: the legend names them)."""
        if levels is None:
            if self.colour_bar is not None:
                self.colour_bar.hide()
            return
        pg = self._pg
        if self.colour_bar is None:
            self.colour_bar = pg.ColorBarItem(
                values=levels, colorMap=cmap, interactive=False, width=12, label="output"
            )
            self.plot.getPlotItem().layout.addItem(self.colour_bar, 2, 5)
        self.colour_bar.setLevels(levels)
        self.colour_bar.show()

    def _draw_points(self, data, net) -> None:
        """Training points filled, validation points hollow, one legend entry per class."""
        pg = self._pg
        for item in self.points:
            self.plot.removeItem(item)
        self.points = []
        self.legend.clear()
        split = threshold(net.activations[-1])

        def classes(targets: np.ndarray) -> np.ndarray:
            if targets.shape[1] > 1:
                return np.argmax(targets, axis=1)
            return (targets[:, 0] > split).astype(int)

        names = data.class_labels or [f"class {c}" for c in range(max(2, data.targets.shape[1]))]
        train = classes(data.targets)
        self.scatter.setData([], [])
        for c in np.unique(train):
            colour = CLASS_COLOURS[int(c) % len(CLASS_COLOURS)]
            rows = train == c
            item = pg.ScatterPlotItem(
                data.inputs[rows, 0],
                data.inputs[rows, 1],
                size=6,
                pen=pg.mkPen("k", width=0.5),
                brush=pg.mkBrush(colour),
                name=names[int(c)] if int(c) < len(names) else f"class {c}",
            )
            self.plot.addItem(item)
            self.points.append(item)
        if data.validation_inputs is not None:
            val = classes(data.validation_targets)
            pens = [pg.mkPen(CLASS_COLOURS[int(c) % len(CLASS_COLOURS)], width=1.5) for c in val]
            item = pg.ScatterPlotItem(
                data.validation_inputs[:, 0],
                data.validation_inputs[:, 1],
                size=7,
                pen=pens,
                brush=pg.mkBrush(None),
                name="validation (hollow)",
            )
            self.plot.addItem(item)
            self.points.append(item)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.catch_up()

    def catch_up(self) -> None:
        """Redraw now if the data or network changed while the panel was not seen."""
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
