"""Starting the desktop application: display checks, the exception hook, the window."""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Sequence

# Debian/Ubuntu packages the xcb platform plugin needs; Qt aborts without them.
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-image": "libxcb-image0",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-xkb": "libxcb-xkb1",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "xcb-shape": "libxcb-shape0",
    "xcb-randr": "libxcb-randr0",
}


def display_problem() -> str | None:
    """One line saying why Qt could not open a window here, or None when it should work."""
    if sys.platform != "linux":
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return (
            "no display: set DISPLAY (or run under xvfb-run -a bpviewer), or use the "
            "headless commands: bpviewer trace|train|gradcheck|check"
        )
    if os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("DISPLAY"):
        return None
    missing = [pkg for lib, pkg in XCB_LIBRARIES.items() if ctypes.util.find_library(lib) is None]
    if missing:
        return (
            "Qt's xcb platform plugin needs system libraries that are missing; install "
            f"them with: sudo apt-get install {' '.join(missing)}"
        )
    return None


def run_app(argv: Sequence[str]) -> int:
    """Open the main window on the seed example, or on the project file in ``argv``."""
    args = list(argv)
    if len(args) > 1:
        print("bpviewer: give at most one project file", file=sys.stderr)
        return 2
    problem = display_problem()
    if problem:
        print(f"bpviewer: {problem}", file=sys.stderr)
        return 2
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from bpviewer.gui import MainWindow
    from bpviewer.gui.excepthook import install_excepthook

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("bpviewer")
    app.setOrganizationName("bpviewer")
    app.setDesktopFileName("bpviewer")
    install_excepthook()
    window = MainWindow()
    if args and not window.open_project(args[0]):
        print(f"bpviewer: could not open {args[0]}", file=sys.stderr)
    window.show()
    # once the window is up: the unsaved work of a bpviewer that did not close
    QTimer.singleShot(0, window.offer_recovery)
    return app.exec()
