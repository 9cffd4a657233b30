"""bpviewer's Qt window.  ``from bpviewer.gui import MainWindow``."""

from bpviewer.gui.main_window import MainWindow

__all__ = ["MainWindow"]
