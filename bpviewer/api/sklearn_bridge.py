"""scikit-learn bridge: ``bpv.from_sklearn`` (``pip install bpviewer[sklearn]``).

A fitted ``MLPClassifier`` or ``MLPRegressor`` keeps ``coefs_`` as (in, out), bpviewer's
layout, and ``intercepts_``, so it converts exactly.  The losses differ in scale: see
:func:`sklearn_training`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bpviewer.core.engine.network import Network

HIDDEN = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
OUTPUT = {"identity": "linear", "logistic": "sigmoid", "softmax": "softmax"}


def from_sklearn(estimator: Any) -> Network:
    """The network of a fitted ``MLPClassifier``/``MLPRegressor``: its outputs equal
    ``predict_proba`` (classifier) or ``predict`` (regressor)."""
    if not hasattr(estimator, "coefs_"):
        raise ValueError(f"{type(estimator).__name__} is not a fitted MLPClassifier/MLPRegressor")
    if estimator.activation not in HIDDEN:
        raise ValueError(f"hidden activation {estimator.activation!r} has no bpviewer counterpart")
    weights = [np.asarray(w, dtype=np.float64).copy() for w in estimator.coefs_]
    biases = [np.asarray(b, dtype=np.float64).copy() for b in estimator.intercepts_]
    sizes = (weights[0].shape[0], *(w.shape[1] for w in weights))
    acts = (HIDDEN[estimator.activation],) * (len(weights) - 1) + (
        OUTPUT[estimator.out_activation_],
    )
    return Network(sizes, acts, weights, biases)


def sklearn_training(estimator: Any, batch_size: int | None = None) -> dict[str, Any]:
    """bpviewer's training settings closest to the estimator's, and what differs.

    scikit-learn's squared error is ``mean over samples and outputs of (t − y)² / 2``:
    bpviewer's ``half_sse`` (½ Σ over outputs, mean over samples) for one output, and
    ``mse`` / 2 for several (the gradients differ by that constant factor).  Its log loss
    sums over outputs like bpviewer's ``cross_entropy``; for several logistic outputs it is
    K × bpviewer's ``binary_cross_entropy``.  Its L2 penalty ``alpha`` adds
    ``alpha·W / batch`` to the gradient: bpviewer's ``weight_decay`` = alpha / batch."""
    k = estimator.coefs_[-1].shape[1]
    out = estimator.out_activation_
    if out == "identity":
        loss = "half_sse" if k == 1 else "mse"
        note = "" if k == 1 else "scikit-learn's loss is bpviewer's mse / 2"
    elif out == "softmax":
        loss, note = "cross_entropy", ""
    else:
        loss = "binary_cross_entropy"
        note = "" if k == 1 else f"scikit-learn's loss is {k} × bpviewer's"
    if batch_size is None:
        n = int(estimator.t_ // max(estimator.n_iter_, 1))  # samples it was fitted on
        full = estimator.solver == "lbfgs" or (estimator.batch_size == "auto" and n <= 200)
        batch_size = (
            n
            if full
            else min(200 if estimator.batch_size == "auto" else int(estimator.batch_size), n)
        )
    return {
        "loss": loss,
        "learning_rate": float(estimator.learning_rate_init),
        "weight_decay": float(estimator.alpha) / batch_size,
        "note": note,
    }
