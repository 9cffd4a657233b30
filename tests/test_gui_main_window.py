"""The step-through window on the seed example (pytest-qt, offscreen)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from bpviewer.core.files.project import load_project

EXERCISE = {
    "hidden_layer_output": "0.559714",
    "output": "0.484973",
    "output_error_term": "0.0287307",
    "hidden_error_term": "0.000708022",
}


def _table_values(window, layer: int) -> np.ndarray:
    return window.weight_tables.models[layer - 1].as_array()


def test_forward_backward_update_show_the_exercise_numbers(window):
    window.actionForward.trigger()
    values = window.values_panel.text()
    assert "hidden_layer_output = a1 (activation) | 2 | [0.559714, 0.386986]" in values
    assert "output = a2 (activation) | 1 | [0.484973]" in values
    assert "loss E | scalar | 0.00661556" in values
    explain = window.explain_panel.plain_text()
    assert "hidden_layer_input[0] = z(h₁)" in explain and "= 0.24" in explain

    window.actionBackward.trigger()
    explain = window.explain_panel.plain_text()
    assert "output_error_term[0] = δ(y₁)" in explain
    assert "0.115027 × σ′(-0.0601244) = 0.0287307" in explain
    assert "delta_w_i_h[2][1] = Δw(x₃→h₂)" in explain
    window.weight_tables.set_mode("delta")
    np.testing.assert_allclose(_table_values(window, 2)[:, 0], [0.00804047, 0.00555918], atol=1e-8)
    np.testing.assert_allclose(
        _table_values(window, 1),
        [
            [1.77005547e-04, -5.11178506e-04],
            [3.54011093e-05, -1.02235701e-04],
            [-7.08022187e-05, 2.04471402e-04],
        ],
        atol=1e-12,
    )
    model = window.weight_tables.models[1]
    assert model.data(model.index(0, 0)) == "0.00804047"
    assert "hidden_error_term = δ1 (error term) | 2 | [0.000708022, -0.00204471]" in (
        window.values_panel.text()
    )

    window.actionApplyUpdate.trigger()
    window.weight_tables.set_mode("W")
    np.testing.assert_allclose(
        _table_values(window, 2)[:, 0], [0.1 + 0.00804047, -0.3 + 0.00555918], atol=1e-8
    )
    assert "w(h₁→y₁) + Δw(h₁→y₁) = 0.1 + 0.00804047 = 0.10804" in (
        window.explain_panel.plain_text()
    )
    # the cells the update changed are highlighted
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None
    assert "update done · iteration 1" in window.status_label.text()


def test_undo_after_update_restores_every_weight_bit_for_bit(window):
    before = [p.copy() for p in window.session.network.parameters()]
    window.actionForward.trigger()
    window.actionBackward.trigger()
    window.actionApplyUpdate.trigger()
    assert not np.array_equal(window.session.network.weights[0], before[0])
    assert window.actionUndo.isEnabled()
    window.actionUndo.trigger()
    for a, b in zip(window.session.network.parameters(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert window.actionApplyUpdate.isEnabled()  # back to "backward done"
    window.actionRedo.trigger()
    assert window.session.network.weights[1][0, 0] == pytest.approx(0.10804047, abs=1e-8)


def test_enabled_state_follows_the_step_machine(window):
    def state():
        return (
            window.actionForward.isEnabled(),
            window.actionBackward.isEnabled(),
            window.actionApplyUpdate.isEnabled(),
        )

    assert state() == (True, False, False)
    assert "Forward pass first" in window.actionBackward.toolTip()
    seen = []
    for _ in range(6):  # forward 1, forward 2, loss, backward 2, backward 1, update
        window.actionStep.trigger()
        seen.append(state())
    assert seen == [
        (True, False, False),
        (True, False, False),
        (False, True, False),
        (False, True, False),
        (False, False, True),
        (True, False, False),
    ]
    assert "iteration 1" in window.status_label.text()


@pytest.mark.parametrize("text", ["abc", "nan", "1e999", "", "inf"])
def test_bad_cell_text_keeps_the_old_value(window, text):
    model = window.weight_tables.models[0]
    index = model.index(0, 0)
    assert model.setData(index, text, Qt.ItemDataRole.EditRole) is False
    assert model.data(index, Qt.ItemDataRole.EditRole) == 0.5
    assert "is not a finite number" in window.statusBar().currentMessage()
    assert not window.session.undo_stack.canUndo()


def test_typed_number_round_trips_exactly_and_undoes(window, qtbot):
    view = window.weight_tables.views[0]
    model = view.model()
    index = model.index(1, 1)
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.focusWidget()
    assert editor.text() == "-0.2"
    editor.setText("0.30000000000000004")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on a queued call
    qtbot.waitUntil(lambda: window.session.network.weights[0][1, 1] != -0.2, timeout=2000)
    assert window.session.network.weights[0][1, 1] == 0.30000000000000004
    assert window.session.dirty
    window.actionUndo.trigger()
    assert window.session.network.weights[0][1, 1] == -0.2


def test_paste_a_spreadsheet_block_is_one_undo_step(window):
    view = window.weight_tables.views[0]
    view.setCurrentIndex(view.model().index(1, 0))
    assert view.paste("1.5\t-2\n3\t4e-3\n")
    np.testing.assert_array_equal(
        window.session.network.weights[0], [[0.5, -0.6], [1.5, -2.0], [3.0, 4e-3]]
    )
    assert not view.paste("1\tx\n")  # refused whole
    np.testing.assert_array_equal(window.session.network.weights[0][1], [1.5, -2.0])
    window.actionUndo.trigger()
    np.testing.assert_array_equal(
        window.session.network.weights[0], [[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]
    )


def test_editing_after_forward_greys_the_results(window):
    window.actionForward.trigger()
    assert "loss" in window.session.machine.fresh
    window.weight_tables.models[1].setData(window.weight_tables.models[1].index(0, 0), "0.25")
    assert not window.session.machine.fresh
    assert not window.actionBackward.isEnabled()
    assert "(stale)" in window.status_label.text()


@pytest.mark.parametrize("layer", [1, 2])
def test_weight_model_passes_qtmodeltester(window, qtmodeltester, layer):
    model = window.weight_tables.models[layer - 1]
    qtmodeltester.check(model, force_py=True)
    window.weight_tables.set_mode("grad")  # emits dataChanged, checked by the tester
    window.actionForward.trigger()
    window.actionBackward.trigger()
    window.session.set_parameter("w", layer, 0, 0, 0.75)
    qtmodeltester.check(model, force_py=True)


def test_clicking_an_edge_selects_its_weight(window, qtbot):
    view = window.network_view
    edge = next(e for e in view.edges if (e.layer, e.row, e.col) == (1, 2, 1))
    point = view.mapFromScene(edge.line().pointAt(0.5))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    table = window.weight_tables.views[0]
    assert window.weight_tables.tabs.currentIndex() == 0
    assert (table.currentIndex().row(), table.currentIndex().column()) == (2, 1)
    assert "w = 0.7" in edge.toolTip()


def test_save_then_open_round_trips_exactly(window, tmp_path):
    window.actionIterate.trigger()
    window.session.set_parameter("w", 1, 0, 0, "0.1234567890123456789")
    target = tmp_path / "seed.json"
    window.prompter.files = [str(target)]
    assert window.save_as()
    assert not window.session.dirty
    saved = [p.copy() for p in window.session.network.parameters()]
    assert load_project(target).network.same_as(window.session.network)
    window.new_from_example("xor")
    assert window.open_project(target)
    for a, b in zip(window.session.network.parameters(), saved, strict=True):
        np.testing.assert_array_equal(a, b)


def test_broken_file_is_refused_and_the_project_stays(window, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    assert not window.open_project(bad)
    assert "bad.json: not valid JSON" in window.prompter.errors[-1][1]
    assert window.session.project.name == "seed"


def test_closing_with_unsaved_changes_asks_first(window):
    window.session.set_parameter("w", 1, 0, 0, 0.9)
    window.prompter.answer = "cancel"
    assert not window.close()
    assert window.prompter.asked
    assert window.isVisible()
    window.prompter.answer = "discard"
    assert window.close()


def test_closing_a_clean_window_does_not_ask(window):
    assert window.close()
    assert window.prompter.asked == []


def test_gradient_check_dialog(window, qtbot):
    dialog = window.gradient_check()
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 8
    assert "passed" in window.statusBar().currentMessage()
    dialog.close()


def test_about_names_the_versions(window):
    text = window.about_text()
    for name in ("bpviewer", "Qt", "PySide6", "NumPy", "pyqtgraph"):
        assert name in text


def test_error_plot_shows_each_iteration(window):
    window.error_plot.ensure_plot()
    assert window.findChild(object, "errorPlot") is not None
    for _ in range(3):
        window.actionIterate.trigger()
    x, y = window.error_plot.data()
    np.testing.assert_array_equal(x, [0, 1, 2])
    assert y[0] == pytest.approx(0.006615556, abs=1e-9)
    assert y[2] < y[0]
