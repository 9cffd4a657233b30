"""PyTorch bridge: ``bpv.from_torch`` and ``bpv.to_torch`` (``pip install bpviewer[torch]``).

An ``nn.Sequential`` of ``nn.Linear`` layers, each optionally followed by one of the
activations bpviewer has, converts exactly (float64).  ``nn.Linear`` stores its weight as
(out, in); bpviewer as (in, out), so weights are transposed on the way.  A last ``Linear``
without activation trained with ``CrossEntropyLoss`` takes softmax (and the loss
``cross_entropy``), with ``BCEWithLogitsLoss`` a sigmoid (``binary_cross_entropy``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bpviewer.core.engine.activations import LEAKY_SLOPE
from bpviewer.core.engine.network import Network

#: torch module class name -> bpviewer activation.
ACTIVATIONS = {
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "ReLU": "relu",
    "LeakyReLU": "leaky_relu",
    "Identity": "linear",
    "Softmax": "softmax",
}
#: torch loss class name -> (bpviewer loss, the activation a bare last Linear takes).
LOSSES = {
    "CrossEntropyLoss": ("cross_entropy", "softmax"),
    "BCEWithLogitsLoss": ("binary_cross_entropy", "sigmoid"),
    "MSELoss": ("mse", "linear"),
}


def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError("the PyTorch bridge needs torch: pip install 'bpviewer[torch]'") from None
    return torch


def loss_name(loss: Any) -> str:
    """bpviewer's name for a torch loss module (``nn.CrossEntropyLoss()`` → cross_entropy)."""
    kind = type(loss).__name__
    if kind not in LOSSES:
        raise ValueError(f"no bpviewer loss for {kind} (bpviewer has: {', '.join(LOSSES)})")
    return LOSSES[kind][0]


def _activation(module: Any) -> str:
    kind = type(module).__name__
    if kind not in ACTIVATIONS:
        raise ValueError(
            f"{kind} has no bpviewer counterpart (bpviewer converts Linear and "
            f"{', '.join(ACTIVATIONS)})"
        )
    if kind == "LeakyReLU" and module.negative_slope != LEAKY_SLOPE:
        raise ValueError(
            f"LeakyReLU with slope {module.negative_slope}: bpviewer's is {LEAKY_SLOPE}"
        )
    if kind == "Softmax" and module.dim not in (-1, 1):
        raise ValueError(f"Softmax over dim={module.dim}: bpviewer's is over the units (dim=-1)")
    return ACTIVATIONS[kind]


def from_torch(module: Any, loss: Any = None) -> Network:
    """The network of an ``nn.Sequential`` (or one ``nn.Linear``), exactly, in float64.

    ``loss`` (a torch loss module) decides the activation of a last ``Linear`` that has
    none: softmax for ``CrossEntropyLoss``, sigmoid for ``BCEWithLogitsLoss``; use
    :func:`loss_name` for the loss to trace it with.
    """
    torch = _torch()
    layers = list(module) if isinstance(module, torch.nn.Sequential) else [module]
    sizes: list[int] = []
    weights, biases, acts = [], [], []
    for k, layer in enumerate(layers):
        if isinstance(layer, torch.nn.Linear):
            w = layer.weight.detach().to(torch.float64).cpu().numpy().T.copy()
            if sizes and sizes[-1] != w.shape[0]:
                raise ValueError(f"layer {k}: {w.shape[0]} inputs after {sizes[-1]} units")
            sizes = sizes or [w.shape[0]]
            sizes.append(w.shape[1])
            weights.append(w)
            b = layer.bias
            biases.append(None if b is None else b.detach().to(torch.float64).cpu().numpy().copy())
            acts.append(None)
        elif weights and acts[-1] is None:
            acts[-1] = _activation(layer)
        else:
            where = "before any Linear" if not weights else "after another activation"
            raise ValueError(f"layer {k} ({type(layer).__name__}) comes {where}")
    if not weights:
        raise ValueError("no nn.Linear layer to convert")
    if acts[-1] is None:
        acts[-1] = LOSSES[type(loss).__name__][1] if type(loss).__name__ in LOSSES else "linear"
    acts = [a or "linear" for a in acts]
    return Network(tuple(sizes), tuple(acts), weights, biases)


def to_torch(net: Network) -> Any:
    """An ``nn.Sequential`` (float64) computing what ``net`` computes: ``Linear`` layers
    each followed by its activation (none for linear), a softmax output as ``nn.Softmax``
    (drop it to train with ``CrossEntropyLoss``)."""
    torch = _torch()
    modules: list[Any] = []
    names = {v: k for k, v in ACTIVATIONS.items()}
    for w, b, act in zip(net.weights, net.biases, net.activations, strict=True):
        linear = torch.nn.Linear(w.shape[0], w.shape[1], bias=b is not None, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(w.T)))
            if b is not None:
                linear.bias.copy_(torch.from_numpy(b))
        modules.append(linear)
        if act == "softmax":
            modules.append(torch.nn.Softmax(dim=-1))
        elif act == "leaky_relu":
            modules.append(torch.nn.LeakyReLU(LEAKY_SLOPE))
        elif act != "linear":
            modules.append(getattr(torch.nn, names[act])())
    return torch.nn.Sequential(*modules)
