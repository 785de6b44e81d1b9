"""evaluate_analogies and evaluate_word_pairs: counts worked out by hand on small hand-made
vectors and files, and the real benchmark files with the first 2,446 GloVe 6B 50d vectors
checked against a per-question reference written here in float64."""
import json
import math

import numpy as np
import pytest
from scipy import stats

from seqlab.vectors import KeyedVectors, load_vectors
from seqlab.vectors.evaluation import (AnalogyResult, AnalogySection, evaluate_analogies,
                                       evaluate_word_pairs)
from tests.helpers import shared_data

QUESTIONS = 19544
SECTIONS = ["capital-common-countries", "capital-world", "currency", "city-in-state", "family",
            "gram1-adjective-to-adverb", "gram2-opposite", "gram3-comparative",
            "gram4-superlative", "gram5-present-participle", "gram6-nationality-adjective",
            "gram7-past-tense", "gram8-plural", "gram9-plural-verbs"]


def write(tmp_path, text, name="file.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------- analogies by hand

# Dimensions (france, germany, italy, capital): a country is its axis, its capital the axis
# plus the shared "capital" direction. Two case variants come after, less frequent:
# "Germany" near berlin, "Rome" the same as france.
CAPITALS = KeyedVectors(
    ["france", "paris", "germany", "berlin", "italy", "rome", "Germany", "Rome"],
    [[1, 0, 0, 0], [1, 0, 0, 1], [0, 1, 0, 0], [0, 1, 0, 1], [0, 0, 1, 0], [0, 0, 1, 1],
     [0, 1, 0, 0.8], [1, 0, 0, 0]])

# With r = 1/√2, the query b̂ - â + ĉ and the cosines that decide each question:
#   q1 france paris germany berlin: (r-1, 1, 0, r), |q| = 1.2593: berlin (1 + r)/√2/|q|
#      = .9585, rome .397, but Germany (1 + .8r)/(1.2806 |q|) = .9709: only
#      case-insensitively is Germany a variant of the question word germany, and barred
#   q2 germany berlin italy rome: (0, r-1, 1, r): rome .9585, paris .397, Germany .169
#   q3 italy rome france paris: (1, 0, r-1, r): paris .9585, Rome .794, berlin .397
#   q4 madrid is not a word of the vectors: skipped
#   q5 as q2 with italy, upper case: rome; skipped case-sensitively
#   q6 berlin germany berlin germany: d is b, never an answer: always incorrect (without
#      the exclusion germany would win with cosine 1)
#   q7 paris france rome italy: (1-r, 0, r, 0), |q| = .7654: italy .9239, Rome .383
#   q8 ROME ITALY PARIS FRANCE: (r, 0, 1-r, 0): france .9239 if ROME is rome, the more
#      frequent variant; were it Rome (1, 0, 0, 0), the query (r-1, 0, 1, r) would pick
#      berlin (rome and Rome being barred): incorrect
HAND_QUESTIONS = """\
: capitals
france paris germany berlin
germany berlin italy rome
italy rome france paris
france paris italy madrid

: mixed
FRANCE PARIS ITALY ROME
berlin germany berlin germany
paris france rome italy
ROME ITALY PARIS FRANCE
"""


def counts(result):
    return [(s.name, s.correct, s.incorrect, s.skipped) for s in result.sections]


@pytest.fixture
def questions(tmp_path):
    return write(tmp_path, HAND_QUESTIONS, "questions.txt")


def test_analogies_by_hand_case_insensitive(questions):
    result = evaluate_analogies(CAPITALS, questions)
    assert counts(result) == [("capitals", 3, 0, 1), ("mixed", 3, 1, 0),
                              ("Total accuracy", 6, 1, 1)]
    assert result.accuracy == pytest.approx(6 / 7)
    assert (result.questions, result.answered, result.skipped) == (8, 7, 1)
    assert result.oov_ratio == pytest.approx(12.5)
    assert result.sections[0].accuracy == 1.0 and result.sections[1].accuracy == 0.75


def test_analogies_by_hand_case_sensitive(questions):
    result = evaluate_analogies(CAPITALS, questions, case_insensitive=False)
    assert counts(result) == [("capitals", 2, 1, 1), ("mixed", 1, 1, 2),
                              ("Total accuracy", 3, 2, 3)]
    assert result.accuracy == pytest.approx(3 / 5)
    assert result.oov_ratio == pytest.approx(3 / 8 * 100)


def test_analogies_by_hand_restrict_vocab(questions):
    # the first 4 words: france, paris, germany, berlin; q6 is then answered france
    result = evaluate_analogies(CAPITALS, questions, restrict_vocab=4)
    assert counts(result) == [("capitals", 1, 0, 3), ("mixed", 0, 1, 3),
                              ("Total accuracy", 1, 1, 6)]
    # the first 6 words leave out Germany: q1 is right even case-sensitively
    result = evaluate_analogies(CAPITALS, questions, restrict_vocab=6, case_insensitive=False)
    assert counts(result) == [("capitals", 3, 0, 1), ("mixed", 1, 1, 2),
                              ("Total accuracy", 4, 1, 3)]


def test_analogies_batched_equal_one_search_per_question(questions):
    """Case-sensitively the batched search is analogy(a, b, c) asked question by question."""
    lines = [line.split() for line in HAND_QUESTIONS.splitlines()
             if line and not line.startswith(":")]
    for method in ("add", "mul"):
        for restrict in (3, 4, 6, 8):
            expected = 0
            for a, b, c, d in lines:
                if all(w in CAPITALS.index_to_key[:restrict] for w in (a, b, c, d)):
                    answer = CAPITALS.analogy(a, b, c, method=method, restrict_vocab=restrict)
                    expected += answer[0][0] == d
            result = evaluate_analogies(CAPITALS, questions, restrict_vocab=restrict,
                                        case_insensitive=False, method=method)
            assert result.total.correct == expected, (method, restrict)


def test_analogies_mul_by_hand(questions):
    # q1 case-sensitively: Germany s(G,paris) s(G,germany)/s(G,france) = .7209 * .8904 / .5
    # = 1.2838 beats berlin .75 * .8536 / .5 = 1.2803; the rest as with 3CosAdd
    result = evaluate_analogies(CAPITALS, questions, case_insensitive=False, method="mul")
    assert counts(result)[0] == ("capitals", 2, 1, 1)
    result = evaluate_analogies(CAPITALS, questions, method="mul")
    assert counts(result)[-1] == ("Total accuracy", 6, 1, 1)


def test_analogies_method_as_a_keyed_vectors_method(questions):
    assert CAPITALS.evaluate_analogies(questions, restrict_vocab=6) == \
        evaluate_analogies(CAPITALS, questions, restrict_vocab=6)


def test_analogy_section_and_result_fields():
    empty = AnalogySection("none answered", 0, 0, 5)
    assert empty.accuracy is None and empty.questions == 5
    result = AnalogyResult([AnalogySection("s", 3, 1, 4), AnalogySection("Total accuracy",
                                                                         3, 1, 4)])
    assert (result.accuracy, result.answered, result.oov_ratio) == (0.75, 4, 50.0)


def test_analogies_with_every_question_skipped(tmp_path):
    result = evaluate_analogies(CAPITALS, write(tmp_path, ": s\na b c d\n"))
    assert counts(result) == [("s", 0, 0, 1), ("Total accuracy", 0, 0, 1)]
    assert result.accuracy is None and result.oov_ratio == 100.0


@pytest.mark.parametrize("text, message", [
    (": s\nfrance paris germany\n", r"line 2: expected a question of 4 words"),
    (": s\nfrance paris germany berlin\n\n\n: t\na b c d e\n", r"line 6: expected"),
    ("france paris germany berlin\n", r"line 1: a question before the first ': section'"),
    (": s\n:\nfrance paris germany berlin\n", r"line 2: a section line needs a name"),
    (": s\n: t\n", r"holds no analogy questions"),
    ("", r"holds no analogy questions"),
])
def test_analogies_malformed_files(tmp_path, text, message):
    path = write(tmp_path, text, "bad.txt")
    with pytest.raises(ValueError, match=message) as error:
        evaluate_analogies(CAPITALS, path)
    assert "bad.txt" in str(error.value)


def test_analogies_bad_arguments(questions):
    with pytest.raises(ValueError, match="method must be 'add'"):
        evaluate_analogies(CAPITALS, questions, method="cosadd")
    with pytest.raises(ValueError, match="restrict_vocab must be a positive number"):
        evaluate_analogies(CAPITALS, questions, restrict_vocab=0)
    with pytest.raises(FileNotFoundError):
        evaluate_analogies(CAPITALS, questions.parent / "nope.txt")


# --------------------------------------------------------------- word pairs by hand

# x (1, 0), y (0, 1), p (.6, .8), q (.8, .6), n (-.6, .8): cosines with x .8 (q), .6 (p),
# 0 (y), -.6 (n)
XY = KeyedVectors(["x", "y", "p", "q", "n"], [[1, 0], [0, 2], [3, 4], [4, 3], [-3, 4]])
PAIRS = ("# a comment\n# word1\tword2\tscore\n"
         "x\tq\t9\nx\tp\t3\nx\ty\t7\textra\nX\tn\t1\nx\tnope\t5\n")


@pytest.fixture
def pairs(tmp_path):
    return write(tmp_path, PAIRS, "pairs.tsv")


def test_word_pairs_by_hand(pairs):
    # human 9, 3, 7, 1 -> ranks 4, 2, 3, 1; cosines .8, .6, 0, -.6 -> ranks 4, 3, 2, 1;
    # Σd² = 0 + 1 + 1 + 0 = 2, rho = 1 - 6·2 / (4·15) = .8.
    # Pearson: deviations (4, -2, 2, -4) and (.6, .4, -.2, -.8): r = 4.4 / √(40·1.2).
    # With n = 4 (2 degrees of freedom) both p-values are 1 - |r|.
    result = evaluate_word_pairs(XY, pairs)
    assert result.spearman.statistic == pytest.approx(0.8)
    assert result.pearson.statistic == pytest.approx(4.4 / math.sqrt(48), rel=1e-6)
    assert result.spearman.pvalue == pytest.approx(0.2)
    assert result.pearson.pvalue == pytest.approx(1 - 4.4 / math.sqrt(48), rel=1e-5)
    assert result.oov_ratio == pytest.approx(20.0)  # x-nope: 1 of 5, a percentage
    # each correlation is a plain number that also carries its p-value
    assert type(float(result.spearman)) is float and result.spearman == pytest.approx(0.8)
    assert f"{result.spearman:.2f}" == "0.80" and json.loads(json.dumps(result.spearman)) == \
        pytest.approx(0.8)
    rho, p = result.spearman
    assert (rho, p) == (result.spearman[0], result.spearman[1]) == \
        (result.spearman.statistic, result.spearman.pvalue)
    assert result.spearman.correlation == result.spearman.statistic


def test_word_pairs_unpack_as_gensim(pairs):
    pearson, spearman, oov_ratio = evaluate_word_pairs(XY, pairs)
    r, pvalue = pearson
    assert (r, pvalue) == tuple(pearson) and oov_ratio == pytest.approx(20.0)
    assert XY.evaluate_word_pairs(pairs) == (pearson, spearman, oov_ratio)


def test_word_pairs_dummy4unknown(pairs):
    # x-nope kept with cosine 0: human 9 3 7 1 5 -> ranks 5 2 4 1 3; cosines .8 .6 0 -.6 0
    # -> ranks 5 4 2.5 1 2.5; Pearson of the ranks: 6.5 / √(10·9.5).
    # Pearson of the values: deviations (4,-2,2,-4,0), (.64,.44,-.16,-.76,-.16): 4.4/√(40·1.232)
    result = evaluate_word_pairs(XY, pairs, dummy4unknown=True)
    assert result.spearman.statistic == pytest.approx(6.5 / math.sqrt(95))
    assert result.pearson.statistic == pytest.approx(4.4 / math.sqrt(40 * 1.232), rel=1e-6)
    assert result.oov_ratio == pytest.approx(20.0)


def test_word_pairs_case_and_restrict_vocab(pairs):
    # case-sensitively X-n is out too: 3 pairs left, 2 of 5 out
    result = evaluate_word_pairs(XY, pairs, case_insensitive=False)
    assert result.oov_ratio == pytest.approx(40.0)
    # 9 3 7 vs .8 .6 0: ranks 3 1 2 and 3 2 1, Σd² = 2, rho = 1 - 6·2 / (3·8) = .5
    assert result.spearman.statistic == pytest.approx(0.5)
    # only x, y, p: x-p (3, .6) and x-y (7, 0) are left, in opposite orders
    result = evaluate_word_pairs(XY, pairs, restrict_vocab=3)
    assert result.oov_ratio == pytest.approx(60.0)
    assert result.spearman.statistic == pytest.approx(-1.0)
    assert result.pearson.statistic == pytest.approx(-1.0)


def test_word_pairs_whitespace_delimiter(tmp_path):
    path = write(tmp_path, "x q 9\nx  p   3\nx y 7\nx n 1\n")
    assert evaluate_word_pairs(XY, path, delimiter=None).spearman.statistic == \
        pytest.approx(0.8)


@pytest.mark.parametrize("text, message", [
    ("# c\nx\tq\t9\n\nx\tp\n", r"line 4: expected 'word1, word2, score' separated by '\\t'"),
    ("x\tq\t9\nx\tp\tabc\n", r"line 2: the score 'abc' is not a number"),
    ("x q 9\n", r"line 1: expected"),
    ("x\t\t9\n", r"line 1: expected"),
])
def test_word_pairs_malformed_lines(tmp_path, text, message):
    path = write(tmp_path, text, "bad.tsv")
    with pytest.raises(ValueError, match=message) as error:
        evaluate_word_pairs(XY, path)
    assert "bad.tsv" in str(error.value)


def test_word_pairs_need_two_pairs_in_vocabulary(tmp_path):
    with pytest.raises(ValueError, match=r"1 of its 2 pairs have both words among the 5"):
        evaluate_word_pairs(XY, write(tmp_path, "x\tq\t9\nx\tnope\t3\n", "few.tsv"))
    with pytest.raises(ValueError, match=r"few.tsv: 0 of its 0 pairs"):
        evaluate_word_pairs(XY, write(tmp_path, "# nothing\n", "few.tsv"))


# --------------------------------------------------------------- the real files

@pytest.fixture(scope="module")
def glove():
    return load_vectors(shared_data("glove/glove.6B.50d.first2446.txt"))


@pytest.fixture(scope="module")
def questions_words():
    return shared_data("word_benchmarks/questions-words.txt")


def reference_analogies(vectors, path, method):
    """{section: [correct, incorrect, skipped]}, question by question in float64: the
    vocabulary upper-cased (the first of equal forms wins), a, b, c and their case
    variants never answers, right when the best answer upper-cased is d."""
    rows = vectors.vectors.astype(np.float64)
    unit = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    upper = [word.upper() for word in vectors.index_to_key]
    first = {}
    for index, word in enumerate(upper):
        first.setdefault(word, index)
    sections, name = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(":"):
            name = line[1:].strip()
            sections[name] = [0, 0, 0]
            continue
        words = line.upper().split()
        if not all(word in first for word in words):
            sections[name][2] += 1
            continue
        a, b, c = (unit[first[word]] for word in words[:3])
        if method == "add":
            scores = unit @ (b - a + c)
        else:
            shift = lambda v: (1 + unit @ v) / 2  # noqa: E731
            scores = shift(b) * shift(c) / (shift(a) + 1e-6)
        barred = [i for i, word in enumerate(upper) if word in words[:3]]
        scores[barred] = -np.inf
        sections[name][0 if upper[int(np.argmax(scores))] == words[3] else 1] += 1
    return sections


@pytest.mark.parametrize("method", ["add", "mul"])
def test_real_analogies_match_the_reference(glove, questions_words, method):
    result = evaluate_analogies(glove, questions_words, restrict_vocab=2446, method=method)
    expected = reference_analogies(glove, questions_words, method)
    assert {s.name: [s.correct, s.incorrect, s.skipped] for s in result.sections[:-1]} == \
        expected


def test_real_analogies_figures(glove, questions_words):
    """Measured with the first 2,446 GloVe 6B 50d vectors (3CosAdd): 961 of the 19,544
    questions answerable (95.08% skipped), 646 right (67.2%): capital-common-countries
    20/30, capital-world 7/8, currency 1/28, city-in-state 6/15, family 62/72,
    gram1 0/6, gram2 none answerable, gram3 28/72, gram4 12/20, gram5 52/110,
    gram6-nationality-adjective 327/332, gram7 90/182, gram8 29/56, gram9 12/30.
    3CosMul: 633 right (65.9%)."""
    result = evaluate_analogies(glove, questions_words, restrict_vocab=2446)
    assert [s.name for s in result.sections] == SECTIONS + ["Total accuracy"]
    assert result.questions == QUESTIONS
    assert result.answered + result.skipped == QUESTIONS
    total = result.total
    for field in ("correct", "incorrect", "skipped"):
        assert getattr(total, field) == sum(getattr(s, field) for s in result.sections[:-1])
    assert result.accuracy == total.correct / total.answered
    assert result.oov_ratio == pytest.approx(100 * result.skipped / QUESTIONS)
    # the vocabulary alone decides which questions are answerable
    assert (result.answered, result.skipped) == (961, 18583)
    by_name = {s.name: s for s in result.sections}
    assert by_name["capital-common-countries"].answered == 30
    assert by_name["gram2-opposite"].accuracy is None
    # floors a little below the measured figures
    assert result.accuracy > 0.62
    assert by_name["capital-common-countries"].accuracy >= 0.6
    assert by_name["family"].accuracy > 0.8
    assert by_name["gram6-nationality-adjective"].accuracy > 0.95


def test_real_analogies_restrict_vocab_only_shrinks(glove, questions_words):
    small = evaluate_analogies(glove, questions_words, restrict_vocab=1000)
    assert small.questions == QUESTIONS
    assert small.answered < 961
    full = evaluate_analogies(glove, questions_words)  # 300,000: every word here
    assert counts(full) == counts(evaluate_analogies(glove, questions_words,
                                                     restrict_vocab=2446))


def test_real_word_pairs(glove):
    """Measured: 216 of the 353 pairs have a word beyond the first 2,446 (61.19%); on the
    137 others Spearman .614, Pearson .623."""
    path = shared_data("word_benchmarks/wordsim353.tsv")
    result = evaluate_word_pairs(glove, path, restrict_vocab=2446)
    # the reference: the file split by hand, cosines in float64
    unit = glove.vectors.astype(np.float64)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    index = {}
    for row, word in enumerate(glove.index_to_key):
        index.setdefault(word.upper(), row)
    lines = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
             if not line.startswith("#")]
    assert len(lines) == 353
    known = [(index[a.upper()], index[b.upper()], float(score)) for a, b, score in lines
             if a.upper() in index and b.upper() in index]
    human = [score for _, _, score in known]
    model = [unit[a] @ unit[b] for a, b, _ in known]
    assert result.oov_ratio == pytest.approx(100 * (353 - len(known)) / 353)
    assert result.spearman.statistic == pytest.approx(stats.spearmanr(human, model)[0],
                                                      abs=1e-6)
    assert result.pearson.statistic == pytest.approx(stats.pearsonr(human, model)[0],
                                                     abs=1e-6)
    assert len(known) == 137
    assert result.spearman.statistic > 0.55 and result.pearson.statistic > 0.55
    assert result.spearman.pvalue < 1e-10
