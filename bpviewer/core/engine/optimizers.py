"""Optimisers: SGD, SGD with momentum, Adam, each with optional L2 weight decay.

An optimiser is pure: ``delta(i, g, w, state)`` returns the step Δ for parameter ``i`` and
that parameter's new slot, without touching ``state``; ``commit`` makes the new slots the
state of the next iteration.  The step machine computes Δ in Backward and commits in
Update; the fast training path calls the same two functions, so both agree bit for bit.

ΔW is always the step actually applied: ``W_new = W + ΔW``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bpviewer.core.engine.notation import exact, fmt, shown


@dataclass(frozen=True)
class OptimizerRule:
    """One update rule with everything the project needs of it, in one place.

    - ``slots``: arrays of state it keeps per parameter (momentum's velocity: 1, Adam's m
      and v: 2);
    - ``step(s, g, slot, t) -> (Δ, new slot)``: NumPy, for gradient ``g`` (weight decay
      already added) at step count ``t`` (1 for the first update);
    - ``prelude(s)`` and ``source(s, k)``: the scalar kernel's lines, once per iteration
      and per flat parameter ``k`` (``g`` and ``p{k}`` hold the gradient and the value;
      ``S0``/``S1`` are the slots), computing what ``step`` computes, in the same order;
    - ``formula(s, g, old, new, t, delta) -> (symbolic, numbers, expression)``: the step
      shown for one parameter (``g`` = (symbolic, numbers, expression) of the gradient,
      ``old``/``new`` its slot values before and after);
    - ``uses``: the settings it reads (the panels offer only those);
    - ``step_into(s, g, slot, t, out)``: ``step`` writing Δ into the buffer ``out`` (may be
      ``g`` itself), for a rule whose slots need no new arrays (the fast training path).
    """

    name: str
    slots: int
    step: Callable[..., tuple[np.ndarray, tuple[np.ndarray, ...]]]
    prelude: Callable[[OptimizerSettings], list[str]]
    source: Callable[[OptimizerSettings, int], list[str]]
    formula: Callable[..., tuple[str, str, str]]
    uses: tuple[str, ...] = ("learning_rate", "weight_decay")
    step_into: Callable[..., tuple[np.ndarray, tuple[np.ndarray, ...]]] | None = None


def _c(value: float) -> str:
    return f"({float(value)!r})"


def _sgd_step(s, g, slot, t):
    return np.multiply(g, -s.learning_rate), slot


def _sgd_step_into(s, g, slot, t, out):
    return np.multiply(g, -s.learning_rate, out=out), slot


def _sgd_source(s, k):
    return [f"P[{k}] = p{k} + g * {_c(-s.learning_rate)}"]


def _sgd_formula(s, g, old, new, t, delta):
    return (
        f"−η·{g[0]}",
        f"−{shown(s.learning_rate)} × {g[1]} = {fmt(delta)}",
        f"-{exact(s.learning_rate)}*{g[2]}",
    )


def _momentum_step(s, g, slot, t):
    v = s.momentum * slot[0] - s.learning_rate * g
    return v, (v,)


def _momentum_source(s, k):
    return [
        f"v = {_c(s.momentum)} * S0[{k}] - {_c(s.learning_rate)} * g",
        f"S0[{k}] = v",
        f"P[{k}] = p{k} + v",
    ]


def _momentum_formula(s, g, old, new, t, delta):
    mu, lr, vel = s.momentum, s.learning_rate, old[0]
    return (
        f"μ·v − η·{g[0]}",
        f"{shown(mu)} × {shown(vel)} − {shown(lr)} × {g[1]} = {fmt(delta)}",
        f"{exact(mu)}*{exact(vel)} - {exact(lr)}*{g[2]}",
    )


def _adam_step(s, g, slot, t):
    m = s.beta1 * slot[0] + (1.0 - s.beta1) * g
    v = s.beta2 * slot[1] + (1.0 - s.beta2) * (g * g)
    m_hat = m / (1.0 - s.beta1**t)
    v_hat = v / (1.0 - s.beta2**t)
    return -s.learning_rate * m_hat / (np.sqrt(v_hat) + s.eps), (m, v)


def _adam_prelude(s):
    return [f"c1 = 1.0 - {_c(s.beta1)} ** (t + 1)", f"c2 = 1.0 - {_c(s.beta2)} ** (t + 1)"]


def _adam_source(s, k):
    return [
        f"m = {_c(s.beta1)} * S0[{k}] + {_c(1.0 - s.beta1)} * g",
        f"v = {_c(s.beta2)} * S1[{k}] + {_c(1.0 - s.beta2)} * (g * g)",
        f"S0[{k}] = m",
        f"S1[{k}] = v",
        f"P[{k}] = p{k} + {_c(-s.learning_rate)} * (m / c1) / (sqrt(v / c2) + {_c(s.eps)})",
    ]


def _adam_formula(s, g, old, new, t, delta):
    lr, b1, b2, eps = s.learning_rate, s.beta1, s.beta2, s.eps
    m_exp = f"({exact(b1)}*{exact(old[0])} + (1-{exact(b1)})*{g[2]})"
    v_exp = f"({exact(b2)}*{exact(old[1])} + (1-{exact(b2)})*{g[2]}**2)"
    return (
        "−η·m̂/(√v̂ + ε), m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)",
        f"−{shown(lr)} × ({fmt(new[0])}/(1−{fmt(b1)}^{t})) / (√({fmt(new[1])}/(1−{fmt(b2)}^{t}))"
        f" + {fmt(eps)}) = {fmt(delta)}",
        f"-{exact(lr)}*({m_exp}/(1-{exact(b1)}**{t}))/(sqrt({v_exp}/(1-{exact(b2)}**{t})) "
        f"+ {exact(eps)})",
    )


RULES: dict[str, OptimizerRule] = {
    rule.name: rule
    for rule in (
        OptimizerRule(
            "sgd",
            0,
            _sgd_step,
            lambda s: [],
            _sgd_source,
            _sgd_formula,
            step_into=_sgd_step_into,
        ),
        OptimizerRule(
            "momentum",
            1,
            _momentum_step,
            lambda s: [],
            _momentum_source,
            _momentum_formula,
            ("learning_rate", "momentum", "weight_decay"),
        ),
        OptimizerRule(
            "adam",
            2,
            _adam_step,
            _adam_prelude,
            _adam_source,
            _adam_formula,
            ("learning_rate", "beta1", "beta2", "eps", "weight_decay"),
        ),
    )
}
#: The optimisers' names, in the order menus list them.
OPTIMIZERS = tuple(RULES)


def get_rule(name: str) -> OptimizerRule:
    """The update rule called ``name``; a clear error naming the choices otherwise."""
    try:
        return RULES[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown optimizer {name!r} (choose one of: {', '.join(RULES)})"
        ) from None


#: The update rules' settings besides the rule's name, as project files name them.
OPTIMIZER_KEYS = ("learning_rate", "momentum", "beta1", "beta2", "eps", "weight_decay")


@dataclass(frozen=True)
class OptimizerSettings:
    """Hyperparameters of the update rule (the project's ``training`` section)."""

    name: str = "sgd"
    learning_rate: float = 0.5
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    weight_decay: float = 0.0

    def __post_init__(self) -> None:
        get_rule(self.name)
        for key in OPTIMIZER_KEYS:
            value = getattr(self, key)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"training.{key} must be a finite number >= 0, got {value!r}")
        for key, why in (
            ("momentum", "the velocity would never decay"),
            ("beta1", "Adam divides by 1 − β₁ᵗ"),
            ("beta2", "Adam divides by 1 − β₂ᵗ"),
        ):
            if getattr(self, key) >= 1:
                raise ValueError(
                    f"training.{key} must be below 1 ({why}), got {getattr(self, key)!r}"
                )
        if self.learning_rate <= 0:
            raise ValueError(
                "training.learning_rate must be above 0 (η = 0 never changes a weight), "
                f"got {self.learning_rate!r}"
            )
        if self.eps <= 0:
            raise ValueError(
                f"training.eps must be above 0 (Adam divides by √v + ε), got {self.eps!r}"
            )


@dataclass
class OptimizerState:
    """Per-parameter slots (momentum velocity, or Adam's m and v) and the step count."""

    t: int = 0
    slots: list[tuple[np.ndarray, ...]] = field(default_factory=list)

    def copy(self) -> OptimizerState:
        """A deep copy."""
        return OptimizerState(self.t, [tuple(a.copy() for a in s) for s in self.slots])


class Optimizer:
    """The update rule for a list of parameters.

    ``decays[i]`` says whether parameter i takes weight decay (weights do, biases don't);
    ``frozen[i]`` keeps parameter i fixed (``update_biases: false``).
    """

    def __init__(self, settings: OptimizerSettings, decays: list[bool], frozen: list[bool]) -> None:
        self.settings = settings
        self.decays = decays
        self.frozen = frozen

    def initial_state(self, params: list[np.ndarray]) -> OptimizerState:
        """Zero slots shaped like ``params``."""
        n = get_rule(self.settings.name).slots
        return OptimizerState(0, [tuple(np.zeros_like(p) for _ in range(n)) for p in params])

    def delta(
        self,
        i: int,
        g: np.ndarray,
        w: np.ndarray,
        state: OptimizerState,
        out: np.ndarray | None = None,
    ) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """The step Δ for parameter ``i`` (gradient ``g`` = ∂E/∂w, value ``w``, both shaped
        like the parameter) and its new slot.

        ``out`` (shaped like ``w``; may be ``g`` itself, which is then overwritten) is a
        buffer for Δ: a rule with a ``step_into`` (plain SGD) writes Δ there with the same
        operations, so the same bits, and returns it; the others return new arrays, as
        their slots must be.
        """
        s = self.settings
        slot = state.slots[i]
        rule = get_rule(s.name)
        if out is None or rule.step_into is None:
            if self.frozen[i]:
                return np.zeros_like(w), slot
            if self.decays[i] and s.weight_decay:
                g = g + s.weight_decay * w
            return rule.step(s, g, slot, state.t + 1)
        if self.frozen[i]:
            out.fill(0.0)
            return out, slot
        if self.decays[i] and s.weight_decay:
            decay = s.weight_decay * w if out is g else np.multiply(s.weight_decay, w, out=out)
            g = np.add(g, decay, out=out)
        return rule.step_into(s, g, slot, state.t + 1, out)

    @staticmethod
    def commit(state: OptimizerState, new_slots: list[tuple[np.ndarray, ...]]) -> OptimizerState:
        """The state after an update whose parameters produced ``new_slots``."""
        return OptimizerState(state.t + 1, new_slots)
