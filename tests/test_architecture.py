"""The engine, the Python API and the command line never load Qt or pyqtgraph.

Two guards: ruff's banned-api rule (``pyproject.toml``) refuses a Qt import written in any
module outside ``bpviewer/gui`` (CI runs it), and this test imports every module of the
engine and the headless commands in a fresh interpreter and looks for Qt in what loaded.
"""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import importlib, pkgutil, sys
import bpviewer, bpviewer.core
import bpviewer.api
names = [m.name for m in pkgutil.walk_packages(bpviewer.core.__path__, "bpviewer.core.")]
names += [m.name for m in pkgutil.walk_packages(bpviewer.api.__path__, "bpviewer.api.")]
names += ["bpviewer.cli", "bpviewer.cli.main", "bpviewer.cli.train", "bpviewer.cli.check", "bpviewer.desktop_entry",
          "bpviewer.__main__"]
for name in names:
    importlib.import_module(name)
from bpviewer.cli import main
main(["trace", "--preset", "seed", "--json"])
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph", "superqt", "qtpy"))
print("MODULES:", len(names), file=sys.stderr)
print("QT:", bad, file=sys.stderr)
sys.exit(1 if bad else 0)
"""


def test_core_api_and_cli_import_no_qt():
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "QT: []" in proc.stderr
    assert int(proc.stderr.split("MODULES:")[1].split()[0]) > 30  # every module, not a few


def test_the_lint_rule_refuses_qt_in_the_engine(tmp_path):
    """The banned-api rule is configured for the engine: a module with ``import PySide6``
    under ``bpviewer/core`` fails ``ruff check``."""
    import shutil
    from pathlib import Path

    ruff = shutil.which("ruff")
    if ruff is None:  # pragma: no cover - ruff comes with the test extras
        import pytest

        pytest.skip("ruff is not installed")
    root = Path(__file__).resolve().parent.parent
    probe = root / "bpviewer" / "core" / "_qt_probe_for_test.py"
    probe.write_text("import PySide6.QtCore  # noqa: F401\n")
    try:
        proc = subprocess.run(
            [ruff, "check", "--output-format", "concise", str(probe)],
            capture_output=True,
            text=True,
            cwd=root,
        )
    finally:
        probe.unlink()
    assert proc.returncode != 0 and "TID251" in proc.stdout, proc.stdout
