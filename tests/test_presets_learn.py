"""A new network with the defaults learns every built-in data set (a class's first Train
must not diverge or stay flat)."""

from __future__ import annotations

import pytest

from bpviewer.core.data.datasets import build_dataset
from bpviewer.core.engine.network import Network
from bpviewer.core.files.examples import example_names, load_example
from bpviewer.core.training.defaults import suggested_training
from bpviewer.core.training.trainer import Trainer, data_loss


def _halves(network: Network, loss: str, dataset) -> tuple[float, float]:
    settings = suggested_training(loss, dataset.n_samples)
    trainer = Trainer(network, settings, dataset)
    before = data_loss(network, loss, dataset.inputs, dataset.targets)
    trainer.run(2000)
    return before, data_loss(trainer.network, loss, dataset.inputs, dataset.targets)


@pytest.mark.parametrize("name", example_names())
def test_a_new_network_with_the_defaults_learns_each_example(name):
    project = load_example(name)
    net = project.network
    fresh = Network.init(net.layer_sizes, net.activations, biases=True, seed=0)
    before, after = _halves(fresh, project.training.loss, project.dataset)
    assert after <= 0.5 * before, f"{name}: {before:.4g} -> {after:.4g}"


def test_a_wide_relu_network_learns_the_spiral_with_the_defaults(tmp_path):
    data = build_dataset({"preset": "spiral", "n": 300}, tmp_path)
    net = Network.init([2, 64, 64, 3], ["relu", "relu", "softmax"], biases=True, init="he")
    before, after = _halves(net, "cross_entropy", data)
    assert after <= 0.5 * before, f"{before:.4g} -> {after:.4g}"


def test_the_new_network_dialog_starts_from_those_defaults(qtbot):
    from bpviewer.gui.dialogs.new_network_dialog import NewNetworkDialog

    project = load_example("spiral")
    dialog = NewNetworkDialog(project)
    qtbot.addWidget(dialog)
    dialog.sizes.setText("2, 64, 64, 3")
    dialog.activations.setText("relu, relu, softmax")
    made = dialog.build()
    assert all(b is not None for b in made.network.biases)
    assert made.training == suggested_training("cross_entropy", project.dataset.n_samples)
