"""Panels in a dock tab behind another do no work until their tab comes to the front (Qt
moves such docks off the window rather than hiding them, so isVisible() says True)."""

from __future__ import annotations

from bpviewer.core.engine.notation import fmt
from bpviewer.gui.visibility import seen


def test_a_dock_behind_another_tab_is_not_seen(window, qtbot):
    qtbot.wait(10)
    assert seen(window.explain_panel)
    assert window.values_panel.isVisible() and not seen(window.values_panel)


def test_the_values_panel_catches_up_when_its_tab_comes_to_the_front(window, qtbot):
    panel = window.values_panel
    before = panel.redraws
    window.actionForward.trigger()
    window.actionBackward.trigger()
    assert panel.redraws == before  # nobody sees it: nothing formatted
    window.values_dock.raise_()
    qtbot.waitUntil(lambda: seen(panel))
    assert panel.redraws == before + 1
    keys = [panel.item(r, 0).data(256) for r in range(panel.rowCount())]
    machine = window.session.machine
    assert "delta1" in keys
    row = keys.index("a2")
    assert fmt(machine.results["a2"][0, 0]) in panel.item(row, 2).text()
    window.actionApplyUpdate.trigger()  # seen now: redrawn at once
    assert panel.redraws == before + 2


def test_the_decision_boundary_catches_up_when_its_tab_comes_to_the_front(window, qtbot):
    window.new_from_example("xor")
    board = window.decision_boundary
    assert not seen(board)
    window.session.reset()  # new parameters while it is behind the Loss tab
    assert board._stale
    window.boundary_dock.raise_()
    qtbot.waitUntil(lambda: seen(board))
    assert not board._stale and board.values.shape == (160, 160)
