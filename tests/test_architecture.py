"""The engine and the command line never load Qt or pyqtgraph."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import bpviewer.core, bpviewer.cli
from bpviewer.core import examples, gradcheck, formulas, project, stepper
from bpviewer.cli import main
main(["trace", "--preset", "seed", "--json"])
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph", "superqt", "qtpy"))
print("QT:", bad, file=sys.stderr)
sys.exit(1 if bad else 0)
"""


def test_core_and_cli_import_no_qt():
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "QT: []" in proc.stderr
