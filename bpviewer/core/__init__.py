"""The pure-NumPy engine of bpviewer: networks, the step machine, training, file formats.

Nothing under this package imports Qt or pyqtgraph; ``tests/test_architecture.py`` proves it.
"""

from bpviewer.core.errors import BpviewerError, DataError, ProjectError, StepError
from bpviewer.core.network import Network

__all__ = ["BpviewerError", "DataError", "Network", "ProjectError", "StepError"]
