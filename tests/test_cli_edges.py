"""Rough edges of the command line and of files, each found by a user."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from bpviewer.core.files.atomic import write_atomic


def _bpviewer(*args: str, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **kw.pop("env", {})}
    return subprocess.run(
        [sys.executable, "-m", "bpviewer", *args], capture_output=True, text=True, env=env, **kw
    )


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_files_are_written_with_the_users_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "project.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "project.json").stat().st_mode) == 0o644
    (tmp_path / "project.json").chmod(0o640)  # a replaced file keeps its mode
    write_atomic(tmp_path / "project.json", "{}")
    assert stat.S_IMODE((tmp_path / "project.json").stat().st_mode) == 0o640


def test_an_unknown_command_is_named():
    out = _bpviewer("frobnicate")
    assert out.returncode == 2
    assert out.stderr.strip().startswith("bpviewer: unknown command 'frobnicate'")


def test_usage_errors_name_the_command_once():
    out = _bpviewer("trace")
    assert out.returncode == 2
    assert out.stderr.strip() == "bpviewer: trace: give a project file or --preset NAME"


@pytest.mark.parametrize("tol", ["-1", "nan", "inf", "abc"])
def test_a_tolerance_must_be_a_number_of_0_or_more(tol):
    out = _bpviewer("gradcheck", "--preset", "xor", "--tol", tol)
    assert out.returncode == 2 and "argument --tol:" in out.stderr


def test_writing_into_a_missing_folder_names_the_file_asked_for(tmp_path):
    target = tmp_path / "missing" / "x.json"
    out = _bpviewer("train", "--preset", "xor", "--iterations", "5", "--out", str(target))
    assert out.returncode == 2
    assert out.stderr.strip() == f"bpviewer: {target}: No such file or directory"


def test_gradcheck_warns_when_most_gradients_are_zero():
    out = _bpviewer("gradcheck", "--preset", "xor")  # sample (0, 0): inputs of 0
    assert "9 of 13 gradients are exactly 0" in out.stderr
    assert "exactly 0" not in _bpviewer("gradcheck", "--preset", "xor", "--sample", "3").stderr


def test_gradcheck_names_parameters_as_the_window_does_and_can_check_every_sample():
    out = _bpviewer("gradcheck", "--preset", "xor", "--all")
    assert out.returncode == 0 and "w(x₁→h₁) w1[0,0]" in out.stdout
    assert "exactly 0" not in out.stderr  # over all four samples most gradients are not 0
    import json

    data = json.loads(_bpviewer("gradcheck", "--preset", "xor", "--all", "--json").stdout)
    assert data["parameters"][0]["name"] == "w(x₁→h₁)"
    both = _bpviewer("gradcheck", "--preset", "xor", "--all", "--sample", "2")
    assert both.returncode == 2 and "not allowed with argument --all" in both.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--json", "/no/such/script.py"),  # a file that is not there
        ("check", "--json", "--frobnicate", "x.py"),  # bad arguments
        ("trace", "--json", "--preset", "nosuch"),
    ],
)
def test_json_gets_one_object_on_every_refusal(args):
    import json

    out = _bpviewer(*args)
    assert out.returncode == 2
    answer = json.loads(out.stdout)  # exactly one object, nothing else
    assert answer["ok"] is False and answer["error"]
    assert out.stderr.count("\n") == 1 and answer["error"] in out.stderr
