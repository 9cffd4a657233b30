"""A dense feed-forward network: its shape, activations and parameters, nothing else.

Weights of layer l (1-based, counted from the input side) have shape
(layer_sizes[l-1], layer_sizes[l]): row = from-unit, column = to-unit, so ``a @ W``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from bpviewer.core.engine.activations import QUIET, get_activation
from bpviewer.core.engine.initializers import initial_weights

#: Why a softmax over one output unit is refused (every door says this line).
ONE_UNIT_SOFTMAX = (
    "a softmax over one output unit is the constant 1 (nothing can be learned): "
    "for one 0/1 target use a sigmoid output with binary_cross_entropy, "
    "or give the output layer one unit per class"
)


@dataclass
class Network:
    """Layer sizes, one activation per non-input layer, and the parameters.

    ``weights[i]`` has shape (layer_sizes[i], layer_sizes[i+1]); ``biases[i]`` has shape
    (layer_sizes[i+1],) or is ``None`` for a layer without bias.
    """

    layer_sizes: tuple[int, ...]
    activations: tuple[str, ...]
    weights: list[np.ndarray]
    biases: list[np.ndarray | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.layer_sizes = tuple(int(n) for n in self.layer_sizes)
        self.activations = tuple(self.activations)
        if not self.biases:
            self.biases = [None] * (len(self.layer_sizes) - 1)
        self.weights = [np.asarray(w, dtype=np.float64) for w in self.weights]
        self.biases = [None if b is None else np.asarray(b, dtype=np.float64) for b in self.biases]
        self.validate()

    # ----------------------------------------------------------------- construction
    @classmethod
    def initialised(
        cls,
        layer_sizes: Sequence[int],
        activations: Sequence[str],
        *,
        init: str = "glorot",
        seed: int = 0,
        bias: bool | Sequence[bool] = False,
    ) -> Network:
        """A network with weights drawn by ``init`` from ``seed`` and zero biases where asked."""
        n_layers = len(layer_sizes) - 1
        flags = [bias] * n_layers if isinstance(bias, bool) else list(bias)
        rng = np.random.default_rng(seed)
        weights = [
            initial_weights(layer_sizes[i], layer_sizes[i + 1], init, rng) for i in range(n_layers)
        ]
        biases = [np.zeros(layer_sizes[i + 1]) if flags[i] else None for i in range(n_layers)]
        return cls(tuple(layer_sizes), tuple(activations), weights, biases)

    @classmethod
    def init(
        cls,
        layer_sizes: Sequence[int],
        activations: str | Sequence[str],
        *,
        biases: bool | Sequence[bool] = False,
        init: str = "glorot",
        seed: int = 0,
    ) -> Network:
        """A network with initialised weights: ``Network.init([3, 2, 1], "sigmoid")``.

        ``activations`` names one activation per layer after the input, or one for all;
        ``biases`` adds zero biases to every layer (True) or to those flagged; ``init`` is
        ``glorot``, ``he``, ``normal`` or ``uniform``, drawn from ``seed``.  Weights of layer
        l have shape (layer_sizes[l-1], layer_sizes[l]): row = from-unit, column = to-unit.
        """
        n_layers = len(layer_sizes) - 1
        acts = [activations] * n_layers if isinstance(activations, str) else list(activations)
        return cls.initialised(layer_sizes, acts, init=init, seed=seed, bias=biases)

    def copy(self) -> Network:
        """A deep copy: no array is shared with this network.

        The copy is exact whatever the values: a snapshot (undo, a run's end) holds ∞ and
        NaN as they are; what refuses them is the entry point (a file, a cell edit)."""
        twin = object.__new__(Network)
        twin.layer_sizes = self.layer_sizes
        twin.activations = self.activations
        twin.weights = [w.copy() for w in self.weights]
        twin.biases = [None if b is None else b.copy() for b in self.biases]
        return twin

    # ----------------------------------------------------------------- checks
    def validate(self) -> None:
        """Raise ValueError, naming the layer, for any inconsistency."""
        sizes = self.layer_sizes
        if len(sizes) < 2:
            raise ValueError("a network needs at least an input and an output layer")
        if any(n < 1 for n in sizes):
            raise ValueError(f"every layer needs at least one unit (layer_sizes {list(sizes)})")
        n_layers = len(sizes) - 1
        if len(self.activations) != n_layers:
            raise ValueError(
                f"{n_layers} layers after the input need {n_layers} activations, "
                f"got {len(self.activations)}"
            )
        for i, name in enumerate(self.activations):
            act = get_activation(name)
            if act.output_only and i != n_layers - 1:
                raise ValueError(f"{name} is allowed on the output layer only (layer {i + 1})")
        if self.activations[-1] == "softmax" and sizes[-1] == 1:
            raise ValueError(ONE_UNIT_SOFTMAX)
        if len(self.weights) != n_layers:
            raise ValueError(f"expected {n_layers} weight matrices, got {len(self.weights)}")
        if len(self.biases) != n_layers:
            raise ValueError(f"expected {n_layers} bias entries, got {len(self.biases)}")
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            expected = (sizes[i], sizes[i + 1])
            if w.shape != expected:
                raise ValueError(
                    f"weights[{i}] has shape {w.shape}, expected {expected} "
                    f"(rows = {sizes[i]} from-units, columns = {sizes[i + 1]} to-units)"
                )
            if not np.all(np.isfinite(w)):
                raise ValueError(f"weights[{i}] contains NaN or infinity")
            if b is not None:
                if b.shape != (sizes[i + 1],):
                    raise ValueError(f"biases[{i}] has shape {b.shape}, expected ({sizes[i + 1]},)")
                if not np.all(np.isfinite(b)):
                    raise ValueError(f"biases[{i}] contains NaN or infinity")

    # ----------------------------------------------------------------- use
    @property
    def n_layers(self) -> int:
        """Number of weight layers (layers after the input)."""
        return len(self.layer_sizes) - 1

    def parameter_layout(self) -> list[tuple[str, int]]:
        """The flat parameter order used by optimisers and history: (``w``|``b``, layer)."""
        layout = []
        for l in range(1, self.n_layers + 1):
            layout.append(("w", l))
            if self.biases[l - 1] is not None:
                layout.append(("b", l))
        return layout

    def flat_index(self, kind: str, layer: int, row: int, col: int) -> int:
        """Where weight (``kind='w'``, ``row``, ``col``) or bias (``kind='b'``, ``col``) of
        ``layer`` (1-based) sits in the flat parameter vector (:meth:`parameter_layout`
        order, each array row-major), as optimisers, histories and tracked weights use it."""
        at = 0
        for key, p in zip(self.parameter_layout(), self.parameters(), strict=True):
            if key == (kind, layer):
                return at + (row * p.shape[1] + col if kind == "w" else col)
            at += p.size
        raise ValueError(f"layer {layer} has no {'weights' if kind == 'w' else 'bias'}")

    def same_shape(self, other: Network) -> bool:
        """Whether ``other`` has the same layers, activations and bias layout."""
        return (
            self.layer_sizes == other.layer_sizes
            and self.activations == other.activations
            and [b is None for b in self.biases] == [b is None for b in other.biases]
        )

    def assign(self, other: Network) -> None:
        """Copy ``other``'s parameters into this network's arrays, in place (same shape)."""
        for mine, theirs in zip(self.parameters(), other.parameters(), strict=True):
            mine[...] = theirs

    def parameters(self) -> list[np.ndarray]:
        """Live references in :meth:`parameter_layout` order: W1, b1 (if any), W2, …"""
        return [
            self.weights[l - 1] if kind == "w" else self.biases[l - 1]
            for kind, l in self.parameter_layout()
        ]

    def forward_pass(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Net inputs z and activations a of every non-input layer for inputs (batch, n_in).

        Returns two lists with one (batch, n_l) array per layer l = 1 … L.
        """
        a = np.atleast_2d(np.asarray(x, dtype=np.float64))
        zs, activations = [], []
        with np.errstate(**QUIET):
            for w, b, name in zip(self.weights, self.biases, self.activations, strict=True):
                z = a @ w
                if b is not None:
                    z = z + b
                a = get_activation(name).forward(z)
                zs.append(z)
                activations.append(a)
        return zs, activations

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Outputs for inputs ``x`` of shape (batch, n_in); returns (batch, n_out)."""
        return self.forward_pass(x)[1][-1]

    def same_as(self, other: Network) -> bool:
        """Bit-for-bit equality of shape, activations and every parameter."""
        return (
            self.layer_sizes == other.layer_sizes
            and self.activations == other.activations
            and all(np.array_equal(a, b) for a, b in zip(self.weights, other.weights, strict=True))
            and all(
                (a is None and b is None)
                or (a is not None and b is not None and np.array_equal(a, b))
                for a, b in zip(self.biases, other.biases, strict=True)
            )
        )
