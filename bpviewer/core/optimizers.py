"""Optimisers: SGD, SGD with momentum, Adam, each with optional L2 weight decay.

An optimiser is pure: ``delta(i, g, w, state)`` returns the step Δ for parameter ``i`` and
that parameter's new slot, without touching ``state``; ``commit`` makes the new slots the
state of the next iteration.  The step machine computes Δ in Backward and commits in
Update; the fast training path calls the same two functions, so both agree bit for bit.

ΔW is always the step actually applied: ``W_new = W + ΔW``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

OPTIMIZERS = ("sgd", "momentum", "adam")


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
        if self.name not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {self.name!r} (choose one of: {', '.join(OPTIMIZERS)})"
            )
        for key in ("learning_rate", "momentum", "beta1", "beta2", "eps", "weight_decay"):
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
        n = {"sgd": 0, "momentum": 1, "adam": 2}[self.settings.name]
        return OptimizerState(0, [tuple(np.zeros_like(p) for _ in range(n)) for p in params])

    def delta(
        self, i: int, g: np.ndarray, w: np.ndarray, state: OptimizerState
    ) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """The step Δ for parameter ``i`` (gradient ``g`` = ∂E/∂w, value ``w``) and its new slot."""
        s = self.settings
        slot = state.slots[i]
        if self.frozen[i]:
            return np.zeros_like(w), slot
        if self.decays[i] and s.weight_decay:
            g = g + s.weight_decay * w
        if s.name == "sgd":
            return np.multiply(g, -s.learning_rate), slot
        if s.name == "momentum":
            v = s.momentum * slot[0] - s.learning_rate * g
            return v, (v,)
        t = state.t + 1
        m = s.beta1 * slot[0] + (1.0 - s.beta1) * g
        v = s.beta2 * slot[1] + (1.0 - s.beta2) * (g * g)
        m_hat = m / (1.0 - s.beta1**t)
        v_hat = v / (1.0 - s.beta2**t)
        return -s.learning_rate * m_hat / (np.sqrt(v_hat) + s.eps), (m, v)

    @staticmethod
    def commit(state: OptimizerState, new_slots: list[tuple[np.ndarray, ...]]) -> OptimizerState:
        """The state after an update whose parameters produced ``new_slots``."""
        return OptimizerState(state.t + 1, new_slots)
