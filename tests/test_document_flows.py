"""Flows through the real window that broke the document: old runs after Open, data of
another width during a run, undo of phases, a crash on fewer layers, changes refused
during a run, rewinds, optimiser state, non-finite numbers, pause and resume, closing
mid-run, and a data folder that is not a folder."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from bpviewer.core.engine.network import Network
from bpviewer.core.files.examples import EXAMPLES, load_example
from bpviewer.core.files.project import load_project
from bpviewer.core.training.trainer import Trainer
from bpviewer.gui.plots.error_plot import DRAWABLE
from bpviewer.gui.session import BUSY

SOLUTION = Path(__file__).parent / "solutions" / "correct.py"


# ---------------------------------------------------------------------- helpers
def _run_to_end(window, qtbot, timeout=60_000, **kwargs):
    with qtbot.waitSignal(window.training.runFinished, timeout=timeout) as blocker:
        run = window.train(**kwargs)
        assert run is not None
    return blocker.args[0]


def _params(net: Network) -> list[np.ndarray]:
    return [p.copy() for p in net.parameters()]


def _assert_bits(got: list[np.ndarray], want: list[np.ndarray]) -> None:
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        assert a.shape == b.shape
        assert a.tobytes() == b.tobytes()  # bit for bit (NaN and -0.0 included)


def _assert_tables_show(window, net: Network) -> None:
    """The weight tables (W mode) show ``net``'s weights and biases bit for bit."""
    window.weight_tables.set_mode("W")
    models = window.weight_tables.models
    assert len(models) == net.n_layers
    for model, w, b in zip(models, net.weights, net.biases, strict=True):
        want = w if b is None else np.vstack([w, b[None, :]])
        got = model.as_array()
        assert got.shape == want.shape
        assert got.tobytes() == want.tobytes()


def _write_project(path: Path, raw: dict) -> Path:
    path.write_text(json.dumps(raw))
    return path


def _xor_raw(seed: int, name: str) -> dict:
    raw = copy.deepcopy(EXAMPLES["xor"])
    raw["name"] = name
    raw["network"]["seed"] = seed
    return raw


def _hover(window, x: float) -> None:
    """Move the mouse over the loss plot at iteration ``x``."""
    plot = window.error_plot.ensure_plot()
    vb = plot.plotItem.vb
    (_, _), (y0, y1) = vb.viewRange()
    plot.scene().sigMouseMoved.emit(vb.mapViewToScene(QPointF(x, (y0 + y1) / 2)))


# ---------------------------------------------------------------------- 1. old runs
def test_open_after_training_leaves_no_old_runs_and_a_click_keeps_the_opened_weights(
    window, qtbot, tmp_path
):
    window.error_plot.ensure_plot()
    window.new_from_example("xor")  # project A
    _run_to_end(window, qtbot, iterations=600)
    _hover(window, 300)
    assert "click to restore" in window.error_plot.hover.text()
    c = _write_project(tmp_path / "c.json", _xor_raw(7, "C"))  # same sizes, other weights
    expected = load_project(c).network
    assert not expected.same_as(load_example("xor").network)
    window.prompter.files = [str(c)]
    window.actionOpen.trigger()  # File → Open (A is unsaved: discarded)
    assert window.session.project.name == "C"
    assert window.session.runs == []
    assert window.error_plot.runs == []  # no curves of A's run
    assert window.error_plot.run_points()[0].size == 0
    assert window.error_plot.hover.text() == ""
    window.error_plot.click_at(300)
    _assert_bits(_params(window.session.network), _params(expected))
    _assert_tables_show(window, expected)
    assert not window.session.undo_stack.canUndo()


def test_a_click_after_opening_a_project_of_other_sizes_does_not_raise(window, qtbot, tmp_path):
    window.error_plot.ensure_plot()
    window.new_from_example("xor")
    _run_to_end(window, qtbot, iterations=400)
    seed = _write_project(tmp_path / "seed.json", copy.deepcopy(EXAMPLES["seed"]))
    assert window.open_project(seed)
    assert window.session.runs == [] and window.error_plot.runs == []
    _hover(window, 200)
    window.error_plot.click_at(200)
    _assert_tables_show(window, load_project(seed).network)


def test_new_from_example_leaves_no_old_runs(window, qtbot):
    window.error_plot.ensure_plot()
    window.new_from_example("xor")
    _run_to_end(window, qtbot, iterations=400)
    window.findChild(type(window.actionNew), "actionExample_and").trigger()
    assert window.session.project.name == "and"
    assert window.session.runs == [] and window.error_plot.runs == []
    assert not window.error_plot.click_at(200)
    _assert_tables_show(window, load_example("and").network)


def test_check_my_code_leaves_no_old_runs(window, qtbot):
    window.error_plot.ensure_plot()
    _run_to_end(window, qtbot, iterations=300)  # the seed example trains too
    runner = window.check_code(str(SOLUTION))
    with qtbot.waitSignal(runner.finished, timeout=20_000):
        pass
    window.check_report.close()
    assert window.session.project.name == "correct"
    assert window.session.runs == [] and window.error_plot.runs == []
    assert not window.error_plot.click_at(100)


def test_clear_earlier_runs_after_open_keeps_none_of_the_old_projects_runs(window, qtbot, tmp_path):
    window.error_plot.ensure_plot()
    window.new_from_example("xor")
    old = _run_to_end(window, qtbot, iterations=300)
    c = _write_project(tmp_path / "c.json", _xor_raw(7, "C"))
    assert window.open_project(c)
    window.error_plot.clear_button.click()
    assert window.session.runs == [] and window.error_plot.runs == []
    new = _run_to_end(window, qtbot, iterations=300)
    window.error_plot.clear_button.click()
    assert window.session.runs == [new]
    assert all(curves.run is not old for curves in window.error_plot.runs)
    assert [curves.run for curves in window.error_plot.runs] == [new]


# ---------------------------------------------------------------------- 2. data widths
def test_xor_then_iris_training_with_the_decision_boundary_shown(window, qtbot):
    window.boundary_dock.show()
    window.boundary_dock.raise_()
    panel = window.data_panel
    panel.preset.setCurrentText("xor")
    panel.regenerate.click()
    assert window.session.project.data_spec.get("preset") == "xor"
    assert window.decision_boundary.applicable()
    # stopped ~0.3 s in: the boundary drew once, the newest chunk's parameters not yet
    with qtbot.waitSignal(window.training.runFinished, timeout=60_000):
        run = window.train(iterations=10**7)
        qtbot.waitUntil(lambda: len(run.chunks) >= 3, timeout=10_000)
        window.actionStop.trigger()
    assert run.chunks[-1].params is not None  # the run sent parameters for the boundary
    panel.preset.setCurrentText("iris")
    panel.regenerate.click()
    assert window.session.network.layer_sizes[0] == 4
    with qtbot.waitSignal(window.training.runFinished, timeout=60_000):
        run = window.train(iterations=10**7)
        qtbot.wait(400)  # the redraw timer ticks during the iris run
        assert window.training.running
        window.actionStop.trigger()
    assert run.result.reason == "stopped" and run.result.iterations > 0
    assert window.session.network.layer_sizes[0] == 4


# ---------------------------------------------------------------------- 3. undo of phases
def _forward_numbers(w00: float) -> tuple[str, str]:
    """a(h₁) and y of the seed example with w(x₁→h₁) = ``w00``, as the panels print them."""
    from bpviewer.core.engine.notation import fmt

    net = load_example("seed").network
    net.weights[0][0, 0] = w00
    x = np.array([[0.5, 0.1, -0.2]])
    _, activations = net.forward_pass(x)
    return fmt(float(activations[0][0, 0])), fmt(float(activations[1][0, 0]))


def test_undo_after_backward_keeps_the_edit_and_the_forward_numbers(window):
    model = window.weight_tables.models[0]
    assert model.setData(model.index(0, 0), "0.3", Qt.ItemDataRole.EditRole)
    a_h1, y = _forward_numbers(0.3)
    assert a_h1 == "0.534943"
    window.actionForward.trigger()
    explain, values = window.explain_panel.plain_text(), window.values_panel.text()
    assert a_h1 in explain and a_h1 in values and y in values
    window.actionBackward.trigger()
    assert window.session.undo_stack.undoText() == "Backward"
    window.actionUndo.trigger()  # only Backward
    assert model.value(0, 0, "W") == 0.3
    assert window.session.network.weights[0][0, 0] == 0.3
    assert window.explain_panel.plain_text() == explain
    assert window.values_panel.text() == values
    assert window.actionBackward.isEnabled() and not window.actionApplyUpdate.isEnabled()
    window.actionUndo.trigger()  # Forward
    window.actionUndo.trigger()  # the edit
    assert model.value(0, 0, "W") == 0.5
    assert window.session.network.weights[0][0, 0] == 0.5
    assert a_h1 not in window.explain_panel.plain_text()
    assert a_h1 not in window.explain_panel.toPlainText()
    assert a_h1 not in window.values_panel.text()


# ---------------------------------------------------------------------- 4. crash
CRASH = r"""
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
from bpviewer.gui import MainWindow
from tests.conftest import FakePrompter
app = QApplication([])
w = MainWindow()
w.prompter = FakePrompter()
w.show()
app.processEvents()
w.new_from_example("spiral")
tabs = w.weight_tables.tabs
tabs.setCurrentIndex(tabs.count() - 1)
w.weights_dock.raise_()
for _ in range(5):
    app.processEvents()
if sys.argv[1] == "open":
    assert w.open_project(sys.argv[2])
    assert w.session.network.layer_sizes == (2, 1)
else:  # Network editor: remove both hidden layers, apply, then undo
    w.network_editor.remove_layer()
    w.network_editor.remove_layer()
    assert w.network_editor.apply()
    assert w.session.network.layer_sizes == (2, 3)
    for _ in range(5):
        app.processEvents()
    w.grab()
    for _ in range(5):
        app.processEvents()
    w.actionUndo.trigger()
    assert w.session.network.layer_sizes == (2, 16, 16, 3)
for _ in range(20):
    app.processEvents()
tabs.setCurrentIndex(tabs.count() - 1)
w.grab()
app.processEvents()
w.close()
app.processEvents()
print("survived")
"""


@pytest.mark.parametrize("how", ["open", "editor"])
def test_fewer_layers_while_the_last_weights_tab_shows_does_not_crash(tmp_path, how):
    raw = copy.deepcopy(EXAMPLES["xor"])
    raw["network"] = {
        "layer_sizes": [2, 1],
        "activations": ["sigmoid"],
        "biases": [True],
        "init": "glorot",
        "seed": 0,
    }
    small = _write_project(tmp_path / "small.json", raw)
    out = subprocess.run(
        [sys.executable, "-c", CRASH, how, str(small)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parent.parent,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "survived" in out.stdout


# ---------------------------------------------------------------------- 5. busy
def _fingerprint(session):
    return (
        session.project,
        [p.tobytes() for p in session.network.parameters()],
        session.network.layer_sizes,
        session.project.training,
        session.project.dataset,
        session.project.dataset.inputs.tobytes(),
        session.machine.iteration,
        session.machine.position,
        session.sample_index,
        session.undo_stack.index(),
        session.undo_stack.count(),
    )


def test_changes_during_a_run_are_refused_and_the_run_end_is_one_undo_step(window, qtbot, tmp_path):
    s = window.session
    window.new_from_example("xor")
    window.actionIterate.trigger()
    window.actionIterate.trigger()
    window.actionUndo.trigger()  # something to undo and something to redo
    assert s.undo_stack.canUndo() and s.undo_stack.canRedo()
    before_run = _params(s.network)
    other = _write_project(tmp_path / "other.json", _xor_raw(7, "other"))
    view = window.weight_tables.views[0]
    view.setCurrentIndex(view.model().index(0, 0))
    attempts = {
        "network": lambda: s.set_network_shape([2, 5, 1], ["tanh", "sigmoid"], [True, True]),
        "data preset": lambda: s.set_data({"preset": "circle"}, text="Data: circle"),
        "undo": s.undo,
        "redo": s.redo,
        "paste": lambda: view.paste("1.5\t-2\n"),
        "reset": s.reset,
        "sample edit": lambda: s.set_sample_value("input", 0, 0, 0.25),
        "learning rate": lambda: s.set_training(learning_rate=0.1),
        "optimizer": lambda: s.set_training(optimizer="momentum"),
        "cell edit": lambda: view.model().setData(view.model().index(0, 0), "0.75"),
        "iterate": s.iterate,
        "open": lambda: window.open_project(other),
        "new": lambda: window.new_from_example("seed"),
        "load": lambda: s.load(load_example("seed")),
    }
    with qtbot.waitSignal(window.training.runFinished, timeout=60_000):
        run = window.train(iterations=10**7)
        assert run is not None and s.busy
        qtbot.waitUntil(lambda: len(run.chunks) > 0, timeout=10_000)
        for name, attempt in attempts.items():
            state = _fingerprint(s)
            window.statusBar().clearMessage()
            result = attempt()
            assert not result, f"{name} was accepted during a run"
            assert window.statusBar().currentMessage() == BUSY, name
            after = _fingerprint(s)
            assert all(a is b or a == b for a, b in zip(state, after, strict=True)), name
        assert s.busy and window.training.running
        window.actionStop.trigger()
    assert not s.busy
    assert run.result.reason == "stopped" and run.result.iterations > 0
    trained = _params(s.network)
    assert s.undo_stack.undoText().startswith("Train")
    window.actionUndo.trigger()  # the whole run
    _assert_bits(_params(s.network), before_run)
    window.actionRedo.trigger()
    _assert_bits(_params(s.network), trained)
    again = _run_to_end(window, qtbot, iterations=300)
    assert again.result.iterations == 300
    window.actionUndo.trigger()
    _assert_bits(_params(s.network), trained)


# ---------------------------------------------------------------------- 6. rewind
def test_rewind_after_a_sample_edit_replays_on_the_data_the_run_used(window, qtbot):
    s = window.session
    window.error_plot.ensure_plot()
    window.new_from_example("xor")
    start = s.network.copy()
    settings, data = s.project.training, s.project.dataset
    run = _run_to_end(window, qtbot, iterations=1000)
    assert s.set_sample_value("input", 0, 0, 0.25)
    assert s.set_sample_value("target", 1, 0, 0.0)
    assert s.project.dataset is not data
    assert window.error_plot.click_at(637)
    assert s.machine.iteration == 637
    fresh = Trainer(start, settings, data, history=False)
    fresh.run(637)
    _assert_bits(_params(s.network), _params(fresh.network))
    restored, state = run.trainer.restore(637)
    _assert_bits(_params(s.network), _params(restored))
    assert s.machine.optimizer_state.t == state.t


def test_rewind_to_an_sgd_run_after_switching_to_momentum_then_backward_and_train(window, qtbot):
    s = window.session
    window.error_plot.ensure_plot()
    window.new_from_example("xor")
    _run_to_end(window, qtbot, iterations=500)
    assert s.set_training(optimizer="momentum")
    assert window.error_plot.click_at(200)
    assert s.machine.iteration == 200
    window.actionForward.trigger()
    window.actionBackward.trigger()
    assert window.actionApplyUpdate.isEnabled()
    window.actionApplyUpdate.trigger()
    run = _run_to_end(window, qtbot, iterations=300)
    assert run.result.iterations > 0
    assert run.result.iterations == 300


# ---------------------------------------------------------------------- 7. optimiser state
def test_undo_of_an_optimizer_change_restores_its_state_bit_for_bit(window):
    s = window.session
    window.new_from_example("xor")
    assert s.set_training(optimizer="momentum")
    for _ in range(5):
        window.actionIterate.trigger()
    state = s.machine.optimizer_state.copy()
    assert state.t == 5 and any(np.any(v != 0) for slot in state.slots for v in slot)
    assert s.set_training(optimizer="adam")
    window.actionUndo.trigger()
    assert s.project.training.optimizer == "momentum"
    got = s.machine.optimizer_state
    assert got.t == state.t
    assert len(got.slots) == len(state.slots)
    for a, b in zip(got.slots, state.slots, strict=True):
        _assert_bits(list(a), list(b))


def test_undo_of_a_learning_rate_change_after_backward_restores_the_phase(window):
    s = window.session
    window.actionForward.trigger()
    window.actionBackward.trigger()
    assert window.actionApplyUpdate.isEnabled()
    assert s.set_training(learning_rate=0.1)
    window.actionUndo.trigger()
    assert s.project.training.learning_rate == 0.5
    assert window.actionApplyUpdate.isEnabled()
    window.actionApplyUpdate.trigger()
    assert s.machine.iteration == 1


# ---------------------------------------------------------------------- 8. non-finite
NON_FINITE = r"""
import os, sys, warnings
os.environ["QT_QPA_PLATFORM"] = "offscreen"
if sys.argv[1] == "error":
    warnings.simplefilter("error")  # as the test suite runs (pyproject: filterwarnings)
import numpy as np
from PySide6.QtWidgets import QApplication
from bpviewer.gui import MainWindow
from tests.conftest import FakePrompter

raised = []


def hook(kind, value, tb):
    raised.append(value)
    sys.__excepthook__(kind, value, tb)


sys.excepthook = hook
app = QApplication([])
w = MainWindow()
w.prompter = FakePrompter()
w.show()
app.processEvents()
w.error_plot.ensure_plot()
s = w.session
w.network_editor.output.setCurrentText("linear")  # a sigmoid output saturates
assert w.network_editor.apply()
for view in w.weight_tables.views:  # every weight 1.7e308: finite, so allowed
    model = view.model()
    view.setCurrentIndex(model.index(0, 0))
    row = "\t".join(["1.7e308"] * model.columnCount())
    assert view.paste("\n".join([row] * model.rowCount()))
assert all(np.all(x == 1.7e308) for x in s.network.weights)


def params():
    return [p.copy() for p in s.network.parameters()]


def same(a, b):
    return all(x.tobytes() == y.tobytes() for x, y in zip(a, b, strict=True))


def act(action):
    action.trigger()
    app.processEvents()
    w.grab()  # paints the loss plot


states = [params()]
for _ in range(3):
    act(w.actionIterate)
    states.append(params())
assert not all(np.all(np.isfinite(p)) for p in states[-1]), states[-1]
assert s.undo_stack.undoText() == "Iterate"
act(w.actionUndo)
assert same(params(), states[-2])
act(w.actionRedo)
assert same(params(), states[-1])
for _ in range(3):
    act(w.actionUndo)
assert same(params(), states[0])
for _ in range(3):
    act(w.actionRedo)
assert same(params(), states[-1])
w.prompter.answer = "discard"
w.close()
app.processEvents()
assert not raised, raised
print("survived")
"""


@pytest.mark.parametrize("warnings", ["default", "error"])
def test_iterating_huge_weights_to_inf_and_nan_undoes_and_redoes(warnings):
    out = subprocess.run(
        [sys.executable, "-c", NON_FINITE, warnings],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parent.parent,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "survived" in out.stdout


@pytest.mark.parametrize(
    ("loss", "weight", "low"),
    [
        ("half_sse", "1e153", 1e305),
        ("mse", "1.336e154", 1.44e308),  # 1.25 × E overflows: E > max float / 1.25
    ],
)
def test_a_finite_but_huge_first_loss_does_not_break_the_loss_plot(
    window, qtbot, loss, weight, low
):
    s = window.session
    window.error_plot.ensure_plot()
    assert s.set_network_shape([3, 2, 1], ["sigmoid", "linear"], [False, False])
    assert s.set_training(loss=loss)
    model = window.weight_tables.models[1]
    assert model.setData(model.index(0, 0), weight)
    assert model.setData(model.index(1, 0), weight)
    window.actionForward.trigger()
    first = s.machine.results["loss"]
    assert np.isfinite(first) and first > low
    x, y = window.error_plot.data()
    if first < DRAWABLE:
        assert x.tolist() == [0.0] and y[0] == first
    else:  # too large to range an axis around: left out of the curve, never an error
        assert x.size == 0
    window.plot_dock.raise_()
    window.error_plot.plot.grab()  # paints: nothing may raise
    qtbot.wait(50)
    (x0, x1), (y0, y1) = window.error_plot.plot.plotItem.vb.viewRange()
    assert np.all(np.isfinite([x0, x1, y0, y1])) and y0 < y1


# ---------------------------------------------------------------------- 9. pause
def test_pause_then_resume_at_once_keeps_the_run_going(window, qtbot):
    s = window.session
    window.new_from_example("xor")
    with qtbot.waitSignal(window.training.runFinished, timeout=60_000):
        run = window.train(iterations=10**7)
        qtbot.waitUntil(lambda: len(run.chunks) >= 2, timeout=10_000)
        window.actionPause.trigger()
        qtbot.wait(30)
        window.actionPause.trigger()  # Resume, well within 0.1 s
        assert not window.training.paused
        qtbot.wait(300)  # a paused worker would have parked by now
        n = len(s.current_run.chunks)
        qtbot.waitUntil(lambda: len(run.chunks) >= n + 3, timeout=5_000)
        assert s.current_run is run
        window.actionStop.trigger()
    assert run.result.reason == "stopped"
    assert not s.busy and not window.training.running


# ---------------------------------------------------------------------- 10. close mid-run
def test_closing_mid_run_and_saving_writes_the_trained_weights(
    window, qtbot, tmp_path, monkeypatch
):
    s = window.session
    window.new_from_example("xor")
    path = tmp_path / "xor.json"
    s.save(path)
    assert s.project.path == path and not s.dirty
    start = _params(s.network)
    asked = []

    def save(name):
        asked.append(name)
        return "save"

    monkeypatch.setattr(window.prompter, "unsaved_changes", save)
    run = window.train(iterations=10**7)
    qtbot.waitUntil(lambda: len(run.chunks) >= 2, timeout=10_000)
    assert window.close()
    assert asked  # the run ended into the document, which had unsaved changes
    assert not s.busy and run.result is not None
    trained = _params(s.network)
    _assert_bits(trained, _params(run.result.network))
    assert any(a.tobytes() != b.tobytes() for a, b in zip(trained, start, strict=True))
    _assert_bits(_params(load_project(path).network), trained)
    assert not s.dirty
    state = _fingerprint(s)
    qtbot.wait(400)  # whatever was still queued
    after = _fingerprint(s)
    assert all(a is b or a == b for a, b in zip(state, after, strict=True))
    _assert_bits(_params(load_project(path).network), trained)


# ---------------------------------------------------------------------- 11. data folder
def test_save_and_close_with_a_data_folder_that_is_a_file(qtbot, tmp_path, monkeypatch):
    from bpviewer.gui import MainWindow
    from tests.conftest import FakePrompter

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("BPVIEWER_SETTINGS_DIR", str(blocker))
    w = MainWindow()
    w.prompter = FakePrompter()
    qtbot.addWidget(w)
    with qtbot.waitExposed(w):
        w.show()
    assert w.session.set_parameter("w", 1, 0, 0, "0.4321")
    w.statusBar().clearMessage()
    assert not w.recovery.write_now()
    assert "could not write the recovery file" in w.statusBar().currentMessage()
    target = tmp_path / "p.json"
    w.prompter.files = [str(target)]
    assert w.save_as()
    assert load_project(target).network.weights[0][0, 0] == 0.4321
    assert w.session.set_parameter("w", 1, 0, 0, "0.5")
    w.prompter.answer = "save"
    assert w.close()
    assert load_project(target).network.weights[0][0, 0] == 0.5
    assert blocker.read_text().startswith("a file")
