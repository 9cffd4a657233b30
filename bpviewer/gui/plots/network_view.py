"""The network diagram: units as circles in one column per layer, edges coloured by sign and
drawn thicker with |w|, values in the units, the last sub-step highlighted.

Layers wider than :data:`MAX_SHOWN` units are drawn elided (the first and last few and
"⋮ N more"), so a 784-128-10 network stays readable and cheap to draw.

Text never shrinks with the zoom: labels and values are drawn at the window's font size (at
least :data:`MIN_POINTS`) with a halo, and where there is no room for them at the current
zoom they are hidden instead (hovering a unit shows its own; zooming in shows them all).
The heading sits in a strip above the drawing, so it is never cut off.
"""

from __future__ import annotations

import itertools

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPalette,
    QPen,
    QPixmap,
    QTransform,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
)

from bpviewer.core.engine.notation import fmt, full, unit_label, weight_label
from bpviewer.gui import palette
from bpviewer.gui.plots.halo_text import HALO, HaloText
from bpviewer.gui.session import Change, Session

MAX_SHOWN = 16
MAP_GRID = 32  # heatmap resolution of a hidden unit (2-input networks)
MAP_LARGE = 160
KEEP = 6  # units shown at each end of an elided layer
RADIUS = 22.0
X_GAP = 230.0
Y_GAP = 64.0
RIGHT_MARGIN = 150.0  # scene room right of the last layer, for its values
LEFT_MARGIN = 140.0  # and left of the inputs, for theirs
MIN_POINTS = 9.0  # no text in the diagram is smaller than this on screen
MORE_COLOUR = "#606060"
STOPPED_COLOUR = "#b03a2e"  # units that stopped learning (dead or saturated)
HEALTH_BUDGET = 5e7  # multiply-adds (samples × weights) at most to judge the units per change


def shown_units(n: int) -> tuple[list[int], int]:
    """Units drawn for a layer of ``n`` and how many are elided."""
    if n <= MAX_SHOWN:
        return list(range(n)), 0
    return [*range(KEEP), *range(n - KEEP, n)], n - 2 * KEEP


def heat_image(values: np.ndarray, centred: bool = False) -> QImage:
    """Values (h, w) as an image: low orange, middle white, high blue (the sign colours);
    ``centred``: white at 0, the colours' depth by |value| (weights, whose sign matters)."""
    lo, hi = float(np.min(values)), float(np.max(values))
    if centred:
        hi = max(abs(lo), abs(hi))
        lo = -hi
    v = (values - lo) / (hi - lo) if hi > lo else np.full_like(values, 0.5)
    low, high = (
        np.array(QColor(palette.NEGATIVE).getRgb()[:3]),
        np.array(QColor(palette.POSITIVE).getRgb()[:3]),
    )
    white = np.array([255, 255, 255])
    t = v[..., None]
    rgb = np.where(t < 0.5, low + (white - low) * (t * 2), white + (high - white) * (t * 2 - 1))
    rgba = np.empty((*values.shape, 4), dtype=np.uint8)
    rgba[..., :3] = np.clip(rgb, 0, 255).astype(np.uint8)
    rgba[..., 3] = 255
    h, w = values.shape
    buffer = rgba.tobytes()  # QImage only points at it: keep it alive until the copy
    image = QImage(buffer, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
    del buffer
    return image


def _faded(colour: str, alpha: float) -> QColor:
    """``colour`` at opacity ``alpha`` over the diagram's background, as an opaque colour."""
    top, under = QColor(colour), QColor(palette.DIAGRAM)
    return QColor.fromRgbF(
        *(
            alpha * a + (1 - alpha) * b
            for a, b in zip(top.getRgbF()[:3], under.getRgbF()[:3], strict=True)
        )
    )


def _colour(label: QLabel, colour: str) -> None:
    """The label's text colour."""
    palette_ = label.palette()
    palette_.setColor(QPalette.ColorRole.WindowText, QColor(colour))
    label.setPalette(palette_)


class UnitItem(QGraphicsEllipseItem):
    """One unit: a circle with its label, and its current values beside it."""

    def __init__(self, layer: int, unit: int, label: str, centre: QPointF) -> None:
        super().__init__(-RADIUS, -RADIUS, 2 * RADIUS, 2 * RADIUS)
        self.layer, self.unit = layer, unit
        self.setPos(centre)
        self.setBrush(QBrush(QColor(palette.NODE_FILL)))
        self.setPen(QPen(QColor(palette.NODE_LINE), 1.5))
        self.setZValue(2)
        self.label = HaloText(self, anchor="centre", background=palette.NODE_FILL)
        self.label.set_lines([(label, palette.TEXT)])
        # inputs have no edges on their left: their values go there, the others' on the right
        self.values = HaloText(self, anchor="right" if layer == 0 else "left")
        self.labels_allowed = self.values_allowed = True  # the view's verdict: room at this zoom?
        self.hovered = False
        self.map_image: QImage | None = None
        self.map_note = ""  # what the picture in the circle is
        self.stopped = None  # a unit_health.Stopped when it stopped learning
        self.popup: QGraphicsPixmapItem | None = None
        self.setAcceptHoverEvents(True)

    def set_values(self, lines: list[tuple[str, str]], tooltip: str) -> None:
        """Lines of (text, colour) beside the unit."""
        self.values.set_lines(lines)
        self.setToolTip(tooltip)

    def show_text(self, labels: bool, values: bool) -> None:
        """Show the label and the values where the view found room (always when hovered)."""
        self.labels_allowed, self.values_allowed = labels, values
        self.label.setVisible(labels or self.hovered)
        self.values.setVisible(values or self.hovered)

    def place_label(self, side: str | None, offset: float) -> None:
        """The label in the circle (``side`` None), or outside it on the ``"left"`` or
        ``"right"``, ``offset`` from the centre (scene units)."""
        if side is None:
            self.label.set_anchor("centre")
            self.label.setPos(0, 0)
        else:
            self.label.set_anchor("right" if side == "left" else "left")
            self.label.setPos(-offset if side == "left" else offset, 0)

    def set_map(self, image: QImage | None) -> None:
        """Fill the unit with a small heatmap of its activation over the input plane (2-input
        networks); hovering shows it large.  ``None`` restores the plain fill."""
        self.map_image = image
        if image is None:
            self.setBrush(QBrush(QColor(palette.NODE_FILL)))
            return
        small = QPixmap.fromImage(image).scaled(int(2 * RADIUS), int(2 * RADIUS))
        brush = QBrush(small)
        brush.setTransform(QTransform.fromTranslate(-RADIUS, -RADIUS))
        self.setBrush(brush)

    def hoverEnterEvent(self, event) -> None:
        self.hovered = True
        self.setZValue(5)
        self.label.setVisible(True)
        self.values.setVisible(True)
        if self.map_image is not None:
            big = QPixmap.fromImage(self.map_image).scaled(MAP_LARGE, MAP_LARGE)
            self.popup = QGraphicsPixmapItem(big, self)
            self.popup.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            self.popup.setPos(RADIUS + 4, RADIUS + 4)
            self.popup.setZValue(10)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.setZValue(2)
        self.show_text(self.labels_allowed, self.values_allowed)
        if self.popup is not None:
            self.popup.setParentItem(None)
            if self.popup.scene() is not None:
                self.popup.scene().removeItem(self.popup)
            self.popup = None
        super().hoverLeaveEvent(event)

    def set_highlight(self, colour: str | None) -> None:
        """Outline the unit in the colour of the sub-step that just computed it; a unit
        that stopped learning is outlined dashed (see :attr:`stopped`)."""
        if colour is not None:
            pen = QPen(QColor(colour), 4.0)
        elif self.stopped is not None:
            pen = QPen(QColor(STOPPED_COLOUR), 3.0, Qt.PenStyle.DashLine)
        else:
            pen = QPen(QColor(palette.NODE_LINE), 1.5)
        self.setPen(pen)


class EdgeItem(QGraphicsLineItem):
    """One weight: a line from a unit of layer l−1 to a unit of layer l."""

    def __init__(
        self, view: NetworkView, layer: int, row: int, col: int, a: QPointF, b: QPointF
    ) -> None:
        super().__init__(a.x() + RADIUS, a.y(), b.x() - RADIUS, b.y())
        self.view, self.layer, self.row, self.col = view, layer, row, col
        self._shape: QPainterPath | None = None
        self.setZValue(1)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)

    def shape(self) -> QPainterPath:
        # a wider hit area than the drawn line, so thin edges can be clicked (made once:
        # the view asks for it hundreds of times an action, and the line never moves)
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(8)
            line = QPainterPath(self.line().p1())
            line.lineTo(self.line().p2())
            self._shape = stroker.createStroke(line)
        return self._shape

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.view.edgeClicked.emit(self.layer, self.row, self.col)
            event.accept()
            return
        super().mousePressEvent(event)


class NetworkView(QGraphicsView):
    """The diagram of the session's network (objectName ``networkView``)."""

    edgeClicked = Signal(int, int, int)  # layer (1-based), row, column

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("networkView")
        self._session = session
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setToolTip("")
        self.setBackgroundBrush(QBrush(QColor(palette.DIAGRAM)))
        self.units: dict[tuple[int, int], UnitItem] = {}
        self.edges: list[EdgeItem] = []
        self._highlight_layers: tuple[str | None, set[int]] = (None, set())
        self._more: list[HaloText] = []
        self._path_items: list[QGraphicsLineItem] = []
        self._gap = X_GAP
        self._banner = QLabel(self)
        self._banner.setObjectName("diagramHeading")
        self._banner.setIndent(6)
        bold = QFont(self._banner.font())
        bold.setBold(True)
        self._banner.setFont(bold)
        self.health = QLabel(self)  # how many units stopped learning, listed in its tooltip
        self.health.setObjectName("diagramHealth")
        self.health.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        _colour(self.health, STOPPED_COLOUR)
        self.stopped: list = []
        self._user_zoomed = False
        self._sizes: tuple[int, ...] = ()
        self.redraws = 0  # value redraws (tests count them: one per action)
        session.changed.connect(self._on_changed)
        session.conventionsChanged.connect(lambda _: self._on_values_changed(maps=False))
        self._place_banner()
        self._rebuild()

    def _on_changed(self, what: Change) -> None:
        if what & (Change.DOCUMENT | Change.SHAPE) and self._sizes != self._net_sizes():
            self._rebuild()
        elif what & (
            Change.DOCUMENT | Change.SHAPE | Change.PARAMETERS | Change.STEP | Change.SAMPLE
        ):
            maps = bool(what & (Change.DOCUMENT | Change.SHAPE | Change.PARAMETERS | Change.DATA))
            self._on_values_changed(maps)

    def _net_sizes(self) -> tuple[int, ...]:
        return self._session.network.layer_sizes

    # ------------------------------------------------------------------ building
    def _rebuild(self) -> None:
        self._sizes = self._net_sizes()
        scene = self.scene()
        scene.clear()
        self.units, self.edges, self._more = {}, [], []
        self._path_items = []
        net = self._session.network
        sizes, L = net.layer_sizes, net.n_layers
        tallest = max(len(shown_units(n)[0]) + (1 if shown_units(n)[1] else 0) for n in sizes)
        gap = max(X_GAP, 0.4 * tallest * Y_GAP)  # tall networks get wider columns
        self._gap = gap
        positions: dict[tuple[int, int], QPointF] = {}
        for l, n in enumerate(sizes):
            units, elided = shown_units(n)
            slots = len(units) + (1 if elided else 0)
            top = (tallest - slots) * Y_GAP / 2
            for k, u in enumerate(units):
                slot = k + (1 if elided and k >= KEEP else 0)
                p = QPointF(l * gap, top + slot * Y_GAP)
                positions[(l, u)] = p
                item = UnitItem(l, u, unit_label(l, u, L), p)
                scene.addItem(item)
                self.units[(l, u)] = item
            if elided:
                more = HaloText(anchor="centre")
                more.set_lines([(f"⋮ {elided} more", MORE_COLOUR)])
                more.setPos(l * gap, top + KEEP * Y_GAP)
                scene.addItem(more)
                self._more.append(more)
        for l in range(1, L + 1):
            for (ll, i), a in positions.items():
                if ll != l - 1:
                    continue
                for (lr, j), b in positions.items():
                    if lr != l:
                        continue
                    edge = EdgeItem(self, l, i, j, a, b)
                    scene.addItem(edge)
                    self.edges.append(edge)
        width, height = (len(sizes) - 1) * gap, (tallest - 1) * Y_GAP
        scene.setSceneRect(
            -RADIUS - LEFT_MARGIN,
            -RADIUS - 30,
            width + RIGHT_MARGIN + RADIUS + LEFT_MARGIN,
            height + 2 * RADIUS + 60,
        )
        self._apply_fonts()
        self._on_values_changed()
        self._user_zoomed = False
        self.fit()

    # ------------------------------------------------------------------ values
    def _phase_of(self, records) -> None:
        """The banner and the highlighted layers for the records just run (none: plain)."""
        self._highlight_layers = (None, set())
        # with nothing run yet: what to press first
        self._set_banner("press Forward (Ctrl+1) or Step (F10) to begin", MORE_COLOUR)
        if records:
            kinds = {r.sub_step.kind for r in records}
            # the last phase that ran (Iterate runs all three: its heading is the update)
            phase = (
                "update" if "update" in kinds else "backward" if "backward" in kinds else "forward"
            )
            text = {
                "forward": "forward  →",
                "backward": "←  backward",
                "update": "update: W ← W + ΔW",
            }[phase]
            colour = palette.BACKWARD if phase == "backward" else palette.FORWARD
            self._set_banner(text, colour)
            layers = {
                r.sub_step.layer for r in records if r.sub_step.kind in ("forward", "backward")
            }
            self._highlight_layers = (phase, layers)

    def unit_maps(self, net=None) -> dict[tuple[int, int], np.ndarray]:
        """Each shown hidden unit's activation over the input plane, (MAP_GRID, MAP_GRID), for
        networks with two raw inputs; empty otherwise (``net``: default the session's)."""
        from bpviewer.core.data.features import with_features
        from bpviewer.core.engine.decision import plane

        s = self._session
        net = net or s.network
        features = s.project.data_spec.get("features") or []
        if net.layer_sizes[0] - len(features) != 2 or net.n_layers < 2:
            return {}
        xs, ys = plane(s.project.dataset.inputs[:, :2], MAP_GRID)
        gx, gy = np.meshgrid(xs, ys[::-1])  # image rows run top to bottom
        points = with_features(np.column_stack([gx.ravel(), gy.ravel()]), list(features))
        _, activations = net.forward_pass(points)
        return {
            (l, u): activations[l - 1][:, u].reshape(gx.shape)
            for (l, u) in self.units
            if 0 < l < net.n_layers
        }

    def receptive_fields(self, net=None) -> dict[tuple[int, int], np.ndarray]:
        """Each shown first-layer hidden unit's incoming weights W₁[:, j] as an image
        (rows, columns), for data that declare an image shape; empty otherwise."""
        data = self._session.project.dataset
        net = net or self._session.network
        shape = data.image_shape
        if shape is None or net.n_layers < 2 or net.layer_sizes[0] != shape[0] * shape[1]:
            return {}
        w = net.weights[0]
        return {(l, u): data.as_image(w[:, u]) for (l, u) in self.units if l == 1}

    def _judge_units(self) -> None:
        """Mark the hidden units that stopped learning over the training set."""
        from bpviewer.core.engine.unit_health import stopped_units

        s = self._session
        data = s.project.dataset
        weights = sum(w.size for w in s.network.weights)
        if data.inputs.shape[0] * weights > HEALTH_BUDGET:  # too big to judge at every step
            self.stopped = []
            for item in self.units.values():
                item.stopped = None
            self.health.setText("")
            self.health.setToolTip("")
            return
        self.stopped = stopped_units(s.network, data.inputs)
        by_unit = {(x.layer, x.unit): x for x in self.stopped}
        for key, item in self.units.items():
            item.stopped = by_unit.get(key)
        L = s.network.n_layers
        if not self.stopped:
            self.health.setText("")
            self.health.setToolTip("")
            return
        n = data.inputs.shape[0]
        self.health.setText(f"{len(self.stopped)} units stopped learning")
        lines = [
            f"{unit_label(x.layer, x.unit, L)}: {x.kind}"
            + (f" (f′ < 0.01 on {x.share:.0%} of {n:,} samples)" if x.kind == "saturated"
               else f" (inactive on all {n:,} samples)")
            for x in self.stopped[:30]
        ]  # fmt: skip
        if len(self.stopped) > 30:
            lines.append(f"… and {len(self.stopped) - 30} more")
        self.health.setToolTip(
            "Units that stopped learning (outlined dashed):\n" + "\n".join(lines)
        )

    def _refresh_maps(self, net=None) -> None:
        fields = self.receptive_fields(net)
        maps = fields or self.unit_maps(net)
        for key, item in self.units.items():
            values = maps.get(key)
            item.set_map(None if values is None else heat_image(values, centred=bool(fields)))
            item.map_note = (
                f"inside: its incoming weights as a {values.shape[0]}×{values.shape[1]} image "
                "(blue +, orange −; hover to enlarge)"
                if fields and values is not None
                else "inside: its activation over the input plane (hover to enlarge)"
                if values is not None
                else ""
            )

    def _on_values_changed(self, maps: bool = True) -> None:
        """Redraw the values (and the hidden units' maps over the input plane, which
        depend on the parameters and the data only)."""
        self.redraws += 1
        self._phase_of(self._session.last_records)
        if maps:
            self._refresh_maps()
            self._judge_units()
        session = self._session
        machine = session.machine
        net = machine.network
        results, fresh = machine.results, machine.fresh
        conventions = session.conventions
        L = net.n_layers
        phase, layers = self._highlight_layers
        for (l, u), item in self.units.items():
            lines: list[tuple[str, str]] = []
            tip = [unit_label(l, u, L)]
            if l == 0:
                x = results.get("a0")
                if x is not None:
                    lines.append((f"x = {fmt(x[0, u])}", palette.FORWARD))
                    tip.append(f"x = {full(x[0, u])}")
            else:
                for key, name, colour in (
                    (f"z{l}", "z", palette.FORWARD),
                    (f"a{l}", "a", palette.FORWARD),
                    (f"delta{l}", "δ", palette.BACKWARD),
                ):
                    arr = results.get(key)
                    if arr is None:
                        continue
                    if name == "δ":  # −∂E/∂z, or ∂E/∂z as the conventions show it
                        arr = conventions.shown_delta(arr)
                    stale = key not in fresh
                    lines.append((f"{name} = {fmt(arr[0, u])}", palette.STALE if stale else colour))
                    tip.append(f"{name} = {full(arr[0, u])}{' (stale)' if stale else ''}")
                b = net.biases[l - 1]
                if b is not None:
                    tip.append(f"bias = {full(b[u])}")
            if item.map_note:
                tip.append(item.map_note)
            if item.stopped is not None:
                tip.append(
                    f"stopped learning: {item.stopped.kind}"
                    + (" (f′ < 0.01 on most samples)" if item.stopped.kind == "saturated"
                       else " (inactive on every sample)")
                )  # fmt: skip
            item.set_values(lines, "\n".join(tip))
            colour = None
            if l in layers and l > 0:
                colour = palette.BACKWARD if phase == "backward" else palette.FORWARD
            item.set_highlight(colour)
        self._paint_edges(net, results, layers)
        self._fit_text()
        self.viewport().update()

    def show_live(self, net) -> None:
        """A running run's newest parameters: edges and unit maps (read-only; the values
        of the units are the stepped ones', so they are cleared meanwhile)."""
        self._refresh_maps(net)
        self._paint_edges(net, {}, set())
        self._set_banner("training: the weights as they are now", MORE_COLOUR)
        self.viewport().update()

    def _paint_edges(self, net, results: dict, layers: set) -> None:
        """Edge colour by sign, width by |w| (faint small weights in dense drawings).

        Faint edges are drawn in an opaque colour mixed with the background, not a
        translucent one: blending antialiased lines took two thirds of a 784-128-10
        diagram's paint.  Stronger edges lie above fainter ones, as they did blended."""
        L = net.n_layers
        dense = len(self.edges) > 150
        for l in range(1, L + 1):
            w = net.weights[l - 1]
            finite = np.abs(w[np.isfinite(w)])
            scale = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
            grad, delta = results.get(f"grad_w{l}"), results.get(f"delta_w{l}")
            for edge in (e for e in self.edges if e.layer == l):
                v = float(w[edge.row, edge.col])
                share = abs(v) / scale if np.isfinite(v) else 1.0
                alpha = 0.35 if layers and l not in layers else 1.0
                if dense:  # faint small weights
                    alpha *= 0.25 + 0.75 * share
                pen = QPen(_faded(palette.POSITIVE if v >= 0 else palette.NEGATIVE, alpha))
                pen.setWidthF(0.6 + 5.0 * share)
                if pen != edge.pen():  # an unchanged edge is not repainted
                    edge.setPen(pen)
                    edge.setZValue(1.0 + 0.5 * alpha)
                tip = [weight_label(l, edge.row, edge.col, L), f"w = {full(v)}"]
                if grad is not None:
                    tip.append(f"∂E/∂w = {full(grad[edge.row, edge.col])}")
                if delta is not None:
                    tip.append(f"Δw = {full(delta[edge.row, edge.col])}")
                tip.append("click to select it in the table")
                edge.setToolTip("\n".join(tip))

    def show_paths(self, found) -> None:
        """Thicken the paths of a parameter's gradient (a chain_rule.Why; None: none) by
        their share; segments through elided units are left out."""
        for item in self._path_items:
            if item.scene() is not None:
                item.scene().removeItem(item)
        self._path_items = []
        if found is None or not found.paths:
            return
        biggest = max(abs(p.value) for p in found.paths) or 1.0
        for path in reversed(found.paths):  # the largest drawn last, on top
            chain = [(found.layer + m, u) for m, u in enumerate(path.units)]
            if found.kind == "w":
                chain.insert(0, (found.layer - 1, found.row))
            colour = QColor(palette.BACKWARD)
            colour.setAlphaF(0.55)
            pen = QPen(colour, 1.5 + 9.0 * abs(path.value) / biggest)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            for a, b in itertools.pairwise(chain):
                if a in self.units and b in self.units:
                    pa, pb = self.units[a].pos(), self.units[b].pos()
                    line = QGraphicsLineItem(pa.x() + RADIUS, pa.y(), pb.x() - RADIUS, pb.y())
                    line.setPen(pen)
                    line.setZValue(1.8)
                    line.setToolTip(f"a path of this gradient: {fmt(path.value)}")
                    self.scene().addItem(line)
                    self._path_items.append(line)

    # ------------------------------------------------------------------ text
    def _set_banner(self, text: str, colour: str) -> None:
        # a palette, not a style sheet: a style sheet is parsed and the label re-polished
        # on every action
        self._banner.setText(text)
        _colour(self._banner, colour)

    def _place_banner(self) -> None:
        """The heading in a strip above the drawing (never over it, never cut off)."""
        strip = self._banner.sizeHint().height() + 4
        self.setViewportMargins(0, strip, 0, 0)
        frame = self.frameWidth()
        self._banner.setGeometry(frame, frame, self.width() - 2 * frame, strip)
        self.health.setGeometry(frame, frame, self.width() - 2 * frame - 6, strip)
        self.health.raise_()

    def text_font(self) -> QFont:
        """The diagram's font: the window's, never under :data:`MIN_POINTS` points."""
        font = QFont(self.font())
        font.setPointSizeF(max(MIN_POINTS, QFontInfo(self.font()).pointSizeF()))
        return font

    def _apply_fonts(self) -> None:
        font = self.text_font()
        for item in self.units.values():
            item.label.set_font(font)
            item.values.set_font(font)
        for more in self._more:
            more.set_font(font)

    def _fit_text(self) -> None:
        """Show labels and values only where they fit at this zoom, at full size."""
        if not self.units:
            return
        k = self.transform().m11()
        slot = Y_GAP * k  # pixels between units of a column
        label = max(u.label.boundingRect().width() for u in self.units.values()) - 2 * HALO
        line = QFontMetricsF(self.text_font()).height()
        rows = slot >= line + 2  # a line of text between neighbours
        inside = 2 * RADIUS * k + 6 >= label  # the labels fit in the circles
        last = len(self._sizes) - 1
        # values start right of the circle (and of the label, where it is wider)
        start = max(RADIUS + 4 / k, (label / 2 + 4) / k)
        room = {l: self._gap * k - max(RADIUS * k, label / 2) - 8 for l in range(last + 1)}
        room[last] = (RIGHT_MARGIN - 10) * k
        room[0] = (LEFT_MARGIN - 10) * k
        values_fit = rows and inside
        for item in self.units.values():
            item.values.setPos(-start if item.layer == 0 else start, 0)
            rect = item.values.boundingRect()
            if rect.height() - 2 * HALO > slot - 2 or start * k + rect.width() > room[item.layer]:
                values_fit = False
        for item in self.units.values():
            # too small a circle: inputs and outputs are labelled on their free side
            side = None if inside else {0: "left", last: "right"}.get(item.layer)
            item.place_label(side, RADIUS + 4 / k)
            outside_fits = side is not None and RADIUS * k + 4 + label <= room[item.layer]
            item.show_text(rows and (inside or outside_fits), values_fit)
        for more in self._more:
            more.setVisible(slot >= line + 2)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._place_banner()
            self._apply_fonts()
            self._fit_text()

    # ------------------------------------------------------------------ zoom and pan
    def fit(self) -> None:
        """Fit the whole network in the view."""
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self._fit_text()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_banner()
        if not self._user_zoomed:
            self.fit()

    def wheelEvent(self, event) -> None:
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.zoom(factor)

    def zoom(self, factor: float) -> None:
        """Zoom by ``factor`` about the centre (the mouse, for the wheel)."""
        self.scale(factor, factor)
        self._user_zoomed = True
        self._fit_text()

    def reset_zoom(self) -> None:
        """Back to fit-to-window."""
        self._user_zoomed = False
        self.fit()
