"""Check a learner's backprop script: find the first wrong number, and say why.

The script (in the exercise's vocabulary, see ``shared/reference/seed-exercise.md``) runs in
a separate process (:mod:`bpviewer.core.checker.check_runner`); each name's *first* value is
recorded.  Every quantity is then computed twice:

- **expected**: by the engine, from the script's inputs and starting weights;
- **own**: by the formula, from the script's *own* earlier values.

A quantity equal to expected is ``ok``.  One that is wrong but equals its own recomputation
while an input was wrong ``follows`` from that input; one that is wrong even given its own
inputs is a mistake of its own (``wrong``) and gets a hint when a known mistake reproduces
it.  So two independent mistakes are both named.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bpviewer.core.engine.activations import QUIET
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.optimizers import OptimizerSettings
from bpviewer.core.engine.stepper import StepMachine
from bpviewer.core.errors import BpviewerError

INPUTS = ("x", "target", "learnrate", "weights_input_hidden", "weights_hidden_output")
OPTIONAL = ("bias_hidden", "bias_output")
QUANTITIES = (
    "hidden_layer_input",
    "hidden_layer_output",
    "output_layer_in",
    "output",
    "error",
    "output_error_term",
    "hidden_error_term",
    "delta_w_h_o",
    "delta_w_i_h",
)
#: What each quantity is computed from, in the exercise's formulas.
DEPENDS = {
    "hidden_layer_input": ("x", "weights_input_hidden", "bias_hidden"),
    "hidden_layer_output": ("hidden_layer_input",),
    "output_layer_in": ("hidden_layer_output", "weights_hidden_output", "bias_output"),
    "output": ("output_layer_in",),
    "error": ("target", "output"),
    "output_error_term": ("error", "output_layer_in"),
    "hidden_error_term": ("output_error_term", "weights_hidden_output", "hidden_layer_input"),
    "delta_w_h_o": ("learnrate", "output_error_term", "hidden_layer_output"),
    "delta_w_i_h": ("learnrate", "hidden_error_term", "x"),
}
GRADER_LINE = "Nice job!  That's right!"
RTOL, ATOL = 1e-6, 1e-9
MAX_OUTPUT_LINES = 12


class ScriptError(BpviewerError):
    """The script could not be run to the end (exit code 2)."""


@dataclass
class ScriptRun:
    """What a script left: first values (arrays) or type names, its output and its fate."""

    path: Path
    values: dict[str, np.ndarray | str]
    stdout: str
    error: dict[str, Any] | None
    exit: dict[str, Any] | None


def run_script(path: str | Path, timeout: float = 10.0) -> ScriptRun:
    """Run ``path`` in a separate Python process, at most ``timeout`` seconds."""
    script = Path(path)
    if not script.is_file():
        raise ScriptError(f"{script}: no such file")
    runner = Path(__file__).with_name("check_runner.py")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        try:
            proc = subprocess.run(
                [
                    sys.executable,
                    str(runner),
                    str(script.resolve()),
                    str(out),
                    ",".join(INPUTS + OPTIONAL + QUANTITIES),
                ],
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=script.resolve().parent,
            )
        except subprocess.TimeoutExpired:
            raise ScriptError(
                f"{script}: still running after {timeout:g} s (an endless loop?); stopped"
            ) from None
        if not out.exists():
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise ScriptError(f"{script}: the script's process died ({tail})")
        raw = json.loads(out.read_text())
    values: dict[str, np.ndarray | str] = {}
    for name, v in raw["values"].items():
        values[name] = (
            np.array(v["data"], dtype=np.float64).reshape(v["shape"])
            if v["type"] == "array"
            else v["type"]
        )
    run = ScriptRun(script, values, proc.stdout, raw["error"], raw["exit"])
    if run.error:
        e = run.error
        where = f"line {e['line']}: " if e.get("line") else ""
        raise ScriptError(f"{script}: {where}{e['type']}: {e['message']}")
    if run.exit and not any(n in values for n in INPUTS + QUANTITIES):
        where = f" at line {run.exit['line']}" if run.exit.get("line") else ""
        raise ScriptError(
            f"{script}: the script called sys.exit({run.exit['code']}){where} "
            "before defining anything"
        )
    return run


def shorten_output(text: str, lines: int = MAX_OUTPUT_LINES) -> str:
    """The script's printed output, cut to ``lines`` lines (that is not an error)."""
    rows = text.rstrip("\n").splitlines()
    if len(rows) <= lines:
        return "\n".join(rows)
    half = lines // 2
    return "\n".join([*rows[:half], f"… ({len(rows) - 2 * half} more lines) …", *rows[-half:]])


@dataclass
class Quantity:
    """The verdict on one name."""

    name: str
    status: str  # ok, wrong, follows, missing
    expected: np.ndarray | None
    got: np.ndarray | None
    hint: str = ""
    note: str = ""
    follows_from: str = ""


@dataclass
class CheckReport:
    """Every name's verdict, the first wrong one and the independent mistakes."""

    quantities: dict[str, Quantity]
    first_wrong: str | None
    mistakes: list[str] = field(default_factory=list)
    network: Network | None = None
    inputs: np.ndarray | None = None
    targets: np.ndarray | None = None
    learnrate: float | None = None

    @property
    def ok(self) -> bool:
        """Whether every quantity is right."""
        return all(q.status == "ok" for q in self.quantities.values())

    @property
    def hint(self) -> str:
        """The hint of the first wrong quantity."""
        return self.quantities[self.first_wrong].hint if self.first_wrong else ""


def _sig(z):
    with np.errstate(**QUIET):
        return 1.0 / (1.0 + np.exp(-z))


def _sig_prime(z):
    s = _sig(z)
    return s * (1.0 - s)


def _vec(a: np.ndarray | None) -> np.ndarray | None:
    """A per-unit quantity as a flat vector: (n,), (1, n) and scalars are the same."""
    return None if a is None else np.asarray(a, dtype=np.float64).reshape(-1)


def _same(got: np.ndarray | None, expected: np.ndarray | None, matrix: bool) -> bool:
    """Equal within tolerance, judging shapes as the exercise writes them."""
    if got is None or expected is None:
        return False
    if got.size != expected.size:
        return False
    if matrix and got.size > 1 and got.shape != expected.shape:
        return False
    return bool(np.allclose(got.reshape(expected.shape), expected, rtol=RTOL, atol=ATOL))


def _fmt_array(a: np.ndarray | None) -> str:
    if a is None:
        return "—"
    if a.size == 1:
        return f"{float(a.reshape(-1)[0]):.9g}"
    return np.array2string(a, precision=9, separator=", ", max_line_width=10_000).replace("\n", "")


def _shape(a: np.ndarray | None) -> str:
    return "—" if a is None else str(tuple(a.shape))


def check_run(run: ScriptRun) -> CheckReport:
    """Judge a script's values (see the module docstring)."""
    raw = run.values
    got: dict[str, np.ndarray | None] = {}
    notes: dict[str, str] = {}
    for name in INPUTS + OPTIONAL + QUANTITIES:
        v = raw.get(name)
        if isinstance(v, str):
            notes[name] = f"is a {v}, not a number or an array"
            v = None
        got[name] = v
    for name in INPUTS:
        if got[name] is None:
            why = notes.get(name, "is not defined")
            raise ScriptError(f"{run.path}: the input {name} {why}; it is needed to check anything")
    x = _vec(got["x"])
    t = _vec(got["target"])
    lr = float(_vec(got["learnrate"])[0])
    w_ih = got["weights_input_hidden"]
    w_ho_script = got["weights_hidden_output"]
    w_ho = w_ho_script.reshape(-1, 1) if w_ho_script.ndim < 2 else w_ho_script
    if w_ih.ndim != 2 or w_ih.shape[0] != x.size:
        raise ScriptError(
            f"{run.path}: weights_input_hidden has shape {w_ih.shape}; with "
            f"{x.size} inputs it must be ({x.size}, hidden units)"
        )
    m, k = w_ih.shape[1], w_ho.shape[1]
    if w_ho.shape[0] != m or t.size != k:
        raise ScriptError(
            f"{run.path}: weights_hidden_output has shape {w_ho_script.shape} "
            f"and target {t.size} values; they must fit {m} hidden units"
        )
    b_h = _vec(got["bias_hidden"])
    b_o = _vec(got["bias_output"])
    net = Network(
        (x.size, m, k),
        ("sigmoid", "sigmoid"),
        [w_ih, w_ho],
        [b_h, b_o] if b_h is not None or b_o is not None else [None, None],
    )
    machine = StepMachine(
        net.copy(), "half_sse", OptimizerSettings(learning_rate=lr), x[None, :], t[None, :]
    )
    machine.run_iteration()
    r = machine.results
    w_shape_ho = w_ho_script.shape if w_ho_script.size > 1 else w_ho.shape
    expected = {
        "hidden_layer_input": r["z1"][0],
        "hidden_layer_output": r["a1"][0],
        "output_layer_in": r["z2"][0],
        "output": r["a2"][0],
        "error": r["error"][0],
        "output_error_term": r["delta2"][0],
        "hidden_error_term": r["delta1"][0],
        "delta_w_h_o": r["delta_w2"].reshape(w_shape_ho),
        "delta_w_i_h": r["delta_w1"],
    }
    own = _own_recomputations(got, x, t, lr, w_ih, w_ho, w_shape_ho, b_h, b_o)
    hints = _hint_variants(got, x, t, lr, w_ih, w_ho, w_shape_ho, expected)

    quantities: dict[str, Quantity] = {}
    for name in INPUTS + tuple(n for n in OPTIONAL if got[n] is not None):
        quantities[name] = Quantity(name, "ok", got[name], got[name])
    first_wrong, mistakes = None, []
    for name in QUANTITIES:
        matrix = name.startswith("delta_w")
        g = got[name]
        exp = expected[name]
        if g is None:
            quantities[name] = Quantity(
                name, "missing", exp, None, note=notes.get(name, "not defined")
            )
            continue
        value = g if matrix else _vec(g)
        if _same(value, exp, matrix):
            quantities[name] = Quantity(name, "ok", exp, g)
            continue
        deps = [d for d in DEPENDS[name] if d in quantities or got.get(d) is not None]
        bad_inputs = [d for d in deps if d in quantities and quantities[d].status != "ok"]
        own_value = own.get(name)
        if bad_inputs and own_value is not None and _same(value, own_value, matrix):
            source = next((quantities[d].follows_from or d for d in bad_inputs), bad_inputs[0])
            quantities[name] = Quantity(name, "follows", exp, g, follows_from=source)
        elif bad_inputs and own_value is None:
            quantities[name] = Quantity(name, "follows", exp, g, follows_from=bad_inputs[0])
        else:
            hint = _pick_hint(name, value, hints, exp, matrix)
            quantities[name] = Quantity(name, "wrong", exp, g, hint=hint)
            mistakes.append(name)
        if first_wrong is None:
            first_wrong = name
    return CheckReport(quantities, first_wrong, mistakes, net, x[None, :], t[None, :], lr)


def _own_recomputations(got, x, t, lr, w_ih, w_ho, w_shape_ho, b_h, b_o) -> dict[str, Any]:
    """Each quantity by its formula from the script's own earlier values (None if one is
    missing)."""
    g = {k: (None if v is None else v) for k, v in got.items()}
    out: dict[str, Any] = {}

    def put(name: str, fn: Callable[[], np.ndarray]) -> None:
        try:
            with np.errstate(all="ignore"):
                out[name] = np.asarray(fn(), dtype=np.float64)
        except (TypeError, ValueError):
            out[name] = None

    v = {k: (None if a is None else _vec(a)) for k, a in g.items()}
    put("hidden_layer_input", lambda: x @ w_ih + (0 if b_h is None else b_h))
    if v["hidden_layer_input"] is not None:
        put("hidden_layer_output", lambda: _sig(v["hidden_layer_input"]))
    if v["hidden_layer_output"] is not None:
        put(
            "output_layer_in", lambda: v["hidden_layer_output"] @ w_ho + (0 if b_o is None else b_o)
        )
    if v["output_layer_in"] is not None:
        put("output", lambda: _sig(v["output_layer_in"]))
    if v["output"] is not None:
        put("error", lambda: t - v["output"])
    if v["error"] is not None and v["output_layer_in"] is not None:
        put("output_error_term", lambda: v["error"] * _sig_prime(v["output_layer_in"]))
    if v["output_error_term"] is not None and v["hidden_layer_input"] is not None:
        put(
            "hidden_error_term",
            lambda: (w_ho @ v["output_error_term"]) * _sig_prime(v["hidden_layer_input"]),
        )
    if v["output_error_term"] is not None and v["hidden_layer_output"] is not None:
        put(
            "delta_w_h_o",
            lambda: (lr * np.outer(v["hidden_layer_output"], v["output_error_term"])).reshape(
                w_shape_ho
            ),
        )
    if v["hidden_error_term"] is not None:
        put("delta_w_i_h", lambda: lr * np.outer(x, v["hidden_error_term"]))
    return out


def _hint_variants(got, x, t, lr, w_ih, w_ho, w_shape_ho, expected) -> dict[str, list]:
    """Known mistakes, each as (description, value it would give) from the script's inputs."""
    v = {k: (None if a is None else _vec(a)) for k, a in got.items()}

    def own(name: str) -> np.ndarray:
        """The script's value of ``name``, or the expected one where it has none."""
        return v[name] if v[name] is not None else expected[name]

    hli, hlo = own("hidden_layer_input"), own("hidden_layer_output")
    oli, out, err = own("output_layer_in"), own("output"), own("error")
    oet, het = own("output_error_term"), own("hidden_error_term")
    dho = got["delta_w_h_o"] if got["delta_w_h_o"] is not None else expected["delta_w_h_o"]
    outer_ho = np.outer(hlo, oet).reshape(w_shape_ho)
    outer_ih = np.outer(x, het)
    with np.errstate(all="ignore"):
        variants = {
            "hidden_layer_output": [
                (
                    "the activation is missing: hidden_layer_output = sigmoid(hidden_layer_input)",
                    hli,
                ),
            ],
            "output": [("the activation is missing: output = sigmoid(output_layer_in)", oli)],
            "error": [("wrong sign: the error is target − output, not output − target", out - t)],
            "output_error_term": [
                (
                    "σ′ is taken of the output instead of the net input: use "
                    "sigmoid_prime(output_layer_in) (or output · (1 − output))",
                    err * _sig_prime(out),
                ),
                ("σ′ is missing: output_error_term = error · σ′(output_layer_in)", err),
                (
                    "wrong sign: the error term is (target − output) · σ′(output_layer_in)",
                    -err * _sig_prime(oli),
                ),
                ("σ′ is applied twice", err * _sig_prime(oli) ** 2),
            ],
            "hidden_error_term": [
                (
                    "σ′ is taken of the hidden output instead of the hidden net input: use "
                    "sigmoid_prime(hidden_layer_input)",
                    (w_ho @ oet) * _sig_prime(hlo),
                ),
                (
                    "σ′ is missing: hidden_error_term = (W_ho · output_error_term) · "
                    "σ′(hidden_layer_input)",
                    w_ho @ oet,
                ),
                (
                    "the hidden error term is computed with already-updated weights: use "
                    "weights_hidden_output as it was before the update",
                    ((w_ho + np.reshape(dho, w_ho.shape)) @ oet) * _sig_prime(hli)
                    if np.size(dho) == w_ho.size
                    else None,
                ),
                ("wrong sign", -(w_ho @ oet) * _sig_prime(hli)),
                ("σ′ is applied twice", (w_ho @ oet) * _sig_prime(hli) ** 2),
            ],
            "delta_w_h_o": [
                (
                    "the learning rate is missing: delta_w_h_o = learnrate · output_error_term · "
                    "hidden_layer_output",
                    outer_ho,
                ),
                ("the learning rate is applied twice", lr * lr * outer_ho),
                (
                    "wrong sign: with error = target − output the update is +learnrate · …",
                    -lr * outer_ho,
                ),
            ],
            "delta_w_i_h": [
                (
                    "the learning rate is missing: delta_w_i_h = learnrate · hidden_error_term · "
                    "x[:, None]",
                    outer_ih,
                ),
                ("the learning rate is applied twice", lr * lr * outer_ih),
                ("wrong sign", -lr * outer_ih),
                (
                    "x is not made a column: use x[:, None] so the product has the shape of "
                    "weights_input_hidden",
                    lr * het * x if het.size == x.size else None,
                ),
            ],
        }
    return variants


def _pick_hint(
    name: str, value: np.ndarray, variants: dict[str, list], expected: np.ndarray, matrix: bool
) -> str:
    for text, candidate in variants.get(name, []):
        if candidate is None:
            continue
        cand = np.asarray(candidate, dtype=np.float64)
        same_values = value.size == cand.size and np.allclose(
            value.reshape(-1), cand.reshape(-1), rtol=RTOL, atol=ATOL
        )
        if same_values and (not matrix or value.shape == cand.shape or value.size == 1):
            return text
    if matrix and value.size == expected.size and value.shape != expected.shape:
        if value.shape == expected.T.shape and np.allclose(value, expected.T, rtol=RTOL, atol=ATOL):
            return (
                f"transposed: the shape is {value.shape}, the weights it updates are "
                f"{expected.shape} (row = from-unit)"
            )
        return (
            f"wrong shape {value.shape}: it must be {expected.shape}, like the weights it updates"
        )
    if value.size != expected.size:
        return (
            f"wrong shape {value.shape}: expected {expected.shape} (a wrongly broadcast product?)"
        )
    if np.allclose(value.reshape(-1), -expected.reshape(-1), rtol=RTOL, atol=ATOL):
        return "wrong sign"
    return ""


# ---------------------------------------------------------------------------- reports
def check_script(path: str | Path, timeout: float = 10.0) -> tuple[ScriptRun, CheckReport]:
    """Run and judge a script (raises :class:`ScriptError` when it cannot run)."""
    run = run_script(path, timeout)
    return run, check_run(run)


def report_dict(report: CheckReport) -> dict[str, Any]:
    """The JSON object of ``bpviewer check --json``."""

    def arr(a):
        return None if a is None else np.asarray(a).tolist()

    return {
        "ok": report.ok,
        "first_wrong": report.first_wrong,
        "hint": report.hint or None,
        "mistakes": [
            {"name": n, "hint": report.quantities[n].hint or None} for n in report.mistakes
        ],
        "quantities": {
            name: {
                "status": q.status,
                "expected": arr(q.expected),
                "got": arr(q.got),
                **({"follows_from": q.follows_from} if q.follows_from else {}),
                **({"note": q.note} if q.note else {}),
            }
            for name, q in report.quantities.items()
        },
    }


def report_text(report: CheckReport, run: ScriptRun) -> str:
    """The readable report of ``bpviewer check``."""
    lines = [f"bpviewer check: {run.path}"]
    out = shorten_output(run.stdout)
    if out:
        lines += ["", "The script printed:", *(f"  | {row}" for row in out.splitlines())]
    lines.append("")
    for name in QUANTITIES:
        q = report.quantities[name]
        if q.status == "ok":
            lines.append(f"  {name:<22} ok")
        elif q.status == "missing":
            lines.append(f"  {name:<22} MISSING ({q.note})")
        elif q.status == "follows":
            lines.append(
                f"  {name:<22} follows from {q.follows_from} (right for the values it was given)"
            )
        else:
            lines.append(
                f"  {name:<22} WRONG: expected {_fmt_array(q.expected)} "
                f"(shape {_shape(q.expected)}), got {_fmt_array(q.got)} "
                f"(shape {_shape(q.got)})"
            )
            if q.hint:
                lines.append(f"  {'':<22} hint: {q.hint}")
    lines.append("")
    if report.ok:
        lines.append(GRADER_LINE)
    elif report.first_wrong:
        q = report.quantities[report.first_wrong]
        deps = ", ".join(d for d in DEPENDS.get(report.first_wrong, ()) if d in report.quantities)
        lines.append(f"First wrong: {report.first_wrong} (computed from {deps})")
        if q.hint:
            lines.append(f"Likely mistake: {q.hint}")
        others = [n for n in report.mistakes if n != report.first_wrong]
        if others:
            lines.append(
                "Also a mistake of its own: "
                + ", ".join(
                    f"{n}"
                    + (f" ({report.quantities[n].hint})" if report.quantities[n].hint else "")
                    for n in others
                )
            )
    else:
        missing = [n for n, q in report.quantities.items() if q.status == "missing"]
        lines.append("Missing: " + ", ".join(missing))
    return "\n".join(lines)
