"""The pure-NumPy engine of bpviewer: networks, the step machine, training, file formats.

Nothing under this package imports Qt or pyqtgraph; ``tests/test_architecture.py`` proves it.
"""

from bpviewer.core.engine.network import Network
from bpviewer.core.errors import BpviewerError, DataError, ProjectError, StepError

__all__ = ["BpviewerError", "DataError", "Network", "ProjectError", "StepError"]
