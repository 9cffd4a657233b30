"""``bpviewer check``: judge a learner's script in the exercise's vocabulary."""

from __future__ import annotations

import argparse
import json

from bpviewer.core.checker.checker import check_run, report_dict, report_text, run_script


def cmd_check(args: argparse.Namespace) -> int:
    """Exit 0 when all is right, 1 when something is wrong or missing, 2 when it cannot run."""
    run = run_script(args.script, timeout=args.timeout)
    report = check_run(run)
    if args.json:
        print(json.dumps(report_dict(report), indent=2))
    else:
        print(report_text(report, run))
    return 0 if report.ok else 1
