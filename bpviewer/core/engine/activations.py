"""Activation functions: each forward rule next to its derivative.

Every function works elementwise on arrays of any shape, shape (batch, units) in practice,
and accepts ``out=`` so the fast training path can reuse buffers; the traced step machine
calls the very same functions, so both paths compute the same bits.

Overflow is harmless here by construction (``exp(1000) = inf`` gives a sigmoid of exactly 0);
callers run these under ``np.errstate(over="ignore")`` via :data:`QUIET`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

#: Floating-point state every engine computation runs under. Overflow to inf in exp() is an
#: expected intermediate of a saturated sigmoid, and a diverging run produces inf and NaN
#: that the watchpoints report as results; neither is a warning for the user.
QUIET = {"all": "ignore"}

LEAKY_SLOPE = 0.01


def _sigmoid(z: Array, out: Array | None = None) -> Array:
    out = np.negative(z, out=out)
    np.exp(out, out=out)
    np.add(out, 1.0, out=out)
    return np.divide(1.0, out, out=out)


def _sigmoid_prime(z: Array, a: Array, out: Array | None = None) -> Array:
    out = np.subtract(1.0, a, out=out)
    return np.multiply(a, out, out=out)


def _tanh(z: Array, out: Array | None = None) -> Array:
    return np.tanh(z, out=out)


def _tanh_prime(z: Array, a: Array, out: Array | None = None) -> Array:
    out = np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)


def _relu(z: Array, out: Array | None = None) -> Array:
    return np.maximum(z, 0.0, out=out)


def _relu_prime(z: Array, a: Array, out: Array | None = None) -> Array:
    return _into((z > 0.0).astype(np.float64), out)


def _leaky_relu(z: Array, out: Array | None = None) -> Array:
    return _into(np.where(z > 0.0, z, LEAKY_SLOPE * z), out)


def _leaky_relu_prime(z: Array, a: Array, out: Array | None = None) -> Array:
    return _into(np.where(z > 0.0, 1.0, LEAKY_SLOPE), out)


def _linear(z: Array, out: Array | None = None) -> Array:
    if out is None:
        return z.copy()
    out[...] = z
    return out


def _linear_prime(z: Array, a: Array, out: Array | None = None) -> Array:
    if out is None:
        return np.ones_like(z)
    out.fill(1.0)
    return out


def _softmax(z: Array, out: Array | None = None) -> Array:
    shifted = z - z.max(axis=-1, keepdims=True)
    out = np.exp(shifted, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


def _into(value: Array, out: Array | None) -> Array:
    """``value``, copied into ``out`` when a buffer is given."""
    if out is None:
        return value
    out[...] = value
    return out


@dataclass(frozen=True)
class Activation:
    """One activation function with everything the project needs of it, in one place.

    - ``forward(z, out=None) -> a`` and ``derivative(z, a, out=None) -> f'(z)``: NumPy,
      elementwise, arrays of any shape (batch, units) in practice; also on long double
      (the gradient check's oracle);
    - ``scalar(z)`` and ``scalar_prime(z)``: the same on one float, with :mod:`math` only,
      evaluating the formulas shown (an independent path from the arrays);
    - ``source(z) -> str`` and ``source_prime(z, a) -> str``: Python expressions the scalar
      training kernel compiles (``z`` and ``a`` are variable names), computing what the
      NumPy functions compute, in the same order;
    - ``symbol`` for formulas (``σ``) and ``latex`` for exports (``\\sigma``);
    - ``split``: where one output of it splits two classes; ``kinked``: whether its
      derivative jumps at 0 (the gradient check flags units that cross it).

    Softmax is the one function of a whole layer (``vector``): no elementwise derivative
    (its error term comes from its paired loss) and ``layer_source`` instead of ``source``.
    """

    name: str
    symbol: str
    latex: str
    forward: Callable[..., Array]
    derivative: Callable[..., Array] | None
    scalar: Callable[[float], float] | None
    scalar_prime: Callable[[float], float] | None
    source: Callable[[str], str] | None
    source_prime: Callable[[str, str], str] | None
    split: float = 0.5
    kinked: bool = False
    output_only: bool = False
    layer_source: Callable[[list[str], list[str], str], list[str]] | None = None

    @property
    def py_name(self) -> str:
        """The function name formula expressions use (``sigmoid(…)``, ``sigmoid_prime(…)``)."""
        return self.name

    @property
    def vector(self) -> bool:
        """Whether it is a function of the whole layer (softmax)."""
        return self.layer_source is not None

    def missing(self) -> list[str]:
        """The facets this entry lacks (an elementwise one needs them all)."""
        if self.vector:
            need = ("forward", "layer_source")
        else:
            need = (
                "forward",
                "derivative",
                "scalar",
                "scalar_prime",
                "source",
                "source_prime",
            )
        out = [facet for facet in need if not callable(getattr(self, facet))]
        out += [facet for facet in ("name", "symbol", "latex") if not getattr(self, facet)]
        return out

    def kernel_lines(self, zs: list[str], outs: list[str], tmp: str) -> list[str]:
        """Scalar-kernel lines setting ``outs[j]`` from ``zs[j]`` (``tmp`` prefixes helper
        names)."""
        if self.layer_source is not None:
            return self.layer_source(zs, outs, tmp)
        return [f"{a} = {self.source(z)}" for z, a in zip(zs, outs, strict=True)]


ACTIVATIONS: dict[str, Activation] = {}


def register_activation(activation: Activation) -> Activation:
    """Add an activation to the registry (refused, naming the facet, when one is missing)."""
    missing = activation.missing()
    if missing:
        raise ValueError(
            f"activation {activation.name!r} lacks {', '.join(missing)}: every activation "
            "needs its NumPy forward and derivative, their scalar forms, the scalar kernel's "
            "source, a formula symbol and its LaTeX"
        )
    ACTIVATIONS[activation.name] = activation
    return activation


def unregister_activation(name: str) -> None:
    """Remove an activation added with :func:`register_activation` (tests)."""
    ACTIVATIONS.pop(name, None)


def get_activation(name: str) -> Activation:
    """The activation called ``name``; a clear error naming the choices otherwise."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        choices = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r} (choose one of: {choices})") from None


def sigmoid_scalar(z: float) -> float:
    """σ(z) for one float, overflow-safe."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _c(value: float) -> str:
    """A float constant in generated code, exactly."""
    return f"({float(value)!r})"


def _softmax_source(zs: list[str], outs: list[str], tmp: str) -> list[str]:
    # as _softmax: exp(z − max z) / Σ exp(z − max z)
    lines = [f"m{tmp} = max({', '.join(zs)})" if len(zs) > 1 else f"m{tmp} = {zs[0]}"]
    lines += [f"e{j}{tmp} = exp({z} - m{tmp})" for j, z in enumerate(zs)]
    lines.append(f"s{tmp} = {' + '.join(f'e{j}{tmp}' for j in range(len(zs)))}")
    lines += [f"{a} = e{j}{tmp} / s{tmp}" for j, a in enumerate(outs)]
    return lines


for _activation in (
    Activation(
        "sigmoid",
        "σ",
        r"\sigma ",
        _sigmoid,
        _sigmoid_prime,
        sigmoid_scalar,
        lambda z: sigmoid_scalar(z) * (1.0 - sigmoid_scalar(z)),
        # NumPy: 1/(1+exp(-z)), exp overflowing to inf gives exactly 0
        lambda z: f"(1.0 / (1.0 + exp(-{z})) if {z} > -709.0 else 0.0)",
        lambda z, a: f"({a} * (1.0 - {a}))",
    ),
    Activation(
        "tanh",
        "tanh",
        r"\tanh ",
        _tanh,
        _tanh_prime,
        math.tanh,
        lambda z: 1.0 - math.tanh(z) ** 2,
        lambda z: f"tanh({z})",
        lambda z, a: f"(1.0 - {a} * {a})",
        split=0.0,  # targets ±1
    ),
    Activation(
        "relu",
        "relu",
        r"\operatorname{relu}",
        _relu,
        _relu_prime,
        lambda z: max(z, 0.0),
        lambda z: 1.0 if z > 0 else 0.0,
        lambda z: f"({z} if {z} > 0.0 else 0.0)",
        lambda z, a: f"(1.0 if {z} > 0.0 else 0.0)",
        kinked=True,
    ),
    Activation(
        "leaky_relu",
        "lrelu",
        r"\operatorname{lrelu}",
        _leaky_relu,
        _leaky_relu_prime,
        lambda z: z if z > 0 else LEAKY_SLOPE * z,
        lambda z: 1.0 if z > 0 else LEAKY_SLOPE,
        lambda z: f"({z} if {z} > 0.0 else {_c(LEAKY_SLOPE)} * {z})",
        lambda z, a: f"(1.0 if {z} > 0.0 else {_c(LEAKY_SLOPE)})",
        kinked=True,
    ),
    Activation(
        "linear",
        "id",
        r"\operatorname{id}",
        _linear,
        _linear_prime,
        lambda z: z,
        lambda z: 1.0,
        lambda z: z,
        lambda z, a: "1.0",
    ),
    Activation(
        "softmax",
        "softmax",
        r"\operatorname{softmax}",
        _softmax,
        None,
        None,
        None,
        None,
        None,
        output_only=True,
        layer_source=_softmax_source,
    ),
):
    register_activation(_activation)


def scalar_functions() -> dict[str, Callable[[float], float]]:
    """``name`` and ``name_prime`` of every elementwise activation, on floats (the names
    formula expressions call)."""
    out: dict[str, Callable[[float], float]] = {}
    for act in ACTIVATIONS.values():
        if act.scalar is not None and act.scalar_prime is not None:
            out[act.name] = act.scalar
            out[f"{act.name}_prime"] = act.scalar_prime
    return out
