"""``bpviewer train``: convergence, determinism, outputs."""

from __future__ import annotations

import json

import numpy as np

from bpviewer.cli import main
from bpviewer.core.files.examples import load_example
from bpviewer.core.files.project import load_project
from bpviewer.core.training.trainer import Trainer, data_loss


def _train_json(capsys, *args):
    assert main(["train", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_xor_trains_below_001_and_is_deterministic(capsys):
    first = _train_json(capsys, "--preset", "xor", "--epochs", "2000")
    second = _train_json(capsys, "--preset", "xor", "--epochs", "2000")
    assert first == second
    assert first["final_loss"] < 0.01
    assert first["iterations"] == 8000 and first["epochs"] == 2000.0
    assert first["validation_loss"] is None
    assert set(first) == {
        "iterations",
        "epochs",
        "final_loss",
        "validation_loss",
        "weights",
        "biases",
    }


def test_final_loss_is_the_mean_data_loss_of_the_trained_weights(capsys):
    out = _train_json(capsys, "--preset", "iris", "--iterations", "300")
    p = load_example("iris")
    trainer = Trainer(p.network, p.training, p.dataset, history=False)
    trainer.run(300)
    net = trainer.network
    for w, expected in zip(net.weights, out["weights"], strict=True):
        np.testing.assert_array_equal(w, expected)
    d = p.dataset
    assert out["final_loss"] == data_loss(net, "cross_entropy", d.inputs, d.targets)
    assert out["validation_loss"] == data_loss(
        net, "cross_entropy", d.validation_inputs, d.validation_targets
    )
    assert out["epochs"] == 300 / 8  # 120 training rows in batches of 16


def test_out_writes_a_loadable_trained_project(capsys, tmp_path):
    target = tmp_path / "trained.json"
    assert main(["train", "--preset", "seed", "--iterations", "10", "--out", str(target)]) == 0
    trained = load_project(target)
    p = load_example("seed")
    trainer = Trainer(p.network, p.training, p.dataset, history=False)
    trainer.run(10)
    assert trained.network.same_as(trainer.network)


def test_train_bad_input_exits_2(capsys, tmp_path):
    assert main(["train", "--preset", "seed"]) == 2  # neither --iterations nor --epochs
    assert main(["train", "--preset", "seed", "--iterations", "-1"]) == 2
    assert (
        main(
            [
                "train",
                "--preset",
                "seed",
                "--iterations",
                "1",
                "--out",
                str(tmp_path / "no" / "such" / "dir.json"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 3
