"""Labelled texts from CSV, TSV and JSON-lines files (UTF-8, any language).

Also the two helpers the other table readers share: `read_utf8` (a whole file, with the
line of any invalid byte) and `read_rows` (a delimited file's header and rows with their
line numbers, every row checked against the header's width).
"""
from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from pathlib import Path

import numpy as np

from .._files import read_text
from ._types import LabeledTexts

FORMATS = ("csv", "tsv", "jsonl")
_EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl",
               ".ndjson": "jsonl"}
_INTEGER = re.compile(r"[+-]?\d+")
logger = logging.getLogger("seqlab")


def read_labeled(path, text_column: str = "text", label_column: str = "label",
                 format: str | None = None, delimiter: str | None = None) -> LabeledTexts:
    """Read texts and their labels from a CSV, TSV or JSON-lines file.

    The format comes from the extension (.csv; .tsv or .tab; .jsonl or .ndjson) unless
    `format` is given. CSV and TSV files start with a header row naming the columns; CSV
    fields may be quoted (RFC 4180), TSV fields never are (IANA text/tab-separated-values),
    so a tab-separated file with quoted fields is read with ``format="csv", delimiter="\\t"``.
    `delimiter` overrides the separator (``","`` for CSV, a tab for TSV). JSON lines hold one
    object per line with the text and label as keys.

    Labels become class indices in the order of the sorted distinct label strings, numeric
    order when every label is an integer (so labels 0/1 stay 0/1, and 2 comes before 10);
    ``label_names`` are those strings. When every label is a number, spellings of the same
    number ("1", "01", "+1", "1.0") are one class, named "1" (a warning says which
    spellings were merged), as a spreadsheet or pandas would read them. A file with a single class is read as it is:
    ``counts()`` shows it.

    Raises ValueError naming the file and line for an unknown column, a row whose text or
    label is missing, a row with the wrong number of fields, invalid JSON or UTF-8, and an
    empty file.
    """
    path = Path(path)
    kind = _format_of(path, format, delimiter)
    if kind == "jsonl":
        records = _jsonl_records(path, text_column, label_column)
    else:
        records = _table_records(path, kind, delimiter, text_column, label_column)
    if not records:
        raise ValueError(f"{path} has a header but no rows: it holds no texts to read")
    texts = [text for _, text, _ in records]
    spelled = _numeric_names({label for _, _, label in records}, path)
    names = _sorted_labels(set(spelled.values()))
    index = {name: i for i, name in enumerate(names)}
    labels = np.fromiter((index[spelled[label]] for _, _, label in records), np.int64,
                         len(records))
    return LabeledTexts(texts, labels, names, str(path))


def _numeric_names(labels: set[str], path) -> dict:
    """``{label: class name}``: when every label is a number, labels spelling the same
    number ("1", "01", "+1", "1.0") are one class named by its plain spelling ("1");
    otherwise every label is its own name."""
    values = {}
    for label in labels:
        try:
            value = float(label)
        except ValueError:
            return {label: label for label in labels}
        if not math.isfinite(value):
            return {label: label for label in labels}
        values[label] = str(int(value)) if value.is_integer() else repr(value)
    merged = {}
    for label, name in values.items():
        merged.setdefault(name, []).append(label)
    for name, spellings in merged.items():
        if len(spellings) > 1:
            logger.warning("%s: the labels %s are the same number, so one class %r",
                           path, ", ".join(map(repr, sorted(spellings))), name)
    return values


def read_utf8(path) -> str:
    """The whole of a UTF-8 file as text, without a leading byte-order mark.

    Raises FileNotFoundError for a missing file and ValueError for invalid UTF-8 (with its
    line) or a file holding nothing but whitespace.
    """
    path = Path(path)
    text = read_text(path, "data")
    if not text.strip():
        raise ValueError(f"{path} is empty: expected a header row and data rows")
    return text


def read_rows(path, delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL):
    """The header (names stripped of surrounding spaces) and the rows of a delimited file,
    each row as ``(line_number, fields)``; blank lines are skipped. A row whose number of
    fields differs from the header's raises a ValueError naming its line."""
    path = Path(path)
    text = read_utf8(path)
    # csv's default limit (128 KiB per field) would refuse a long review; the whole file is
    # in memory already, so no field can be larger than it.
    csv.field_size_limit(max(csv.field_size_limit(), min(len(text) + 1, 2 ** 31 - 1)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        quoting=quoting, strict=quoting != csv.QUOTE_NONE)
    header, rows, previous = None, [], 0
    try:
        for fields in reader:
            line, previous = previous + 1, reader.line_num
            if not fields:
                continue
            if header is None:
                header = [name.strip() for name in fields]
            elif len(fields) != len(header):
                raise ValueError(_width_error(path, line, fields, header, delimiter))
            else:
                rows.append((line, fields))
    except csv.Error as error:
        raise ValueError(f"{path} line {reader.line_num}: {error}; check the quoting") from None
    return header, rows


def column_index(path, header: list[str], name: str, argument: str) -> int:
    """The position of column `name` in `header`, or a ValueError listing the columns."""
    if name not in header:
        raise ValueError(f"{path} has no column {name!r} (the {argument}); its columns are "
                         f"{header}: pass {argument}= one of these")
    return header.index(name)


def _width_error(path, line, fields, header, delimiter) -> str:
    separator = "a tab" if delimiter == "\t" else repr(delimiter)
    return (f"{path} line {line}: {len(fields)} fields but the header has {len(header)} "
            f"{header}; a field that contains {separator} must be quoted, or the row is "
            "missing a field")


def _format_of(path: Path, format, delimiter) -> str:
    if format is None:
        format = _EXTENSIONS.get(path.suffix.lower())
        if format is None:
            raise ValueError(f"cannot tell the format of {path} from its extension "
                             f"{path.suffix!r}: pass format='csv', 'tsv' or 'jsonl'")
    elif format not in FORMATS:
        raise ValueError(f"read_labeled got format={format!r}: use 'csv', 'tsv' or 'jsonl'")
    if delimiter is not None and (format == "jsonl" or len(delimiter) != 1):
        raise ValueError(f"read_labeled got delimiter={delimiter!r} for a {format} file: a "
                         "delimiter is one character, for CSV or TSV files only")
    return format


def _table_records(path, kind, delimiter, text_column, label_column):
    if delimiter is None:
        delimiter = "\t" if kind == "tsv" else ","
    quoting = csv.QUOTE_NONE if kind == "tsv" else csv.QUOTE_MINIMAL
    header, rows = read_rows(path, delimiter, quoting)
    text_at = column_index(path, header, text_column, "text_column")
    label_at = column_index(path, header, label_column, "label_column")
    records = []
    for line, fields in rows:
        text, label = fields[text_at], fields[label_at].strip()
        _require(path, line, text, text_column, "text")
        _require(path, line, label, label_column, "label")
        records.append((line, text, label))
    return records


def _jsonl_records(path, text_column, label_column):
    records = []
    for line, raw in enumerate(read_utf8(path).split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path} line {line}: not valid JSON ({error.msg} at column "
                             f"{error.colno}); write one JSON object per line") from None
        if not isinstance(record, dict):
            raise ValueError(f"{path} line {line}: expected a JSON object with keys "
                             f"{text_column!r} and {label_column!r}, got {raw.strip()[:60]!r}")
        text = _field(path, line, record, text_column, "text_column")
        label = _field(path, line, record, label_column, "label_column")
        if not isinstance(text, str):
            raise ValueError(f"{path} line {line}: the text ({text_column!r}) is {text!r}, "
                             "not a string")
        if isinstance(label, (dict, list, float)):
            raise ValueError(f"{path} line {line}: the label ({label_column!r}) is {label!r}; "
                             "labels are strings or integers")
        label = label.strip() if isinstance(label, str) else json.dumps(label)
        _require(path, line, text, text_column, "text")
        _require(path, line, label, label_column, "label")
        records.append((line, text, label))
    return records


def _field(path, line, record, key, argument):
    if key not in record or record[key] is None:
        raise ValueError(f"{path} line {line}: the record has no {key!r} (the {argument}); "
                         f"its keys are {sorted(record)}: pass {argument}= one of them "
                         "or fill it in")
    return record[key]


def _require(path, line, value: str, column: str, what: str) -> None:
    if not value.strip():
        raise ValueError(f"{path} line {line}: the {what} (column {column!r}) is missing; "
                         "fill it in or remove the row")


def _sorted_labels(labels: set[str]) -> list[str]:
    if all(_INTEGER.fullmatch(label) for label in labels):
        return sorted(labels, key=lambda label: (int(label), label))
    try:
        return sorted(labels, key=lambda label: (float(label), label))
    except ValueError:
        pass
    return sorted(labels)
