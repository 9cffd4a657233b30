"""The command line: exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

from bpviewer.cli import main


def test_gradcheck_passes_on_examples(capsys):
    for preset in ("seed", "xor", "iris"):
        assert main(["gradcheck", "--preset", preset, "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["max_relative_error"] < 1e-6
        assert {"layer", "row", "column", "analytic", "numerical", "relative_error"} <= set(
            out["parameters"][0]
        )


def test_gradcheck_exits_1_above_tolerance(capsys):
    # a tolerance below what float64 can reach must fail
    assert main(["gradcheck", "--preset", "seed", "--tol", "0"]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_usage_errors_are_one_line(capsys):
    assert main(["trace"]) == 2
    assert main(["trace", "--preset", "nosuch"]) == 2
    assert main(["trace", "--preset", "seed", "--sample", "5"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "sample 5 is out of range" in err


def test_trace_batch_gives_rows_per_sample(capsys, tmp_path):
    from bpviewer.core.files.examples import EXAMPLES

    raw = json.loads(json.dumps(EXAMPLES["xor"]))
    raw["training"]["batch_size"] = "full"
    (tmp_path / "x.json").write_text(json.dumps(raw))
    assert main(["trace", str(tmp_path / "x.json"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["output"]) == 4 and len(out["output"][0]) == 1
    assert isinstance(out["loss"], float)
    assert len(out["bias_gradients"][0]) == 3


def test_python_dash_m_runs_headless():
    proc = subprocess.run(
        [sys.executable, "-m", "bpviewer", "trace", "--preset", "seed"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    assert proc.stdout.rstrip().endswith("2.04471402e-04]]")
