"""Big data sets in the window: read in the background with progress and Cancel, applied
as one undo step, and a decision boundary that draws a capped, stratified sample and does
nothing while hidden."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from bpviewer.core.data.datasets import Dataset
from bpviewer.gui.panels import data_panel
from bpviewer.gui.plots.decision_boundary import MAX_POINTS, stratified_rows
from bpviewer.gui.session import LOADING


def _write_rows(path, n: int, bad_line: int | None = None) -> np.ndarray:
    """A CSV of ``n`` two-input rows (x1, x2, class 0/1); at file line ``bad_line`` the
    second cell is ``oops``.  Returns the inputs written (n, 2)."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 2)).round(6)
    label = (x[:, 0] * x[:, 1] > 0).astype(int)
    lines = ["x1,x2,class\n"]
    lines += [f"{a},{b},{c}\n" for a, b, c in zip(*x.T.tolist(), label.tolist(), strict=True)]
    if bad_line is not None:
        lines[bad_line - 1] = f"{x[bad_line - 2, 0]},oops,1\n"
    path.write_text("".join(lines))
    return x


def _start_import(window, path) -> None:
    panel = window.data_panel
    assert path.stat().st_size >= data_panel.BACKGROUND_BYTES  # read in the background
    window.data_dock.show()
    window.data_dock.raise_()
    assert panel.load_csv(path)
    assert panel.import_csv()  # started: the outcome comes with loader.finished


def _hold_the_read(panel, at_progress):
    """Make the worker call ``at_progress(fraction)`` (in its thread) before each report."""
    original = panel.loader._on_progress

    def hooked(fraction: float) -> bool:
        at_progress(fraction)
        return original(fraction)

    panel.loader._on_progress = hooked


def test_a_big_file_is_read_while_the_window_runs_its_timers(window, qtbot, tmp_path):
    path = tmp_path / "big.csv"
    x = _write_rows(path, 60_000)
    assert path.stat().st_size >= data_panel.BACKGROUND_BYTES  # read in the background
    panel, s = window.data_panel, window.session
    before = s.project.dataset
    seen_while_reading: list[tuple[bool, bool]] = []
    ticked = threading.Event()

    def tick():
        if s.loading is not None:  # the GUI thread runs while the worker reads
            seen_while_reading.append((panel.progress_row.isVisible(), panel.body.isEnabled()))
            ticked.set()

    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(tick)
    timer.start()
    # the worker waits in the middle of the file until a timer has fired on the GUI
    # thread: a read on the GUI thread (or one holding it) would never get past here
    waited: list[bool] = []
    _hold_the_read(panel, lambda f: waited.append(ticked.wait(20)) if 0 < f < 1 else None)
    fractions: list[float] = []
    panel.loader.progressed.connect(fractions.append)
    with qtbot.waitSignal(panel.loader.finished, timeout=60_000) as done:
        _start_import(window, path)
        assert s.busy and s.loading == "big.csv"
    timer.stop()
    assert done.args[0] is True, done.args[1]
    assert waited and all(waited)
    assert seen_while_reading and all(row and not body for row, body in seen_while_reading)
    # progress: rising fractions up to the whole file
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert len(fractions) >= 3
    assert not panel.progress_row.isVisible() and panel.body.isEnabled() and not s.busy
    data = s.project.dataset
    assert data is not before and data.n_samples == 60_000
    np.testing.assert_array_equal(data.inputs, x)
    assert "60,000 samples read" in window.statusBar().currentMessage()


def test_the_document_does_not_change_while_data_are_read(window, qtbot, tmp_path):
    path = tmp_path / "big.csv"
    _write_rows(path, 60_000)
    panel, s = window.data_panel, window.session
    go_on = threading.Event()
    _hold_the_read(panel, lambda f: go_on.wait(20))
    with qtbot.waitSignal(panel.loader.finished, timeout=60_000) as done:
        try:
            _start_import(window, path)
            depth = s.undo_stack.count()
            with s.messages() as said:
                assert not s.set_training(learning_rate=0.123)
                assert not s.run_phase("forward")
                assert not s.set_data({"preset": "xor"})
                assert not panel.import_csv()  # one read at a time
            assert said == [LOADING, "a data set is being read", LOADING, LOADING]
            assert window.train(iterations=10) is None
            assert not window.actionForward.isEnabled()
            assert s.status_text().startswith("reading data")
            assert s.undo_stack.count() == depth
        finally:
            go_on.set()
    assert done.args[0] is True
    assert s.project.training.learning_rate != 0.123
    assert s.undo_stack.count() == depth + 1 and s.n_samples == 60_000


def test_cancel_leaves_the_data_as_they_were(window, qtbot, tmp_path):
    path = tmp_path / "big.csv"
    _write_rows(path, 60_000)
    panel, s = window.data_panel, window.session
    before, spec, depth = s.project.dataset, s.project.data_spec, s.undo_stack.count()
    halfway = threading.Event()
    go_on = threading.Event()

    def at(fraction: float) -> None:
        if fraction > 0.3 and not halfway.is_set():
            halfway.set()
            go_on.wait(20)

    _hold_the_read(panel, at)
    with qtbot.waitSignal(panel.loader.finished, timeout=60_000) as done:
        try:
            _start_import(window, path)
            qtbot.waitUntil(halfway.is_set, timeout=20_000)
            assert panel.cancel.isEnabled() and panel.cancel.isVisible()
            panel.cancel.click()
        finally:
            go_on.set()
    applied, message = done.args
    assert not applied and "cancelled" in message and "the current data stay" in message
    assert panel.loader.cancelled
    assert s.project.dataset is before and s.project.data_spec is spec
    assert s.undo_stack.count() == depth and not s.busy and s.loading is None
    assert window.prompter.errors == []  # a cancel is no error
    assert not panel.progress_row.isVisible() and panel.body.isEnabled()
    assert window.actionForward.isEnabled()


def test_a_broken_big_file_is_refused_with_its_line_and_column(window, qtbot, tmp_path):
    path = tmp_path / "broken.csv"
    _write_rows(path, 60_000, bad_line=59_990)
    panel, s = window.data_panel, window.session
    before, depth = s.project.dataset, s.undo_stack.count()
    with qtbot.waitSignal(panel.loader.finished, timeout=60_000) as done:
        _start_import(window, path)
    applied, message = done.args
    assert not applied
    expected = "broken.csv: line 59990, column 2 (x2) is not a number: 'oops'"
    assert expected in message and "the current data stay" in message
    assert window.prompter.errors and expected in window.prompter.errors[-1][1]
    assert expected in window.statusBar().currentMessage()
    assert s.project.dataset is before and s.undo_stack.count() == depth and not s.busy


def test_a_data_set_read_in_the_background_is_one_undo_step(window, qtbot, tmp_path):
    path = tmp_path / "big.csv"
    x = _write_rows(path, 60_000)
    panel, s = window.data_panel, window.session
    before_data, before_net = s.project.dataset, s.network.copy()
    panel.split.setValue(0.25)
    with qtbot.waitSignal(panel.loader.finished, timeout=60_000):
        _start_import(window, path)
    loaded = s.project.dataset
    assert loaded.n_samples == 45_000 and loaded.validation_inputs.shape == (15_000, 2)
    assert s.project.data_spec["validation_split"] == 0.25
    assert s.network.layer_sizes[0] == 2
    assert window.actionUndo.text() == "&Undo Import big.csv"
    window.actionUndo.trigger()
    assert s.project.dataset is before_data
    assert s.network.same_shape(before_net) and s.network.same_as(before_net)
    window.actionRedo.trigger()
    assert s.project.dataset is loaded
    np.testing.assert_array_equal(
        np.sort(np.vstack([loaded.inputs, loaded.validation_inputs]), 0), np.sort(x, 0)
    )


# ------------------------------------------------------------------ decision boundary
def _classes_data(counts: list[int], seed: int = 0) -> tuple[Dataset, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(counts)), counts)
    rng.shuffle(labels)
    x = rng.normal(size=(len(labels), 2)) + labels[:, None]
    return Dataset(x, np.eye(len(counts))[labels], class_labels=list("abc")[: len(counts)]), labels


def _drawn(boundary) -> dict[str, int]:
    return {item.name(): len(item.data) for item in boundary.points}


def test_the_boundary_draws_a_capped_sample_with_every_class(window):
    window.boundary_dock.show()
    window.boundary_dock.raise_()
    s, boundary = window.session, window.decision_boundary
    data, labels = _classes_data([40_000, 7, 9_000])
    assert s.set_data({"preset": "gaussians"}, text="big", dataset=data)
    drawn = _drawn(boundary)
    assert set(drawn) == {"a", "b", "c"}  # the rare class too
    assert sum(drawn.values()) <= MAX_POINTS
    assert drawn["b"] >= 1  # in proportion it would get none: every class is shown
    assert drawn["a"] > 3 * drawn["c"]  # the shares follow the classes' sizes
    assert boundary.sampled.text() == "5,000 of 49,007 samples shown (the same share of each class)"
    # the points drawn are samples of their class
    for item in boundary.points:
        c = "abc".index(item.name())
        pts = np.column_stack([item.data["x"], item.data["y"]])
        rows = np.flatnonzero(labels == c)
        assert np.isin(pts[:, 0], data.inputs[rows, 0]).all()
    small, _ = _classes_data([30, 20])
    assert s.set_data({"preset": "gaussians"}, text="small", dataset=small)
    assert sum(_drawn(boundary).values()) == 50 and boundary.sampled.text() == ""


def test_validation_points_count_towards_the_cap(window):
    from bpviewer.core.data.datasets import split_and_standardize

    window.boundary_dock.show()
    window.boundary_dock.raise_()
    s, boundary = window.session, window.decision_boundary
    data, _ = _classes_data([30_000, 10_000])
    split = split_and_standardize(data, validation_split=0.25)
    assert s.set_data({"preset": "gaussians", "validation_split": 0.25}, dataset=split)
    drawn = _drawn(boundary)
    assert sum(drawn.values()) <= MAX_POINTS and drawn["validation (hollow)"] > 0
    assert "of 40,000 samples shown" in boundary.sampled.text()


def test_a_hidden_boundary_does_no_work_and_catches_up_when_shown(window, qtbot):
    s, boundary = window.session, window.decision_boundary
    window.boundary_dock.show()
    window.boundary_dock.raise_()
    qtbot.waitUntil(boundary.isVisible)
    window.boundary_dock.hide()  # the panel closed (View → Panels)
    assert not boundary.isVisible()
    count = boundary.redraws
    s.run_phase("forward")
    s.run_phase("backward")
    s.run_phase("update")
    data, _ = _classes_data([20_000, 20_000])
    assert s.set_data({"preset": "gaussians"}, dataset=data)
    s.undo()
    s.redo()
    assert boundary.redraws == count  # nothing computed while hidden
    window.boundary_dock.show()
    window.boundary_dock.raise_()
    qtbot.waitUntil(boundary.isVisible)
    assert boundary.redraws == count + 1  # once, for what is there now
    assert sum(_drawn(boundary).values()) == MAX_POINTS
    s.run_phase("forward")  # a step changes no parameter: nothing to draw
    s.run_phase("backward")
    s.run_phase("update")  # new parameters: the field again, the points stay
    assert boundary.redraws == count + 2


@pytest.mark.parametrize(
    ("counts", "cap"),
    [([5, 5], 100), ([1_000, 3], 50), ([10, 10, 10], 2), ([999, 1, 0, 500], 10), ([7], 3)],
)
def test_stratified_rows_are_capped_and_keep_every_class_when_they_can(counts, cap):
    classes = np.repeat(np.arange(len(counts)), counts)
    np.random.default_rng(3).shuffle(classes)
    rows = stratified_rows(classes, cap)
    assert len(rows) == min(cap, len(classes))
    assert np.all(np.diff(rows) > 0)  # sorted, each row once
    present = {c for c, n in enumerate(counts) if n}
    if len(present) <= cap:
        assert set(classes[rows].tolist()) == present


# ------------------------------------------------------------------ File → Open
def _big_project(tmp_path, bad_line: int | None = None):
    from bpviewer.core.data.datasets import build_dataset
    from bpviewer.core.engine.network import Network
    from bpviewer.core.files.project import Project, save_project
    from bpviewer.core.training.settings import TrainingSettings

    csv = tmp_path / "big.csv"
    _write_rows(csv, 60_000)
    spec = {"csv": "big.csv", "inputs": ["x1", "x2"], "targets": ["class"]}
    data = build_dataset(spec, tmp_path)
    net = Network.init([2, 4, 1], ["tanh", "sigmoid"], biases=True, seed=0)
    path = tmp_path / "big.json"
    training = TrainingSettings(loss="binary_cross_entropy")
    save_project(Project(net, training, spec, data, name="big"), path)
    if bad_line is not None:
        _write_rows(csv, 60_000, bad_line=bad_line)
    return path


def test_opening_a_project_with_big_data_reads_it_in_the_background(window, qtbot, tmp_path):
    from bpviewer.gui.settings import recent_files

    path = _big_project(tmp_path)
    s = window.session
    with qtbot.waitSignal(window.data_panel.loader.finished, timeout=60_000):
        assert window.files.open_project(path)  # started
        assert s.busy and s.loading == "big.json"  # nothing changes under the reader
        assert window.data_panel.progress_row.isVisible()
    assert window.data_panel.loader.outcome[0], window.data_panel.loader.outcome
    assert not s.busy and s.project.name == "big" and s.project.dataset.n_samples == 60_000
    assert str(path.resolve()) in recent_files()
    assert not window.data_panel.progress_row.isVisible()
    assert window.prompter.errors == []


def test_a_big_project_that_cannot_be_read_keeps_the_current_one(window, qtbot, tmp_path):
    path = _big_project(tmp_path, bad_line=59_990)
    before = window.session.project
    with qtbot.waitSignal(window.data_panel.loader.finished, timeout=60_000):
        assert window.files.open_project(path)
    assert window.session.project is before and not window.session.busy
    ((title, text),) = window.prompter.errors
    assert title == "Cannot open project" and "big.json" in text and "line 59990" in text
