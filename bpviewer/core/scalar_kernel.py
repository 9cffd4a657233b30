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

from bpviewer.core.activations import LEAKY_SLOPE
from bpviewer.core.network import Network
from bpviewer.core.optimizers import Optimizer, OptimizerState

#: Networks up to this many parameters, in batches up to this size, use this kernel.
MAX_PARAMS = 64
MAX_BATCH = 4


def suits(network: Network, batch_size: int) -> bool:
    """Whether this kernel is the faster one for ``network`` at ``batch_size``."""
    return sum(p.size for p in network.parameters()) <= MAX_PARAMS and batch_size <= MAX_BATCH


def _softplus(x: float) -> float:
    # as np.logaddexp(0, x): max(0, x) + log1p(exp(-|x|))
    return (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))


def _c(value: float) -> str:
    """A float constant in generated code, exactly."""
    return f"({float(value)!r})"


def _activation(name: str, z: str) -> str:
    if name == "sigmoid":  # NumPy: 1/(1+exp(-z)), exp overflowing to inf gives exactly 0
        return f"(1.0 / (1.0 + exp(-{z})) if {z} > -709.0 else 0.0)"
    if name == "tanh":
        return f"tanh({z})"
    if name == "relu":
        return f"({z} if {z} > 0.0 else 0.0)"
    if name == "leaky_relu":
        return f"({z} if {z} > 0.0 else {_c(LEAKY_SLOPE)} * {z})"
    if name == "linear":
        return z
    raise ValueError(name)


def _derivative(name: str, z: str, a: str) -> str:
    """f'(z) from z and a = f(z), as the NumPy kernel computes it."""
    return {
        "sigmoid": f"({a} * (1.0 - {a}))",
        "tanh": f"(1.0 - {a} * {a})",
        "relu": f"(1.0 if {z} > 0.0 else 0.0)",
        "leaky_relu": f"(1.0 if {z} > 0.0 else {_c(LEAKY_SLOPE)})",
        "linear": "1.0",
    }[name]


def _sum(terms: list[str]) -> str:
    return " + ".join(terms) if terms else "0.0"


def generate_source(
    network: Network, loss: str, optimizer: Optimizer, batch: int, norms: bool = False
) -> str:
    """Python source of ``step(P, S0, S1, t, xs, ts) -> (loss, P, S0, S1, N)`` for one batch
    size; ``N`` lists each layer's gradient norm ‖∂E/∂W‖ when ``norms``, else it is None.

    ``P`` flat parameters, ``S0``/``S1`` flat optimiser slots (or empty), ``t`` the
    optimiser's step count before this update, ``xs``/``ts`` the batch's rows as lists.
    """
    sizes, L, acts = network.layer_sizes, network.n_layers, network.activations
    layout = network.parameter_layout()
    n_params = sum(p.size for p in network.parameters())
    s = optimizer.settings
    out = ["def step(P, S0, S1, t, xs, ts):"]
    emit = out.append
    emit(f"    ({', '.join(f'p{k}' for k in range(n_params))},) = P")

    def w(l: int, i: int, j: int) -> str:
        return f"p{network.flat_index('w', l, i, j)}"

    def b(l: int, j: int) -> str | None:
        return f"p{network.flat_index('b', l, 0, j)}" if ("b", l) in layout else None

    k_out = sizes[-1]
    for smp in range(batch):
        emit(f"    ({', '.join(f'a0_{i}_{smp}' for i in range(sizes[0]))},) = xs[{smp}]")
        emit(f"    ({', '.join(f't{j}_{smp}' for j in range(k_out))},) = ts[{smp}]")
        for l in range(1, L + 1):
            for j in range(sizes[l]):
                terms = [f"a{l - 1}_{i}_{smp} * {w(l, i, j)}" for i in range(sizes[l - 1])]
                z = f"({_sum(terms)})"
                if b(l, j):
                    z = f"{z} + {b(l, j)}"
                emit(f"    z{l}_{j}_{smp} = {z}")
            if acts[l - 1] == "softmax":
                zs = [f"z{l}_{j}_{smp}" for j in range(sizes[l])]
                emit(
                    f"    m_{smp} = max({', '.join(zs)})"
                    if len(zs) > 1
                    else f"    m_{smp} = {zs[0]}"
                )
                for j in range(sizes[l]):
                    emit(f"    e{j}_{smp} = exp(z{l}_{j}_{smp} - m_{smp})")
                emit(f"    s_{smp} = {_sum([f'e{j}_{smp}' for j in range(sizes[l])])}")
                for j in range(sizes[l]):
                    emit(f"    a{l}_{j}_{smp} = e{j}_{smp} / s_{smp}")
            else:
                for j in range(sizes[l]):
                    emit(f"    a{l}_{j}_{smp} = {_activation(acts[l - 1], f'z{l}_{j}_{smp}')}")
        y = [f"a{L}_{j}_{smp}" for j in range(k_out)]
        z = [f"z{L}_{j}_{smp}" for j in range(k_out)]
        tt = [f"t{j}_{smp}" for j in range(k_out)]
        # loss of this sample, and the output error term δ = −∂E_s/∂z
        if loss in ("half_sse", "mse"):
            for j in range(k_out):
                emit(f"    e{j}_{smp} = {tt[j]} - {y[j]}")
            sq = _sum([f"e{j}_{smp} * e{j}_{smp}" for j in range(k_out)])
            emit(
                f"    L_{smp} = 0.5 * ({sq})"
                if loss == "half_sse"
                else f"    L_{smp} = ({sq}) / {k_out}"
            )
            c = "" if loss == "half_sse" else f" * {_c(2.0 / k_out)}"
            for j in range(k_out):
                emit(f"    d{L}_{j}_{smp} = e{j}_{smp}{c} * {_derivative(acts[-1], z[j], y[j])}")
        elif loss == "binary_cross_entropy":
            terms = [f"{tt[j]} * sp(-{z[j]}) + (1.0 - {tt[j]}) * sp({z[j]})" for j in range(k_out)]
            emit(f"    L_{smp} = ({_sum(terms)}) / {k_out}")
            for j in range(k_out):
                emit(f"    d{L}_{j}_{smp} = ({tt[j]} - {y[j]}) / {k_out}")
        else:  # cross_entropy after softmax
            emit(f"    lse_{smp} = m_{smp} + log({_sum([f'exp({zj} - m_{smp})' for zj in z])})")
            emit(f"    L_{smp} = {_sum([f'{tt[j]} * (lse_{smp} - {z[j]})' for j in range(k_out)])}")
            emit(f"    ts_{smp} = {_sum(tt)}")
            for j in range(k_out):
                emit(f"    d{L}_{j}_{smp} = {tt[j]} - {y[j]} * ts_{smp}")
    if batch == 1:
        emit("    loss = L_0")
    else:
        emit(f"    loss = ({_sum([f'L_{smp}' for smp in range(batch)])}) / {batch}")
    # backward: error terms of the hidden layers (with the weights before the update)
    for l in range(L - 1, 0, -1):
        for smp in range(batch):
            for i in range(sizes[l]):
                back = _sum([f"d{l + 1}_{k}_{smp} * {w(l + 1, i, k)}" for k in range(sizes[l + 1])])
                der = _derivative(acts[l - 1], f"z{l}_{i}_{smp}", f"a{l}_{i}_{smp}")
                emit(f"    d{l}_{i}_{smp} = ({back}) * {der}")
    # gradients and the optimiser's step for every parameter
    scale = _c(-1.0 / batch)
    emit("    P = list(P)")
    if s.name != "sgd":
        emit("    S0 = list(S0)")
    if s.name == "adam":
        emit("    S1 = list(S1)")
        emit(f"    c1 = 1.0 - {_c(s.beta1)} ** (t + 1)")
        emit(f"    c2 = 1.0 - {_c(s.beta2)} ** (t + 1)")
    if norms:
        for l in range(1, L + 1):
            emit(f"    n{l} = 0.0")
    for index, (kind, l) in enumerate(layout):
        if optimizer.frozen[index]:
            continue
        decay = optimizer.decays[index] and s.weight_decay
        cells = (
            [(i, j) for i in range(sizes[l - 1]) for j in range(sizes[l])]
            if kind == "w"
            else [(None, j) for j in range(sizes[l])]
        )
        for i, j in cells:
            if kind == "w":
                k = network.flat_index("w", l, i, j)
                g = _sum([f"a{l - 1}_{i}_{smp} * d{l}_{j}_{smp}" for smp in range(batch)])
            else:
                k = network.flat_index("b", l, 0, j)
                g = _sum([f"d{l}_{j}_{smp}" for smp in range(batch)])
            emit(f"    g = ({g}) * {scale}")
            if norms and kind == "w":
                emit(f"    n{l} += g * g")
            if decay:
                emit(f"    g = g + {_c(s.weight_decay)} * p{k}")
            if s.name == "sgd":
                emit(f"    P[{k}] = p{k} + g * {_c(-s.learning_rate)}")
            elif s.name == "momentum":
                emit(f"    v = {_c(s.momentum)} * S0[{k}] - {_c(s.learning_rate)} * g")
                emit(f"    S0[{k}] = v")
                emit(f"    P[{k}] = p{k} + v")
            else:
                emit(f"    m = {_c(s.beta1)} * S0[{k}] + {_c(1.0 - s.beta1)} * g")
                emit(f"    v = {_c(s.beta2)} * S1[{k}] + {_c(1.0 - s.beta2)} * (g * g)")
                emit(f"    S0[{k}] = m")
                emit(f"    S1[{k}] = v")
                emit(
                    f"    P[{k}] = p{k} + {_c(-s.learning_rate)} * (m / c1) / (sqrt(v / c2) + {_c(s.eps)})"
                )
    if norms:
        emit(f"    return loss, P, S0, S1, [{', '.join(f'sqrt(n{l})' for l in range(1, L + 1))}]")
    else:
        emit("    return loss, P, S0, S1, None")
    return "\n".join(out) + "\n"


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
