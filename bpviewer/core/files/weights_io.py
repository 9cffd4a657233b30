"""Weights import and export as ``.npz`` (read with ``allow_pickle=False``).

Keys: ``W1``, ``W2``, … (shape (n_{l-1}, n_l)) and ``b1``, ``b2``, … for layers with a bias.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import numpy as np

from bpviewer.core.engine.network import Network
from bpviewer.core.errors import DataError
from bpviewer.core.files.atomic import write_atomic


def save_weights(network: Network, path: str | os.PathLike[str]) -> None:
    """Write every weight matrix and bias vector of ``network`` to ``path`` (atomic)."""
    arrays = {f"W{l}": w for l, w in enumerate(network.weights, start=1)}
    arrays.update({f"b{l}": b for l, b in enumerate(network.biases, start=1) if b is not None})
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_atomic(path, buffer.getvalue())


def load_weights(network: Network, path: str | os.PathLike[str]) -> Network:
    """A copy of ``network`` with the parameters from ``path``; shapes must match exactly."""
    p = Path(path)
    try:
        with np.load(p, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise DataError(f"{p}: no such file") from None
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise DataError(f"{p}: not a weights file ({exc})") from None
    out = network.copy()
    for l in range(1, network.n_layers + 1):
        key = f"W{l}"
        if key not in arrays:
            raise DataError(f"{p}: missing {key}")
        _assign(out.weights[l - 1], arrays[key], p, key)
        if out.biases[l - 1] is not None:
            if f"b{l}" not in arrays:
                raise DataError(f"{p}: missing b{l} (layer {l} has a bias)")
            _assign(out.biases[l - 1], arrays[f"b{l}"], p, f"b{l}")
        elif f"b{l}" in arrays:
            raise DataError(f"{p}: has b{l} but layer {l} of the network has no bias")
    return out


def _assign(target: np.ndarray, value: np.ndarray, path: Path, key: str) -> None:
    if value.shape != target.shape:
        raise DataError(f"{path}: {key} has shape {value.shape}, the network needs {target.shape}")
    if not np.issubdtype(value.dtype, np.number) or not np.all(np.isfinite(value)):
        raise DataError(f"{path}: {key} must hold finite numbers")
    target[...] = value
