"""What a class sees (#16): no text in the diagram under 9 pt at the fitted zoom, nothing
overlapping or cut off, values shown on hover and zoom, and a presentation scale for every
font in the window."""

from __future__ import annotations

import itertools

import pytest
import shiboken6
from PySide6.QtCore import QPoint, QRectF
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGraphicsItem, QWidget

from bpviewer.core.data.datasets import build_dataset
from bpviewer.core.engine.network import Network
from bpviewer.core.files.project import Project
from bpviewer.core.training.defaults import suggested_training
from bpviewer.gui import presentation
from bpviewer.gui.plots.halo_text import HALO, HaloText

IGNORES = QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations


def _wide(sizes: list[int]) -> Project:
    spec = {"preset": "spiral", "n": 60}
    data = build_dataset(spec, None)
    acts = ["relu"] * (len(sizes) - 2) + ["softmax"]
    net = Network.init(sizes, acts, biases=True, init="he", seed=1)
    return Project(net, suggested_training("cross_entropy", 60), spec, data, name="wide")


NETWORKS = {
    "seed": None,
    "spiral example": "spiral",
    "2-64-64-3": [2, 64, 64, 3],
    "2-8-3": [2, 8, 3],
}


def _open(window, qtbot, which: str, size: tuple[int, int]):
    choice = NETWORKS[which]
    if isinstance(choice, str):
        window.new_from_example(choice)
    elif choice is not None:
        window.session.load(_wide(choice))
    window.resize(*size)
    window.network_view.reset_zoom()
    window.actionForward.trigger()
    window.actionBackward.trigger()
    qtbot.wait(10)
    return window.network_view


def _chain(item: QGraphicsItem):
    while item is not None:
        yield item
        item = item.parentItem()


def _shown_text(view) -> list[HaloText]:
    return [i for i in view.scene().items() if isinstance(i, HaloText) and i.isVisible()]


def _on_screen(view, item: HaloText) -> QRectF:
    """The glyphs' rectangle in the viewport's pixels (without the halo)."""
    rect = item.deviceTransform(view.viewportTransform()).mapRect(item.boundingRect())
    return rect.adjusted(HALO, HALO, -HALO, -HALO)


@pytest.mark.parametrize("size", [(1400, 900), (1280, 720)], ids=["1400x900", "1280x720"])
@pytest.mark.parametrize("which", list(NETWORKS))
def test_no_text_in_the_fitted_diagram_is_small_overlapping_or_cut(window, qtbot, which, size):
    view = _open(window, qtbot, which, size)
    texts = _shown_text(view)
    assert texts, "the diagram shows no text at all"
    scale = view.transform().m11()
    for item in texts:
        points = item.font().pointSizeF()
        if not any(i.flags() & IGNORES for i in _chain(item)):
            points *= scale  # text that zooms with the drawing shrinks with it
        assert points >= 9.0, f"{item.text()!r} is {points:.1f} pt on screen"
    port = QRectF(view.viewport().rect())
    rects = [(item.text(), _on_screen(view, item)) for item in texts]
    for text, rect in rects:
        assert port.contains(rect), f"{text!r} is cut off by the view's edge"
    for (a, ra), (b, rb) in itertools.combinations(rects, 2):
        assert not ra.intersects(rb), f"{a!r} overlaps {b!r}"


def test_the_heading_is_inside_the_view_above_the_drawing(window, qtbot):
    view = _open(window, qtbot, "2-64-64-3", (1280, 720))
    heading = view._banner
    assert heading.isVisible() and "backward" in heading.text()
    assert view.rect().contains(heading.geometry())
    assert heading.geometry().bottom() <= view.viewport().geometry().top()
    assert QFontInfo(heading.font()).pointSizeF() >= 9.0


def test_a_small_network_shows_its_values_when_fitted(window, qtbot):
    view = _open(window, qtbot, "seed", (1400, 900))
    values = [item.values for item in view.units.values()]
    assert all(v.isVisible() for v in values)
    assert "δ = " in view.units[(1, 0)].values.text()


def test_values_hidden_when_they_do_not_fit_show_on_hover_and_when_zoomed(window, qtbot):
    view = _open(window, qtbot, "2-64-64-3", (1280, 720))
    unit = view.units[(1, 0)]
    assert not unit.values.isVisible(), "values at the fitted zoom of a wide network"
    centre = view.mapFromScene(unit.scenePos())
    QTest.mouseMove(view.viewport(), centre)
    qtbot.waitUntil(lambda: unit.values.isVisible())
    assert unit.label.isVisible() and "z = " in unit.values.text()
    QTest.mouseMove(view.viewport(), QPoint(2, 2))
    qtbot.waitUntil(lambda: not unit.values.isVisible())
    view.zoom(4.0)
    assert unit.values.isVisible() and unit.label.isVisible()
    window.actionFit.trigger()
    assert not unit.values.isVisible()


# ---------------------------------------------------------------------------- scale
def _points(widget: QWidget) -> float:
    return QFontInfo(widget.font()).pointSizeF()


@pytest.fixture
def normal_size():
    yield
    presentation.set_scale(1.0)  # the application font outlives the window


def _axis_points(plot) -> float:
    return plot.getAxis("left").style["tickFont"].pointSizeF()


def test_the_presentation_scale_reaches_every_font_and_is_remembered(window, qtbot, normal_size):
    window.error_plot.ensure_plot()
    widgets = [w for w in window.findChildren(QWidget) if w.isVisible()]
    before = {id(w): _points(w) for w in widgets}
    diagram = window.network_view.units[(0, 0)].label.font().pointSizeF()
    axis = _axis_points(window.error_plot.plot)
    titles = [w for w in widgets if w.objectName() == "dockTitle"]
    assert titles, "no dock titles found"
    for _ in range(4):
        window.actionLargerText.trigger()
    qtbot.wait(10)  # Qt delivers the font change through the event loop
    assert presentation.scale() == pytest.approx(2.0)
    assert "200%" in window.statusBar().currentMessage()
    widgets = [w for w in widgets if shiboken6.isValid(w)]  # (labels a redraw replaced)
    for w in widgets:
        assert _points(w) == pytest.approx(2 * before[id(w)], abs=0.6), (
            f"{type(w).__name__} {w.objectName()!r} did not follow the scale"
        )
    assert window.network_view.units[(0, 0)].label.font().pointSizeF() == pytest.approx(
        2 * diagram, abs=0.6
    )
    assert _axis_points(window.error_plot.plot) == pytest.approx(2 * axis, abs=0.6)
    for _ in range(5):
        window.actionLargerText.trigger()
    assert presentation.scale() == pytest.approx(2.5)  # the largest
    # remembered: a window opened later starts at 250 %, whatever the font is meanwhile
    app = QApplication.instance()
    font = QFont(app.font())
    font.setPointSizeF(presentation.base_points())
    app.setFont(font)
    assert presentation.scale() == pytest.approx(1.0)
    from bpviewer.gui import MainWindow

    other = MainWindow()
    qtbot.addWidget(other)
    assert presentation.scale() == pytest.approx(2.5)
    window.actionSmallerText.trigger()
    assert presentation.scale() == pytest.approx(2.25)
    window.actionNormalText.trigger()
    assert presentation.scale() == pytest.approx(1.0)
    window.actionSmallerText.trigger()
    assert presentation.scale() == pytest.approx(1.0)  # the smallest
    qtbot.wait(10)
    for w in (w for w in widgets if shiboken6.isValid(w)):
        assert _points(w) == pytest.approx(before[id(w)], abs=0.05)


def test_larger_text_keeps_room_for_the_loss_plot(window, qtbot, normal_size):
    window.resize(1400, 900)
    window.error_plot.ensure_plot()
    for _ in range(4):
        window.actionLargerText.trigger()
    qtbot.wait(20)
    assert window.explain_dock.height() >= 0.3 * window.height()
    assert window.error_plot.plot.height() >= 120
