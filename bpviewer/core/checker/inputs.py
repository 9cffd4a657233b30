"""Which values in a script's timeline are the exercise's inputs (x, target, η, weights).

Each input's candidates are the values its names (in any edition, see
:mod:`~bpviewer.core.checker.vocabulary`) held; an input no name gives is looked for among
values of the right shape.  Of the combinations whose shapes fit, the one whose quantities
appear most often in the timeline wins (the earliest on a tie), so a file holding several
exercises that reuse ``x`` or ``learnrate`` is judged on the backprop step's own inputs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bpviewer.core.checker.formulas import quick_step
from bpviewer.core.checker.script_run import ScriptError
from bpviewer.core.checker.timeline import Event, Timeline, close
from bpviewer.core.checker.vocabulary import INPUTS, OPTIONAL, QUANTITIES, alias_rank, is_alias

MAX_PER_INPUT = 6
MAX_COMBINATIONS = 4000


@dataclass
class Inputs:
    """The step's inputs: x (n,), target (k,), learnrate, W_ih (n, m), W_ho (m, k) and the
    events that gave them (``w_ho_script`` is W_ho as the script shaped it)."""

    x: np.ndarray
    target: np.ndarray
    learnrate: float
    w_ih: np.ndarray
    w_ho: np.ndarray
    w_ho_script: np.ndarray
    b_h: np.ndarray | None
    b_o: np.ndarray | None
    events: dict[str, Event] = field(default_factory=dict)
    score: int = 0

    @property
    def start(self) -> int:
        """The seq at which every input had its value."""
        return max(e.seq for e in self.events.values())

    @property
    def w_shape_ho(self) -> tuple[int, ...]:
        """The shape the script's ΔW_ho should have (that of its W_ho, or (m, 1))."""
        return self.w_ho_script.shape if self.w_ho_script.size > 1 else self.w_ho.shape


def _distinct(events: list[Event]) -> list[Event]:
    out: list[Event] = []
    for e in events:
        if e.numeric and not any(
            o.value.shape == e.value.shape and close(o.value, e.value) for o in out
        ):
            out.append(e)
        if len(out) >= MAX_PER_INPUT:
            break
    return out


def _candidates(tl: Timeline, name: str) -> tuple[list[Event], bool]:
    """(events, by_name): the values the input's names held, else values of a fitting kind."""
    named = sorted(
        (e for n in tl.names() if is_alias(n, name) for e in tl.named(n)), key=lambda e: e.seq
    )
    if named:
        return _distinct(named), True
    numeric = [e for e in tl.events if e.numeric]
    if name == "learnrate":
        kind = [e for e in numeric if e.value.size == 1 and 0 < float(e.value.flat[0]) <= 10]
    elif name == "weights_input_hidden":
        kind = [e for e in numeric if e.value.ndim == 2 and e.value.size > 1]
    elif name == "x":
        kind = [e for e in numeric if e.value.ndim >= 1 and 1 < e.value.size <= 1000]
    else:
        kind = [e for e in numeric if e.value.size >= 1]
    return _distinct(kind)[:MAX_PER_INPUT], False


def _fits(x, t, w_ih, w_ho) -> tuple[np.ndarray, np.ndarray] | None:
    """(x flat, W_ho as (m, k)) when the shapes make a network, else None."""
    xv = x.reshape(-1)
    if w_ih.ndim != 2 or w_ih.shape[0] != xv.size:
        return None
    w2 = w_ho.reshape(-1, 1) if w_ho.ndim < 2 else w_ho
    if w2.ndim != 2 or w2.shape[0] != w_ih.shape[1] or t.size != w2.shape[1]:
        return None
    return xv, w2


def _score(tl: Timeline, values: dict[str, np.ndarray], after: int) -> int:
    return sum(1 for q in QUANTITIES if tl.with_value(values[q], after)[:1])


def find_inputs(tl: Timeline, path: Path) -> Inputs:
    """The best-fitting inputs (raises :class:`ScriptError` when none fit)."""
    cands: dict[str, list[Event]] = {}
    for name in INPUTS:
        events, _ = _candidates(tl, name)
        if not events:
            raise ScriptError(
                f"{path}: the input {name} is not defined (under any name the course uses, "
                "nor as a value that fits); it is needed to check anything"
            )
        cands[name] = events
    best: Inputs | None = None
    best_rank = 0
    tried = 0
    for ex, ew1 in itertools.product(cands["x"], cands["weights_input_hidden"]):
        for ew2, et, elr in itertools.product(
            cands["weights_hidden_output"], cands["target"], cands["learnrate"]
        ):
            tried += 1
            if tried > MAX_COMBINATIONS:
                break
            fit = _fits(ex.value, et.value, ew1.value, ew2.value)
            variables = {(e.frame, e.name) for e in (ex, ew1, ew2, et, elr)}
            if fit is None or elr.value.size != 1 or len(variables) < 5:
                continue  # shapes that make no network, or one variable as two inputs
            xv, w2 = fit
            t, lr = et.value.reshape(-1), float(elr.value.flat[0])
            events = {"x": ex, "target": et, "learnrate": elr}
            events.update(weights_input_hidden=ew1, weights_hidden_output=ew2)
            b_h, b_o = _biases(tl, ew1.value.shape[1], w2.shape[1], events)
            start = max(e.seq for e in events.values())
            score = _score(tl, quick_step(xv, t, lr, ew1.value, w2, b_h, b_o), start)
            rank = -sum(alias_rank(e.name, n) for n, e in events.items())
            if best is None or (score, rank) > (best.score, best_rank):
                best = Inputs(xv, t, lr, ew1.value, w2, ew2.value, b_h, b_o, events, score)
                best_rank = rank
    if best is None:
        w_ih = cands["weights_input_hidden"][-1].value
        w_ho = cands["weights_hidden_output"][-1].value
        x = cands["x"][-1].value
        raise ScriptError(
            f"{path}: no x, weights_input_hidden, weights_hidden_output and target fit "
            f"together (last seen: x {x.shape}, weights_input_hidden {w_ih.shape}, "
            f"weights_hidden_output {w_ho.shape}); W_ih must be (inputs, hidden units)"
        )
    return best


def _biases(tl, m, k, events) -> tuple[np.ndarray | None, np.ndarray | None]:
    out: list[np.ndarray | None] = []
    for name, size in zip(OPTIONAL, (m, k), strict=True):
        found = None
        for n in tl.names():
            if is_alias(n, name):
                e = next((e for e in tl.named(n) if e.numeric and e.value.size == size), None)
                if e is not None:
                    found = e
                    break
        if found is not None:
            events[name] = found
        out.append(None if found is None else found.value.reshape(-1))
    return out[0], out[1]
