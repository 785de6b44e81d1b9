"""Numeric time series from CSV files such as the Jena climate record."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import numpy as np

from ._types import TimeSeries
from .tables import column_index, read_rows

# The date layouts recognised without a date_format, as (pattern, description).
_JENA = re.compile(r"(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?")
_LAYOUTS = ((_JENA, "dd.mm.yyyy HH:MM[:SS]"), (_ISO, "YYYY-MM-DD[ HH:MM[:SS]]"))
_MISSING = {"", "nan", "na", "n/a", "null", "none"}


def read_series(path, date_column: str | None = None, columns=None,
                date_format: str | None = None) -> TimeSeries:
    """Read a CSV time series: one optional date column and numeric value columns.

    `date_column` defaults to the first column when its first value is a date: Jena's
    ``dd.mm.yyyy HH:MM:SS`` (``01.01.2009 00:10:00``) and ISO ``YYYY-MM-DD[ HH:MM[:SS]]``
    are recognised as they are, any other layout needs `date_format` (``strptime`` codes,
    e.g. ``"%m/%d/%Y %H:%M"``). Without a date column ``times`` is None. `columns` names the
    value columns to keep, in that order (default: every column but the date column).

    Raises ValueError naming the file, line and column for a value that is not a number, a
    missing value (empty or NaN), a date that does not parse, and for an empty file or an
    unknown column name (listing the columns found).
    """
    path = Path(path)
    header, rows = read_rows(path)
    if not rows:
        raise ValueError(f"{path} has a header but no rows: there is no series to read")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise ValueError(f"{path} repeats the column names {duplicates}: rename them")
    lines = [line for line, _ in rows]
    cells = list(zip(*(fields for _, fields in rows)))  # one tuple of strings per column
    date_at = _date_index(path, header, cells[0], date_column, date_format)
    if isinstance(columns, str):
        columns = [columns]
    if columns is None:
        columns = [name for at, name in enumerate(header) if at != date_at]
    values = np.empty((len(rows), len(columns)))
    for j, name in enumerate(columns):
        at = column_index(path, header, name, "columns")
        hint = date_column is None and at == 0 and date_at is None
        values[:, j] = _numbers(path, cells[at], lines, name, hint)
    times = None
    if date_at is not None:
        times = _dates(path, cells[date_at], lines, header[date_at], date_format)
    return TimeSeries(times, values, list(columns), str(path))


def _date_index(path, header, first_column, date_column, date_format):
    if date_column is not None:
        return column_index(path, header, date_column, "date_column")
    first = first_column[0].strip()
    if date_format is not None:
        try:
            datetime.strptime(first, date_format)
            return 0
        except ValueError:
            return None
    return 0 if any(pattern.fullmatch(first) for pattern, _ in _LAYOUTS) else None


def _numbers(path, cells, lines, name, date_hint) -> np.ndarray:
    try:
        numbers = np.array(cells, dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(numbers))
        if len(bad) == 0:
            return numbers
        start = int(bad[0])
    except ValueError:
        start = 0
    for i in range(start, len(cells)):  # only when something is wrong: find the culprit
        where, cell = f"{path} line {lines[i]}, column {name!r}", cells[i]
        if cell.strip().lower() in _MISSING:
            raise ValueError(f"{where}: missing value ({cell!r}); fill the gaps (e.g. with the "
                             "previous value or by interpolation) or drop the rows first")
        try:
            number = float(cell)
        except ValueError:
            fix = (f"; if it holds dates, pass date_column={name!r} and date_format="
                   if date_hint else "; pass columns= with the numeric columns only")
            raise ValueError(f"{where}: {cell!r} is not a number{fix}") from None
        if not np.isfinite(number):
            raise ValueError(f"{where}: {cell!r} is not a finite number; replace or drop it")
    raise AssertionError("unreachable: NumPy refused a column that float() accepts")


def _dates(path, cells, lines, name, date_format) -> np.ndarray:
    """datetime64[s] of each cell; the layout is `date_format`, or the one the first cell
    matches; the Jena and ISO layouts are rewritten as ISO strings for NumPy to parse."""
    if date_format is not None:
        layout, parse = date_format, lambda cell: datetime.strptime(cell.strip(), date_format)
    else:
        pattern, layout = next(((pattern, layout) for pattern, layout in _LAYOUTS
                                if pattern.fullmatch(cells[0].strip())), (None, None))
        if pattern is None:
            raise ValueError(f"{path} line {lines[0]}, column {name!r}: {cells[0]!r} is not a "
                             f"date in a layout recognised without date_format "
                             f"({', '.join(layout for _, layout in _LAYOUTS)}): pass "
                             "date_format= (strptime codes such as '%m/%d/%Y %H:%M')")
        parse = _jena_to_iso if pattern is _JENA else _iso
    try:
        return np.array([parse(cell) for cell in cells], dtype="datetime64[s]")
    except ValueError:
        pass
    for i, cell in enumerate(cells):  # find the culprit only when something is wrong
        try:
            np.datetime64(parse(cell), "s")
        except ValueError as error:
            what = "missing date" if not cell.strip() else f"{cell!r} is not a date"
            raise ValueError(f"{path} line {lines[i]}, column {name!r}: {what} in the layout "
                             f"{layout} ({error}); fix the row or pass date_format=") from None
    raise AssertionError("unreachable: every date parsed one by one")


def _jena_to_iso(cell: str) -> str:
    match = _JENA.fullmatch(cell.strip())
    if match is None:
        raise ValueError("the layout differs from the first row's")
    day, month, year, hour, minute, second = match.groups()
    return f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}"


def _iso(cell: str) -> str:
    cell = cell.strip()
    if _ISO.fullmatch(cell) is None:
        raise ValueError("the layout differs from the first row's")
    return cell
