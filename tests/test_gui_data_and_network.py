"""Data sets, decision boundary, hyperparameters and network editing in the window."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bpviewer.core.engine.decision import classify, decision_grid
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.notation import fmt
from bpviewer.core.files.examples import EXAMPLES
from bpviewer.core.files.project import load_project
from bpviewer.core.training.settings import TrainingSettings
from bpviewer.core.training.trainer import Trainer, data_loss


def _write_csv(path):
    path.write_text(
        "a,b,label\n0.1,0.2,cat\n0.3,-0.4,dog\n-0.5,0.6,cat\n0.7,0.8,bird\n"
        "-0.2,-0.1,dog\n0.9,-0.9,cat\n"
    )


def test_csv_import_through_the_panel_equals_the_project_file(window, tmp_path):
    _write_csv(tmp_path / "d.csv")
    panel = window.data_panel
    assert panel.load_csv(tmp_path / "d.csv")
    assert panel.preview.rowCount() == 6 and panel.preview.columnCount() == 3
    panel.standardize.setChecked(True)
    assert panel.import_csv()
    got = window.session.project.dataset
    assert got.class_labels == ["cat", "dog", "bird"]
    assert "classes: cat, dog, bird" in panel.summary.text()
    raw = {**EXAMPLES["seed"], "data": panel.csv_spec()}
    raw["network"] = {"layer_sizes": [2, 2, 3], "activations": ["sigmoid", "softmax"]}
    raw["training"] = {"loss": "cross_entropy"}
    (tmp_path / "p.json").write_text(json.dumps(raw))
    expected = load_project(tmp_path / "p.json").dataset
    np.testing.assert_array_equal(got.inputs, expected.inputs)
    np.testing.assert_array_equal(got.targets, expected.targets)
    # the network followed the data: 2 inputs, 3 softmax outputs, a loss that fits
    assert window.session.network.layer_sizes[0] == 2
    assert window.session.network.layer_sizes[-1] == 3
    assert window.session.project.training.loss == "cross_entropy"
    window.actionUndo.trigger()
    assert window.session.project.name == "seed"
    assert window.session.network.layer_sizes == (3, 2, 1)


def test_the_preset_box_names_no_preset_when_the_data_are_a_csv(window, tmp_path):
    panel = window.data_panel
    panel.preset.setCurrentText("spiral")
    assert panel.use_preset()
    assert panel.preset.currentText() == "spiral" and panel.regenerate.isEnabled()
    _write_csv(tmp_path / "d.csv")
    assert panel.load_csv(tmp_path / "d.csv")
    assert panel.import_csv()
    assert panel.preset.currentIndex() == -1 and panel.preset.currentText() == ""
    assert "CSV" in panel.preset.placeholderText()
    assert not panel.regenerate.isEnabled() and not panel.noise.isEnabled()
    assert not panel.use_preset()  # nothing chosen: nothing replaced
    assert window.session.project.dataset.class_labels == ["cat", "dog", "bird"]
    window.actionUndo.trigger()  # back to the spiral: the box says so again
    assert panel.preset.currentText() == "spiral" and panel.regenerate.isEnabled()
    assert panel.seed.isEnabled()  # the spiral is drawn from n, noise and seed
    panel.preset.setCurrentText("xor")
    assert panel.regenerate.isEnabled() and not panel.seed.isEnabled()  # xor is a table


def test_a_broken_csv_keeps_the_data_and_says_why(window, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,t\n1,2,3\n4,oops,6\n")
    panel = window.data_panel
    assert panel.load_csv(bad)
    before = window.session.project.dataset.inputs.copy()
    assert not panel.import_csv()
    assert "line 3, column 2 (b) is not a number: 'oops'" in window.statusBar().currentMessage()
    assert "the current data stay" in window.statusBar().currentMessage()
    np.testing.assert_array_equal(window.session.project.dataset.inputs, before)
    (tmp_path / "empty.csv").write_text("")
    assert not panel.load_csv(tmp_path / "empty.csv")


def test_decision_boundary_of_trained_xor_classifies_the_corners(window, qtbot):
    window.new_from_example("xor")
    with qtbot.waitSignal(window.training.runFinished, timeout=60_000):
        window.train(iterations=8000)
    net = window.session.network
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    np.testing.assert_array_equal(classify(net, corners), [0, 1, 1, 0])
    window.boundary_dock.show()
    window.boundary_dock.raise_()
    window.decision_boundary.refresh()
    grid = decision_grid(net, np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    assert (grid > 0.5).tolist() == [[False, True], [True, False]]
    assert window.decision_boundary.values.shape == (160, 160)  # a fine field


def test_changing_the_learning_rate_keeps_the_weights(window):
    window.new_from_example("xor")
    window.actionIterate.trigger()
    before = [p.copy() for p in window.session.network.parameters()]
    panel = window.hyperparameters_panel
    panel.fields["learning_rate"].setText("0.125")
    panel.fields["learning_rate"].editingFinished.emit()
    assert window.session.project.training.learning_rate == 0.125
    assert window.session.machine.settings.learning_rate == 0.125
    for a, b in zip(window.session.network.parameters(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    window.actionUndo.trigger()
    assert window.session.project.training.learning_rate == 0.5


def test_the_loss_choices_follow_the_output_activation(window):
    panel = window.hyperparameters_panel
    assert panel.loss_choices() == ["half_sse", "mse", "binary_cross_entropy"]  # sigmoid
    window.new_from_example("spiral")
    assert panel.loss_choices() == ["cross_entropy"]  # softmax
    editor = window.network_editor
    window.new_from_example("xor")
    editor.output.setCurrentText("tanh")
    assert editor.apply()
    assert panel.loss_choices() == ["half_sse", "mse"]


def test_adding_a_hidden_layer_then_undo_restores_the_network_bit_for_bit(window):
    window.new_from_example("xor")
    window.actionIterate.trigger()
    before = window.session.network.copy()
    editor = window.network_editor
    editor.add_layer(5, "relu")
    assert editor.apply()
    assert window.session.network.layer_sizes == (2, 3, 5, 1)
    np.testing.assert_array_equal(window.session.network.weights[0], before.weights[0])
    assert len(window.weight_tables.models) == 3
    window.actionUndo.trigger()
    assert window.session.network.same_as(before)
    assert len(window.weight_tables.models) == 2
    window.actionRedo.trigger()
    assert window.session.network.layer_sizes == (2, 3, 5, 1)


def test_derived_features_follow_into_the_input_layer_undoably(window):
    window.new_from_example("circle")
    box = window.data_panel.feature_boxes["x1^2"]
    box.setChecked(True)
    assert window.session.network.layer_sizes[0] == 3
    assert window.session.project.dataset.input_names[-1] == "x₁²"
    window.actionUndo.trigger()
    assert window.session.network.layer_sizes[0] == 2


def test_squared_inputs_let_a_linear_model_solve_circle():
    from pathlib import Path

    from bpviewer.core.data.datasets import build_dataset

    settings = TrainingSettings(
        loss="binary_cross_entropy",
        learning_rate=0.05,
        batch_size=10,
        optimizer="adam",
        shuffle=True,
    )
    losses = {}
    for features in ([], ["x1^2", "x2^2"]):
        spec = {"preset": "circle", "n": 200, "noise": 0.1, "seed": 0, "features": features}
        data = build_dataset(spec, Path("."))
        net = Network.initialised([data.inputs.shape[1], 1], ["sigmoid"], seed=0, bias=True)
        trainer = Trainer(net, settings, data, history=False)
        trainer.run(6000)
        losses[len(features)] = data_loss(trainer.network, settings.loss, data.inputs, data.targets)
    assert losses[2] < 0.2 < losses[0]


def test_regenerating_a_preset_uses_seed_and_noise(window):
    panel = window.data_panel
    panel.preset.setCurrentText("gaussians")
    panel.seed.setValue(3)
    panel.n.setValue(50)
    assert panel.use_preset()
    first = window.session.project.dataset.inputs.copy()
    assert first.shape == (50, 2)
    panel.seed.setValue(4)
    panel.use_preset()
    assert not np.array_equal(first, window.session.project.dataset.inputs)
    model = panel.samples.model()
    assert model.rowCount() == 50 and model.columnCount() == 3
    assert model.index(7, 1).data() == fmt(window.session.project.dataset.inputs[7, 1])
    panel.samples.doubleClicked.emit(model.index(7, 0))
    assert window.session.sample_index == 7
    assert window.sample_editor.spin.value() == 8
    # the table shows the data, it does not edit them (the sample editor does)
    assert panel.samples.editTriggers() == panel.samples.EditTrigger.NoEditTriggers


def _two_input_net(activations, weights, biases):
    return Network(
        (2, len(biases[0])),
        activations,
        [np.array(weights, dtype=np.float64)],
        [np.array(biases[0], dtype=np.float64)],
    )


def test_the_decision_map_of_several_sigmoid_outputs_is_the_winning_output():
    # y_k = σ(w_k · x): output 0 grows with x₁, output 1 with x₂, output 2 with −x₁ − x₂
    net = _two_input_net(["sigmoid"], [[1.0, 0.0, -1.0], [0.0, 1.0, -1.0]], [[0.0, 0.0, 0.0]])
    xs, ys = np.array([-2.0, 0.5, 3.0]), np.array([-2.0, 3.0])
    grid = decision_grid(net, xs, ys)
    # by hand: at (x, y) the largest of x, y, −x − y wins (σ is increasing)
    expected = [
        [int(np.argmax([x, y, -x - y])) for x in xs]
        for y in ys  # rows are y
    ]
    np.testing.assert_array_equal(grid, expected)
    points = np.array([[3.0, -2.0], [-2.0, 3.0], [-2.0, -2.0]])
    np.testing.assert_array_equal(classify(net, points), [0, 1, 2])


def test_one_tanh_output_splits_the_classes_at_zero():
    net = _two_input_net(["tanh"], [[1.0], [0.0]], [[0.0]])
    points = np.array([[-0.2, 0.0], [0.2, 0.0], [0.7, 0.0]])
    np.testing.assert_array_equal(classify(net, points), [0, 1, 1])  # tanh(0.2) < 0.5


def test_an_unbounded_output_is_coloured_around_the_class_split():
    from bpviewer.gui.plots.decision_boundary import output_levels

    assert output_levels("sigmoid", np.array([0.2])) == (0.0, 1.0)
    assert output_levels("tanh", np.array([0.2])) == (-1.0, 1.0)
    low, high = output_levels("linear", np.array([-3.0, 1.0, np.inf]))
    assert (low, high) == (-3.0, 4.0)  # centred on 0.5, wide enough for −3
    assert output_levels("linear", np.array([np.nan])) == (0.0, 1.0)


def test_the_window_colours_several_sigmoid_outputs_by_class(window, tmp_path):
    _write_csv(tmp_path / "d.csv")
    panel = window.data_panel
    assert panel.load_csv(tmp_path / "d.csv") and panel.import_csv()
    net = window.session.network
    assert net.layer_sizes[-1] == 3
    # the output layer switched to sigmoid (the loss follows): still a class map
    assert window.session.set_network_shape(
        list(net.layer_sizes),
        [*net.activations[:-1], "sigmoid"],
        [b is not None for b in net.biases],
    )
    assert window.session.network.activations[-1] == "sigmoid"
    window.boundary_dock.show()
    window.boundary_dock.raise_()
    window.decision_boundary.refresh()
    values = window.decision_boundary.values
    assert set(np.unique(values)) <= {0.0, 1.0, 2.0}
    assert window.decision_boundary.image.levels is not None
    assert tuple(window.decision_boundary.image.levels) == (0, 2)


FIRST_PLOT = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
from bpviewer.core.files.examples import load_example
from bpviewer.gui.plots.decision_boundary import DecisionBoundary
from bpviewer.gui.session import Session
app = QApplication([])
boundary = DecisionBoundary(Session(load_example("xor")))
boundary.show()
boundary.refresh()
import pyqtgraph as pg
print(pg.getConfigOption("background"), pg.getConfigOption("foreground"))
"""


def test_every_plot_gets_the_white_look_even_when_it_comes_first():
    # the loss plot used to configure pyqtgraph; a decision boundary shown before it was black
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", FIRST_PLOT], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["w", "k"]


def test_a_network_that_cannot_fit_the_data_gets_a_hint_with_its_fix(window):
    """Data → xor on the exercise's network (no biases) used to give a flat loss with no
    hint why."""
    panel = window.data_panel
    panel.preset.setCurrentText("xor")
    panel.preset.activated.emit(panel.preset.currentIndex())
    assert panel.hint.isVisibleTo(panel) and "biases" in panel.hint.text()
    panel.fix.click()
    assert all(b is not None for b in window.session.network.biases)
    assert not panel.hint.isVisibleTo(panel)
    window.actionUndo.trigger()  # the fix is one undo step
    assert panel.hint.isVisibleTo(panel)
    window.session.set_network_shape([2, 1], ["sigmoid"], [True])
    assert "hidden layer" in panel.hint.text()
    panel.fix.click()
    assert window.session.network.layer_sizes == (2, 8, 1)
    from bpviewer.core.training.trainer import Trainer, data_loss

    s = window.session
    trainer = Trainer(s.network, s.project.training, s.project.dataset)
    trainer.run(3000)
    data = s.project.dataset
    assert data_loss(trainer.network, s.project.training.loss, data.inputs, data.targets) < 0.05


def test_the_new_network_dialog_shows_its_whole_message_and_drops_it_once_fixed(qtbot):
    from bpviewer.core.files.examples import load_example
    from bpviewer.gui.dialogs.new_network_dialog import NewNetworkDialog

    dialog = NewNetworkDialog(load_example("seed"))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.sizes.setText("3, 2, x")
    dialog._on_accept()
    assert "whole numbers" in dialog.message.text()
    qtbot.wait(10)
    assert dialog.message.height() >= dialog.message.heightForWidth(dialog.message.width())
    dialog.sizes.setText("3, 2, 1")
    assert dialog.message.text() == ""


def test_the_decision_boundary_reads_like_the_diagram(window):
    """Orange and blue as in the diagram, square axes, a legend naming the classes, hollow
    validation points and a colour bar for one output's value; a fine field."""
    from bpviewer.gui import palette

    s = window.session
    window.new_from_example("circle")
    assert s.set_data({"preset": "circle", "n": 100, "validation_split": 0.25})
    window.boundary_dock.show()
    window.boundary_dock.raise_()
    board = window.decision_boundary
    board.refresh()
    assert board.values.shape == (160, 160)
    assert board.plot.getPlotItem().getViewBox().state["aspectLocked"]
    names = [label.text for _, label in board.legend.items]
    assert names == ["class 0", "class 1", "validation (hollow)"]
    class0 = board.points[0]
    assert class0.opts["brush"].color().name() == palette.NEGATIVE
    from PySide6.QtCore import Qt

    assert board.points[-1].opts["brush"].style() == Qt.BrushStyle.NoBrush  # hollow
    assert board.colour_bar is not None and board.colour_bar.isVisible()
    lut = board.image.lut
    assert tuple(lut[0][:3]) != tuple(lut[-1][:3])  # orange to blue


def test_the_import_button_is_above_the_csv_preview(window):
    from PySide6.QtCore import QPoint

    panel = window.data_panel
    top = panel.import_button.mapTo(panel, QPoint(0, 0)).y()
    assert top < panel.preview.mapTo(panel, QPoint(0, 0)).y()


def test_the_digits_preset_holds_out_a_fifth_and_the_summary_names_the_image(window):
    panel = window.data_panel
    panel.preset.setCurrentText("digits")
    assert panel.use_preset()
    s = window.session
    assert s.project.data_spec == {"preset": "digits", "validation_split": 0.2, "split_seed": 0}
    data = s.project.dataset
    assert data.validation_inputs.shape == (359, 64) and data.n_samples == 1438
    text = panel.summary.text()
    assert "64 inputs (8×8 image)" in text and "r1c1" not in text
    assert "; 359 for validation" in text
    # ten classes and ten targets: the lists are shortened, their ends kept
    assert "digit=0, digit=1, digit=2, …, digit=9 (10 targets)" in text
    assert "classes: 0, 1, 2, …, 9 (10 classes)" in text
    panel.preset.setCurrentText("iris")
    assert panel.use_preset()
    assert "inputs sepal_length, sepal_width, petal_length, petal_width →" in panel.summary.text()


def test_editing_a_sample_keeps_the_image_shape_in_the_inline_data(window):
    s = window.session
    window.data_panel.preset.setCurrentText("digits")
    assert window.data_panel.use_preset()
    assert s.set_sample_value("input", 3, 10, 0.5)
    spec = s.project.data_spec
    assert spec["image_shape"] == [8, 8] and len(spec["inputs"]) == 1438
    assert s.project.dataset.image_shape == (8, 8)
    # the inline data read back as they are: the same picture shape
    from bpviewer.core.data.datasets import build_dataset

    again = build_dataset(spec, Path("."))  # inline data: no file is read
    assert again.image_shape == (8, 8) and again.inputs[3, 10] == 0.5
    assert "64 inputs (8×8 image)" in window.data_panel.summary.text()


def test_a_csv_import_may_declare_an_image_shape_and_a_wrong_one_is_refused(window, tmp_path):
    rows = ["p1,p2,p3,p4,p5,p6,digit"] + [
        ",".join(str((k * 7 + j) % 5) for j in range(6)) + f",{k % 2}" for k in range(20)
    ]
    (tmp_path / "img.csv").write_text("\n".join(rows) + "\n")
    panel, s = window.data_panel, window.session
    assert panel.load_csv(tmp_path / "img.csv")
    panel.image_rows.setValue(4)
    panel.image_cols.setValue(2)
    assert panel.csv_spec()["image_shape"] == [4, 2]
    before, depth = s.project.dataset, s.undo_stack.count()
    assert not panel.import_csv()
    said = "img.csv: data.image_shape [4, 2] holds 8 pixels, but the data have 6 inputs"
    assert said in window.statusBar().currentMessage()
    assert window.prompter.errors and said in window.prompter.errors[-1][1]
    assert s.project.dataset is before and s.undo_stack.count() == depth
    panel.image_rows.setValue(3)
    assert panel.import_csv()
    assert s.project.dataset.image_shape == (3, 2)
    assert s.project.data_spec["image_shape"] == [3, 2]
    assert "6 inputs (3×2 image)" in panel.summary.text()
    panel.image_rows.setValue(0)
    panel.image_cols.setValue(0)
    assert "image_shape" not in panel.csv_spec()  # — and —: no image


def test_the_import_button_is_whole_at_the_default_size(window, qtbot, tmp_path):
    """At 1400×900 the Data panel's options once pushed Import past its right edge."""
    path = tmp_path / "small.csv"
    path.write_text("x1,x2,class\n" + "\n".join(f"{i / 10},{i / 5},{i % 2}" for i in range(20)))
    window.resize(1400, 900)
    window.data_dock.raise_()
    assert window.data_panel.load_csv(path)
    button = window.data_panel.import_button
    qtbot.waitUntil(lambda: not button.visibleRegion().isEmpty())
    assert button.visibleRegion().boundingRect() == button.rect()
