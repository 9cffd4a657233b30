"""``bpv.show``: the window on your own network and arrays, from a script or a notebook."""

from __future__ import annotations

from typing import Any

from bpviewer.core.engine.network import Network
from bpviewer.core.files.project import Project


class WindowHandle:
    """The open window, from a notebook: ``.network`` is its current network (a copy)."""

    def __init__(self, window: Any) -> None:
        self.window = window

    @property
    def network(self) -> Network:
        """The window's network now (a copy)."""
        return self.window.session.network.copy()

    @property
    def project(self) -> Project:
        """The window's project now (network, data, settings)."""
        from dataclasses import replace

        s = self.window.session
        return replace(s.project, network=s.network.copy())

    def close(self) -> None:
        """Close the window (asking about unsaved changes, as its close button does)."""
        self.window.close()

    def __repr__(self) -> str:
        sizes = "-".join(map(str, self.window.session.network.layer_sizes))
        return f"<bpviewer window on a {sizes} network>"


def qt_loop_integrated() -> bool:
    """Whether IPython runs Qt's event loop for us (``%gui qt``), so a window can stay open
    while the notebook goes on."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    ip = get_ipython()
    if ip is None:
        return False
    loop = getattr(getattr(ip, "kernel", None), "eventloop", None)  # ipykernel
    if loop is not None and "qt" in getattr(loop, "__name__", "").lower():
        return True
    return str(getattr(ip, "active_eventloop", "") or "").startswith("qt")  # terminal IPython


def _project(net: Network | Project | None, data: Any, loss: str | None) -> Project | None:
    if isinstance(net, Project):
        return net
    if net is None:
        if data is not None:
            raise ValueError("data needs a network: show(net, data=(inputs, targets))")
        return None
    import numpy as np

    from bpviewer.api.inputs import samples
    from bpviewer.core.data.datasets import Dataset
    from bpviewer.core.engine.losses import losses_for
    from bpviewer.core.training.settings import TrainingSettings

    if data is None:
        x, t = np.zeros((1, net.layer_sizes[0])), np.zeros((1, net.layer_sizes[-1]))
    else:
        x, t = samples(net, *data)
    training = TrainingSettings(loss=loss or losses_for(net.activations[-1])[0])
    spec = {"inputs": x.tolist(), "targets": t.tolist()}
    return Project(net.copy(), training, spec, Dataset(x, t), name="from Python")


def show(
    net: Network | Project | None = None,
    data: Any = None,
    *,
    loss: str | None = None,
    block: bool | None = None,
) -> Network | WindowHandle:
    """Open the window on ``net`` (a network or a project) and ``data`` = (inputs (N, n_0),
    targets (N, n_L)); on the seed example when both are None.

    From a script (``block`` None or True) it returns when the window closes, with the
    window's final network.  In IPython or Jupyter with Qt's event loop integration
    (``%gui qt``) it returns at once a :class:`WindowHandle` whose ``.network`` follows the
    window.  Without a display it raises RuntimeError saying so (Qt would abort the
    kernel).
    """
    from bpviewer.app import display_problem

    problem = display_problem()
    if problem:
        raise RuntimeError(f"bpviewer cannot open a window here: {problem}")
    project = _project(net, data, loss)
    from PySide6.QtWidgets import QApplication

    from bpviewer.gui import MainWindow

    app = QApplication.instance() or QApplication(["bpviewer"])
    window = MainWindow()
    if project is not None:
        window.session.load(project)
    window.show()
    if block is None:
        block = not qt_loop_integrated()
    if not block:
        return WindowHandle(window)
    app.exec()
    return window.session.network.copy()
