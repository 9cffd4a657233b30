"""Put bpviewer in a Linux desktop's applications menu (freedesktop.org desktop entry).

Writes ``applications/bpviewer.desktop`` and ``icons/hicolor/scalable/apps/bpviewer.svg``
under ``$XDG_DATA_HOME`` (default ``~/.local/share``), for the current user only; the
entry starts the ``bpviewer`` this Python runs.  No Qt is imported here.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from bpviewer.core.paths import resource_path

ENTRY = Path("applications", "bpviewer.desktop")
ICON = Path("icons", "hicolor", "scalable", "apps", "bpviewer.svg")


def data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when it is unset or not absolute."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def _quoted(arg: str) -> str:
    """An Exec argument, quoted as the desktop entry specification asks when needed."""
    if not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`"):
        return arg
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`")
    return '"' + escaped.replace("$", "\\$") + '"'


def exec_command() -> list[str]:
    """How the entry starts bpviewer: the ``bpviewer`` script beside this Python, else
    the one on PATH, else ``python -m bpviewer``."""
    beside = Path(sys.executable).with_name("bpviewer")
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("bpviewer")
    return [found] if found else [sys.executable, "-m", "bpviewer"]


def entry_text(command: list[str], icon: Path) -> str:
    """The desktop entry for ``command`` (argv) with the icon file ``icon``."""
    template = resource_path("bpviewer.desktop").read_text(encoding="utf-8")
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = "Exec=" + " ".join(_quoted(a) for a in command) + " %f"
        elif line.startswith("Icon="):
            line = f"Icon={icon}"
        lines.append(line)
    lines.insert(lines.index("[Desktop Entry]") + 1, f"TryExec={command[0]}")
    return "\n".join(lines) + "\n"


def install(root: Path | None = None) -> list[Path]:
    """Write the entry and the icon under ``root`` (default :func:`data_home`); returns
    the files written."""
    root = root or data_home()
    icon, entry = root / ICON, root / ENTRY
    icon.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(resource_path("bpviewer.svg"), icon)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(entry_text(exec_command(), icon), encoding="utf-8")
    return [entry, icon]


def uninstall(root: Path | None = None) -> list[Path]:
    """Remove what :func:`install` wrote; returns the files removed."""
    root = root or data_home()
    removed = []
    for path in (root / ENTRY, root / ICON):
        if path.is_file():
            path.unlink()
            removed.append(path)
    return removed
