"""The project file: round trip, and a clear refusal for every kind of bad input."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import numpy as np
import pytest

from bpviewer.cli import main
from bpviewer.core.errors import BpviewerError
from bpviewer.core.files.examples import EXAMPLES, load_example
from bpviewer.core.files.project import load_project, save_project

SEED = EXAMPLES["seed"]


def _write(tmp_path: Path, obj, name="p.json") -> Path:
    path = tmp_path / name
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return path


def _seed(**changes):
    raw = copy.deepcopy(SEED)
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        raw[section][key] = value
    return raw


BAD = {
    "invalid_json": ('{"format": "bpviewer-project",', "not valid JSON (line 1"),
    "wrong_format": ({**SEED, "format": "other"}, '"format" must be'),
    "wrong_version": ({**SEED, "version": 2}, "unsupported version 2"),
    "weight_shape": (
        _seed(network__weights=[[[0.5, -0.6], [0.1, -0.2]], [[0.1], [-0.3]]]),
        "weights[0] has shape (2, 2), expected (3, 2)",
    ),
    "nan_weight": (
        _seed(network__weights=[[[0.5, -0.6], [0.1, "NaN"], [0.1, 0.7]], [[0.1], [-0.3]]]),
        "weights[0]",
    ),
    "unknown_activation": (
        _seed(network__activations=["sigmoid", "swish"]),
        "unknown activation 'swish'",
    ),
    "unknown_loss": (_seed(training__loss="hinge"), "unknown loss 'hinge'"),
    "refused_pairing": (
        _seed(training__loss="cross_entropy"),
        "loss 'cross_entropy' cannot follow a sigmoid output",
    ),
    "empty_data": (_seed(data__inputs=[]), "non-empty"),
    "inputs_wrong_width": (
        {**SEED, "data": {"inputs": [[0.5, 0.1]], "targets": [[0.6]]}},
        "inputs have 2 columns, the network's input layer has 3",
    ),
    "targets_wrong_width": (
        {**SEED, "data": {"inputs": [[0.5, 0.1, -0.2]], "targets": [[0.6, 0.1]]}},
        "targets have 2 columns",
    ),
    "missing_csv": (
        {**SEED, "data": {"csv": "nope.csv", "targets": ["t"]}},
        "nope.csv: no such file",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_project_is_refused_with_file_and_reason(case, tmp_path, capsys):
    content, message = BAD[case]
    if case == "nan_weight":
        content = json.dumps(content).replace('"NaN"', "NaN")
    path = _write(tmp_path, content)
    with pytest.raises(BpviewerError) as info:
        load_project(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)
    assert main(["trace", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and str(path) in err


def test_csv_with_non_numeric_cell_names_line_and_column(tmp_path):
    (tmp_path / "d.csv").write_text("a,b,c,t\n0.5,0.1,-0.2,0.6\n0.5,oops,-0.2,0.6\n")
    path = _write(tmp_path, {**SEED, "data": {"csv": "d.csv", "targets": ["t"]}})
    with pytest.raises(BpviewerError, match=r"line 3, column 2 \(b\) is not a number: 'oops'"):
        load_project(path)


def test_csv_without_target_column(tmp_path):
    (tmp_path / "d.csv").write_text("a,b,c\n0.5,0.1,-0.2\n")
    path = _write(tmp_path, {**SEED, "data": {"csv": "d.csv", "targets": ["t"]}})
    with pytest.raises(BpviewerError, match="no column 't'"):
        load_project(path)


def test_project_path_that_does_not_exist(tmp_path, capsys):
    assert main(["trace", str(tmp_path / "missing.json")]) == 2
    assert "missing.json: no such file" in capsys.readouterr().err


def test_unknown_keys_warn_not_fail(tmp_path, capsys):
    raw = {**SEED, "colour": "blue", "training": {**SEED["training"], "flavour": 1}}
    project = load_project(_write(tmp_path, raw))
    assert any("colour" in w for w in project.warnings)
    assert any("flavour" in w for w in project.warnings)
    assert main(["trace", str(tmp_path / "p.json"), "--json"]) == 0
    assert "warning" in capsys.readouterr().err


def test_save_then_load_round_trips_exactly(tmp_path):
    project = load_example("spiral")
    project.network.weights[0][0, 0] = 0.1 + 0.2  # a float that needs all 17 digits
    save_project(project, tmp_path / "s.json")
    back = load_project(tmp_path / "s.json")
    assert back.network.same_as(project.network)
    assert back.training == project.training
    np.testing.assert_array_equal(back.dataset.inputs, project.dataset.inputs)


def test_csv_path_is_relative_to_the_project_file(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "d.csv").write_text("a,b,c,t\n0.5,0.1,-0.2,0.6\n")
    path = _write(data, {**SEED, "data": {"csv": "d.csv", "targets": ["t"]}})
    monkeypatch.chdir(tmp_path)
    project = load_project(path)
    np.testing.assert_array_equal(project.dataset.inputs, [[0.5, 0.1, -0.2]])
    # saved elsewhere, the CSV path is rewritten to still point at the file
    other = tmp_path / "elsewhere"
    other.mkdir()
    save_project(project, other / "copy.json")
    monkeypatch.chdir(other)
    assert load_project(other / "copy.json").dataset.inputs.shape == (1, 3)


def test_atomic_save_keeps_old_file_on_failure(tmp_path, monkeypatch):
    project = load_example("seed")
    target = tmp_path / "keep.json"
    save_project(project, target)
    before = target.read_text()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    project.network.weights[0][0, 0] = 9.0
    with pytest.raises(OSError):
        save_project(project, target)
    assert target.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.json"]


def test_omitted_weights_are_initialised_from_seed(tmp_path):
    raw = {
        **SEED,
        "network": {
            "layer_sizes": [3, 4, 1],
            "activations": ["tanh", "sigmoid"],
            "init": "he",
            "seed": 7,
            "biases": [True, None],
        },
    }
    a = load_project(_write(tmp_path, raw, "a.json"))
    b = load_project(_write(tmp_path, raw, "b.json"))
    assert a.network.same_as(b.network)
    assert a.network.weights[0].shape == (3, 4)
    np.testing.assert_array_equal(a.network.biases[0], np.zeros(4))
