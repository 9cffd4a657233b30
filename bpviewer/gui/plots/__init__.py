"""The window's plots and the diagram (pyqtgraph and QGraphicsView)."""
