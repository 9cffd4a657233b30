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

from PySide6.QtWidgets import QApplication  # noqa: E402

DOCS = Path(__file__).resolve().parent


def _settle(app: QApplication, window) -> None:
    for _ in range(5):
        app.processEvents()


def seed_after_backward(app: QApplication, out: Path) -> None:
    from bpviewer.gui import MainWindow

    window = MainWindow()
    window.resize(1500, 950)
    window.show()
    window.error_plot.ensure_plot()
    window.actionForward.trigger()
    window.actionBackward.trigger()
    window.weight_tables.set_mode("delta")
    _settle(app, window)
    window.grab().save(str(out))
    window.session.undo_stack.setClean()
    window.close()


def big_network(app: QApplication, out: Path) -> None:
    import numpy as np

    from bpviewer.core.datasets import Dataset
    from bpviewer.core.network import Network
    from bpviewer.core.project import Project, TrainingSettings
    from bpviewer.gui import MainWindow

    rng = np.random.default_rng(0)
    net = Network.initialised([784, 128, 10], ["sigmoid", "softmax"], seed=0, bias=True)
    data = Dataset(rng.uniform(0, 1, (8, 784)), np.eye(10)[rng.integers(0, 10, 8)])
    project = Project(net, TrainingSettings(loss="cross_entropy", learning_rate=0.1),
                      {"inputs": data.inputs.tolist(), "targets": data.targets.tolist()}, data,
                      name="784-128-10")
    window = MainWindow()
    window.resize(1500, 950)
    window.session.load(project)
    window.show()
    window.error_plot.ensure_plot()
    window.actionForward.trigger()
    window.actionBackward.trigger()
    _settle(app, window)
    window.grab().save(str(out))
    window.close()


def spiral_training(app: QApplication, during: Path, after: Path) -> None:
    import time

    from bpviewer.gui import MainWindow

    window = MainWindow()
    window.resize(1500, 950)
    window.show()
    window.new_from_example("spiral")
    window.error_plot.ensure_plot()
    window.weight_tables.tabs.setCurrentIndex(1)
    table = window.weight_tables.views[1]
    table.selectionModel().select(table.model().index(0, 0), table.selectionModel().SelectionFlag.Select)
    table.selectionModel().select(table.model().index(3, 2), table.selectionModel().SelectionFlag.Select)
    done = []
    window.trainer.runFinished.connect(done.append)
    window.train(iterations=20_000)
    started = time.perf_counter()
    while time.perf_counter() - started < 1.5:
        app.processEvents()
    window.grab().save(str(during))
    while not done:
        app.processEvents()
    _settle(app, window)
    window.inside_dock.raise_()
    _settle(app, window)
    window.grab().save(str(after))
    window.session.undo_stack.setClean()
    window.close()


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
