"""``bpviewer check``: the first wrong number in a learner's solution, with a hint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bpviewer.cli import main

CORRECT = (Path(__file__).parent / "solutions" / "correct.py").read_text()


def _script(
    tmp_path: Path, *replacements: tuple[str, str], extra: str = "", base: str = CORRECT
) -> Path:
    text = base
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "solution.py"
    path.write_text(text + extra)
    return path


def _check(capsys, path: Path, *args: str) -> tuple[int, dict]:
    code = main(["check", str(path), "--json", *args])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if captured.out.strip() else {"err": captured.err})


def test_correct_solution_prints_the_graders_line(capsys):
    path = Path(__file__).parent / "solutions" / "correct.py"
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("Nice job!  That's right!")
    assert "The script printed:" in out and "[0.00804047 0.00555918]" in out


def test_correct_solution_updating_weights_in_place_passes(tmp_path, capsys):
    path = _script(
        tmp_path,
        extra=("weights_hidden_output += delta_w_h_o\nweights_input_hidden += delta_w_i_h\n"),
    )
    code, out = _check(capsys, path)
    assert code == 0 and out["ok"] and out["first_wrong"] is None


E = "output_error_term = error * sigmoid_prime(output_layer_in)"
H = "hidden_error_term = output_error_term *  weights_hidden_output * sigmoid_prime(hidden_layer_input)"
DHO = "delta_w_h_o = learnrate * output_error_term *  hidden_layer_output"
DIH = "delta_w_i_h = learnrate * hidden_error_term * x[:, None]"

MISTAKES = {
    "sigma_prime_of_output": (
        [(E, "output_error_term = error * sigmoid_prime(output)")],
        "output_error_term",
        "taken of the output instead of the net input",
    ),
    "sigma_prime_missing": (
        [(E, "output_error_term = error")],
        "output_error_term",
        "σ′ is missing",
    ),
    "sigma_prime_twice": (
        [(E, "output_error_term = error * sigmoid_prime(output_layer_in)**2")],
        "output_error_term",
        "applied twice",
    ),
    "wrong_sign_of_error": (
        [("error = target - output", "error = output - target")],
        "error",
        "wrong sign",
    ),
    "learning_rate_missing": (
        [(DHO, "delta_w_h_o = output_error_term * hidden_layer_output")],
        "delta_w_h_o",
        "learning rate is missing",
    ),
    "learning_rate_twice": (
        [(DIH, "delta_w_i_h = learnrate * learnrate * hidden_error_term * x[:, None]")],
        "delta_w_i_h",
        "applied twice",
    ),
    "transposed": (
        [(DIH, "delta_w_i_h = learnrate * hidden_error_term[:, None] * x")],
        "delta_w_i_h",
        "transposed",
    ),
    "hidden_sigma_prime_of_output": (
        [
            (
                H,
                "hidden_error_term = output_error_term * weights_hidden_output * "
                "sigmoid_prime(hidden_layer_output)",
            )
        ],
        "hidden_error_term",
        "instead of the hidden net input",
    ),
    "updated_weights": (
        [
            (
                H,
                "delta_w_h_o = learnrate * output_error_term * hidden_layer_output\n"
                "weights_hidden_output = weights_hidden_output + delta_w_h_o\n" + H,
            )
        ],
        "hidden_error_term",
        "already-updated weights",
    ),
}


@pytest.mark.parametrize("case", sorted(MISTAKES))
def test_each_mistake_is_named_first_with_its_hint(case, tmp_path, capsys):
    replacements, first, hint = MISTAKES[case]
    code, out = _check(capsys, _script(tmp_path, *replacements))
    assert code == 1
    assert out["first_wrong"] == first
    assert hint in out["hint"]
    assert out["mistakes"][0]["name"] == first


def test_x_instead_of_a_column_in_a_square_network(tmp_path, capsys):
    base = CORRECT.replace("x = np.array([0.5, 0.1, -0.2])", "x = np.array([0.5, 0.1])").replace(
        """weights_input_hidden = np.array([[0.5, -0.6],
                                 [0.1, -0.2],
                                 [0.1, 0.7]])""",
        "weights_input_hidden = np.array([[0.5, -0.6], [0.1, -0.2]])",
    )
    code, out = _check(
        capsys,
        _script(tmp_path, (DIH, "delta_w_i_h = learnrate * hidden_error_term * x"), base=base),
    )
    assert code == 1 and out["first_wrong"] == "delta_w_i_h"
    assert "x[:, None]" in out["hint"]


def test_a_wrong_error_propagates_as_follows(tmp_path, capsys):
    _, out = _check(
        capsys, _script(tmp_path, ("error = target - output", "error = output - target"))
    )
    q = out["quantities"]
    assert q["error"]["status"] == "wrong"
    for name in ("output_error_term", "hidden_error_term", "delta_w_h_o", "delta_w_i_h"):
        assert q[name]["status"] == "follows", name
        assert q[name]["follows_from"] == "error"
    assert [m["name"] for m in out["mistakes"]] == ["error"]


def test_two_independent_mistakes_are_both_named(tmp_path, capsys):
    path = _script(
        tmp_path,
        ("error = target - output", "error = output - target"),
        (DIH, "delta_w_i_h = hidden_error_term * x[:, None]"),
    )
    code, out = _check(capsys, path)
    assert code == 1 and out["first_wrong"] == "error"
    names = [m["name"] for m in out["mistakes"]]
    assert names == ["error", "delta_w_i_h"]
    assert "learning rate is missing" in out["mistakes"][1]["hint"]
    assert out["quantities"]["output_error_term"]["status"] == "follows"


def test_several_outputs_with_biases(tmp_path, capsys):
    script = """
import numpy as np
def sigmoid(z): return 1 / (1 + np.exp(-z))
x = np.array([0.2, -0.4]); target = np.array([0.1, 0.9]); learnrate = 0.3
weights_input_hidden = np.array([[0.1, 0.2, -0.3], [0.4, -0.5, 0.6]])
weights_hidden_output = np.array([[0.7, -0.1], [0.2, 0.3], [-0.4, 0.5]])
bias_hidden = np.array([0.01, -0.02, 0.03]); bias_output = np.array([0.1, -0.1])
hidden_layer_input = x @ weights_input_hidden + bias_hidden
hidden_layer_output = sigmoid(hidden_layer_input)
output_layer_in = hidden_layer_output @ weights_hidden_output + bias_output
output = sigmoid(output_layer_in)
error = target - output
output_error_term = error * output * (1 - output)
hidden_error_term = np.dot(weights_hidden_output, output_error_term) * hidden_layer_output * (1 - hidden_layer_output)
delta_w_h_o = learnrate * hidden_layer_output[:, None] * output_error_term
delta_w_i_h = learnrate * hidden_error_term * x[:, None]
"""
    path = tmp_path / "multi.py"
    path.write_text(script)
    code, out = _check(capsys, path)
    assert code == 0, out
    path.write_text(script.replace("+ bias_output", ""))
    code, out = _check(capsys, path)
    assert code == 1 and out["first_wrong"] == "output_layer_in"


@pytest.mark.parametrize(
    "body, message",
    [
        ("import numpy as np\nx = 1/0\n", "line 2: ZeroDivisionError: division by zero"),
        ("while True:\n    pass\n", "still running after 2 s"),
        ("import sys\nsys.exit(3)\nx = 1\n", "sys.exit(3) at line 2 before defining anything"),
        ("def broken(:\n", "line 1: SyntaxError"),
    ],
)
def test_scripts_that_cannot_run_exit_2(tmp_path, capsys, body, message):
    path = tmp_path / "bad.py"
    path.write_text(body)
    assert main(["check", str(path), "--timeout", "2"]) == 2
    err = capsys.readouterr().err
    assert message in err and str(path) in err
    assert err.count("\n") == 1


def test_missing_script_exits_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.py")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_wrong_type_is_reported_as_missing(tmp_path, capsys):
    """The value judged is the one in use when the error is computed: here a str."""
    code, out = _check(
        capsys,
        _script(
            tmp_path,
            ("output = sigmoid(output_layer_in)", "output = str(sigmoid(output_layer_in))"),
            ("error = target - output", "error = target - float(output)"),
        ),
    )
    assert code == 1
    assert out["quantities"]["output"]["status"] == "missing"
    assert "is a str" in out["quantities"]["output"]["note"]


def test_long_output_is_cut(tmp_path, capsys):
    path = _script(tmp_path, extra="for i in range(500):\n    print('line', i)\n")
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "more lines" in out and "line 499" in out and "line 250" not in out


def test_check_in_the_window_marks_names_and_loads_the_network(window, qtbot, tmp_path):
    path = _script(tmp_path, (E, "output_error_term = error"))
    runner = window.check_code(str(path))
    with qtbot.waitSignal(runner.finished, timeout=20_000):
        pass
    panel = window.values_panel
    assert panel.marks["hidden_layer_output"] is True
    assert panel.marks["output_error_term"] is False
    assert panel.marks["delta_w_h_o"] is False  # follows from the first wrong one
    assert window.session.project.name == "solution"
    assert window.session.network.weights[0][2, 1] == 0.7
    assert "first wrong: output_error_term" in window.statusBar().currentMessage()
    assert "σ′ is missing" in window.check_report.text.toPlainText()
    # the learner can step to the wrong value and see its formula
    window.actionForward.trigger()
    window.actionBackward.trigger()
    assert "output_error_term[0] = δ(y₁): (t − y)·σ′(z)" in window.explain_panel.plain_text()
    window.check_report.close()


def test_check_in_the_window_reports_a_script_that_cannot_run(window, qtbot, tmp_path):
    path = tmp_path / "raises.py"
    path.write_text("x = [1, 2]\nraise ValueError('nope')\n")
    runner = window.check_code(str(path))
    with qtbot.waitSignal(runner.failed, timeout=20_000):
        pass
    assert "line 2: ValueError: nope" in window.prompter.errors[-1][1]
    assert window.session.project.name == "seed"
