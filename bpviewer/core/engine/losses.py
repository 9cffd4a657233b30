"""Loss functions and the output-layer error term each one gives.

Shapes: ``z``, ``y`` (outputs) and ``t`` (targets) are (batch, K).  ``per_sample`` returns
(batch,); the loss of a batch is always the mean of its samples' losses.  ``error_term``
returns δ = −∂E_s/∂z of each sample's own loss E_s, shape (batch, K), the exercise's sign.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bpviewer.core.engine.activations import Activation
from bpviewer.core.engine.notation import exact, fmt, full, shown

Array = np.ndarray


def _softplus(x: Array) -> Array:
    """log(1 + e^x) without overflow."""
    return np.logaddexp(0.0, x)


def _half_sse(z: Array, y: Array, t: Array) -> Array:
    e = t - y
    return 0.5 * np.sum(e * e, axis=-1)


def _mse(z: Array, y: Array, t: Array) -> Array:
    e = t - y
    return np.mean(e * e, axis=-1)


def _bce(z: Array, y: Array, t: Array) -> Array:
    # −[t log σ(z) + (1 − t) log(1 − σ(z))] = t·softplus(−z) + (1 − t)·softplus(z)
    return np.mean(t * _softplus(-z) + (1.0 - t) * _softplus(z), axis=-1)


def _cross_entropy(z: Array, y: Array, t: Array) -> Array:
    # −Σ t log softmax(z) = Σ t (logsumexp(z) − z)
    m = z.max(axis=-1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))
    return np.sum(t * (lse - z), axis=-1)


def _delta_half_sse(z: Array, y: Array, t: Array, act: Activation, out: Array | None) -> Array:
    out = np.subtract(t, y, out=out)
    return np.multiply(out, act.derivative(z, y), out=out)


def _delta_mse(z: Array, y: Array, t: Array, act: Activation, out: Array | None) -> Array:
    out = np.subtract(t, y, out=out)
    np.multiply(out, 2.0 / t.shape[-1], out=out)
    return np.multiply(out, act.derivative(z, y), out=out)


def _delta_bce(z: Array, y: Array, t: Array, act: Activation, out: Array | None) -> Array:
    out = np.subtract(t, y, out=out)
    return np.divide(out, t.shape[-1], out=out)


def _delta_cross_entropy(z: Array, y: Array, t: Array, act: Activation, out: Array | None) -> Array:
    # ∂E/∂z = y·Σt − t, so δ = t − y·Σt (= t − y for one-hot targets)
    out = np.multiply(y, np.add.reduce(t, axis=-1, keepdims=True), out=out)  # t.sum(…)
    return np.subtract(t, out, out=out)


def _c(value: float) -> str:
    return f"({float(value)!r})"


def _sum(terms: list[str]) -> str:
    return " + ".join(terms) if terms else "0.0"


# ---------------------------------------------------------------------- scalar kernel source
# Each writes lines setting ``loss`` (this sample's E_s) and ``deltas[j]`` (δ = −∂E_s/∂z of
# output j) from the names of z, y, t and f'(z) of each output; the same operations, in the
# same order, as the NumPy functions above.


def _src_squared(zs, ys, ts, primes, loss, deltas, tmp, *, half: bool) -> list[str]:
    k = len(ys)
    lines = [f"e{j}{tmp} = {t} - {y}" for j, (t, y) in enumerate(zip(ts, ys, strict=True))]
    sq = _sum([f"e{j}{tmp} * e{j}{tmp}" for j in range(k)])
    lines.append(f"{loss} = 0.5 * ({sq})" if half else f"{loss} = ({sq}) / {k}")
    c = "" if half else f" * {_c(2.0 / k)}"
    lines += [f"{d} = e{j}{tmp}{c} * {primes[j]}" for j, d in enumerate(deltas)]
    return lines


def _src_half_sse(zs, ys, ts, primes, loss, deltas, tmp) -> list[str]:
    return _src_squared(zs, ys, ts, primes, loss, deltas, tmp, half=True)


def _src_mse(zs, ys, ts, primes, loss, deltas, tmp) -> list[str]:
    return _src_squared(zs, ys, ts, primes, loss, deltas, tmp, half=False)


def _src_bce(zs, ys, ts, primes, loss, deltas, tmp) -> list[str]:
    k = len(ys)
    terms = [f"{t} * sp(-{z}) + (1.0 - {t}) * sp({z})" for z, t in zip(zs, ts, strict=True)]
    lines = [f"{loss} = ({_sum(terms)}) / {k}"]
    lines += [f"{d} = ({t} - {y}) / {k}" for d, t, y in zip(deltas, ts, ys, strict=True)]
    return lines


def _src_cross_entropy(zs, ys, ts, primes, loss, deltas, tmp) -> list[str]:
    top = f"max({', '.join(zs)})" if len(zs) > 1 else zs[0]
    lines = [f"mx{tmp} = {top}"]
    lines.append(f"lse{tmp} = mx{tmp} + log({_sum([f'exp({z} - mx{tmp})' for z in zs])})")
    lines.append(
        f"{loss} = {_sum([f'{t} * (lse{tmp} - {z})' for z, t in zip(zs, ts, strict=True)])}"
    )
    lines.append(f"ts{tmp} = {_sum(ts)}")
    lines += [f"{d} = {t} - {y} * ts{tmp}" for d, t, y in zip(deltas, ts, ys, strict=True)]
    return lines


# ---------------------------------------------------------------------- formulas
# ``formula(t, y, z)`` (one sample's K values) gives the loss's (symbolic, numbers,
# evaluable expression); ``delta_formula(t, y, z, k, t_sum, act, derivative)`` the same for
# one output's error term: δ = −∂E_s/∂z, or with ``derivative`` δ = ∂E_s/∂z (the negated
# formula, e.g. (y − t)·σ′(z)).


def _f_half_sse(t: Array, y: Array, z: Array) -> tuple[str, str, str]:
    err = t - y
    num = "½ × (" + " + ".join(f"{shown(e)}²" for e in err) + ")"
    expr = (
        "0.5*(" + " + ".join(f"({full(a)} - {full(b)})**2" for a, b in zip(t, y, strict=True)) + ")"
    )
    return "½ Σⱼ (tⱼ − yⱼ)²", num, expr


def _f_mse(t: Array, y: Array, z: Array) -> tuple[str, str, str]:
    k = len(t)
    num = f"(1/{k}) × (" + " + ".join(f"{shown(e)}²" for e in t - y) + ")"
    expr = (
        f"(1/{k})*("
        + " + ".join(f"({full(a)} - {full(b)})**2" for a, b in zip(t, y, strict=True))
        + ")"
    )
    return "(1/K) Σⱼ (tⱼ − yⱼ)²", num, expr


def _f_bce(t: Array, y: Array, z: Array) -> tuple[str, str, str]:
    k = len(t)
    num = (
        f"−(1/{k}) × ("
        + " + ".join(
            f"{shown(a)}·log {shown(b)} + {shown(1 - a)}·log {shown(1 - b)}"
            for a, b in zip(t, y, strict=True)
        )
        + ")"
    )
    expr = (
        f"(1/{k})*("
        + " + ".join(
            f"{exact(a)}*log(1+exp(-{exact(c)})) + (1-{exact(a)})*log(1+exp({exact(c)}))"
            for a, c in zip(t, z, strict=True)
        )
        + ")"
    )
    return "−(1/K) Σⱼ [tⱼ log yⱼ + (1 − tⱼ) log(1 − yⱼ)]", num, expr


def _f_cross_entropy(t: Array, y: Array, z: Array) -> tuple[str, str, str]:
    num = " + ".join(f"−{shown(a)}·log {shown(b)}" for a, b in zip(t, y, strict=True))
    lse = "log(" + " + ".join(f"exp({exact(c)})" for c in z) + ")"
    expr = " + ".join(f"{exact(a)}*({lse} - {exact(c)})" for a, c in zip(t, z, strict=True))
    return "−Σⱼ tⱼ log yⱼ", num, expr


def _diff(t: float, y: float, derivative: bool) -> tuple[str, str, str]:
    """(symbolic, numbers, expression) of t − y, or of y − t with δ = ∂E/∂z."""
    if derivative:
        return "y − t", shown(y - t), f"({exact(y)} - {exact(t)})"
    return "t − y", shown(t - y), f"({exact(t)} - {exact(y)})"


def _d_half_sse(t, y, z, k, t_sum, act, derivative: bool = False) -> tuple[str, str, str]:
    sym, num, expr = _diff(t, y, derivative)
    return (
        f"({sym})·{act.symbol}′(z)",
        f"{num} × {act.symbol}′({fmt(z)})",
        f"{expr}*{act.py_name}_prime({exact(z)})",
    )


def _d_mse(t, y, z, k, t_sum, act, derivative: bool = False) -> tuple[str, str, str]:
    sym, num, expr = _diff(t, y, derivative)
    return (
        f"(2/K)·({sym})·{act.symbol}′(z)",
        f"(2/{k}) × {num} × {act.symbol}′({fmt(z)})",
        f"(2/{k})*{expr}*{act.py_name}_prime({exact(z)})",
    )


def _d_bce(t, y, z, k, t_sum, act, derivative: bool = False) -> tuple[str, str, str]:
    sym, num, _ = _diff(t, y, derivative)
    expr = (
        f"(sigmoid({exact(z)}) - {exact(t)})/{k}"
        if derivative
        else f"({exact(t)} - sigmoid({exact(z)}))/{k}"
    )
    return (f"({sym})/K", f"{num} / {k}", expr)


def _d_cross_entropy(t, y, z, k, t_sum, act, derivative: bool = False) -> tuple[str, str, str]:
    if t_sum == 1.0:
        if derivative:
            return ("y − t", f"{shown(y)} − {shown(t)}", f"{exact(y)} - {exact(t)}")
        return ("t − y", f"{shown(t)} − {shown(y)}", f"{exact(t)} - {exact(y)}")
    if derivative:
        return (
            "y·Σt − t",
            f"{shown(y)}×{shown(t_sum)} − {shown(t)}",
            f"{exact(y)}*{exact(t_sum)} - {exact(t)}",
        )
    return (
        "t − y·Σt",
        f"{shown(t)} − {shown(y)}×{shown(t_sum)}",
        f"{exact(t)} - {exact(y)}*{exact(t_sum)}",
    )


@dataclass(frozen=True)
class Loss:
    """A loss with everything the project needs of it, in one place: its value per sample
    and its output error term (NumPy), the scalar kernel's source for both, the formulas
    shown for both, and which output activations it accepts."""

    name: str
    title: str
    per_sample: Callable[[Array, Array, Array], Array]
    error_term: Callable[..., Array]
    allowed_outputs: tuple[str, ...] | None  # None: any output activation except softmax
    source: Callable[..., list[str]]
    formula: Callable[[Array, Array, Array], tuple[str, str, str]]
    delta_formula: Callable[..., tuple[str, str, str]]

    def allows(self, output_activation: str) -> bool:
        """Whether this loss may follow an output layer with ``output_activation``."""
        if self.allowed_outputs is None:
            return output_activation != "softmax"
        return output_activation in self.allowed_outputs

    def check_pairing(self, output_activation: str) -> None:
        """Raise ValueError with a clear message for a pairing the engine refuses."""
        if self.allows(output_activation):
            return
        if self.allowed_outputs is None:
            need = "any output activation but softmax (softmax goes with cross_entropy)"
        else:
            need = " or ".join(self.allowed_outputs) + " output"
        raise ValueError(
            f"loss {self.name!r} cannot follow a {output_activation} output layer; it needs {need}"
        )


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "half_sse",
            "½ Σ (t − y)²",
            _half_sse,
            _delta_half_sse,
            None,
            _src_half_sse,
            _f_half_sse,
            _d_half_sse,
        ),
        Loss("mse", "mean (t − y)²", _mse, _delta_mse, None, _src_mse, _f_mse, _d_mse),
        Loss(
            "binary_cross_entropy",
            "binary cross-entropy",
            _bce,
            _delta_bce,
            ("sigmoid",),
            _src_bce,
            _f_bce,
            _d_bce,
        ),
        Loss(
            "cross_entropy",
            "−Σ t log y",
            _cross_entropy,
            _delta_cross_entropy,
            ("softmax",),
            _src_cross_entropy,
            _f_cross_entropy,
            _d_cross_entropy,
        ),
    )
}


def get_loss(name: str) -> Loss:
    """The loss called ``name``; a clear error naming the choices otherwise."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r} (choose one of: {', '.join(LOSSES)})") from None


def losses_for(output_activation: str) -> list[str]:
    """Names of the losses allowed after an output layer with ``output_activation``."""
    return [name for name, loss in LOSSES.items() if loss.allows(output_activation)]
