"""Numeric time series from CSV files such as the Jena climate record."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import numpy as np

from ._types import TimeSeries
from .tables import column_index, read_rows

_TIME = r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
# The date layouts recognised without a date_format: (pattern, description, field order)
_LAYOUTS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME), "YYYY-MM-DD[ HH:MM[:SS]]", "ymd"),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})" + _TIME), "yyyy/m/d[ H:MM[:SS]]", "ymd"),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})" + _TIME), "dd.mm.yyyy[ HH:MM[:SS]]", "dmy"),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME),
     "m/d/yyyy[ H:MM[:SS]] (US; d/m/yyyy when a first field is above 12)", "mdy"),
)
_MISSING = {"", "nan", "na", "n/a", "null", "none", "#n/a", "-"}
MISSING = ("ffill", "error")
MAX_CATEGORIES = 100
CATEGORICAL = ("onehot", "drop", "error")


def read_series(path, date_column: str | None = None, columns=None,
                date_format: str | None = None, missing: str = "error",
                categorical: str = "error", notes: list | None = None) -> TimeSeries:
    """Read a CSV time series: one optional date column and value columns.

    `date_column` defaults to the first column when its first value is a date in one of
    the common layouts: ISO ``YYYY-MM-DD[ HH:MM[:SS]]`` (also with ``T``), ``yyyy/m/d
    H:MM``, Jena's ``dd.mm.yyyy HH:MM:SS`` and US ``m/d/yyyy [H:MM]`` (read as d/m/yyyy
    when some first field is above 12). Any other layout needs `date_format` (``strptime``
    codes, e.g. ``"%d-%b-%Y"``). Without a date column ``times`` is None. `columns` names
    the value columns to keep, in that order (default: every column but the date column).

    `missing`: ``"error"`` refuses an empty or ``NA``/``NaN``/``null`` cell, naming its
    line; ``"ffill"`` fills it with the value above (cells before a column's first value
    with that first value). `categorical`: a column whose cells are all words (``SE``,
    ``NW``) is refused (``"error"``), one-hot encoded as columns ``name=value`` in sorted
    order (``"onehot"``), or left out (``"drop"``). What was filled or encoded is appended
    to `notes` (a list) as sentences.

    Raises ValueError naming the file, line and column for a value that is not a number in
    a numeric column, a date that does not parse, and for an empty file or an unknown column
    name (listing the columns found).
    """
    if missing not in MISSING:
        raise ValueError(f"read_series: missing={missing!r}; use one of {MISSING}")
    if categorical not in CATEGORICAL:
        raise ValueError(f"read_series: categorical={categorical!r}; use one of {CATEGORICAL}")
    path = Path(path)
    header, rows = read_rows(path)
    if not rows:
        raise ValueError(f"{path} has a header but no rows: there is no series to read")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise ValueError(f"{path} repeats the column names {duplicates}: rename them")
    lines = [line for line, _ in rows]
    cells = list(zip(*(fields for _, fields in rows)))  # one tuple of strings per column
    date_at = _date_index(path, header, cells, date_column, date_format)
    if isinstance(columns, str):
        columns = [columns]
    if columns is None:
        columns = [name for at, name in enumerate(header) if at != date_at]
    notes = [] if notes is None else notes
    names, blocks = [], []
    for name in columns:
        at = column_index(path, header, name, "columns")
        hint = date_column is None and at == 0 and date_at is None
        words = None if categorical == "error" else _categories(cells[at], path, name)
        if words is not None:
            if categorical == "drop":
                notes.append(f"column {name!r} is categorical ({len(words)} values): dropped")
                continue
            names += [f"{name}={word}" for word in words]
            blocks.append(_fill(path, _one_hot(cells[at], words), name, notes))
            notes.append(f"column {name!r} is categorical: one-hot encoded as {len(words)} "
                         f"columns {name}={words[0]} ... {name}={words[-1]}")
            continue
        values = _numbers(path, cells[at], lines, name, hint, missing == "ffill")
        names.append(name)
        blocks.append(_fill(path, values[:, None], name, notes))
    if not blocks:
        raise ValueError(f"{path}: no value columns are left (all were dropped as categorical)")
    times = None
    if date_at is not None:
        times = _dates(path, cells[date_at], lines, header[date_at], date_format)
    return TimeSeries(times, np.concatenate(blocks, axis=1), names, str(path))


def _categories(cells, where, name):
    """The sorted distinct words of a column none of whose known cells is a number, or
    None for a numeric column. A column of more than ``MAX_CATEGORIES`` distinct words, or
    of words that never repeat, is no category (dates in another layout, ids): refused."""
    words, known = set(), 0
    for cell in cells:
        cell = cell.strip()
        if cell.lower() in _MISSING:
            continue
        try:
            float(cell)
            return None
        except ValueError:
            words.add(cell)
            known += 1
    if len(words) > MAX_CATEGORIES or (known > 10 and len(words) == known):
        example = next(iter(cells)).strip()
        raise ValueError(f"{where}: column {name!r} holds {len(words):,} distinct words such "
                         f"as {example!r}, too many for a category: if they are dates, pass "
                         "date_column= and date_format=; else leave the column out (columns=)")
    return sorted(words) if words else None


def _one_hot(cells, words) -> np.ndarray:
    """(rows, len(words)) indicators of each cell's word; NaN rows for missing cells."""
    stripped = [cell.strip() for cell in cells]
    codes = np.searchsorted(words, stripped)
    onehot = (codes[:, None] == np.arange(len(words))).astype(np.float64)
    onehot[[cell.lower() in _MISSING for cell in stripped]] = np.nan
    return onehot


def _fill(path, block, name, notes):
    """Fill NaN cells forward (leading ones from the first value), noting the count."""
    gaps = np.isnan(block[:, 0])
    if not gaps.any():
        return block
    if gaps.all():
        raise ValueError(f"{path}: column {name!r} has no values at all: leave it out")
    index = np.where(~gaps, np.arange(len(block)), 0)
    np.maximum.accumulate(index, out=index)
    first = int(np.argmax(~gaps))
    index[:first] = first
    leading = f" ({first:,} leading ones with the first value)" if first else ""
    notes.append(f"column {name!r}: {int(gaps.sum()):,} missing cells filled with the value "
                 f"above{leading}")
    return block[index]


def _date_index(path, header, cells, date_column, date_format):
    """`date_column`'s position, else the first column whose first cell is a date."""
    if date_column is not None:
        return column_index(path, header, date_column, "date_column")
    for at, column in enumerate(cells):
        first = column[0].strip()
        if date_format is not None:
            try:
                datetime.strptime(first, date_format)
                return at
            except ValueError:
                continue
        if any(pattern.fullmatch(first) for pattern, _, _ in _LAYOUTS):
            return at
    return None


def _numbers(path, cells, lines, name, date_hint, allow_missing=False) -> np.ndarray:
    """The column as float64; missing cells are NaN when `allow_missing`, else refused."""
    try:
        numbers = np.array(cells, dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(numbers))
        if len(bad) == 0:
            return numbers
        start = int(bad[0])
    except ValueError:
        start, numbers = 0, np.empty(len(cells))
    for i in range(start, len(cells)):  # only when something is wrong: find the culprit
        where, cell = f"{path} line {lines[i]}, column {name!r}", cells[i]
        if cell.strip().lower() in _MISSING:
            if allow_missing:
                numbers[i] = np.nan
                continue
            raise ValueError(f"{where}: missing value ({cell!r}); fill the gaps (e.g. with the "
                             "previous value: missing='ffill', --missing ffill) or drop the "
                             "rows first")
        try:
            number = float(cell)
        except ValueError:
            fix = (f"; if it holds dates, pass date_column={name!r} and date_format="
                   if date_hint else "; pass columns= with the numeric columns only, or "
                   "categorical='onehot' or 'drop' for a column of words")
            raise ValueError(f"{where}: {cell!r} is not a number{fix}") from None
        if not np.isfinite(number):
            raise ValueError(f"{where}: {cell!r} is not a finite number; replace or drop it")
        numbers[i] = number
    return numbers


def _dates(path, cells, lines, name, date_format) -> np.ndarray:
    """datetime64[s] of each cell; the layout is `date_format`, or the one the first cell
    matches, every cell rewritten as an ISO string for NumPy to parse (and check)."""
    if date_format is not None:
        layout = date_format

        def parse(cell):
            return datetime.strptime(cell.strip(), date_format).isoformat()
    else:
        found = next((entry for entry in _LAYOUTS if entry[0].fullmatch(cells[0].strip())),
                     None)
        if found is None:
            raise ValueError(f"{path} line {lines[0]}, column {name!r}: {cells[0]!r} is not a "
                             f"date in a layout recognised without date_format "
                             f"({'; '.join(layout for _, layout, _ in _LAYOUTS)}): pass "
                             "date_format= (strptime codes such as '%d-%b-%Y %H:%M')")
        pattern, layout, order = found
        if order == "mdy" and _day_first(pattern, cells):
            order, layout = "dmy", "d/m/yyyy[ H:MM[:SS]] (a first field is above 12)"
        parse = _to_iso(pattern, order)
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


def _day_first(pattern, cells) -> bool:
    """Whether a slash-separated column is d/m/yyyy: some first field is above 12."""
    for cell in cells:
        match = pattern.fullmatch(cell.strip())
        if match and int(match.group(1)) > 12:
            return True
    return False


def _to_iso(pattern, order):
    """A function from a cell in `pattern` (fields in `order`) to an ISO string."""
    where = {key: order.index(key) + 1 for key in "ymd"}

    def parse(cell):
        match = pattern.fullmatch(cell.strip())
        if match is None:
            raise ValueError("the layout differs from the first row's")
        groups = match.groups()
        year, month, day = (groups[where[key] - 1] for key in "ymd")
        hour, minute, second = groups[3:]
        text = f"{year}-{int(month):02d}-{int(day):02d}"
        if hour is not None:
            text += f"T{int(hour):02d}:{minute}:{second or '00'}"
        return text
    return parse


def series_from_dataframe(frame, date_column: str | None = None, columns=None,
                          missing: str = "error", categorical: str = "error",
                          notes: list | None = None, source: str = "<DataFrame>") -> TimeSeries:
    """A pandas DataFrame as a TimeSeries, by the rules of ``read_series``: the dates from a
    DatetimeIndex, `date_column`, or a first column of datetimes; numeric columns as they
    are; columns of words refused, one-hot encoded or dropped (`categorical`); missing
    cells refused or filled forward (`missing`). pandas itself is not imported here."""
    if missing not in MISSING:
        raise ValueError(f"series_from_dataframe: missing={missing!r}; use one of {MISSING}")
    if categorical not in CATEGORICAL:
        raise ValueError(f"series_from_dataframe: categorical={categorical!r}; use one of "
                         f"{CATEGORICAL}")
    header = [str(name) for name in frame.columns]
    by_name = dict(zip(header, frame.columns))
    if len(frame) == 0:
        raise ValueError(f"{source} has no rows: there is no series to read")
    times, date_name = None, None
    if date_column is not None:
        column_index(source, header, date_column, "date_column")
        date_name = date_column
    elif getattr(frame.index.dtype, "kind", "") == "M":
        times = np.asarray(frame.index.to_numpy(), dtype="datetime64[s]")
    elif header and getattr(frame[by_name[header[0]]].dtype, "kind", "") == "M":
        date_name = header[0]
    if date_name is not None:
        times = np.asarray(frame[by_name[date_name]].to_numpy(), dtype="datetime64[s]")
        if np.isnat(times).any():
            row = int(np.flatnonzero(np.isnat(times))[0])
            raise ValueError(f"{source}: column {date_name!r} row {row}: missing date")
    columns = [name for name in header if name != date_name] if columns is None else (
        [columns] if isinstance(columns, str) else list(columns))
    notes = [] if notes is None else notes
    names, blocks = [], []
    for name in columns:
        column_index(source, header, name, "columns")
        data = frame[by_name[name]]
        if getattr(data.dtype, "kind", "O") in "biuf":
            values = data.to_numpy(dtype=np.float64, na_value=np.nan)
            if missing == "error" and np.isnan(values).any():
                row = int(np.flatnonzero(np.isnan(values))[0])
                raise ValueError(f"{source} row {row}, column {name!r}: missing value; fill "
                                 "the gaps (missing='ffill') or drop the rows first")
            names.append(name)
            blocks.append(_fill(source, values[:, None], name, notes))
            continue
        cells = ["" if value is None or value != value else str(value) for value in data]
        words = _categories(cells, source, name)
        if words is None or categorical == "error":
            what = "mixes numbers and words" if words is None else "holds words"
            raise ValueError(f"{source}: column {name!r} {what} (dtype {data.dtype}): convert it "
                             "to numbers, or pass categorical='onehot' or 'drop' (columns of "
                             "words only)")
        if categorical == "drop":
            notes.append(f"column {name!r} is categorical ({len(words)} values): dropped")
            continue
        names += [f"{name}={word}" for word in words]
        blocks.append(_fill(source, _one_hot(cells, words), name, notes))
        notes.append(f"column {name!r} is categorical: one-hot encoded as {len(words)} columns")
    if not blocks:
        raise ValueError(f"{source}: no value columns are left")
    return TimeSeries(times, np.concatenate(blocks, axis=1), names, source)
