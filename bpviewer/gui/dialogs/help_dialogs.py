"""Help → About and Help → Keyboard shortcuts (made from the menus, so never stale)."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from bpviewer import __version__


def about_text() -> str:
    """bpviewer's and its libraries' versions."""
    import numpy
    import PySide6
    from PySide6.QtCore import qVersion

    try:
        import pyqtgraph

        pg = pyqtgraph.__version__
    except ImportError:  # pragma: no cover
        pg = "not installed"
    return (
        f"<h3>bpviewer {__version__}</h3><p>Backpropagation, one step at a time.</p>"
        f"<p>Python {sys.version.split()[0]}<br>Qt {qVersion()}<br>"
        f"PySide6 {PySide6.__version__}<br>NumPy {numpy.__version__}<br>"
        f"pyqtgraph {pg}</p>"
    )


def shortcuts_box(parent: QWidget, rows: list[tuple[str, str, str]]) -> QMessageBox:
    """A non-modal table of (menu, command, keys), shown; deleted when closed."""
    cells = "".join(
        f"<tr><td>{menu}</td><td>{command}</td><td><b>{keys}</b></td></tr>"
        for menu, command, keys in rows
    )
    box = QMessageBox(parent)
    box.setObjectName("shortcutsBox")
    box.setWindowTitle("Keyboard shortcuts")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(f"<table cellspacing=6>{cells}</table>")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.show()
    return box
