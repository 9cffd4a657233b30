"""Check a learner's backprop script: find the first wrong number, and say why.

The script runs in a separate process (:mod:`~bpviewer.core.checker.script_run`) that records
a timeline of the values its code held, in every frame, under every name.  The inputs are
found (:mod:`~bpviewer.core.checker.inputs`), every quantity is computed by the engine, and
each quantity of the script is located (by the course's names first, else by its value, else
by the value of a known mistake) and judged by its value *when it is used*: when a quantity
computed from it first appears, or at the end of the step.  So a quantity built in several
statements (``+=``, ``*=``, element assignment, a list filled in a loop) is judged whole.
Where the script repeats the step, the first complete step is judged.

A quantity equal to expected is ``ok`` (a value held by another name is "found as" it; one
never held by a name while those computed from it are right is ``inline``).  One that is
wrong but equals its own recomputation while an input was wrong ``follows`` from that input;
one that is wrong even given its own inputs is a mistake of its own (``wrong``) and gets a
hint when a known mistake reproduces it.  So two independent mistakes are both named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bpviewer.core.checker.epochs import find_epoch, first_change
from bpviewer.core.checker.formulas import own_recomputations, vec
from bpviewer.core.checker.hints import hint_variants, pick_hint
from bpviewer.core.checker.inputs import Inputs, find_inputs
from bpviewer.core.checker.script_run import DEFAULT_TIMEOUT, ScriptError, ScriptRun, run_script
from bpviewer.core.checker.timeline import ATOL, RTOL, Event, Timeline
from bpviewer.core.checker.vocabulary import (
    DEPENDS,
    EPOCH_DEPENDS,
    EPOCH_QUANTITIES,
    INPUTS,
    OPTIONAL,
    QUANTITIES,
    alias_rank,
    is_alias,
)
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.optimizers import OptimizerSettings
from bpviewer.core.engine.stepper import StepMachine

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEPENDS",
    "INPUTS",
    "QUANTITIES",
    "CheckReport",
    "Quantity",
    "ScriptError",
    "ScriptRun",
    "check_run",
    "check_script",
    "run_script",
]


@dataclass
class Quantity:
    """The verdict on one name."""

    name: str
    status: str  # ok, inline, wrong, follows, missing
    expected: np.ndarray | None
    got: np.ndarray | None
    hint: str = ""
    note: str = ""
    follows_from: str = ""
    found_as: str = ""

    @property
    def right(self) -> bool:
        """Whether the quantity counts as right (``ok``, or ``inline`` and used rightly)."""
        return self.status in ("ok", "inline")


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
    notes: list[str] = field(default_factory=list)
    exercise: str = "step"  # or "epochs"

    @property
    def ok(self) -> bool:
        """Whether every quantity is right."""
        return all(q.right for q in self.quantities.values())

    @property
    def hint(self) -> str:
        """The hint of the first wrong quantity."""
        return self.quantities[self.first_wrong].hint if self.first_wrong else ""

    @property
    def judged(self) -> tuple[str, ...]:
        """The quantities judged, in the order of the chain."""
        return tuple(n for n in self.quantities if n not in INPUTS + OPTIONAL)


def _same(got: np.ndarray | None, expected: np.ndarray | None, matrix: bool) -> bool:
    """Equal within tolerance, judging shapes as the exercise writes them."""
    if got is None or expected is None or got.size != expected.size:
        return False
    if matrix and got.size > 1 and got.shape != expected.shape:
        return False
    return bool(np.allclose(got.reshape(expected.shape), expected, rtol=RTOL, atol=ATOL))


def _expected(inp: Inputs) -> tuple[Network, dict[str, np.ndarray]]:
    """The engine's step on the script's inputs."""
    b = [inp.b_h, inp.b_o] if inp.b_h is not None or inp.b_o is not None else [None, None]
    net = Network((inp.x.size, inp.w_ih.shape[1], inp.w_ho.shape[1]), ("sigmoid",) * 2,
                  [inp.w_ih, inp.w_ho], b)  # fmt: skip
    machine = StepMachine(
        net.copy(),
        "half_sse",
        OptimizerSettings(learning_rate=inp.learnrate),
        inp.x[None, :],
        inp.target[None, :],
    )
    machine.run_iteration()
    r = machine.results
    return net, {
        "hidden_layer_input": r["z1"][0],
        "hidden_layer_output": r["a1"][0],
        "output_layer_in": r["z2"][0],
        "output": r["a2"][0],
        "error": r["error"][0],
        "output_error_term": r["delta2"][0],
        "hidden_error_term": r["delta1"][0],
        "delta_w_h_o": r["delta_w2"].reshape(inp.w_shape_ho),
        "delta_w_i_h": r["delta_w1"],
    }


# ---------------------------------------------------------------------------- locating
@dataclass
class _Located:
    """Where a quantity first appears and the variables that may hold it."""

    first: int | None = None
    named: list[Event] = field(default_factory=list)  # first event of each aliased variable
    by_value: list[Event] = field(default_factory=list)  # first events holding the value
    by_hint: list[tuple[Event, str]] = field(default_factory=list)
    after: int = -1


def _first_per_variable(events: list[Event], taken: set) -> list[Event]:
    seen, out = set(), []
    for e in events:
        key = (e.frame, e.name)
        if key not in seen and key not in taken:
            seen.add(key)
            out.append(e)
    return out


def _locate(tl, name, expected, variants, after, until, taken) -> _Located:
    loc = _Located(after=after)
    named = [e for n in tl.names() if is_alias(n, name) for e in tl.named(n)]
    named = [e for e in named if after <= e.seq <= until]
    named.sort(key=lambda e: (alias_rank(e.name, name), e.seq))
    loc.named = _first_per_variable(named, taken)
    loc.by_value = _first_per_variable(tl.with_value(expected, after, until), taken)
    for text, value in variants:
        if value is not None:
            for e in _first_per_variable(tl.with_value(np.asarray(value), after, until), taken):
                loc.by_hint.append((e, text))
    seqs = [e.seq for e in loc.named + loc.by_value] + [e.seq for e, _ in loc.by_hint]
    loc.first = min(seqs) if seqs else None
    return loc


def _found_as(tl: Timeline, e: Event, name: str) -> str:
    where = tl.frame_label(e.frame)
    label = e.name if e.name != name else ""
    if where != "<module>":
        return f"{e.name} in {where}()"
    return label


@dataclass
class _Judging:
    """The state of judging one run: the timeline, the inputs and what is known so far."""

    tl: Timeline
    inp: Inputs
    expected: dict[str, np.ndarray]
    order: tuple[str, ...]
    until: int
    got: dict[str, np.ndarray | None] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    found: dict[str, str] = field(default_factory=dict)
    hinted: dict[str, str] = field(default_factory=dict)
    taken: set = field(default_factory=set)
    located: dict[str, _Located] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)
    depends: dict[str, tuple[str, ...]] = field(default_factory=lambda: DEPENDS)
    applied: dict[str, int] = field(default_factory=dict)  # a weight change's update: seq

    def locate_all(self, variants: dict[str, list]) -> None:
        for name, e in self.inp.events.items():
            self.first[name] = e.seq
            self.taken.add((e.frame, e.name))
        for name in self.order:
            deps = [self.first[d] for d in DEPENDS[name] if d in self.first]
            after = max([*deps, self.inp.start])
            loc = _locate(
                self.tl, name, self.expected[name], variants.get(name, []), after, self.until,
                self.taken,
            )  # fmt: skip
            self.located[name] = loc
            if loc.first is not None:
                self.first[name] = loc.first

    def used_at(self, name: str) -> int:
        """When the script uses the quantity: a quantity computed from it first appears."""
        mine = self.first.get(name, -1)
        later = [
            self.first[d]
            for d in self.order
            if name in DEPENDS[d] and d in self.first and self.first[d] >= mine
        ]
        if name in self.applied and self.applied[name] >= mine:  # used by the update
            later.append(self.applied[name])
        return min([*later, self.until])

    def _another_quantity(self, name: str, value: np.ndarray) -> bool:
        return any(
            other != name and self.expected[other].size == value.size
            and np.allclose(self.expected[other].reshape(-1), value.reshape(-1), rtol=RTOL,
                            atol=ATOL)
            for other in self.order
        )  # fmt: skip

    def judge(self, name: str, own: np.ndarray | None = None) -> None:
        """Pick the variable holding the quantity and its value when used."""
        loc = self.located[name]
        at = self.used_at(name)
        exp = self.expected[name]
        matrix = name.startswith(("delta_w", "del_w"))

        def used(e: Event, fresh: bool = False) -> Event | None:
            """The variable's value when used (``fresh``: only a variable not yet claimed
            by another quantity)."""
            if e.seq > at or (fresh and (e.frame, e.name) in self.taken):
                return None
            return self.tl.value_at(e.frame, e.name, at)

        for e in loc.named + loc.by_value:
            u = used(e)
            if u is not None and u.numeric and _same(_shape_as(u.value, exp), exp, matrix):
                self._take(name, e, u)
                return
        for e in loc.by_value:  # a helper's variable reused for the next quantity
            u = used(e)
            if u is not None and u.numeric and self._another_quantity(name, u.value):
                self._take(name, e, e)
                return
        for e in loc.named:
            u = used(e)
            if u is not None:
                self._take(name, e, u)
                return
        if own is not None:  # a value that follows from the script's own wrong values
            for e in _first_per_variable(self.tl.with_value(own, loc.after, at), self.taken):
                self._take(name, e, used(e, fresh=True) or e)
                return
        for e, text in loc.by_hint:
            u = used(e, fresh=True)
            if u is not None and u.numeric:
                self._take(name, e, u)
                self.hinted[name] = text
                return
        self.got[name] = None

    def _take(self, name: str, e: Event, u: Event) -> None:
        self.taken.add((e.frame, e.name))
        if isinstance(u.value, str):
            self.got[name] = None
            self.notes[name] = f"is a {u.value}, not a number or an array"
        else:
            self.got[name] = u.value
        label = _found_as(self.tl, e, name)  # "" for the exercise's own name in the script
        if label:
            self.found[name] = label


def _shape_as(value: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Per-unit quantities compare flat; weight changes keep their shape."""
    return value if expected.ndim == 2 else vec(value)


def check_run(run: ScriptRun) -> CheckReport:
    """Judge a script's values (see the module docstring)."""
    tl = run.timeline
    try:
        inp = find_inputs(tl, run.path)
    except ScriptError as exc:
        if run.stopped and "full" in run.stopped:
            raise ScriptError(f"{exc} (tracing stopped early: {run.stopped})") from None
        raise
    net, expected = _expected(inp)
    epoch = find_epoch(tl, inp)
    order = QUANTITIES
    until = tl.last_seq
    report_notes: list[str] = []
    repeated = False
    if epoch is not None:
        until = epoch.record_end
        order = QUANTITIES[:7]
    else:
        until, repeated = _step_end(tl, inp, expected)
        if repeated:
            report_notes.append("The script repeats the step: its first complete step is judged.")
    if run.stopped and "weights" in run.stopped and epoch is None and not repeated:
        report_notes.append(
            "The first complete step is judged: tracing stopped once the weights were first "
            "updated."
        )
    elif run.stopped and "weights" in run.stopped:
        report_notes.append("Tracing stopped once the weights were first updated.")
    elif run.stopped:
        report_notes.append(f"Tracing stopped early ({run.stopped}): later values were not seen.")
    variants = hint_variants({}, inp.x, inp.target, inp.learnrate, inp.w_ih, inp.w_ho,
                             inp.w_shape_ho, expected)  # fmt: skip
    j = _Judging(tl, inp, expected, order, until)
    for name, weights in (("delta_w_h_o", "weights_hidden_output"),
                          ("delta_w_i_h", "weights_input_hidden")):  # fmt: skip
        update = first_change(tl, inp.events[weights])
        if update is not None:
            j.applied[name] = update.seq
    j.locate_all(variants)
    got = {n: inp.events[n].value if n in inp.events else None for n in INPUTS + OPTIONAL}
    for name in order:
        own = own_recomputations({**got, **j.got}, inp.x, inp.target, inp.learnrate, inp.w_ih,
                                 inp.w_ho, inp.w_shape_ho, inp.b_h, inp.b_o)  # fmt: skip
        j.judge(name, own.get(name))
    got.update(j.got)
    if epoch is not None:
        epoch.judge(j, got, expected, report_notes)
        order = order + EPOCH_QUANTITIES + ("delta_w_h_o", "delta_w_i_h")
        j.depends = EPOCH_DEPENDS
    variants = hint_variants(got, inp.x, inp.target, inp.learnrate, inp.w_ih, inp.w_ho,
                             inp.w_shape_ho, expected)  # fmt: skip
    if epoch is not None:
        variants.update(epoch.variants)
    own = own_recomputations(got, inp.x, inp.target, inp.learnrate, inp.w_ih, inp.w_ho,
                             inp.w_shape_ho, inp.b_h, inp.b_o)  # fmt: skip
    if epoch is not None:
        own.update(epoch.own)
    quantities, first_wrong, mistakes = _verdicts(j, order, got, expected, own, variants)
    if epoch is not None:
        x_all, t_all = epoch.records, epoch.targets
    else:
        x_all, t_all = inp.x[None, :], inp.target[None, :]
    return CheckReport(
        quantities, first_wrong, mistakes, net, x_all, t_all, inp.learnrate, report_notes,
        "epochs" if epoch is not None else "step",
    )  # fmt: skip


def _verdicts(j: _Judging, order, got, expected, own, variants):
    quantities: dict[str, Quantity] = {}
    for name in INPUTS + tuple(n for n in OPTIONAL if got.get(n) is not None):
        e = j.inp.events[name]
        q = Quantity(name, "ok", got[name], got[name])
        if not is_alias(e.name, name) or j.tl.frame_label(e.frame) != "<module>":
            q.found_as = _found_as(j.tl, e, name) or e.name
        elif e.name != name:
            q.found_as = e.name
        quantities[name] = q
    first_wrong, mistakes = None, []
    for name in order:
        matrix = name.startswith(("delta_w", "del_w"))
        g, exp = got.get(name), expected[name]
        found = j.found.get(name, "")
        if g is None:
            quantities[name] = Quantity(
                name, "missing", exp, None, note=j.notes.get(name, "not defined")
            )
            continue
        value = g if matrix else vec(g)
        if _same(value, exp, matrix):
            quantities[name] = Quantity(name, "ok", exp, g, found_as=found)
            continue
        deps = [d for d in j.depends[name] if d in quantities]
        bad_inputs = [
            d for d in deps if not quantities[d].right and quantities[d].status != "missing"
        ]
        own_value = own.get(name)
        if bad_inputs and own_value is not None and _same(value, own_value, matrix):
            source = next((quantities[d].follows_from or d for d in bad_inputs), bad_inputs[0])
            q = Quantity(name, "follows", exp, g, follows_from=source, found_as=found)
        elif bad_inputs and own_value is None:
            q = Quantity(name, "follows", exp, g, follows_from=bad_inputs[0], found_as=found)
        else:
            hint = j.hinted.get(name) or pick_hint(name, value, variants, exp, matrix)
            q = Quantity(name, "wrong", exp, g, hint=hint, found_as=found)
            mistakes.append(name)
        quantities[name] = q
        if first_wrong is None:
            first_wrong = name
    _mark_inline(quantities, order, j.depends)
    _mark_unused(quantities, order, j.depends)
    mistakes = [n for n in mistakes if quantities[n].status == "wrong"]
    first_wrong = next((n for n in order if quantities[n].status in ("wrong", "follows")), None)
    return quantities, first_wrong, mistakes


def _mark_unused(quantities: dict[str, Quantity], order: tuple[str, ...], depends) -> None:
    """A name holding a wrong value while every quantity computed from it is right was not
    the value used (e.g. ``error`` kept for the loss, the error computed inline)."""
    for name in order:
        q = quantities[name]
        users = [d for d in order if name in depends[d] and quantities[d].status != "missing"]
        if q.status == "wrong" and users and all(quantities[d].right for d in users):
            held = f"`{q.found_as or name}` holds another value"
            q.status, q.hint = "inline", ""
            q.note = f"{held}; the values computed from it are right, so it is not the one used"


def _mark_inline(quantities: dict[str, Quantity], order: tuple[str, ...], depends) -> None:
    """A missing quantity whose dependents are right was computed inline, not left out."""
    for name in reversed(order):
        q = quantities[name]
        if q.status != "missing" or q.note != "not defined":
            continue
        users = [d for d in order if name in depends[d] and d in quantities]
        if users and all(quantities[d].right for d in users):
            q.status = "inline"
            q.note = "not kept under a name; the values computed from it are right"
        elif any(quantities[d].status != "missing" for d in users):
            q.note = "not kept under a name (computed inline?), so not judged on its own"


def _step_end(tl: Timeline, inp: Inputs, expected: dict[str, np.ndarray]) -> tuple[int, bool]:
    """The seq at which the script's second step starts (its last seq when it has none), and
    whether it repeats the step."""
    start = inp.start
    first = tl.with_value(expected["hidden_layer_input"], start)
    named = [e for n in tl.names() if is_alias(n, "hidden_layer_input") for e in tl.named(n)]
    named = sorted((e for e in named if e.seq >= start), key=lambda e: e.seq)
    module_level = [e for e in first if tl.frame_label(e.frame) == "<module>"]
    lead = (named or module_level)[:1]  # a helper's argument changes with every call
    if not lead:
        return tl.last_seq, False
    e0 = lead[0]
    label = tl.frame_label(e0.frame)
    # a new step starts when the first quantity changes after later ones were computed
    # (before that it is being built: filled in a loop, += …)
    later = [
        e.seq for n in tl.names() for q in QUANTITIES[2:] if is_alias(n, q) for e in tl.named(n)
    ]
    later += [e.seq for q in QUANTITIES[1:4] for e in tl.with_value(expected[q], start)]
    after = min((s for s in later if s > e0.seq), default=None)
    if after is None:
        return tl.last_seq, False
    ref = tl.value_at(e0.frame, e0.name, after) or e0
    for e in tl.named(e0.name):
        same = e.numeric and ref.numeric and _same(vec(e.value), vec(ref.value), False)
        if e.seq > after and tl.frame_label(e.frame) == label and not same:
            return e.seq - 1, True
    return tl.last_seq, False


# ---------------------------------------------------------------------------- entry points
def check_script(
    path: str | Path,
    timeout: float = DEFAULT_TIMEOUT,
    python: str | None = None,
    folder: str | Path | None = None,
) -> tuple[ScriptRun, CheckReport]:
    """Run and judge a script or notebook (raises :class:`ScriptError` when it cannot run)."""
    run = run_script(path, timeout, python, folder)
    return run, check_run(run)


def __getattr__(name: str) -> object:
    """The report's functions, where they used to live (now in ``report``)."""
    if name in ("report_text", "report_dict", "shorten_output", "GRADER_LINE"):
        from bpviewer.core.checker import report

        return getattr(report, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
