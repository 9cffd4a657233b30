"""Training runs in the window: worker thread, live curve, stop, rewind, watchpoints."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QThreadPool

from bpviewer.cli import main
from bpviewer.core.data.datasets import Dataset
from bpviewer.core.engine.network import Network
from bpviewer.core.files.project import Project
from bpviewer.core.training.settings import TrainingSettings
from bpviewer.core.training.trainer import Trainer
from bpviewer.core.training.training_run import Watch, training_run


def _run_to_end(window, qtbot, timeout=60_000, **kwargs):
    with qtbot.waitSignal(window.training.runFinished, timeout=timeout) as blocker:
        run = window.train(**kwargs)
        assert run is not None
    return blocker.args[0]


def test_xor_run_trains_in_the_worker_and_matches_bpviewer_train(window, qtbot, capsys):
    window.new_from_example("xor")
    run = _run_to_end(window, qtbot, iterations=2000)
    x, y = window.error_plot.run_points()
    np.testing.assert_array_equal(x, np.arange(2000))  # one point per iteration
    assert np.all(np.isfinite(y))
    assert main(["train", "--preset", "xor", "--iterations", "2000", "--json"]) == 0
    expected = json.loads(capsys.readouterr().out)
    assert run.result.final_loss == expected["final_loss"]
    for w, e in zip(window.session.network.weights, expected["weights"], strict=True):
        np.testing.assert_array_equal(w, e)
    assert window.session.machine.iteration == 2000
    assert "training done" in window.statusBar().currentMessage()
    # the whole run is one undo step
    window.actionUndo.trigger()
    assert window.session.machine.iteration == 0
    assert window.error_plot.redraws >= 1


def test_stop_mid_run_leaves_the_history_last_entry(window, qtbot):
    window.new_from_example("spiral")
    with qtbot.waitSignal(window.training.runFinished, timeout=60_000):
        window.train(iterations=5_000_000)
        qtbot.waitUntil(lambda: window.error_plot.run_points()[0].size > 200, timeout=30_000)
        window.actionStop.trigger()
    run = window.training.runs[-1]
    n = run.trainer.iteration
    assert 0 < n < 5_000_000
    last, _ = run.trainer.restore(n)
    assert window.session.network.same_as(last)
    window.error_plot.redraw()
    size = window.error_plot.run_points()[0].size
    assert size == n
    qtbot.wait(200)
    assert window.error_plot.run_points()[0].size == size  # the curve stopped growing
    assert not window.session.busy


def test_editing_is_disabled_while_training(window, qtbot):
    window.new_from_example("spiral")
    with qtbot.waitSignal(window.training.runFinished, timeout=60_000):
        window.train(iterations=5_000_000)
        assert window.session.busy
        assert not window.actionStep.isEnabled() and window.actionStop.isEnabled()
        model = window.weight_tables.models[0]
        assert not model.setData(model.index(0, 0), "1.0")
        window.actionStop.trigger()
    assert window.actionStep.isEnabled()


def test_closing_mid_run_leaves_no_thread(qtbot):
    from bpviewer.gui import MainWindow
    from tests.conftest import FakePrompter

    w = MainWindow()
    w.prompter = FakePrompter()
    qtbot.addWidget(w)
    w.new_from_example("spiral")
    pool = QThreadPool.globalInstance()
    w.train(iterations=5_000_000)
    qtbot.waitUntil(lambda: pool.activeThreadCount() > 0, timeout=5000)
    worker = w.training.worker
    qtbot.wait(100)
    assert w.close()  # stops and joins the worker before closing
    assert pool.activeThreadCount() == 0
    assert not worker.is_running


def test_clicking_a_curve_point_restores_that_iteration(window, qtbot):
    window.new_from_example("xor")
    run = _run_to_end(window, qtbot, iterations=3000)
    fresh = Trainer(
        window.session.project.network,
        window.session.project.training,
        window.session.project.dataset,
        history=False,
    )
    fresh.run(1234)
    assert window.error_plot.click_at(1234.2)
    assert window.session.network.same_as(fresh.network)
    assert window.session.machine.iteration == 1234
    window.actionUndo.trigger()
    assert window.session.network.same_as(run.result.network)


def test_a_curve_of_a_million_points_is_accepted(window):
    from bpviewer.core.training.training_run import Chunk

    window.error_plot.ensure_plot()

    class FakeRun:
        number, label = 1, "test"

    run = FakeRun()
    window.error_plot.start_run(run)
    losses = np.abs(np.random.default_rng(0).normal(size=1_000_000))
    for k in range(10):
        part = losses[k * 100_000 : (k + 1) * 100_000]
        window.error_plot.add_chunk(run, Chunk(k * 100_000, part, None, [], [], 0, None, 0.0))
    window.error_plot.redraw()
    window.error_plot.finish_run(run)
    x, y = window.error_plot.run_points()
    assert x.size == 1_000_000 and y[-1] == losses[-1]
    assert window.error_plot.runs[-1].loss.capacity >= 1_000_000


def _regression_project(learning_rate: float) -> Project:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (20, 2))
    t = x @ np.array([[1.5], [-2.0]]) + 0.3
    net = Network.initialised([2, 4, 1], ["tanh", "linear"], seed=1, bias=True)
    return Project(
        net,
        TrainingSettings(loss="mse", learning_rate=learning_rate),
        {},
        Dataset(x, t),
        name="regression",
    )


def test_nan_watch_trips_on_a_diverging_regression_and_leaves_finite_weights(window, qtbot):
    window.session.load(_regression_project(10.0))
    window.training_panel.watch_growth.setChecked(False)
    run = _run_to_end(window, qtbot, iterations=10_000)
    trip = run.result.trip
    assert run.result.reason == "watch" and trip.kind == "nan"
    assert "layer" in trip.message and "smaller learning rate" in trip.message
    assert all(np.all(np.isfinite(p)) for p in window.session.network.parameters())
    assert window.session.machine.iteration == trip.restored_iteration
    assert trip.message in window.training_panel.verdict.text()
    from bpviewer.gui.visibility import seen

    qtbot.waitUntil(lambda: seen(window.training_panel.verdict))  # brought into view


def test_growth_watch_suggests_a_smaller_learning_rate():
    p = _regression_project(10.0)
    trainer = Trainer(p.network, p.training, p.dataset, record_gradient_norms=True)
    gen = training_run(trainer, iterations=10_000, watch=Watch())
    with pytest.raises(StopIteration) as stop:
        while True:
            next(gen)
    result = stop.value.value
    assert result.trip.kind in ("growth", "nan")
    assert "η = 10 → 1" in result.trip.message
    assert all(np.all(np.isfinite(q)) for q in result.network.parameters())


def test_xor_runs_ten_thousand_iterations_without_tripping(window, qtbot):
    window.new_from_example("xor")
    assert window.session.project.training.learning_rate == 0.5
    window.training_panel.watch_vanish.setChecked(True)
    run = _run_to_end(window, qtbot, iterations=10_000)
    assert run.result.reason == "done" and run.result.trip is None
    assert run.result.iterations == 10_000


def test_vanishing_gradient_watch_names_the_layer():
    rng = np.random.default_rng(0)
    net = Network.initialised([2, 3, 3, 1], ["sigmoid", "sigmoid", "sigmoid"], seed=0)
    for w in net.weights:
        w *= 40.0  # saturated sigmoids: tiny gradients
    data = Dataset(rng.uniform(-1, 1, (8, 2)), rng.uniform(0, 1, (8, 1)))
    trainer = Trainer(net, TrainingSettings(batch_size=8), data, record_gradient_norms=True)
    gen = training_run(trainer, iterations=100, watch=Watch(vanishing=1e-6))
    with pytest.raises(StopIteration) as stop:
        while True:
            next(gen)
    trip = stop.value.value.trip
    assert trip.kind == "vanishing" and "layer 1" in trip.message


def test_compare_runs_legend_names_what_changed(window, qtbot):
    window.new_from_example("xor")
    _run_to_end(window, qtbot, iterations=200)
    window.session.set_training(learning_rate=0.1)
    run = _run_to_end(window, qtbot, iterations=200)
    assert run.label == "η 0.5 → 0.1"
    assert len(window.error_plot.runs) == 2
    window.error_plot.clear_earlier_runs()
    assert len(window.error_plot.runs) == 1


def test_tracked_weights_follow_the_cells_selected_in_the_table(window, qtbot):
    window.new_from_example("xor")  # 2-3-1 with biases
    window.weight_tables.tabs.setCurrentIndex(0)
    view = window.weight_tables.views[0]
    model = view.model()
    flag = view.selectionModel().SelectionFlag.Select
    bias_row = next(r for r in range(model.rowCount()) if model.is_bias_row(r))
    for row, col in ((1, 2), (bias_row, 0)):
        view.selectionModel().select(model.index(row, col), flag)
    before = window.session.network.weights[0][1, 2]
    run = _run_to_end(window, qtbot, iterations=600)
    inside = window.inside_plot
    assert inside.tracked_labels == [model.label(1, 2), model.label(bias_row, 0)]
    net = window.session.network  # the run's last parameters
    x, _ = inside.tracks.data(0)
    assert x[-1] == run.result.iterations
    assert inside.tracks.data(0)[1][-1] == net.weights[0][1, 2]
    assert inside.tracks.data(1)[1][-1] == net.biases[0][0]
    assert before != net.weights[0][1, 2]  # the weight moved, and the plot followed it


def test_the_training_panel_has_train_pause_stop_enabled_as_a_run_allows(window, qtbot):
    from PySide6.QtWidgets import QToolButton

    window.new_from_example("circle")
    buttons = {
        b.defaultAction().objectName(): b
        for b in window.training_panel.findChildren(QToolButton)
        if b.defaultAction() is not None
    }
    assert set(buttons) == {"actionTrain", "actionPause", "actionStop"}
    assert buttons["actionTrain"].isEnabled()
    assert not buttons["actionPause"].isEnabled() and not buttons["actionStop"].isEnabled()
    assert "not now: no run is going" in window.actionStop.toolTip()  # says why
    with qtbot.waitSignal(window.training.runFinished, timeout=60_000):
        buttons["actionTrain"].click()
        window.training_panel.amount.setValue(10)  # read at the start: this run is 1,000
        assert window.training.running
        assert not buttons["actionTrain"].isEnabled()
        assert buttons["actionPause"].isEnabled() and buttons["actionStop"].isEnabled()
        buttons["actionStop"].click()
    assert buttons["actionTrain"].isEnabled() and not buttons["actionStop"].isEnabled()
    # the target loss field shows only for "until loss <"
    panel = window.training_panel
    assert panel.target.isHidden()
    panel.unit.setCurrentIndex(2)
    assert not panel.target.isHidden()


def test_stop_right_after_the_nan_watch_fired_still_restores_finite_weights():
    """Stop pressed between the tripping chunk and the run's end: the run still returns
    through the watch's restore (it used to end on the trainer's infinite weights)."""
    import threading

    p = _regression_project(10.0)
    trainer = Trainer(p.network, p.training, p.dataset, record_gradient_norms=True)
    halt = threading.Event()
    gen = training_run(trainer, iterations=10_000, watch=Watch(growth=None), halt=halt)
    chunks = []
    with pytest.raises(StopIteration) as stop:
        while True:
            chunks.append(next(gen))
            if not np.all(np.isfinite(chunks[-1].losses)):
                halt.set()  # Stop, the moment the window sees the bad chunk
    result = stop.value.value
    assert not np.all(np.isfinite(trainer.kernel.flat_parameters()))  # the trainer diverged
    assert result.reason == "watch" and result.trip.kind == "nan"
    assert all(np.all(np.isfinite(q)) for q in result.network.parameters())


def test_a_stopped_run_ends_through_its_result(window, qtbot):
    """Stop ends a run with reason 'stopped' and the trainer's last parameters as one
    undo step."""
    window.new_from_example("xor")
    with qtbot.waitSignal(window.training.runFinished, timeout=60_000):
        run = window.train(iterations=10**7)
        qtbot.waitUntil(lambda: len(run.chunks) > 0, timeout=10_000)
        window.actionStop.trigger()
    assert run.result.reason == "stopped"
    assert window.session.network.same_as(run.trainer.network)
    assert window.session.machine.iteration == run.trainer.iteration


def test_the_growth_watch_does_not_judge_a_first_partial_epoch():
    """A run that starts mid-epoch: its first 'epoch' is a batch or two, whose mean is no
    baseline for divergence (found in a walk-through: continuing a trained gaussians run
    stopped after 21 iterations as 'diverging')."""
    from bpviewer.core.training.training_run import _Epochs

    x = np.random.default_rng(0).normal(size=(4, 2))
    net = Network.initialised([2, 1], ["sigmoid"], seed=0)
    trainer = Trainer(net, TrainingSettings(), Dataset(x, np.ones((4, 1))), start_iteration=3)
    assert trainer.batches_per_epoch == 4
    epochs = _Epochs(trainer, Watch(growth=2.0), None)
    trainer.iteration = 4
    epochs.add(1e-6, None)  # one batch, by chance nearly perfect
    assert not epochs.close([], [])
    for _ in range(4):
        epochs.add(1.0, None)
    trainer.iteration = 8
    assert not epochs.close([], []) and epochs.trip is None


def test_closing_during_a_run_stops_it_and_keeps_what_it_trained(window, qtbot):
    window.new_from_example("xor")
    run = window.train(iterations=10**8)
    qtbot.waitUntil(lambda: len(run.chunks) >= 2, timeout=10_000)
    messages = []
    window.training.progressChanged.connect(messages.append)
    window.close()
    assert run.result.reason == "stopped" and run.result.iterations > 0
    assert messages[-1].startswith("training stopped")
    assert window.session.network.same_as(run.result.network)


def test_the_run_reports_the_epoch_mean_and_the_accuracy_of_class_data(window, qtbot):
    from bpviewer.core.engine.decision import accuracy

    window.new_from_example("gaussians")
    progress: list[str] = []
    window.training.progressChanged.connect(progress.append)
    run = _run_to_end(window, qtbot, iterations=400)
    assert any("E (epoch mean) = " in p for p in progress[:-1])
    data = run.dataset
    expected = accuracy(run.result.network, data.inputs, data.targets)
    assert expected is not None and f"accuracy {expected:.0%}" in progress[-1]
    assert accuracy(run.result.network, data.inputs, data.targets * 0.5 + 0.2) is None


def test_accuracy_counts_classes_as_classify_does():
    from bpviewer.core.engine.decision import accuracy

    net = Network.initialised([2, 2], ["softmax"], seed=0)
    x = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]])
    predicted = np.argmax(net.predict(x), axis=1)
    t = np.eye(2)[predicted]
    assert accuracy(net, x, t) == 1.0
    t[0] = t[0][::-1]
    assert accuracy(net, x, t) == pytest.approx(2 / 3)


def test_a_watchpoints_advice_is_whole_in_the_panel_and_short_in_the_status(window, qtbot):
    window.session.load(_regression_project(10.0))
    window.training_panel.watch_growth.setChecked(False)
    run = _run_to_end(window, qtbot, iterations=10_000)
    message = window.statusBar().currentMessage()
    assert "a value became NaN or infinite: see the Training panel" in message
    assert len(message) < 160
    assert run.result.trip.message in window.training_panel.verdict.text()
    assert "smaller learning rate" in window.training_panel.verdict.text()


def test_growth_watch_stops_a_run_that_explodes_in_its_first_epoch():
    """The growth watch compares epochs; a learning rate far too large explodes within the
    first one, which then holds the explosion: compared with the loss before the run."""
    from bpviewer.core.data.datasets import build_dataset

    data = build_dataset({"preset": "spiral", "n": 300}, None)
    net = Network.init([2, 16, 16, 3], ["relu", "relu", "softmax"], biases=True, seed=0)
    settings = TrainingSettings(loss="cross_entropy", learning_rate=5.0, batch_size=16)
    settings = settings.changed(optimizer="adam")
    trainer = Trainer(net, settings, data)
    gen = training_run(trainer, iterations=300, watch=Watch())
    with pytest.raises(StopIteration) as stop:
        while True:
            next(gen)
    trip = stop.value.value.trip
    assert trip is not None and trip.kind == "growth" and "before the run" in trip.message
    assert stop.value.value.iterations < 300
