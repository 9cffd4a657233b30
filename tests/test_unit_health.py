"""Units that stopped learning (#17): dead ReLUs and saturated sigmoid/tanh units over the
training set, marked in the diagram, and a watchpoint on them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpviewer.core.data.datasets import Dataset
from bpviewer.core.engine.network import Network
from bpviewer.core.engine.unit_health import stopped_share, stopped_units
from bpviewer.core.files.project import Project
from bpviewer.core.training.settings import TrainingSettings
from bpviewer.core.training.trainer import Trainer
from bpviewer.core.training.training_run import Watch, training_run


def _by_hand(net: Network, x: np.ndarray) -> set[tuple[int, int, str]]:
    """Judge every hidden unit one sample at a time with math (no NumPy activations)."""
    out = set()
    for l in range(1, net.n_layers):
        name = net.activations[l - 1]
        for u in range(net.layer_sizes[l]):
            small = active = 0
            for row in x:
                a = row
                for m in range(l):
                    z = a @ net.weights[m] + (0 if net.biases[m] is None else net.biases[m])
                    if m < l - 1:
                        a = np.array([_f(net.activations[m], v) for v in z])
                zu = float(z[u])
                if name == "sigmoid":
                    s = 0.5 * (1 + np.tanh(zu / 2))  # σ, without overflow
                    small += s * (1 - s) < 0.01
                elif name == "tanh":
                    small += 1 - np.tanh(zu) ** 2 < 0.01
                active += zu > 0
            if name in ("sigmoid", "tanh") and small / len(x) >= 0.95:
                out.add((l, u, "saturated"))
            if name == "relu" and active == 0:
                out.add((l, u, "dead"))
    return out


def _f(name: str, v: float) -> float:
    return {"sigmoid": 0.5 * (1 + np.tanh(v / 2)), "tanh": np.tanh(v), "relu": max(v, 0.0)}[name]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.sampled_from(["sigmoid", "tanh", "relu"]), min_size=1, max_size=3),
    st.integers(0, 2**31 - 1),
    st.floats(0.5, 30.0),
)
def test_stopped_units_match_a_judgement_by_hand(hidden, seed, scale):
    rng = np.random.default_rng(seed)
    sizes = [3, *rng.integers(1, 5, len(hidden)), 2]
    net = Network.init(sizes, [*hidden, "sigmoid"], biases=True, seed=seed)
    for w, b in zip(net.weights, net.biases, strict=True):
        w *= scale  # large weights saturate and kill units
        b += rng.normal(0, scale, b.shape)
    x = rng.normal(size=(20, 3))
    found = {(s.layer, s.unit, s.kind) for s in stopped_units(net, x)}
    assert found == _by_hand(net, x)


def _dead_net() -> tuple[Network, Dataset]:
    rng = np.random.default_rng(0)
    net = Network.init([2, 4, 1], ["relu", "sigmoid"], biases=True, seed=0)
    net.biases[0][:3] = -100.0  # three of four ReLUs never active: dead
    data = Dataset(rng.uniform(-1, 1, (40, 2)), rng.integers(0, 2, (40, 1)).astype(float))
    return net, data


def test_the_watchpoint_stops_when_too_much_of_a_layer_stopped_learning():
    net, data = _dead_net()
    assert stopped_share(net, stopped_units(net, data.inputs)) == [0.75]
    trainer = Trainer(net, TrainingSettings(loss="binary_cross_entropy", batch_size=8), data)
    gen = training_run(trainer, iterations=1_000, watch=Watch(stopped=0.5))
    with pytest.raises(StopIteration) as stop:
        while True:
            next(gen)
    result = stop.value.value
    assert result.reason == "watch" and result.trip.kind == "stopped"
    assert "75% of hidden layer 1" in result.trip.message and "dead" in result.trip.message
    assert result.iterations < 1_000
    trainer = Trainer(net, TrainingSettings(loss="binary_cross_entropy", batch_size=8), data)
    gen = training_run(trainer, iterations=40, watch=Watch(stopped=0.8))  # under the limit
    with pytest.raises(StopIteration) as stop:
        while True:
            next(gen)
    assert stop.value.value.reason == "done"


def test_the_diagram_outlines_units_that_stopped_and_lists_them(window):
    from PySide6.QtCore import Qt

    net, data = _dead_net()
    spec = {"inputs": data.inputs.tolist(), "targets": data.targets.tolist()}
    window.session.load(Project(net, TrainingSettings(loss="binary_cross_entropy"), spec, data))
    view = window.network_view
    dashed = [k for k, item in view.units.items() if item.pen().style() == Qt.PenStyle.DashLine]
    assert sorted(dashed) == [(1, 0), (1, 1), (1, 2)]
    assert view.health.text() == "3 units stopped learning"
    assert "h₁: dead (inactive on all 40 samples)" in view.health.toolTip()
    assert "stopped learning: dead" in view.units[(1, 0)].toolTip()
    window.training_panel.watch_stopped.setChecked(True)
    assert window.training_panel.run_arguments()["watch"].stopped == 0.5
    window.new_from_example("xor")
    assert view.health.text() == ""


def test_counts_add_up_across_chunks(monkeypatch):
    import bpviewer.core.engine.unit_health as health

    net, data = _dead_net()
    whole = stopped_units(net, data.inputs)
    monkeypatch.setattr(health, "CHUNK", 7)  # 40 samples in 6 chunks
    assert stopped_units(net, data.inputs) == whole
    net.weights[0][0, 3] = np.nan  # NaN z: no evidence that the fourth ReLU is dead
    assert {(s.layer, s.unit) for s in stopped_units(net, data.inputs)} == {(1, 0), (1, 1), (1, 2)}
