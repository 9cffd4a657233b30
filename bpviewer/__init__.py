"""bpviewer: see backpropagation one step at a time, and find where the numbers go wrong.

The public Python API (``import bpviewer as bpv``); importing it loads no Qt, so it works
in a remote kernel without a display.  Conventions throughout: weights of layer l are
(n_{l-1}, n_l), row = from-unit, column = to-unit (``a @ W``); δ = −∂E/∂z; an update adds
ΔW (``W + ΔW``); the loss of a batch is the mean of its samples'.

- :class:`Network` (``Network.init(layer_sizes, activations, biases=…, seed=…)``),
  :func:`load` and :func:`save` for project files;
- :func:`trace` one iteration with every named quantity; :func:`compare` your own
  gradients with bpviewer's; :func:`gradcheck`; :func:`train`;
- :func:`show` the window on your network and data;
- bridges: :func:`from_torch`, :func:`to_torch`, :func:`from_sklearn`.
"""

__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING

# Each name is imported when first used (PEP 562), so that the window, which imports
# ``bpviewer.gui`` and so this package, does not pay for the API at its start.
_WHERE = {
    "Comparison": "bpviewer.api.comparing",
    "compare": "bpviewer.api.comparing",
    "load": "bpviewer.api.files",
    "save": "bpviewer.api.files",
    "from_sklearn": "bpviewer.api.sklearn_bridge",
    "sklearn_training": "bpviewer.api.sklearn_bridge",
    "from_torch": "bpviewer.api.torch_bridge",
    "loss_name": "bpviewer.api.torch_bridge",
    "to_torch": "bpviewer.api.torch_bridge",
    "Trace": "bpviewer.api.tracing",
    "trace": "bpviewer.api.tracing",
    "History": "bpviewer.api.training",
    "gradcheck": "bpviewer.api.training",
    "train": "bpviewer.api.training",
    "show": "bpviewer.api.window",
    "Network": "bpviewer.core.engine.network",
    "BpviewerError": "bpviewer.core.errors",
    "DataError": "bpviewer.core.errors",
    "ProjectError": "bpviewer.core.errors",
    "StepError": "bpviewer.core.errors",
}

if TYPE_CHECKING:
    from bpviewer.api.comparing import Comparison, compare
    from bpviewer.api.files import load, save
    from bpviewer.api.sklearn_bridge import from_sklearn, sklearn_training
    from bpviewer.api.torch_bridge import from_torch, loss_name, to_torch
    from bpviewer.api.tracing import Trace, trace
    from bpviewer.api.training import History, gradcheck, train
    from bpviewer.api.window import show
    from bpviewer.core.engine.network import Network
    from bpviewer.core.errors import BpviewerError, DataError, ProjectError, StepError


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'bpviewer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


__all__ = [
    "BpviewerError",
    "Comparison",
    "DataError",
    "History",
    "Network",
    "ProjectError",
    "StepError",
    "Trace",
    "__version__",
    "compare",
    "from_sklearn",
    "from_torch",
    "gradcheck",
    "load",
    "loss_name",
    "save",
    "show",
    "sklearn_training",
    "to_torch",
    "trace",
    "train",
]


def load_ipython_extension(ipython) -> None:
    """``%load_ext bpviewer`` in IPython/Jupyter: adds ``%bpcheck`` (imported only then)."""
    from bpviewer.jupyter import load_ipython_extension as load

    load(ipython)
