"""Why this gradient: the chain rule for the parameter selected (a table cell, or an edge
clicked in the diagram), with the current batch's numbers.

It shows the local form ∂E/∂w(i→j) = −a_i·δ_j (each sample's, and their mean; a_i·δ_j
with δ shown as ∂E/∂z, see :mod:`bpviewer.core.engine.conventions`), δ_j unfolded
layer by layer down to the output along the largest path, and the gradient as a sum over
paths: the largest ten and the rest as one exact term (see
:mod:`bpviewer.core.engine.chain_rule`).  The diagram thickens the paths shown by their
share.  The numbers are computed from the network and the batch, not read from the step
machine, so they are there before Backward has run.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTextBrowser

from bpviewer.core.engine.chain_rule import Why, why
from bpviewer.core.engine.conventions import EXERCISE, Conventions
from bpviewer.core.engine.notation import bias_label, fmt, unit_label, weight_label
from bpviewer.gui import palette
from bpviewer.gui.session import Change, Session
from bpviewer.gui.visibility import seen

SAMPLES_SHOWN = 8  # per-sample rows of a batch, at most (then "…" and the mean)


class WhyPanel(QTextBrowser):
    """The chain rule of one parameter (objectName ``whyPanel``)."""

    pathsChanged = Signal(object)  # the Why shown (None: nothing), for the diagram

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("whyPanel")
        self._session = session
        self.parameter: tuple[str, int, int, int] | None = None
        self.found: Why | None = None
        self._due = False
        self.redraws = 0
        self.setPlaceholderText(
            "Select a weight or bias (a cell of the Weights table, or click an edge of the "
            "diagram) to see why it got its gradient: the chain rule with numbers."
        )
        session.changed.connect(self._on_changed)
        session.conventionsChanged.connect(lambda _: self._redraw_when_seen())

    def _on_changed(self, what: Change) -> None:
        if what & (Change.DOCUMENT | Change.SHAPE):
            self.parameter = None
        if what & (
            Change.DOCUMENT | Change.SHAPE | Change.PARAMETERS | Change.SAMPLE | Change.DATA
            | Change.SETTINGS
        ):  # fmt: skip
            self._redraw_when_seen()

    def show_parameter(self, kind: str, layer: int, row: int, col: int) -> None:
        """Explain ``kind`` ("w" or "b") of ``layer`` (1-based) from ``row`` to ``col``."""
        self.parameter = (kind, layer, row, col)
        self._redraw_when_seen()

    def _redraw_when_seen(self) -> None:
        if seen(self):
            self.refresh()
        else:
            self._due = True
            self.put_away()

    def put_away(self) -> None:
        """Nobody sees the panel: its paths leave the diagram (they would go stale), and
        come back, recomputed, when it is seen again."""
        if self.found is not None:
            self.pathsChanged.emit(None)
            self._due = True

    def catch_up(self) -> None:
        """Redraw now if the selection or the document changed while not seen."""
        if self._due:
            self.refresh()

    def refresh(self) -> None:
        """Compute and show the chain rule of the selected parameter."""
        self._due = False
        self.redraws += 1
        s = self._session
        net = s.network
        if self.parameter is None or not _fits(net, self.parameter):
            self.parameter, self.found = None, None
            self.clear()
            self.pathsChanged.emit(None)
            return
        machine = s.machine
        self.found = why(
            net, machine.inputs, machine.targets, s.project.training.loss, *self.parameter
        )
        self.setHtml(
            _html(self.found, net, s.batch_rows()[0], s.conventions)
            + _table_note(self.found, machine)
        )
        self.pathsChanged.emit(self.found)


def _table_note(found: Why, machine) -> str:
    """When the tables' ∂E/∂W of this parameter is from an earlier Backward (before an
    update, on another batch), say so: the panel explains the current weights and batch."""
    key = f"grad_{found.kind}{found.layer}"
    shown = machine.results.get(key)
    if shown is None or key in machine.fresh:
        return ""
    value = shown[found.row, found.col] if found.kind == "w" else shown[found.col]
    return (
        f'<p style="color:{palette.STALE}">The tables\' ∂E/∂W, {fmt(value)}, is from the last '
        "Backward, before the weights or the batch changed; this is the gradient now.</p>"
    )


def _fits(net, parameter) -> bool:
    kind, layer, row, col = parameter
    if not 1 <= layer <= net.n_layers or col >= net.layer_sizes[layer]:
        return False
    if kind == "b":
        return net.biases[layer - 1] is not None
    return row < net.layer_sizes[layer - 1]


def _name(found: Why, L: int) -> str:
    if found.kind == "b":
        return bias_label(found.layer, found.col, L)
    return weight_label(found.layer, found.row, found.col, L)


def _html(found: Why, net, first: int, conventions: Conventions = EXERCISE) -> str:
    """The panel's text; δ values (and w·δ terms) as ``conventions`` show δ, the gradient
    and the paths' values (∂E/∂w) the same in either."""
    c = conventions
    L = net.n_layers
    B = found.per_sample.shape[0]
    name = _name(found, L)
    j = unit_label(found.layer, found.col, L)
    i = "1" if found.kind == "b" else unit_label(found.layer - 1, found.row, L)
    purple, teal = palette.BACKWARD, palette.FORWARD
    batch = (
        f"sample {first + 1}" if B == 1 else f"the batch of {B} (samples {first + 1}–{first + B})"
    )
    out = [
        f'<h3 style="color:{purple}">∂E/∂{html.escape(name)} = {fmt(found.gradient)}</h3>',
        f"<p>for {batch}; {c.delta_definition}, {c.delta_source}.</p>",
        "<p><b>Local form</b>: ∂E/∂"
        + html.escape(name)
        + f" = {c.gradient_sign}{html.escape(i if found.kind == 'w' else '1')}"
        f"·δ({html.escape(j)})" + (" (the mean over the batch)" if B > 1 else "") + "</p>",
    ]
    rows = []
    for s in list(range(min(B, SAMPLES_SHOWN))):
        a, d = found.a_from[s], c.shown_delta(found.delta_to[s])
        rows.append(
            f"<tr><td>{'sample ' + str(first + s + 1) if B > 1 else ''}</td>"
            f"<td>= {c.gradient_sign}({fmt(a)})·({fmt(d)})</td>"
            f"<td>= {fmt(found.per_sample[s])}</td></tr>"
        )
    if B > SAMPLES_SHOWN:
        rows.append(f"<tr><td>…</td><td>{B - SAMPLES_SHOWN} more samples</td><td></td></tr>")
    if B > 1:
        rows.append(
            f"<tr><td><b>mean</b></td><td></td><td><b>= {fmt(found.gradient)}</b></td></tr>"
        )
    out.append(f'<table cellspacing="2" style="color:{teal}">' + "".join(rows) + "</table>")
    out.append("<p><b>δ unfolded</b> to the output (along the largest path; sample "
               f"{first + 1}):</p><table cellspacing='2'>")  # fmt: skip
    for step in found.unfolding:
        u = unit_label(step.layer, step.unit, L)
        if step.prime is None:
            out.append(
                f"<tr><td>δ({html.escape(u)})</td><td>= from the loss (output)</td>"
                f"<td>= {fmt(c.shown_delta(step.delta[0]))}</td></tr>"
            )
            continue
        below = c.shown_delta(step.next_delta)  # δ_k as shown
        terms = step.weights * below
        largest = np.argsort(-np.abs(terms))[:4]
        parts = " + ".join(f"({fmt(step.weights[k])})×({fmt(below[k])})" for k in largest)
        more = f" + … ({terms.size - largest.size} more)" if terms.size > largest.size else ""
        sum_text = f"({parts}{more})" if terms.size > 1 else parts
        next_layer = "k" if terms.size > 1 else unit_label(step.layer + 1, int(largest[0]), L)
        out.append(
            f"<tr><td>δ({html.escape(u)})</td><td>= f′(z)·Σₖ w({html.escape(u)}→k)·δₖ"
            if terms.size > 1
            else f"<tr><td>δ({html.escape(u)})</td><td>= f′(z)·w({html.escape(u)}→"
            f"{html.escape(next_layer)})·δ({html.escape(next_layer)})"
        )
        out.append(
            f" = {fmt(step.prime[0])} × {sum_text}</td>"
            f"<td>= {fmt(c.shown_delta(step.delta[0]))}</td></tr>"
        )
    out.append("</table>")
    shown = len(found.paths)
    if shown >= found.n_paths:
        which = f"all {shown}"
    elif found.exact:
        which = f"the largest {shown} of {found.n_paths:,}"
    else:  # a batch of many paths: candidates are each sample's own largest
        which = f"{shown} large ones of {found.n_paths:,}: the largest of each sample's largest"
    out.append(f"<p><b>As a sum over paths</b> to the loss ({which}):</p><table cellspacing='2'>")
    total = found.gradient if found.gradient and np.isfinite(found.gradient) else 1.0
    for path in found.paths:
        units = [i] if found.kind == "w" else ["1"]
        units += [unit_label(found.layer + m, u, L) for m, u in enumerate(path.units)]
        out.append(
            f"<tr><td>{html.escape(' → '.join(units))}</td><td>= {fmt(path.value)}</td>"
            f"<td style='color:{palette.STALE}'>{path.value / total:+.0%}</td></tr>"
        )
    if found.n_paths > shown:
        out.append(
            f"<tr><td>the other {found.n_paths - shown:,} paths</td><td>= {fmt(found.rest)}</td>"
            f"<td style='color:{palette.STALE}'>{found.rest / total:+.0%}</td></tr>"
        )
    out.append(f"<tr><td><b>total</b></td><td><b>= {fmt(found.gradient)}</b></td><td></td></tr>")
    out.append("</table>")
    return "".join(out)
