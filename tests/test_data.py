"""Data sets: CSV reading with line numbers, class labels, presets, split, standardisation,
and weights as .npz."""

from __future__ import annotations

import numpy as np
import pytest

from bpviewer.core.data.csvdata import load_csv
from bpviewer.core.data.datasets import build_dataset, generate, split_and_standardize
from bpviewer.core.errors import DataError
from bpviewer.core.files.examples import load_example
from bpviewer.core.files.weights_io import load_weights, save_weights
from bpviewer.core.paths import resource_path


def test_iris_loads_with_three_one_hot_classes_in_recorded_order():
    data = load_csv(resource_path("iris.csv"), ["species"])
    assert data.inputs.shape == (150, 4)
    assert data.class_labels == ["setosa", "versicolor", "virginica"]
    np.testing.assert_array_equal(data.targets.sum(axis=0), [50, 50, 50])
    np.testing.assert_array_equal(data.targets.sum(axis=1), np.ones(150))
    assert data.target_names == ["species=setosa", "species=versicolor", "species=virginica"]
    np.testing.assert_array_equal(data.inputs[0], [5.1, 3.5, 1.4, 0.2])


def test_empty_csv_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DataError, match=r"empty\.csv: the file is empty"):
        load_csv(path, ["t"])
    path.write_text("a,t\n")
    with pytest.raises(DataError, match="line 1: a header but no data rows"):
        load_csv(path, ["t"])


def test_wrong_width_row_names_its_line(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,t\n1,2,3\n4,5\n")
    with pytest.raises(DataError, match="line 3: 2 cells, the header has 3"):
        load_csv(path, ["t"])


def test_missing_cell_names_line_and_column(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,t\n1,2,3\n4,,6\n")
    with pytest.raises(DataError, match=r"line 3, column 2 \(b\) is empty"):
        load_csv(path, ["t"])


def test_generated_sets_are_seeded():
    a = generate("spiral", n=90, noise=0.2, seed=4)
    b = generate("spiral", n=90, noise=0.2, seed=4)
    c = generate("spiral", n=90, noise=0.2, seed=5)
    np.testing.assert_array_equal(a.inputs, b.inputs)
    assert not np.array_equal(a.inputs, c.inputs)
    assert a.targets.shape == (90, 3)
    circle = generate("circle", n=400, noise=0.0, seed=0)
    inside = np.hypot(*circle.inputs.T) < 0.5
    np.testing.assert_array_equal(circle.targets[:, 0], inside)


def test_split_and_standardisation():
    data = generate("gaussians", n=100, seed=1)
    out = split_and_standardize(data, validation_split=0.2, split_seed=3, standardize=True)
    assert out.inputs.shape == (80, 2) and out.validation_inputs.shape == (20, 2)
    np.testing.assert_allclose(out.inputs.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.inputs.std(axis=0), 1.0)
    np.testing.assert_allclose(
        out.validation_inputs * out.std + out.mean,
        data.inputs[np.isin(np.arange(100), _val_rows(100, 0.2, 3))],
    )
    with pytest.raises(DataError, match="validation_split"):
        split_and_standardize(data, validation_split=1.5)


def _val_rows(n, fraction, seed):
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[: round(fraction * n)])


def test_data_spec_errors():
    with pytest.raises(DataError, match="unknown data preset"):
        build_dataset({"preset": "moons"}, resource_path())
    with pytest.raises(DataError, match="needs"):
        build_dataset({"rows": []}, resource_path())


def test_weights_npz_round_trip_and_refusals(tmp_path):
    net = load_example("spiral").network
    save_weights(net, tmp_path / "w.npz")
    back = load_weights(net.copy(), tmp_path / "w.npz")
    assert back.same_as(net)
    seed = load_example("seed").network
    with pytest.raises(DataError, match=r"W1 has shape \(2, 16\), the network needs \(3, 2\)"):
        load_weights(seed, tmp_path / "w.npz")
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match=r"bad\.npz: not a weights file"):
        load_weights(seed, tmp_path / "bad.npz")
    with pytest.raises(DataError, match="no such file"):
        load_weights(seed, tmp_path / "none.npz")
