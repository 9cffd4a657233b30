"""Reading data sets from CSV files, with errors that name the line and the column.

:func:`load_csv` parses with NumPy's vectorised reader in chunks (a million rows of two
inputs in a fraction of a second, with progress and cancellation between chunks); whenever
that fast path meets anything it might not read exactly as the careful reader does (a
quoted cell spanning lines, a literal quote, a blank or short row, a bad cell, NaN), the
careful reader reads the file again and its answer stands: the same data, or an error
naming the line and the column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bpviewer.core.errors import DataError

#: Called with the fraction of the file read so far (0 to 1), from the reading thread;
#: returning ``False`` (not None) stops the read with :class:`ReadCancelled`.
Progress = Callable[[float], object]

#: Text per call of NumPy's reader (~10 ms each): progress and a chance to cancel between
#: calls, and a thread that waits for the GIL (the window's) waits no longer than one call.
CHUNK_CHARS = 1 << 20

# Characters the fast path leaves to the careful reader: the line breaks str.splitlines
# knows beyond \n and \r.
_CAREFUL_ONLY = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
#: A quoted cell within one line: after a comma, a line break or the start (the look-behind
#: follows the opening quote, so the search looks for quotes only), up to a comma, a line
#: break or the end.
_QUOTED_CELL = re.compile(r'"(?<![^,\n]")[^"\n]*(?:""[^"\n]*)*"(?![^,\n])')


class ReadCancelled(DataError):
    """A read stopped because its progress callback returned False; nothing was loaded."""


class _Reporter:
    """Reports rising fractions to a :data:`Progress` callback; a False answer cancels."""

    def __init__(self, path: Path, progress: Progress | None) -> None:
        self.path, self.progress, self.reached = path, progress, 0.0

    def __call__(self, fraction: float) -> None:
        if self.progress is None:
            return
        self.reached = max(self.reached, fraction)  # a second pass never reads as a step back
        if self.progress(self.reached) is False:
            raise ReadCancelled(f"{self.path}: reading cancelled")

    def part(self, lo: float, hi: float) -> Callable[[float], None]:
        """A reporter of fractions 0..1 of a step that covers ``lo``..``hi`` of the read."""
        return lambda fraction: self(lo + (hi - lo) * fraction)


@dataclass(frozen=True)
class Table:
    """A CSV file's header and rows of text cells."""

    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells)


def _read_text(p: Path) -> str:
    try:
        return p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{p}: cannot be read ({exc})") from None


def read_table(path: str | Path) -> Table:
    """Read a CSV with a header row; refuse empty files and rows of the wrong width."""
    p = Path(path)
    return _table(p, _read_text(p))


def preview_table(path: str | Path, rows: int = 8) -> Table:
    """The header and the first ``rows`` data rows of a CSV, reading only the file's start
    (fast on a file of any size); the rest is checked when the file is loaded."""
    p = Path(path)
    lines: list[tuple[int, list[str]]] = []
    try:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            for row in reader:
                if any(cell.strip() for cell in row):
                    lines.append((reader.line_num, row))
                    if len(lines) > rows:
                        break
    except FileNotFoundError:
        raise DataError(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{p}: cannot be read ({exc})") from None
    return _checked(p, lines)


def _table(p: Path, text: str, report: Callable[[float], None] | None = None) -> Table:
    physical = text.splitlines()
    reader = csv.reader(physical)
    if report is None:
        lines = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
        return _checked(p, lines)
    lines = []
    for k, row in enumerate(reader):
        if any(cell.strip() for cell in row):
            lines.append((reader.line_num, row))
        if k % 65536 == 0:
            report(0.8 * reader.line_num / len(physical))
    return _checked(p, lines)


def _checked(p: Path, lines: list[tuple[int, list[str]]]) -> Table:
    """The table of the non-blank ``lines`` (line number, cells): header, then data rows."""
    if not lines:
        raise DataError(f"{p}: the file is empty (a header row and data rows are needed)")
    header = [h.strip() for h in lines[0][1]]
    if len(lines) == 1:
        raise DataError(f"{p}: line {lines[0][0]}: a header but no data rows")
    rows = []
    for line, cells in lines[1:]:
        if len(cells) != len(header):
            raise DataError(f"{p}: line {line}: {len(cells)} cells, the header has {len(header)}")
        rows.append((line, [c.strip() for c in cells]))
    return Table(p, header, rows)


def _column_index(table: Table, name: str) -> int:
    try:
        return table.header.index(name)
    except ValueError:
        raise DataError(
            f"{table.path}: no column {name!r} (columns: {', '.join(table.header)})"
        ) from None


def numeric_column(table: Table, name: str) -> np.ndarray:
    """Column ``name`` as floats, shape (rows,); a non-numeric or missing cell is refused."""
    col = _column_index(table, name)
    out = np.empty(len(table.rows))
    for k, (line, cells) in enumerate(table.rows):
        cell = cells[col]
        try:
            value = float(cell)
        except ValueError:
            what = "is empty" if not cell else f"is not a number: {cell!r}"
            raise DataError(
                f"{table.path}: line {line}, column {col + 1} ({name}) {what}"
            ) from None
        if not math.isfinite(value):
            raise DataError(
                f"{table.path}: line {line}, column {col + 1} ({name}) is not finite: {cell!r}"
            )
        out[k] = value
    return out


def is_numeric_column(table: Table, name: str) -> bool:
    """Whether every cell of column ``name`` reads as a float."""
    col = _column_index(table, name)
    try:
        for _, cells in table.rows:
            float(cells[col])
    except ValueError:
        return False
    return True


def label_column(table: Table, name: str) -> tuple[np.ndarray, list[str]]:
    """Column ``name`` as class labels: one-hot (rows, classes) and the label order.

    Labels are ordered by first appearance, so the order is stable and recorded.
    """
    col = _column_index(table, name)
    labels: list[str] = []
    for line, cells in table.rows:
        if not cells[col]:
            raise DataError(f"{table.path}: line {line}, column {col + 1} ({name}) is empty")
        if cells[col] not in labels:
            labels.append(cells[col])
    index = {label: i for i, label in enumerate(labels)}
    one_hot = np.zeros((len(table.rows), len(labels)))
    for k, (_, cells) in enumerate(table.rows):
        one_hot[k, index[cells[col]]] = 1.0
    return one_hot, labels


@dataclass(frozen=True)
class CsvData:
    """Inputs (N, n) and targets (N, K) read from a CSV file, with their column names."""

    inputs: np.ndarray
    targets: np.ndarray
    input_names: list[str]
    target_names: list[str]
    class_labels: list[str] | None


def load_csv(
    path: str | Path,
    targets: list[str],
    inputs: list[str] | None = None,
    *,
    progress: Progress | None = None,
) -> CsvData:
    """Read inputs and targets from a CSV file with a header row.

    ``targets`` names the target columns; ``inputs`` the input columns (default: every other
    column).  A single non-numeric target column is read as class labels, one-hot encoded.
    ``progress``, if given, is called with the fraction read (from the calling thread, so a
    window runs this off its GUI thread); returning False stops with :class:`ReadCancelled`.
    """
    p = Path(path)
    text = _read_text(p)
    report = _Reporter(p, progress)
    report(0.0)
    data = _load_fast(text, targets, inputs, report)
    if data is None:  # the careful reader's data, or its error naming the line and column
        careful = report.part(report.reached, 0.99)
        data = _load_careful(_table(p, text, careful), targets, inputs, careful)
    report(1.0)
    return data


def _load_careful(
    table: Table,
    targets: list[str],
    inputs: list[str] | None,
    report: Callable[[float], None] | None = None,
) -> CsvData:
    """Cell by cell: slow, and every error names its line and column.  ``report`` is told
    0.8 (the table is read) to 1 as the columns are converted."""
    if not targets:
        raise DataError(f"{table.path}: no target column given")
    for name in targets:
        _column_index(table, name)
    input_names = inputs if inputs is not None else [h for h in table.header if h not in targets]
    if not input_names:
        raise DataError(f"{table.path}: no input columns left besides the targets")
    columns = []
    for k, name in enumerate(input_names):
        columns.append(numeric_column(table, name))
        if report is not None:
            report(0.8 + 0.2 * (k + 1) / (len(input_names) + 1))
    x = np.column_stack(columns)
    labels = None
    if len(targets) == 1 and not is_numeric_column(table, targets[0]):
        t, labels = label_column(table, targets[0])
        target_names = [f"{targets[0]}={label}" for label in labels]
    else:
        t = np.column_stack([numeric_column(table, name) for name in targets])
        target_names = list(targets)
    return CsvData(x, t, list(input_names), target_names, labels)


def _load_fast(
    text: str,
    targets: list[str],
    inputs: list[str] | None,
    report: Callable[[float], None] | None = None,
) -> CsvData | None:
    """The careful reader's result read with NumPy's reader in chunks, or None whenever
    anything in the file might read differently (then the careful reader decides)."""
    if any(c in text for c in _CAREFUL_ONLY) or not isinstance(targets, list) or not targets:
        return None
    if inputs is not None and not isinstance(inputs, list):
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    quoted = '"' in text
    if quoted and not _quotes_within_lines(text):
        return None
    header, start = _split_header(text)
    if header is None or not all(isinstance(n, str) and n in header for n in targets):
        return None
    input_names = inputs if inputs is not None else [h for h in header if h not in targets]
    if not input_names or not all(isinstance(n, str) and n in header for n in input_names):
        return None
    in_cols = [header.index(n) for n in input_names]
    t_cols = [header.index(n) for n in targets]
    maybe_labels = len(t_cols) == 1 and t_cols[0] not in in_cols
    # one field per column, so NumPy refuses any row of another width; the columns read
    # neither as inputs nor as targets are kept as text.  A single target column is read as
    # numbers first and, if NumPy refuses any of the file, as text (class labels, or cells
    # only Python's float() reads).
    numeric = set(in_cols) | set(t_cols)
    quote = '"' if quoted else None
    rows = _parse_chunks(text, start, _dtype(len(header), numeric), quote, report)
    if rows is None and maybe_labels:
        numeric.discard(t_cols[0])
        rows = _parse_chunks(text, start, _dtype(len(header), numeric), quote, report)
    if rows is None or rows.shape[0] == 0:
        return None
    x = np.column_stack([rows[f"c{i}"] for i in in_cols])
    if not np.all(np.isfinite(x)):
        return None
    labels = None
    if t_cols[0] not in numeric:
        cells = rows[f"c{t_cols[0]}"]
        try:
            t = cells.astype(np.float64)[:, None]  # float() of each cell, as the careful reader
        except (TypeError, ValueError):
            one_hot = _one_hot(cells)
            if one_hot is None:
                return None
            t, labels = one_hot
    else:
        t = np.column_stack([rows[f"c{i}"] for i in t_cols])
    if labels is None and not np.all(np.isfinite(t)):
        return None
    target_names = list(targets) if labels is None else [f"{targets[0]}={v}" for v in labels]
    return CsvData(
        np.ascontiguousarray(x), np.ascontiguousarray(t), list(input_names), target_names, labels
    )


def _dtype(width: int, numeric: set[int]) -> np.dtype:
    return np.dtype([(f"c{i}", np.float64 if i in numeric else object) for i in range(width)])


def _quotes_within_lines(text: str) -> bool:
    """Whether every quote in ``text`` belongs to a whole quoted cell on one line: a quote at
    a cell's start, then no line break and no quote but doubled ones, then a quote at the
    cell's end.  Then NumPy's reader (quote character ``"``) and the csv module read the
    cells alike, and a chunk may end at any line break."""
    return '"' not in _QUOTED_CELL.sub("", text)


def _split_header(text: str) -> tuple[list[str] | None, int]:
    """The first non-blank line's cells (stripped) and where the text after it starts."""
    pos = 0
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        cells = next(csv.reader([text[pos:end]]), [])
        if any(c.strip() for c in cells):
            return [c.strip() for c in cells], end + 1
        pos = end + 1
    return None, len(text)


def _parse_chunks(
    text: str,
    start: int,
    dtype: np.dtype,
    quote: str | None,
    report: Callable[[float], None] | None,
) -> np.ndarray | None:
    """``text[start:]`` parsed as records of ``dtype`` about CHUNK_CHARS at a time, or None
    if NumPy refuses any of it; ``report`` is told the fraction read (up to 0.95)."""
    parts = []
    pos, n = start, len(text)
    while pos < n:
        end = text.find("\n", min(pos + CHUNK_CHARS, n) - 1)
        end = n if end < 0 else end + 1
        chunk = text[pos:end]
        if not chunk.isspace():  # NumPy warns on a chunk of blank lines
            try:
                parts.append(
                    np.loadtxt(
                        io.StringIO(chunk),
                        delimiter=",",
                        comments=None,
                        quotechar=quote,
                        dtype=dtype,
                        ndmin=1,
                    )
                )
            except (ValueError, TypeError):
                return None
        pos = end
        if report is not None:
            report(0.95 * (pos - start) / (n - start))
    return np.concatenate(parts) if parts else None


def _one_hot(cells: np.ndarray) -> tuple[np.ndarray, list[str]] | None:
    """Text cells (N,) as one-hot rows (N, classes) and the labels in order of first
    appearance, as :func:`label_column` gives them; None if a cell is blank."""
    raw = cells.tolist()
    labels: list[str] = []
    index: dict[str, int] = {}
    code: dict[str, int] = {}
    for cell in dict.fromkeys(raw):  # distinct cells in order of first appearance
        label = cell.strip()
        if not label:
            return None
        if label not in index:
            index[label] = len(labels)
            labels.append(label)
        code[cell] = index[label]
    codes = np.fromiter(map(code.__getitem__, raw), dtype=np.intp, count=len(raw))
    one_hot = np.zeros((len(raw), len(labels)))
    one_hot[np.arange(len(raw)), codes] = 1.0
    return one_hot, labels
