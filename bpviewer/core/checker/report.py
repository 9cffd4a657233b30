"""The checker's report, rendered once for every reader: text (the command line and the
window), a JSON object (``--json``) and HTML (``%bpcheck`` in a notebook)."""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from bpviewer.core.checker.checker import CheckReport, ScriptRun
from bpviewer.core.checker.vocabulary import DEPENDS, EPOCH_DEPENDS

GRADER_LINE = "Nice job!  That's right!"
MAX_OUTPUT_LINES = 12


def shorten_output(text: str, lines: int = MAX_OUTPUT_LINES) -> str:
    """The script's printed output, cut to ``lines`` lines (that is not an error)."""
    rows = text.rstrip("\n").splitlines()
    if len(rows) <= lines:
        return "\n".join(rows)
    half = lines // 2
    return "\n".join([*rows[:half], f"… ({len(rows) - 2 * half} more lines) …", *rows[-half:]])


def _fmt_array(a: np.ndarray | None) -> str:
    if a is None:
        return "—"
    if a.size == 1:
        return f"{float(a.reshape(-1)[0]):.9g}"
    return np.array2string(a, precision=9, separator=", ", max_line_width=10_000).replace("\n", "")


def _shape(a: np.ndarray | None) -> str:
    return "—" if a is None else str(tuple(a.shape))


def _depends(report: CheckReport) -> dict[str, tuple[str, ...]]:
    return EPOCH_DEPENDS if report.exercise == "epochs" else DEPENDS


def quantity_lines(report: CheckReport) -> list[tuple[str, str, str]]:
    """(name, verdict, hint) per judged quantity, in the order of the chain."""
    rows = []
    for name in report.judged:
        q = report.quantities[name]
        found = f" (found as `{q.found_as}`)" if q.found_as else ""
        if q.status == "ok":
            text = "ok" + found
        elif q.status == "inline":
            text = "ok, inline (" + q.note + ")"
        elif q.status == "missing":
            text = f"MISSING ({q.note})"
        elif q.status == "follows":
            text = f"follows from {q.follows_from} (right for the values it was given){found}"
        else:
            text = (
                f"WRONG{found}: expected {_fmt_array(q.expected)} (shape {_shape(q.expected)}), "
                f"got {_fmt_array(q.got)} (shape {_shape(q.got)})"
            )
        rows.append((name, text, q.hint if q.status == "wrong" else ""))
    return rows


def verdict_lines(report: CheckReport) -> list[str]:
    """The closing lines: the grader's line, or the first wrong quantity and its hint."""
    if report.ok:
        return [GRADER_LINE]
    if report.first_wrong:
        q = report.quantities[report.first_wrong]
        deps = ", ".join(
            d for d in _depends(report).get(report.first_wrong, ()) if d in report.quantities
        )
        lines = [f"First wrong: {report.first_wrong} (computed from {deps})"]
        if q.hint:
            lines.append(f"Likely mistake: {q.hint}")
        others = [n for n in report.mistakes if n != report.first_wrong]
        if others:
            lines.append(
                "Also a mistake of its own: "
                + ", ".join(
                    n + (f" ({report.quantities[n].hint})" if report.quantities[n].hint else "")
                    for n in others
                )
            )
        return lines
    missing = [n for n, q in report.quantities.items() if q.status == "missing"]
    return ["Missing: " + ", ".join(missing)]


def skipped_lines(run: ScriptRun) -> list[str]:
    """The notebook lines that were not run (magics and shell commands)."""
    return [f"{label}, line {line}: {text.strip()}" for label, line, text in run.skipped]


def report_text(report: CheckReport, run: ScriptRun) -> str:
    """The readable report of ``bpviewer check``."""
    lines = [f"bpviewer check: {run.path}"]
    out = shorten_output(run.stdout)
    if out:
        lines += ["", "The script printed:", *(f"  | {row}" for row in out.splitlines())]
    if run.skipped:
        lines += ["", "Not run (notebook magics and shell commands):"]
        lines += [f"  {row}" for row in skipped_lines(run)]
    if report.notes:
        lines += ["", *report.notes]
    renamed = [
        f"{name} as `{q.found_as}`"
        for name, q in report.quantities.items()
        if name not in report.judged and q.found_as
    ]
    if renamed:
        lines += ["", "Inputs found: " + ", ".join(renamed)]
    lines.append("")
    for name, text, hint in quantity_lines(report):
        lines.append(f"  {name:<22} {text}")
        if hint:
            lines.append(f"  {'':<22} hint: {hint}")
    lines.append("")
    lines += verdict_lines(report)
    return "\n".join(lines)


def report_dict(report: CheckReport, run: ScriptRun | None = None) -> dict[str, Any]:
    """The JSON object of ``bpviewer check --json``."""

    def arr(a):
        return None if a is None else np.asarray(a).tolist()

    out: dict[str, Any] = {
        "ok": report.ok,
        "exercise": report.exercise,
        "first_wrong": report.first_wrong,
        "hint": report.hint or None,
        "mistakes": [
            {"name": n, "hint": report.quantities[n].hint or None} for n in report.mistakes
        ],
        "notes": report.notes,
        "quantities": {
            name: {
                "status": q.status,
                "expected": arr(q.expected),
                "got": arr(q.got),
                **({"follows_from": q.follows_from} if q.follows_from else {}),
                **({"found_as": q.found_as} if q.found_as else {}),
                **({"note": q.note} if q.note else {}),
            }
            for name, q in report.quantities.items()
        },
    }
    if run is not None:
        out["skipped"] = skipped_lines(run)
        out["output_bytes_not_kept"] = run.output_cut
    return out


def report_html(report: CheckReport, run: ScriptRun) -> str:
    """The report as HTML, for a notebook's rich output."""
    e = html.escape
    colour = {"ok": "#1a7f37", "inline": "#1a7f37", "follows": "#9a6700"}
    rows = "".join(
        f"<tr><td><code>{e(name)}</code></td>"
        f"<td style='color:{colour.get(report.quantities[name].status, '#cf222e')}'>"
        f"{e(text)}{('<br><i>hint: ' + e(hint) + '</i>') if hint else ''}</td></tr>"
        for name, text, hint in quantity_lines(report)
    )
    notes = "".join(f"<p>{e(n)}</p>" for n in report.notes)
    skipped = (
        "<p>Not run: " + ", ".join(f"<code>{e(s)}</code>" for s in skipped_lines(run)) + "</p>"
        if run.skipped
        else ""
    )
    verdict = "<br>".join(e(v) for v in verdict_lines(report))
    return (
        f"<div class='bpviewer-check'><b>bpviewer check</b>{notes}{skipped}"
        f"<table>{rows}</table><p><b>{verdict}</b></p></div>"
    )
