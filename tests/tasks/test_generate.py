"""The text-generation recipe (seqlab.tasks.generate), its sampler and its decoders.

* choose_next: each rule on hand-made scores (greedy, repetition penalty's sign rule,
  n-gram ban, top-k, nucleus cut, temperature's distribution by counting draws);
* decoders: carrying the states gives the same scores as re-running the padded context
  (lines models, while the text fits) and as one pass over the whole text (stateful
  models); the window is rebuilt from the last context // 2 tokens;
* training examples: the course's line prefixes, windows and the side-by-side layout of
  truncated BPTT, on hand-made streams;
* end to end on tiny texts: a model that must learn a fixed sequence and then continue it
  greedily; perplexity = exp(held-out cross-entropy) of the kept weights (also stateful,
  against one pass over each whole held-out part); repeatable samples; errors.
"""
import json
import math

import numpy as np
import pytest
import torch

from seqlab.layers import LSTM, Dense, Embedding
from seqlab.models import Sequential
from seqlab.tasks import _decoding, generate
from seqlab.tasks._sampling import SamplingSettings, _nucleus, choose_next
from seqlab.tasks.generate import GenerateConfig

GREEDY = SamplingSettings(temperature=0, top_p=None, repetition_penalty=1,
                          no_repeat_ngram_size=None)
PLAIN = SamplingSettings(temperature=1, top_p=None, repetition_penalty=1,
                         no_repeat_ngram_size=None)
COUNTING = "one two three four five six seven eight nine ten"
RUN_FILES = {"model.safetensors", "config.json", "metrics.json", "curves.png"}


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """Tiny recurrent batches: one intra-op thread is faster and gives the same results."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# ------------------------------------------------------------------------ choose_next

def test_greedy_takes_the_best_token_of_each_row():
    logits = torch.tensor([[0.1, 2.0, 0.3], [5.0, -1.0, 4.9]])
    assert choose_next(logits, [[], []], GREEDY).tolist() == [1, 0]


def test_repetition_penalty_divides_positive_and_multiplies_negative_scores():
    # Token 0 (score 2, seen) becomes 2 / 4 = 0.5 < token 2's 1.0; token 1 (score -1,
    # seen) becomes -4; so the greedy choice moves from 0 to 2.
    logits = torch.tensor([[2.0, -1.0, 1.0]])
    settings = SamplingSettings(temperature=0, top_p=None, repetition_penalty=4,
                                no_repeat_ngram_size=None)
    assert choose_next(logits, [[0, 1]], settings).tolist() == [2]
    # Token 2 unseen keeps 1.0, token 0 seen: 2.0 / 1.5 = 1.33 still wins.
    settings.repetition_penalty = 1.5
    assert choose_next(logits, [[0, 1]], settings).tolist() == [0]
    assert logits.tolist() == [[2.0, -1.0, 1.0]]  # the input is not modified


def test_no_repeat_ngram_bans_the_token_that_would_repeat_a_trigram():
    history = [[5, 6, 7, 1, 5, 6]]  # "5 6" was followed by 7 once: 7 is banned now
    logits = torch.zeros(1, 8)
    logits[0, 7] = 10.0
    logits[0, 3] = 1.0
    settings = SamplingSettings(temperature=0, top_p=None, repetition_penalty=1,
                                no_repeat_ngram_size=3)
    assert choose_next(logits, history, settings).tolist() == [3]
    # When the ban would leave nothing, it is not applied.
    only = torch.full((1, 8), float("-inf"))
    only[0, 7] = 0.0
    assert choose_next(only, history, settings).tolist() == [7]


def test_top_k_one_is_greedy_and_banned_tokens_never_come():
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(16, 50, generator=generator)
    settings = SamplingSettings(temperature=1.5, top_k=1, top_p=None, repetition_penalty=1,
                                no_repeat_ngram_size=None)
    drawn = choose_next(logits, [[]] * 16, settings, generator)
    assert drawn.tolist() == logits.argmax(1).tolist()
    drawn = choose_next(logits, [[]] * 16, PLAIN, generator, banned={int(i) for i in
                                                                     logits.argmax(1)})
    assert not set(drawn.tolist()) & set(logits.argmax(1).tolist())


def test_nucleus_keeps_the_smallest_set_reaching_top_p():
    scores = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]], dtype=torch.float64))
    kept = lambda p: torch.isfinite(_nucleus(scores, p))[0].tolist()  # noqa: E731
    assert kept(0.8) == [True, True, False, False]
    assert kept(0.81) == [True, True, True, False]
    assert kept(0.1) == [True, False, False, False]  # the best token always stays
    shuffled = scores[:, [2, 0, 3, 1]]  # order in the vocabulary does not matter
    assert torch.isfinite(_nucleus(shuffled, 0.8))[0].tolist() == [False, True, False, True]


def test_temperature_draws_follow_softmax_of_scores_over_temperature():
    logits = torch.tensor([[1.0, 0.0, -1.0]]).repeat(20000, 1)
    generator = torch.Generator().manual_seed(3)
    for temperature in (0.5, 2.0):
        settings = SamplingSettings(temperature=temperature, top_p=None,
                                    repetition_penalty=1, no_repeat_ngram_size=None)
        drawn = choose_next(logits, [[]] * 20000, settings, generator)
        observed = np.bincount(drawn.numpy(), minlength=3) / 20000
        expected = torch.softmax(logits[0] / temperature, 0).numpy()
        assert np.abs(observed - expected).max() < 0.015, (temperature, observed, expected)


@pytest.mark.parametrize("field, value, words", [
    ("temperature", -0.1, "temperature must be a number >= 0"),
    ("top_p", 0.0, "top_p must be in (0, 1]"),
    ("top_p", 1.5, "top_p must be in (0, 1]"),
    ("top_k", 0, "top_k must be a whole number >= 1"),
    ("repetition_penalty", 0.5, "repetition_penalty must be a number >= 1"),
    ("no_repeat_ngram_size", 1.5, "no_repeat_ngram_size must be a whole number"),
])
def test_bad_sampling_settings_are_named(field, value, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace("]", r"\]")):
        SamplingSettings(**{field: value}).check()


def test_repetition_figures():
    assert generate.repetition("a b a b a b".split()) == {"distinct_2": 2 / 5, "longest_run": 1}
    assert generate.repetition("x love love love y".split()) == {"distinct_2": 3 / 4,
                                                                 "longest_run": 3}


# --------------------------------------------------------------------------- decoders

def _language_model(vocab=30, context=6, return_sequences=False, seed=0):
    torch.manual_seed(seed)
    model = Sequential([Embedding(vocab, 8, mask_zero=True), LSTM(12, return_sequences=True),
                        LSTM(10, return_sequences=return_sequences),
                        Dense(vocab, activation="softmax")])
    model.build((None, context))
    return model


def test_carried_states_give_the_scores_of_rerunning_the_padded_context():
    model, context = _language_model(), 6
    tokens = torch.randint(1, 30, (3, 2), generator=torch.Generator().manual_seed(1))
    fast, slow = _decoding.IncrementalDecoder(model, context), _decoding.RerunDecoder(model,
                                                                                       context)
    a, b = fast.start(tokens), slow.start(tokens)
    for _ in range(context - 2):
        torch.testing.assert_close(torch.log_softmax(a, 1), b, rtol=1e-5, atol=1e-5)
        step = torch.randint(1, 30, (3,))
        a, b = fast.push(step), slow.push(step)
    torch.testing.assert_close(torch.log_softmax(a, 1), b, rtol=1e-5, atol=1e-5)
    # One more token exceeds the context: the states are rebuilt from the last 3 tokens.
    step = torch.randint(1, 30, (3,))
    a = fast.push(step)
    rebuilt = _decoding.RerunDecoder(model, context).start(fast.tokens)
    assert fast.tokens.shape[1] == context // 2
    torch.testing.assert_close(torch.log_softmax(a, 1), rebuilt, rtol=1e-5, atol=1e-5)


def test_stateful_decoding_equals_one_pass_over_the_whole_text():
    model = _language_model(context=40, return_sequences=True)
    tokens = torch.randint(1, 30, (2, 40), generator=torch.Generator().manual_seed(2))
    whole = torch.log(model(tokens, training=False))  # (2, 40, vocab)
    decoder = _decoding.IncrementalDecoder(model, context=None)
    scores = decoder.start(tokens[:, :5])
    for t in range(5, 40):
        torch.testing.assert_close(torch.log_softmax(scores, 1), whole[:, t - 1], rtol=1e-5,
                                   atol=1e-5)
        scores = decoder.push(tokens[:, t])


def test_decoders_refuse_what_they_cannot_run():
    model = Sequential([Dense(4), Dense(3)])
    model.build((None, 5))
    with pytest.raises(ValueError, match="Embedding → recurrent layers → Dense"):
        _decoding.IncrementalDecoder(model)


# ------------------------------------------------------------------- training examples

def test_line_prefixes_are_the_course_ngrams_pre_padded():
    x, y = generate._prefixes([[4, 5, 6], [7, 8]], context=2)
    assert x.tolist() == [[0, 4], [4, 5], [0, 7]]
    assert y.tolist() == [5, 6, 8]
    x, y = generate._prefixes([[1, 2, 3, 4]], context=2)  # longer lines keep the last tokens
    assert x.tolist() == [[0, 1], [1, 2], [2, 3]] and y.tolist() == [2, 3, 4]


def test_windows_and_the_truncated_bptt_layout():
    stream = np.arange(1, 21)
    x, y = generate._windows(stream, 4, 3)
    assert x[:2].tolist() == [[1, 2, 3, 4], [4, 5, 6, 7]] and y[:2].tolist() == [5, 8]
    # 2 parts of 9 tokens read side by side, chunks of 4: row k*2 + i = chunk k of part i.
    x, y = generate._side_by_side(stream, 4, 2, "text")
    assert x.tolist() == [[1, 2, 3, 4], [10, 11, 12, 13], [5, 6, 7, 8], [14, 15, 16, 17]]
    assert (y == x + 1).all()
    with pytest.raises(ValueError, match="too few for 8 parallel parts"):
        generate._side_by_side(stream, 4, 8, "held-out text")


# ------------------------------------------------------------------------ end to end

def _text_file(tmp_path, lines, name="text.txt"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _config(tmp_path, data, **changes):
    settings = dict(data=str(data), units=24, embedding_dim=16, epochs=25, batch_size=16,
                    layers=1, output=str(tmp_path / "run"), validation_fraction=0.2, seed=1,
                    patience=None)
    return GenerateConfig(**{**settings, **changes})


def test_a_word_model_learns_a_fixed_sequence_and_continues_it(tmp_path):
    data = _text_file(tmp_path, [COUNTING] * 40)
    config = _config(tmp_path, data)
    metrics = generate.train(config, verbose=0)
    assert set(p.name for p in (tmp_path / "run").iterdir()) == RUN_FILES
    assert metrics["context"] == 9 and metrics["vocabulary"] == 11
    assert len(metrics["history"]["val_perplexity"]) == 25
    assert metrics["held_out_perplexity"] < 1.5  # the next word is certain
    text = generate.sample(tmp_path / "run", "one two", length=8, settings=GREEDY)[0]
    assert text == COUNTING
    # The kept epoch's perplexity is exp(cross-entropy) on the held-out prefixes.
    model, _, context = generate.load_run(tmp_path / "run")
    x, y = generate._prefixes(model.tokenizer.texts_to_sequences([COUNTING] * 8), context)
    model.compile(loss="sparse_categorical_crossentropy")
    assert math.exp(model.evaluate(x, y, verbose=0)) == pytest.approx(
        metrics["held_out_perplexity"], rel=1e-4)
    saved = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert saved["samples"]["greedy"]["text"].startswith("one two three")


def test_samples_are_repeatable_with_a_seed_and_differ_without(tmp_path):
    data = _text_file(tmp_path, [COUNTING, "one nine two eight", "three one four one five"] * 9)
    generate.train(_config(tmp_path, data, epochs=2), verbose=0)
    first = generate.sample(tmp_path / "run", "one", 30, samples=3, settings=PLAIN, seed=5)
    assert len(first) == 3 and all(len(t.split()) == 31 for t in first)
    assert first == generate.sample(tmp_path / "run", "one", 30, samples=3, settings=PLAIN,
                                    seed=5)
    assert first != generate.sample(tmp_path / "run", "one", 30, samples=3, settings=PLAIN,
                                    seed=6)


def test_character_windows_and_a_bidirectional_model(tmp_path):
    data = _text_file(tmp_path, ["abcdefgh"] * 30)
    config = _config(tmp_path, data, level="char", mode="windows", context=5, step=1,
                     bidirectional=True, epochs=30)
    metrics = generate.train(config, verbose=0)
    assert metrics["context"] == 5 and metrics["held_out_perplexity"] < 2
    text = generate.sample(tmp_path / "run", "abc", 12, settings=GREEDY)[0]
    assert text == "abcdefgh\nabcdef"  # the line ends are characters too


def test_stateful_perplexity_is_one_pass_over_each_held_out_part(tmp_path):
    rng = np.random.default_rng(0)
    data = _text_file(tmp_path, [" ".join(rng.choice(list("abcdefg"), 12)) for _ in range(60)])
    config = _config(tmp_path, data, mode="stateful", context=6, batch_size=4, epochs=2)
    metrics = generate.train(config, verbose=0)
    model, config, _ = generate.load_run(tmp_path / "run")
    tokenizer = model.tokenizer
    _, held_out = generate._split(generate.read_text(data), config)
    stream = generate._stream(tokenizer, held_out, generate._vocab_size(tokenizer, config))
    x, y = generate._side_by_side(stream, 6, 4, "held-out text")
    # Undo the layout: part i is the concatenation of its chunks; one plain pass each.
    chunks = len(x) // 4
    parts_x = x.reshape(chunks, 4, 6).transpose(1, 0, 2).reshape(4, -1)
    parts_y = y.reshape(chunks, 4, 6).transpose(1, 0, 2).reshape(4, -1)
    plain = generate.build_model(config, metrics["vocabulary"], parts_x.shape[1])  # fresh states
    plain.load_state_dict(model.state_dict())
    with torch.no_grad():
        p = plain(torch.as_tensor(parts_x), training=False)
    nll = -torch.log(p.gather(-1, torch.as_tensor(parts_y).unsqueeze(-1))).mean()
    assert metrics["held_out_perplexity"] == pytest.approx(math.exp(float(nll)), rel=1e-4)
    assert len(generate.sample(tmp_path / "run", "a b", 50, settings=PLAIN,
                               seed=0)[0].split()) == 52  # no context limit


def test_training_stops_after_patience_epochs_without_a_better_perplexity(tmp_path):
    rng = np.random.default_rng(1)  # random words: the held-out perplexity soon rises
    data = _text_file(tmp_path, [" ".join(rng.choice(list("abcdefghij"), 8)) for _ in range(40)])
    metrics = generate.train(_config(tmp_path, data, epochs=40, patience=2,
                                     learning_rate=0.05), verbose=0)
    assert len(metrics["history"]["val_perplexity"]) == metrics["kept_epoch"] + 2 < 40
    assert metrics["held_out_perplexity"] == min(metrics["history"]["val_perplexity"])
    last = generate.train(_config(tmp_path, data, epochs=6, patience=2, learning_rate=0.05,
                                  keep="last", overwrite=True), verbose=0)
    assert last["kept_epoch"] == 6 == len(last["history"]["val_perplexity"])
    assert last["held_out_perplexity"] == last["history"]["val_perplexity"][-1]


@pytest.mark.parametrize("lines, changes, words", [
    ([""], {}, "has no text to learn from"),
    (["   ", ""], {}, "has no text to learn from"),
    (["single"] * 5, {}, "no line has two words"),
    ([COUNTING] * 5, {"mode": "stateful", "bidirectional": True}, "cannot be bidirectional"),
    ([COUNTING] * 5, {"mode": "fast"}, "mode='fast' is not one of"),
    ([COUNTING] * 5, {"validation_fraction": 0.0}, "validation_fraction must be > 0"),
    ([COUNTING] * 2, {"mode": "stateful", "context": 50}, "too few for 16 parallel parts"),
])
def test_bad_training_input_is_named_and_leaves_no_run(tmp_path, lines, changes, words):
    data = _text_file(tmp_path, lines)
    with pytest.raises(ValueError, match=words):
        generate.train(_config(tmp_path, data, **changes), verbose=0)
    assert not (tmp_path / "run").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["text.txt"]


def test_missing_text_and_non_utf8_text(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such text file"):
        generate.train(_config(tmp_path, tmp_path / "nothing.txt"), verbose=0)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine line\n\xff\xfe broken\n")
    with pytest.raises(ValueError, match="line 2, column 1: byte .* is not UTF-8"):
        generate.train(_config(tmp_path, bad), verbose=0)


def test_seed_text_checks(tmp_path, capsys):
    data = _text_file(tmp_path, [COUNTING] * 10)
    generate.train(_config(tmp_path, data, epochs=1), verbose=0)
    run = tmp_path / "run"
    with pytest.raises(ValueError, match="has no word the model knows"):
        generate.sample(run, "zebra yak")
    with pytest.raises(ValueError, match="has 10 known words but this model reads at most 9"):
        generate.sample(run, COUNTING)
    text = generate.sample(run, "one zebra two", 3, settings=GREEDY, verbose=1)[0]
    assert text.startswith("one zebra two ") and len(text.split()) == 6
    assert "'zebra'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="length must be a whole number >= 1"):
        generate.sample(run, "one", length=0)
    with pytest.raises(FileNotFoundError, match="is .* a seqlab run folder"):
        generate.sample(tmp_path / "elsewhere", "one")
