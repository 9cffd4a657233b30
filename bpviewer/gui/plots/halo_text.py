"""Text for diagrams: lines of coloured text with a thin halo of the background colour, drawn
at a fixed size on screen whatever the zoom.

A halo (an outline under the glyphs) keeps text readable where it crosses lines, without
the opaque box that would hide what lies under it; ignoring the view's transformation keeps
it at the window's font size when a big diagram is fitted, so the view decides whether
there is room to show it (see :class:`~bpviewer.gui.plots.network_view.NetworkView`) instead
of shrinking it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from bpviewer.gui import palette

HALO = 5.0  # pixels of background colour around each glyph


class HaloText(QGraphicsItem):
    """Lines of (text, colour) in screen pixels, vertically centred on the item's position and
    anchored there by their left edge, centre or right edge (``anchor``)."""

    def __init__(
        self,
        parent: QGraphicsItem | None = None,
        *,
        anchor: str = "left",
        background: str = palette.DIAGRAM,
    ) -> None:
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        # drawn once into a pixmap and reused until the text changes (halos are costly)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._anchor = anchor
        self._halo = QColor(background)
        self._font = QFont()
        self._lines: list[tuple[str, str]] = []
        self._paths: list[tuple[QPainterPath, QColor]] = []
        self._widths: list[float] = []
        self._box = (0.0, 0.0, 0.0, 0.0, 0.0)
        self._rect = QRectF()

    # ------------------------------------------------------------------ content
    def set_lines(self, lines: list[tuple[str, str]]) -> None:
        """Replace the text: one (text, colour) per line."""
        if lines == self._lines:
            return
        self._lines = list(lines)
        self._layout()

    def set_font(self, font: QFont) -> None:
        """The font of every line (its size is the size on screen)."""
        self._font = QFont(font)
        self._layout()

    def set_anchor(self, anchor: str) -> None:
        """Anchor the lines at the position by their ``"left"`` edge, ``"centre"`` or
        ``"right"`` edge."""
        if anchor != self._anchor:
            self._anchor = anchor
            self._layout()

    def font(self) -> QFont:
        return QFont(self._font)

    def text(self) -> str:
        """The lines as plain text."""
        return "\n".join(text for text, _ in self._lines)

    def _layout(self) -> None:
        """The rectangle now; the glyphs' outlines when first painted (hidden text, as on a
        fitted big network, is never outlined)."""
        self.prepareGeometryChange()
        metrics = QFontMetricsF(self._font)
        height = metrics.height()
        self._widths = [metrics.horizontalAdvance(text) for text, _ in self._lines]
        width = max(self._widths, default=0.0)
        total = height * len(self._lines)
        left = {"left": 0.0, "centre": -width / 2, "right": -width}[self._anchor]
        self._box = (left, -total / 2, width, height, metrics.ascent())
        pad = HALO
        self._rect = QRectF(left - pad, -total / 2 - pad, width + 2 * pad, total + 2 * pad)
        self._paths = []
        self.update()

    def _outlines(self) -> list[tuple[QPainterPath, QColor]]:
        if self._paths or not self._lines:
            return self._paths
        left, top, width, height, ascent = self._box
        for k, (text, colour) in enumerate(self._lines):
            path = QPainterPath()
            spare = width - self._widths[k]  # lines are aligned on the anchor's side
            x = left + {"left": 0.0, "centre": spare / 2, "right": spare}[self._anchor]
            path.addText(QPointF(x, top + k * height + ascent), self._font, text)
            self._paths.append((path, QColor(colour)))
        return self._paths

    # ------------------------------------------------------------------ drawing
    def boundingRect(self) -> QRectF:
        return QRectF(self._rect)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        halo = QPen(self._halo, HALO, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        outlines = self._outlines()
        for path, _ in outlines:
            painter.strokePath(path, halo)
        for path, colour in outlines:
            painter.fillPath(path, colour)
