"""The public Python API, ``import bpviewer as bpv``, against independent oracles."""

from __future__ import annotations

import doctest
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bpviewer as bpv
from bpviewer.core.files.examples import load_example

ROOT = Path(__file__).resolve().parent.parent
ACTS = ("sigmoid", "tanh")


def test_trace_of_the_exercise_equals_the_command_line():
    seed = load_example("seed")
    out = subprocess.run(
        [sys.executable, "-m", "bpviewer", "trace", "--preset", "seed", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = json.loads(out.stdout)
    t = bpv.trace(seed.network, seed.dataset.inputs[0], seed.dataset.targets[0])
    for key, value in expected.items():
        if key not in bpv.api.tracing.KEYS:
            continue
        got = getattr(t, key)
        if isinstance(got, list):
            for g, e in zip(got, value, strict=True):
                assert (g is None and e is None) or np.array_equal(g, np.asarray(e))
        else:
            assert np.array_equal(got, np.asarray(value)), key
    assert t.loss == pytest.approx(0.00661556, rel=1e-5)
    assert "output_error_term" in t.explain()
    assert r"\sigma" in t._repr_markdown_()


def test_trace_takes_a_batch_and_refuses_bad_shapes_with_a_message():
    net = bpv.Network.init([2, 3, 2], ["tanh", "sigmoid"], biases=True, seed=4)
    t = bpv.trace(net, np.zeros((5, 2)), np.ones((5, 2)), loss="mse")
    assert t.activations[0].shape == (5, 3) and t.bias_gradients[0].shape == (3,)
    with pytest.raises(bpv.DataError, match="x must have 2 columns"):
        bpv.trace(net, [1, 2, 3], [0, 1])
    with pytest.raises(bpv.DataError, match="5 samples but target has 4"):
        bpv.trace(net, np.zeros((5, 2)), np.ones((4, 2)))


# ---------------------------------------------------------------------- compare


def _problem(seed: int, batch: int = 3, loss: str = "half_sse"):
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(2, 4))
    sizes = [int(rng.integers(2, 5)) for _ in range(depth + 1)]
    while sizes[-2] == sizes[-1]:  # no square last layer: a transpose must show
        sizes[-1] += 1
    acts = [ACTS[int(rng.integers(0, 2))] for _ in range(depth)]
    net = bpv.Network.init(sizes, acts, biases=True, seed=seed)
    x = rng.normal(size=(batch, sizes[0]))
    t = rng.uniform(-0.8, 0.8, size=(batch, sizes[-1]))
    return net, x, t


def _own_gradients(net, x, t, *, drop_prime_at=None, factor=1.0):
    """An engineer's own backprop, written out independently (half SSE, batch mean)."""
    from bpviewer.core.engine.activations import get_activation

    zs, acts = net.forward_pass(x)
    a_in = [x, *acts[:-1]]
    L = net.n_layers
    f = get_activation(net.activations[-1])
    delta = (t - acts[-1]) * (1.0 if drop_prime_at == L else f.derivative(zs[-1], acts[-1]))
    grads_w, grads_b = [None] * L, [None] * L
    for l in range(L, 0, -1):
        grads_w[l - 1] = -factor * a_in[l - 1].T @ delta / x.shape[0]
        grads_b[l - 1] = -factor * delta.mean(axis=0)
        if l > 1:
            g = get_activation(net.activations[l - 2])
            back = delta @ net.weights[l - 1].T
            prime = 1.0 if drop_prime_at == l - 1 else g.derivative(zs[l - 2], acts[l - 2])
            delta = back * prime
    return grads_w, grads_b


@pytest.mark.parametrize("seed", range(8))
def test_compare_agrees_with_a_correct_independent_backprop(seed):
    net, x, t = _problem(seed)
    gw, gb = _own_gradients(net, x, t)
    c = bpv.compare(net, x, t, gw, gb)
    assert c.ok and c.first_wrong is None, str(c)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    ("mistake", "words"),
    [
        ("sign", "sign is flipped"),
        ("transpose", "transposed"),
        ("sum", "factor of the batch size"),
        ("two", "factor of 2"),
        ("output prime", "missing from the error term of the output"),
        ("hidden prime", "missing from the error term of layer"),
    ],
)
def test_compare_names_each_known_mistake_on_random_networks(seed, mistake, words):
    net, x, t = _problem(100 + seed)
    L = net.n_layers
    if mistake == "output prime":
        gw, gb = _own_gradients(net, x, t, drop_prime_at=L)
        wrong = L
    elif mistake == "hidden prime":
        gw, gb = _own_gradients(net, x, t, drop_prime_at=L - 1)
        wrong = L - 1
    else:
        factor = {"sign": -1.0, "sum": x.shape[0], "two": 2.0}.get(mistake, 1.0)
        gw, gb = _own_gradients(net, x, t, factor=factor)
        wrong = L
        if mistake == "transpose":
            gw[L - 1] = gw[L - 1].T
            gb = None
    c = bpv.compare(net, x, t, gw, gb)
    first = c.first_wrong
    assert first is not None and first.layer == wrong and first.kind == "w", str(c)
    assert words in first.cause, str(c)
    assert all(row.ok for row in c.rows if row.layer > wrong)


def test_compare_takes_torch_layout():
    net, x, t = _problem(7)
    gw, gb = _own_gradients(net, x, t)
    assert bpv.compare(net, x, t, [g.T for g in gw], gb, layout="torch").ok
    assert "<table>" in bpv.compare(net, x, t, gw, gb)._repr_html_()


# ---------------------------------------------------------------------- train, gradcheck, files


def test_train_returns_its_history_and_leaves_the_network_alone():
    x = [[0, 0], [0, 1], [1, 0], [1, 1]]
    t = [[0], [1], [1], [0]]
    net = bpv.Network.init([2, 3, 1], "sigmoid", biases=True, seed=3)
    before = net.copy()
    h = bpv.train(net, (x, t), epochs=3000, learning_rate=2.0, batch_size="full")
    assert net.same_as(before)
    assert h.iterations == 3000 and h.losses.shape == (3000,) and h.reason == "done"
    assert h.final_loss < 0.01 < h.losses[0]
    again = bpv.train(net, (x, t), iterations=3000, learning_rate=2.0, batch_size="full")
    assert again.network.same_as(h.network)  # deterministic
    assert h.restore(1000).same_as(
        bpv.train(net, (x, t), iterations=1000, learning_rate=2.0, batch_size="full").network
    )
    with pytest.raises(ValueError, match="never ends"):
        bpv.train(net, (x, t))


def test_gradcheck_passes_and_files_round_trip(tmp_path):
    net = bpv.Network.init([3, 4, 3], ["tanh", "softmax"], biases=True, seed=5)
    assert bpv.gradcheck(net, [0.1, -0.4, 0.8], [0, 1, 0], loss="cross_entropy").passed
    path = bpv.save(net, tmp_path / "net.json", data=([[1, 2, 3]], [[0, 0, 1]]))
    project = bpv.load(path)
    assert project.network.same_as(net) and project.training.loss == "cross_entropy"
    with pytest.raises(bpv.ProjectError, match="no such file"):
        bpv.load(tmp_path / "missing.json")


# ---------------------------------------------------------------------- show


SHOW_SCRIPT = """
import bpviewer as bpv
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
net = bpv.Network.init([2, 2, 1], "sigmoid", seed=1)

def edit_and_close():
    window = QApplication.topLevelWidgets()
    window = next(w for w in window if w.objectName() == "mainWindow")
    window.session.set_parameter("w", 1, 0, 0, "0.75")
    window.prompter.unsaved_changes = lambda name: "discard"
    window.close()

QTimer.singleShot(300, edit_and_close)
final = bpv.show(net, data=([[1, 0]], [[1]]))
print("RESULT", final.weights[0][0, 0], net.weights[0][0, 0] != 0.75)
"""


def test_show_from_a_script_blocks_and_returns_the_final_network(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", SHOW_SCRIPT], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "RESULT 0.75 True" in out.stdout


def test_show_without_blocking_returns_a_handle_that_follows_the_window(qtbot):
    net = bpv.Network.init([2, 2, 1], "sigmoid", seed=1)
    handle = bpv.show(net, data=([[1, 0]], [[1]]), block=False)
    qtbot.addWidget(handle.window)
    handle.window.session.set_parameter("w", 1, 0, 0, "0.5")
    assert handle.network.weights[0][0, 0] == 0.5 and "2-2-1" in repr(handle)
    handle.window.prompter.unsaved_changes = lambda name: "discard"
    handle.close()


def test_show_without_a_display_says_so(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(RuntimeError, match="cannot open a window here: no display"):
        bpv.show()


# ---------------------------------------------------------------------- documentation


def test_the_api_documentation_runs():
    pytest.importorskip("torch")  # the page converts a torch model too
    failures, tried = doctest.testfile(
        str(ROOT / "docs" / "api.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert tried > 10 and failures == 0


@pytest.mark.parametrize(
    "module", ["tracing", "comparing", "training"], ids=lambda m: f"bpviewer.api.{m}"
)
def test_the_docstring_examples_run(module):
    import importlib

    mod = importlib.import_module(f"bpviewer.api.{module}")
    failures, tried = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


def test_the_example_notebook_runs_in_a_real_kernel():
    """docs/examples/*.ipynb executed by a Jupyter kernel, as a learner would run them."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("torch")
    for path in sorted((ROOT / "docs" / "examples").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(
            notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": ROOT}}
        )
        client.execute()
        outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
        assert not [o for o in outputs if o.get("output_type") == "error"]
        rich = [o["data"] for o in outputs if "data" in o]
        assert any("text/markdown" in d for d in rich) and any("text/html" in d for d in rich)


def test_show_returns_at_once_under_ipythons_qt_event_loop(qtbot, monkeypatch):
    """In Jupyter after ``%gui qt`` the kernel's event loop is Qt's: show() must not block
    (it would freeze the notebook) and gives a live handle."""
    IPython = pytest.importorskip("IPython")
    from bpviewer.api import window as api_window

    def loop_qt(kernel):  # ipykernel names its Qt loop function loop_qt
        pass

    class Kernel:
        eventloop = loop_qt

    class Shell:
        kernel = Kernel()

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    assert api_window.qt_loop_integrated()
    handle = bpv.show(bpv.Network.init([2, 1], "sigmoid"))  # block=None: decided here
    qtbot.addWidget(handle.window)
    assert isinstance(handle, api_window.WindowHandle) and handle.window.isVisible()
    handle.window.prompter.unsaved_changes = lambda name: "discard"
    handle.close()
    Kernel.eventloop = None
    assert not api_window.qt_loop_integrated()
