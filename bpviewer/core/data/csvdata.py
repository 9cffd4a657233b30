"""Reading data sets from CSV files, with errors that name the line and the column."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bpviewer.core.errors import DataError


@dataclass(frozen=True)
class Table:
    """A CSV file's header and rows of text cells."""

    path: Path
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells)


def read_table(path: str | Path) -> Table:
    """Read a CSV with a header row; refuse empty files and rows of the wrong width."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{p}: cannot be read ({exc})") from None
    reader = csv.reader(text.splitlines())
    lines = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
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


def load_csv(path: str | Path, targets: list[str], inputs: list[str] | None = None) -> CsvData:
    """Read inputs and targets from a CSV file with a header row.

    ``targets`` names the target columns; ``inputs`` the input columns (default: every other
    column).  A single non-numeric target column is read as class labels, one-hot encoded.
    """
    table = read_table(path)
    if not targets:
        raise DataError(f"{table.path}: no target column given")
    for name in targets:
        _column_index(table, name)
    input_names = inputs if inputs is not None else [h for h in table.header if h not in targets]
    if not input_names:
        raise DataError(f"{table.path}: no input columns left besides the targets")
    x = np.column_stack([numeric_column(table, name) for name in input_names])
    labels = None
    if len(targets) == 1 and not is_numeric_column(table, targets[0]):
        t, labels = label_column(table, targets[0])
        target_names = [f"{targets[0]}={label}" for label in labels]
    else:
        t = np.column_stack([numeric_column(table, name) for name in targets])
        target_names = list(targets)
    return CsvData(x, t, list(input_names), target_names, labels)
