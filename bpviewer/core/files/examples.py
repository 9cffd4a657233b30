"""Built-in example projects: whole projects (network, training settings, data).

``seed`` is the course exercise in ``shared/reference/seed-exercise.md`` and the default.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from bpviewer.core.errors import ProjectError
from bpviewer.core.files.project import FORMAT, VERSION, Project, project_from_dict


def _project(
    name: str,
    description: str,
    network: dict[str, Any],
    training: dict[str, Any],
    data: dict[str, Any],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": name,
        "description": description,
        "network": network,
        "training": training,
        "data": data,
    }


def _logic(name: str, description: str) -> dict[str, Any]:
    return _project(
        name,
        description,
        {
            "layer_sizes": [2, 3, 1],
            "activations": ["tanh", "sigmoid"],
            "biases": [True, True],
            "init": "glorot",
            "seed": 1,
        },
        {"loss": "half_sse", "learning_rate": 0.5, "batch_size": 1, "optimizer": "sgd"},
        {"preset": name},
    )


EXAMPLES: dict[str, dict[str, Any]] = {
    "seed": _project(
        "seed",
        "The course exercise: one backpropagation step on a 3-2-1 sigmoid network, no biases.",
        {
            "layer_sizes": [3, 2, 1],
            "activations": ["sigmoid", "sigmoid"],
            "weights": [[[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]], [[0.1], [-0.3]]],
            "biases": [None, None],
        },
        {
            "loss": "half_sse",
            "learning_rate": 0.5,
            "batch_size": 1,
            "optimizer": "sgd",
            "update_biases": True,
        },
        {"inputs": [[0.5, 0.1, -0.2]], "targets": [[0.6]]},
    ),
    "xor": _logic("xor", "Exclusive or: not linearly separable, needs the hidden layer."),
    "and": _logic("and", "Logical and: linearly separable."),
    "or": _logic("or", "Logical or: linearly separable."),
    "circle": _project(
        "circle",
        "Points inside a circle of radius 0.5 against points outside it.",
        {
            "layer_sizes": [2, 8, 1],
            "activations": ["tanh", "sigmoid"],
            "biases": [True, True],
            "init": "glorot",
            "seed": 0,
        },
        {
            "loss": "binary_cross_entropy",
            "learning_rate": 0.05,
            "batch_size": 10,
            "optimizer": "adam",
            "shuffle": True,
            "seed": 0,
        },
        {"preset": "circle", "n": 200, "noise": 0.1, "seed": 0},
    ),
    "gaussians": _project(
        "gaussians",
        "Two Gaussian blobs: a nearly linear boundary.",
        {
            "layer_sizes": [2, 4, 1],
            "activations": ["tanh", "sigmoid"],
            "biases": [True, True],
            "init": "glorot",
            "seed": 0,
        },
        {
            "loss": "binary_cross_entropy",
            "learning_rate": 0.1,
            "batch_size": 10,
            "optimizer": "sgd",
            "shuffle": True,
            "seed": 0,
        },
        {"preset": "gaussians", "n": 200, "noise": 0.1, "seed": 0},
    ),
    "spiral": _project(
        "spiral",
        "Three interleaved spiral arms: a hard, curved boundary.",
        {
            "layer_sizes": [2, 16, 16, 3],
            "activations": ["tanh", "tanh", "softmax"],
            "biases": [True, True, True],
            "init": "glorot",
            "seed": 0,
        },
        {
            "loss": "cross_entropy",
            "learning_rate": 0.01,
            "batch_size": 16,
            "optimizer": "adam",
            "shuffle": True,
            "seed": 0,
        },
        {"preset": "spiral", "n": 300, "noise": 0.1, "seed": 0},
    ),
    "iris": _project(
        "iris",
        "Fisher's iris flowers: four measurements, three species (one-hot).",
        {
            "layer_sizes": [4, 8, 3],
            "activations": ["tanh", "softmax"],
            "biases": [True, True],
            "init": "glorot",
            "seed": 0,
        },
        {
            "loss": "cross_entropy",
            "learning_rate": 0.01,
            "batch_size": 16,
            "optimizer": "adam",
            "shuffle": True,
            "seed": 0,
        },
        {"preset": "iris", "standardize": True, "validation_split": 0.2, "split_seed": 0},
    ),
    # 1,000 iterations (the Train default; 22 epochs of 45 batches) take 0.1 s headless;
    # over eight seeds of the weights, split and shuffle they get 96.4–98.9% of the 359
    # held-out digits right (95% from iteration 75–200); tests/test_digits.py holds seed 0's
    # 96.9% to ≥ 95%.
    "digits": _project(
        "digits",
        "Handwritten digits, 8×8 pixels (UCI): 64 inputs, 10 classes (one-hot); "
        "a fifth held out for validation.",
        {
            "layer_sizes": [64, 32, 10],
            "activations": ["tanh", "softmax"],
            "biases": [True, True],
            "init": "glorot",
            "seed": 0,
        },
        {
            "loss": "cross_entropy",
            "learning_rate": 0.01,
            "batch_size": 32,
            "optimizer": "adam",
            "shuffle": True,
            "seed": 0,
        },
        {"preset": "digits", "validation_split": 0.2, "split_seed": 0},
    ),
}


def example_names() -> list[str]:
    """Names of the built-in examples, ``seed`` first."""
    return list(EXAMPLES)


def load_example(name: str) -> Project:
    """A fresh copy of the built-in example ``name``."""
    try:
        raw = EXAMPLES[name]
    except KeyError:
        raise ProjectError(
            f"unknown preset {name!r} (choose one of: {', '.join(EXAMPLES)})"
        ) from None
    return project_from_dict(copy.deepcopy(raw), base_dir=Path.cwd())
