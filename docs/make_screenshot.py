"""Render bpviewer's window to PNG files, offscreen.  Rerun after changing what it shows:

python docs/make_screenshot.py            # docs/screenshot.png (seed, just after Backward)
python docs/make_screenshot.py --all      # also the other views in docs/
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("BPVIEWER_SETTINGS_DIR", tempfile.mkdtemp())

from PySide6.QtWidgets import QApplication

DOCS = Path(__file__).resolve().parent


def _settle(app: QApplication, window) -> None:
    for _ in range(5):
        app.processEvents()


def _open_window(project=None, size=(1400, 900)):
    """A shown main window of ``size`` (set after the first show, which restores the saved
    layout), on ``project`` or the seed example, with the loss plot created."""
    from bpviewer.gui import MainWindow

    os.environ["BPVIEWER_SETTINGS_DIR"] = tempfile.mkdtemp()  # the default layout, every time
    window = MainWindow()
    if project is not None:
        window.session.load(project)
    window.show()
    window.resize(*size)
    window.error_plot.ensure_plot()
    return window


def _save_and_close(app: QApplication, window, out: Path) -> None:
    """Let the window settle, save it as ``out`` and close it without a save prompt."""
    _settle(app, window)
    window.grab().save(str(out))
    window.prompter.unsaved_changes = lambda name: "discard"  # a picture, not a document
    window.close()


def _run_to_end(app: QApplication, window, iterations: int) -> None:
    done = []
    window.training.runFinished.connect(done.append)
    window.train(iterations=iterations)
    while not done:
        app.processEvents()


def seed_after_backward(app: QApplication, out: Path) -> None:
    window = _open_window()
    window.actionForward.trigger()
    window.actionBackward.trigger()
    window.weight_tables.set_mode("delta")
    _save_and_close(app, window, out)


def big_network(app: QApplication, out: Path) -> None:
    import numpy as np

    from bpviewer.core.data.datasets import Dataset
    from bpviewer.core.engine.network import Network
    from bpviewer.core.files.project import Project
    from bpviewer.core.training.settings import TrainingSettings

    rng = np.random.default_rng(0)
    net = Network.initialised([784, 128, 10], ["sigmoid", "softmax"], seed=0, bias=True)
    data = Dataset(rng.uniform(0, 1, (8, 784)), np.eye(10)[rng.integers(0, 10, 8)])
    project = Project(
        net,
        TrainingSettings(loss="cross_entropy", learning_rate=0.1),
        {"inputs": data.inputs.tolist(), "targets": data.targets.tolist()},
        data,
        name="784-128-10",
    )
    window = _open_window(project)
    window.actionForward.trigger()
    window.actionBackward.trigger()
    _settle(app, window)
    window.grab().save(str(out))
    window.close()


def spiral_training(app: QApplication, during: Path, after: Path) -> None:
    import time

    window = _open_window()
    window.new_from_example("spiral")
    window.weight_tables.tabs.setCurrentIndex(1)
    table = window.weight_tables.views[1]
    table.selectionModel().select(
        table.model().index(0, 0), table.selectionModel().SelectionFlag.Select
    )
    table.selectionModel().select(
        table.model().index(3, 2), table.selectionModel().SelectionFlag.Select
    )
    # Inside the network beside the loss, in the Explain group (empty while training)
    window.removeDockWidget(window.inside_dock)
    window.tabifyDockWidget(window.explain_dock, window.inside_dock)
    window.inside_dock.show()
    window.inside_dock.raise_()
    _settle(app, window)
    done = []
    window.training.runFinished.connect(done.append)
    window.train(iterations=20_000)
    started = time.perf_counter()
    while time.perf_counter() - started < 1.5:
        app.processEvents()
    window.grab().save(str(during))
    while not done:
        app.processEvents()
    _settle(app, window)
    window.boundary_dock.raise_()
    _settle(app, window)
    window.decision_boundary.refresh()
    _save_and_close(app, window, after)


def imported_csv(app: QApplication, out: Path) -> None:
    import numpy as np

    rng = np.random.default_rng(1)
    folder = Path(tempfile.gettempdir()) / "bpviewer-docs"  # one path: reruns match
    folder.mkdir(exist_ok=True)
    rows = ["width,height,kind"]
    for kind, (cx, cy) in (("apple", (1.0, 1.0)), ("pear", (2.5, 1.5)), ("plum", (1.8, 3.0))):
        for x, y in rng.normal((cx, cy), 0.35, size=(60, 2)):
            rows.append(f"{x:.3f},{y:.3f},{kind}")
    (folder / "fruit.csv").write_text("\n".join(rows) + "\n")
    window = _open_window()
    window.new_from_example("spiral")
    window.data_panel.load_csv(folder / "fruit.csv")
    window.data_panel.standardize.setChecked(True)
    window.data_panel.split.setValue(0.2)
    window.data_panel.import_csv()
    window.boundary_dock.raise_()
    _run_to_end(app, window, 3000)
    window.data_dock.raise_()
    window.decision_boundary.refresh()
    _save_and_close(app, window, out)


def wide_relu(app: QApplication, out: Path, size: tuple[int, int]) -> None:
    """A 2-64-64-3 ReLU network on the spiral, fitted to the view, on a screen of ``size``."""
    from bpviewer.core.data.datasets import build_dataset
    from bpviewer.core.engine.network import Network
    from bpviewer.core.files.project import Project
    from bpviewer.core.training.defaults import suggested_training

    spec = {"preset": "spiral", "n": 300}
    data = build_dataset(spec, DOCS)
    net = Network.init([2, 64, 64, 3], ["relu", "relu", "softmax"], biases=True, init="he")
    project = Project(
        net, suggested_training("cross_entropy", data.n_samples), spec, data, name="2-64-64-3"
    )
    window = _open_window(project, size=size)
    window.actionForward.trigger()
    _save_and_close(app, window, out)


def spiral_mid_run(app: QApplication, out: Path, size: tuple[int, int]) -> None:
    """The spiral example a second into a run, on a screen of ``size``."""
    import time

    window = _open_window(size=size)
    window.new_from_example("spiral")
    window.boundary_dock.raise_()
    _settle(app, window)
    done = []
    window.training.runFinished.connect(done.append)
    window.train(iterations=10**6)
    started = time.perf_counter()
    while time.perf_counter() - started < 2.0:
        app.processEvents()
    window.grab().save(str(out))
    window.training.stop()
    while not done:
        app.processEvents()
    window.prompter.unsaved_changes = lambda name: "discard"
    window.close()


def digits_mid_run(app: QApplication, out: Path) -> None:
    """The digits example a second and a half into a run: receptive fields in the diagram
    (one enlarged under the mouse), the sample as a picture, the confusion matrix live."""
    import time

    from PySide6.QtTest import QTest

    window = _open_window()
    window.new_from_example("digits")
    window.confusion_dock.raise_()
    _settle(app, window)
    done = []
    window.training.runFinished.connect(done.append)
    window.train(iterations=10**6)
    started = time.perf_counter()
    while time.perf_counter() - started < 1.5:
        app.processEvents()
    view = window.network_view
    QTest.mouseMove(view.viewport(), view.mapFromScene(view.units[(1, 1)].scenePos()))
    _settle(app, window)
    window.grab().save(str(out))
    window.training.stop()
    while not done:
        app.processEvents()
    window.prompter.unsaved_changes = lambda name: "discard"
    window.close()


def why_gradient(app: QApplication, out: Path, example: str, edge: tuple[int, int, int]) -> None:
    """Why this gradient for one weight (``edge``: layer, from, to), after Forward and
    Backward on ``example``: the chain rule in its panel, its paths in the diagram."""
    window = _open_window()
    window.new_from_example(example)
    window.actionForward.trigger()
    window.actionBackward.trigger()
    window.actionWhyGradient.trigger()
    _settle(app, window)
    window.network_view.edgeClicked.emit(*edge)
    from PySide6.QtCore import Qt

    window.resizeDocks([window.why_dock], [380], Qt.Orientation.Vertical)
    _save_and_close(app, window, out)


def stopped_units(app: QApplication, out: Path) -> None:
    """A 2-16-16-3 ReLU network on the spiral after a run at far too large a learning rate:
    most units dead, outlined dashed, counted and listed above the diagram."""
    from bpviewer.core.data.datasets import build_dataset
    from bpviewer.core.engine.network import Network
    from bpviewer.core.files.project import Project
    from bpviewer.core.training.settings import TrainingSettings

    spec = {"preset": "spiral", "n": 300}
    data = build_dataset(spec, DOCS)
    net = Network.init([2, 16, 16, 3], ["relu", "relu", "softmax"], biases=True, init="he")
    settings = TrainingSettings(loss="cross_entropy", learning_rate=5.0, batch_size=16)
    window = _open_window(Project(net, settings, spec, data, name="2-16-16-3, η = 5"))
    window.training_panel.watch_growth.setChecked(False)
    _run_to_end(app, window, 400)
    window.actionForward.trigger()
    _settle(app, window)
    _save_and_close(app, window, out)


def projector(app: QApplication, out: Path) -> None:
    """The course exercise after Backward with every font at 200 %, on a 1920×1080 projector."""
    from bpviewer.gui import presentation

    window = _open_window(size=(1920, 1080))
    presentation.set_scale(2.0)
    window.actionForward.trigger()
    window.actionBackward.trigger()
    _settle(app, window)
    window._balance_docks()
    try:
        _save_and_close(app, window, out)
    finally:
        presentation.set_scale(1.0)


def lr_probe(app: QApplication, out: Path, example: str = "seed") -> None:
    """The learning-rate probe raised after Apply update: E after one update against η, the
    first-order prediction, and predicted against actual ΔE of the update just applied (the
    spiral example after 300 iterations of training first)."""
    from PySide6.QtCore import Qt

    window = _open_window()
    if example != "seed":
        window.new_from_example(example)
        _run_to_end(app, window, 300)
    window.lr_probe_dock.raise_()
    window.resizeDocks([window.explain_dock], [400], Qt.Orientation.Vertical)
    _settle(app, window)
    window.actionForward.trigger()
    window.actionBackward.trigger()
    window.actionApplyUpdate.trigger()
    _save_and_close(app, window, out)


def only(name: str) -> None:
    """Render one of the pictures (for a quick look while working on it)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    {
        "projector": lambda: projector(app, DOCS / "projector-200.png"),
        "digits": lambda: digits_mid_run(app, DOCS / "digits-mid-run.png"),
        "why": lambda: (
            why_gradient(app, DOCS / "why-seed.png", "seed", (1, 0, 1)),
            why_gradient(app, DOCS / "why-spiral.png", "spiral", (1, 1, 3)),
        ),
        "stopped": lambda: stopped_units(app, DOCS / "stopped-units.png"),
        "lr-probe": lambda: (
            lr_probe(app, DOCS / "lr-probe.png"),
            lr_probe(app, DOCS / "lr-probe-spiral.png", "spiral"),
        ),
    }[name]()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--all", action="store_true", help="also render the other views")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    seed_after_backward(app, DOCS / "screenshot.png")
    print(f"wrote {DOCS / 'screenshot.png'}")
    if args.all:
        big_network(app, DOCS / "big-network.png")
        print(f"wrote {DOCS / 'big-network.png'}")
        spiral_training(app, DOCS / "spiral-training.png", DOCS / "spiral-trained.png")
        print(f"wrote {DOCS / 'spiral-training.png'} and spiral-trained.png")
        imported_csv(app, DOCS / "imported-csv.png")
        print(f"wrote {DOCS / 'imported-csv.png'}")
        for width, height in ((1400, 900), (1280, 720)):
            name = f"wide-relu-{width}x{height}.png"
            wide_relu(app, DOCS / name, (width, height))
            print(f"wrote {DOCS / name}")
        spiral_mid_run(app, DOCS / "spiral-mid-run-1280x720.png", (1280, 720))
        print(f"wrote {DOCS / 'spiral-mid-run-1280x720.png'}")
        why_gradient(app, DOCS / "why-seed.png", "seed", (1, 0, 1))
        why_gradient(app, DOCS / "why-spiral.png", "spiral", (1, 1, 3))
        print(f"wrote {DOCS / 'why-seed.png'} and why-spiral.png")
        stopped_units(app, DOCS / "stopped-units.png")
        print(f"wrote {DOCS / 'stopped-units.png'}")
        digits_mid_run(app, DOCS / "digits-mid-run.png")
        print(f"wrote {DOCS / 'digits-mid-run.png'}")
        projector(app, DOCS / "projector-200.png")
        print(f"wrote {DOCS / 'projector-200.png'}")
        lr_probe(app, DOCS / "lr-probe.png")
        lr_probe(app, DOCS / "lr-probe-spiral.png", "spiral")
        print(f"wrote {DOCS / 'lr-probe.png'} and lr-probe-spiral.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
