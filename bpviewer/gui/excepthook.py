"""Errors never vanish: an uncaught exception (in a slot, too) is logged and shown."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

log = logging.getLogger("bpviewer")


def install_excepthook(show_dialog: bool = True) -> None:
    """Log every uncaught exception and, with ``show_dialog``, show it in a message box."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        text = "".join(traceback.format_exception(kind, value, tb))
        if log.hasHandlers():  # logging is set up: it goes where the user sent it
            log.error("uncaught exception\n%s", text)
        else:  # (logging's last-resort handler would print it a second time)
            sys.__stderr__.write(text)
        if not show_dialog:
            return
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.instance() is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Critical, "bpviewer: unexpected error", f"{kind.__name__}: {value}"
        )
        box.setInformativeText(
            "Your project is still open. Please report this, with the details below."
        )
        box.setDetailedText(text)
        box.exec()

    sys.excepthook = hook
