"""File → Export: the trace as Markdown, the values as CSV or JSON, the loss curves and the
loss plot.  Each asks for a file; a failure names the file and the problem."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from bpviewer.core.files.atomic import write_atomic
from bpviewer.core.files.export import trace_terms, values_csv, values_json
from bpviewer.gui.panels.explain_panel import MAX_TERMS

if TYPE_CHECKING:
    from bpviewer.gui.main_window import MainWindow

#: A trace export writing more terms than this asks whether to shorten long sums first.
LARGE_TRACE_TERMS = 200_000


class Exports:
    """The export commands of ``window``."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window

    def _say(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 5000)

    def write(self, caption: str, file_filter: str, suffix: str, text) -> None:
        """Ask for a file and write ``text`` (a string, or a function making it: called
        only once a file is chosen, under a wait cursor)."""
        w = self._window
        path = w.prompter.save_file(
            caption, file_filter, f"{w.session.project.name or 'trace'}{suffix}"
        )
        if not path:
            return
        try:
            if callable(text):
                QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
                try:
                    text = text()
                finally:
                    QApplication.restoreOverrideCursor()
            write_atomic(path, text)
        except OSError as exc:
            w.prompter.error("Cannot export", f"{path}: {exc}")
            return
        self._say(f"wrote {path}")

    def markdown(self) -> None:
        """The formulas of the last step (a big trace asks whether to shorten long sums)."""
        w = self._window
        if not w.session.last_records:
            self._say("nothing to export yet: run a step first")
            return
        max_terms = None
        terms = trace_terms(w.session.last_records)
        if terms > LARGE_TRACE_TERMS:
            answer = w.prompter.large_export(terms)
            if answer == "cancel":
                return
            max_terms = MAX_TERMS if answer == "shorten" else None
        self.write(
            "Export trace as Markdown",
            "Markdown (*.md)",
            ".md",
            lambda: w.explain_panel.markdown(max_terms),
        )

    def values_csv(self) -> None:
        """Every value of the current iteration as CSV."""
        machine = self._window.session.machine
        self.write("Export values as CSV", "CSV (*.csv)", ".csv", values_csv(machine))

    def values_json(self) -> None:
        """Every value of the current iteration as JSON."""
        machine = self._window.session.machine
        self.write("Export values as JSON", "JSON (*.json)", ".json", values_json(machine))

    def curves(self) -> None:
        """Every loss curve as CSV."""
        text = self._window.error_plot.curves_csv()
        self.write("Export loss curves as CSV", "CSV (*.csv)", "-loss.csv", text)

    def plot(self) -> None:
        """The loss plot as PNG or SVG."""
        w = self._window
        plot = w.error_plot.ensure_plot()
        path = w.prompter.save_file(
            "Export loss plot", "PNG image (*.png);;SVG (*.svg)", "loss.png"
        )
        if not path:
            return
        import pyqtgraph.exporters as exporters

        exporter_cls = (
            exporters.SVGExporter if path.lower().endswith(".svg") else exporters.ImageExporter
        )
        exporter_cls(plot.plotItem).export(path)
        self._say(f"wrote {path}")
