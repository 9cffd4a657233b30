"""The explain panel: each unit's formula with the numbers substituted, for what just ran."""

from __future__ import annotations

import html

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTextBrowser

from bpviewer.core.engine.formulas import Formula, explain
from bpviewer.core.files.export import formula_lines, markdown
from bpviewer.gui import palette
from bpviewer.gui.session import Change, Session

#: Formulas shown at most (a 784-128-10 layer has 100,352 weights); exports take them all.
LIMIT = 400
#: Terms of a sum written out at most; longer sums show their first ones, "…" and the last
#: (a 784-input z is otherwise a line of 784 products, and 400 of them took seconds to lay out).
MAX_TERMS = 8


class ExplainPanel(QTextBrowser):
    """Formulas of the last sub-step, or of every sub-step of the last phase, in order."""

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("explainPanel")
        self._session = session
        self.formulas: list[Formula] = []
        self.setOpenLinks(False)
        self.setPlaceholderText("Run Forward (or press F10) to see each value's formula here.")
        self._shown: list = []  # the records shown (the session's list, by identity)
        self.redraws = 0
        session.changed.connect(self._on_changed)

    def _on_changed(self, what: Change) -> None:
        if what & (Change.STEP | Change.DOCUMENT):
            self.show_records(self._session.last_records)

    def clear_formulas(self) -> None:
        """Empty the panel."""
        self.formulas = []
        self.clear()

    def show_records(self, records) -> None:
        """Show the formulas of ``records`` (the session's last ones); nothing when empty."""
        if len(records) == len(self._shown) and all(
            a is b for a, b in zip(records, self._shown, strict=True)
        ):
            return
        self._shown = list(records)
        self.redraws += 1
        if not records:
            self.clear_formulas()
            return
        parts, self.formulas, left = [], [], LIMIT
        for record in records:
            kind = record.sub_step.kind
            colour = palette.BACKWARD if kind == "backward" else palette.FORWARD
            title = record.sub_step.describe(record.n_layers)
            parts.append(f'<h3 style="color:{colour}; margin-bottom:2px">{html.escape(title)}</h3>')
            formulas = explain(record, limit=left + 1, max_terms=MAX_TERMS)
            shown = formulas[:left]
            self.formulas.extend(shown)
            rows = []
            for f in shown:
                name = f"<code>{html.escape(f.vocab)}</code> = " if f.vocab else ""
                sample = f" <i>(sample {f.sample + 1})</i>" if f.sample is not None else ""
                rows.append(
                    f"<tr><td>{name}<b>{html.escape(f.quantity)}</b></td>"
                    f"<td>= {html.escape(f.symbolic)}</td>"
                    f'<td style="color:{colour}">= {html.escape(f.substituted)}{sample}</td></tr>'
                )
            parts.append('<table cellspacing="2" cellpadding="1">' + "".join(rows) + "</table>")
            left -= len(shown)
            if len(formulas) > len(shown) or left <= 0:
                parts.append(
                    f'<p style="color:{palette.STALE}">… more formulas not shown here '
                    "(File → Export trace writes them all)</p>"
                )
                break
        self.setHtml("".join(parts))

    def plain_text(self) -> str:
        """The formulas shown, one a line."""
        return formula_lines(self.formulas)

    def copy_all(self) -> None:
        """Put the formulas on the clipboard as plain text."""
        QGuiApplication.clipboard().setText(self.plain_text())

    def markdown(self, max_terms: int | None = None) -> str:
        """The last records as Markdown with LaTeX math (every formula; with ``max_terms``,
        long sums shortened)."""
        title = self._session.project.name or ""
        return markdown(self._session.last_records, title, max_terms=max_terms)
