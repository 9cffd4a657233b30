"""Runs a learner's script (or notebook) in its own process and records the values its code
held: a timeline.  Executed as a file by any Python 3.8+ (``python check_runner.py
CONFIG.json``; the configuration is written by :mod:`bpviewer.core.checker.script_run`), so
it imports nothing from bpviewer: only the standard library, and NumPy when the script has it.

The script runs as Python would run it: its folder first on the import path (this file's
folder is taken off it, so a learner's ``trace.py`` or ``network.py`` is the learner's), its
folder as the working folder, as module ``__main__``.  A notebook's code cells run in order,
each compiled on its own; ``%`` and ``!`` lines are skipped and listed.

Every frame of the learner's code (the script, or a file in its folder outside installed
packages) is traced line by line: when a number, an array or a list of numbers held by a
local name (or an attribute of ``self``, or an entry of a small dict) changes, the new value
is copied into the timeline as an event ``(seq, frame, name, value)``; ``seq`` counts the
line events, so the order of events is the order of the statements.  Tracing stops when the
weights the checker names have all been updated once (the first complete step), or when the
timeline is full; the script then runs on untraced.
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import os
import sys
import traceback
import types

MAGIC_CELLS_RUN = ("time", "timeit", "capture")
MAX_ARRAY = 200000  # numbers: a larger array is data, not recorded
SKIP_TYPES = (
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.ModuleType,
    type,
)


def _number_array(value, np):
    """A float copy of a numeric value, or None (``np`` may be None: no NumPy loaded)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if np is None and isinstance(value, (list, tuple)) and value:
        np = _late_numpy()  # a script of plain lists: NumPy only to read them
    if np is None:
        return None
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iuf" and value.size <= MAX_ARRAY:
            return value.astype(float)
        return None
    if isinstance(value, np.generic):
        if value.dtype.kind in "iuf":
            return float(value)
        return None
    if isinstance(value, (list, tuple)) and 0 < len(value) <= 10000:
        try:
            arr = np.asarray(value, dtype=float)
        except (ValueError, TypeError):
            return None
        return arr if arr.dtype.kind == "f" else None
    return None


def _late_numpy():
    """NumPy, imported for the runner's own use (None when this Python has none)."""
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def _signature(value, kind, np):
    """A cheap, comparable fingerprint of a number or an array (None for other values)."""
    if kind is float or kind is int:
        return float(value)
    if np is not None and kind is np.ndarray:
        if value.size > MAX_ARRAY:
            return "too big"  # data, never a quantity of the step: not read on every line
        return (value.dtype.str, value.shape, value.tobytes())
    if np is not None and isinstance(value, np.generic):
        return (value.dtype.str, (), value.tobytes())
    return None


def _same(a, b, np):
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, float) and isinstance(b, float) and (a == b or (a != a and b != b))
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


def _to_json(value):
    if isinstance(value, float):
        return {"shape": [], "data": [value]}
    return {"shape": list(value.shape), "data": value.ravel().tolist()}


class Recorder:
    """The timeline of the learner's values (see the module docstring)."""

    def __init__(self, config):
        self.script = config["script"]
        self.folder = config["folder"]
        self.stop_names = set(config.get("stop_when_changed", ()))
        self.max_events = int(config.get("max_events", 100000))
        self.max_changes = int(config.get("max_changes", 2000))  # per variable: a counter
        self.changes = {}
        self.max_floats = int(config.get("max_floats", 500000))
        self.own = os.path.dirname(os.path.abspath(__file__))
        self.events = []
        self.values = []
        self.frames = []
        self.frame_ids = {}
        self.last = {}
        self.first_of_stop = {}
        self.changed_stop = set()
        self.floats = 0
        self.seq = 0
        self.stopped = None
        self._mine = {}

    def is_learners(self, code):
        name = code.co_filename
        mine = self._mine.get(name)
        if mine is None:
            mine = name.startswith(self.script) or (
                name.startswith(self.folder + os.sep)
                and "site-packages" not in name
                and "dist-packages" not in name
                and not name.startswith(self.own)
            )
            self._mine[name] = mine
        return mine

    # ------------------------------------------------------------------ tracing
    def global_trace(self, frame, event, arg):
        if self.stopped or not self.is_learners(frame.f_code):
            return None
        key = id(frame)
        if key not in self.frame_ids:
            self.frame_ids[key] = len(self.frames)
            self.frames.append(frame.f_code.co_name)
        self.snapshot(frame)
        return self.local_trace

    def local_trace(self, frame, event, arg):
        if self.stopped:
            return None
        self.seq += 1
        self.snapshot(frame)
        if event == "return":
            self.frame_ids.pop(id(frame), None)
        return None if self.stopped else self.local_trace

    def snapshot(self, frame):
        np = sys.modules.get("numpy")
        fidx = self.frame_ids.get(id(frame))
        if fidx is None:
            fidx = self.frame_ids[id(frame)] = len(self.frames)
            self.frames.append(frame.f_code.co_name)
        for name, value in list(frame.f_locals.items()):
            if name.startswith("__"):
                continue
            self.note(fidx, name, value, np)
            if name == "self":
                attrs = getattr(value, "__dict__", None)
                if isinstance(attrs, dict):
                    for attr, v in list(attrs.items())[:50]:
                        self.note(fidx, "self." + attr, v, np)
            elif isinstance(value, dict) and 0 < len(value) <= 20:
                for k, v in list(value.items()):
                    if isinstance(k, str):
                        self.note(fidx, name + "[" + repr(k) + "]", v, np)

    def note(self, fidx, name, value, np):
        kind = type(value)
        if value is None or kind in SKIP_TYPES:
            return
        key = (fidx, name)
        sign = _signature(value, kind, np)
        if sign == "too big" or (sign is not None and self.last.get(key) == sign):
            return  # the fast path of every line: unchanged
        arr = _number_array(value, np)
        if arr is None:
            kind_name = "type:" + kind.__name__
            if self.last.get(key) != kind_name and isinstance(value, (str, bool, complex)):
                self.last[key] = kind_name
                self.add(fidx, name, {"type": kind.__name__}, 0)
            return
        if sign is None:  # a list: its numbers are its signature
            sign = (arr.shape, arr.tobytes()) if not isinstance(arr, float) else arr
            if self.last.get(key) == sign:
                return
        count = self.changes.get(key, 0) + 1
        if count > self.max_changes:  # a loop counter, or a step repeated very often
            return
        self.changes[key] = count
        self.last[key] = sign
        size = 1 if isinstance(arr, float) else arr.size
        self.add(fidx, name, _to_json(arr), size)
        base = name[5:] if name.startswith("self.") else name
        if base in self.stop_names:
            if base not in self.first_of_stop:
                self.first_of_stop[base] = arr
            elif not _same(self.first_of_stop[base], arr, np):
                self.changed_stop.add(base)
                if self.changed_stop >= set(self.first_of_stop) and len(self.changed_stop) >= 2:
                    self.stop("the first update of the weights is recorded")

    def add(self, fidx, name, value, size):
        self.values.append(value)
        self.events.append([self.seq, fidx, name, len(self.values) - 1])
        self.floats += size
        if len(self.events) >= self.max_events or self.floats >= self.max_floats:
            self.stop("the timeline is full")

    def stop(self, why):
        self.stopped = why
        sys.settrace(None)
        frame = sys._getframe(1)
        while frame is not None:
            frame.f_trace = None
            frame = frame.f_back


# ---------------------------------------------------------------------------- sources
def notebook_cells(path: str, skipped: list) -> list:
    """The code cells of a notebook as (label, source); skipped lines go to ``skipped``."""
    with open(path, encoding="utf-8") as fh:
        nb = json.load(fh)
    cells = []
    number = 0
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        number += 1
        src = cell.get("source", "")
        text = "".join(src) if isinstance(src, list) else src
        label = cell.get("metadata", {}).get("bpviewer_label") or "cell " + str(number)
        cells.append((label, clean_cell(text, label, skipped)))
    return cells


def clean_cell(text: str, label: str, skipped: list) -> str:
    """A cell's Python: ``%``/``!`` lines (and shell assignments) replaced by ``pass``."""
    lines = text.splitlines()
    if lines and lines[0].startswith("%%"):
        magic = lines[0][2:].split()[0] if lines[0][2:].split() else ""
        skipped.append([label, 1, lines[0]])
        if magic not in MAGIC_CELLS_RUN:
            for i, line in enumerate(lines[1:], 2):
                skipped.append([label, i, line])
            return ""
        lines[0] = ""
    out = []
    for i, line in enumerate(lines, 1):
        body = line.lstrip()
        indent = line[: len(line) - len(body)]
        head = body.split("=", 1)
        shell_assign = len(head) == 2 and head[1].lstrip()[:1] in ("!", "%") and head[0].strip()
        if body[:1] in ("%", "!") or (shell_assign and head[0].strip().isidentifier()):
            skipped.append([label, i, line])
            out.append(indent + "pass")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def _where(exc, sources):
    """(label, line) of the innermost frame of the learner's code in a traceback."""
    found = (None, None)
    for fs in traceback.extract_tb(exc.__traceback__):
        if fs.filename in sources:
            found = (sources[fs.filename], fs.lineno)
    return found


def main(config_path: str) -> None:
    with open(config_path, encoding="utf-8") as fh:
        config = json.load(fh)
    script, folder = config["script"], config["folder"]
    result = {"error": None, "exit": None, "skipped": [], "stopped": None}
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [folder] + [p for p in sys.path[1:] if os.path.abspath(p or ".") != here]
    sys.argv = [script]
    os.chdir(folder)
    try:
        if config.get("notebook"):
            units = [
                (script + " [" + label + "]", label, src)
                for label, src in notebook_cells(script, result["skipped"])
            ]
        else:
            with open(script, encoding="utf-8") as fh:
                units = [(script, None, fh.read())]
        codes = [(compile(src, fname, "exec"), fname, label) for fname, label, src in units]
    except SyntaxError as exc:
        label = None
        if exc.filename and exc.filename.endswith("]"):
            label = exc.filename.rsplit("[", 1)[1][:-1]
        result["error"] = {
            "type": "SyntaxError",
            "message": str(exc.msg),
            "line": exc.lineno,
            "cell": label,
        }
        return _write(config["out"], result, None)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        result["error"] = {"type": type(exc).__name__, "message": str(exc), "line": None}
        return _write(config["out"], result, None)
    sources = {fname: label for _, fname, label in codes}
    module = types.ModuleType("__main__")
    if not config.get("notebook"):
        module.__file__ = script
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module
    recorder = Recorder(config)
    recorder.stop_names = set(config.get("stop_when_changed", ()))
    recorder.script = script
    dump = open(config["dump"], "w")  # noqa: SIM115 - open until the process ends
    faulthandler.dump_traceback_later(float(config["deadline"]), file=dump)
    sys.settrace(recorder.global_trace)
    try:
        for code, _fname, _label in codes:
            exec(code, module.__dict__)
    except SystemExit as exc:
        label, line = _where(exc, sources)
        result["exit"] = {"code": str(exc.code), "line": line, "cell": label}
    except BaseException as exc:  # the learner's error, reported, never ours
        label, line = _where(exc, sources)
        result["error"] = {
            "type": type(exc).__name__,
            "message": str(exc),
            "line": line,
            "cell": label,
        }
    finally:
        sys.settrace(None)
    faulthandler.cancel_dump_traceback_later()
    result["stopped"] = recorder.stopped
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    return _write(config["out"], result, recorder)


def _write(out, result, recorder):
    if recorder is not None:
        result["events"] = recorder.events
        result["values"] = recorder.values
        result["frames"] = recorder.frames
    else:
        result.update(events=[], values=[], frames=[])
    with open(out + ".part", "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    os.replace(out + ".part", out)


if __name__ == "__main__":
    main(sys.argv[1])
