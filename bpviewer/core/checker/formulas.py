"""The exercise's formulas in plain NumPy: a quick expected step (to tell which values in a
script are its inputs) and each quantity recomputed from the script's own earlier values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bpviewer.core.engine.activations import QUIET


def sig(z: np.ndarray) -> np.ndarray:
    """σ(z), elementwise."""
    with np.errstate(**QUIET):
        return 1.0 / (1.0 + np.exp(-z))


def sig_prime(z: np.ndarray) -> np.ndarray:
    """σ′(z) = σ(z)(1 − σ(z)), elementwise."""
    s = sig(z)
    return s * (1.0 - s)


def vec(a: np.ndarray | None) -> np.ndarray | None:
    """A per-unit quantity as a flat vector: (n,), (1, n) and scalars are the same."""
    return None if a is None else np.asarray(a, dtype=np.float64).reshape(-1)


def quick_step(
    x: np.ndarray,
    t: np.ndarray,
    lr: float,
    w_ih: np.ndarray,
    w_ho: np.ndarray,
    b_h: np.ndarray | None = None,
    b_o: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """One step for x (n,), t (k,), W_ih (n, m), W_ho (m, k): every quantity, flat."""
    with np.errstate(all="ignore"):
        z1 = x @ w_ih + (0 if b_h is None else b_h)
        a1 = sig(z1)
        z2 = a1 @ w_ho + (0 if b_o is None else b_o)
        a2 = sig(z2)
        err = t - a2
        d2 = err * sig_prime(z2)
        d1 = (w_ho @ d2) * sig_prime(z1)
        return {
            "hidden_layer_input": z1,
            "hidden_layer_output": a1,
            "output_layer_in": z2,
            "output": a2,
            "error": err,
            "output_error_term": d2,
            "hidden_error_term": d1,
            "delta_w_h_o": lr * np.outer(a1, d2),
            "delta_w_i_h": lr * np.outer(x, d1),
        }


def own_recomputations(
    got: dict[str, Any],
    x: np.ndarray,
    t: np.ndarray,
    lr: float,
    w_ih: np.ndarray,
    w_ho: np.ndarray,
    w_shape_ho: tuple[int, ...],
    b_h: np.ndarray | None,
    b_o: np.ndarray | None,
) -> dict[str, Any]:
    """Each quantity by its formula from the script's own earlier values (None if one is
    missing): x (n,), t (k,), W_ih (n, m), W_ho (m, k); ΔW_ho shaped ``w_shape_ho``."""
    out: dict[str, Any] = {}

    def put(name: str, fn: Callable[[], np.ndarray]) -> None:
        try:
            with np.errstate(all="ignore"):
                out[name] = np.asarray(fn(), dtype=np.float64)
        except (TypeError, ValueError):
            out[name] = None

    v = {k: (None if a is None else vec(a)) for k, a in got.items()}
    put("hidden_layer_input", lambda: x @ w_ih + (0 if b_h is None else b_h))
    if v.get("hidden_layer_input") is not None:
        put("hidden_layer_output", lambda: sig(v["hidden_layer_input"]))
    if v.get("hidden_layer_output") is not None:
        put(
            "output_layer_in", lambda: v["hidden_layer_output"] @ w_ho + (0 if b_o is None else b_o)
        )
    if v.get("output_layer_in") is not None:
        put("output", lambda: sig(v["output_layer_in"]))
    if v.get("output") is not None:
        put("error", lambda: t - v["output"])
    if v.get("error") is not None and v.get("output_layer_in") is not None:
        put("output_error_term", lambda: v["error"] * sig_prime(v["output_layer_in"]))
    if v.get("output_error_term") is not None and v.get("hidden_layer_input") is not None:
        put(
            "hidden_error_term",
            lambda: (w_ho @ v["output_error_term"]) * sig_prime(v["hidden_layer_input"]),
        )
    if v.get("output_error_term") is not None and v.get("hidden_layer_output") is not None:
        put(
            "delta_w_h_o",
            lambda: (lr * np.outer(v["hidden_layer_output"], v["output_error_term"])).reshape(
                w_shape_ho
            ),
        )
    if v.get("hidden_error_term") is not None:
        put("delta_w_i_h", lambda: lr * np.outer(x, v["hidden_error_term"]))
    return out
