"""The training kernel for tiny networks: straight-line Python generated for the network.

For a network like the exercise's 3-2-1, each NumPy call costs more than the arithmetic it
does (about 0.3 µs of overhead for a handful of flops), so an iteration in NumPy is bound by
call overhead, and so is any loop over Python lists.  This kernel writes, once per network
and batch size, a Python function in which every weight, net input, activation and error
term is a local float and every sum is spelt out (``z1_0 = x_0*p0 + x_1*p2 + x_2*p4``), then
compiles it.  It performs the step machine's operations in the same order on Python floats;
``math.exp`` and NumPy's ``exp`` may differ in the last bit, so the two agree to ~1e-15 per
iteration (tests hold them to 1e-12 over 50 iterations).  Replays for history use this same
kernel, so restoring an iteration is bit-exact.

Parameters are one flat list in :meth:`Network.parameter_layout` order, row-major
(``W[i, j]`` of a layer with ``n_out`` columns is at ``offset + i * n_out + j``).
"""

from __future__ import annotations

import math

import numpy as np

from bpviewer.core.engine.activations import get_activation
from bpviewer.core.engine.losses import get_loss
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.optimizers import Optimizer, OptimizerState, get_rule

#: Networks up to this many parameters, in batches up to this size, use this kernel.
MAX_PARAMS = 64
MAX_BATCH = 4


def suits(network: Network, batch_size: int) -> bool:
    """Whether this kernel is the faster one for ``network`` at ``batch_size``."""
    return sum(p.size for p in network.parameters()) <= MAX_PARAMS and batch_size <= MAX_BATCH


def _c(value: float) -> str:
    """A float constant in generated code, exactly."""
    return f"({float(value)!r})"


def _softplus(x: float) -> float:
    # as np.logaddexp(0, x): max(0, x) + log1p(exp(-|x|))
    return (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))


def _sum(terms: list[str]) -> str:
    return " + ".join(terms) if terms else "0.0"


def generate_source(
    network: Network, loss: str, optimizer: Optimizer, batch: int, norms: bool = False
) -> str:
    """Python source of ``step(P, S0, S1, t, xs, ts) -> (loss, P, S0, S1, N)`` for one batch
    size; ``N`` lists each layer's gradient norm ‖∂E/∂W‖ when ``norms``, else it is None.

    ``P`` flat parameters, ``S0``/``S1`` flat optimiser slots (or empty), ``t`` the
    optimiser's step count before this update, ``xs``/``ts`` the batch's rows as lists.
    Each activation, loss and update rule writes its own lines (its ``source`` facet).
    """
    n_params = sum(p.size for p in network.parameters())
    lines = [f"({', '.join(f'p{k}' for k in range(n_params))},) = P"]
    for smp in range(batch):
        lines += _forward_and_loss(network, get_loss(loss), smp)
    if batch == 1:
        lines.append("loss = L_0")
    else:
        lines.append(f"loss = ({_sum([f'L_{smp}' for smp in range(batch)])}) / {batch}")
    lines += _hidden_error_terms(network, batch)
    lines += _updates(network, optimizer, batch, norms)
    L = network.n_layers
    found = f"[{', '.join(f'sqrt(n{l})' for l in range(1, L + 1))}]" if norms else "None"
    lines.append(f"return loss, P, S0, S1, {found}")
    body = "".join(f"    {line}\n" for line in lines)
    return f"def step(P, S0, S1, t, xs, ts):\n{body}"


def _w(network: Network, l: int, i: int, j: int) -> str:
    return f"p{network.flat_index('w', l, i, j)}"


def _forward_and_loss(network: Network, loss, smp: int) -> list[str]:
    """One sample's forward pass, its loss ``L_{smp}`` and output error terms."""
    sizes, L = network.layer_sizes, network.n_layers
    lines = [
        f"({', '.join(f'a0_{i}_{smp}' for i in range(sizes[0]))},) = xs[{smp}]",
        f"({', '.join(f't{j}_{smp}' for j in range(sizes[-1]))},) = ts[{smp}]",
    ]
    for l in range(1, L + 1):
        has_bias = network.biases[l - 1] is not None
        for j in range(sizes[l]):
            terms = [f"a{l - 1}_{i}_{smp} * {_w(network, l, i, j)}" for i in range(sizes[l - 1])]
            z = f"({_sum(terms)})"
            if has_bias:
                z = f"{z} + p{network.flat_index('b', l, 0, j)}"
            lines.append(f"z{l}_{j}_{smp} = {z}")
        zs = [f"z{l}_{j}_{smp}" for j in range(sizes[l])]
        outs = [f"a{l}_{j}_{smp}" for j in range(sizes[l])]
        lines += get_activation(network.activations[l - 1]).kernel_lines(zs, outs, f"_{smp}")
    out = get_activation(network.activations[-1])
    k = sizes[-1]
    z = [f"z{L}_{j}_{smp}" for j in range(k)]
    y = [f"a{L}_{j}_{smp}" for j in range(k)]
    primes = [out.source_prime(z[j], y[j]) if out.source_prime else "" for j in range(k)]
    deltas = [f"d{L}_{j}_{smp}" for j in range(k)]
    t = [f"t{j}_{smp}" for j in range(k)]
    return lines + loss.source(z, y, t, primes, f"L_{smp}", deltas, f"_{smp}")


def _hidden_error_terms(network: Network, batch: int) -> list[str]:
    """δ of the hidden layers, with the weights before the update."""
    sizes, lines = network.layer_sizes, []
    for l in range(network.n_layers - 1, 0, -1):
        act = get_activation(network.activations[l - 1])
        for smp in range(batch):
            for i in range(sizes[l]):
                back = _sum(
                    [
                        f"d{l + 1}_{k}_{smp} * {_w(network, l + 1, i, k)}"
                        for k in range(sizes[l + 1])
                    ]
                )
                der = act.source_prime(f"z{l}_{i}_{smp}", f"a{l}_{i}_{smp}")
                lines.append(f"d{l}_{i}_{smp} = ({back}) * {der}")
    return lines


def _updates(network: Network, optimizer: Optimizer, batch: int, norms: bool) -> list[str]:
    """Gradients and the update rule's step for every parameter."""
    s, sizes = optimizer.settings, network.layer_sizes
    rule = get_rule(s.name)
    lines = ["P = list(P)"]
    lines += [f"S{k} = list(S{k})" for k in range(rule.slots)]
    lines += rule.prelude(s)
    if norms:
        lines += [f"n{l} = 0.0" for l in range(1, network.n_layers + 1)]
    scale = _c(-1.0 / batch)
    # each sample's share −δ/B, as backprop.batch_share; the gradients sum the shares
    for l in range(1, network.n_layers + 1):
        lines += [
            f"s{l}_{j}_{smp} = d{l}_{j}_{smp} * {scale}"
            for smp in range(batch)
            for j in range(sizes[l])
        ]
    for index, (kind, l) in enumerate(network.parameter_layout()):
        if optimizer.frozen[index]:
            continue
        decay = optimizer.decays[index] and s.weight_decay
        rows = range(sizes[l - 1]) if kind == "w" else [0]
        for i in rows:
            for j in range(sizes[l]):
                k = network.flat_index(kind, l, i, j)
                g = (
                    _sum([f"a{l - 1}_{i}_{smp} * s{l}_{j}_{smp}" for smp in range(batch)])
                    if kind == "w"
                    else _sum([f"s{l}_{j}_{smp}" for smp in range(batch)])
                )
                lines.append(f"g = {g}")
                if norms and kind == "w":
                    lines.append(f"n{l} += g * g")
                if decay:
                    lines.append(f"g = g + {_c(s.weight_decay)} * p{k}")
                lines += rule.source(s, k)
    return lines


class ScalarKernel:
    """One training iteration in generated straight-line Python on floats."""

    def __init__(
        self,
        network: Network,
        loss: str,
        optimizer: Optimizer,
        state: OptimizerState,
        record_norms: bool = False,
    ) -> None:
        self.network = network.copy()
        self.record_norms = record_norms
        self.grad_norms: list[float] | None = None
        self.loss = loss
        self.optimizer = optimizer
        self._compiled: dict[int, object] = {}
        self.set_parameters(network.parameters())
        self.set_optimizer_state(state)

    def _function(self, batch: int):
        fn = self._compiled.get(batch)
        if fn is None:
            source = generate_source(
                self.network, self.loss, self.optimizer, batch, self.record_norms
            )
            namespace = {
                "exp": math.exp,
                "tanh": math.tanh,
                "log": math.log,
                "sqrt": math.sqrt,
                "sp": _softplus,
            }
            exec(compile(source, f"<bpviewer scalar kernel, batch {batch}>", "exec"), namespace)
            fn = self._compiled[batch] = namespace["step"]
        return fn

    # ------------------------------------------------------------------ state in and out
    def set_parameters(self, params: list[np.ndarray]) -> None:
        """Load parameters given in layout order."""
        self.P = [v for p in params for v in p.ravel().tolist()]

    def flat_parameters(self) -> list[float]:
        """All parameters, in layout order, row-major."""
        return self.P

    def set_optimizer_state(self, state: OptimizerState) -> None:
        """Load an optimiser state (slots shaped like the parameters)."""
        self.t = state.t
        n = len(state.slots[0]) if state.slots else 0
        self.S = [[v for slot in state.slots for v in slot[k].ravel().tolist()] for k in range(n)]

    def optimizer_state(self, shapes: list[tuple[int, ...]]) -> OptimizerState:
        """The optimiser state as arrays, with parameter ``shapes`` in layout order."""
        slots, at = [], 0
        for shape in shapes:
            size = int(np.prod(shape))
            slots.append(tuple(np.array(s[at : at + size]).reshape(shape) for s in self.S))
            at += size
        return OptimizerState(self.t, slots)

    # ------------------------------------------------------------------ one iteration
    def step(self, x: np.ndarray, t: np.ndarray) -> float:
        """One iteration on the batch ``x`` (B, n_0), ``t`` (B, n_L); returns its loss."""
        return self.step_lists(x.tolist(), t.tolist())

    def step_lists(self, xs: list[list[float]], ts: list[list[float]]) -> float:
        """:meth:`step` on rows given as lists of floats."""
        S = self.S
        loss, self.P, s0, s1, self.grad_norms = self._function(len(xs))(
            self.P, S[0] if S else (), S[1] if len(S) > 1 else (), self.t, xs, ts
        )
        if S:
            S[0] = s0
            if len(S) > 1:
                S[1] = s1
        self.t += 1
        return loss
