"""The seq2seq recipe (seqlab.tasks.seq2seq), its model and its searches.

* the generated tasks: repeatable per seed, distinct sources, and every date target
  checked by parsing its source with ``datetime.strptime`` (not with the generator);
* the TSV reader: extra columns, blank lines, BOM and CRLF accepted; a missing tab, an
  empty side, invalid UTF-8 and an empty file named with their line;
* decoding: one token at a time with the carried states gives the probabilities of the
  full teacher-forced model (LSTM, GRU, Bidirectional, padded batches); greedy search is
  beam search of width 1; an exhaustive beam is the exact best sequence (brute force);
  a hand-built model where the beam finds a better sequence than greedy;
* the recipe end to end on tiny data: run folder, translate, evaluate, repeatability,
  a learning floor, and bad settings / files failing before any training.
"""
import datetime
import itertools
import json
import math
import re
import time

import numpy as np
import pytest
import torch

from seqlab import set_seed
from seqlab.data import PAIR_TASKS, generated_pairs, read_pairs
from seqlab.tasks._seq2seq_model import Decoder, beam_search, build_seq2seq, greedy_search
from seqlab.tasks.seq2seq import Seq2SeqConfig, evaluate, train, translate

RUN_FILES = ["config.json", "curves.png", "metrics.json", "model.safetensors",
             "source_tokenizer.json", "target_tokenizer.json"]


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """Tiny recurrent models run faster on one thread on a shared 2-core machine; the
    results are the same."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# ------------------------------------------------------------------- generated tasks

@pytest.mark.parametrize("task", list(PAIR_TASKS))
def test_generated_tasks_repeat_per_seed_and_have_distinct_sources(task):
    first, again, other = (generated_pairs(task, 300, seed) for seed in (5, 5, 6))
    assert (first.sources, first.targets) == (again.sources, again.targets)
    assert first.sources != other.sources
    assert len(set(first.sources)) == len(first) == 300
    assert generated_pairs(task, 100, 5).sources == first.sources[:100]  # a prefix of more


def _parse_date(text):
    """The date a source names, parsed by the standard library (English month names)."""
    cleaned = re.sub(r"\b(\d{1,2})(st|nd|rd|th)\b", r"\1", text).replace(" of ", " ")
    formats = ["%d %B %Y", "%B %d, %Y", "%b %d, %Y", "%d %b %Y", "%m/%d/%Y", "%d.%m.%Y",
               "%A, %B %d, %Y", "%a %d %b %Y", "%Y/%m/%d", "%Y%m%d"]
    parsed = set()
    for form in formats:
        try:
            parsed.add(datetime.datetime.strptime(cleaned, form).date())
        except ValueError:
            pass
    assert len(parsed) == 1, (text, parsed)
    return parsed.pop()


def test_dates_targets_are_the_iso_form_of_their_sources():
    pairs = generated_pairs("dates", 600, seed=1)
    weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    seen_styles = set()
    for source, target in zip(pairs.sources, pairs.targets):
        day = _parse_date(source)
        assert target == day.isoformat()
        first = source.split()[0].rstrip(",").lower()
        if first[:3] in {w[:3] for w in weekdays}:  # a weekday, when named, is the right one
            assert weekdays[day.weekday()].startswith(first)
        seen_styles.add(re.sub(r"\d", "9", re.sub(r"[A-Za-z]+", "a", source)))
        assert 1900 <= day.year <= 2099
    assert len(seen_styles) >= 10


def test_reverse_and_addition_targets():
    reverse = generated_pairs("reverse", 200, 0)
    assert all(t == s[::-1] and s.isdigit() and 1 <= len(s) <= 12
               for s, t in zip(reverse.sources, reverse.targets))
    addition = generated_pairs("addition", 200, 0)
    for source, target in zip(addition.sources, addition.targets):
        a, b = source.split("+")
        assert int(target) == int(a) + int(b) and max(len(a), len(b)) <= 3


def test_generated_pairs_errors():
    with pytest.raises(ValueError, match=r"unknown generated task 'dates2'; the tasks are: "
                                         r"dates, reverse, addition"):
        generated_pairs("dates2", 10)
    with pytest.raises(ValueError, match=r"n >= 1 pairs, got n=0"):
        generated_pairs("dates", 0)
    with pytest.raises(ValueError, match=r"has only about 10 distinct sources; ask for "
                                         r"fewer than n=11 pairs"):
        _exhaust_one_digit_reversals()


def _exhaust_one_digit_reversals():
    """Ask for more one-digit reversals than the 10 that exist (a task patched in)."""
    from seqlab.data import _pairs

    original = _pairs.PAIR_TASKS["reverse"]
    _pairs.PAIR_TASKS["reverse"] = (lambda rng: _pairs._reverse_pair(rng, longest=1),
                                    original[1])
    try:
        generated_pairs("reverse", 11)
    finally:
        _pairs.PAIR_TASKS["reverse"] = original


# ----------------------------------------------------------------------- TSV reader

def test_read_pairs_accepts_extra_columns_blank_lines_bom_and_crlf(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_bytes("\ufeffGo.\tVa !\tCC-BY 2.0 (France)\r\n\r\nHi.\tSalut !\r\n"
                     "  Run!  \t Cours !\n".encode("utf-8"))
    pairs = read_pairs(path)
    assert pairs.sources == ["Go.", "Hi.", "Run!"]
    assert pairs.targets == ["Va !", "Salut !", "Cours !"]
    assert pairs.source == str(path)


@pytest.mark.parametrize("content, match", [
    (b"a\tb\nno tab here\n", r"pairs.tsv line 2: expected source<TAB>target, found no tab "
                             r"in 'no tab here'"),
    (b"a\tb\n\n\tb\n", r"pairs.tsv line 3: the source is empty"),
    (b"a\t  \n", r"pairs.tsv line 1: the target is empty"),
    (b"a\tb\nc\t\xff\n", r"pairs.tsv line 2, column 3: byte .* is not UTF-8"),
    (b"", r"pairs.tsv holds no pairs"),
    (b"\n  \n", r"pairs.tsv holds no pairs"),
])
def test_read_pairs_errors_name_the_line(tmp_path, content, match):
    path = tmp_path / "pairs.tsv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        read_pairs(path)


def test_read_pairs_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"missing.tsv does not exist: pass a file of "
                                                r"source<TAB>target lines"):
        read_pairs(tmp_path / "missing.tsv")


# ------------------------------------------------------------------ model, decoding

def _sharpened(model, scale=3.0, seed=0):
    """`model` with random weights large enough that its distributions are far from flat."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * scale
                            / math.sqrt(max(parameter.shape[0], 1)))
    return model


SOURCES = torch.tensor([[3, 4, 5, 6, 2], [7, 2, 0, 0, 0], [5, 0, 0, 0, 0], [6, 6, 3, 0, 0]])


@pytest.mark.parametrize("cell, bidirectional", [("lstm", False), ("gru", False),
                                                 ("lstm", True), ("gru", True)])
def test_incremental_decoding_equals_the_teacher_forced_model(cell, bidirectional):
    set_seed(0)
    model = _sharpened(build_seq2seq(9, 7, cell, units=6, embedding_dim=5,
                                     bidirectional=bidirectional))
    target_in = torch.tensor([[2, 4, 5, 6], [2, 6, 6, 1], [2, 3, 4, 0], [2, 5, 0, 0]])
    full = model([SOURCES, target_in], training=False)  # (B, T, V)
    decoder = Decoder(model)
    states = decoder.encode(SOURCES)
    for t in range(target_in.shape[1]):
        log_probs, states = decoder.step(target_in[:, t], states)
        real = target_in[:, t] != 0
        torch.testing.assert_close(log_probs.exp()[real], full[real, t], atol=1e-6, rtol=1e-5)
    assert full.std() > 0.05  # the distributions are not flat, so the test can fail
    # a source decodes the same alone as in a padded batch
    alone = decoder.encode(SOURCES[1:2, :2])
    for together, single in zip(decoder.encode(SOURCES), alone):
        torch.testing.assert_close(together[1:2], single, atol=1e-6, rtol=1e-5)


def test_the_decoder_starts_from_the_encoder():
    set_seed(1)
    model = _sharpened(build_seq2seq(9, 7, "lstm", units=6, embedding_dim=5))
    decoder = Decoder(model)
    tokens = torch.tensor([2, 2])
    first, _ = decoder.step(tokens, decoder.encode(SOURCES[:2]))
    assert not torch.allclose(first[0], first[1], atol=1e-3)


def _log_prob(decoder, source, sequence, start, end):
    """log P(sequence <end> | source), by feeding the tokens one by one."""
    states = decoder.encode(source.unsqueeze(0))
    total, previous = 0.0, start
    for token in [*sequence, end]:
        log_probs, states = decoder.step(torch.tensor([previous]), states)
        total += float(log_probs[0, token])
        previous = token
    return total


def test_beam_of_width_one_is_greedy_search():
    set_seed(2)
    model = _sharpened(build_seq2seq(9, 8, "gru", units=8, embedding_dim=5), scale=2.0)
    decoder = Decoder(model)
    states = decoder.encode(SOURCES)
    greedy, greedy_scores = greedy_search(decoder.step, states, 2, 3, max_length=6)
    beam, beam_scores = beam_search(decoder.step, states, 2, 3, max_length=6, beam_width=1)
    assert beam == greedy
    np.testing.assert_allclose(beam_scores, greedy_scores, rtol=1e-9)
    assert len({tuple(s) for s in greedy}) > 1  # the rows differ: the test can fail
    for source, sequence, score in zip(SOURCES, greedy, greedy_scores):
        if 3 not in sequence and len(sequence) < 6:
            assert score == pytest.approx(_log_prob(decoder, source, sequence, 2, 3), abs=1e-5)


@pytest.mark.parametrize("penalty", [0.0, 1.0])
def test_an_exhaustive_beam_finds_the_best_sequence(penalty):
    """With a beam wider than every prefix, the search is exact: compare with brute force
    over every sequence of at most 3 tokens followed by <end>, ranked by
    log P / ((5 + length) / 6) ** penalty."""
    model = _sharpened(build_seq2seq(9, 5, "lstm", units=6, embedding_dim=4), scale=8.0,
                       seed=3)
    decoder = Decoder(model)
    start, end, length = 2, 3, 4  # tokens 1, 2, 4 and <end> can be emitted (0 is padding)
    found, scores = beam_search(decoder.step, decoder.encode(SOURCES), start, end,
                                max_length=length, beam_width=3 ** 3, length_penalty=penalty)
    for row, source in enumerate(SOURCES):
        ranked = []
        for n in range(length):
            for sequence in itertools.product([1, 2, 4], repeat=n):
                log_p = _log_prob(decoder, source, list(sequence), start, end)
                ranked.append((log_p / ((5 + n + 1) / 6) ** penalty, log_p, list(sequence)))
        _, best_log_p, best = max(ranked)
        assert found[row] == best
        assert scores[row] == pytest.approx(best_log_p, abs=1e-5)
    assert len({tuple(f) for f in found}) > 1  # not one answer for every source
    if penalty == 0:  # where greedy ended, the exact search is never worse
        greedy, greedy_scores = greedy_search(decoder.step, decoder.encode(SOURCES), start,
                                              end, length)
        ended = [len(g) < length for g in greedy]
        assert all(b >= g - 1e-9 for b, g, e in zip(scores, greedy_scores, ended) if e)


class TableModel:
    """A hand-built model: P(next token) depends only on the last token (the state).

    tokens: 0 padding, 1 <start>, 2 <end>, 3 'a', 4 'b'. Greedy takes 'a' (0.55) and
    then ends with 0.4 (P = 0.22); the beam finds 'b' <end> (0.45 * 0.9 = 0.405).
    """

    TABLE = {1: {3: 0.55, 4: 0.45}, 3: {2: 0.4, 3: 0.3, 4: 0.3}, 4: {2: 0.9, 3: 0.05, 4: 0.05},
             2: {2: 1.0}}

    def step(self, tokens, states):
        probabilities = torch.full((len(tokens), 5), 1e-12, dtype=torch.float64)
        for row, token in enumerate(tokens.tolist()):
            for following, p in self.TABLE[token].items():
                probabilities[row, following] = p
        return probabilities.log(), [tokens.unsqueeze(1).double()]


def test_beam_search_beats_greedy_on_a_hand_built_model():
    table = TableModel()
    states = [torch.zeros(1, 1)]
    greedy, greedy_score = greedy_search(table.step, states, 1, 2, max_length=5)
    beam, beam_score = beam_search(table.step, states, 1, 2, max_length=5, beam_width=2)
    assert greedy == [[3]] and greedy_score[0] == pytest.approx(math.log(0.55 * 0.4))
    assert beam == [[4]] and beam_score[0] == pytest.approx(math.log(0.45 * 0.9))
    # width 1 is greedy; a length penalty does not change a tie-free choice here
    assert beam_search(table.step, states, 1, 2, max_length=5, beam_width=1)[0] == [[3]]
    assert beam_search(table.step, states, 1, 2, 5, beam_width=2, length_penalty=1.0)[0] \
        == [[4]]


def test_beam_search_without_an_end_returns_the_best_prefix():
    table = TableModel()
    table.TABLE = {1: {3: 0.6, 4: 0.4}, 3: {3: 0.55, 4: 0.45}, 4: {4: 0.95, 3: 0.05}}
    states = [torch.zeros(1, 1)]
    greedy, greedy_score = greedy_search(table.step, states, 1, 2, max_length=3)
    beam, score = beam_search(table.step, states, 1, 2, max_length=3, beam_width=2)
    assert greedy == [[3, 3, 3]]
    assert greedy_score[0] == pytest.approx(math.log(0.6 * 0.55 * 0.55))
    assert beam == [[4, 4, 4]] and score[0] == pytest.approx(math.log(0.4 * 0.95 * 0.95))


def test_parameter_counts_follow_the_formulas():
    """Embedding V*E; LSTM 4u(E + u + 1); GRU (reset_after) 3u(E + u + 2); Dense u*V + V."""
    e, u, vs, vt = 5, 6, 9, 7
    lstm = build_seq2seq(vs, vt, "lstm", units=u, embedding_dim=e)
    assert lstm.count_params() == vs * e + vt * e + 2 * 4 * u * (e + u + 1) + u * vt + vt
    bi = build_seq2seq(vs, vt, "gru", units=u, embedding_dim=e, bidirectional=True)
    d = 2 * u  # the decoder reads [h_fw ; h_bw]
    assert bi.count_params() == (vs * e + vt * e + 2 * 3 * u * (e + u + 2)
                                 + 3 * d * (e + d + 2) + d * vt + vt)


# ---------------------------------------------------------------------- the recipe

def _pairs_file(path, n=400, seed=0):
    """Word-level 'translation': number words to digits ("two seven" -> "2 7")."""
    names = "zero one two three four five six seven eight nine".split()
    rng = np.random.default_rng(seed)
    lines = set()
    while len(lines) < n:
        digits = rng.integers(0, 10, int(rng.integers(1, 4)))
        lines.add(" ".join(names[d] for d in digits) + "\t" + " ".join(map(str, digits)))
    path.write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")
    return path


def tiny(tmp_path, **changes):
    settings = dict(data="reverse", samples=300, units=16, embedding_dim=8, epochs=2,
                    batch_size=32, output=str(tmp_path / "run"))
    settings.update(changes)
    return Seq2SeqConfig(**settings)


@pytest.fixture(scope="module")
def word_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seq2seq")
    data = _pairs_file(folder / "numbers.tsv")
    config = Seq2SeqConfig(data=str(data), level="word", units=32, embedding_dim=16, epochs=20,
                           batch_size=16, learning_rate=0.01, beam_width=3,
                           output=str(folder / "run"))
    return config, train(config, verbose=0)


def test_run_folder_and_metrics(word_run):
    config, metrics = word_run
    folder = config.output
    import os

    assert sorted(os.listdir(folder)) == RUN_FILES
    assert metrics["train_pairs"] == 320 and metrics["validation_pairs"] == 40
    assert metrics["test_pairs"] == 40
    assert set(metrics["exact_match"]) == {"greedy", "beam"} and metrics["beam_width"] == 3
    assert len(metrics["history"]["val_exact_match"]) == 20
    saved = json.loads(open(f"{folder}/metrics.json", encoding="utf-8").read())
    assert saved["exact_match"] == metrics["exact_match"]
    record = json.loads(open(f"{folder}/config.json", encoding="utf-8").read())
    assert record["level"] == "word" and record["max_length"] == 3 + 10 + 1
    target = json.loads(open(f"{folder}/target_tokenizer.json", encoding="utf-8").read())
    assert "<start>" in target["config"]["word_index"]


def test_a_small_word_model_learns_the_mapping(word_run):
    """Number words to digits is learnt by a small model in a few seconds."""
    _, metrics = word_run
    assert metrics["exact_match"]["greedy"] >= 0.9
    assert metrics["token_accuracy"] >= 0.9


def test_translate_and_evaluate_agree_with_the_run(word_run, tmp_path):
    config, metrics = word_run
    assert translate(config.output, ["NINE One", "two   seven"], beam_width=1) == \
        translate(config.output, ["nine one", "two seven"], beam_width=1)  # lowercased
    again = evaluate(config.output)
    assert again["exact_match"] == metrics["exact_match"]
    assert [e["greedy"] for e in again["examples"]] == \
        translate(config.output, [e["source"] for e in metrics["examples"]], beam_width=1)
    other = tmp_path / "more.tsv"
    other.write_text("one two\t1 2\nfive\t5\n", encoding="utf-8")
    assert evaluate(config.output, other)["test_pairs"] == 2


def test_translate_errors(word_run, tmp_path):
    config, _ = word_run
    with pytest.raises(TypeError, match="translate takes a list of texts"):
        translate(config.output, "one")
    with pytest.raises(ValueError, match="translate got no texts"):
        translate(config.output, [])
    with pytest.raises(ValueError, match=r"text 2 \('  '\) has no word tokens"):
        translate(config.output, ["one", "  "])
    with pytest.raises(ValueError, match=r"beam_width must be a whole number >= 1"):
        translate(config.output, ["one"], beam_width=0)
    with pytest.raises(FileNotFoundError, match=r"nowhere: no such run folder"):
        translate(tmp_path / "nowhere", ["one"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"config.json: no such file"):
        translate(tmp_path / "empty", ["one"])


def test_a_char_run_is_repeatable(tmp_path):
    first = train(tiny(tmp_path, output=str(tmp_path / "a"), bidirectional=True, cell="gru"),
                  verbose=0)
    second = train(tiny(tmp_path, output=str(tmp_path / "b"), bidirectional=True, cell="gru"),
                   verbose=0)
    assert first["history"] == second["history"]
    assert first["examples"] == second["examples"]
    assert translate(tmp_path / "a", ["123"]) == translate(tmp_path / "b", ["123"])


def test_a_sample_of_a_file_without_validation_pairs(tmp_path):
    data = _pairs_file(tmp_path / "numbers.tsv", n=120)
    metrics = train(tiny(tmp_path, data=str(data), limit=50, validation_fraction=0.0,
                         level="word"), verbose=0)
    assert (metrics["train_pairs"], metrics["validation_pairs"], metrics["test_pairs"]) == \
        (45, 0, 5)
    assert metrics["best_epoch"] == 2 and "val_exact_match" not in metrics["history"]
    sources = set(read_pairs(data).sources)
    assert all(e["source"] in sources for e in metrics["examples"])


def _quick_failure(config, error, match):
    started = time.perf_counter()
    with pytest.raises(error, match=match):
        train(config, verbose=0)
    assert time.perf_counter() - started < 5, "the check ran after real work"


@pytest.mark.parametrize("changes, error, match", [
    (dict(level="byte"), ValueError, r"level='byte' is not one of: char, word"),
    (dict(cell="rnn"), ValueError, r"cell='rnn' is not one of: lstm, gru"),
    (dict(units=0), ValueError, r"units must be a whole number >= 1, got units=0"),
    (dict(beam_width=0), ValueError, r"beam_width must be a whole number >= 1"),
    (dict(length_penalty=-1.0), ValueError, r"length_penalty must be a number in \[0, 10\]"),
    (dict(test_fraction=0.0), ValueError, r"test_fraction must be between 0 and 1"),
    (dict(test_fraction=0.5, validation_fraction=0.5), ValueError, r"leaves no pairs"),
    (dict(num_words=3), ValueError, r"num_words must be at least 5"),
    (dict(optimizer="adamax9"), ValueError, r"Unknown optimizer 'adamax9'"),
    (dict(clipnorm=0.0), ValueError, r"clipnorm must be a number > 0"),
    (dict(data="nowhere.tsv"), FileNotFoundError, r"nowhere.tsv: no such file, and not one of "
                                                  r"the generated tasks dates, reverse"),
])
def test_bad_settings_fail_before_any_data_is_read(tmp_path, changes, error, match):
    _quick_failure(tiny(tmp_path, **changes), error, match)
    assert list(tmp_path.iterdir()) == []


def test_bad_files_fail_and_leave_nothing(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\nc d\n", encoding="utf-8")
    _quick_failure(tiny(tmp_path, data=str(bad)), ValueError, r"bad.tsv line 2: expected")
    few = tmp_path / "few.tsv"
    few.write_text("a\tb\n", encoding="utf-8")
    _quick_failure(tiny(tmp_path, data=str(few)), ValueError, r"1 pairs are too few")
    (tmp_path / "run").mkdir()
    _quick_failure(tiny(tmp_path), FileExistsError, r"run exists; choose another output")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tsv", "few.tsv", "run"]
