"""The network diagram: units as circles in one column per layer, edges coloured by sign and
drawn thicker with |w|, values in the units, the last sub-step highlighted.

Layers wider than :data:`MAX_SHOWN` units are drawn elided (the first and last few and
"⋮ N more"), so a 784-128-10 network stays readable and cheap to draw.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPixmap,
    QTransform,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
)

from bpviewer.core.engine.notation import fmt, full, unit_label, weight_label
from bpviewer.gui import palette
from bpviewer.gui.session import Change, Session

MAX_SHOWN = 16
MAP_GRID = 32  # heatmap resolution of a hidden unit (2-input networks)
MAP_LARGE = 160
KEEP = 6  # units shown at each end of an elided layer
RADIUS = 22.0
X_GAP = 230.0
Y_GAP = 64.0


def shown_units(n: int) -> tuple[list[int], int]:
    """Units drawn for a layer of ``n`` and how many are elided."""
    if n <= MAX_SHOWN:
        return list(range(n)), 0
    return [*range(KEEP), *range(n - KEEP, n)], n - 2 * KEEP


def heat_image(values: np.ndarray) -> QImage:
    """Values (h, w) as an image: low orange, middle white, high blue (the sign colours)."""
    lo, hi = float(np.min(values)), float(np.max(values))
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


class UnitItem(QGraphicsEllipseItem):
    """One unit: a circle with its label, and its current values beside it."""

    def __init__(self, layer: int, unit: int, label: str, centre: QPointF) -> None:
        super().__init__(-RADIUS, -RADIUS, 2 * RADIUS, 2 * RADIUS)
        self.layer, self.unit = layer, unit
        self.setPos(centre)
        self.setBrush(QBrush(QColor(palette.NODE_FILL)))
        self.setPen(QPen(QColor(palette.NODE_LINE), 1.5))
        self.setZValue(2)
        self.label = QGraphicsSimpleTextItem(label, self)
        font = QFont()
        font.setPointSizeF(11)
        self.label.setFont(font)
        r = self.label.boundingRect()
        self.label.setPos(-r.width() / 2, -r.height() / 2)
        # values beside the unit, on a light plate so edges never run through the digits
        self.plate = QGraphicsRectItem(self)
        self.plate.setBrush(QBrush(QColor(255, 255, 255, 215)))
        self.plate.setPen(QPen(Qt.PenStyle.NoPen))
        self.values = QGraphicsTextItem("", self)
        small = QFont()
        small.setPointSizeF(8.5)
        self.values.setFont(small)
        self.values.document().setDocumentMargin(1)
        self.values.setPos(RADIUS + 3, -RADIUS - 2)
        self.setAcceptHoverEvents(True)

    def set_values(self, lines: list[tuple[str, str]], tooltip: str) -> None:
        """Lines of (text, colour) beside the unit."""
        self.values.setHtml(
            "<br>".join(
                f'<span style="color:{colour}">{html.escape(text)}</span>' for text, colour in lines
            )
        )
        self.plate.setVisible(bool(lines))
        self.plate.setRect(self.values.mapRectToParent(self.values.boundingRect()))
        self.setToolTip(tooltip)

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
        image = getattr(self, "map_image", None)
        if image is not None:
            big = QPixmap.fromImage(image).scaled(MAP_LARGE, MAP_LARGE)
            self.popup = QGraphicsPixmapItem(big, self)
            self.popup.setPos(RADIUS + 4, RADIUS + 4)
            self.popup.setZValue(10)
            self.setZValue(5)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        popup = getattr(self, "popup", None)
        if popup is not None:
            popup.setParentItem(None)
            if popup.scene() is not None:
                popup.scene().removeItem(popup)
            self.popup = None
            self.setZValue(2)
        super().hoverLeaveEvent(event)

    def set_highlight(self, colour: str | None) -> None:
        """Outline the unit in the colour of the sub-step that just computed it."""
        if colour is None:
            self.setPen(QPen(QColor(palette.NODE_LINE), 1.5))
        else:
            self.setPen(QPen(QColor(colour), 4.0))


class EdgeItem(QGraphicsLineItem):
    """One weight: a line from a unit of layer l−1 to a unit of layer l."""

    def __init__(
        self, view: NetworkView, layer: int, row: int, col: int, a: QPointF, b: QPointF
    ) -> None:
        super().__init__(a.x() + RADIUS, a.y(), b.x() - RADIUS, b.y())
        self.view, self.layer, self.row, self.col = view, layer, row, col
        self.setZValue(1)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)

    def shape(self) -> QPainterPath:
        # a wider hit area than the drawn line, so thin edges can be clicked
        stroker = QPainterPathStroker()
        stroker.setWidth(8)
        line = QPainterPath(self.line().p1())
        line.lineTo(self.line().p2())
        return stroker.createStroke(line)

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
        self.setBackgroundBrush(QBrush(QColor("#fbfbfb")))
        self.units: dict[tuple[int, int], UnitItem] = {}
        self.edges: list[EdgeItem] = []
        self._highlight_layers: tuple[str | None, set[int]] = (None, set())
        self._banner: QGraphicsSimpleTextItem | None = None
        self._user_zoomed = False
        self._sizes: tuple[int, ...] = ()
        self.redraws = 0  # value redraws (tests count them: one per action)
        session.changed.connect(self._on_changed)
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
        self.units, self.edges = {}, []
        net = self._session.network
        sizes, L = net.layer_sizes, net.n_layers
        tallest = max(len(shown_units(n)[0]) + (1 if shown_units(n)[1] else 0) for n in sizes)
        gap = max(X_GAP, 0.4 * tallest * Y_GAP)  # tall networks get wider columns
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
                more = QGraphicsSimpleTextItem(f"⋮ {elided} more")
                more.setBrush(QBrush(QColor(palette.STALE)))
                more.setPos(l * gap - 28, top + KEEP * Y_GAP - 10)
                scene.addItem(more)
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
        self._banner = QGraphicsSimpleTextItem("")
        font = QFont()
        font.setPointSizeF(10)
        font.setBold(True)
        self._banner.setFont(font)
        self._banner.setPos(0, -2.2 * RADIUS - 14)
        scene.addItem(self._banner)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-30, -30, 90, 30))
        self._on_values_changed()
        self._user_zoomed = False
        self.fit()

    # ------------------------------------------------------------------ values
    def _phase_of(self, records) -> None:
        """The banner and the highlighted layers for the records just run (none: plain)."""
        self._highlight_layers = (None, set())
        if self._banner is not None:  # with nothing run yet: what to press first
            self._banner.setText("press Forward (Ctrl+1) or Step (F10) to begin")
            self._banner.setBrush(QBrush(QColor(palette.STALE)))
        if records:
            kinds = {r.sub_step.kind for r in records}
            phase = (
                "backward" if "backward" in kinds else "update" if "update" in kinds else "forward"
            )
            text = {
                "forward": "forward  →",
                "backward": "←  backward",
                "update": "update: W ← W + ΔW",
            }[phase]
            colour = palette.BACKWARD if phase == "backward" else palette.FORWARD
            if self._banner is not None:
                self._banner.setText(text)
                self._banner.setBrush(QBrush(QColor(colour)))
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

    def _refresh_maps(self, net=None) -> None:
        maps = self.unit_maps(net)
        for key, item in self.units.items():
            values = maps.get(key)
            item.set_map(None if values is None else heat_image(values))

    def _on_values_changed(self, maps: bool = True) -> None:
        """Redraw the values (and the hidden units' maps over the input plane, which
        depend on the parameters and the data only)."""
        self.redraws += 1
        self._phase_of(self._session.last_records)
        if maps:
            self._refresh_maps()
        session = self._session
        machine = session.machine
        net = machine.network
        results, fresh = machine.results, machine.fresh
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
                    stale = key not in fresh
                    lines.append((f"{name} = {fmt(arr[0, u])}", palette.STALE if stale else colour))
                    tip.append(f"{name} = {full(arr[0, u])}{' (stale)' if stale else ''}")
                b = net.biases[l - 1]
                if b is not None:
                    tip.append(f"bias = {full(b[u])}")
            item.set_values(lines, "\n".join(tip))
            colour = None
            if l in layers and l > 0:
                colour = palette.BACKWARD if phase == "backward" else palette.FORWARD
            item.set_highlight(colour)
        self._paint_edges(net, results, layers)
        self.viewport().update()

    def show_live(self, net) -> None:
        """A running run's newest parameters: edges and unit maps (read-only; the values
        of the units are the stepped ones', so they are cleared meanwhile)."""
        self._refresh_maps(net)
        self._paint_edges(net, {}, set())
        if self._banner is not None:
            self._banner.setText("training: the weights as they are now")
            self._banner.setBrush(QBrush(QColor(palette.STALE)))
        self.viewport().update()

    def _paint_edges(self, net, results: dict, layers: set) -> None:
        """Edge colour by sign, width by |w| (faint small weights in dense drawings)."""
        L = net.n_layers
        for l in range(1, L + 1):
            w = net.weights[l - 1]
            scale = float(np.max(np.abs(w))) or 1.0
            grad, delta = results.get(f"grad_w{l}"), results.get(f"delta_w{l}")
            for edge in (e for e in self.edges if e.layer == l):
                v = float(w[edge.row, edge.col])
                colour = QColor(palette.POSITIVE if v >= 0 else palette.NEGATIVE)
                alpha = 0.35 if layers and l not in layers else 1.0
                if len(self.edges) > 150:  # dense drawings: faint small weights
                    alpha *= 0.25 + 0.75 * abs(v) / scale
                colour.setAlphaF(alpha)
                width = 0.6 + 5.0 * abs(v) / scale
                edge.setPen(QPen(colour, width))
                tip = [weight_label(l, edge.row, edge.col, L), f"w = {full(v)}"]
                if grad is not None:
                    tip.append(f"∂E/∂w = {full(grad[edge.row, edge.col])}")
                if delta is not None:
                    tip.append(f"Δw = {full(delta[edge.row, edge.col])}")
                tip.append("click to select it in the table")
                edge.setToolTip("\n".join(tip))

    # ------------------------------------------------------------------ zoom and pan
    def fit(self) -> None:
        """Fit the whole network in the view."""
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._user_zoomed:
            self.fit()

    def wheelEvent(self, event) -> None:
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.scale(factor, factor)
        self._user_zoomed = True

    def zoom(self, factor: float) -> None:
        """Zoom by ``factor`` about the centre."""
        self.scale(factor, factor)
        self._user_zoomed = True

    def reset_zoom(self) -> None:
        """Back to fit-to-window."""
        self._user_zoomed = False
        self.fit()
