"""Run a learner's script or notebook in a contained process and collect its timeline.

Contained (POSIX): the script runs in a process group of its own, which is killed when it
ends or runs out of time, so no child survives; stdin is closed, so ``input()`` fails at
once; the printed output kept is at most :data:`MAX_OUTPUT_BYTES` (its start and its end).
On other systems only the time limit holds.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from bpviewer.core.checker.timeline import Timeline
from bpviewer.core.errors import BpviewerError

DEFAULT_TIMEOUT = 60.0
MAX_OUTPUT_BYTES = 20_000
#: Names of the weights in the course's editions: tracing stops once they have all changed.
WEIGHT_NAMES = (
    "weights_input_hidden",
    "weights_hidden_output",
    "weights_input_to_hidden",
    "weights_hidden_to_output",
)


class ScriptError(BpviewerError):
    """The script could not be run to the end (exit code 2)."""


@dataclass
class ScriptRun:
    """What a script left: its timeline, its printed output and its fate."""

    path: Path
    timeline: Timeline
    stdout: str
    error: dict[str, Any] | None
    exit: dict[str, Any] | None
    python: str = sys.executable
    skipped: list[tuple[str, int, str]] = field(default_factory=list)
    stopped: str | None = None
    output_cut: int = 0  # bytes of printed output not kept

    @property
    def notebook(self) -> bool:
        """Whether the script is a notebook."""
        return self.path.suffix == ".ipynb"


class _Tail:
    """Reads a pipe to its end, keeping its first and last ``limit / 2`` bytes."""

    def __init__(self, pipe: IO[bytes], limit: int) -> None:
        self.half = limit // 2
        self.head = b""
        self.tail = b""
        self.total = 0
        self.thread = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self.thread.start()

    def _read(self, pipe: IO[bytes]) -> None:
        for chunk in iter(lambda: pipe.read(65536), b""):
            self.total += len(chunk)
            room = self.half - len(self.head)
            if room > 0:
                self.head += chunk[:room]
                chunk = chunk[room:]
            if chunk:
                self.tail = (self.tail + chunk)[-self.half :]
        pipe.close()

    def text(self) -> tuple[str, int]:
        """The kept text and how many bytes were left out."""
        self.thread.join(timeout=5)
        cut = self.total - len(self.head) - len(self.tail)
        head = self.head.decode("utf-8", "replace")
        tail = self.tail.decode("utf-8", "replace")
        if cut > 0:
            return head + f"\n… ({cut} bytes of output not kept) …\n" + tail, cut
        return head + tail, 0


def check_python(python: str | None) -> str:
    """The interpreter to run the script with (``python`` must exist and run)."""
    if not python:
        return sys.executable
    found = shutil.which(python)
    if not found:
        raise ScriptError(f"--python {python}: no such interpreter")
    return found


def _kill_group(proc: subprocess.Popen) -> None:
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def _where_it_waited(dump: Path, script: Path) -> str:
    """' at line N (in f())' from the runner's faulthandler dump (most recent call first)."""
    try:
        text = dump.read_text(errors="replace")
    except OSError:
        return ""
    frames = re.findall(r'File "(.*)", line (\d+) in (\S+)', text)
    if not frames:
        return ""
    index = next((i for i, f in enumerate(frames) if f[0].startswith(str(script))), None)
    if index is None:
        return ""
    mine = frames[index]
    where = f" at line {mine[1]}"
    if mine[0] != str(script):
        where += f" of {mine[0][len(str(script)) :].strip(' []')}"
    if index > 0:  # the call the script's line made, and never came back from
        called = frames[index - 1]
        where += f" (waiting in {called[2]}() of {Path(called[0]).name})"
    return where


def run_script(
    path: str | Path,
    timeout: float = DEFAULT_TIMEOUT,
    python: str | None = None,
    folder: str | Path | None = None,
) -> ScriptRun:
    """Run ``path`` (a ``.py`` script or an ``.ipynb`` notebook) as Python would, in a
    contained process, for at most ``timeout`` seconds (tracing counted).  ``folder`` (the
    script's own by default) is its working folder and first on its import path."""
    script = Path(path)
    if not script.is_file():
        raise ScriptError(f"{script}: no such file")
    script = script.resolve()
    home = Path(folder).resolve() if folder is not None else script.parent
    interpreter = check_python(python)
    runner = Path(__file__).with_name("check_runner.py")
    with tempfile.TemporaryDirectory(prefix="bpviewer-check-") as tmp:
        out, dump, config = Path(tmp) / "result.json", Path(tmp) / "dump.txt", Path(tmp) / "c.json"
        config.write_text(
            json.dumps(
                {
                    "script": str(script),
                    "folder": str(home),
                    "notebook": script.suffix == ".ipynb",
                    "out": str(out),
                    "dump": str(dump),
                    "deadline": timeout,
                    "stop_when_changed": WEIGHT_NAMES,
                }
            )
        )
        try:
            proc = subprocess.Popen(
                [interpreter, str(runner), str(config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=home,
                start_new_session=os.name == "posix",
            )
        except OSError as exc:
            raise ScriptError(f"--python {interpreter}: cannot run it ({exc.strerror})") from None
        stdout, stderr = _Tail(proc.stdout, MAX_OUTPUT_BYTES), _Tail(proc.stderr, 4000)
        try:
            proc.wait(timeout=timeout + 0.5)  # the runner dumps its stack at `timeout`
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        _kill_group(proc)
        printed, cut = stdout.text()
        if timed_out:
            raise ScriptError(
                f"{script}: still running after {timeout:g} s, the time limit (tracing "
                f"counted){_where_it_waited(dump, script)}; stopped with every process it "
                "started (--timeout gives it longer)"
            )
        if not out.exists():
            tail = (stderr.text()[0].strip().splitlines() or ["no output"])[-1]
            raise ScriptError(f"{script}: the script's process died ({tail})")
        raw = json.loads(out.read_text())
    run = ScriptRun(
        script,
        Timeline.from_json(raw),
        printed,
        raw["error"],
        raw["exit"],
        interpreter,
        [tuple(s) for s in raw.get("skipped", [])],
        raw.get("stopped"),
        cut,
    )
    if run.error:
        raise ScriptError(f"{script}: {_error_text(run.error, interpreter)}")
    if run.exit and not run.timeline.events:
        raise ScriptError(
            f"{script}: the script called sys.exit({run.exit['code']}){_at(run.exit)} "
            "before defining anything"
        )
    return run


def _at(info: dict[str, Any]) -> str:
    where = f" at line {info['line']}" if info.get("line") else ""
    return where + (f" of {info['cell']}" if info.get("cell") else "")


def _error_text(e: dict[str, Any], interpreter: str) -> str:
    """One line for the script's error, saying what the script waited for or lacked."""
    where = f"line {e['line']}" if e.get("line") else ""
    if e.get("cell"):
        where = f"{e['cell']}, {where}" if where else e["cell"]
    where = f"{where}: " if where else ""
    text = f"{where}{e['type']}: {e['message']}"
    if e["type"] == "EOFError":
        return (
            f"{text}: the script waited for input(), and a check has no keyboard "
            "(put the values in the script)"
        )
    if e["type"] in ("ModuleNotFoundError", "ImportError"):
        return f"{text} (in {interpreter}; --python runs the script with another Python)"
    return text
