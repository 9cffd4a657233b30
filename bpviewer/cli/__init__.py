"""The headless command line: ``bpviewer trace|train|gradcheck|check|install-desktop``.

No Qt is imported here.  :mod:`bpviewer.cli.main` parses the command line and dispatches;
each other module is one sub-command.
"""

from bpviewer.cli.main import COMMANDS, UsageError, build_parser, main

__all__ = ["COMMANDS", "UsageError", "build_parser", "main"]
