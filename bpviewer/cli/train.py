"""``bpviewer train``: train a project on the fast path, headless."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace

from bpviewer.cli.main import UsageError, project_from_args
from bpviewer.core.files.project import save_project
from bpviewer.core.training.trainer import Trainer, data_loss


def _progress(done: int, total: int, started: float) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    rate = done / max(time.perf_counter() - started, 1e-9)
    sys.stderr.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({rate:,.0f} it/s)"
    )
    sys.stderr.flush()


def cmd_train(args: argparse.Namespace) -> int:
    """Train for ``--iterations`` or ``--epochs``; print a summary or JSON; ``--out`` saves."""
    project = project_from_args(args)
    trainer = Trainer(project.network, project.training, project.dataset, history=False)
    if args.iterations is not None:
        if args.iterations < 0:
            raise UsageError("--iterations must be >= 0")
        total = args.iterations
    else:
        if args.epochs < 0:
            raise UsageError("--epochs must be >= 0")
        total = args.epochs * trainer.batches_per_epoch
    show = sys.stderr.isatty()
    started = time.perf_counter()
    done = 0
    for losses in trainer.chunks(total, chunk=2048):
        done += losses.shape[0]
        if show:
            _progress(done, total, started)
    if show:
        sys.stderr.write("\n")
    network = trainer.network
    data, loss = project.dataset, project.training.loss
    final = data_loss(network, loss, data.inputs, data.targets)
    validation = (
        data_loss(network, loss, data.validation_inputs, data.validation_targets)
        if data.validation_inputs is not None
        else None
    )
    if args.out:
        save_project(replace(project, network=network), args.out)
    if args.json:
        print(
            json.dumps(
                {
                    "iterations": trainer.iteration,
                    "epochs": trainer.epoch,
                    "final_loss": final,
                    "validation_loss": validation,
                    "weights": [w.tolist() for w in network.weights],
                    "biases": [None if b is None else b.tolist() for b in network.biases],
                },
                indent=2,
            )
        )
    else:
        print(
            f"trained {trainer.iteration} iterations ({trainer.epoch:g} epochs) "
            f"in {time.perf_counter() - started:.2f} s"
        )
        print(f"final loss over the training set: {final:.6g}")
        if validation is not None:
            print(f"validation loss: {validation:.6g}")
        if args.out:
            print(f"wrote {args.out}")
    return 0
