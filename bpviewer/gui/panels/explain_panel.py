"""The explain panel: each unit's formula with the numbers substituted, for what just ran.

A big network's step has hundreds of formulas; laying them all out took a quarter of a
second per action on 784-128-10, though a dozen are visible.  So the panel lays out a
screenful or two (:data:`CHUNK` rows), and the next rows as the view is scrolled near its
end; the formulas themselves are made only as they are asked for.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator

from PySide6.QtCore import QEvent
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import QTextBrowser

from bpviewer.core.engine.conventions import EXERCISE, Conventions
from bpviewer.core.engine.formulas import Formula, iter_formulas
from bpviewer.core.files.export import formula_lines, markdown
from bpviewer.gui import palette
from bpviewer.gui.session import Change, Session

#: Formulas shown at most (a 784-128-10 layer has 100,352 weights); exports take them all.
LIMIT = 400
#: Terms of a sum written out at most; longer sums show their first ones, "…" and the last
#: (a 784-input z is otherwise a line of 784 products, and 400 of them took seconds to lay out).
MAX_TERMS = 8
#: Rows laid out at a time; more chunks until the text is a screenful and a half tall.
CHUNK = 6

# a row of the panel: ("title", text, colour), ("formula", Formula, colour) or ("more",)
Row = tuple


class ExplainPanel(QTextBrowser):
    """Formulas of the last sub-step, or of every sub-step of the last phase, in order."""

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("explainPanel")
        self._session = session
        self.setOpenLinks(False)
        self.setPlaceholderText("Run Forward (or press F10) to see each value's formula here.")
        self._shown: list = []  # the records shown (the session's list, by identity)
        self._rows: list[Row] = []  # made so far
        self._source: Iterator[Row] = iter(())  # the rest, made when asked for
        self._laid_out = 0  # rows in the document
        self.redraws = 0
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        session.changed.connect(self._on_changed)
        session.conventionsChanged.connect(self._on_conventions)

    def _on_conventions(self, _conventions) -> None:
        """δ shown another way: the same records, their formulas made again."""
        self._shown = []
        self.show_records(self._session.last_records)

    def _on_changed(self, what: Change) -> None:
        if what & (Change.STEP | Change.DOCUMENT):
            self.show_records(self._session.last_records)

    def clear_formulas(self) -> None:
        """Empty the panel."""
        self._rows, self._source, self._laid_out = [], iter(()), 0
        self.clear()

    def show_records(self, records) -> None:
        """Show the formulas of ``records`` (the session's last ones); nothing when empty."""
        if len(records) == len(self._shown) and all(
            a is b for a, b in zip(records, self._shown, strict=True)
        ):
            return
        self._shown = list(records)
        self.redraws += 1
        self.clear_formulas()
        if records:
            self._source = _rows(list(records), self._session.conventions)
            self._fill()

    @property
    def formulas(self) -> list[Formula]:
        """Every formula the panel holds (up to :data:`LIMIT`), laid out or not yet."""
        self._rows.extend(self._source)
        return [row[1] for row in self._rows if row[0] == "formula"]

    # ------------------------------------------------------------------ laying out
    def _lay_out(self, n: int) -> None:
        """Add the next ``n`` rows at the end of the document."""
        want = self._laid_out + n
        if len(self._rows) < want:
            self._rows.extend(itertools.islice(self._source, want - len(self._rows)))
        rows = self._rows[self._laid_out : want]
        if not rows:
            return
        first = self._laid_out == 0
        self._laid_out += len(rows)
        if first:
            self.setHtml(_html(rows))
            return
        bar = self.verticalScrollBar()
        keep = bar.value()
        # formulas that continue the last table go into it, so its columns stay aligned; one
        # edit block, so the document is laid out once, not once a cell
        edit = QTextCursor(self.document())
        edit.beginEditBlock()
        continued = 0
        table = self._last_table()
        while continued < len(rows) and rows[continued][0] == "formula":
            continued += 1
        if table is not None and continued:
            first = table.rows()
            table.appendRows(continued)
            for k, row in enumerate(rows[:continued]):
                for column, cell in enumerate(_cells(row)):
                    table.cellAt(first + k, column).firstCursorPosition().insertHtml(cell)
        else:
            continued = 0
        if continued < len(rows):
            edit.movePosition(QTextCursor.MoveOperation.End)
            edit.insertHtml(_html(rows[continued:]))
        edit.endEditBlock()
        bar.setValue(keep)

    def _last_table(self):
        """The table the document ends with, if it ends with one."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.movePosition(QTextCursor.MoveOperation.PreviousBlock)
        return cursor.currentTable()

    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        if value >= bar.maximum() - bar.pageStep():  # near the end: the next rows
            self._fill(value + bar.pageStep())

    def resizeEvent(self, event) -> None:  # a taller or wider panel shows more rows
        super().resizeEvent(event)
        self._fill(self.verticalScrollBar().value())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fill(self.verticalScrollBar().value())

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # smaller text: room for more rows
            self._fill(self.verticalScrollBar().value())

    def _fill(self, seen_to: int = 0) -> None:
        """Lay out rows, a chunk at a time, until the text reaches a screenful and a half
        below ``seen_to`` (pixels from the top) or runs out.  Rows are one line or many (a
        784-input z wraps to eight), so the height decides, not a count."""
        want = seen_to + 1.5 * self.viewport().height()
        while self.document().size().height() < want:
            before = self._laid_out
            self._lay_out(CHUNK)
            if self._laid_out == before:
                return

    def lay_out_all(self) -> None:
        """Lay out every row (what scrolling to the end does, a chunk at a time)."""
        self._rows.extend(self._source)
        self._lay_out(len(self._rows) - self._laid_out)

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
        return markdown(
            self._session.last_records,
            title,
            max_terms=max_terms,
            conventions=self._session.conventions,
        )


def _rows(records, conventions: Conventions = EXERCISE) -> Iterator[Row]:
    """The panel's rows for ``records``: a title per record, then its formulas, at most
    :data:`LIMIT` formulas in all (then a note that there are more)."""
    left = LIMIT
    for record in records:
        if left == 0:
            yield ("more",)
            return
        kind = record.sub_step.kind
        colour = palette.BACKWARD if kind == "backward" else palette.FORWARD
        yield ("title", record.sub_step.describe(record.n_layers), colour)
        for formula in iter_formulas(record, MAX_TERMS, conventions):
            if left == 0:
                yield ("more",)
                return
            yield ("formula", formula, colour)
            left -= 1


def _cells(row: Row) -> list[str]:
    """A formula row's three cells as HTML: name, symbolic form, numbers."""
    f, colour = row[1], row[2]
    name = f"<code>{html.escape(f.vocab)}</code> = " if f.vocab else ""
    sample = f" <i>(sample {f.sample + 1})</i>" if f.sample is not None else ""
    return [
        f"{name}<b>{html.escape(f.quantity)}</b>",
        f"= {html.escape(f.symbolic)}",
        f'<span style="color:{colour}">= {html.escape(f.substituted)}{sample}</span>',
    ]


def _html(rows: list[Row]) -> str:
    """Rows as HTML: titles as headings, runs of formulas as a table each."""
    parts, table = [], []

    def flush() -> None:
        if table:
            parts.append('<table cellspacing="2" cellpadding="1">' + "".join(table) + "</table>")
            table.clear()

    for row in rows:
        if row[0] == "formula":
            table.append("<tr>" + "".join(f"<td>{c}</td>" for c in _cells(row)) + "</tr>")
            continue
        flush()
        if row[0] == "title":
            parts.append(
                f'<h3 style="color:{row[2]}; margin-bottom:2px">{html.escape(row[1])}</h3>'
            )
        else:
            parts.append(
                f'<p style="color:{palette.STALE}">… more formulas not shown here '
                "(File → Export trace writes them all)</p>"
            )
    flush()
    return "".join(parts)
