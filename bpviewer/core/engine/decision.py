"""The decision boundary of a 2-input network: its output over a grid of the input plane."""

from __future__ import annotations

import numpy as np

from bpviewer.core.data.features import with_features
from bpviewer.core.engine.activations import get_activation
from bpviewer.core.engine.network import Network


def plane(inputs: np.ndarray, n: int = 80, margin: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    """Grid coordinates covering the raw 2-D inputs (N, 2) with a margin: xs (n,), ys (n,).

    (The extent column by column: ``min(axis=0)`` over a strided (N, 2) is about 40× slower
    at 10⁶ samples, and the diagram's unit maps ask at every step.)"""
    columns = [np.ascontiguousarray(inputs[:, k]) for k in range(2)]
    lo = np.array([c.min() for c in columns])
    hi = np.array([c.max() for c in columns])
    pad = (hi - lo) * margin + 1e-9
    return np.linspace(lo[0] - pad[0], hi[0] + pad[0], n), np.linspace(
        lo[1] - pad[1], hi[1] + pad[1], n
    )


def decision_grid(
    network: Network,
    xs: np.ndarray,
    ys: np.ndarray,
    features: list[str] | None = None,
    layer: int | None = None,
    unit: int = 0,
) -> np.ndarray:
    """Values over the grid, shape (len(ys), len(xs)): with several outputs the winning one
    (0 … K−1, as :func:`classify` decides), with one output its value; with ``layer``
    (1-based), that layer's ``unit`` activation instead (what a hidden unit has learned)."""
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    points = with_features(points, list(features or []))
    _, activations = network.forward_pass(points)
    if layer is not None:
        values = activations[layer - 1][:, unit]
    elif activations[-1].shape[1] > 1:
        values = np.argmax(activations[-1], axis=1).astype(np.float64)
    else:
        values = activations[-1][:, 0]
    return values.reshape(gy.shape)


def threshold(activation: str) -> float:
    """Where one output splits two classes (the activation's ``split``: 0 for tanh, whose
    targets are ±1; 0.5 for the others)."""
    return get_activation(activation).split


def true_classes(network: Network, targets: np.ndarray) -> np.ndarray | None:
    """The class of each target row (N, K): the one-hot column, or for one 0/1 column
    (after sigmoid; ±1 after tanh) whether it is the high value; None for targets that are
    not classes (regression)."""
    t = np.asarray(targets, dtype=np.float64)
    if t.shape[1] > 1:
        if not (np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=1) == 1)):
            return None
        return np.argmax(t, axis=1)
    split = threshold(network.activations[-1])
    low, high = (-1.0, 1.0) if split == 0.0 else (0.0, 1.0)
    if not np.all((t[:, 0] == low) | (t[:, 0] == high)):
        return None
    return (t[:, 0] > split).astype(int)


def accuracy(network: Network, inputs: np.ndarray, targets: np.ndarray) -> float | None:
    """The share of samples (N, n) whose class :func:`classify` gets right, for targets
    (N, K) that are classes (one-hot, or one 0/1 column after sigmoid or tanh ±1); None
    for targets that are not classes (regression)."""
    truth = true_classes(network, targets)
    if truth is None:
        return None
    return float(np.mean(classify(network, inputs) == truth))


def confusion(network: Network, inputs: np.ndarray, targets: np.ndarray) -> np.ndarray | None:
    """Counts (K, K) of samples (N, n) of true class i that :func:`classify` puts in class
    j (K: the number of classes, 2 for one output); None for targets that are not
    classes."""
    truth = true_classes(network, targets)
    if truth is None:
        return None
    k = max(2, np.asarray(targets).shape[1])
    guess = classify(network, inputs)
    return np.bincount(truth * k + guess, minlength=k * k).reshape(k, k)


def classify(network: Network, inputs: np.ndarray) -> np.ndarray:
    """Predicted class of each row (N, n): argmax for several outputs; for one output,
    whether it is above :func:`threshold`."""
    y = network.predict(inputs)
    if y.shape[1] > 1:
        return np.argmax(y, axis=1)
    return (y[:, 0] > threshold(network.activations[-1])).astype(int)
