"""Whether a panel is on screen.

A dock in a tab behind another is not hidden by Qt: it is moved off the window and
``isVisible()`` still says True.  Views that skip work while nobody sees them ask
:func:`seen` instead, and catch up when their dock's tab comes to the front (the docks
call a panel's ``catch_up()``; see :mod:`bpviewer.gui.docks`).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QWidget


def seen(widget: QWidget) -> bool:
    """Shown, and some of it inside its window (not in a dock tab behind another).

    (Not ``visibleRegion()``: a scroll area's own region is empty, its viewport covers it.)"""
    if not widget.isVisible():
        return False
    window = widget.window()
    where = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    return where.intersects(window.rect())
