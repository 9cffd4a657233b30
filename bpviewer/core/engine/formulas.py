"""Per-unit formulas of a sub-step, symbolically and with the numbers substituted.

:func:`explain` turns a :class:`~bpviewer.core.engine.stepper.StepRecord` into :class:`Formula`
objects.  Each formula carries three texts: ``symbolic`` (``δ = (t − y)·σ′(z)``),
``substituted`` (the same with the numbers at 6 significant digits, ending in the result)
and ``expression``: a Python expression with full-precision numbers that :func:`evaluate`
computes independently of the array code, so tests can check every recorded value against
the formula shown for it.

Every generator takes the display :class:`~bpviewer.core.engine.conventions.Conventions`:
with δ shown as ∂E/∂z, each δ's ``value`` and numbers are the engine's negated, the output
δ's formula is the negated one and ∂E/∂w = a·δ has no minus, so that every expression still
evaluates to the value shown (the engine's numbers never change).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from bpviewer.core.engine.activations import get_activation, scalar_functions
from bpviewer.core.engine.conventions import EXERCISE, Conventions
from bpviewer.core.engine.losses import get_loss
from bpviewer.core.engine.notation import (
    bias_label,
    exact,
    exercise_name,
    fmt,
    shown,
    unit_label,
    weight_label,
)
from bpviewer.core.engine.optimizers import get_rule
from bpviewer.core.engine.stepper import StepRecord


@dataclass(frozen=True)
class Formula:
    """One computed number and how it was computed.

    ``quantity`` names it in z/a/δ notation (``δ(h₁)``); ``vocab`` in the exercise's
    vocabulary when the network has one hidden layer (``hidden_error_term[0]``), else None.
    ``sample`` is the sample's index in the batch, or None for batch-level quantities.
    ``expression`` is '' for a formula elided for display (see :func:`explain`).
    """

    quantity: str
    vocab: str | None
    symbolic: str
    substituted: str
    expression: str
    value: float
    sample: int | None = None

    def text(self) -> str:
        """One line: ``name = symbolic = substituted``."""
        name = f"{self.vocab} = {self.quantity}" if self.vocab else self.quantity
        tail = f"  [sample {self.sample + 1}]" if self.sample is not None else ""
        return f"{name}: {self.symbolic} = {self.substituted}{tail}"


def evaluate(expression: str) -> float:
    """Evaluate a formula's ``expression`` with scalar math only (no arrays)."""
    namespace = {**scalar_functions(), "exp": math.exp, "log": math.log, "sqrt": math.sqrt}
    return float(eval(expression, {"__builtins__": {}}, namespace))


_p, _e = shown, exact


def _vocab(quantity: str, layer: int, n_layers: int, index: str) -> str | None:
    name = exercise_name(quantity, layer, n_layers)
    return f"{name}{index}" if name else None


def explain(
    record: StepRecord,
    limit: int | None = None,
    max_terms: int | None = None,
    conventions: Conventions = EXERCISE,
) -> list[Formula]:
    """The formulas of one sub-step, at most ``limit`` of them (None: all), in the display
    ``conventions``.

    With ``max_terms``, a sum of more terms is written with its first ``max_terms − 1``
    terms, "…" and its last (a 784-input unit's z would be a line of 784 products); such
    a formula is for display only and its ``expression`` is ''."""
    out = []
    for formula in iter_formulas(record, max_terms, conventions):
        if limit is not None and len(out) >= limit:
            break
        out.append(formula)
    return out


def iter_formulas(
    record: StepRecord, max_terms: int | None = None, conventions: Conventions = EXERCISE
) -> Iterator[Formula]:
    """The formulas of one sub-step, made one at a time as they are asked for (a view
    that lays out only what is visible asks for only those)."""
    return _GENERATORS[record.sub_step.kind](record, max_terms, conventions)


def _shown(n: int, max_terms: int | None) -> list[int | None]:
    """The terms of an n-term sum to write out; None stands for the elided middle."""
    if max_terms is None or n <= max_terms:
        return list(range(n))
    return [*range(max(max_terms - 1, 1)), None, n - 1]


def _join(terms) -> str:
    """Terms of a sum joined with +; None (see :func:`_shown`) is written "…"."""
    return " + ".join("…" if t is None else t for t in terms)


def _elided(n: int, max_terms: int | None) -> bool:
    return max_terms is not None and n > max_terms


def _samples(values: np.ndarray) -> range:
    return range(values.shape[0])


def _sample_index(b: int, batch: int) -> int | None:
    return b if batch > 1 else None


def _forward(
    record: StepRecord, max_terms: int | None = None, conventions: Conventions = EXERCISE
) -> Iterator[Formula]:
    v, L, l = record.values, record.n_layers, record.sub_step.layer
    a_prev, w, bias, z, a = v["a_prev"], v["w"], v["b"], v["z"], v["a"]
    act = get_activation(v["activation"])
    batch = z.shape[0]
    for s in _samples(z):
        si = _sample_index(s, batch)
        idx = f"[{s}]" if batch > 1 else ""
        n_in = w.shape[0]
        for j in range(z.shape[1]):
            sym = _join(
                None if i is None else f"{unit_label(l - 1, i, L)}·{weight_label(l, i, j, L)}"
                for i in _shown(n_in, max_terms)
            )
            num = _join(
                None if i is None else f"{_p(a_prev[s, i])}×{_p(w[i, j])}"
                for i in _shown(n_in, max_terms)
            )
            expr = (
                ""
                if _elided(n_in, max_terms)
                else _join(f"{_e(a_prev[s, i])}*{_e(w[i, j])}" for i in range(n_in))
            )
            if bias is not None:
                sym += f" + {bias_label(l, j, L)}"
                num += f" + {_p(bias[j])}"
                expr = expr and f"{expr} + {_e(bias[j])}"
            unit = unit_label(l, j, L)
            yield Formula(
                f"z({unit})",
                _vocab("z", l, L, f"{idx}[{j}]"),
                sym,
                f"{num} = {fmt(z[s, j])}",
                expr,
                float(z[s, j]),
                si,
            )
        if act.name == "softmax":
            row = z[s]
            for j in range(z.shape[1]):
                unit = unit_label(l, j, L)
                denominator = " + ".join(f"exp({_e(zk)})" for zk in row)
                yield Formula(
                    unit,
                    _vocab("a", l, L, f"{idx}[{j}]"),
                    f"softmax(z)[{j + 1}] = exp(z({unit})) / Σₖ exp(zₖ)",
                    f"exp({fmt(row[j])}) / Σ exp(z) = {fmt(a[s, j])}",
                    f"exp({_e(row[j])}) / ({denominator})",
                    float(a[s, j]),
                    si,
                )
            continue
        for j in range(z.shape[1]):
            unit = unit_label(l, j, L)
            yield Formula(
                unit,
                _vocab("a", l, L, f"{idx}[{j}]"),
                f"{act.symbol}(z({unit}))",
                f"{act.symbol}({fmt(z[s, j])}) = {fmt(a[s, j])}",
                f"{act.py_name}({_e(z[s, j])})",
                float(a[s, j]),
                si,
            )


def _loss(
    record: StepRecord, max_terms: int | None = None, conventions: Conventions = EXERCISE
) -> Iterator[Formula]:
    v, L = record.values, record.n_layers
    z, y, t, err = v["z"], v["y"], v["t"], v["error"]
    name, per_sample = v["loss_name"], v["per_sample_loss"]
    batch, k = y.shape
    for s in range(batch):
        si = _sample_index(s, batch)
        idx = f"[{s}]" if batch > 1 else ""
        for j in range(k):
            unit = unit_label(L, j, L)
            yield Formula(
                f"e({unit})",
                _vocab("error", L, L, f"{idx}[{j}]"),
                f"t{unit[1:]} − {unit}",
                f"{_p(t[s, j])} − {_p(y[s, j])} = {fmt(err[s, j])}",
                f"{_e(t[s, j])} - {_e(y[s, j])}",
                float(err[s, j]),
                si,
            )
        sym, num, expr = get_loss(name).formula(t[s], y[s], z[s])
        yield Formula(
            "E" if batch == 1 else f"E[{s + 1}]",
            None,
            sym,
            f"{num} = {fmt(per_sample[s])}",
            expr,
            float(per_sample[s]),
            si,
        )
    if batch > 1:
        yield Formula(
            "E",
            None,
            "(1/B) Σₛ Eₛ",
            f"mean of {batch} sample losses = {fmt(v['loss'])}",
            f"(1/{batch})*(" + " + ".join(_e(e) for e in per_sample) + ")",
            float(v["loss"]),
        )


def _delta_output(
    record: StepRecord, s: int, j: int, derivative: bool = False
) -> tuple[str, str, str]:
    v = record.values
    z, y, t = v["z"][s, j], v["a"][s, j], v["t"][s, j]
    act = get_activation(v["activation"])
    k = v["t"].shape[1]
    return get_loss(v["loss_name"]).delta_formula(
        t, y, z, k, float(v["t"][s].sum()), act, derivative
    )


def _backward(
    record: StepRecord, max_terms: int | None = None, conventions: Conventions = EXERCISE
) -> Iterator[Formula]:
    v, L, l = record.values, record.n_layers, record.sub_step.layer
    z = v["z"]
    delta = conventions.shown_delta(v["delta"])  # (B, n_l), as shown
    act = get_activation(v["activation"])
    batch = delta.shape[0]
    for s in range(batch):
        si = _sample_index(s, batch)
        idx = f"[{s}]" if batch > 1 else ""
        for j in range(delta.shape[1]):
            unit = unit_label(l, j, L)
            if l == L:
                sym, num, expr = _delta_output(record, s, j, conventions.derivative)
            else:
                dn, wn = conventions.shown_delta(v["delta_next"]), v["w_next"]
                n_next = wn.shape[1]
                sym = f"(Σₖ w({unit}→k)·δₖ)·{act.symbol}′(z({unit}))"
                terms = _join(
                    None if k is None else f"{_p(wn[j, k])}×{_p(dn[s, k])}"
                    for k in _shown(n_next, max_terms)
                )
                num = f"({terms}) × {act.symbol}′({fmt(z[s, j])})"
                expr = (
                    ""
                    if _elided(n_next, max_terms)
                    else "("
                    + _join(f"{_e(wn[j, k])}*{_e(dn[s, k])}" for k in range(n_next))
                    + f")*{act.py_name}_prime({_e(z[s, j])})"
                )
            yield Formula(
                f"δ({unit})",
                # the exercise's names are its δ; the negated one is not called by them
                None if conventions.derivative else _vocab("delta", l, L, f"{idx}[{j}]"),
                sym,
                f"{num} = {fmt(delta[s, j])}",
                expr,
                float(delta[s, j]),
                si,
            )
    yield from _gradients(record, max_terms, conventions)


def _mean_expr(terms: list[str], batch: int, minus: str = "-") -> str:
    joined = " + ".join(terms)
    return f"{minus}({joined})" if batch == 1 else f"{minus}(1/{batch})*({joined})"


def _gradients(
    record: StepRecord, max_terms: int | None = None, conventions: Conventions = EXERCISE
) -> Iterator[Formula]:
    v, L, l = record.values, record.n_layers, record.sub_step.layer
    a_prev, grad_w, dw, w = v["a_prev"], v["grad_w"], v["delta_w"], v["w"]
    delta = conventions.shown_delta(v["delta"])  # (B, n_l), as shown
    minus = conventions.gradient_sign  # "−" before a·δ, or "" with δ = ∂E/∂z
    ascii_minus = "-" if minus else ""
    batch = delta.shape[0]
    mean = "" if batch == 1 else "(1/B) Σₛ "
    for i in range(grad_w.shape[0]):
        for j in range(grad_w.shape[1]):
            src, dst = unit_label(l - 1, i, L), unit_label(l, j, L)
            wl = weight_label(l, i, j, L)
            nums = _join(
                None if s is None else f"{_p(a_prev[s, i])}×{_p(delta[s, j])}"
                for s in _shown(batch, max_terms)
            )
            expr = (
                ""
                if _elided(batch, max_terms)
                else _mean_expr(
                    [f"{_e(a_prev[s, i])}*{_e(delta[s, j])}" for s in range(batch)],
                    batch,
                    ascii_minus,
                )
            )
            yield Formula(
                f"∂E/∂{wl}",
                None,
                f"{minus}{mean}{src}·δ({dst})",
                f"{minus}{nums if batch == 1 else f'(1/{batch})×({nums})'} = {fmt(grad_w[i, j])}",
                expr,
                float(grad_w[i, j]),
            )
            yield _step_formula(
                record,
                "w",
                f"Δ{wl}",
                _vocab("delta_w", l, L, f"[{i}][{j}]"),
                (i, j),
                float(grad_w[i, j]),
                float(w[i, j]),
                float(dw[i, j]),
            )
    if v["grad_b"] is not None:
        grad_b, db, b = v["grad_b"], v["delta_b"], v["b"]
        for j in range(grad_b.shape[0]):
            bl = bias_label(l, j, L)
            nums = _join(None if s is None else _p(delta[s, j]) for s in _shown(batch, max_terms))
            expr = (
                ""
                if _elided(batch, max_terms)
                else _mean_expr([_e(delta[s, j]) for s in range(batch)], batch, ascii_minus)
            )
            yield Formula(
                f"∂E/∂{bl}",
                None,
                f"{minus}{mean}δ({unit_label(l, j, L)})",
                f"{minus}{nums if batch == 1 else f'(1/{batch})×({nums})'} = {fmt(grad_b[j])}",
                expr,
                float(grad_b[j]),
            )
            if v["frozen_b"]:
                yield Formula(
                    f"Δ{bl}",
                    None,
                    "0 (biases fixed: update_biases is off)",
                    "0",
                    "0.0",
                    float(db[j]),
                )
            else:
                yield _step_formula(
                    record, "b", f"Δ{bl}", None, (j,), float(grad_b[j]), float(b[j]), float(db[j])
                )


def _step_formula(
    record: StepRecord,
    kind: str,
    quantity: str,
    vocab: str | None,
    index: tuple[int, ...],
    g: float,
    w: float,
    delta: float,
) -> Formula:
    """The optimiser's step for one parameter (gradient g, value w) as a formula."""
    v = record.values
    settings = v["settings"]
    lam = settings.weight_decay
    if kind == "w" and lam:
        g_sym = "(∂E/∂w + λw)"
        g_num = f"({_p(g)} + {_p(lam)}×{_p(w)})"
        g_exp = f"({_e(g)} + {_e(lam)}*{_e(w)})"
    else:
        g_sym, g_num, g_exp = "∂E/∂w", _p(g), _e(g)
    rule = get_rule(settings.name)
    old = tuple(float(slot[index]) for slot in v[f"old_slot_{kind}"])
    new = tuple(float(slot[index]) for slot in v[f"new_slot_{kind}"])
    sym, num, expr = rule.formula(settings, (g_sym, g_num, g_exp), old, new, v["t_step"], delta)
    return Formula(quantity, vocab, sym, num, expr, delta)


def _update(
    record: StepRecord, max_terms: int | None = None, conventions: Conventions = EXERCISE
) -> Iterator[Formula]:
    v, L = record.values, record.n_layers
    for l in range(1, L + 1):
        before, dw, after = v["w_before"][l - 1], v["delta_w"][l - 1], v["w_after"][l - 1]
        for (i, j), w0 in np.ndenumerate(before):
            wl = weight_label(l, i, j, L)
            yield Formula(
                wl,
                None,
                f"{wl} + Δ{wl}",
                f"{_p(w0)} + {_p(dw[i, j])} = {fmt(after[i, j])}",
                f"{_e(w0)} + {_e(dw[i, j])}",
                float(after[i, j]),
            )
        if v["b_before"][l - 1] is not None:
            b0, db, b1 = v["b_before"][l - 1], v["delta_b"][l - 1], v["b_after"][l - 1]
            for j in range(b0.shape[0]):
                bl = bias_label(l, j, L)
                yield Formula(
                    bl,
                    None,
                    f"{bl} + Δ{bl}",
                    f"{_p(b0[j])} + {_p(db[j])} = {fmt(b1[j])}",
                    f"{_e(b0[j])} + {_e(db[j])}",
                    float(b1[j]),
                )


_GENERATORS = {"forward": _forward, "loss": _loss, "backward": _backward, "update": _update}
