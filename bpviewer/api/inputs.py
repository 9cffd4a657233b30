"""Turning what users pass (lists, 1-D samples, file paths) into the engine's arrays."""

from __future__ import annotations

from typing import Any

import numpy as np

from bpviewer.core.engine.network import Network
from bpviewer.core.errors import DataError


def batch(x: Any, width: int, what: str) -> np.ndarray:
    """``x`` as a float64 batch (B, width): one sample may be given as a 1-D vector."""
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be numbers, got {type(x).__name__}") from None
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2 or a.shape[1] != width:
        raise DataError(
            f"{what} must have {width} columns (one row per sample), got shape {a.shape}"
        )
    if not np.all(np.isfinite(a)):
        raise DataError(f"{what} must be finite numbers")
    return a


def samples(network: Network, x: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (B, n_0) and targets (B, n_L) for ``network``, with the same B."""
    xs = batch(x, network.layer_sizes[0], "x")
    ts = batch(target, network.layer_sizes[-1], "target")
    if xs.shape[0] != ts.shape[0]:
        raise DataError(f"x has {xs.shape[0]} samples but target has {ts.shape[0]}")
    return xs, ts
