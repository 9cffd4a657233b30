"""More of the window: bias rows, big networks, the sample editor, start-up behaviour."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from PySide6.QtCore import Qt

from bpviewer.core.data.datasets import Dataset
from bpviewer.core.engine.network import Network
from bpviewer.core.files.examples import load_example
from bpviewer.core.files.project import Project
from bpviewer.core.training.settings import TrainingSettings


def test_bias_row_is_last_and_labelled(window, qtmodeltester):
    window.new_from_example("xor")
    model = window.weight_tables.models[0]
    assert model.rowCount() == 3 and model.columnCount() == 3
    assert model.headerData(2, Qt.Orientation.Vertical) == "bias"
    assert model.headerData(0, Qt.Orientation.Vertical) == "x₁"
    assert model.data(model.index(2, 1), Qt.ItemDataRole.EditRole) == 0.0
    assert model.setData(model.index(2, 1), "0.25")
    assert window.session.network.biases[0][1] == 0.25
    qtmodeltester.check(model, force_py=True)


def _big_project() -> Project:
    rng = np.random.default_rng(0)
    net = Network.initialised([784, 128, 10], ["sigmoid", "softmax"], seed=0, bias=True)
    data = Dataset(rng.uniform(0, 1, (4, 784)), np.eye(10)[rng.integers(0, 10, 4)])
    return Project(net, TrainingSettings(loss="cross_entropy"), {}, data, name="big")


def test_a_784_128_10_network_is_drawn_elided(window):
    window.session.load(_big_project())
    view = window.network_view
    assert len(view.units) == 12 + 12 + 10
    assert len(view.edges) == 12 * 12 + 12 * 10
    models = window.weight_tables.models
    assert [(m.rowCount(), m.columnCount()) for m in models] == [(785, 128), (129, 10)]
    window.actionForward.trigger()
    window.actionBackward.trigger()
    panel = window.explain_panel
    assert "more formulas not shown" not in panel.toHtml()  # a screenful or two laid out
    laid_out = panel._laid_out
    bar = panel.verticalScrollBar()
    for _ in range(50):  # scroll to the end, as a reader would: the rest comes as needed
        bar.setValue(bar.maximum())
    assert panel._laid_out > laid_out
    assert "more formulas not shown" in panel.toHtml()
    assert len(panel.formulas) == 400


def test_sample_editor_selects_and_edits(window):
    window.new_from_example("xor")
    editor = window.sample_editor
    editor.spin.setValue(3)
    assert window.session.sample_index == 2
    np.testing.assert_array_equal(window.session.machine.inputs, [[1.0, 0.0]])
    model = editor.table.model()
    assert model.index(0, 1).data() == "0"
    assert not model.setData(model.index(0, 1), "abc", Qt.ItemDataRole.EditRole)
    assert window.session.project.dataset.inputs[2, 1] == 0.0
    assert "not a finite number" in window.statusBar().currentMessage()
    assert "not a finite number" in model.refusal  # said at the cell too (the delegate)
    assert model.setData(model.index(0, 1), "0.5", Qt.ItemDataRole.EditRole)
    assert model.index(0, 1).data() == "0.5"
    assert window.session.project.dataset.inputs[2, 1] == 0.5
    window.actionUndo.trigger()
    assert window.session.project.dataset.inputs[2, 1] == 0.0


def test_iterate_moves_to_the_next_sample(window):
    window.new_from_example("xor")
    window.actionIterate.trigger()
    assert window.session.sample_index == 1
    assert "sample 2 of 4" in window.status_label.text()


def test_reset_restores_initial_weights_and_is_undoable(window):
    start = [p.copy() for p in window.session.network.parameters()]
    for _ in range(3):
        window.actionIterate.trigger()
    changed = [p.copy() for p in window.session.network.parameters()]
    window.actionReset.trigger()
    for a, b in zip(window.session.network.parameters(), start, strict=True):
        np.testing.assert_array_equal(a, b)
    window.actionUndo.trigger()
    for a, b in zip(window.session.network.parameters(), changed, strict=True):
        np.testing.assert_array_equal(a, b)


def test_exports_write_files(window, tmp_path):
    window.actionForward.trigger()
    window.actionBackward.trigger()
    md, csv_file, js = tmp_path / "t.md", tmp_path / "v.csv", tmp_path / "v.json"
    window.prompter.files = [str(md), str(csv_file), str(js)]
    window.actionExportMarkdown.trigger()
    window.actionExportCsv.trigger()
    window.actionExportJson.trigger()
    assert r"\delta (y_{1})" in md.read_text()
    assert "delta2,0,0,0.028730669543515015,True" in csv_file.read_text()
    assert '"loss"' in js.read_text()


def test_pyqtgraph_is_not_imported_before_the_window_is_shown():
    probe = (
        "import os, sys; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from bpviewer.gui import MainWindow\n"
        "w = MainWindow()\n"
        "print('before', 'pyqtgraph' in sys.modules)\n"
        "w.show()\n"
        "import time; t = time.time()\n"
        "while 'pyqtgraph' not in sys.modules and time.time() - t < 10: app.processEvents()\n"
        "print('painted', w._painted)\n"
        "print('after', 'pyqtgraph' in sys.modules)\n"
        "w.session.undo_stack.setClean(); w.close()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        env={**__import__("os").environ, "BPVIEWER_SETTINGS_DIR": "/tmp"},
    )
    assert "before False" in proc.stdout and "after True" in proc.stdout, proc.stderr
    assert "painted True" in proc.stdout


def test_display_problem_names_the_missing_piece(monkeypatch):
    from bpviewer import app

    monkeypatch.setattr(app.sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert "no display" in app.display_problem()
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(
        app.ctypes.util, "find_library", lambda name: None if name == "xcb-cursor" else "lib"
    )
    assert "sudo apt-get install libxcb-cursor0" in app.display_problem()
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert app.display_problem() is None


def test_bpviewer_without_display_exits_with_one_line():
    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bpviewer"], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "no display" in proc.stderr


def test_examples_load_in_the_window(window):
    for name in ("spiral", "iris", "seed"):
        window.new_from_example(name)
        assert window.session.project.name == name
        assert len(window.weight_tables.models) == load_example(name).network.n_layers


def test_new_network_dialog_offers_only_allowed_losses(window, qtbot):
    from bpviewer.gui.dialogs.new_network_dialog import NewNetworkDialog

    dialog = NewNetworkDialog(window.session.project, window)
    qtbot.addWidget(dialog)
    dialog.sizes.setText("3, 4, 4, 2")
    dialog.activations.setText("tanh, relu, softmax")
    assert [dialog.loss.itemText(i) for i in range(dialog.loss.count())] == ["cross_entropy"]
    dialog.activations.setText("tanh, relu, sigmoid")
    offered = [dialog.loss.itemText(i) for i in range(dialog.loss.count())]
    assert offered == ["half_sse", "mse", "binary_cross_entropy"]
    dialog.bias.setChecked(True)
    project = dialog.build()
    assert project.network.layer_sizes == (3, 4, 4, 2)
    assert all(b is not None for b in project.network.biases)
    assert project.dataset.inputs.shape == (1, 3)
    window.session.load(project)
    assert len(window.weight_tables.models) == 3
    dialog.sizes.setText("3, x")
    import pytest

    with pytest.raises(ValueError, match="whole numbers"):
        dialog.build()


def test_curves_export_as_csv(window, qtbot, tmp_path):
    window.new_from_example("xor")
    for _ in range(2):
        window.actionIterate.trigger()
    with qtbot.waitSignal(window.training.runFinished, timeout=30_000):
        window.train(iterations=50)
    text = window.error_plot.curves_csv()
    lines = text.strip().splitlines()
    assert lines[0] == "series,run,iteration,loss"
    assert sum(1 for line in lines if line.startswith("loss,1,")) == 50
    assert sum(1 for line in lines if line.startswith("stepped,")) == 2
    target = tmp_path / "curves.csv"
    window.prompter.files = [str(target)]
    window.actionExportCurves.trigger()
    assert target.read_text() == text


def test_hidden_units_of_a_two_input_network_show_their_activation_map(window, qtbot):
    window.new_from_example("xor")
    view = window.network_view
    maps = view.unit_maps()
    assert set(maps) == {(1, 0), (1, 1), (1, 2)}
    # the map is the unit's activation over the input plane: check one corner by hand
    net = window.session.network
    from bpviewer.core.engine.decision import plane

    xs, ys = plane(window.session.project.dataset.inputs, 32)
    corner = net.forward_pass(np.array([[xs[0], ys[-1]]]))[1][0][0, 1]
    assert maps[(1, 1)][0, 0] == corner
    item = view.units[(1, 1)]
    assert item.map_image is not None and item.map_image.width() == 32
    assert view.units[(0, 0)].map_image is None  # inputs have none
    window.new_from_example("seed")  # three inputs: no maps
    assert view.unit_maps() == {}


def test_excepthook_logs_uncaught_errors(caplog):
    import logging

    from bpviewer.gui.excepthook import install_excepthook

    previous = sys.excepthook
    try:
        install_excepthook(show_dialog=False)
        with caplog.at_level(logging.ERROR, logger="bpviewer"):
            try:
                raise RuntimeError("boom in a slot")
            except RuntimeError as exc:
                sys.excepthook(type(exc), exc, exc.__traceback__)
        assert "boom in a slot" in caplog.text
    finally:
        sys.excepthook = previous


def test_every_panel_can_be_brought_back_and_the_layout_reset(window, qtbot):
    panels = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View").actions()
    panel_menu = next(a.menu() for a in panels if a.menu() is not None)
    listed = {a.text() for a in panel_menu.actions() if not a.isSeparator()}
    assert {d.windowTitle() for d in window.docks()} <= listed
    assert len(window.docks()) == len(window.findChildren(type(window.weights_dock)))
    window.boundary_dock.close()
    window.data_dock.close()
    assert window.boundary_dock.isHidden() and window.data_dock.isHidden()
    window.actionResetLayout.trigger()
    assert not window.boundary_dock.isHidden() and not window.data_dock.isHidden()


def test_the_shortcut_list_is_made_from_the_menus(window):
    rows = window.shortcut_rows()
    assert ("Step", "Forward", "Ctrl+1") in rows
    assert ("Train", "Train", "F5") in rows
    assert ("File", "Check my code…", "Ctrl+K") in rows
    assert any(command == "Quit" and keys for _, command, keys in rows)
    keys = [k for _, _, k in rows]
    assert len(keys) == len(set(keys)), "two commands share a key"
    window.actionShortcuts.trigger()
    assert "Ctrl+Shift+N" in window.shortcuts_box.text()
    window.shortcuts_box.close()


def test_a_large_trace_export_asks_and_can_be_shortened(window, tmp_path):
    from bpviewer.core.files.export import trace_terms

    window.session.load(_big_project())
    window.session.set_training(batch_size=4)  # all 4 samples: ~400,000 terms
    window.actionForward.trigger()
    records = window.session.last_records
    assert trace_terms(records) >= 4 * (784 * 128 + 128 * 10)
    z_h1 = next(f for f in window.explain_panel.formulas if f.quantity == "z(h₁)")
    assert "…" in z_h1.substituted and "x₇₈₄" in z_h1.symbolic  # the panel shortens too
    window.prompter.large_export_answer = "cancel"
    window.prompter.files = [str(tmp_path / "no.md")]
    window.actionExportMarkdown.trigger()
    assert not (tmp_path / "no.md").exists()
    assert window.prompter.asked[-1].startswith("large export of")
    window.prompter.large_export_answer = "shorten"
    window.prompter.files = [str(tmp_path / "short.md")]
    window.actionExportMarkdown.trigger()
    text = (tmp_path / "short.md").read_text()
    assert "…" in text and "x_{784}" in text.replace("x₇₈₄", "x_{784}")
    assert len(text) < 5_000_000  # shortened: ~110 MB written out in full


def test_a_small_trace_export_writes_every_term_without_asking(window, tmp_path):
    window.new_from_example("seed")
    window.actionForward.trigger()
    window.prompter.files = [str(tmp_path / "seed.md")]
    window.actionExportMarkdown.trigger()
    assert window.prompter.asked == []
    assert "…" not in (tmp_path / "seed.md").read_text()


def _drop(window, path) -> bool:
    """Drag ``path`` over the window and drop it; returns whether the drag was accepted."""
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    action, buttons = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    enter = QDragEnterEvent(
        QPointF(10, 10).toPoint(), action, mime, buttons, Qt.KeyboardModifier.NoModifier
    )
    window.dragEnterEvent(enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(10, 10), action, mime, buttons, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    return True


def test_a_dropped_project_file_opens_and_a_dropped_csv_goes_to_the_data_panel(window, tmp_path):
    import json

    from bpviewer.core.files.examples import EXAMPLES

    project = tmp_path / "xor.json"
    project.write_text(json.dumps(EXAMPLES["xor"]))
    assert _drop(window, project)
    assert window.session.project.path == project
    csv = tmp_path / "d.csv"
    csv.write_text("a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    assert _drop(window, csv)
    assert window.data_panel.preview.rowCount() == 4
    assert window.session.project.path == project  # previewed only: Import decides
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    assert not _drop(window, other)  # refused at the door


def test_explain_lays_out_more_rows_when_the_panel_grows(window, qtbot):
    window.session.load(_big_project())
    window.actionForward.trigger()
    panel = window.explain_panel
    before = panel._laid_out
    from PySide6.QtCore import Qt

    window.resize(1400, 2400)  # a much taller panel: the rows laid out no longer fill it
    window.resizeDocks([window.explain_dock], [2000], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: panel._laid_out > before)
    bar = panel.verticalScrollBar()
    assert bar.maximum() > 0 or "more formulas not shown" in panel.toHtml()


def test_explain_rows_laid_out_later_join_their_table_so_columns_align(window):
    from PySide6.QtGui import QTextTable

    window.session.load(_big_project())
    window.actionForward.trigger()
    window.actionBackward.trigger()
    panel = window.explain_panel
    panel.lay_out_all()
    tables = [f for f in panel.document().rootFrame().childFrames() if isinstance(f, QTextTable)]
    titles = [row for row in panel._rows if row[0] == "title"]
    assert len(tables) == len(titles)  # one table a sub-step, however many chunks filled it
    rows = sum(t.rows() for t in tables)
    assert rows == len(panel.formulas) == 400


def test_a_new_network_on_a_stand_in_sample_says_so(window, monkeypatch):
    from bpviewer.gui.dialogs.new_network_dialog import NewNetworkDialog
    from bpviewer.gui.document_files import STAND_IN

    def accept(dialog, sizes):
        dialog.sizes.setText(sizes)
        dialog.activations.setText("sigmoid, softmax")
        dialog.project = dialog.build()
        return True

    monkeypatch.setattr(NewNetworkDialog, "exec", lambda self: accept(self, "784, 16, 10"))
    window.files.new_network()
    assert window.session.network.layer_sizes == (784, 16, 10)
    assert window.statusBar().currentMessage() == STAND_IN
    window.new_from_example("iris")  # 4 inputs, 3 classes: the data fit a 4-5-3 network
    monkeypatch.setattr(NewNetworkDialog, "exec", lambda self: accept(self, "4, 5, 3"))
    window.files.new_network()
    assert window.session.network.layer_sizes == (4, 5, 3)
    assert window.statusBar().currentMessage() != STAND_IN
