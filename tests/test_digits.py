"""The bundled 8×8 digits (a checksum and their shape, no scikit-learn needed), data sets that
declare an image shape, and the ``digits`` example reaching 95% validation accuracy."""

from __future__ import annotations

import copy
import hashlib
import json

import numpy as np
import pytest

from bpviewer.core.data.datasets import Dataset, build_dataset, load_digits
from bpviewer.core.errors import DataError, ProjectError
from bpviewer.core.files.examples import EXAMPLES, load_example
from bpviewer.core.files.project import load_project, project_from_dict, save_project
from bpviewer.core.paths import resource_path
from bpviewer.core.training.trainer import Trainer

#: resources/digits.npy as tools/make_digits.py writes it from scikit-learn 1.9.1's copy.
DIGITS_SHA256 = "c45cf27f9e6d1507aa17aa9949fab3d046c8ffa373a108f49991e27f232ad83b"
#: Samples of each digit 0..9 in the UCI test set (optdigits.names, "Class distribution").
CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
#: The first sample, a 0, as scikit-learn's ``load_digits().images[0]`` shows it.
FIRST = [
    [0, 0, 5, 13, 9, 1, 0, 0],
    [0, 0, 13, 15, 10, 15, 5, 0],
    [0, 3, 15, 2, 0, 11, 8, 0],
    [0, 4, 12, 0, 0, 8, 8, 0],
    [0, 5, 8, 0, 0, 9, 8, 0],
    [0, 4, 11, 0, 1, 12, 7, 0],
    [0, 2, 14, 5, 10, 12, 0, 0],
    [0, 0, 6, 13, 10, 0, 0, 0],
]


def test_the_shipped_file_is_the_one_generated_and_small():
    path = resource_path("digits.npy")
    blob = path.read_bytes()
    assert hashlib.sha256(blob).hexdigest() == DIGITS_SHA256
    assert len(blob) < 150_000


def test_digits_load_as_1797_images_of_64_pixels_scaled_to_0_1_and_10_one_hot_classes():
    data = load_digits()
    assert data.inputs.shape == (1797, 64) and data.inputs.dtype == np.float64
    assert data.targets.shape == (1797, 10)
    assert data.image_shape == (8, 8)
    # counts 0..16 divided by 16: every input is a whole number of sixteenths in [0, 1]
    counts = data.inputs * 16
    np.testing.assert_array_equal(counts, np.round(counts))
    assert counts.min() == 0 and counts.max() == 16
    np.testing.assert_array_equal(data.targets.sum(axis=1), np.ones(1797))
    np.testing.assert_array_equal(data.targets.sum(axis=0), CLASS_COUNTS)
    assert data.class_labels == [str(d) for d in range(10)]
    assert data.target_names[0] == "digit=0" and data.input_names[:2] == ["r1c1", "r1c2"]
    np.testing.assert_array_equal(counts[0].reshape(data.image_shape), FIRST)
    assert data.targets[0].argmax() == 0


def test_digits_are_scikit_learns_copy():
    datasets = pytest.importorskip("sklearn.datasets")
    theirs = datasets.load_digits()
    ours = load_digits()
    np.testing.assert_array_equal(ours.inputs * 16, theirs.data)
    np.testing.assert_array_equal(ours.targets.argmax(axis=1), theirs.target)
    np.testing.assert_array_equal(ours.inputs[5].reshape(8, 8) * 16, theirs.images[5])


def test_the_preset_declares_its_image_shape_and_keeps_it_through_the_split(tmp_path):
    data = build_dataset({"preset": "digits", "validation_split": 0.2, "split_seed": 3}, tmp_path)
    assert data.image_shape == (8, 8)
    assert data.inputs.shape == (1438, 64) and data.validation_inputs.shape == (359, 64)
    assert build_dataset({"preset": "digits", "image_shape": None}, tmp_path).image_shape is None
    assert build_dataset({"preset": "digits", "image_shape": [4, 16]}, tmp_path).image_shape == (
        4,
        16,
    )
    assert build_dataset({"preset": "iris"}, tmp_path).image_shape is None


def test_a_csv_import_declares_an_image_shape(tmp_path):
    path = tmp_path / "tiny.csv"
    path.write_text("a,b,c,d,e,f,label\n0,1,2,3,4,5,x\n5,4,3,2,1,0,y\n")
    spec = {"csv": "tiny.csv", "targets": ["label"], "image_shape": [2, 3]}
    data = build_dataset(spec, tmp_path)
    assert data.image_shape == (2, 3)
    np.testing.assert_array_equal(data.inputs[0].reshape(2, 3), [[0, 1, 2], [3, 4, 5]])
    with pytest.raises(
        DataError, match=r"image_shape \[3, 3\] holds 9 pixels, but the data have 6"
    ):
        build_dataset({**spec, "image_shape": [3, 3]}, tmp_path)


@pytest.mark.parametrize("bad", [[8], [8, 8, 1], [0, 64], [8.0, 8], "8x8", [True, 64], 64])
def test_a_malformed_image_shape_is_refused_with_its_form(tmp_path, bad):
    with pytest.raises(DataError, match=r"data.image_shape must be two positive whole numbers"):
        build_dataset({"preset": "digits", "image_shape": bad}, tmp_path)


def test_a_dataset_refuses_an_image_shape_of_the_wrong_size():
    with pytest.raises(DataError, match=r"\[2, 2\] holds 4 pixels, but the data have 3 inputs"):
        Dataset(np.zeros((1, 3)), np.zeros((1, 1)), image_shape=(2, 2))


def test_samples_and_weights_show_as_images_in_the_data_scale(tmp_path):
    plain = build_dataset({"preset": "digits"}, tmp_path)
    np.testing.assert_array_equal(plain.sample_image(0) * 16, FIRST)
    spec = {"preset": "digits", "standardize": True, "validation_split": 0.1, "split_seed": 1}
    scaled = build_dataset(spec, tmp_path)
    assert abs(scaled.inputs.mean()) < 1e-12  # standardised ...
    rows = _val_rows_of(1797, 0.1, 1)
    for k in (0, 5):  # ... but the pictures are the pixels, training and validation rows
        original = plain.inputs[np.setdiff1d(np.arange(1797), rows)[k]].reshape(8, 8)
        np.testing.assert_allclose(scaled.sample_image(k), original, atol=1e-12)
        np.testing.assert_allclose(
            scaled.sample_image(k, validation=True), plain.inputs[rows[k]].reshape(8, 8), atol=1e-12
        )
    w1 = np.arange(64 * 3, dtype=float).reshape(64, 3)  # rows: inputs, columns: hidden units
    field = plain.as_image(w1[:, 2])
    assert field.shape == (8, 8) and field[1, 0] == w1[8, 2]  # row 2, column 1 is input 9
    with pytest.raises(ValueError, match="no image shape"):
        build_dataset({"preset": "iris"}, tmp_path).sample_image(0)


def _val_rows_of(n, fraction, seed):
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[: round(fraction * n)])


def test_image_shape_round_trips_through_the_project_file(tmp_path):
    raw = copy.deepcopy(EXAMPLES["digits"])
    raw["data"]["image_shape"] = [16, 4]
    project = project_from_dict(raw)
    assert project.dataset.image_shape == (16, 4) and not project.warnings
    save_project(project, tmp_path / "p.json")
    assert json.loads((tmp_path / "p.json").read_text())["data"]["image_shape"] == [16, 4]
    back = load_project(tmp_path / "p.json")
    assert back.dataset.image_shape == (16, 4) and not back.warnings
    raw["data"]["image_shape"] = [8, 9]
    (tmp_path / "bad.json").write_text(json.dumps(raw))
    with pytest.raises(ProjectError, match=r"bad\.json: data.image_shape \[8, 9\] holds 72"):
        load_project(tmp_path / "bad.json")


def _accuracy(project, network) -> float:
    """Share of the validation digits whose largest output is the right class, computed
    here from the weights (tanh hidden layer; softmax keeps the order of its inputs)."""
    (w1, w2), (b1, b2) = network.weights, network.biases
    x, t = project.dataset.validation_inputs, project.dataset.validation_targets
    scores = np.tanh(x @ w1 + b1) @ w2 + b2
    return float(np.mean(scores.argmax(axis=1) == t.argmax(axis=1)))


def test_the_digits_example_reaches_95_percent_validation_accuracy_in_1000_iterations():
    project = load_example("digits")
    assert project.network.layer_sizes == (64, 32, 10)
    assert project.network.activations == ("tanh", "softmax")
    assert project.dataset.validation_inputs.shape == (359, 64)
    assert project.dataset.image_shape == (8, 8)
    before = _accuracy(project, project.network)
    trainer = Trainer(project.network, project.training, project.dataset, history=False)
    trainer.run(1000)  # the Train button's default run
    after = _accuracy(project, trainer.network)
    assert before < 0.3 and after >= 0.95, (before, after)


def test_the_window_lists_the_digits_and_takes_them_with_their_image_shape(window):
    panel = window.data_panel
    panel.preset.setCurrentText("digits")
    assert panel.preset.currentText() == "digits" and panel.use_preset()
    project = window.session.project
    assert project.dataset.image_shape == (8, 8) and project.dataset.n_samples >= 1400
    assert project.network.layer_sizes[0] == 64 and project.network.layer_sizes[-1] == 10
    assert project.network.activations[-1] == "softmax"
    window.session.undo()
    assert window.session.project.network.layer_sizes[0] != 64


def test_the_digits_example_opens_in_the_window_and_steps(window):
    window.new_from_example("digits")
    session = window.session
    assert session.project.name == "digits" and session.project.dataset.image_shape == (8, 8)
    before = session.network.weights[0].copy()
    session.iterate()  # forward, backward and the update on the first batch of 32
    assert not np.array_equal(session.network.weights[0], before)
