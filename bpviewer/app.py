"""Starting the desktop application (the window arrives with the main-window issue)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def run_app(argv: Sequence[str]) -> int:
    """Open the main window on the seed example, or on the project file in ``argv``."""
    print(
        "bpviewer: the window is not built yet; use a sub-command: "
        "bpviewer trace|gradcheck --preset seed",
        file=sys.stderr,
    )
    return 2
