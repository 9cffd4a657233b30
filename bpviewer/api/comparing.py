"""``bpv.compare``: your own gradients against bpviewer's, per parameter and per layer, with
the likely cause where they part."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bpviewer.api.inputs import samples
from bpviewer.core.engine.mistakes import RTOL, agree, explain_difference, gradients
from bpviewer.core.engine.network import Network
from bpviewer.core.errors import DataError


@dataclass(frozen=True)
class ParameterComparison:
    """One parameter array: ``kind`` ``w`` or ``b`` of ``layer`` (1-based)."""

    layer: int
    kind: str
    max_abs_error: float
    max_relative_error: float
    ok: bool
    cause: str | None = None

    @property
    def name(self) -> str:
        """``W1``, ``b2`` …"""
        return f"{'W' if self.kind == 'w' else 'b'}{self.layer}"


@dataclass(frozen=True)
class Comparison:
    """Every parameter's comparison, from the output layer back (the order backprop
    computes them); ``first_wrong`` is the first that parts, in that order."""

    rows: list[ParameterComparison]

    @property
    def ok(self) -> bool:
        """Whether every gradient given agrees with bpviewer's."""
        return all(row.ok for row in self.rows)

    @property
    def first_wrong(self) -> ParameterComparison | None:
        """The first parameter (from the output back) whose gradient is wrong."""
        return next((row for row in self.rows if not row.ok), None)

    def __str__(self) -> str:
        lines = [f"{'param':<6} {'max |Δ|':>11} {'max rel':>11}  verdict"]
        for r in self.rows:
            verdict = "ok" if r.ok else f"WRONG{': ' + r.cause if r.cause else ''}"
            lines.append(
                f"{r.name:<6} {r.max_abs_error:>11.3g} {r.max_relative_error:>11.3g}  {verdict}"
            )
        first = self.first_wrong
        lines.append(
            "all gradients agree"
            if first is None
            else f"first wrong (from the output back): {first.name}"
            + (f" — likely {first.cause}" if first.cause else "")
        )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{r.name}</td><td>{r.max_abs_error:.3g}</td>"
            f"<td>{r.max_relative_error:.3g}</td>"
            f"<td style='color:{'green' if r.ok else 'red'}'>"
            f"{'ok' if r.ok else html.escape('wrong' + (': ' + r.cause if r.cause else ''))}"
            "</td></tr>"
            for r in self.rows
        )
        first = self.first_wrong
        note = (
            "all gradients agree"
            if first is None
            else f"first wrong (from the output back): <b>{first.name}</b>"
            + (f" — likely {html.escape(first.cause)}" if first.cause else "")
        )
        return (
            "<table><tr><th>parameter</th><th>max |Δ|</th><th>max relative</th>"
            f"<th>verdict</th></tr>{rows}</table><p>{note}</p>"
        )

    def __repr__(self) -> str:
        return f"<Comparison: {'ok' if self.ok else 'first wrong ' + self.first_wrong.name}>"


def compare(
    net: Network,
    x: Any,
    target: Any,
    weight_gradients: Sequence[Any],
    bias_gradients: Sequence[Any] | None = None,
    *,
    loss: str = "half_sse",
    layout: str = "from_to",
    rtol: float = RTOL,
) -> Comparison:
    """Compare your gradients ∂E/∂W (and ∂E/∂b) with bpviewer's for ``net`` on ``x``
    (n_0,) or (B, n_0) and ``target`` (n_L,) or (B, n_L), E the mean over the batch.

    ``weight_gradients`` has one array per layer: (n_{l-1}, n_l) with ``layout="from_to"``
    (bpviewer's, NumPy's ``a @ W``), (n_l, n_{l-1}) with ``layout="torch"`` (``nn.Linear``'s
    ``weight.grad``).  ``bias_gradients`` has one (n_l,) array per layer, or None for a
    layer without bias.  Where a gradient is wrong, the cause is named when it is a known
    kind: the sign, a missing σ′, a transpose, a factor of the batch size or of 2.

    >>> import numpy as np, bpviewer as bpv
    >>> net = bpv.Network.init([2, 3, 1], "sigmoid", seed=0)
    >>> good = bpv.trace(net, [1.0, 0.5], [1.0]).weight_gradients
    >>> print(bpv.compare(net, [1.0, 0.5], [1.0], [-g for g in good]).first_wrong.cause)
    the sign is flipped ...
    """
    if layout not in ("from_to", "torch"):
        raise ValueError(f'layout must be "from_to" or "torch", got {layout!r}')
    xs, ts = samples(net, x, target)
    if len(weight_gradients) != net.n_layers:
        raise DataError(
            f"give one weight gradient per layer: {net.n_layers}, got {len(weight_gradients)}"
        )
    right_w, right_b = gradients(net, loss, xs, ts)
    rows = []
    for l in range(net.n_layers, 0, -1):
        got = np.asarray(weight_gradients[l - 1], dtype=np.float64)
        if layout == "torch" and got.ndim == 2:
            got = got.T
        rows.append(_row(net, loss, xs, ts, l, "w", got, right_w[l - 1], rtol))
        if bias_gradients is not None and bias_gradients[l - 1] is not None:
            if right_b[l - 1] is None:
                raise DataError(f"layer {l} has no bias, but a bias gradient was given")
            got_b = np.asarray(bias_gradients[l - 1], dtype=np.float64).ravel()
            rows.append(_row(net, loss, xs, ts, l, "b", got_b, right_b[l - 1], rtol))
    return Comparison(rows)


def _row(net, loss, xs, ts, layer, kind, got, expected, rtol) -> ParameterComparison:
    if got.shape != expected.shape:
        cause = explain_difference(net, loss, xs, ts, layer, kind, got, expected)
        return ParameterComparison(
            layer,
            kind,
            np.inf,
            np.inf,
            False,
            cause or f"shape {got.shape}, expected {expected.shape}",
        )
    diff = np.abs(got - expected)
    scale = np.maximum(np.maximum(np.abs(got), np.abs(expected)), 1e-12)
    ok = agree(got, expected, rtol)
    cause = None if ok else explain_difference(net, loss, xs, ts, layer, kind, got, expected)
    return ParameterComparison(
        layer, kind, float(diff.max(initial=0.0)), float((diff / scale).max(initial=0.0)), ok, cause
    )
