"""bpviewer's benchmarks: each case against a baseline measured in the same run.

python benchmarks/run.py                 # every case, full size
python benchmarks/run.py --quick         # smaller sizes, under two minutes
python benchmarks/run.py --cases tiny,curve --json-out results.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from cases import CASES


def machine() -> dict:
    """CPU, cores, NumPy and its BLAS, Qt."""
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
    }
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import numpy

    info["numpy"] = numpy.__version__
    try:
        from threadpoolctl import threadpool_info

        info["blas"] = [
            f"{p.get('internal_api')} {p.get('version')} ({p.get('num_threads')} threads)"
            for p in threadpool_info()
        ]
    except ImportError:
        info["blas"] = "threadpoolctl not installed"
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        info["qt"] = f"Qt {qVersion()}, PySide6 {PySide6.__version__}"
    except ImportError:
        info["qt"] = "not installed"
    return info


def table(rows: list[dict]) -> str:
    """The results as a Markdown table."""

    def num(v):
        if v is None:
            return "—"
        return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"

    lines = [
        "| case | bpviewer | baseline | unit | ratio | goal | result | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        verdict = "pass" if r["passed"] else "FAIL"
        if r["note"] == "skipped":
            verdict = "skipped"
        lines.append(
            f"| {r['case']} | {num(r['bpviewer'])} | {num(r['baseline'])} | "
            f"{r['unit']} | {num(r['ratio'])} | {r['goal']} | {verdict} | "
            f"{r['note']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes (< 2 minutes)")
    parser.add_argument(
        "--cases", default=",".join(CASES), help=f"comma-separated subset of: {', '.join(CASES)}"
    )
    parser.add_argument(
        "--json-out", default=os.path.join(os.path.dirname(__file__), "results", "latest.json")
    )
    args = parser.parse_args(argv)
    names = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in names if c not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    rows, started = [], time.perf_counter()
    for name in names:
        t0 = time.perf_counter()
        rows.extend(CASES[name](args.quick))
        print(f"[{name}: {time.perf_counter() - t0:.1f} s]", file=sys.stderr)
    report = {
        "quick": args.quick,
        "machine": machine(),
        "results": rows,
        "seconds": time.perf_counter() - started,
    }
    print(table(rows))
    print(
        f"\n{sum(r['passed'] for r in rows)} of {len(rows)} goals met in {report['seconds']:.0f} s"
    )
    os.makedirs(os.path.dirname(os.path.abspath(args.json_out)), exist_ok=True)
    with open(args.json_out, "w") as fh:
        json.dump(report, fh, indent=2)
    return 0 if all(r["passed"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
