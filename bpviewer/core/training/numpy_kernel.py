"""The NumPy training kernel: the step machine's kernels, into preallocated buffers.

It calls :mod:`bpviewer.core.engine.backprop` in the same order as the step machine, so both give
the same bits; a softmax output with the cross-entropy loss is done by one function here
doing both's operations in their order, once.  Parameters live in one flat buffer (the
network's arrays are views into it), so a snapshot is one copy.
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
    """Every array one iteration writes, for one batch size B; index l is weight layer l+1.

    ``z``, ``a``, ``delta``, ``share`` (−δ/B) and ``prime`` (f′(z)) are (B, n_l);
    ``grad_w`` is shaped like W_l and ``grad_b`` like b_l; SGD overwrites them with its step Δ.
    ``top`` and ``total`` (B, 1) and ``loss`` (B,) serve the fused softmax and cross-entropy.
    """

    z: list[np.ndarray]
    a: list[np.ndarray]
    delta: list[np.ndarray]
    share: list[np.ndarray]
    prime: list[np.ndarray]
    grad_w: list[np.ndarray]
    grad_b: list[np.ndarray]
    top: np.ndarray
    total: np.ndarray
    loss: np.ndarray


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
        index = {key: i for i, key in enumerate(network.parameter_layout())}
        net = self.network
        #: (W, b, f, index of W, index of b) of each layer, parameters as flat views
        self._layers = [
            (
                net.weights[l],
                net.biases[l],
                self.acts[l],
                index[("w", l + 1)],
                index.get(("b", l + 1)),
            )
            for l in range(net.n_layers)
        ]
        # softmax output with cross-entropy: the two share their exponentials
        self._fused = self.acts[-1].name == "softmax" and self.loss.name == "cross_entropy"
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
            net = self.network
            units = net.layer_sizes[1:]
            buf = _Buffers(
                z=[np.empty((batch, n)) for n in units],
                a=[np.empty((batch, n)) for n in units],
                delta=[np.empty((batch, n)) for n in units],
                share=[np.empty((batch, n)) for n in units],
                prime=[np.empty((batch, n)) for n in units],
                grad_w=[np.empty_like(w) for w in net.weights],
                grad_b=[np.empty(n) for n in units],
                top=np.empty((batch, 1)),
                total=np.empty((batch, 1)),
                loss=np.empty(batch),
            )
            self._buffers[batch] = buf
        return buf

    def step(self, x: np.ndarray, t: np.ndarray) -> float:
        """One iteration on the batch ``x`` (B, n_0), ``t`` (B, n_L); returns its loss.

        The step machine's operations in its order, into this batch size's buffers; each
        layer's parameters are updated as soon as the error term below it no longer needs
        them (the same values as updating all at the end).
        """
        buf = self._buffers_for(x.shape[0])
        layers, last = self._layers, len(self._layers) - 1
        state, opt = self.state, self.optimizer
        with np.errstate(**QUIET):
            a = x
            for l, (w, b, act, _, _) in enumerate(layers):
                z = backprop.affine(a, w, b, buf.z[l])
                a = buf.a[l]
                if l < last or not self._fused:
                    act.forward(z, out=a)
            if self._fused:
                loss = _softmax_cross_entropy(z, t, a, buf.delta[-1], buf)
            else:
                loss = backprop.batch_loss(self.loss, z, a, t)[1]
            delta = backprop.output_error_term(self.loss, layers[-1][2], z, a, t, buf.delta[-1])
            new_slots = list(state.slots)
            norms = [0.0] * len(layers) if self.record_norms else None
            for l in range(last, -1, -1):
                w, b, _, i_w, i_b = layers[l]
                share = backprop.batch_share(delta, buf.share[l])
                grad = backprop.weight_gradient(x if l == 0 else buf.a[l - 1], share, buf.grad_w[l])
                if norms is not None:
                    flat_grad = grad.ravel()
                    norms[l] = float(np.sqrt(flat_grad @ flat_grad))
                dw, new_slots[i_w] = opt.delta(i_w, grad, w, state, grad)  # Δ over ∂E/∂W
                if b is not None:
                    grad_b = backprop.bias_gradient(share, buf.grad_b[l])
                    db, new_slots[i_b] = opt.delta(i_b, grad_b, b, state, grad_b)
                if l > 0:
                    below = layers[l - 1][2]
                    delta = backprop.hidden_error_term(
                        delta,
                        w,
                        below,
                        buf.z[l - 1],
                        buf.a[l - 1],
                        buf.delta[l - 1],
                        buf.prime[l - 1],
                    )
                np.add(w, dw, out=w)
                if b is not None:
                    np.add(b, db, out=b)
        self.state = Optimizer.commit(state, new_slots)
        self.grad_norms = norms
        return loss


def _softmax_cross_entropy(
    z: np.ndarray, t: np.ndarray, y: np.ndarray, work: np.ndarray, buf: _Buffers
) -> float:
    """Softmax of ``z`` (B, K) into ``y`` and the cross-entropy loss of the batch, sharing
    exp(z − max z) and its sum between the two: the very operations of the softmax and of
    the cross-entropy loss done apart (so the same bits), without doing them twice.
    ``work`` (B, K) is scratch."""
    top, total = buf.top, buf.total
    np.maximum.reduce(z, axis=-1, keepdims=True, out=top)  # z.max(axis=-1, keepdims=True)
    np.subtract(z, top, out=y)
    np.exp(y, out=y)
    np.add.reduce(y, axis=-1, keepdims=True, out=total)  # what np.sum calls
    np.divide(y, total, out=y)
    lse = np.add(top, np.log(total, out=total), out=total)  # log Σ exp z
    np.subtract(lse, z, out=work)
    np.multiply(t, work, out=work)
    per_sample = np.add.reduce(work, axis=-1, out=buf.loss)
    return float(np.add.reduce(per_sample) / per_sample.shape[0])  # what .mean() computes


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
