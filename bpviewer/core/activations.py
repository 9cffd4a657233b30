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
    """One activation function.

    ``forward(z) -> a`` and ``derivative(z, a) -> f'(z)`` take and return arrays of the same
    shape.  ``symbol`` is how formulas write it (``σ``); ``py_name`` is the function name the
    evaluable form of a formula uses (see :mod:`bpviewer.core.formulas`).  ``derivative`` is
    ``None`` for softmax, whose error term comes from its paired loss.
    """

    name: str
    symbol: str
    py_name: str
    forward: Callable[..., Array]
    derivative: Callable[..., Array] | None
    output_only: bool = False


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", "σ", "sigmoid", _sigmoid, _sigmoid_prime),
        Activation("tanh", "tanh", "tanh", _tanh, _tanh_prime),
        Activation("relu", "relu", "relu", _relu, _relu_prime),
        Activation("leaky_relu", "lrelu", "leaky_relu", _leaky_relu, _leaky_relu_prime),
        Activation("linear", "id", "linear", _linear, _linear_prime),
        Activation("softmax", "softmax", "softmax", _softmax, None, output_only=True),
    )
}


def get_activation(name: str) -> Activation:
    """The activation called ``name``; a clear error naming the choices otherwise."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        choices = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r} (choose one of: {choices})") from None


# Scalar versions for evaluating formula strings (an independent path from the array code).
def sigmoid_scalar(z: float) -> float:
    """σ(z) for one float, overflow-safe."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


SCALAR_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sigmoid": sigmoid_scalar,
    "sigmoid_prime": lambda z: sigmoid_scalar(z) * (1.0 - sigmoid_scalar(z)),
    "tanh": math.tanh,
    "tanh_prime": lambda z: 1.0 - math.tanh(z) ** 2,
    "relu": lambda z: max(z, 0.0),
    "relu_prime": lambda z: 1.0 if z > 0 else 0.0,
    "leaky_relu": lambda z: z if z > 0 else LEAKY_SLOPE * z,
    "leaky_relu_prime": lambda z: 1.0 if z > 0 else LEAKY_SLOPE,
    "linear": lambda z: z,
    "linear_prime": lambda z: 1.0,
}
