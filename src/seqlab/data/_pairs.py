"""Paired texts for sequence-to-sequence models: generated tasks and TSV files.

``TextPairs`` holds ``sources[i] -> targets[i]``. ``generated_pairs(task, n, seed)`` makes
one of the built-in tasks (``PAIR_TASKS``), seeded and repeatable, every source distinct
(so that a held-out source was never seen in training):

* ``dates``: a date written in one of 12 human styles -> its ISO form::

      "Friday, March 3, 2017"  -> "2017-03-03"
      "3rd of mar 2017"        -> "2017-03-03"
      "3/14/1987" (US order)   -> "1987-03-14"

* ``reverse``: a string of 1 to 12 digits -> the same digits backwards
  (``"40713" -> "31704"``);
* ``addition``: two numbers of 1 to 3 digits -> their sum (``"58+731" -> "789"``), the
  Keras ``addition_rnn`` example.

``read_pairs(path)`` reads ``source<TAB>target`` lines (UTF-8; further tab-separated
columns, such as the attribution column of the manythings.org/Tatoeba files, are
ignored; blank lines are skipped). Nothing here imports torch.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._lines import text_lines


@dataclass
class TextPairs:
    """Source texts and their targets, with where they came from.

    >>> pairs = TextPairs(["3 May 2001", "May 4, 2001"], ["2001-05-03", "2001-05-04"], "demo")
    >>> len(pairs), pairs.subset([1]).targets
    (2, ['2001-05-04'])
    """

    sources: list[str]
    targets: list[str]
    source: str

    def __post_init__(self):
        if len(self.sources) != len(self.targets):
            raise ValueError(f"TextPairs got {len(self.sources)} sources but "
                             f"{len(self.targets)} targets: give one target per source")

    def __len__(self) -> int:
        return len(self.sources)

    def subset(self, indices) -> "TextPairs":
        indices = [int(i) for i in indices]
        return TextPairs([self.sources[i] for i in indices], [self.targets[i] for i in indices],
                         self.source)


# ------------------------------------------------------------------- generated tasks

_FIRST_YEAR, _LAST_YEAR = 1900, 2099
# English names, written out (calendar.month_name follows the process's locale)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


# Each style writes a date; the target is always ISO 8601 (yyyy-mm-dd).
_DATE_STYLES = (
    lambda d: f"{d.day} {_MONTHS[d.month - 1]} {d.year}",                  # 3 March 2017
    lambda d: f"{_MONTHS[d.month - 1]} {d.day}, {d.year}",                 # March 3, 2017
    lambda d: f"{_MONTHS[d.month - 1][:3]} {d.day}, {d.year}",             # Mar 3, 2017
    lambda d: f"{d.day} {_MONTHS[d.month - 1][:3].lower()} {d.year}",      # 3 mar 2017
    lambda d: f"{d.month}/{d.day}/{d.year}",                               # 3/3/2017 (US)
    lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",                       # 03.03.2017
    lambda d: f"{_DAYS[d.weekday()]}, {_MONTHS[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{_DAYS[d.weekday()][:3].lower()} {d.day} {_MONTHS[d.month - 1][:3].lower()} "
              f"{d.year}",                                                 # fri 3 mar 2017
    lambda d: f"{_ordinal(d.day)} of {_MONTHS[d.month - 1]} {d.year}",     # 3rd of March 2017
    lambda d: f"{_ordinal(d.day)} {_MONTHS[d.month - 1][:3].lower()} {d.year}",  # 3rd mar 2017
    lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",                       # 2017/03/03
    lambda d: f"{d.year}{d.month:02d}{d.day:02d}",                         # 20170303
)


def _date_pair(rng):
    first = datetime.date(_FIRST_YEAR, 1, 1).toordinal()
    last = datetime.date(_LAST_YEAR, 12, 31).toordinal()
    day = datetime.date.fromordinal(int(rng.integers(first, last + 1)))
    style = _DATE_STYLES[int(rng.integers(len(_DATE_STYLES)))]
    return style(day), day.isoformat()


def _reverse_pair(rng, longest=12):
    digits = "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(1, longest + 1))))
    return digits, digits[::-1]


def _addition_pair(rng, digits=3):
    a, b = (int(rng.integers(0, 10 ** int(rng.integers(1, digits + 1)))) for _ in range(2))
    return f"{a}+{b}", str(a + b)


PAIR_TASKS = {
    "dates": (_date_pair, "dates in 12 human styles -> ISO yyyy-mm-dd"),
    "reverse": (_reverse_pair, "1-12 digits -> the digits reversed"),
    "addition": (_addition_pair, "a+b with 1-3 digit numbers -> the sum"),
}


def generated_pairs(task: str, n: int, seed: int = 0) -> TextPairs:
    """`n` pairs of a built-in task (see the module docstring), each source distinct.

    The same `task`, `n` and `seed` give the same pairs, in the same order.
    """
    if task not in PAIR_TASKS:
        raise ValueError(f"unknown generated task {task!r}; the tasks are: "
                         f"{', '.join(PAIR_TASKS)}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"generated_pairs needs n >= 1 pairs, got n={n!r}")
    make, description = PAIR_TASKS[task]
    rng = np.random.default_rng(seed)
    pairs: dict[str, str] = {}  # source -> target, in first-drawn order
    attempts = 0
    while len(pairs) < n:
        attempts += 1
        if attempts > 20 * n + 1000:  # the task has fewer distinct sources than asked for
            raise ValueError(f"the {task!r} task has only about {len(pairs):,} distinct "
                             f"sources; ask for fewer than n={n:,} pairs")
        source, target = make(rng)
        pairs.setdefault(source, target)
    return TextPairs(list(pairs), list(pairs.values()), f"generated {task} ({description})")


# ------------------------------------------------------------------------- TSV files

def read_pairs(path) -> TextPairs:
    """``source<TAB>target`` pairs from a UTF-8 text file, one pair per line.

    Columns after the second are ignored and blank lines skipped; a leading byte-order
    mark is dropped. Raises FileNotFoundError for a missing file and ValueError naming
    the file and line for a line without a tab, an empty source or target, invalid
    UTF-8, and a file with no pairs.
    """
    path = Path(path)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"{path} {what}: pass a file of source<TAB>target lines or "
                                f"a generated task ({', '.join(PAIR_TASKS)})")
    sources, targets = [], []
    with open(path, "rb") as file:
        for number, line in enumerate(text_lines(file, str(path)), start=1):
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) < 2:
                raise ValueError(f"{path} line {number}: expected source<TAB>target, found no "
                                 f"tab in {_shown(line)}")
            source, target = fields[0].strip(), fields[1].strip()
            if not source or not target:
                side = "source" if not source else "target"
                raise ValueError(f"{path} line {number}: the {side} is empty in {_shown(line)}")
            sources.append(source)
            targets.append(target)
    if not sources:
        raise ValueError(f"{path} holds no pairs: expected lines of source<TAB>target")
    return TextPairs(sources, targets, str(path))


def _shown(line: str, width: int = 60) -> str:
    return repr(line if len(line) <= width else line[:width] + "...")
