"""The NumPy training kernel: the step machine's kernels, into preallocated buffers.

It calls :mod:`bpviewer.core.engine.backprop` in the same order as the step machine, so both give
the same bits.  Parameters live in one flat buffer (the network's arrays are views into it),
so a snapshot is one copy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bpviewer.core.engine import backprop
from bpviewer.core.engine.activations import QUIET, get_activation
from bpviewer.core.engine.losses import get_loss
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.optimizers import Optimizer, OptimizerState


@dataclass
class _Buffers:
    z: list[np.ndarray]
    a: list[np.ndarray]
    delta: list[np.ndarray]
    grad: list[np.ndarray]


class NumpyKernel:
    """One training iteration with NumPy arrays; ``network``'s parameters are flat views."""

    def __init__(
        self,
        network: Network,
        loss: str,
        optimizer: Optimizer,
        state: OptimizerState,
        record_norms: bool = False,
    ) -> None:
        self.flat, self.network = flat_network(network)
        self.record_norms = record_norms
        self.grad_norms: list[float] | None = None
        self.loss = get_loss(loss)
        self.optimizer = optimizer
        self.state = state
        self.acts = [get_activation(a) for a in network.activations]
        self.index = {key: i for i, key in enumerate(network.parameter_layout())}
        self._buffers: dict[int, _Buffers] = {}

    def set_parameters(self, params: list[np.ndarray]) -> None:
        """Load parameters given in layout order."""
        for view, p in zip(self.network.parameters(), params, strict=True):
            view[...] = p

    def flat_parameters(self) -> np.ndarray:
        """All parameters, in layout order, row-major (a view: copy to keep)."""
        return self.flat

    def set_optimizer_state(self, state: OptimizerState) -> None:
        """Load an optimiser state."""
        self.state = state

    def optimizer_state(self, shapes: list[tuple[int, ...]]) -> OptimizerState:
        """The optimiser state (``shapes`` unused: it is held as arrays already)."""
        return self.state

    def _buffers_for(self, batch: int) -> _Buffers:
        buf = self._buffers.get(batch)
        if buf is None:
            sizes = self.network.layer_sizes
            buf = _Buffers(
                z=[np.empty((batch, n)) for n in sizes[1:]],
                a=[np.empty((batch, n)) for n in sizes[1:]],
                delta=[np.empty((batch, n)) for n in sizes[1:]],
                grad=[np.empty((sizes[i], sizes[i + 1])) for i in range(len(sizes) - 1)],
            )
            self._buffers[batch] = buf
        return buf

    def step(self, x: np.ndarray, t: np.ndarray) -> float:
        """One iteration on the batch ``x`` (B, n_0), ``t`` (B, n_L); returns its loss."""
        n_layers = self.network.n_layers
        buf = self._buffers_for(x.shape[0])
        weights, biases, acts = self.network.weights, self.network.biases, self.acts
        state, opt, index = self.state, self.optimizer, self.index
        with np.errstate(**QUIET):
            a = x
            for l in range(n_layers):
                backprop.forward_layer(a, weights[l], biases[l], acts[l], buf.z[l], buf.a[l])
                a = buf.a[l]
            _, loss = backprop.batch_loss(self.loss, buf.z[-1], a, t)
            delta = backprop.output_error_term(self.loss, acts[-1], buf.z[-1], a, t, buf.delta[-1])
            new_slots = list(state.slots)
            steps = []
            norms = [0.0] * n_layers if self.record_norms else None
            for l in range(n_layers - 1, -1, -1):
                a_prev = x if l == 0 else buf.a[l - 1]
                grad = backprop.weight_gradient(a_prev, delta, buf.grad[l])
                if norms is not None:
                    flat_grad = grad.ravel()
                    norms[l] = float(np.sqrt(flat_grad @ flat_grad))
                i = index[("w", l + 1)]
                dw, new_slots[i] = opt.delta(i, grad, weights[l], state)
                steps.append((weights[l], dw))
                if biases[l] is not None:
                    i = index[("b", l + 1)]
                    db, new_slots[i] = opt.delta(i, backprop.bias_gradient(delta), biases[l], state)
                    steps.append((biases[l], db))
                if l > 0:
                    delta = backprop.hidden_error_term(
                        delta,
                        weights[l],
                        acts[l - 1],
                        buf.z[l - 1],
                        buf.a[l - 1],
                        buf.delta[l - 1],
                    )
            for param, d in steps:
                param += d
        self.state = Optimizer.commit(state, new_slots)
        self.grad_norms = norms
        return loss


def flat_network(network: Network) -> tuple[np.ndarray, Network]:
    """One flat float64 buffer and a copy of ``network`` whose parameters are views into it."""
    params = network.parameters()
    flat = np.empty(sum(p.size for p in params))
    views, at = [], 0
    for p in params:
        view = flat[at : at + p.size].reshape(p.shape)
        view[...] = p
        views.append(view)
        at += p.size
    it = iter(views)
    weights, biases = [], []
    for l in range(network.n_layers):
        weights.append(next(it))
        biases.append(next(it) if network.biases[l] is not None else None)
    return flat, Network(network.layer_sizes, network.activations, weights, biases)
