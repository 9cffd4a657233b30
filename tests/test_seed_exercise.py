"""bpviewer reproduces the course exercise (shared/reference/seed-exercise.md) number for number."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import numpy as np
import pytest

from bpviewer.cli import main

# The exercise's own table (seed-exercise.md): the oracle.
REFERENCE = {
    "hidden_layer_input": [0.24, -0.46],
    "hidden_layer_output": [0.559713649, 0.386985824],
    "output_layer_in": [-0.060124382],
    "output": [0.484973431],
    "error": [0.115026569],
    "loss": 0.006615556,
    "output_error_term": [0.028730670],
    "hidden_error_term": [0.000708022, -0.002044714],
    "delta_w_h_o": [[0.00804047], [0.00555918]],
    "delta_w_i_h": [
        [1.77005547e-04, -5.11178506e-04],
        [3.54011093e-05, -1.02235701e-04],
        [-7.08022187e-05, 2.04471402e-04],
    ],
}

EXERCISE_TAIL = """Change in weights for hidden layer to output layer:
[0.00804047 0.00555918]
Change in weights for input layer to hidden layer:
[[ 1.77005547e-04 -5.11178506e-04]
 [ 3.54011093e-05 -1.02235701e-04]
 [-7.08022187e-05  2.04471402e-04]]
"""


def _exercise_by_hand():
    """The exercise's own solution script, run as it is written: an independent computation."""
    ns = runpy.run_path(str(Path(__file__).parent / "solutions" / "correct.py"))
    return {name: ns[name] for name in ("delta_w_h_o", "delta_w_i_h", "hidden_error_term")}


def _trace_json(capsys):
    assert main(["trace", "--preset", "seed", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_trace_json_matches_the_exercise_table(capsys):
    out = _trace_json(capsys)
    got = {
        "hidden_layer_input": out["net_inputs"][0],
        "hidden_layer_output": out["activations"][0],
        "output_layer_in": out["net_inputs"][1],
        "output": out["output"],
        "error": out["error"],
        "loss": out["loss"],
        "output_error_term": out["error_terms"][1],
        "hidden_error_term": out["error_terms"][0],
        "delta_w_h_o": out["delta_weights"][1],
        "delta_w_i_h": out["delta_weights"][0],
    }
    for name, expected in REFERENCE.items():
        np.testing.assert_allclose(got[name], expected, atol=1e-8, rtol=0, err_msg=name)


def test_trace_json_agrees_with_the_exercise_code(capsys):
    out = _trace_json(capsys)
    hand = _exercise_by_hand()
    np.testing.assert_allclose(np.ravel(out["delta_weights"][1]), hand["delta_w_h_o"], atol=1e-15)
    np.testing.assert_allclose(out["delta_weights"][0], hand["delta_w_i_h"], atol=1e-15)
    np.testing.assert_allclose(out["error_terms"][0], hand["hidden_error_term"], atol=1e-15)


def test_trace_json_shapes_and_keys(capsys):
    out = _trace_json(capsys)
    assert set(out) == {
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
    }
    assert out["output"] == pytest.approx([0.484973431], abs=1e-9)  # a list, even for one unit
    assert out["bias_gradients"] == [None, None]
    assert np.shape(out["weights_after"][1]) == (2, 1)
    np.testing.assert_allclose(
        out["weights_after"][1], [[0.1 + 0.00804047], [-0.3 + 0.00555918]], atol=1e-8
    )
    assert isinstance(out["loss"], float) and isinstance(out["loss_after"], float)
    assert out["loss_after"] < out["loss"]
    # gradient = −ΔW/η for plain SGD
    np.testing.assert_allclose(
        out["weight_gradients"][0], -np.array(out["delta_weights"][0]) / 0.5, rtol=1e-12
    )


def test_trace_text_ends_with_the_exercise_blocks(capsys):
    assert main(["trace", "--preset", "seed"]) == 0
    text = capsys.readouterr().out
    assert text.endswith(EXERCISE_TAIL)
    assert "output_error_term[0] = δ(y₁): (t − y)·σ′(z)" in text
