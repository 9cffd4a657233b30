"""``bpv.load`` and ``bpv.save``: project files (network, data, settings) from Python."""

from __future__ import annotations

import os
from pathlib import Path

from bpviewer.core.data.datasets import Dataset
from bpviewer.core.engine.network import Network
from bpviewer.core.files.project import Project, load_project, save_project
from bpviewer.core.training.settings import TrainingSettings


def load(path: str | os.PathLike[str]) -> Project:
    """A project file: ``.network``, ``.dataset`` (``inputs`` (N, n_0), ``targets``
    (N, n_L)), ``.training`` settings.  A broken file raises ``ProjectError`` naming the
    file and the problem."""
    return load_project(path)


def save(what: Project | Network, path: str | os.PathLike[str], *, data=None) -> Path:
    """Write a project, or a network (with ``data`` = (inputs, targets) if given, else one
    sample of zeros), as a project file the window opens.  Returns the path."""
    if isinstance(what, Network):
        import numpy as np

        from bpviewer.api.inputs import samples

        if data is None:
            x = np.zeros((1, what.layer_sizes[0]))
            t = np.zeros((1, what.layer_sizes[-1]))
        else:
            x, t = samples(what, *data)
        spec = {"inputs": x.tolist(), "targets": t.tolist()}
        from bpviewer.core.engine.losses import losses_for

        training = TrainingSettings(loss=losses_for(what.activations[-1])[0])
        what = Project(what.copy(), training, spec, Dataset(x, t))
    target = Path(path)
    save_project(what, target)
    return target
