"""``bpv.trace``: one backpropagation iteration with every named quantity, as arrays, as text
and as a rich display in Jupyter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bpviewer.api.inputs import samples
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.stepper import StepRecord
from bpviewer.core.engine.trace import trace_batch, trace_dict
from bpviewer.core.training.settings import TrainingSettings

#: The quantities of a trace, as ``bpviewer trace --json`` names them.
KEYS = (
    "net_inputs",
    "activations",
    "error_terms",
    "output",
    "error",
    "loss",
    "weight_gradients",
    "bias_gradients",
    "delta_weights",
    "delta_biases",
    "weights_after",
    "biases_after",
    "loss_after",
)


def _array(value: Any) -> Any:
    if value is None or isinstance(value, float):
        return value
    if isinstance(value, list) and value and (value[0] is None or isinstance(value[0], list)):
        # a list per layer (of arrays of different shapes), or None for a layer without bias
        return [None if v is None else np.asarray(v, dtype=np.float64) for v in value]
    return np.asarray(value, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class Trace:
    """One iteration (Forward, Backward, update) of a network on a batch.

    Every quantity of ``bpviewer trace --json`` is an attribute, as NumPy arrays (lists
    hold one array per layer l = 1 … L).  With one sample, per-unit quantities are vectors
    (n_l,), with a batch of B they are (B, n_l):

    - ``net_inputs`` z, ``activations`` a, ``error_terms`` δ = −∂E/∂z, per layer;
    - ``output`` y, ``error`` t − y, ``loss`` E (the batch mean), ``loss_after``;
    - ``weight_gradients`` ∂E/∂W (n_{l-1}, n_l), ``bias_gradients`` ∂E/∂b (n_l,) or None;
    - ``delta_weights`` ΔW and ``delta_biases`` Δb, the steps the update adds (W + ΔW);
    - ``weights_after``, ``biases_after``: the parameters after the update.

    :meth:`explain` gives each unit's formula with its numbers; in Jupyter the trace shows
    them as Markdown with LaTeX.
    """

    net_inputs: list[np.ndarray]
    activations: list[np.ndarray]
    error_terms: list[np.ndarray]
    output: np.ndarray
    error: np.ndarray
    loss: float
    weight_gradients: list[np.ndarray]
    bias_gradients: list[np.ndarray | None]
    delta_weights: list[np.ndarray]
    delta_biases: list[np.ndarray | None]
    weights_after: list[np.ndarray]
    biases_after: list[np.ndarray | None]
    loss_after: float
    network: Network = field(repr=False)
    records: list[StepRecord] = field(repr=False)

    def explain(self) -> str:
        """Every unit's formula, symbolic and with the numbers, one a line."""
        from bpviewer.core.engine.formulas import explain
        from bpviewer.core.files.export import formula_lines

        return formula_lines([f for record in self.records for f in explain(record)])

    def markdown(self) -> str:
        """The formulas as Markdown with LaTeX math (what Jupyter shows)."""
        from bpviewer.core.files.export import markdown

        return markdown(self.records, "bpviewer trace")

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __repr__(self) -> str:
        sizes = "-".join(map(str, self.network.layer_sizes))
        return f"<Trace of a {sizes} network: E = {self.loss:.6g} → {self.loss_after:.6g}>"


def trace(
    net: Network,
    x: Any,
    target: Any,
    *,
    loss: str = "half_sse",
    learning_rate: float = 0.5,
    **settings: Any,
) -> Trace:
    """One iteration of ``net`` (unchanged: a copy is stepped) on ``x`` (n_0,) or (B, n_0)
    with ``target`` (n_L,) or (B, n_L).

    ``loss`` is ``half_sse`` (½ Σ (t − y)², the course's), ``mse``, ``binary_cross_entropy``
    or ``cross_entropy``; other keywords are training settings (``optimizer="momentum"``,
    ``weight_decay=…``).  The loss of a batch is the mean of its samples'.

    >>> import bpviewer as bpv
    >>> net = bpv.Network.init([3, 2, 1], "sigmoid", seed=1)
    >>> t = bpv.trace(net, [0.5, 0.1, -0.2], [0.6])
    >>> t.weight_gradients[0].shape, t.error_terms[-1].shape
    ((3, 2), (1,))
    """
    training = TrainingSettings(loss=loss, learning_rate=learning_rate, **settings)
    xs, ts = samples(net, x, target)
    core = trace_batch(net, training, xs, ts)
    values = trace_dict(core)
    return Trace(
        **{key: _array(values[key]) for key in KEYS},
        network=net.copy(),
        records=core.records,
    )
