"""Derived input features for 2-D data: x₁², x₂², x₁x₂, sin x₁, sin x₂ as extra inputs."""

from __future__ import annotations

import numpy as np

#: Name -> function of the two raw inputs (each (N,)), giving (N,).
FEATURES = {
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: np.sin(a),
    "sin(x2)": lambda a, b: np.sin(b),
}
LABELS = {"x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂", "sin(x1)": "sin x₁", "sin(x2)": "sin x₂"}


def with_features(inputs: np.ndarray, features: list[str]) -> np.ndarray:
    """The two raw inputs (N, 2) followed by the chosen derived features: (N, 2 + k)."""
    unknown = [f for f in features if f not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature(s) {unknown} (choose from: {', '.join(FEATURES)})")
    if features and inputs.shape[1] != 2:
        raise ValueError("derived features need exactly two raw inputs")
    a, b = inputs[:, 0], inputs[:, 1] if inputs.shape[1] > 1 else inputs[:, 0]
    return np.column_stack([inputs, *(FEATURES[f](a, b) for f in features)]) if features else inputs
