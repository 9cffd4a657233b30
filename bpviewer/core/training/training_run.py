"""A training run for a worker thread: a generator that trains in short chunks, yields what
happened in each, and stops on a target or a watchpoint.

Each yielded :class:`Chunk` is new and never changed afterwards, so the GUI thread may read
it while the worker goes on.  Between chunks the generator sleeps a moment, so a tight
Python loop never holds the GIL long enough to starve the window (2 cores).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from dataclasses import dataclass, field

import numpy as np

from bpviewer.core.engine.network import Network
from bpviewer.core.engine.notation import bias_label, fmt, unit_label, weight_label
from bpviewer.core.engine.optimizers import OptimizerState
from bpviewer.core.training.paint_gate import PaintGate
from bpviewer.core.training.trainer import Trainer, data_loss

#: The worker sleeps BREATHE_SECONDS every BREATHE_EVERY seconds of work (a few per cent).
BREATHE_EVERY = 0.004
BREATHE_SECONDS = 0.0001
BEFORE = 10_000  # training samples the loss before a run is measured on, at most
SMOOTH_EPOCHS = 5  # the divergence watch compares moving averages of epoch means


@dataclass(frozen=True)
class Watch:
    """Watchpoints: stop on NaN/inf; on an epoch-mean loss (a moving average over
    :data:`SMOOTH_EPOCHS` epochs) more than ``growth`` times its lowest so far and above the
    run's start; on a layer's epoch-mean gradient norm below ``vanishing``; on more than
    ``stopped`` (a share, 0–1) of a hidden layer's units dead or saturated over the
    training set (judged at each epoch's end)."""

    nan: bool = True
    growth: float | None = 10.0
    vanishing: float | None = None
    stopped: float | None = None


@dataclass(frozen=True)
class Trip:
    """Why a watchpoint stopped the run."""

    kind: str  # nan, growth, vanishing
    iteration: int  # where it happened
    message: str
    restored_iteration: int | None = None  # parameters put back to this iteration


@dataclass(frozen=True)
class Chunk:
    """What one chunk of the run produced.

    ``losses`` (n,) are the losses of iterations ``start … start + n − 1``; ``grad_norms``
    (n, L) each layer's ‖∂E/∂W‖; ``epochs`` (iteration where the epoch ended, epoch number,
    mean loss) and ``validation`` (iteration, loss) for epochs ending in this chunk.
    """

    start: int
    losses: np.ndarray
    grad_norms: np.ndarray | None
    epochs: list[tuple[int, int, float]]
    validation: list[tuple[int, float]]
    done: int
    total: int | None
    elapsed: float
    tracked: np.ndarray | None = None  # values of the tracked parameters at the chunk's end
    params: np.ndarray | None = None  # every parameter at the chunk's end (flat, layout order)


@dataclass
class RunResult:
    """How a run ended: ``reason`` is done, target, stopped or watch."""

    trainer: Trainer
    network: Network
    optimizer_state: OptimizerState
    iterations: int
    reason: str
    trip: Trip | None = None
    final_loss: float = float("nan")
    epoch_means: list[float] = field(default_factory=list)


def training_run(
    trainer: Trainer,
    *,
    iterations: int | None = None,
    epochs: int | None = None,
    target_loss: float | None = None,
    watch: Watch = Watch(),
    chunk_seconds: float = 0.03,
    pause: float = BREATHE_SECONDS,
    track: list[int] | None = None,
    gate: PaintGate | None = None,
    snapshot_params: bool = False,
    halt: threading.Event | None = None,
) -> Generator[Chunk, None, RunResult]:
    """Train ``trainer`` for ``iterations`` or ``epochs`` (or until the epoch-mean loss is
    below ``target_loss``; with none of them, until stopped or tripped).  ``track`` lists
    flat parameter indices whose values each chunk reports (weight trajectories).  While
    ``gate`` is cleared (a GUI painting), the run waits at its next breather, so the painter
    has the GIL to itself for those few milliseconds.  Setting ``halt`` ends the run at
    its next breather with reason ``stopped``; the generator still returns its result (a
    watchpoint that tripped in the same chunk still restores its finite parameters)."""
    bpe = trainer.batches_per_epoch
    total = iterations if iterations is not None else (epochs * bpe if epochs is not None else None)
    epoch = _Epochs(trainer, watch, target_loss)
    if watch.growth is not None:  # the loss before the run, for a run that explodes at once
        data = trainer.dataset
        epoch.before = data_loss(
            trainer.network, trainer.training.loss, data.inputs[:BEFORE], data.targets[:BEFORE]
        )
    done, started = 0, time.perf_counter()
    reason, trip = "done", None
    block = 1  # iterations between clock readings, grown to about BREATHE_EVERY of work
    step, clock, isfinite = trainer.step, time.perf_counter, np.isfinite
    while total is None or done < total:
        chunk_start = trainer.iteration
        losses, norms, ends, vals = [], [], [], []
        deadline = clock() + chunk_seconds
        stop = False
        while not stop and (total is None or done < total) and clock() < deadline:
            # NumPy releases and at once retakes the GIL around BLAS calls, which resets
            # CPython's switch interval: a waiting GUI thread could wait a whole chunk.  A
            # real (if tiny) sleep between blocks hands it the GIL.
            time.sleep(BREATHE_SECONDS)
            if gate is not None and not gate.is_set():
                gate.park()
            if halt is not None and halt.is_set():
                reason = "stopped"
                break
            block_start = clock()
            for _ in range(block if total is None else min(block, total - done)):
                loss = step()
                done += 1
                losses.append(loss)
                g = trainer.last_gradient_norms
                if g is not None:
                    norms.append(g)
                epoch.add(loss, g)
                if watch.nan and not isfinite(loss):
                    stop = True
                    break
                if trainer.iteration % bpe == 0 and epoch.close(ends, vals):
                    stop = True
                    break
            block = _block_size(block, clock() - block_start)
        chunk_losses = np.array(losses)
        trip = epoch.trip
        if watch.nan and trip is None:
            trip = _nan_watch(trainer, chunk_start, chunk_losses)
        yield Chunk(
            chunk_start,
            chunk_losses,
            np.array(norms) if norms else None,
            ends,
            vals,
            done,
            total,
            clock() - started,
            _values(trainer, track) if track else None,
            _values(trainer, None) if snapshot_params else None,
        )
        if trip is not None:
            reason = "watch"
            break
        if reason == "stopped":
            break
        if target_loss is not None and ends and ends[-1][2] < target_loss:
            reason = "target"
            break
        time.sleep(pause)  # let the GUI thread have the GIL
    network, state = trainer.network, trainer.optimizer_state
    if trip is not None and trip.restored_iteration is not None:
        network, state = trainer.restore(trip.restored_iteration)
    final = data_loss(
        network, trainer.training.loss, trainer.dataset.inputs, trainer.dataset.targets
    )
    return RunResult(trainer, network, state, done, reason, trip, final, epoch.means)


def _block_size(block: int, spent: float) -> int:
    """Iterations between clock readings: about :data:`BREATHE_EVERY` seconds of work."""
    if spent < BREATHE_EVERY / 2:
        return block * 2
    if spent > 2 * BREATHE_EVERY and block > 1:
        return block // 2
    return block


def _values(trainer: Trainer, indices: list[int] | None) -> np.ndarray:
    """The flat parameters (``indices`` of them, or all), as a new array."""
    flat = trainer.kernel.flat_parameters()
    if indices is None:
        return np.array(flat, dtype=np.float64)
    return np.array([flat[i] for i in indices], dtype=np.float64)


class _Epochs:
    """A run's epochs: the running sums of the current one, the means of those ended, and
    the watchpoints and target judged at each epoch's end."""

    def __init__(self, trainer: Trainer, watch: Watch, target_loss: float | None) -> None:
        self.trainer, self.watch, self.target_loss = trainer, watch, target_loss
        self.n_layers = trainer.n_layers
        self.sum, self.count = 0.0, 0
        self.norms = [0.0] * self.n_layers
        self.means: list[float] = []
        self.watched: list[float] = []  # the means of whole epochs, which the watch judges
        self.lowest = np.inf
        self.first: float | None = None  # the smoothed loss of the run's first epoch
        self.before = np.nan  # the loss of (the first BEFORE) training samples before the run
        self.trip: Trip | None = None

    def add(self, loss: float, norms: list[float] | None) -> None:
        """One iteration's loss and per-layer gradient norms."""
        self.sum += loss
        self.count += 1
        if norms is not None:
            for l in range(self.n_layers):
                self.norms[l] += norms[l]

    def close(self, ends: list, vals: list) -> bool:
        """An epoch ends (a first, partial one too): record it in ``ends`` (and the
        validation loss in ``vals``); whether the run must stop (a watch or the target)."""
        trainer, data = self.trainer, self.trainer.dataset
        whole = self.count >= trainer.batches_per_epoch
        mean = self.sum / self.count
        norms_mean = np.array(self.norms) / self.count
        self.sum, self.count = 0.0, 0
        self.norms = [0.0] * self.n_layers
        self.means.append(mean)
        ends.append((trainer.iteration, trainer.iteration // trainer.batches_per_epoch, mean))
        if data.validation_inputs is not None:
            loss = data_loss(
                trainer.network,
                trainer.training.loss,
                data.validation_inputs,
                data.validation_targets,
            )
            vals.append((trainer.iteration, loss))
        reached = self.target_loss is not None and mean < self.target_loss
        if not whole:  # a first, partial epoch (a run started mid-epoch) is too few batches
            return reached  # to judge divergence or a vanishing gradient by
        self.watched.append(mean)
        smooth = float(np.mean(self.watched[-SMOOTH_EPOCHS:]))
        self.first = self.first if self.first is not None else smooth
        self.trip = (
            _exploded(trainer, self.watch, mean, self.before) if len(self.watched) == 1 else None
        )
        self.trip = self.trip or _epoch_watch(
            trainer, self.watch, smooth, self.lowest, self.first, norms_mean
        )
        self.lowest = min(self.lowest, smooth)
        return self.trip is not None or reached


def _exploded(trainer: Trainer, watch: Watch, mean: float, before: float) -> Trip | None:
    """A run that explodes in its first epoch: that epoch's mean loss is ``growth`` times
    the loss before the run (the growth watch compares epochs, and the first one already
    holds the explosion)."""
    if watch.growth is None or not (np.isfinite(before) and before > 0 and np.isfinite(mean)):
        return None
    if mean <= watch.growth * before:
        return None
    it, lr = trainer.iteration - 1, trainer.training.learning_rate
    return Trip(
        "growth",
        it,
        f"the loss grew from {fmt(before)} before the run to an epoch mean of {fmt(mean)} "
        f"(more than {fmt(watch.growth)}×) by iteration {it}: the training diverges; try a "
        f"smaller learning rate (η = {fmt(lr)} → {fmt(lr / 10)})",
    )


def _epoch_watch(
    trainer: Trainer,
    watch: Watch,
    mean: float,
    lowest: float,
    first: float,
    norms: np.ndarray,
) -> Trip | None:
    """Divergence: the smoothed epoch-mean loss is ``growth`` times its lowest so far *and*
    above where the run started (so the noise of a loss that is already near zero, where
    ratios mean little, never trips it); vanishing gradients."""
    it = trainer.iteration - 1
    lr = trainer.training.learning_rate
    if (
        watch.growth is not None
        and np.isfinite(mean)
        and np.isfinite(lowest)
        and mean > watch.growth * lowest
        and mean > first
    ):
        return Trip(
            "growth",
            it,
            f"the epoch-mean loss grew from {fmt(lowest)} to {fmt(mean)} (more than "
            f"{fmt(watch.growth)}×) by iteration {it}: the training diverges; try a "
            f"smaller learning rate (η = {fmt(lr)} → {fmt(lr / 10)})",
        )
    if watch.vanishing is not None and trainer.last_gradient_norms is not None:
        for l, n in enumerate(norms, start=1):
            if n < watch.vanishing:
                return Trip(
                    "vanishing",
                    it,
                    f"the gradient of layer {l} vanished by iteration {it}: epoch-mean "
                    f"‖∂E/∂W{l}‖ = {n:.3g} < {watch.vanishing:g}",
                )
    if watch.stopped is not None:
        return _stopped_watch(trainer, watch.stopped, it)
    return None


def _stopped_watch(trainer: Trainer, limit: float, it: int) -> Trip | None:
    """More than ``limit`` of a hidden layer's units dead or saturated on the training set."""
    from bpviewer.core.engine.unit_health import stopped_share, stopped_units

    net = trainer.network
    stopped = stopped_units(net, trainer.dataset.inputs)
    for l, share in enumerate(stopped_share(net, stopped), start=1):
        if share > limit:
            kinds = sorted({s.kind for s in stopped if s.layer == l})
            return Trip(
                "stopped",
                it,
                f"{share:.0%} of hidden layer {l}'s units are {' or '.join(kinds)} by "
                f"iteration {it} (more than {limit:.0%}): they no longer learn; try a smaller "
                "learning rate, another initialisation or another activation",
            )
    return None


def _nan_watch(trainer: Trainer, chunk_start: int, losses: np.ndarray) -> Trip | None:
    """Find the first iteration of the chunk where the loss or a parameter stopped being
    finite, restore the last finite state and say which layer and unit."""
    flat = np.asarray(trainer.kernel.flat_parameters(), dtype=np.float64)
    bad_loss = np.flatnonzero(~np.isfinite(losses))
    if bad_loss.size == 0 and np.all(np.isfinite(flat)):
        return None
    b_loss = chunk_start + int(bad_loss[0]) if bad_loss.size else None
    # the first iteration whose parameters (before its update) are not finite
    lo, hi = chunk_start, trainer.iteration
    if np.all(np.isfinite(flat)):
        p_bad = None
    else:
        while lo < hi:  # bisect with exact restores from the history
            mid = (lo + hi) // 2
            net, _ = trainer.restore(mid)
            if all(np.all(np.isfinite(p)) for p in net.parameters()):
                lo = mid + 1
            else:
                hi = mid
        p_bad = lo
    candidates = [b for b in (b_loss, None if p_bad is None else p_bad - 1) if b is not None]
    b = min(candidates)
    if p_bad is not None and b == p_bad - 1:
        where = _first_non_finite_parameter(trainer.restore(p_bad)[0])
        what = f"the update of iteration {b} made {where} infinite or NaN"
        restore = b
    else:
        net_b, _ = trainer.restore(b)
        unit = _first_non_finite_unit(net_b, trainer, b)
        what = f"the loss of iteration {b} is {fmt(losses[b - chunk_start])} ({unit})"
        restore = max(b - 1, trainer.history.start if trainer.history else 0)
    lr = trainer.training.learning_rate
    return Trip(
        "nan",
        b,
        f"{what}; parameters restored to iteration {restore}, all finite. "
        f"Try a smaller learning rate (η = {fmt(lr)} → {fmt(lr / 10)})",
        restore,
    )


def _first_non_finite_parameter(network: Network) -> str:
    L = network.n_layers
    for l in range(1, L + 1):
        w = network.weights[l - 1]
        bad = np.argwhere(~np.isfinite(w))
        if bad.size:
            i, j = bad[0]
            return f"layer {l}'s weight {weight_label(l, int(i), int(j), L)}"
        b = network.biases[l - 1]
        if b is not None and not np.all(np.isfinite(b)):
            j = int(np.argwhere(~np.isfinite(b))[0][0])
            return f"layer {l}'s bias {bias_label(l, j, L)}"
    return "a parameter"


def _first_non_finite_unit(network: Network, trainer: Trainer, iteration: int) -> str:
    rows = trainer.batch_rows(iteration)
    zs, _ = network.forward_pass(trainer.dataset.inputs[rows])
    for l, z in enumerate(zs, start=1):
        bad = np.argwhere(~np.isfinite(z))
        if bad.size:
            return f"first at layer {l}, unit {unit_label(l, int(bad[0][1]), network.n_layers)}"
    return "the output overflowed in the loss"
