"""The session (the document) on its own, without a window."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bpviewer.core.files.examples import load_example
from bpviewer.gui.session import ALL, BUSY, Change, Session


@pytest.fixture
def session(qapp):
    s = Session(load_example("seed"))
    s.notes = []
    s.messages = []
    s.changed.connect(s.notes.append)
    s.messageIssued.connect(s.messages.append)
    yield s
    s.deleteLater()


def test_each_action_is_one_named_undo_step_and_one_notification(session):
    s = session
    for action, text, what in (
        (lambda: s.run_phase("forward"), "Forward", Change.STEP | Change.LOSSES),
        (lambda: s.step(), "Step: backward: layer 2 of 2", Change.STEP),
        (lambda: s.run_phase_rest(), "Backward", Change.STEP),
        (lambda: s.run_phase("update"), "Apply update", Change.PARAMETERS),
        (lambda: s.set_parameter("w", 1, 0, 0, "0.25"), "Edit w(x₁→h₁)", Change.PARAMETERS),
        (lambda: s.set_training(learning_rate=0.1), "Set η = 0.1", Change.SETTINGS),
        (lambda: s.iterate(), "Iterate", Change.PARAMETERS),
        (lambda: s.reset(), "Reset weights", Change.PARAMETERS),
    ):
        n, index = len(s.notes), s.undo_stack.index()
        action()
        assert s.undo_stack.index() == index + 1 and s.undo_stack.undoText() == text
        assert len(s.notes) == n + 1 and s.notes[-1] & what, text


def test_nothing_changed_pushes_nothing(session):
    s = session
    assert s.set_parameter("w", 1, 0, 0, "0.5")  # the value it has
    assert s.set_training(learning_rate=0.5)
    assert s.select_sample(0)
    assert s.undo_stack.count() == 0 and s.notes == []


def test_stepping_is_undoable_but_not_a_change_to_save(session):
    s = session
    s.run_phase("forward")
    s.run_phase("backward")
    assert not s.dirty  # nothing a file holds changed
    s.run_phase("update")
    assert s.dirty
    s.undo()
    assert not s.dirty


def test_a_new_document_forgets_the_runs_and_the_undo_stack(session):
    s = session
    run = s.train(iterations=5)
    assert s.runs == [run] and s.undo_stack.canUndo()
    s.load(load_example("xor"))
    assert s.runs == [] and not s.undo_stack.canUndo()
    assert s.notes[-1] == ALL
    assert not s.rewind(run, 2)
    assert "another project" in s.messages[-1]


def test_runs_of_another_shape_refuse_to_be_restored_and_come_back_with_undo(session):
    s = session
    run = s.train(iterations=5)
    assert s.set_network_shape([3, 4, 1], ["sigmoid", "sigmoid"], [False, False])
    assert s.runs == [run] and not s.run_fits(run)
    assert not s.rewind(run, 3)
    assert "another shape" in s.messages[-1]
    s.undo()
    assert s.run_fits(run) and s.rewind(run, 3)
    assert s.network.same_as(run.trainer.restore(3)[0])


def test_everything_is_refused_while_a_run_goes(session):
    s = session
    run = s.begin_run()
    assert run is not None and s.busy and s.current_run is run
    weights = [w.copy() for w in s.network.weights]
    for attempt in (
        lambda: s.set_parameter("w", 1, 0, 0, "1"),
        lambda: s.set_block("w", 1, 0, 0, [["1"]]),
        lambda: s.set_sample_value("input", 0, 0, 2.0),
        lambda: s.select_sample(0),
        lambda: s.set_training(learning_rate=0.1),
        lambda: s.set_data({"preset": "xor"}),
        lambda: s.set_network_shape([3, 3, 1], ["tanh", "sigmoid"], [True, True]),
        s.reset,
        s.undo,
        s.redo,
        s.iterate,
        s.step,
        lambda: s.load(load_example("xor")),
        lambda: s.begin_run(),
    ):
        assert not attempt()
        assert s.messages[-1] == BUSY
    assert all(np.array_equal(a, b) for a, b in zip(weights, s.network.weights, strict=True))
    s.end_run(run, None)
    assert not s.busy and s.undo_stack.undoText() == "Train 0 iterations"


def test_a_sample_edit_replaces_the_data_and_runs_keep_theirs(session):
    s = session
    run = s.train(iterations=3)
    old = s.project.dataset
    assert s.set_sample_value("input", 0, 0, 0.9)
    assert s.project.dataset is not old and old.inputs[0, 0] == 0.5
    assert run.dataset is old
    assert not s.set_sample_value("input", 0, 0, "abc")
    assert "not a finite number" in s.messages[-1]


def test_a_file_that_cannot_be_read_keeps_the_data(session, tmp_path):
    s = session
    data = s.project.dataset
    assert not s.set_data({"csv": str(tmp_path / "missing.csv"), "targets": ["y"]})
    assert s.project.dataset is data and "the current data stay" in s.messages[-1]


def test_the_live_network_is_the_running_runs_newest(session):
    s = session
    assert s.live_network() is None
    run = s.begin_run()
    chunk_params = np.concatenate([p.ravel() for p in s.network.parameters()]) + 1.0
    run.latest_params = chunk_params
    live = s.live_network()
    assert live.weights[0][0, 0] == s.network.weights[0][0, 0] + 1.0
    s.end_run(run, None)
    assert s.live_network() is None and run.latest_params is None


def test_a_rewind_steps_on_the_batch_that_iteration_used(session):
    """Forward after a rewind gives the loss the curve shows at that iteration."""
    s = session
    s.load(load_example("xor"))
    run = s.train(iterations=30)
    losses = np.concatenate([c.losses for c in run.chunks])
    for iteration in (1, 2, 7, 29):
        assert s.rewind(run, iteration)
        s.run_phase("forward")
        assert s.machine.results["loss"] == pytest.approx(losses[iteration], rel=1e-12)
    assert s.sample_index == run.trainer.batch_rows(29).start


def test_an_edited_sample_is_saved_and_read_back(session, tmp_path):
    s = session
    assert s.set_sample_value("input", 0, 1, 0.77)
    path = s.save(tmp_path / "edited.json")
    assert not s.dirty
    from bpviewer.core.files.project import load_project

    assert load_project(path).dataset.inputs[0, 1] == 0.77


def test_consecutive_undo_steps_share_their_states_and_the_stack_has_a_size_limit(session):
    s = session
    for _ in range(3):
        s.iterate()
    commands = [s.undo_stack.command(i) for i in range(s.undo_stack.count())]
    for earlier, later in itertools.pairwise(commands):
        assert later.before is earlier.after  # one state each, not two
    assert commands[0].after.machine.inputs is commands[1].after.machine.inputs  # one batch
    assert s.undo_stack.undoLimit() == 1000  # a tiny network
    from bpviewer.core.engine.network import Network
    from bpviewer.gui.session import _undo_limit

    big = Network.init([784, 128, 10], ["sigmoid", "softmax"])
    assert 50 <= _undo_limit(big) < 200  # about 512 MB of steps on a digit classifier
