"""Regression: PySide6 6.12.0 on CPython 3.11 loses a reference to None on every void Qt call
and aborts after a few thousand ("Fatal Python error: none_dealloc").  The dependency pin keeps
that release away; this test makes 20,000 void calls in a fresh process and expects a clean exit.
"""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel

class Emitter(QObject):
    changed = Signal(bool)

app = QApplication([])
label = QLabel()
emitter = Emitter()
before = sys.getrefcount(None)
for i in range(10_000):
    label.setText("x")          # void
    label.setToolTip("y")       # void
    emitter.changed.emit(True)  # Signal(bool).emit
print("refcount drift", sys.getrefcount(None) - before)
"""


def test_twenty_thousand_void_qt_calls_exit_cleanly():
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "none_dealloc" not in proc.stderr
    drift = int(proc.stdout.split()[-1])
    assert abs(drift) < 1000, f"None lost {drift} references over 20,000 void calls"
