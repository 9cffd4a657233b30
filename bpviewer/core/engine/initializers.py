"""Weight initialisation schemes: uniform, Glorot (Xavier) and He, each from a seed."""

from __future__ import annotations

import numpy as np

INIT_SCHEMES = ("uniform", "glorot", "he")


def initial_weights(n_in: int, n_out: int, scheme: str, rng: np.random.Generator) -> np.ndarray:
    """A fresh weight matrix of shape (n_in, n_out) drawn by ``scheme``.

    - ``uniform``: U(−0.5, 0.5)
    - ``glorot``: U(−r, r), r = √(6 / (n_in + n_out))
    - ``he``: N(0, 2 / n_in)
    """
    if scheme == "uniform":
        return rng.uniform(-0.5, 0.5, size=(n_in, n_out))
    if scheme == "glorot":
        r = np.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-r, r, size=(n_in, n_out))
    if scheme == "he":
        return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
    raise ValueError(f"unknown init {scheme!r} (choose one of: {', '.join(INIT_SCHEMES)})")
