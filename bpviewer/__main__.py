"""``bpviewer`` / ``python -m bpviewer``: a sub-command runs headless, none opens the window."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bpviewer`` command."""
    args = list(sys.argv[1:] if argv is None else argv)
    from bpviewer.cli import COMMANDS

    if args and (args[0] in COMMANDS or args[0] in ("-h", "--help", "--version")):
        from bpviewer.cli import main as cli_main

        return cli_main(args)
    from bpviewer.app import run_app

    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
