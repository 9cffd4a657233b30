"""``bpviewer check``: judge a learner's script or notebook against the course exercise."""

from __future__ import annotations

import argparse
import json
import sys

from bpviewer.core.checker.checker import ScriptError, check_run, run_script
from bpviewer.core.checker.report import report_dict, report_text
from bpviewer.core.errors import BpviewerError


def cmd_check(args: argparse.Namespace) -> int:
    """Exit 0 when all is right, 1 when something is wrong or missing, 2 when it cannot run.
    With ``--json`` exactly one JSON object is printed on every exit."""
    try:
        run = run_script(args.script, timeout=args.timeout, python=args.python)
        try:
            report = check_run(run)
        except BpviewerError:
            raise
        except Exception as exc:  # a checker bug: one line, never a traceback
            raise ScriptError(
                f"{run.path}: the checker failed on this script ({type(exc).__name__}: {exc}); "
                "please report it with the script"
            ) from exc
    except BpviewerError as exc:
        if not args.json:
            raise
        print(json.dumps({"ok": False, "error": str(exc)}))
        print(f"bpviewer: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report_dict(report, run), indent=2))
    else:
        print(report_text(report, run))
    return 0 if report.ok else 1
