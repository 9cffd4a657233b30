"""The benchmark runner works (its structure, never its speed: no timed tests here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_runner_quick_one_case_writes_table_and_json(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--cases",
            "memory",
            "--json-out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode in (0, 1), proc.stderr  # 1 = a goal missed; speed is not tested
    assert "| case | bpviewer | baseline | unit | ratio | goal | result | note |" in proc.stdout
    report = json.loads(out.read_text())
    assert report["quick"] is True
    assert {"cpu", "cores", "numpy", "qt"} <= set(report["machine"])
    (row,) = report["results"]
    assert set(row) == {
        "case",
        "what",
        "bpviewer",
        "baseline",
        "unit",
        "ratio",
        "goal",
        "passed",
        "note",
    }
    assert row["case"] == "7 memory" and isinstance(row["passed"], bool)


def test_runner_refuses_an_unknown_case():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--cases", "nosuch"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "unknown case" in proc.stderr


def test_the_floor_case_reports_bpviewer_over_its_matrix_products(tmp_path):
    """Case 2c's row: samples/s of the engine and of the same step's products alone, the
    ratio being the one over the other (structure only; the goal is not asserted)."""
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--cases",
            "floor",
            "--json-out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode in (0, 1), proc.stderr
    (row,) = json.loads(out.read_text())["results"]
    assert row["case"] == "2c vs the floor" and row["unit"] == "samples/s"
    assert row["bpviewer"] > 0 and row["baseline"] > 0
    assert abs(row["ratio"] - row["bpviewer"] / row["baseline"]) < 1e-9 * row["ratio"]
    assert row["passed"] == (row["ratio"] >= 0.8)
