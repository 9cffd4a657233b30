"""The presentation scale: every font in the window at 100–250 % of the system's size, for a
projector at the back of a room (View → Larger text, Ctrl+= / Ctrl+−; remembered).

The scale is applied as the application's font, so every widget that does not set a font of
its own follows it through Qt's own font propagation; the few views that draw text
themselves (the diagram, the plots' axes and legends) derive their fonts from their
widget's font and redo them when it changes.  It is a preference, never an undo step.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtWidgets import QApplication

from bpviewer.gui.settings import app_settings

SCALES = (1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5)
SETTING = "presentationScale"
_BASE = "bpviewerBasePointSize"  # the system's size, kept on the application object
# Widget classes the platform theme may give fonts of their own (dock titles, menus,
# tooltips…): Qt keeps those apart from the application font, so they are scaled too.
THEMED_CLASSES = (
    "QDockWidgetTitle", "QMdiSubWindowTitleBar", "QMenu", "QMenuBar", "QMenuItem",
    "QMessageBox", "QLabel", "QTipLabel", "QStatusBar", "QPushButton", "QCheckBox",
    "QRadioButton", "QToolButton", "QAbstractItemView", "QListView", "QHeaderView",
    "QComboMenuItem", "QComboLineEdit", "QGroupBox", "QTabBar", "QPlainTextEdit",
    "QTextEdit", "QLineEdit",
)  # fmt: skip
_themed: dict[str, float] = {}  # their sizes at 100 %


def _app() -> QApplication:
    app = QApplication.instance()
    assert isinstance(app, QApplication), "the presentation scale needs a QApplication"
    if app.property(_BASE) is None:  # first use: the fonts the system gave us are 100 %
        app.setProperty(_BASE, QFontInfo(app.font()).pointSizeF())
        for name in THEMED_CLASSES:
            _themed[name] = QFontInfo(QApplication.font(name)).pointSizeF()
    return app


def base_points() -> float:
    """The application font's size at 100 %, in points."""
    return float(_app().property(_BASE))


def scale() -> float:
    """The current presentation scale (1.0 is 100 %)."""
    return QFontInfo(_app().font()).pointSizeF() / base_points()


def set_scale(value: float, remember: bool = True) -> float:
    """Scale every font to ``value`` (clamped to 100–250 %), remember it (unless not
    ``remember``), and return it."""
    value = min(max(float(value), SCALES[0]), SCALES[-1])
    app = _app()
    if abs(scale() - value) > 1e-6:
        font = QFont(app.font())
        font.setPointSizeF(base_points() * value)
        app.setFont(font)
        for name, points in _themed.items():
            themed = QFont(QApplication.font(name))
            themed.setPointSizeF(points * value)
            QApplication.setFont(themed, name)
    if remember:
        app_settings().setValue(SETTING, value)
    return value


def step(direction: int) -> float:
    """One step larger (``direction`` > 0) or smaller along :data:`SCALES`."""
    now = scale()
    if direction > 0:
        bigger = [s for s in SCALES if s > now + 1e-6]
        return set_scale(bigger[0] if bigger else SCALES[-1])
    smaller = [s for s in SCALES if s < now - 1e-6]
    return set_scale(smaller[-1] if smaller else SCALES[0])


def restore() -> float:
    """Apply the remembered scale (100 % when none, or when the setting is unreadable)."""
    try:
        value = float(app_settings().value(SETTING, 1.0))
    except (TypeError, ValueError):
        value = 1.0
    app = QApplication.instance()
    if value == 1.0 and (app is None or app.property(_BASE) is None):
        return 1.0  # the system's fonts, untouched (and no font lookups at start-up)
    return set_scale(value, remember=False)
