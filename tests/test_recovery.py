"""Crash recovery: unsaved work is written aside and offered back after a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from bpviewer.core.files.examples import EXAMPLES
from bpviewer.core.files.project import load_project
from bpviewer.gui.recovery import RECOVERY_SECONDS, leftovers
from bpviewer.gui.settings import data_folder


def _dead_pid() -> int:
    """The number of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _as_left_by_a_crash(window) -> Path:
    """This window's recovery file, renamed as if a process that is gone wrote it."""
    assert window.recovery.write_now()
    pid = _dead_pid()
    for suffix in (".json", ".origin"):
        src = window.recovery.path.with_suffix(suffix)
        src.rename(src.with_name(f"recovery-{pid}{suffix}"))
    return window.recovery.path.with_name(f"recovery-{pid}.json")


def test_unsaved_work_is_written_aside_and_removed_once_saved(window, tmp_path):
    recovery = window.recovery
    assert not recovery.write_now() and not recovery.path.exists()  # nothing unsaved
    assert window.session.set_parameter("w", 1, 0, 0, "0.123456789012345")
    assert recovery.timer.isActive()
    assert recovery.timer.interval() == RECOVERY_SECONDS * 1000
    assert recovery.write_now()
    assert not recovery.write_now()  # nothing changed since: not written again
    saved = load_project(recovery.path)
    assert saved.network.weights[0][0, 0] == 0.123456789012345
    for got, want in zip(
        saved.network.parameters(), window.session.network.parameters(), strict=True
    ):
        np.testing.assert_array_equal(got, want)
    window.prompter.files = [str(tmp_path / "p.json")]
    assert window.save_as()
    assert not recovery.path.exists()  # saved: nothing to recover
    window.session.set_parameter("w", 1, 0, 0, "0.4321")
    recovery.write_now()
    assert recovery.path.with_suffix(".origin").read_text().strip() == str(tmp_path / "p.json")
    window.actionUndo.trigger()  # back to the saved state
    assert not recovery.path.exists()


def test_a_recovery_file_of_a_live_process_is_not_offered(window):
    window.session.set_parameter("w", 1, 0, 0, "0.4321")
    window.recovery.write_now()
    assert leftovers() == []  # this process is alive: its file is its own


def test_restore_after_a_crash_is_one_undo_step_on_top_of_the_file(window, qtbot, tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(EXAMPLES["xor"]))
    assert window.open_project(path)
    original = [p.copy() for p in window.session.network.parameters()]
    window.session.set_parameter("w", 1, 1, 0, "2.75")
    window.session.set_training(learning_rate=0.3)
    _as_left_by_a_crash(window)
    window.session.undo_stack.setClean()  # this window "crashed": start another
    from bpviewer.gui import MainWindow

    from .conftest import FakePrompter

    again = MainWindow()
    again.prompter = FakePrompter()
    qtbot.addWidget(again)
    again.prompter.recover_answer = "later"
    assert not again.offer_recovery()
    assert len(leftovers()) == 1  # still there for the next start
    again.prompter.recover_answer = "restore"
    assert again.offer_recovery()
    s = again.session
    assert s.project.path == path and s.dirty
    assert s.network.weights[0][1, 0] == 2.75
    assert s.project.training.learning_rate == 0.3
    assert leftovers() == []
    again.actionUndo.trigger()  # the file as saved
    for got, want in zip(s.network.parameters(), original, strict=True):
        np.testing.assert_array_equal(got, want)
    assert s.project.training.learning_rate == load_project(path).training.learning_rate
    again.session.undo_stack.setClean()


def test_discarding_removes_the_leftover(window):
    window.session.set_parameter("w", 1, 0, 0, "0.4321")
    left = _as_left_by_a_crash(window)
    window.session.undo_stack.setClean()
    window.prompter.recover_answer = "discard"
    assert not window.offer_recovery()
    assert not left.exists() and leftovers() == []


def test_a_relative_csv_is_found_from_the_recovery_file(window, tmp_path):
    (tmp_path / "d.csv").write_text("a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    raw = dict(EXAMPLES["xor"])
    raw["data"] = {"csv": "d.csv", "inputs": ["a", "b"], "targets": ["y"]}
    (tmp_path / "p.json").write_text(json.dumps(raw))
    assert window.open_project(tmp_path / "p.json")
    window.session.set_parameter("w", 1, 0, 0, "0.4321")
    window.recovery.write_now()
    recovered = load_project(window.recovery.path)  # from the data folder, not tmp_path
    assert Path(recovered.data_spec["csv"]) == (tmp_path / "d.csv").resolve()
    np.testing.assert_array_equal(recovered.dataset.inputs, window.session.project.dataset.inputs)
    window.session.undo_stack.setClean()


CRASH = r"""
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
from bpviewer.gui import MainWindow
app = QApplication([])
w = MainWindow()
w.show()
w.session.set_parameter("w", 1, 0, 0, "0.777")
app.processEvents()
w.recovery.write_now()
os._exit(3)  # a crash: no close, no clean-up
"""


def test_a_real_crash_leaves_work_that_the_next_start_finds(tmp_path):
    env = {**os.environ, "BPVIEWER_SETTINGS_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", CRASH], env=env, timeout=120)
    assert out.returncode == 3
    found = leftovers(tmp_path)
    assert len(found) == 1 and found[0].original == ""
    assert load_project(found[0].path).network.weights[0][0, 0] == 0.777
    assert data_folder() != tmp_path  # the test's own folder is another one
