"""The decision boundary (2-input networks): the output over the input plane as a smooth
field (the winning output's class when there are several), with the data points on top,
training points filled and validation points hollow, and a legend of what the colours
mean.  Orange and blue as in the diagram: class 0 (an output below the split) orange,
class 1 blue.

Big data sets draw at most MAX_POINTS points, chosen per class in proportion (every class
shown), and say so above the plot.  Nothing is computed while the panel is hidden (a tab
behind another): it catches up when shown.
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
#: Points drawn at most (training and validation together): more hide the field and cost
#: seconds to lay out.
MAX_POINTS = 5000
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
        #: "5,000 of 1,000,000 samples shown" when the points are a sample of the data.
        self.sampled = QLabel("")
        self.sampled.setObjectName("boundarySampled")
        self.sampled.setContentsMargins(4, 2, 4, 0)
        self._layout.addWidget(self.sampled)
        self.plot = None
        self.image = None
        self.scatter = None  # the training points (one item per class, for the legend)
        self.points: list = []
        self.colour_bar = None
        self.values: np.ndarray | None = None
        #: Fields computed (for tests: none while hidden).
        self.redraws = 0
        self._stale = True
        self._points_key: tuple | None = None  # what the points drawn show
        self._planes: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._plane_of: object = None  # the data set the planes cover
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
            self.sampled.setText("")
            self._points_key = None
            return
        self.note.setText("")
        if not seen(self):  # (a run's live redraw asks seen() first too)
            self._stale = True
            return
        self.ensure_plot().show()
        self.redraws += 1
        s = self._session
        net = network or s.network
        data = s.project.dataset
        features = s.project.data_spec.get("features") or []
        xs, ys = self._plane(data, LIVE_GRID if image_only else GRID)
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

    def _plane(self, data, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The grid over ``data``'s inputs (xs (n,), ys (n,)), kept while the data stay (a
        million samples' extent is not looked for again at every step)."""
        if self._plane_of is not data:
            self._plane_of, self._planes = data, {}
        if n not in self._planes:
            # the extent column by column (40 times faster than min(axis=0) over (N, 2)),
            # then the grid over the two corners: the same as plane(data.inputs, n)
            x = data.inputs
            corners = np.array([[x[:, k].min() for k in (0, 1)], [x[:, k].max() for k in (0, 1)]])
            self._planes[n] = plane(corners, n)
        return self._planes[n]

    def _draw_points(self, data, net) -> None:
        """Training points filled, validation points hollow, one legend entry per class;
        at most MAX_POINTS of them, stratified by class.  Drawn again only when the data or
        the output's split change (not at every step)."""
        split = threshold(net.activations[-1])
        drawn = self._points_key
        if drawn is not None and drawn[0] is data and drawn[1] == split:
            return
        pg = self._pg
        for item in self.points:
            self.plot.removeItem(item)
        self.points = []
        self.legend.clear()
        self._points_key = (data, split)

        def classes(targets: np.ndarray) -> np.ndarray:
            if targets.shape[1] > 1:
                return np.argmax(targets, axis=1)
            return (targets[:, 0] > split).astype(int)

        names = data.class_labels or [f"class {c}" for c in range(max(2, data.targets.shape[1]))]
        train = classes(data.targets)
        val = classes(data.validation_targets) if data.validation_inputs is not None else None
        n_val = 0 if val is None else len(val)
        total = len(train) + n_val
        budget_val = 0 if val is None else round(MAX_POINTS * n_val / total)
        train_rows = stratified_rows(train, MAX_POINTS - budget_val)
        val_rows = None if val is None else stratified_rows(val, budget_val)
        shown = len(train_rows) + (0 if val_rows is None else len(val_rows))
        self.sampled.setText(
            f"{shown:,} of {total:,} samples shown (the same share of each class)"
            if shown < total
            else ""
        )
        self.scatter.setData([], [])
        # many points: small and without outlines, so the field between them shows
        dense = shown > 1_000
        size, outline = (3, pg.mkPen(None)) if dense else (6, pg.mkPen("k", width=0.5))
        train_x = data.inputs[train_rows]
        train_c = train[train_rows]
        for c in np.unique(train_c):
            colour = CLASS_COLOURS[int(c) % len(CLASS_COLOURS)]
            rows = train_c == c
            item = pg.ScatterPlotItem(
                train_x[rows, 0],
                train_x[rows, 1],
                size=size,
                pen=outline,
                brush=pg.mkBrush(colour),
                name=names[int(c)] if int(c) < len(names) else f"class {c}",
            )
            self.plot.addItem(item)
            self.points.append(item)
        if val is not None and val_rows is not None and len(val_rows):
            val_x = data.validation_inputs[val_rows]
            pens = [
                pg.mkPen(CLASS_COLOURS[int(c) % len(CLASS_COLOURS)], width=1.5)
                for c in val[val_rows]
            ]
            item = pg.ScatterPlotItem(
                val_x[:, 0],
                val_x[:, 1],
                size=4 if dense else 7,
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
        if self._stale:
            self.refresh()


def stratified_rows(classes: np.ndarray, cap: int) -> np.ndarray:
    """Rows of ``classes`` (N,) (class numbers 0, 1, …) to draw: all of them when N ≤
    ``cap``, else at most ``cap``, each class's share in proportion to its size, at least
    one row of every class (when ``cap`` allows), spread evenly over the class's rows in
    their order.  Sorted row indices (M,)."""
    n = len(classes)
    if n <= cap:
        return np.arange(n)
    if cap <= 0:
        return np.arange(0)
    counts = np.bincount(classes)
    present = np.flatnonzero(counts)  # one pass per class below: classes are few
    quota = cap * counts[present] / n
    take = np.floor(quota).astype(int)
    if len(present) <= cap:
        take = np.maximum(take, 1)  # every class seen, however rare
    # the rows left over go to the largest remainders; rows over go from the largest takes
    left = cap - int(take.sum())
    if left > 0:
        order = np.argsort(take - quota, kind="stable")[:left]
        take[order] += 1
    while take.sum() > cap:
        take[np.argmax(take)] -= 1
    take = np.minimum(take, counts[present])
    picks = []
    for c, k in zip(present, take, strict=True):
        if k:
            rows = np.flatnonzero(classes == c)
            picks.append(rows[np.linspace(0, len(rows) - 1, k).round().astype(int)])
    return np.sort(np.concatenate(picks)) if picks else np.arange(0)


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
