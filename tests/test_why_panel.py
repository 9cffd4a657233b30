"""The Why this gradient panel (#17): the selected parameter's chain rule, with the engine's
numbers, the paths drawn in the diagram, and no work while nobody sees it."""

from __future__ import annotations

import numpy as np

from bpviewer.core.engine.chain_rule import why
from bpviewer.core.engine.notation import fmt
from bpviewer.gui.visibility import seen


def test_selecting_a_weight_explains_its_gradient_with_the_engine_numbers(window, qtbot):
    window.new_from_example("spiral")
    panel = window.why_panel
    window.actionWhyGradient.trigger()
    qtbot.waitUntil(lambda: seen(panel))
    window.network_view.edgeClicked.emit(1, 1, 3)  # w(x₂→h¹₄), as a click on its edge
    assert panel.parameter == ("w", 1, 1, 3)
    window.actionForward.trigger()
    window.actionBackward.trigger()
    engine = window.session.machine.results["grad_w1"][1, 3]
    found = panel.found
    assert abs(found.gradient - engine) <= 1e-12 * max(1.0, abs(engine))
    text = panel.toPlainText()
    assert "∂E/∂w(x₂→h¹₄) = " + fmt(found.gradient) in text
    assert "the largest 10 of 48" in text and "the other 38 paths" in text
    # the diagram draws the paths through drawn units, thickest for the largest
    lines = window.network_view._path_items
    assert lines and all(line.scene() is window.network_view.scene() for line in lines)
    widths = sorted({round(line.pen().widthF(), 6) for line in lines})
    assert len(widths) > 1
    # a bias: its own chain rule (a_i is 1), the old paths gone
    model = window.weight_tables.models[1]
    window.weight_tables.select("b", 2, 0, 5)
    assert panel.parameter == ("b", 2, 0, 5)
    np.testing.assert_array_equal(panel.found.a_from, np.ones(16))
    bias = window.session.machine.results["grad_b2"][5]
    assert abs(panel.found.gradient - bias) <= 1e-12 * max(1.0, abs(bias))
    assert model.rowCount() == 17


def test_the_panel_computes_only_when_seen_and_follows_the_document(window, qtbot):
    panel = window.why_panel
    assert not seen(panel)
    window.weight_tables.select("w", 1, 0, 1)
    assert panel.redraws == 0 and panel.parameter == ("w", 1, 0, 1)
    window.why_dock.raise_()
    qtbot.waitUntil(lambda: seen(panel))
    assert panel.redraws == 1
    s = window.session
    expected = why(s.network, s.machine.inputs, s.machine.targets, "half_sse", "w", 1, 0, 1)
    assert panel.found.gradient == expected.gradient
    model = window.weight_tables.models[0]
    from PySide6.QtCore import Qt

    assert model.setData(model.index(0, 1), "0.25", Qt.ItemDataRole.EditRole)  # an edit
    changed = why(s.network, s.machine.inputs, s.machine.targets, "half_sse", "w", 1, 0, 1)
    assert panel.found.gradient == changed.gradient != expected.gradient
    window.new_from_example("xor")  # another document: nothing selected
    assert panel.parameter is None and panel.toPlainText() == ""
    assert window.network_view._path_items == []


def test_the_paths_leave_the_diagram_when_the_panel_is_not_seen(window, qtbot):
    window.new_from_example("spiral")
    window.actionWhyGradient.trigger()
    qtbot.waitUntil(lambda: seen(window.why_panel))
    window.network_view.edgeClicked.emit(1, 1, 3)
    assert window.network_view._path_items
    window.explain_dock.raise_()  # another tab in front
    qtbot.waitUntil(lambda: not seen(window.why_panel))
    assert window.network_view._path_items == []
    window.why_dock.raise_()  # back: drawn again
    qtbot.waitUntil(lambda: bool(window.network_view._path_items))
