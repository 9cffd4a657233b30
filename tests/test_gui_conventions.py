"""View → Conventions in the window (#17): δ shown as −∂E/∂z or ∂E/∂z in every view that
shows it, weight tables (from, to) or (to, from); a preference, remembered, never an undo
step, never in the document."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from bpviewer.core.engine.chain_rule import why
from bpviewer.core.engine.conventions import Conventions
from bpviewer.core.engine.formulas import evaluate
from bpviewer.core.engine.notation import fmt
from bpviewer.gui.visibility import seen


def _backward(window) -> None:
    window.actionForward.trigger()
    window.actionBackward.trigger()


def test_delta_sign_is_a_preference_every_view_follows(window, qtbot):
    s = window.session
    _backward(window)
    engine = {l: s.machine.results[f"delta{l}"].copy() for l in (1, 2)}
    undo_index, undo_count, dirty = s.undo_stack.index(), s.undo_stack.count(), s.dirty
    unit = window.network_view.units[(2, 0)]
    assert f"δ = {fmt(engine[2][0, 0])}" in unit.values.text()
    window.why_dock.raise_()
    qtbot.waitUntil(lambda: seen(window.why_panel))
    window.weight_tables.select("w", 2, 1, 0)  # w(h₂→y₁)
    assert "∂E/∂w(h₂→y₁) = −h₂·δ(y₁)" in window.why_panel.toPlainText()

    assert window.actionDeltaExercise.isChecked() and not window.actionDeltaDerivative.isChecked()
    window.actionDeltaDerivative.trigger()
    assert s.conventions.derivative and window.actionDeltaDerivative.isChecked()
    # never an undo step, never a change to the document
    assert (s.undo_stack.index(), s.undo_stack.count(), s.dirty) == (undo_index, undo_count, dirty)
    for l in (1, 2):  # the engine's numbers are the same
        np.testing.assert_array_equal(s.machine.results[f"delta{l}"], engine[l])
    # the diagram
    assert f"δ = {fmt(-engine[2][0, 0])}" in unit.values.text()
    hidden = window.network_view.units[(1, 1)]
    assert f"δ = {fmt(-engine[1][0, 1])}" in hidden.values.text()
    # the Values panel: δ rows negated, named ∂E/∂z and not by the exercise's name
    text = window.values_panel.text()
    assert f"δ2 = ∂E/∂z2 (error term) | 1 | [{fmt(-engine[2][0, 0])}]" in text
    assert "output_error_term" not in text
    # Explain: every δ the engine's negated, every formula evaluating to its value
    formulas = window.explain_panel.formulas
    deltas = [f for f in formulas if f.quantity.startswith("δ(")]
    assert deltas and {f.quantity: f.value for f in deltas} == {
        "δ(y₁)": -engine[2][0, 0],
        "δ(h₁)": -engine[1][0, 0],
        "δ(h₂)": -engine[1][0, 1],
    }
    for f in formulas:
        assert evaluate(f.expression) == pytest.approx(f.value, rel=1e-9, abs=1e-12)
    assert "(y − t)·σ′(z)" in window.explain_panel.toPlainText()
    # Why this gradient: the local form without the minus, the δ shown negated
    why_text = window.why_panel.toPlainText()
    assert "δ = ∂E/∂z, as in Nielsen's book and CS231n" in why_text
    assert "∂E/∂w(h₂→y₁) = h₂·δ(y₁)" in why_text
    found = why(s.network, s.machine.inputs, s.machine.targets, "half_sse", "w", 2, 1, 0)
    assert f"= ({fmt(found.a_from[0])})·({fmt(-found.delta_to[0])})" in why_text
    assert f"= {fmt(found.gradient)}" in why_text  # the gradient itself is the same
    # the Markdown export
    assert r"(y - t) \cdot \sigma'(z)" in window.explain_panel.markdown()

    window.actionDeltaExercise.trigger()
    assert f"δ = {fmt(engine[2][0, 0])}" in unit.values.text()
    assert "output_error_term = δ2 (error term)" in window.values_panel.text()
    assert s.undo_stack.count() == undo_count


def test_conventions_are_remembered_by_the_next_window(window, qtbot):
    from bpviewer.gui import MainWindow
    from bpviewer.gui.settings import load_conventions

    window.actionDeltaDerivative.trigger()
    window.actionLayoutToFrom.trigger()
    assert load_conventions() == Conventions("derivative", "to_from")
    second = MainWindow()
    qtbot.addWidget(second)
    assert second.session.conventions == Conventions("derivative", "to_from")
    assert second.actionDeltaDerivative.isChecked() and second.actionLayoutToFrom.isChecked()
    assert second.weight_tables.models[0].transposed
    second.actionLayoutFromTo.trigger()
    assert load_conventions() == Conventions("derivative", "from_to")


def test_conventions_never_reach_the_project_file(window, tmp_path):
    import json

    window.actionDeltaDerivative.trigger()
    window.actionLayoutToFrom.trigger()
    saved = window.session.save(tmp_path / "p.json")
    text = saved.read_text()
    assert "derivative" not in text and "to_from" not in text
    weights = json.loads(text)["network"]["weights"][0]
    np.testing.assert_array_equal(weights, window.session.network.weights[0])  # (from, to)


def test_to_from_tables_show_the_transpose_and_edit_the_right_cell(window):
    window.new_from_example("xor")  # 2-3-1 with biases
    s = window.session
    tables = window.weight_tables
    model, view = tables.models[0], tables.views[0]
    w, b = s.network.weights[0].copy(), s.network.biases[0].copy()
    np.testing.assert_array_equal(model.as_array(), np.vstack([w, b]))
    window.actionLayoutToFrom.trigger()
    assert s.undo_stack.count() == 0 and not s.dirty
    assert (model.rowCount(), model.columnCount()) == (3, 3)
    np.testing.assert_array_equal(model.as_array(), np.hstack([w.T, b[:, None]]))
    horizontal = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)]
    vertical = [model.headerData(r, Qt.Orientation.Vertical) for r in range(3)]
    assert horizontal == ["x₁", "x₂", "bias"] and vertical == ["h₁", "h₂", "h₃"]
    assert model.parameter(2, 1) == ("w", 1, 1, 2)  # row h₃, column x₂: w(x₂→h₃)
    assert model.parameter(1, 2) == ("b", 1, 0, 1)  # the bias column
    assert model.label(2, 1) == "w(x₂→h₃)"
    # an edit lands in the canonical cell, and undoes
    assert model.setData(model.index(2, 1), "0.75", Qt.ItemDataRole.EditRole)
    assert s.network.weights[0][1, 2] == 0.75
    assert model.setData(model.index(0, 2), "-0.5", Qt.ItemDataRole.EditRole)
    assert s.network.biases[0][0] == -0.5
    window.actionUndo.trigger()
    window.actionUndo.trigger()
    np.testing.assert_array_equal(s.network.weights[0], w)
    np.testing.assert_array_equal(s.network.biases[0], b)
    # a pasted block is laid as shown: rows h₂, h₃; columns x₁, x₂ — one undo step
    view.setCurrentIndex(model.index(1, 0))
    assert view.paste("1\t2\n3\t4\n")
    np.testing.assert_array_equal(s.network.weights[0][:, 1:], [[1.0, 3.0], [2.0, 4.0]])
    np.testing.assert_array_equal(s.network.weights[0][:, 0], w[:, 0])
    view.setCurrentIndex(model.index(0, 2))  # the bias column: one value a row
    assert view.paste("0.1\n0.2\n0.3\n")
    np.testing.assert_array_equal(s.network.biases[0], [0.1, 0.2, 0.3])
    assert not view.paste("1\t2\n")  # two values into the bias column: refused
    view.setCurrentIndex(model.index(0, 1))
    assert not view.paste("1\t2\n")  # reaches past the weights into the bias column
    window.actionUndo.trigger()
    window.actionUndo.trigger()
    np.testing.assert_array_equal(s.network.weights[0], w)
    np.testing.assert_array_equal(s.network.biases[0], b)
    # copy follows the table as shown
    view.selectionModel().clearSelection()
    view.setCurrentIndex(model.index(0, 0))
    view.selectionModel().select(model.index(0, 0), view.selectionModel().SelectionFlag.Select)
    view.selectionModel().select(model.index(0, 1), view.selectionModel().SelectionFlag.Select)
    view.copy_selection()
    assert QGuiApplication.clipboard().text() == f"{float(w[0, 0])!r}\t{float(w[1, 0])!r}"


def test_selection_speaks_canonical_indices_in_either_layout(window):
    window.new_from_example("xor")
    tables = window.weight_tables
    picked = []
    tables.parameterSelected.connect(lambda *p: picked.append(p))
    window.actionLayoutToFrom.trigger()
    tables.select("w", 1, 1, 2)  # w(x₂→h₃)
    view, model = tables.views[0], tables.models[0]
    assert (view.currentIndex().row(), view.currentIndex().column()) == (2, 1)
    assert picked[-1] == ("w", 1, 1, 2)
    assert tables.selected_parameters() == [("w", 1, 1, 2, "w(x₂→h₃)")]
    tables.select("b", 1, 0, 2)
    assert (view.currentIndex().row(), view.currentIndex().column()) == (2, 2)
    assert picked[-1] == ("b", 1, 0, 2)
    # turning the table back keeps the same parameter current
    window.actionLayoutFromTo.trigger()
    assert (view.currentIndex().row(), view.currentIndex().column()) == (2, 2)
    assert model.parameter(2, 2) == ("b", 1, 0, 2)
    # an edge clicked in the diagram selects its cell in either layout
    window.actionLayoutToFrom.trigger()
    window.network_view.edgeClicked.emit(1, 0, 1)
    assert (view.currentIndex().row(), view.currentIndex().column()) == (1, 0)
    assert picked[-1] == ("w", 1, 0, 1)


def test_to_from_model_passes_qtmodeltester(window, qtmodeltester):
    window.new_from_example("xor")
    window.actionLayoutToFrom.trigger()
    model = window.weight_tables.models[0]
    qtmodeltester.check(model, force_py=True)
    window.weight_tables.set_mode("grad")
    _backward(window)
    qtmodeltester.check(model, force_py=True)
    grad = window.session.machine.results["grad_w1"]
    np.testing.assert_array_equal(model.as_array()[:, :2], grad.T)  # ∂E/∂W as shown too


def test_view_menu_offers_the_conventions_as_two_exclusive_choices(window):
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    menu = next(a.menu() for a in view.actions() if a.menu() and a.text() == "&Conventions")
    items = [a for a in menu.actions() if not a.isSeparator()]
    assert [a.text() for a in items] == [
        "δ as −∂E/∂z (the exercise)",
        "δ as ∂E/∂z (Nielsen, CS231n)",
        "Weights as (from, to)",
        "Weights as (to, from) (PyTorch)",
    ]
    assert all(a.isCheckable() for a in items)
    assert [a.isChecked() for a in items] == [True, False, True, False]
    items[1].trigger()
    items[3].trigger()
    assert [a.isChecked() for a in items] == [False, True, False, True]
