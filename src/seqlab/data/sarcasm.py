"""The News Headlines Dataset for Sarcasm Detection (Misra), as JSON lines or a JSON array."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ._types import LabeledTexts
from .tables import read_utf8

LABEL_NAMES = ["not sarcastic", "sarcastic"]


def load_sarcasm(path) -> LabeledTexts:
    """Read the sarcasm headlines: label 1 ("sarcastic") when ``is_sarcastic`` is 1.

    Accepts the published JSON-lines file (``Sarcasm_Headlines_Dataset.json``, one record
    per line, CRLF or LF line ends) and the single JSON array of the same records used in
    the TensorFlow course (``sarcasm.json``); the form is told from the first character.
    Each record needs ``headline`` and ``is_sarcastic`` (0 or 1); ``article_link`` is not
    read. Texts keep the file's order. A malformed record raises a ValueError naming its
    line (JSON lines) or its index (array).
    """
    path = Path(path)
    text = read_utf8(path)
    start = text.lstrip()[0]
    if start == "[":
        records = _array_records(path, text)
    elif start == "{":
        records = _line_records(path, text)
    else:
        raise ValueError(f"{path} starts with {start!r}: expected the sarcasm headlines as "
                         "JSON lines ('{' first) or one JSON array ('[' first)")
    texts, labels = [], []
    for where, record in records:
        headline, label = _checked(path, where, record)
        texts.append(headline)
        labels.append(label)
    return LabeledTexts(texts, np.array(labels, dtype=np.int64), list(LABEL_NAMES), str(path))


def _line_records(path, text):
    for line, raw in enumerate(text.split("\n"), start=1):
        if raw.strip():
            try:
                yield f"line {line}", json.loads(raw)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path} line {line}: not valid JSON ({error.msg} at column "
                                 f"{error.colno}); fix or remove the record") from None


def _array_records(path, text):
    try:
        records = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} line {error.lineno}, column {error.colno}: not valid JSON "
                         f"({error.msg})") from None
    if not isinstance(records, list):
        raise ValueError(f"{path} holds a JSON {type(records).__name__}, not an array of "
                         "headline records")
    return ((f"index {index}", record) for index, record in enumerate(records))


def _checked(path, where, record):
    if not isinstance(record, dict):
        raise ValueError(f"{path} {where}: expected a record with 'headline' and "
                         f"'is_sarcastic', got {record!r:.80}")
    missing = [key for key in ("headline", "is_sarcastic") if key not in record]
    if missing:
        raise ValueError(f"{path} {where}: the record has no {missing} (its keys are "
                         f"{sorted(record)}); is this the sarcasm headlines dataset?")
    headline, label = record["headline"], record["is_sarcastic"]
    if not isinstance(headline, str):
        raise ValueError(f"{path} {where}: headline is {headline!r}, not a string")
    if label not in (0, 1) or isinstance(label, float):
        raise ValueError(f"{path} {where}: is_sarcastic is {label!r}; expected 0 or 1")
    return headline, int(label)
