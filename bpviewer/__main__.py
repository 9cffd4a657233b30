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
    if len(args) == 1 and not args[0].startswith("-") and "." not in args[0]:
        from pathlib import Path

        if not Path(args[0]).exists():  # neither a command nor a project file
            print(
                f"bpviewer: unknown command {args[0]!r} (commands: {', '.join(COMMANDS)}; "
                "or give a project file to open)",
                file=sys.stderr,
            )
            return 2
    from bpviewer.app import run_app

    return run_app(args)


if __name__ == "__main__":
    sys.exit(main())
