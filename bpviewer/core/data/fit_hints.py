"""Why a network cannot fit a data set, and the change that lets it (a hint a class sees
before pressing Train, not after a flat loss curve).

Two shapes cannot fit data whatever the training: a network without biases (every unit's
boundary passes through the origin, so xor's and a circle's cannot be drawn) and one
without a hidden layer on data that no straight line separates.
"""

from __future__ import annotations

from dataclasses import dataclass

from bpviewer.core.engine.network import Network

#: Built-in data sets no straight boundary separates.
CURVED = ("xor", "circle", "spiral")


@dataclass(frozen=True)
class FitHint:
    """What is wrong, and the network shape that fixes it."""

    text: str
    fix_label: str
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    biases: tuple[bool, ...]


def fit_hint(network: Network, data_spec: dict) -> FitHint | None:
    """A hint for ``network`` on the data ``data_spec`` describes, or None."""
    sizes, acts = network.layer_sizes, network.activations
    preset = data_spec.get("preset")
    if preset in CURVED and network.n_layers == 1:
        return FitHint(
            f"A network without a hidden layer draws one straight boundary; {preset} needs "
            "a curved one.",
            "Add a hidden layer of 8 tanh units",
            (sizes[0], 8, sizes[-1]),
            ("tanh", acts[-1]),
            (True, True),
        )
    if all(b is None for b in network.biases) and preset is not None:
        return FitHint(
            "Without biases every unit's boundary passes through the origin, so most data "
            "sets (xor among them) cannot be fitted: the loss stays flat.",
            "Add biases",
            sizes,
            acts,
            (True,) * network.n_layers,
        )
    return None
