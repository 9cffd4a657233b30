"""The checker on a corpus of learner scripts and notebooks of every shape (tests/solutions/corpus).

Each file states its verdict on its first lines (``expect: ok`` or ``expect: wrong NAME |
HINT``).  That verdict is first confirmed without the checker: the script is run by plain
Python and the weight changes it prints are compared with the exercise's numbers (for the
single step, the table of shared/reference/seed-exercise.md; for the course's next
exercise, a plain NumPy training loop written here).  Then ``bpviewer check --json`` must
give the same verdict: no right script is called wrong, and a wrong one is named at its
first wrong quantity with the hint.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bpviewer.cli import main

CORPUS = Path(__file__).parent / "solutions" / "corpus"
#: The exercise's weight changes (seed-exercise.md): ΔW_ho (2) then ΔW_ih (3×2), row by row.
SEED_CHANGES = [
    0.00804047,
    0.00555918,
    1.77005547e-04,
    -5.11178506e-04,
    3.54011093e-05,
    -1.02235701e-04,
    -7.08022187e-05,
    2.04471402e-04,
]
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _expectation(path: Path) -> str:
    if path.suffix == ".ipynb":
        text = "".join(json.loads(path.read_text())["cells"][0]["source"])
    else:
        text = "\n".join(path.read_text().splitlines()[:3])
    found = re.search(r"expect: (.*)", text)
    assert found, f"{path.name} states no expected verdict"
    return found.group(1).strip()


CASES = sorted(
    p
    for p in [*CORPUS.rglob("*.py"), *CORPUS.rglob("*.ipynb")]
    if p.suffix == ".ipynb" or "expect:" in p.read_text().split("\n", 3)[0]
)


def _plain_source(path: Path) -> str:
    """The notebook's code as plain Python would run it (magics and shell lines dropped)."""
    if path.suffix != ".ipynb":
        return path.read_text()
    cells = json.loads(path.read_text())["cells"]
    lines = []
    for cell in cells:
        if cell["cell_type"] == "code":
            for line in "".join(cell["source"]).splitlines():
                stripped = line.strip()
                if not stripped.startswith(("%", "!")) and "= !" not in line:
                    lines.append(line)
    return "\n".join(lines) + "\n"


def _printed_numbers(path: Path) -> tuple[list[float], str]:
    proc = subprocess.run(
        [sys.executable, "-c", _plain_source(path)],
        capture_output=True,
        text=True,
        cwd=path.parent,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return [float(v) for v in NUMBER.findall(proc.stdout)], proc.stdout


def _contains_in_order(numbers: list[float], wanted: list[float], rtol: float) -> bool:
    i = 0
    for v in numbers:
        if i < len(wanted) and np.isclose(v, wanted[i], rtol=rtol, atol=1e-12):
            i += 1
    return i == len(wanted)


def _first_epoch_reference() -> list[float]:
    """The course's next exercise by hand: one epoch on the data module, seed 21, η = 0.5."""
    sys.path.insert(0, str(CORPUS / "epochs"))
    try:
        from data_prep import features, targets
    finally:
        sys.path.pop(0)
        sys.modules.pop("data_prep", None)
    legacy = np.random.RandomState(21)  # the stream of the scripts' np.random.seed(21)
    n_records, n_features = features.shape
    w_ih = legacy.normal(scale=1 / n_features**0.5, size=(n_features, 2))
    w_ho = legacy.normal(scale=1 / n_features**0.5, size=2)
    sum_ih, sum_ho = np.zeros_like(w_ih), np.zeros_like(w_ho)
    for x, y in zip(features, targets, strict=True):
        h = 1 / (1 + np.exp(-(x @ w_ih)))
        out = 1 / (1 + np.exp(-(h @ w_ho)))
        d_out = (y - out) * out * (1 - out)
        d_hidden = w_ho * d_out * h * (1 - h)
        sum_ho += d_out * h
        sum_ih += np.outer(x, d_hidden)
    w_ih = w_ih + 0.5 * sum_ih / n_records
    w_ho = w_ho + 0.5 * sum_ho / n_records
    return [*w_ih.ravel(), *w_ho]


def _independently_right(path: Path) -> bool:
    numbers, out = _printed_numbers(path)
    if path.parent.name == "epochs":
        marker = out.index("weights after the first epoch:")
        numbers = [float(v) for v in NUMBER.findall(out[marker:])]
        return _contains_in_order(numbers[:10], _first_epoch_reference(), rtol=1e-9)
    return _contains_in_order(numbers, SEED_CHANGES, rtol=1e-5)


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(CORPUS)) for p in CASES])
def test_corpus_verdict(path, capsys):
    expect = _expectation(path)
    right = expect == "ok"
    assert _independently_right(path) == right, f"{path.name}: the stated verdict is not true"
    code = main(["check", str(path), "--json"])
    report = json.loads(capsys.readouterr().out)
    if right:
        assert code == 0 and report["ok"], report
        assert not report["mistakes"]
        return
    name, hint = (part.strip() for part in expect.removeprefix("wrong ").split("|"))
    assert code == 1 and not report["ok"]
    assert report["first_wrong"] == name, report
    assert report["quantities"][name]["status"] == "wrong"
    assert hint in (report["hint"] or ""), report["hint"]


def test_the_corpus_has_every_shape():
    """At least 30 scripts and 2 notebooks, right and wrong ones."""
    scripts = [p for p in CASES if p.suffix == ".py"]
    notebooks = [p for p in CASES if p.suffix == ".ipynb"]
    verdicts = [_expectation(p) for p in CASES]
    assert len(scripts) >= 30 and len(notebooks) >= 2
    assert 10 <= sum(v == "ok" for v in verdicts) <= len(CASES) - 10


@pytest.mark.parametrize(
    "name, note",
    [
        ("s10_repeat_until_small.py", "The first complete step is judged"),
        ("epochs/e01_course.py", "the first epoch's update (6 records) are judged"),
        ("n01_course_notebook.ipynb", ""),
    ],
)
def test_the_report_says_which_step_is_judged(name, note, capsys):
    main(["check", str(CORPUS / name), "--json"])
    report = json.loads(capsys.readouterr().out)
    if note:
        assert any(note in n for n in report["notes"]), report["notes"]
    else:
        assert report["notes"] == [] and "cell 1, line 1: %matplotlib inline" in report["skipped"]
