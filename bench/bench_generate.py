"""Benchmark: text generation, seqlab's incremental decoder against the course's loop.

Speed. The course generates every word by re-tokenizing the whole text, pre-padding it
to the model's context and running ``model.predict`` on it. seqlab carries the recurrent
states, so each word costs one ``RNN.step`` per layer (one step of the compiled loop)
and one vectorised sampling step. All generate 200 words after a 10-word seed with the
same 2-layer LSTM(150) word model (the lyrics run's shape: context 15, its vocabulary);
repetitions are interleaved and the table shows the median milliseconds per word and
the ratio. A third line re-runs the padded context with a plain forward call (no
``predict``), to separate the loop's two costs: the repeated work over the context and
``predict``'s per-call overhead. "before #22" is seqlab's incremental path as it was
before issue 22 (torch's fused cell ops, sampling rules as Python loops; kept in
``bench/_generate_before.py``), greedy and with the default sampling settings; the last
lines print the ratios the issue asks for. Torch uses its default thread count: run
with ``OMP_NUM_THREADS=1`` on a shared machine (the sampler itself uses one thread).
The course's loop truncates the text to the model's context (15 words for the lyrics), so
its cost per word is bounded too; "re-run the whole text" is the loop without that
truncation, whose cost grows with the text (the same model, reading up to 210 words).

Repetition (with ``--run RUN``, a trained ``seqlab generate train`` run): distinct-2 and
the longest run of one repeated word over 100 generated words, for the default sampling
settings and for greedy decoding, at several sampling seeds.

    python bench/bench_generate.py                          # speed, untrained model
    python bench/bench_generate.py --run runs/lyrics        # speed and repetition
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from seqlab.tasks import generate as recipe
from seqlab.tasks._decoding import RerunDecoder
from seqlab.tasks._sampling import SamplingSettings, choose_next
from seqlab.text import Tokenizer, pad_sequences

from _generate_before import old_generate  # noqa: E402  (bench/ is on sys.path when run)

LYRICS = Path(__file__).resolve().parents[2] / "shared" / "data" / "lyrics" / \
    "irish-lyrics-eof.txt"
SEED_TEXT = "come all ye maidens young and fair and you that"  # 10 words
GREEDY = SamplingSettings(temperature=0, top_p=None, repetition_penalty=1,
                          no_repeat_ngram_size=None)


def course_loop(model, tokenizer, context, seed_text, words):
    """The course's generation loop, as written there (index_word instead of its scan
    of word_index, which would only slow the loop down further)."""
    for _ in range(words):
        token_list = tokenizer.texts_to_sequences([seed_text])[0]
        token_list = pad_sequences([token_list], maxlen=context, padding="pre")
        predicted = int(np.argmax(model.predict(token_list, verbose=0), axis=-1)[0])
        seed_text += " " + tokenizer.index_word[predicted]
    return seed_text


def whole_text_loop(model, tokenizer, seed_text, words):
    """The loop the issue describes for a model without a context limit: every word
    re-runs the whole text so far (no truncation), so its cost grows with the text."""
    for _ in range(words):
        token_list = tokenizer.texts_to_sequences([seed_text])[0]
        predicted = int(np.argmax(model.predict(np.array([token_list]), verbose=0),
                                  axis=-1)[0])
        seed_text += " " + tokenizer.index_word[predicted]
    return seed_text


def rerun_forward(model, config, context, seed_text, words):
    """The same re-run over the padded context, without ``predict``'s overhead."""
    tokens = recipe.encode_seed(model.tokenizer, config, context, seed_text)
    history = [list(tokens)]
    decoder = RerunDecoder(model, context)
    scores = decoder.start(torch.tensor(history))
    for _ in range(words):
        chosen = choose_next(scores, history, GREEDY, banned={0})
        history[0].append(int(chosen[0]))
        scores = decoder.push(chosen)
    return history[0]


def untrained_run(context=15):
    """The lyrics run's model and tokenizer, with untrained weights (speed only)."""
    config = recipe.GenerateConfig(data=str(LYRICS))
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(recipe.read_text(LYRICS))
    model = recipe.build_model(config, len(tokenizer.word_index) + 1, context)
    model.tokenizer = tokenizer
    return model, config, context


def speed(model, config, context, words, repeats):
    default = SamplingSettings()
    contenders = {
        "course loop (re-tokenize, pad, predict)":
            lambda: course_loop(model, model.tokenizer, context, SEED_TEXT, words),
        "re-run the whole text so far (predict)":
            lambda: whole_text_loop(model, model.tokenizer, SEED_TEXT, words),
        "re-run the padded context (forward only)":
            lambda: rerun_forward(model, config, context, SEED_TEXT, words),
        "before #22: incremental, greedy":
            lambda: old_generate(model, config, context, SEED_TEXT, words, GREEDY),
        "seqlab incremental, greedy":
            lambda: recipe.generate(model, config, context, SEED_TEXT, words, 1, GREEDY, 0),
        "before #22: incremental, default sampling":
            lambda: old_generate(model, config, context, SEED_TEXT, words, default),
        "seqlab incremental, default sampling":
            lambda: recipe.generate(model, config, context, SEED_TEXT, words, 1, default, 0),
    }
    times = {name: [] for name in contenders}
    for name, run in contenders.items():  # warm-up
        run()
    for _ in range(repeats):
        for name, run in contenders.items():
            started = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - started) * 1000 / words)
    median = {name: statistics.median(values) for name, values in times.items()}
    slowest = median["course loop (re-tokenize, pad, predict)"]
    print(f"\n{words} words after a {len(SEED_TEXT.split())}-word seed; "
          f"{model.count_params():,} parameters, context {context}, {torch.get_num_threads()} "
          f"torch thread(s), median of {repeats} interleaved repetitions")
    print(f"{'':44s} {'ms/word':>9s} {'speed-up':>9s}")
    for name in times:
        print(f"{name:44s} {median[name]:9.3f} {slowest / median[name]:8.1f}×")
    whole = median["re-run the whole text so far (predict)"]
    print("\nratios (goal: >= 20x the whole-text re-run, >= 3x the incremental path before #22)")
    for kind in ("greedy", "default sampling"):
        new = median[f"seqlab incremental, {kind}"]
        old = median[f"before #22: incremental, {kind}"]
        print(f"  {kind:17s} whole-text re-run / seqlab {whole / new:7.1f}x   "
              f"before #22 / seqlab {old / new:5.2f}x")


def one_step(model, calls=3000):
    """Microseconds of one step of the first LSTM layer at batch 1, interleaved: torch's
    ``lstm_cell`` (the path before #22), ``RNN.step`` (compiled, T = 1), and the output
    layer's logits, to show what a token's budget is made of."""
    from seqlab.layers import fused  # the weight conversion of the path before #22

    layer, dense = model.layers[1], model.layers[-1]
    x = torch.randn(1, layer.cell.kernel.shape[0])
    states = [torch.zeros(1, layer.units), torch.zeros(1, layer.units)]
    weights = [w.detach().contiguous() for w in fused.torch_weights(layer.cell)]
    contenders = {"torch.lstm_cell (before #22)": lambda: torch.lstm_cell(x, states, *weights),
                  "RNN.step (compiled, T = 1)": lambda: layer.step(x, states),
                  "Dense.logits (output layer)": lambda: dense.logits(states[0])}
    times = {name: [] for name in contenders}
    with torch.no_grad():
        for _ in range(calls):
            for name, run in contenders.items():
                started = time.perf_counter()
                run()
                times[name].append((time.perf_counter() - started) * 1e6)
    print(f"\none step at batch 1, median of {calls} interleaved calls (hot caches)")
    for name, values in times.items():
        print(f"  {name:32s} {statistics.median(values):7.1f} us")


def repetition(model, config, context, seeds, words=100):
    seed_text = " ".join(SEED_TEXT.split()[:3])
    print(f"\nrepetition over {words} generated words after {seed_text!r}")
    print(f"{'sampling':10s} {'seed':>5s} {'distinct-2':>11s} {'longest run':>12s}")
    for name, settings in (("default", SamplingSettings()), ("greedy", GREEDY)):
        for seed in seeds:
            text = recipe.generate(model, config, context, seed_text, words, 1, settings,
                                   seed)[0]
            figures = recipe.repetition(text.split()[len(seed_text.split()):])
            print(f"{name:10s} {seed:5d} {figures['distinct_2']:11.2f} "
                  f"{figures['longest_run']:12d}")
            if seed == seeds[0]:
                print(f"    {text}")
            if name == "greedy":
                break  # greedy does not depend on the seed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", help="a trained `seqlab generate train` run folder")
    parser.add_argument("--words", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    if args.run:
        model, config, context = recipe.load_run(args.run)
    else:
        model, config, context = untrained_run()
    speed(model, config, context, args.words, args.repeats)
    one_step(model)
    if args.run:
        repetition(model, config, context, args.seeds)


if __name__ == "__main__":
    main()
