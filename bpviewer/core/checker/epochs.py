"""The course's next exercise: a two-layer network trained over records and epochs, the
weight changes accumulated per record (``del_w_hidden_output += …``) and applied per epoch.

It is told from a repeated step by its records: ``x`` takes a new value before the weights
change.  The first record's quantities are judged as the single step's; then the first
epoch's accumulated changes (Σ over its records of δ·a, with or without the learning rate)
when the weights are first updated, and the update itself (the weights' change over the
first epoch, η/n · Σ: the engine's step on the epoch's records as one batch).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bpviewer.core.checker.formulas import quick_step, vec
from bpviewer.core.checker.inputs import Inputs
from bpviewer.core.checker.timeline import Event, Timeline, close
from bpviewer.core.checker.vocabulary import EPOCH_QUANTITIES, alias_rank, is_alias
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.optimizers import OptimizerSettings
from bpviewer.core.engine.stepper import StepMachine


def _lineage(tl: Timeline, e: Event) -> list[Event]:
    """The events of ``e``'s name in frames running the same function, from ``e`` on."""
    label = tl.frame_label(e.frame)
    return [o for o in tl.named(e.name) if o.seq >= e.seq and tl.frame_label(o.frame) == label]


def first_change(tl: Timeline, e: Event) -> Event | None:
    """The first new value of the weights ``e`` gave: under its name, or in any frame a
    variable that held them (a helper's argument updated in place)."""
    found = []
    holders = {(h.frame, h.name) for h in tl.with_value(e.value, e.seq)} | {(e.frame, e.name)}
    for frame, name in holders:
        for o in tl.named(name):
            mine = o.frame == frame and o.seq > e.seq and o.numeric
            if mine and o.value.size == e.value.size and not close(o.value, e.value):
                found.append(o)
                break
    for o in _lineage(tl, e):
        if o.numeric and (o.value.size != e.value.size or not close(o.value, e.value)):
            found.append(o)
            break
    return min(found, key=lambda o: o.seq) if found else None


def _at(tl: Timeline, e: Event, seq: int) -> Event:
    found = e
    for o in _lineage(tl, e):
        if o.seq > seq:
            break
        found = o
    return found


@dataclass
class EpochStep:
    """The first epoch: its records (r, n) and targets (r, k), where the first record ends
    and where the epoch ends (the weights' first update)."""

    records: np.ndarray
    targets: np.ndarray
    record_end: int
    epoch_end: int
    w_ih_after: Event | None
    w_ho_after: Event | None
    variants: dict[str, list] = field(default_factory=dict)
    own: dict[str, Any] = field(default_factory=dict)

    def expected(self, inp: Inputs) -> dict[str, np.ndarray]:
        """The accumulated sums Σ δ·a and the update η/n · Σ (the engine's batch step)."""
        net = Network((inp.x.size, inp.w_ih.shape[1], inp.w_ho.shape[1]), ("sigmoid",) * 2,
                      [inp.w_ih, inp.w_ho], [inp.b_h, inp.b_o])  # fmt: skip
        machine = StepMachine(
            net.copy(), "half_sse", OptimizerSettings(learning_rate=inp.learnrate),
            self.records, self.targets,
        )  # fmt: skip
        machine.run_iteration()
        r, n, lr = machine.results, len(self.records), inp.learnrate
        return {
            "del_w_hidden_output": (r["delta_w2"] * n / lr).reshape(inp.w_shape_ho),
            "del_w_input_hidden": r["delta_w1"] * n / lr,
            "delta_w_h_o": r["delta_w2"].reshape(inp.w_shape_ho),
            "delta_w_i_h": r["delta_w1"],
        }

    def judge(self, j, got: dict, expected: dict, notes: list[str]) -> None:
        """Add the epoch's quantities to ``got`` and ``expected`` (``j`` is the judging of
        the first record)."""
        inp: Inputs = j.inp
        n, lr = len(self.records), inp.learnrate
        expected.update(self.expected(inp))
        w_ho, w_ih = (
            inp.events["weights_hidden_output"].name,
            inp.events["weights_input_hidden"].name,
        )
        notes.append(
            f"The script trains over records and epochs: the first record's quantities and "
            f"the first epoch's update ({n} records) are judged; delta_w_h_o and delta_w_i_h "
            f"are the changes of {w_ho} and {w_ih} over the first epoch."
        )
        for name in EPOCH_QUANTITIES:
            exp = expected[name]
            e = self._accumulator(j.tl, name, exp, lr, inp.start)
            got[name] = e.value if e is not None and e.numeric else None
            if got[name] is not None and close(e.value, lr * exp):
                expected[name] = lr * exp  # η accumulated with the changes: also right
            if e is not None and e.name != name:
                j.found[name] = e.name
        for name, before, after, shape in (
            ("delta_w_h_o", inp.events["weights_hidden_output"], self.w_ho_after, inp.w_shape_ho),
            ("delta_w_i_h", inp.events["weights_input_hidden"], self.w_ih_after, inp.w_ih.shape),
        ):
            if after is None:
                got[name] = None
                j.notes[name] = "the weights are never updated"
                continue
            got[name] = (after.value - before.value).reshape(shape)
        last = quick_step(self.records[-1], self.targets[-1], 1.0, inp.w_ih, inp.w_ho,
                          inp.b_h, inp.b_o)  # fmt: skip
        for name, acc, per_record in (
            ("delta_w_h_o", "del_w_hidden_output", last["delta_w_h_o"]),
            ("delta_w_i_h", "del_w_input_hidden", last["delta_w_i_h"]),
        ):
            exp, sums = expected[name], expected[acc]
            self.variants[name] = [
                ("the update is not divided by the number of records: η · Σ / n", exp * n),
                ("the learning rate is missing from the update: η · Σ / n", exp / lr),
                ("wrong sign: the weights change by +η · Σ / n", -exp),
            ]
            self.variants[acc] = [
                (
                    "only one record's change is kept: accumulate with += over the epoch's records",
                    per_record.reshape(sums.shape) if per_record.size == sums.size else None,
                ),
                ("wrong sign", -sums),
            ]
            g = got.get(acc)
            if g is not None and g.size == exp.size:
                with_lr = close(sums, expected[name] * n) and lr != 1.0  # sums = η · Σ
                self.own[name] = (g / n if with_lr else lr * g / n).reshape(exp.shape)

    def _accumulator(self, tl: Timeline, name, exp, lr, start) -> Event | None:
        """The accumulated change's value at the end of the epoch (by name, else by value)."""
        named = [e for n in tl.names() if is_alias(n, name) for e in tl.named(n)]
        named.sort(key=lambda e: (alias_rank(e.name, name), e.seq))
        holders = {(e.frame, e.name) for e in named if start <= e.seq <= self.epoch_end}
        values = [tl.value_at(f, n, self.epoch_end) for f, n in holders]
        values = [u for u in values if u is not None and u.numeric]
        for u in values:
            if close(u.value, exp) or close(u.value, lr * exp):
                return u
        if values:  # the most recent of the variables holding it
            return max(values, key=lambda u: u.seq)
        for value in (exp, lr * exp):
            hits = tl.with_value(value, start, self.epoch_end)
            if hits:
                return hits[0]
        return None


def find_epoch(tl: Timeline, inp: Inputs) -> EpochStep | None:
    """The first epoch when the script trains over records (x changes before the weights)."""
    x0 = inp.events["x"]
    w_ih_after = first_change(tl, inp.events["weights_input_hidden"])
    w_ho_after = first_change(tl, inp.events["weights_hidden_output"])
    changes = [e.seq for e in (w_ih_after, w_ho_after) if e is not None]
    epoch_end = min(changes) if changes else tl.last_seq
    accumulators = any(
        is_alias(n, a) and n not in ("delta_w_h_o", "delta_w_i_h")
        for n in tl.names()
        for a in EPOCH_QUANTITIES
    )
    records, seqs = [], []
    for e in _lineage(tl, x0):
        if e.seq > epoch_end:
            break
        if (
            e.numeric
            and e.value.size == inp.x.size
            and not (records and close(records[-1], e.value))
        ):
            records.append(vec(e.value))
            seqs.append(e.seq)
    if len(records) < 2 or not (changes or accumulators):
        return None
    if not changes and not accumulators:
        return None
    t0 = inp.events["target"]
    ends = [s - 1 for s in seqs[1:]] + [epoch_end]  # a record's target may follow its x
    targets = [vec(_at(tl, t0, s).value) for s in ends]
    if any(t.size != inp.target.size for t in targets):
        return None
    return EpochStep(
        np.array(records), np.array(targets), seqs[1] - 1, epoch_end, w_ih_after, w_ho_after
    )
