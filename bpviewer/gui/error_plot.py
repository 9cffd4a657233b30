"""The error plot: the loss E of each iteration (computed in its Forward), live.

pyqtgraph costs about a second to import, so it is imported only when the plot is first
needed (:meth:`ErrorPlot.ensure_plot`), after the window has been painted.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from bpviewer.gui import palette
from bpviewer.gui.session import Session


class ErrorPlot(QWidget):
    """A container that holds a pyqtgraph ``PlotWidget`` (objectName ``errorPlot``)."""

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("errorPlotContainer")
        self._session = session
        self.plot = None
        self.curve = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._placeholder = QLabel("loss plot loading…")
        self._layout.addWidget(self._placeholder)
        session.lossesChanged.connect(self._on_losses_changed)

    def ensure_plot(self):
        """Create the pyqtgraph plot (imports pyqtgraph on first use) and return it."""
        if self.plot is not None:
            return self.plot
        import pyqtgraph as pg

        pg.setConfigOptions(antialias=True, background="w", foreground="k")
        plot = pg.PlotWidget()
        plot.setObjectName("errorPlot")
        plot.setLabel("bottom", "iteration")
        plot.setLabel("left", "loss E")
        plot.showGrid(x=True, y=True, alpha=0.25)
        self.curve = plot.plot(
            [],
            [],
            pen=pg.mkPen(palette.FORWARD, width=2),
            symbol="o",
            symbolSize=6,
            symbolBrush=palette.FORWARD,
        )
        self._layout.removeWidget(self._placeholder)
        self._placeholder.deleteLater()
        self._layout.addWidget(plot)
        self.plot = plot
        self._on_losses_changed()
        return plot

    def _on_losses_changed(self) -> None:
        if self.curve is None:
            return
        losses = self._session.losses
        x = np.fromiter(sorted(losses), dtype=np.float64, count=len(losses))
        y = np.array([losses[int(i)] for i in x])
        self.curve.setData(x, y)
        if x.size == 1:  # one point: show it with the axis from 0, not ±0.5 around it
            self.plot.setXRange(-1, 1, padding=0.05)
            self.plot.setYRange(0, 1.25 * y[0] if y[0] > 0 else 1, padding=0)
        elif x.size > 1:
            self.plot.enableAutoRange()

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """The points plotted (x: iterations, y: losses)."""
        if self.curve is None:
            return np.empty(0), np.empty(0)
        x, y = self.curve.getData()
        return (np.empty(0), np.empty(0)) if x is None else (x, y)
