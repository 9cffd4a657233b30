"""``bpviewer check`` runs the learner's script as Python would, and contains it: its own
modules, another interpreter, no keyboard, no child left behind, output capped, one JSON
object on every exit, a report in the window within a second."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bpviewer
from bpviewer.cli import main

EXERCISE = (Path(__file__).parent / "solutions" / "correct.py").read_text()
BPVIEWER = Path(bpviewer.__file__).parent


def _check_json(capsys, path: Path, *args: str) -> tuple[int, dict]:
    code = main(["check", str(path), "--json", *args])
    out = capsys.readouterr().out
    assert out.count("\n{") == 0 or out.strip().startswith("{")
    return code, json.loads(out)


def test_no_bpviewer_module_is_importable_by_a_bare_name(tmp_path, capsys):
    names = sorted({p.stem for p in BPVIEWER.rglob("*.py") if not p.stem.startswith("__")})
    probe = (
        "import importlib.util, sys\n"
        f"bpviewer_dir = {str(BPVIEWER)!r}\n"
        f"for name in {names!r}:\n"
        "    spec = importlib.util.find_spec(name)\n"
        "    if spec is not None and (spec.origin or '').startswith(bpviewer_dir):\n"
        "        raise SystemError('bpviewer module importable as ' + name)\n"
        "assert sys.path[0] == __import__('os').path.dirname(__file__), sys.path[0]\n"
    )
    path = tmp_path / "probe.py"
    path.write_text(probe + EXERCISE)
    code, out = _check_json(capsys, path)
    assert code == 0, out


def test_the_learners_module_named_like_bpviewers_is_the_learners(tmp_path, capsys):
    (tmp_path / "checker.py").write_text("LEARNERS = True\n")
    (tmp_path / "datasets.py").write_text("learnrate = 0.5\n")
    path = tmp_path / "solution.py"
    text = EXERCISE.replace("learnrate = 0.5", "from datasets import learnrate\nimport checker")
    path.write_text(text + "assert checker.LEARNERS\nopen('made-here.txt', 'w').close()\n")
    code, out = _check_json(capsys, path)
    assert code == 0, out
    assert (tmp_path / "made-here.txt").exists()  # the script's folder is its working folder


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory) -> Path:
    """A second interpreter: a venv seeing this Python's packages (NumPy), without pip."""
    where = tmp_path_factory.mktemp("venv") / "learner-env"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(where)],
        check=True,
        timeout=120,
    )
    python = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    assert python.exists()
    return python


def test_python_runs_the_script_with_another_interpreter(tmp_path, capsys, venv_python):
    path = tmp_path / "solution.py"
    path.write_text("import sys\nprint('RUN BY', sys.prefix)\n" + EXERCISE)
    code, out = _check_json(capsys, path, "--python", str(venv_python))
    assert code == 0, out
    assert main(["check", str(path), "--python", str(venv_python)]) == 0
    assert f"RUN BY {venv_python.parent.parent}" in capsys.readouterr().out


def test_a_missing_module_names_the_interpreter(tmp_path, capsys, venv_python):
    path = tmp_path / "solution.py"
    path.write_text("import pandas_that_nobody_has\n" + EXERCISE)
    code, out = _check_json(capsys, path, "--python", str(venv_python))
    assert code == 2 and out["ok"] is False
    assert "No module named 'pandas_that_nobody_has'" in out["error"]
    assert str(venv_python.parent) in out["error"]
    code, out = _check_json(capsys, path, "--python", str(tmp_path / "no-python"))
    assert code == 2 and "no such interpreter" in out["error"]


def test_input_fails_at_once_with_a_clear_message(tmp_path, capsys):
    path = tmp_path / "asks.py"
    path.write_text("name = input('your name? ')\n" + EXERCISE)
    start = time.monotonic()
    code, out = _check_json(capsys, path)
    assert time.monotonic() - start < 10
    assert code == 2 and "line 1" in out["error"] and "waited for input()" in out["error"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead, only not yet reaped by its new parent
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return True


@pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")
@pytest.mark.parametrize("waits", [False, True])
def test_no_child_process_survives_the_script(tmp_path, capsys, waits):
    pidfile = tmp_path / "child.pid"
    spawn = (
        "import subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pidfile)!r}, 'w').write(str(child.pid))\n"
    )
    path = tmp_path / "spawns.py"
    path.write_text(spawn + EXERCISE + ("child.wait()\n" if waits else ""))
    code, out = _check_json(capsys, path, "--timeout", "3")
    if waits:
        assert code == 2
        assert "still running after 3 s" in out["error"]
        last_line = spawn.count("\n") + EXERCISE.count("\n") + 1
        assert f"at line {last_line} (waiting in wait() of subprocess.py)" in out["error"]
    else:
        assert code == 0, out
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def test_json_on_every_exit(tmp_path, capsys):
    for body in ("x = 1/0\n", "def broken(:\n"):
        path = tmp_path / "bad.py"
        path.write_text(body)
        code = main(["check", str(path), "--json"])
        captured = capsys.readouterr()
        assert code == 2
        assert json.loads(captured.out)["ok"] is False
        assert captured.err.count("\n") == 1
    code = main(["check", str(tmp_path / "nope.py"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 2 and "no such file" in out["error"]


def _loud_script(tmp_path: Path) -> Path:
    path = tmp_path / "loud.py"
    path.write_text(EXERCISE + "import sys\nsys.stdout.write(('x' * 99 + '\\n') * 10_000)\n")
    return path  # prints 1 MB after a correct step


def test_printed_output_is_capped_at_20_kb(tmp_path, capsys):
    code, out = _check_json(capsys, _loud_script(tmp_path))
    assert code == 0
    assert out["output_bytes_not_kept"] >= 1_000_000 - 20_000
    from bpviewer.core.checker.checker import check_script

    run, _ = check_script(_loud_script(tmp_path))
    assert len(run.stdout.encode()) < 21_000 and "bytes of output not kept" in run.stdout


def test_the_window_shows_the_report_of_a_loud_script_within_a_second(window, qtbot, tmp_path):
    runner = window.check_code(str(_loud_script(tmp_path)))
    shown = []
    runner.finished.connect(lambda *_: shown.append(time.monotonic()))
    with qtbot.waitSignal(runner.finished, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: window.check_report is not None and window.check_report.isVisible())
    assert time.monotonic() - shown[0] < 1.0
    assert "Nice job!" in window.check_report.text.toPlainText()
    window.check_report.close()


def test_the_window_checks_a_notebook(window, qtbot):
    path = Path(__file__).parent / "solutions" / "corpus" / "n02_renamed_notebook.ipynb"
    runner = window.check_code(str(path))
    with qtbot.waitSignal(runner.finished, timeout=30_000):
        pass
    text = window.check_report.text.toPlainText()
    assert "First wrong: output_error_term" in text and "files = !ls" in text
    assert window.values_panel.marks["output_error_term"] is False
    window.check_report.close()


def test_a_long_loop_before_the_step_does_not_fill_the_timeline(tmp_path, capsys):
    """A counter changing on every line is recorded a limited number of times, so a slow
    script's step is still seen (120,000 changes: more than the timeline holds)."""
    path = tmp_path / "slow.py"
    path.write_text("total = 0\nfor i in range(120_000):\n    total += i\n" + EXERCISE)
    code, out = _check_json(capsys, path)
    assert code == 0, out
    assert not out["notes"]


def test_the_window_loads_the_first_epochs_records(window, qtbot):
    path = Path(__file__).parent / "solutions" / "corpus" / "epochs" / "e01_course.py"
    runner = window.check_code(str(path))
    with qtbot.waitSignal(runner.finished, timeout=30_000):
        pass
    assert "Nice job!" in window.check_report.text.toPlainText()
    assert window.session.project.dataset.inputs.shape == (6, 4)
    assert window.session.network.weights[0].shape == (4, 2)
    window.check_report.close()
