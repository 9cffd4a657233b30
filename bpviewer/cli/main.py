"""The headless command line: ``bpviewer trace|train|gradcheck|check|install-desktop``.

No Qt is imported here.  Exit codes: 0 done, 1 a check failed, 2 bad input (one line on
stderr naming the file and the problem, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from bpviewer import __version__
from bpviewer.core.engine.conventions import Conventions
from bpviewer.core.engine.formulas import explain
from bpviewer.core.engine.gradcheck import gradient_check
from bpviewer.core.engine.notation import fmt
from bpviewer.core.engine.trace import batch_bounds, trace_dict, trace_iteration
from bpviewer.core.errors import BpviewerError
from bpviewer.core.files.examples import example_names, load_example
from bpviewer.core.files.project import Project, load_project

COMMANDS = ("trace", "train", "gradcheck", "check", "install-desktop")


class UsageError(BpviewerError):
    """A command line that cannot be acted on."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so every error is one line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        command = self.prog.removeprefix("bpviewer").strip()  # main() says "bpviewer: "
        raise UsageError(f"{command}: {message}" if command else message)


def _tolerance(text: str) -> float:
    """A finite number of 0 or more (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number of 0 or more, got {text}")
    return value


def _add_project(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", nargs="?", help="project file (.json)")
    parser.add_argument(
        "--preset", choices=example_names(), help="use a built-in example instead of a file"
    )


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser (sub-commands; no sub-command opens the window)."""
    parser = _Parser(prog="bpviewer", description="See backpropagation one step at a time.")
    parser.add_argument("--version", action="version", version=f"bpviewer {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("trace", help="one full iteration, every intermediate value")
    _add_project(p)
    p.add_argument("--sample", type=int, default=0, help="first sample of the batch (default 0)")
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (always δ = −∂E/∂z and W[from, to])",
    )
    p.add_argument(
        "--delta-sign",
        choices=("exercise", "derivative"),
        default="exercise",
        help="show δ as the exercise's −∂E/∂z (default) or as ∂E/∂z (Nielsen, CS231n)",
    )
    p.add_argument(
        "--layout",
        choices=("from-to", "to-from"),
        default="from-to",
        help="print weight matrices as (from, to) (default) or (to, from) as PyTorch stores them",
    )

    p = sub.add_parser("gradcheck", help="analytic gradients against central differences")
    _add_project(p)
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--sample", type=int, default=0, help="first sample of the batch (default 0)"
    )
    which.add_argument("--all", action="store_true", help="every sample in one batch")
    p.add_argument("--tol", type=_tolerance, default=1e-5, help="relative error tolerance")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("train", help="train on the fast path")
    _add_project(p)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--iterations", type=int, help="number of updates")
    group.add_argument("--epochs", type=int, help="number of passes over the data")
    p.add_argument("--out", help="write the trained project here (atomically)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("check", help="check a learner's backprop script or notebook")
    p.add_argument("script", help="the learner's Python script (.py) or notebook (.ipynb)")
    p.add_argument(
        "--timeout", type=float, default=60.0, help="seconds the script may run, tracing counted"
    )
    p.add_argument("--python", help="run the script with this Python (3.8+ with NumPy)")
    p.add_argument("--json", action="store_true", help="print one JSON object, on every exit")

    p = sub.add_parser(
        "install-desktop",
        help="add bpviewer to this user's applications menu (Linux)",
        description="Write a desktop entry and the icon under $XDG_DATA_HOME "
        "(default ~/.local/share).",
    )
    p.add_argument("--uninstall", action="store_true", help="remove them again")
    return parser


def cmd_install_desktop(args: argparse.Namespace) -> int:
    from bpviewer import desktop_entry

    if args.uninstall:
        removed = desktop_entry.uninstall()
        for path in removed:
            print(f"removed {path}")
        if not removed:
            print(f"nothing to remove under {desktop_entry.data_home()}")
        return 0
    for path in desktop_entry.install():
        print(f"wrote {path}")
    return 0


def project_from_args(args: argparse.Namespace) -> Project:
    if args.preset and args.project:
        raise UsageError("give either a project file or --preset, not both")
    if args.preset:
        return load_example(args.preset)
    if not args.project:
        raise UsageError(f"{args.command}: give a project file or --preset NAME")
    project = load_project(args.project)
    for warning in project.warnings:
        print(f"bpviewer: warning: {args.project}: {warning}", file=sys.stderr)
    return project


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, allow_nan=True))


# ---------------------------------------------------------------------------- trace
def cmd_trace(args: argparse.Namespace) -> int:
    """``bpviewer trace``: one iteration, as a readable trace or JSON."""
    project = project_from_args(args)
    trace = trace_iteration(project, args.sample)
    if args.json:
        _print_json(trace_dict(trace))
        return 0
    machine = trace.machine
    conventions = Conventions(args.delta_sign, args.layout.replace("-", "_"))
    lo, hi = batch_bounds(project, args.sample)
    title = project.name or (args.project or "")
    sizes = "-".join(map(str, machine.network.layer_sizes))
    print(
        f"bpviewer trace: {title} ({sizes}, loss {project.training.loss}, "
        f"η = {fmt(project.training.learning_rate)}), samples {lo}..{hi - 1}"
    )
    if conventions != Conventions():
        print(f"conventions: {conventions.describe()}")
    for record in trace.records:
        print(f"\n## {record.sub_step.describe(machine.n_layers)}")
        for formula in explain(record, conventions=conventions):
            print(f"  {formula.text()}")
    print(
        f"\nloss before the update E = {fmt(machine.results['loss'])}, "
        f"after it E = {fmt(trace.loss_after)}\n"
    )
    _print_changes(trace, conventions)
    return 0


def _print_changes(trace: Any, conventions: Conventions | None = None) -> None:
    """The exercise's closing blocks (its wording, NumPy's printing); matrices as (to,
    from) when ``conventions`` say so (a single output's column stays a vector)."""
    conventions = conventions or Conventions()
    machine = trace.machine
    L = machine.n_layers
    deltas = [machine.results[f"delta_w{l}"] for l in range(1, L + 1)]
    note = " (rows: to, columns: from)" if conventions.transposed else ""
    if L == 2:
        d_ho = deltas[1][:, 0] if deltas[1].shape[1] == 1 else conventions.shown_weights(deltas[1])
        print(
            f"Change in weights for hidden layer to output layer{'' if d_ho.ndim == 1 else note}:"
        )
        print(d_ho)
        print(f"Change in weights for input layer to hidden layer{note}:")
        print(conventions.shown_weights(deltas[0]))
        return
    for l, d in enumerate(deltas, start=1):
        print(f"Change in weights for layer {l} (layer {l - 1} to layer {l}){note}:")
        print(conventions.shown_weights(d))


# ---------------------------------------------------------------------------- gradcheck
def _label(entry, n_layers: int) -> str:
    """``w(x₁→h₁)`` or ``b(h₁)``, as the window names a parameter."""
    from bpviewer.core.engine.notation import bias_label, weight_label

    if entry.kind == "w":
        return weight_label(entry.layer, entry.row, entry.col, n_layers)
    return bias_label(entry.layer, entry.col, n_layers)


def cmd_gradcheck(args: argparse.Namespace) -> int:
    """``bpviewer gradcheck``: exit 1 when any parameter is above the tolerance."""
    project = project_from_args(args)
    lo, hi = (0, project.dataset.n_samples) if args.all else batch_bounds(project, args.sample)
    result = gradient_check(
        project.network,
        project.training.loss,
        project.dataset.inputs[lo:hi],
        project.dataset.targets[lo:hi],
        tolerance=args.tol,
    )
    if args.json:
        _print_json(
            {
                "max_relative_error": result.max_relative_error,
                "tolerance": args.tol,
                "passed": result.passed,
                "parameters": [
                    {
                        "kind": e.kind,
                        "name": _label(e, project.network.n_layers),
                        "layer": e.layer,
                        "row": e.row,
                        "column": e.col,
                        "analytic": e.analytic + 0.0,
                        "numerical": e.numerical + 0.0,
                        "relative_error": e.relative_error,
                        "at_kink": e.at_kink,
                    }
                    for e in result.entries
                ],
            }
        )
    else:
        print(f"{'parameter':<24}{'analytic':>16}{'numerical':>16}{'rel. error':>12}")
        for e in result.entries:
            index = (
                f"{e.kind}{e.layer}[{e.row},{e.col}]" if e.kind == "w" else f"b{e.layer}[{e.col}]"
            )
            name = f"{_label(e, project.network.n_layers)} {index}"  # the window's name first
            note = "  at a relu kink: not differentiable here" if e.at_kink else ""
            print(
                f"{name:<24}{e.analytic + 0.0:>16.8g}{e.numerical + 0.0:>16.8g}{e.relative_error:>12.2e}{note}"
            )
        verdict = "passed" if result.passed else "FAILED"
        print(
            f"max relative error {result.max_relative_error:.3e} "
            f"(tolerance {args.tol:g}): {verdict}"
        )
        if result.kinks:
            print(f"{len(result.kinks)} parameter(s) sit at a relu kink and were not judged")
    zeros = sum(1 for e in result.entries if e.analytic == 0 and e.numerical == 0)
    if zeros * 2 > len(result.entries):
        print(
            f"bpviewer: warning: {zeros} of {len(result.entries)} gradients are exactly 0 on "
            f"this batch (samples {lo}..{hi - 1}), so passing proves little: try another "
            "--sample",
            file=sys.stderr,
        )
    return 0 if result.passed else 1


# ---------------------------------------------------------------------------- main
def main(argv: Sequence[str] | None = None) -> int:
    """Run a sub-command and return its exit code (2 with one line on stderr for bad input)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        handler = {
            "trace": cmd_trace,
            "gradcheck": cmd_gradcheck,
            "train": _lazy("bpviewer.cli.train", "cmd_train"),
            "check": _lazy("bpviewer.cli.check", "cmd_check"),
            "install-desktop": cmd_install_desktop,
        }[args.command]
        with np.errstate(over="ignore", under="ignore"):
            return handler(args)
    except BpviewerError as exc:
        return _refused(str(exc), argv)
    except OSError as exc:  # e.g. --out into a folder that does not exist
        where = f"{exc.filename}: " if exc.filename else ""
        return _refused(f"{where}{exc.strerror or exc}", argv)
    except KeyboardInterrupt:
        print("bpviewer: interrupted", file=sys.stderr)
        return 130


def _refused(message: str, argv: list[str]) -> int:
    """Exit 2: one line on stderr, and with ``--json`` one object on stdout as well (a
    script reading the JSON gets an answer on every exit, bad arguments included)."""
    print(f"bpviewer: {message}", file=sys.stderr)
    if "--json" in argv:
        print(json.dumps({"ok": False, "error": message}))
    return 2


def _lazy(module: str, name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(module), name)(args)

    return run
