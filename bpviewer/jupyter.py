"""``%load_ext bpviewer`` then ``%bpcheck``: check the backprop written in this notebook.

``%bpcheck`` re-runs the cells this kernel has executed (in order, up to the one holding
``%bpcheck``) in a separate traced process, as ``bpviewer check notebook.ipynb`` does (the
kernel's own variables are not used: its weights may have been updated already), and shows
the report as rich output.  Options: ``--timeout SECONDS`` and ``--python PATH``.

Needs IPython (``pip install bpviewer[jupyter]``); the window never imports this module.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shlex
import tempfile
from pathlib import Path
from typing import Any

from bpviewer.core.checker.checker import DEFAULT_TIMEOUT, check_script
from bpviewer.core.checker.report import report_html, report_text
from bpviewer.core.errors import BpviewerError

MAGIC = "bpcheck"


def executed_cells(history: list[str]) -> list[tuple[int, str]]:
    """(execution number, source) of the executed cells, without those calling %bpcheck."""
    return [
        (number, source)
        for number, source in enumerate(history)
        if number > 0 and source.strip() and f"%{MAGIC}" not in source
    ]


def notebook_json(cells: list[tuple[int, str]]) -> dict[str, Any]:
    """A minimal nbformat-4 notebook of ``cells``, each labelled as the kernel numbered it."""
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": number,
                "id": f"in{number}",
                "metadata": {"bpviewer_label": f"In [{number}]"},
                "outputs": [],
                "source": source,
            }
            for number, source in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _options(line: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="%bpcheck", add_help=False, exit_on_error=False)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    parser.add_argument("--python")
    return parser.parse_args(shlex.split(line))


def bpcheck(line: str = "", shell=None) -> None:
    """The ``%bpcheck`` line magic: check the executed cells and display the report."""
    from IPython import get_ipython
    from IPython.display import display

    shell = shell or get_ipython()
    try:
        options = _options(line)
    except (argparse.ArgumentError, SystemExit, ValueError) as exc:
        display({"text/plain": f"%bpcheck: {exc}"}, raw=True)
        return
    cells = executed_cells(list(shell.history_manager.input_hist_raw))
    with tempfile.TemporaryDirectory(prefix="bpcheck-") as tmp:
        path = Path(tmp) / "notebook.ipynb"
        path.write_text(json.dumps(notebook_json(cells)))
        try:
            run, report = check_script(path, options.timeout, options.python, os.getcwd())
        except BpviewerError as exc:
            text = html.escape(str(exc).replace(str(path), "this notebook"))
            display(
                {
                    "text/plain": f"bpviewer check: {text}",
                    "text/html": f"<p style='color:#cf222e'><b>bpviewer check</b>: {text}</p>",
                },
                raw=True,
            )
            return
    display(
        {"text/plain": report_text(report, run), "text/html": report_html(report, run)}, raw=True
    )


def load_ipython_extension(ipython) -> None:
    """Register ``%bpcheck`` (called by ``%load_ext bpviewer``)."""
    ipython.register_magic_function(lambda line: bpcheck(line, ipython), "line", MAGIC)
