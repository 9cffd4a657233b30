"""Exports of what the step machine computed: Markdown with LaTeX math (a worked example a
teacher can hand out), CSV and JSON of every named value."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from bpviewer.core.engine.activations import ACTIVATIONS
from bpviewer.core.engine.conventions import EXERCISE, Conventions
from bpviewer.core.engine.formulas import Formula, explain
from bpviewer.core.engine.stepper import StepMachine, StepRecord

_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₛ", "0123456789ijks", strict=True))
_SUP = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾ᵗ²", "0123456789()t2", strict=True))
_WORDS = [
    ("σ′", r"\sigma'"),
    ("′", "'"),
    ("σ", r"\sigma "),
    ("δ", r"\delta "),
    ("η", r"\eta "),
    ("Σ", r"\sum "),
    ("Δ", r"\Delta "),
    ("∂", r"\partial "),
    ("λ", r"\lambda "),
    ("μ", r"\mu "),
    ("β", r"\beta "),
    ("ε", r"\epsilon "),
    ("√", r"\sqrt"),
    ("½", r"\tfrac{1}{2}"),
    ("m̂", r"\hat{m}"),
    ("v̂", r"\hat{v}"),
    ("·", r" \cdot "),
    ("×", r" \times "),
    ("−", "-"),
    ("→", r" \to "),
    ("log", r"\log "),
    ("exp", r"\exp "),
]


def to_latex(text: str) -> str:
    """A formula's Unicode text as LaTeX math (without the surrounding ``$``)."""
    out = re.sub(
        "[₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₛ]+", lambda m: "_{" + "".join(_SUB[c] for c in m.group()) + "}", text
    )
    out = re.sub(
        "[⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾ᵗ²]+", lambda m: "^{" + "".join(_SUP[c] for c in m.group()) + "}", out
    )
    for word, latex in _WORDS:
        out = out.replace(word, latex)
    # activation symbols, as their registry entries write them, where they are applied
    for act in sorted(ACTIVATIONS.values(), key=lambda a: -len(a.symbol)):
        pattern = r"(?<![A-Za-z\\{])" + re.escape(act.symbol) + r"(?=[('])"
        out = re.sub(pattern, lambda _, latex=act.latex: latex, out)
    return re.sub(r"e([+-]\d+)", r"\\times 10^{\1}", out) if "e-" in out or "e+" in out else out


def trace_terms(records: Iterable[StepRecord]) -> int:
    """About how many terms the formulas of ``records`` write out in full: batch × weights
    for each layer's Forward or Backward (a 784-128-10 Forward on 16 samples: ~1.6 million
    terms, ~110 MB of Markdown)."""
    total = 0
    for record in records:
        v = record.values
        w, a_prev = v.get("w"), v.get("a_prev")
        if isinstance(w, np.ndarray) and isinstance(a_prev, np.ndarray):
            total += a_prev.shape[0] * w.size
        else:
            total += 1
    return total


def markdown(
    records: Iterable[StepRecord],
    title: str = "",
    limit: int | None = None,
    max_terms: int | None = None,
    conventions: Conventions = EXERCISE,
) -> str:
    """The formulas of ``records`` as Markdown with ``$…$`` math, one section per sub-step
    (with ``max_terms``, longer sums are shortened as in :func:`explain`), δ in the sign
    of ``conventions`` (said under the title)."""
    lines = [
        f"# {title or 'Backpropagation, step by step'}",
        "",
        f"Error terms: ${to_latex(conventions.delta_definition)}$ ({conventions.delta_source}).",
        "",
    ]
    for record in records:
        lines.append(f"## {record.sub_step.describe(record.n_layers).capitalize()}")
        lines.append("")
        for f in explain(record, limit, max_terms, conventions):
            name = f"`{f.vocab}` " if f.vocab else ""
            sample = f" (sample {f.sample + 1})" if f.sample is not None else ""
            lines.append(
                f"- {name}${to_latex(f.quantity)} = {to_latex(f.symbolic)} = "
                f"{to_latex(f.substituted)}${sample}"
            )
        lines.append("")
    return "\n".join(lines)


def formula_lines(formulas: Iterable[Formula]) -> str:
    """Plain text, one formula a line (for the clipboard)."""
    return "\n".join(f.text() for f in formulas)


def named_values(machine: StepMachine) -> dict[str, Any]:
    """Every result of the machine by name, as nested lists (None where absent)."""
    out: dict[str, Any] = {}
    for key, value in machine.results.items():
        if value is None:
            out[key] = None
        elif isinstance(value, np.ndarray):
            out[key] = value.tolist()
        else:
            out[key] = float(value)
    return out


def values_json(machine: StepMachine) -> str:
    """:func:`named_values` with whether each is fresh, as JSON text."""
    return (
        json.dumps(
            {"values": named_values(machine), "fresh": sorted(machine.fresh)},
            indent=2,
            allow_nan=True,
        )
        + "\n"
    )


def values_csv(machine: StepMachine) -> str:
    """One row per number: name, sample, unit/row, column, value, fresh."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "row", "column", "value", "fresh"])
    for key, value in machine.results.items():
        if value is None:
            continue
        arr = np.atleast_2d(np.asarray(value, dtype=np.float64))
        for (i, j), v in np.ndenumerate(arr):
            writer.writerow([key, i, j, repr(float(v)), key in machine.fresh])
    return buffer.getvalue()
