"""What the dataset readers return: labelled texts and numeric time series."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNLABELED = -1  # the label of a text without a class (IMDB's unsup split)


@dataclass
class LabeledTexts:
    """Texts with one class index each.

    ``labels[i]`` indexes ``label_names`` (int64), or is -1 for an unlabelled text;
    ``ratings`` holds per-text scores when the source has them (IMDB's stars), else None;
    ``source`` says where the texts came from (a path).

    >>> data = LabeledTexts(["good", "bad", "fine"], np.array([1, 0, 1]), ["neg", "pos"], "demo")
    >>> len(data), data.counts()
    (3, {'neg': 1, 'pos': 2})
    >>> data.subset([0, 2]).texts
    ['good', 'fine']
    """

    texts: list[str]
    labels: np.ndarray
    label_names: list[str]
    source: str
    ratings: np.ndarray | None = None

    def __post_init__(self):
        self.labels = np.asarray(self.labels, dtype=np.int64).reshape(-1)
        if len(self.labels) != len(self.texts):
            raise ValueError(f"LabeledTexts got {len(self.texts)} texts but {len(self.labels)} "
                             "labels: give one label per text")
        bad = (self.labels < UNLABELED) | (self.labels >= len(self.label_names))
        if bad.any():
            raise ValueError(f"LabeledTexts got label {self.labels[bad][0]} but there are "
                             f"{len(self.label_names)} label_names {self.label_names}: labels "
                             "must index label_names (or be -1 for unlabelled texts)")
        if self.ratings is not None:
            self.ratings = np.asarray(self.ratings)
            if len(self.ratings) != len(self.texts):
                raise ValueError(f"LabeledTexts got {len(self.ratings)} ratings for "
                                 f"{len(self.texts)} texts: give one rating per text or None")

    def __len__(self) -> int:
        return len(self.texts)

    def counts(self) -> dict[str, int]:
        """Texts per class, in label_names order (classes without texts count 0);
        unlabelled texts are counted under ``"unlabeled"`` when there are any."""
        tally = np.bincount(self.labels[self.labels >= 0], minlength=len(self.label_names))
        counts = {name: int(count) for name, count in zip(self.label_names, tally)}
        unlabeled = int(np.sum(self.labels == UNLABELED))
        if unlabeled:
            counts["unlabeled"] = unlabeled
        return counts

    def subset(self, indices) -> LabeledTexts:
        """A new LabeledTexts with the rows at `indices` (integers or a boolean mask)."""
        rows = np.arange(len(self))[np.asarray(indices)]
        ratings = None if self.ratings is None else self.ratings[rows]
        return LabeledTexts([self.texts[i] for i in rows], self.labels[rows],
                            list(self.label_names), self.source, ratings)


@dataclass
class TimeSeries:
    """Numeric columns over time: ``values`` is float64 (rows, columns), ``times`` is
    datetime64[s] (rows,) or None when the file has no date column.

    >>> series = TimeSeries(None, np.array([[1.0, 10.0], [2.0, 20.0]]), ["a", "b"], "demo")
    >>> len(series), series.column("b").tolist(), series.index_of("a")
    (2, [10.0, 20.0], 0)
    """

    times: np.ndarray | None
    values: np.ndarray
    columns: list[str]
    source: str

    def __post_init__(self):
        self.values = np.asarray(self.values, dtype=np.float64)
        if self.values.ndim != 2 or self.values.shape[1] != len(self.columns):
            raise ValueError(f"TimeSeries got values of shape {self.values.shape} for "
                             f"{len(self.columns)} columns {self.columns}: values must be "
                             "(rows, columns)")
        if self.times is not None and len(self.times) != len(self.values):
            raise ValueError(f"TimeSeries got {len(self.times)} times for {len(self.values)} "
                             "rows: give one time per row or None")

    def __len__(self) -> int:
        return len(self.values)

    def index_of(self, name: str) -> int:
        """The position of column `name` among ``columns``."""
        try:
            return self.columns.index(name)
        except ValueError:
            raise ValueError(f"{self.source} has no column {name!r}; its columns are "
                             f"{self.columns}") from None

    def column(self, name_or_index: str | int) -> np.ndarray:
        """One column's values (a view of ``values``), chosen by name or position."""
        if isinstance(name_or_index, str):
            return self.values[:, self.index_of(name_or_index)]
        count = len(self.columns)
        if not -count <= name_or_index < count:
            raise IndexError(f"column index {name_or_index} is out of range: {self.source} "
                             f"has {count} columns {self.columns}")
        return self.values[:, name_or_index]
