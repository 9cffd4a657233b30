"""``%load_ext bpviewer`` and ``%bpcheck`` in a real Jupyter kernel."""

from __future__ import annotations

import subprocess
import sys

import pytest

CELLS = [
    "%load_ext bpviewer",
    "import numpy as np\n!echo shell lines are skipped\n"
    "sigmoid = lambda z: 1 / (1 + np.exp(-z))\n"
    "x = np.array([0.5, 0.1, -0.2]); target = 0.6; learnrate = 0.5\n"
    "weights_input_hidden = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])\n"
    "weights_hidden_output = np.array([0.1, -0.3])",
    "hidden_layer_input = x @ weights_input_hidden\n"
    "hidden_layer_output = sigmoid(hidden_layer_input)\n"
    "output = sigmoid(hidden_layer_output @ weights_hidden_output)\n"
    "error = target - output\n"
    "output_error_term = error  # σ′ forgotten\n"
    "hidden_error_term = weights_hidden_output * output_error_term * hidden_layer_output"
    " * (1 - hidden_layer_output)\n"
    "delta_w_h_o = learnrate * output_error_term * hidden_layer_output\n"
    "delta_w_i_h = learnrate * hidden_error_term * x[:, None]",
    "weights_hidden_output += delta_w_h_o  # the kernel's weights are updated already",
    "%bpcheck",
    "raise ValueError('a cell that fails')",
    "%bpcheck --timeout 30",
]


def test_bpcheck_in_a_real_kernel_shows_the_report(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    client = nbclient.NotebookClient(
        notebook,
        timeout=60,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": tmp_path}},
    )
    client.execute()
    outputs = notebook.cells[-3].outputs
    assert [o.output_type for o in outputs] == ["display_data"], outputs
    html, text = outputs[0].data["text/html"], outputs[0].data["text/plain"]
    assert "First wrong: output_error_term" in text and "σ′ is missing" in text
    assert "In [2], line 2: !echo shell lines are skipped" in text
    assert "bpviewer-check" in html and "σ′ is missing" in html
    # a cell that failed in the kernel fails the re-run too: one line, no traceback
    (failed,) = notebook.cells[-1].outputs
    assert failed.output_type == "display_data"
    assert failed.data["text/plain"] == (
        "bpviewer check: this notebook: In [6], line 1: ValueError: a cell that fails"
    )


def test_import_bpviewer_loads_neither_qt_nor_ipython():
    code = (
        "import sys, bpviewer\n"
        "assert hasattr(bpviewer, 'load_ipython_extension')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('IPython', 'PySide6', 'nbformat')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
