"""The window over the document: one notification and at most one redraw per action."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt


def _counters(window) -> dict[str, int]:
    return {
        "diagram": window.network_view.redraws,
        "explain": window.explain_panel.redraws,
        "values": window.values_panel.redraws,
        "tables": window._table_changes,
    }


@pytest.fixture
def counted(window):
    window._table_changes = 0
    notes: list = []
    window.session.changed.connect(notes.append)

    def count(*_):
        window._table_changes += 1

    window.weight_tables.models[0].dataChanged.connect(count)
    return window, notes


def _edit(window) -> None:
    model = window.weight_tables.models[0]
    assert model.setData(model.index(0, 0), "0.3", Qt.ItemDataRole.EditRole)


ACTIONS = {
    "Forward": lambda w: w.actionForward.trigger(),
    "Backward": lambda w: w.actionBackward.trigger(),
    "Apply update": lambda w: w.actionApplyUpdate.trigger(),
    "Undo": lambda w: w.actionUndo.trigger(),
    "Redo": lambda w: w.actionRedo.trigger(),
    "an edit": _edit,
}


def test_each_action_notifies_once_and_each_view_redraws_at_most_once(counted):
    window, notes = counted
    for name in ("Forward", "Backward", "Apply update", "Undo", "Undo", "Redo", "an edit"):
        before, n = _counters(window), len(notes)
        ACTIONS[name](window)
        after = _counters(window)
        assert len(notes) == n + 1, f"{name}: {len(notes) - n} notifications"
        for view in before:
            assert after[view] - before[view] <= 1, (
                f"{name}: {view} redrew {after[view] - before[view]}×"
            )
        assert after["diagram"] == before["diagram"] + 1, f"{name}: the diagram did not redraw"
        assert after["tables"] == before["tables"] + 1, f"{name}: the tables did not redraw"


def test_undo_after_backward_shows_the_state_after_forward(window):
    s = window.session
    model = window.weight_tables.models[0]
    assert model.setData(model.index(0, 0), "0.3", Qt.ItemDataRole.EditRole)
    window.actionForward.trigger()
    forward_text = window.explain_panel.toPlainText()
    forward_records = list(s.last_records)
    status = window.status_label.text()
    window.actionBackward.trigger()
    assert window.actionUndo.text() == "&Undo Backward"
    window.actionUndo.trigger()
    assert model.value(0, 0, "W") == 0.3
    assert all(a is b for a, b in zip(s.last_records, forward_records, strict=True))
    assert window.explain_panel.toPlainText() == forward_text
    assert window.status_label.text() == status
    assert window.actionBackward.isEnabled() and not window.actionApplyUpdate.isEnabled()
    assert "forward" in window.network_view._banner.text()
    window.actionUndo.trigger()  # Forward
    window.actionUndo.trigger()  # the edit
    assert model.value(0, 0, "W") == 0.5
    assert window.explain_panel.toPlainText() == ""
    assert "0.534943" not in window.values_panel.text()


def test_a_learning_rate_of_zero_is_refused_alike_by_both_panels_and_files(window, tmp_path):
    from bpviewer.core.errors import ProjectError
    from bpviewer.core.files.project import load_project

    s = window.session
    messages: list[str] = []
    s.messageIssued.connect(messages.append)
    for field in (
        window.hyperparameters_panel.fields["learning_rate"],
        window.training_panel.learning_rate,
    ):
        field.setText("0")
        field.editingFinished.emit()
        assert s.project.training.learning_rate == 0.5
        assert "learning_rate must be above 0" in messages[-1]
    path = tmp_path / "p.json"
    s.save(path)
    path.write_text(path.read_text().replace('"learning_rate": 0.5', '"learning_rate": 0'))
    with pytest.raises(ProjectError, match="learning_rate must be above 0"):
        load_project(path)


def test_during_a_run_the_editing_panels_are_greyed_and_a_refusal_stays_readable(window, qtbot):
    from bpviewer.gui.session import BUSY

    window.new_from_example("xor")
    editors = [
        window.data_panel,
        window.network_editor,
        window.hyperparameters_panel,
        window.sample_editor,
    ]
    with qtbot.waitSignal(window.training.runFinished, timeout=60_000):
        run = window.train(iterations=10**8)
        assert not any(panel.isEnabled() for panel in editors)
        assert not window.actionNew.isEnabled() and not window.actionOpen.isEnabled()
        window.session.reset()
        qtbot.waitUntil(lambda: len(run.chunks) >= 6, timeout=10_000)  # progress went on
        assert window.statusBar().currentMessage() == BUSY
        assert "iterations" in window.status_label.text()
        window.actionStop.trigger()
    assert all(panel.isEnabled() for panel in editors)
    assert window.status_label.text() == window.session.status_text()


def test_a_step_leaves_the_forms_alone(window):
    """Forward and Backward change no data, network shape or settings: the Data and Network
    panels keep what the user is typing, and the hidden units' maps are not recomputed."""
    window.new_from_example("spiral")
    window.data_panel.noise.setValue(0.37)
    sizes = window.network_editor.findChildren(type(window.data_panel.n))
    assert sizes
    sizes[0].setValue(sizes[0].value() + 1)
    pending = sizes[0].value()
    maps = []
    original = window.network_view.unit_maps
    window.network_view.unit_maps = lambda net=None: maps.append(1) or original(net)
    window.actionForward.trigger()
    window.actionBackward.trigger()
    assert window.data_panel.noise.value() == 0.37
    assert sizes[0].value() == pending
    assert maps == []
    window.actionApplyUpdate.trigger()
    assert maps == [1]  # new weights: new maps


def test_rough_edges_a_class_saw(window, tmp_path):
    """From a walk-through as a teacher: names in undo texts, η in every run's name, a
    broken CSV's dialog, a preset applying when chosen, the hover text leaving with the
    mouse, a window no larger than the screen."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from bpviewer.core.training.runs import describe_change
    from bpviewer.core.training.settings import TrainingSettings

    s = window.session
    assert s.set_training(learning_rate=0.05)
    assert window.actionUndo.text() == "&Undo Set η = 0.05"
    same = TrainingSettings()
    assert describe_change(same, same) == "η 0.5, same settings"
    assert describe_change(same, TrainingSettings(batch_size=4)) == "η 0.5, batch 1 → 4"
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert not window.data_panel.load_csv(empty)
    assert window.prompter.errors[-1][0] == "Cannot read the CSV file"
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c\n1,2,0\n3,oops,1\n")
    assert window.data_panel.load_csv(bad) and not window.data_panel.import_csv()
    title, text = window.prompter.errors[-1]
    assert title == "Cannot import the CSV file" and "oops" in text and "bad.csv" in text
    combo = window.data_panel.preset
    combo.setCurrentText("circle")
    combo.activated.emit(combo.currentIndex())
    assert s.project.data_spec["preset"] == "circle"
    plot = window.error_plot
    plot.hover.setText("iteration 3: E = 0.1 (click to restore)")
    QApplication.sendEvent(plot, QEvent(QEvent.Type.Leave))
    assert plot.hover.text() == ""
    room = window.screen().availableGeometry()
    assert window.width() <= room.width() and window.height() <= room.height()


def test_a_refused_cell_says_why_at_the_cell_and_the_editor_shows_the_leading_digits(window, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLineEdit

    view = window.weight_tables.views[0]
    model = view.model()
    assert not model.setData(model.index(0, 0), "abc", Qt.ItemDataRole.EditRole)
    assert "w(x₁→h₁) keeps its value" in model.refusal
    assert model.setData(model.index(0, 1), "0.30000000000000004", Qt.ItemDataRole.EditRole)
    editor = QLineEdit()
    qtbot.addWidget(editor)
    view.itemDelegate().setEditorData(editor, model.index(0, 1))
    assert editor.text() == "0.30000000000000004" and editor.cursorPosition() == 0
    assert editor.selectedText() == editor.text()
    assert "press Forward" in window.network_view._banner.text()
    window.actionForward.trigger()
    assert "forward" in window.network_view._banner.text()


def test_an_uncaught_exception_is_printed_once(tmp_path):
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from bpviewer.gui.excepthook import install_excepthook\n"
        "install_excepthook(show_dialog=False)\n"
        "raise ValueError('boom')\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.stderr.count("Traceback") == 1 and "ValueError: boom" in out.stderr


def test_the_heading_names_the_last_phase_that_ran(window):
    window.actionIterate.trigger()  # forward, backward and the update
    assert window.network_view._banner.text().startswith("update")
    window.actionForward.trigger()
    window.actionBackward.trigger()
    assert "backward" in window.network_view._banner.text()


def test_what_was_said_of_the_last_document_goes_with_it(window):
    window.statusBar().showMessage("training done: accuracy 100% (validation 97%)")
    window.session.load(window.session.project)  # another document
    assert "accuracy" not in window.statusBar().currentMessage()


def test_setting_eta_after_backward_keeps_the_step_and_remakes_its_delta_w(window):
    s = window.session
    window.actionForward.trigger()
    window.actionBackward.trigger()
    grad = s.machine.results["grad_w1"].copy()
    records = len(s.last_records)
    assert s.set_training(learning_rate=0.05)
    assert window.actionApplyUpdate.isEnabled()  # the step goes on where it was
    np.testing.assert_array_equal(s.machine.results["grad_w1"], grad)
    np.testing.assert_allclose(s.machine.results["delta_w1"], -0.05 * grad, rtol=1e-15)
    assert len(s.last_records) == records and "delta_w1" in s.machine.fresh
    window.actionUndo.trigger()  # η back, and the ΔW it made
    np.testing.assert_allclose(s.machine.results["delta_w1"], -0.5 * grad, rtol=1e-15)
    window.actionApplyUpdate.trigger()
    assert s.machine.iteration == 1
