"""Evaluating word vectors on the standard benchmark files.

* :func:`evaluate_analogies`: the Google analogy questions (``questions-words.txt``,
  Mikolov et al. 2013), scored as word2vec's ``compute-accuracy`` and gensim's
  ``evaluate_word_analogies`` do.
* :func:`evaluate_word_pairs`: correlation with human similarity judgements
  (WordSim-353, SimLex-999), as gensim's ``evaluate_word_pairs``.

Both take the vectors first and are also methods of ``KeyedVectors``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import NamedTuple, Optional

import numpy as np
from scipy import stats

from .._files import text_lines
from ._keyed import COSMUL_EPSILON, KeyedVectors, check_restrict_vocab

logger = logging.getLogger("seqlab")

ANALOGY_METHODS = ("add", "mul")
# Scores held at once while answering analogies, questions x candidate words: 128 MB of
# float32 (twice that for 3CosMul). Large chunks keep the matrix products fast; 1000
# questions is as fast as more.
SCORES_PER_CHUNK = 1 << 25
QUESTIONS_PER_CHUNK = 1000


# ---------------------------------------------------------------------- analogies

@dataclass(frozen=True)
class AnalogySection:
    """The questions of one ``: section`` of the file (or of all of them, the total)."""
    name: str
    correct: int
    incorrect: int
    skipped: int  # a word outside the restricted vocabulary

    @property
    def answered(self) -> int:
        return self.correct + self.incorrect

    @property
    def questions(self) -> int:
        return self.answered + self.skipped

    @property
    def accuracy(self) -> Optional[float]:
        """correct / answered, or None when no question could be answered."""
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True)
class AnalogyResult:
    """``sections`` in file order, then a last one named "Total accuracy" (as gensim)."""
    sections: list

    @property
    def total(self) -> AnalogySection:
        return self.sections[-1]

    @property
    def accuracy(self) -> Optional[float]:
        """Over the answered questions only; None if none was."""
        return self.total.accuracy

    @property
    def questions(self) -> int:
        return self.total.questions

    @property
    def answered(self) -> int:
        return self.total.answered

    @property
    def skipped(self) -> int:
        return self.total.skipped

    @property
    def oov_ratio(self) -> float:
        """Percentage (0-100, as gensim reports it) of the questions skipped for a word
        outside the restricted vocabulary."""
        return 100.0 * self.skipped / self.questions


def evaluate_analogies(vectors: KeyedVectors, path, restrict_vocab=300000,
                       case_insensitive=True, method="add") -> AnalogyResult:
    """Accuracy on analogy questions "a is to b as c is to d" (``questions-words.txt``).

    The file has ``: section-name`` lines, each followed by questions ``a b c d``.
    Only the first `restrict_vocab` words of `vectors` (the most frequent) take part: a
    question with any of its four words outside them is skipped and counted in
    ``oov_ratio``. The answer is the best word among them other than a, b and c:

    * ``method="add"`` (3CosAdd): ``argmax_d cos(d, b̂ - â + ĉ)`` on unit vectors;
    * ``method="mul"`` (3CosMul): ``argmax_d s(d,b) s(d,c) / (s(d,a) + 1e-6)`` with
      ``s(x,y) = (1 + cos(x,y)) / 2``;

    and the question is correct when that word is d. With `case_insensitive` (the
    default, as word2vec and gensim) the questions and the vocabulary are compared
    upper-cased; when vocabulary words differ only by case, the most frequent stands for
    them all, and none of them can answer a question it appears in.

    A malformed line (not 4 words, or a question before the first section) raises a
    ValueError naming the file and line, where gensim logs and skips it.
    """
    if method not in ANALOGY_METHODS:
        raise ValueError(f"method must be 'add' (3CosAdd) or 'mul' (3CosMul), got {method!r}")
    vocabulary = _restricted_vocabulary(vectors, restrict_vocab, case_insensitive)
    fold = str.upper if case_insensitive else str
    names, rows, section_of, skipped = _look_up_questions(_read_analogy_sections(path),
                                                          vocabulary, fold)
    right = _answer_analogies(vectors, restrict_vocab, vocabulary, rows, fold, method)
    correct = np.bincount(section_of[right], minlength=len(names))
    answered = np.bincount(section_of, minlength=len(names))
    sections = [AnalogySection(name, int(c), int(a - c), s)
                for name, c, a, s in zip(names, correct, answered, skipped)]
    sections.append(AnalogySection("Total accuracy", sum(s.correct for s in sections),
                                   sum(s.incorrect for s in sections), sum(skipped)))
    result = AnalogyResult(sections)
    _log_analogies(path, result)
    return result


def _read_analogy_sections(path) -> list:
    """``[(section name, [(a, b, c, d), ...]), ...]`` in file order."""
    sections = []
    for number, line in enumerate(text_lines(path), start=1):
        text = line.strip()
        if not text:
            continue
        if text.startswith(":"):
            if not text[1:].strip():
                raise ValueError(f"{path} line {number}: a section line needs a name "
                                 "(': name')")
            sections.append((text[1:].strip(), []))
            continue
        words = text.split()
        if len(words) != 4:
            raise ValueError(f"{path} line {number}: expected a question of 4 words "
                             f"'a b c d', got {text[:80]!r}")
        if not sections:
            raise ValueError(f"{path} line {number}: a question before the first "
                             "': section' line")
        sections[-1][1].append(tuple(words))
    if not any(questions for _, questions in sections):
        raise ValueError(f"{path} holds no analogy questions")
    return sections


def _look_up_questions(sections, vocabulary, fold):
    """The section names, the rows (a, b, c, d) of the answerable questions with the
    section of each, and the number of questions skipped in each section."""
    names, rows, section_of, skipped = [], [], [], []
    for number, (name, questions) in enumerate(sections):
        names.append(name)
        skipped.append(0)
        for question in questions:
            found = [vocabulary.get(fold(word)) for word in question]
            if None in found:
                skipped[-1] += 1
            else:
                rows.append(found)
                section_of.append(number)
    return (names, np.array(rows, dtype=np.intp).reshape(-1, 4),
            np.array(section_of, dtype=np.intp), skipped)


def _answer_analogies(vectors, restrict_vocab, vocabulary, rows, fold, method) -> np.ndarray:
    """Whether each question (rows a, b, c, d) is answered d, a chunk of questions at a
    time: one matrix product per chunk instead of one search per question."""
    candidates = vectors.normed[:restrict_vocab]
    # The row that stands for each candidate (itself, or its most frequent case variant):
    # the answer is right when it stands for d; it is barred when it stands for a, b or c.
    stands_for = np.array([vocabulary[fold(word)] for word in
                           vectors.index_to_key[:len(candidates)]], dtype=np.intp)
    variants = _case_variants(stands_for)
    chunk = max(1, min(QUESTIONS_PER_CHUNK, SCORES_PER_CHUNK // max(1, len(candidates))))
    right = np.zeros(len(rows), dtype=bool)
    for start in range(0, len(rows), chunk):
        block = rows[start:start + chunk]
        scores = _analogy_scores(candidates, block, method)
        _bar_question_words(scores, block[:, :3], variants)
        right[start:start + chunk] = stands_for[scores.argmax(axis=1)] == block[:, 3]
    return right


def _analogy_scores(candidates, block, method) -> np.ndarray:
    """(questions, candidates) scores of every candidate d for each question."""
    a, b, c = (candidates[block[:, column]] for column in range(3))
    if method == "add":
        # b̂ - â + ĉ need not be normalised: a positive scale does not move the argmax
        return (b - a + c) @ candidates.T
    # s_b s_c / (s_a + ε) with s = (1 + cos)/2 is (1 + cos_b)(1 + cos_c) / (2(1 + cos_a) + 4ε),
    # computed in place in two buffers
    scores = b @ candidates.T
    scores += 1.0
    other = c @ candidates.T
    other += 1.0
    scores *= other
    np.matmul(a, candidates.T, out=other)
    other += 1.0
    other *= 2.0
    other += 4 * COSMUL_EPSILON
    scores /= other
    return scores


def _bar_question_words(scores, question_rows, variants):
    """Set to -inf the scores of a, b, c and of their case variants."""
    questions = np.arange(len(scores))
    for column in range(question_rows.shape[1]):
        scores[questions, question_rows[:, column]] = -np.inf
    if variants:
        has_variants = np.isin(question_rows, list(variants))
        for question, column in zip(*np.nonzero(has_variants)):
            scores[question, variants[question_rows[question, column]]] = -np.inf


def _case_variants(stands_for) -> dict:
    """{row: rows standing for it} for the rows that stand for more than themselves."""
    shared = np.flatnonzero(stands_for != np.arange(len(stands_for)))
    variants = {}
    for row in shared.tolist():
        variants.setdefault(int(stands_for[row]), []).append(row)
    return variants


def _log_analogies(path, result):
    for section in result.sections:
        if section.answered:
            logger.info("%s: %.1f%% (%d/%d)", section.name, 100 * section.accuracy,
                        section.correct, section.answered)
    logger.info("%s: %d of %d questions skipped for words outside the vocabulary (%.1f%%)",
                path, result.skipped, result.questions, result.oov_ratio)


# ---------------------------------------------------------------------- word pairs

class Correlation(float):
    """A correlation coefficient, a plain float (``result.spearman > 0.6``,
    ``f"{result.spearman:.3f}"``, JSON) that also carries its p-value: ``.statistic`` is
    the value, ``.pvalue`` the p-value, and it unpacks and indexes as scipy's
    ``(statistic, pvalue)`` pair."""

    def __new__(cls, statistic, pvalue):
        correlation = super().__new__(cls, statistic)
        correlation.pvalue = float(pvalue)
        return correlation

    @property
    def statistic(self) -> float:
        return float(self)

    correlation = statistic  # scipy's older name, used by gensim's examples

    def __iter__(self):
        return iter((float(self), self.pvalue))

    def __getitem__(self, index):
        return (float(self), self.pvalue)[index]

    def __len__(self):
        return 2

    def __repr__(self):
        return f"Correlation(statistic={float(self)!r}, pvalue={self.pvalue!r})"


class WordPairsResult(NamedTuple):
    """Unpacks as gensim's ``(pearson, spearman, oov_ratio)``."""
    pearson: Correlation
    spearman: Correlation
    oov_ratio: float  # a percentage, 0-100


def evaluate_word_pairs(vectors: KeyedVectors, path, delimiter="\t", restrict_vocab=300000,
                        case_insensitive=True, dummy4unknown=False) -> WordPairsResult:
    """How well cosine similarities follow human similarity scores.

    The file (WordSim-353, SimLex-999 in gensim's 3-column form) has lines
    ``word1<delimiter>word2<delimiter>score``; further columns are ignored, lines
    starting with ``#`` and blank lines are skipped. ``delimiter=None`` splits on any
    whitespace. Only the first `restrict_vocab` words of `vectors` take part, compared
    upper-cased with `case_insensitive` (the most frequent of several case variants
    stands for them). A pair with a word outside them is left out, or kept with
    similarity 0 when `dummy4unknown`.

    Returns ``(pearson, spearman, oov_ratio)``: Pearson's r and Spearman's rho between
    the file's scores and the cosines, each with its p-value (``scipy.stats``), and
    ``oov_ratio``, the percentage (0-100, as gensim reports it) of the file's pairs
    with a word outside the vocabulary.

    A malformed line raises a ValueError naming the file and line (gensim skips it), as
    does a file with fewer than 2 pairs in the vocabulary.
    """
    vocabulary = _restricted_vocabulary(vectors, restrict_vocab, case_insensitive)
    fold = str.upper if case_insensitive else str
    normed = vectors.normed
    pairs = _read_word_pairs(path, delimiter)
    human, model, oov = [], [], 0
    for word1, word2, score in pairs:
        row1, row2 = vocabulary.get(fold(word1)), vocabulary.get(fold(word2))
        if row1 is None or row2 is None:
            oov += 1
            if dummy4unknown:
                human.append(score)
                model.append(0.0)
            continue
        human.append(score)
        model.append(float(normed[row1] @ normed[row2]))
    if len(human) < 2:
        evaluated = len(vectors.index_to_key[:restrict_vocab])
        raise ValueError(f"{path}: {len(pairs) - oov} of its {len(pairs)} pairs have both "
                         f"words among the {evaluated:,} words evaluated; correlations "
                         "need at least 2")
    pearson, spearman = stats.pearsonr(human, model), stats.spearmanr(human, model)
    result = WordPairsResult(Correlation(float(pearson[0]), float(pearson[1])),
                             Correlation(float(spearman[0]), float(spearman[1])),
                             100.0 * oov / len(pairs))
    logger.info("%s: Pearson %.4f, Spearman %.4f, %.1f%% of the pairs out of vocabulary",
                path, result.pearson.statistic, result.spearman.statistic, result.oov_ratio)
    return result


def _read_word_pairs(path, delimiter) -> list:
    """``[(word1, word2, score), ...]`` in file order."""
    pairs = []
    for number, text in enumerate(text_lines(path), start=1):
        if not text.strip() or text.startswith("#"):
            continue
        fields = [field.strip() for field in text.split(delimiter)]
        if len(fields) < 3 or not fields[0] or not fields[1]:
            raise ValueError(f"{path} line {number}: expected 'word1, word2, score' "
                             f"separated by {delimiter!r}, got {text[:80]!r}")
        try:
            score = float(fields[2])
        except ValueError:
            raise ValueError(f"{path} line {number}: the score {fields[2]!r} is not a "
                             "number") from None
        pairs.append((fields[0], fields[1], score))
    return pairs


# ---------------------------------------------------------------------- shared

def _restricted_vocabulary(vectors, restrict_vocab, case_insensitive) -> dict:
    """{word (upper-cased if case_insensitive): row} over the first `restrict_vocab`
    rows; of several words with the same upper case, the first (most frequent) wins."""
    words = vectors.index_to_key[:check_restrict_vocab(restrict_vocab)]
    if not case_insensitive:
        return {word: row for row, word in enumerate(words)}
    vocabulary = {}
    for row, word in enumerate(words):
        vocabulary.setdefault(word.upper(), row)
    return vocabulary
