"""A dock's title bar that follows the window's font.

Qt's own dock title keeps the font it had when the dock was made (``QDockWidgetPrivate``
copies it once), so after a change of the presentation scale every panel title stayed
small.  This bar is an ordinary widget: its label follows the font like any other, and its
two buttons float and close the dock as Qt's do.  Dragging it moves the dock (Qt handles
drags on a custom title bar that leaves the mouse events to it).
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QLabel, QStyle, QToolButton, QWidget

_ICONS: dict = {}


def _icon(widget: QWidget, which: QStyle.StandardPixmap):
    """The style's icon, made once for every dock (fourteen docks asked for 28)."""
    if which not in _ICONS:
        _ICONS[which] = widget.style().standardIcon(which)
    return _ICONS[which]


class DockTitle(QWidget):
    """The title and the float and close buttons of ``dock``."""

    def __init__(self, dock: QDockWidget) -> None:
        super().__init__(dock)
        self._dock = dock
        self.label = QLabel(dock.windowTitle())
        self.label.setObjectName("dockTitle")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.label, 1)
        for icon, tip, slot in (
            (QStyle.StandardPixmap.SP_TitleBarNormalButton, "Float or dock this panel",
             lambda: dock.setFloating(not dock.isFloating())),
            (QStyle.StandardPixmap.SP_TitleBarCloseButton, "Close this panel (View → Panels "
             "brings it back)", dock.close),
        ):  # fmt: skip
            button = QToolButton()
            button.setIcon(_icon(self, icon))
            button.setAutoRaise(True)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            layout.addWidget(button)
        dock.windowTitleChanged.connect(self.label.setText)

    def minimumSizeHint(self) -> QSize:
        return QSize(20, super().minimumSizeHint().height())
