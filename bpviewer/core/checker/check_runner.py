"""Runs a learner's script in its own process and records the first value given to each of
the names it is told to watch.  Executed as a file (``python check_runner.py SCRIPT OUT.json
NAME,NAME,…``; the names come from :mod:`bpviewer.core.checker.checker`), so it imports nothing from
bpviewer; only the standard library (and NumPy if the script has it).

The module's own frame is traced line by line: before each line runs, every watched name
that has appeared since is copied, so a later ``weights += delta`` does not change what was
recorded.  The result file holds the values, the script's error (type, message, line) if
it raised, and whether it called ``sys.exit``.
"""

import json
import sys
import traceback


def _convert(value):
    """A JSON description of a value: numbers and arrays by shape and data, others by type."""
    if isinstance(value, bool):
        return {"type": "bool"}
    if isinstance(value, (int, float)):
        return {"type": "array", "shape": [], "data": [float(value)]}
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(value, np.generic) and np.issubdtype(type(value), np.number):
            return {"type": "array", "shape": [], "data": [float(value)]}
        if isinstance(value, np.ndarray):
            if not np.issubdtype(value.dtype, np.number) or np.iscomplexobj(value):
                return {"type": f"ndarray of {value.dtype}"}
            return {
                "type": "array",
                "shape": list(value.shape),
                "data": [float(v) for v in value.ravel().tolist()],
            }
    if isinstance(value, (list, tuple)):
        try:
            import numpy

            arr = numpy.asarray(value, dtype=float)
        except (ValueError, TypeError, ImportError):
            return {"type": type(value).__name__}
        return {"type": "array", "shape": list(arr.shape), "data": arr.ravel().tolist()}
    return {"type": type(value).__name__}


def main(script: str, out: str, watched: tuple[str, ...]) -> None:
    result = {"values": {}, "error": None, "exit": None}
    values = result["values"]
    try:
        with open(script, encoding="utf-8") as fh:
            source = fh.read()
        code = compile(source, script, "exec")
    except SyntaxError as exc:
        result["error"] = {"type": "SyntaxError", "message": exc.msg, "line": exc.lineno}
        _write(out, result)
        return
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        result["error"] = {"type": type(exc).__name__, "message": str(exc), "line": None}
        _write(out, result)
        return
    scope = {"__name__": "__main__", "__file__": script, "__builtins__": __builtins__}

    def snapshot():
        for name in watched:
            if name not in values and name in scope:
                values[name] = _convert(scope[name])

    def local(frame, event, arg):
        if event in ("line", "return"):
            snapshot()
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code is code else None

    sys.settrace(tracer)
    try:
        exec(code, scope)
    except SystemExit as exc:
        result["exit"] = {"code": str(exc.code), "line": _script_line(script, exc)}
    except BaseException as exc:  # the learner's error, reported, never ours
        result["error"] = {
            "type": type(exc).__name__,
            "message": str(exc),
            "line": _script_line(script, exc),
        }
    finally:
        sys.settrace(None)
        snapshot()
    sys.stdout.flush()
    _write(out, result)


def _script_line(script: str, exc: BaseException):
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == script:
            line = frame.lineno
    return line


def _write(out: str, result: dict) -> None:
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], tuple(sys.argv[3].split(",")))
