"""pyqtgraph, imported on first use and configured once for every plot in the window.

pyqtgraph costs about a second to import, so no module imports it at load time; each plot
calls :func:`pyqtgraph` when it is first shown.  Whichever plot comes first, all of them get
the same look (white background, black axes, no antialiasing: a live curve of 10⁶ points
paints several times faster without it).
"""

from __future__ import annotations

import math

_configured = False


def pyqtgraph():
    """The pyqtgraph module, configured for bpviewer."""
    global _configured
    import pyqtgraph as pg

    if not _configured:
        pg.setConfigOptions(antialias=False, background="w", foreground="k")
        _configured = True
    return pg


def plain_axes(plot) -> None:
    """Tick labels in the values' own units: no "(x0.001)" scaling of the axis, so a loss
    of 0.0066 reads 0.0066, as in the tables and the Explain panel."""
    for side in ("left", "bottom"):
        plot.getAxis(side).enableAutoSIPrefix(False)


def manual_updates(plot, on: bool) -> None:
    """Whether ``plot`` repaints only when told to (during a training run).

    The window repaints its live plots itself, once per redraw, while the training worker
    waits at the paint gate.  Left to Qt, every data change also schedules a second paint
    a moment later, outside the gate, which doubles the cost and contends with the worker
    for the GIL.  Switching back repaints once, so the plot shows its final state.
    """
    from PySide6.QtWidgets import QGraphicsView

    modes = QGraphicsView.ViewportUpdateMode
    plot.setViewportUpdateMode(modes.NoViewportUpdate if on else modes.MinimalViewportUpdate)
    if not on:
        plot.viewport().update()


def integer_axis(orientation: str):
    """An axis whose ticks are whole numbers only (iterations, epochs): no 0.5 between
    iteration 0 and 1."""
    pg = pyqtgraph()

    class IntegerAxis(pg.AxisItem):
        def tickValues(self, minVal, maxVal, size):
            levels = []
            for spacing, values in super().tickValues(minVal, maxVal, size):
                if spacing < 1:
                    spacing = 1.0
                    values = [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)]
                whole = [v for v in values if float(v).is_integer()]
                if whole:
                    levels.append((spacing, whole))
            return levels

    return IntegerAxis(orientation)


#: Width of the left axis of stacked plots, so their x axes line up.
LEFT_AXIS_WIDTH = 64


def compact_axis(orientation: str):
    """An axis whose tick labels have at most 6 significant digits (a weight's small
    range read "0.1901291800365")."""
    pg = pyqtgraph()

    class CompactAxis(pg.AxisItem):
        def tickStrings(self, values, scale, spacing):
            if self.logMode:
                return super().tickStrings(values, scale, spacing)
            return [f"{v * scale:.6g}" for v in values]

    return CompactAxis(orientation)


def legend_beside(plot, text_size: str = "9pt"):
    """A legend in a row of its own above the data (never over a curve), two entries a
    line; items given a ``name`` join it as with ``addLegend``."""
    pg = pyqtgraph()
    item = plot.getPlotItem()
    legend = pg.LegendItem(labelTextSize=text_size, colCount=2)
    item.layout.removeItem(item.titleLabel)  # its cell, above the data (no title is set)
    item.titleLabel.hide()
    item.layout.addItem(legend, 0, 1)
    item.legend = legend
    return legend


# ---------------------------------------------------------------------------- fonts
_font_filter = None
_NORMAL_POINTS = 9.0  # the size fixed axis widths were chosen for


def follow_font(widget) -> None:
    """The fonts of ``widget``'s plot (axes, their labels, legends) follow the widget's
    font, which follows the window's (see :mod:`bpviewer.gui.presentation`): now and
    whenever it changes.  pyqtgraph fixes them when the items are made."""
    from PySide6.QtCore import QEvent, QObject

    global _font_filter
    if _font_filter is None:

        class FontFilter(QObject):
            def eventFilter(self, watched, event):
                if event.type() == QEvent.Type.FontChange:
                    apply_font(watched)
                return False

        _font_filter = FontFilter()
    widget.installEventFilter(_font_filter)
    apply_font(widget)


def apply_font(widget) -> None:
    """Give every axis and legend of ``widget``'s scene the widget's font (legends and
    tick labels never under 9 pt)."""
    from PySide6.QtGui import QFont, QFontInfo

    pg = pyqtgraph()
    font = QFont(widget.font())
    points = max(9.0, QFontInfo(font).pointSizeF())
    font.setPointSizeF(points)
    for item in widget.scene().items():
        if isinstance(item, pg.AxisItem):
            item.setTickFont(font)
            item.label.setFont(font)
            if not hasattr(item, "normal_width"):  # stacked plots' fixed width, scaled
                item.normal_width = item.fixedWidth
            if item.normal_width is not None:
                item.setWidth(int(item.normal_width * points / _NORMAL_POINTS))
            item._updateLabel()
        elif isinstance(item, pg.LegendItem):
            item.setLabelTextSize(f"{points:g}pt")
            for _, label in item.items:
                label.setText(label.text)
