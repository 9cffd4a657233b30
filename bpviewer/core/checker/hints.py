"""Known mistakes: for each quantity, the value a common mistake would give, and its hint."""

from __future__ import annotations

from typing import Any

import numpy as np

from bpviewer.core.checker.formulas import sig_prime as _sig_prime
from bpviewer.core.checker.timeline import ATOL, RTOL


def hint_variants(
    got: dict[str, Any],
    x: np.ndarray,
    t: np.ndarray,
    lr: float,
    w_ih: np.ndarray,
    w_ho: np.ndarray,
    w_shape_ho: tuple[int, ...],
    expected: dict[str, np.ndarray],
) -> dict[str, list]:
    """Known mistakes, each as (description, value it would give) from the script's inputs
    and own values: x (n,), t (k,), W_ih (n, m), W_ho (m, k)."""
    v = {
        k: (None if a is None else np.asarray(a, dtype=np.float64).reshape(-1))
        for k, a in got.items()
    }

    def own(name: str) -> np.ndarray:
        """The script's value of ``name``, or the expected one where it has none."""
        return v[name] if v.get(name) is not None else expected[name]

    hli, hlo = own("hidden_layer_input"), own("hidden_layer_output")
    oli, out, err = own("output_layer_in"), own("output"), own("error")
    oet, het = own("output_error_term"), own("hidden_error_term")
    dho = got.get("delta_w_h_o")
    dho = expected["delta_w_h_o"] if dho is None else dho
    outer_ho = np.outer(hlo, oet).reshape(w_shape_ho)
    outer_ih = np.outer(x, het)
    with np.errstate(all="ignore"):
        variants = {
            "hidden_layer_output": [
                (
                    "the activation is missing: hidden_layer_output = sigmoid(hidden_layer_input)",
                    hli,
                ),
            ],
            "output": [("the activation is missing: output = sigmoid(output_layer_in)", oli)],
            "error": [("wrong sign: the error is target − output, not output − target", out - t)],
            "output_error_term": [
                (
                    "σ′ is taken of the output instead of the net input: use "
                    "sigmoid_prime(output_layer_in) (or output · (1 − output))",
                    err * _sig_prime(out),
                ),
                ("σ′ is missing: output_error_term = error · σ′(output_layer_in)", err),
                (
                    "wrong sign: the error term is (target − output) · σ′(output_layer_in)",
                    -err * _sig_prime(oli),
                ),
                ("σ′ is applied twice", err * _sig_prime(oli) ** 2),
            ],
            "hidden_error_term": [
                (
                    "σ′ is taken of the hidden output instead of the hidden net input: use "
                    "sigmoid_prime(hidden_layer_input)",
                    (w_ho @ oet) * _sig_prime(hlo),
                ),
                (
                    "σ′ is missing: hidden_error_term = (W_ho · output_error_term) · "
                    "σ′(hidden_layer_input)",
                    w_ho @ oet,
                ),
                (
                    "the hidden error term is computed with already-updated weights: use "
                    "weights_hidden_output as it was before the update",
                    ((w_ho + np.reshape(dho, w_ho.shape)) @ oet) * _sig_prime(hli)
                    if np.size(dho) == w_ho.size
                    else None,
                ),
                ("wrong sign", -(w_ho @ oet) * _sig_prime(hli)),
                ("σ′ is applied twice", (w_ho @ oet) * _sig_prime(hli) ** 2),
            ],
            "delta_w_h_o": [
                (
                    "the learning rate is missing: delta_w_h_o = learnrate · output_error_term · "
                    "hidden_layer_output",
                    outer_ho,
                ),
                ("the learning rate is applied twice", lr * lr * outer_ho),
                (
                    "wrong sign: with error = target − output the update is +learnrate · …",
                    -lr * outer_ho,
                ),
            ],
            "delta_w_i_h": [
                (
                    "the learning rate is missing: delta_w_i_h = learnrate · hidden_error_term · "
                    "x[:, None]",
                    outer_ih,
                ),
                ("the learning rate is applied twice", lr * lr * outer_ih),
                ("wrong sign", -lr * outer_ih),
                (
                    "x is not made a column: use x[:, None] so the product has the shape of "
                    "weights_input_hidden",
                    lr * het * x if het.size == x.size else None,
                ),
                (
                    f"transposed: the shape is {outer_ih.T.shape}, the weights it updates are "
                    f"{outer_ih.shape} (row = from-unit)",
                    expected["delta_w_i_h"].T if outer_ih.shape[1] > 1 else None,
                ),
            ],
        }
    return variants


def pick_hint(
    name: str, value: np.ndarray, variants: dict[str, list], expected: np.ndarray, matrix: bool
) -> str:
    for text, candidate in variants.get(name, []):
        if candidate is None:
            continue
        cand = np.asarray(candidate, dtype=np.float64)
        same_values = value.size == cand.size and np.allclose(
            value.reshape(-1), cand.reshape(-1), rtol=RTOL, atol=ATOL
        )
        if same_values and (not matrix or value.shape == cand.shape or value.size == 1):
            return text
    if matrix and value.size == expected.size and value.shape != expected.shape:
        if value.shape == expected.T.shape and np.allclose(value, expected.T, rtol=RTOL, atol=ATOL):
            return (
                f"transposed: the shape is {value.shape}, the weights it updates are "
                f"{expected.shape} (row = from-unit)"
            )
        return (
            f"wrong shape {value.shape}: it must be {expected.shape}, like the weights it updates"
        )
    if value.size != expected.size:
        return (
            f"wrong shape {value.shape}: expected {expected.shape} (a wrongly broadcast product?)"
        )
    if np.allclose(value.reshape(-1), -expected.reshape(-1), rtol=RTOL, atol=ATOL):
        return "wrong sign"
    return ""
