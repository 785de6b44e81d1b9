"""Recipe: train an encoder-decoder on paired texts, translate with it.

    source text --tokens--> ids (B, S) --encoder--> states --decoder, one token at a time-->
    target ids --> target text

``train(Seq2SeqConfig(...))`` makes or reads the pairs (a built-in generated task or a
TSV file of ``source<TAB>target`` lines), splits them (seeded) into training, validation
and test pairs, fits one tokenizer per side on the training pairs, trains the model of
``_seq2seq_model.build_seq2seq`` with teacher forcing (keeping the weights of the epoch
with the best validation exact match), decodes the held-out test sources greedily and
with a beam search, and writes one run folder:

    model.safetensors       the model (``seqlab.models.load_model``)
    source_tokenizer.json   the source vocabulary (Keras JSON, ``tokenizer_from_json``)
    target_tokenizer.json   the target vocabulary, with <start> and <end>
    config.json             the settings of the run, and the decoding length limit
    metrics.json            test exact match (greedy and beam), per-token accuracy,
                            decoding times, examples, history
    curves.png              learning curves (loss and per-token accuracy, teacher forced)

The folder is written under a temporary name and renamed at the end, so a failed run
leaves nothing behind.

Tokens: ``level="char"`` makes every character a token (case kept); ``level="word"``
lowercases and splits words from punctuation (``"Don't go!" -> don't go !``), and its
outputs are the words joined by spaces. Index 0 is padding and 1 ``<unk>`` (a token the
training pairs never had). Exact match compares the decoded tokens with the target's.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np

from .. import set_seed
from .._files import read_text
from ..data import PAIR_TASKS, TextPairs, generated_pairs, read_pairs
from ..models import callbacks, load_model
from ..text import Tokenizer, pad_sequences, tokenizer_from_json
from ._checks import check_settings, optimizer_for
from ._runs import (
    check_output,
    config_record,
    how_it_ended,
    read_config,
    reporter,
    run_folder,
    write_json,
)
from ._seq2seq_model import CELLS, Decoder, beam_search, build_seq2seq, greedy_search
from ._threads import torch_threads
from .configs import Seq2SeqConfig

START, END, UNKNOWN = "<start>", "<end>", "<unk>"
LEVELS = ("char", "word")
_WORD = re.compile(r"\w+(?:'\w+)*|[^\w\s]")  # words (with inner apostrophes), punctuation
DECODE_BATCH = 512  # source texts decoded at once (times the beam width)


def train(config: Seq2SeqConfig, verbose=1) -> dict:
    """Run the recipe; returns the metrics written to ``metrics.json``."""
    _check(config)
    with torch_threads(config.threads):
        return _train(config, verbose)


def _train(config, verbose):
    say = reporter(verbose)
    set_seed(config.seed)
    splits = split_pairs(load_pairs(config), config)
    say(f"data: {splits['train'].source}: {len(splits['train']):,} training, "
        f"{len(splits['val']):,} validation, {len(splits['test']):,} test pairs")
    source_tokenizer = _fit_tokenizer(splits["train"].sources, config)
    target_tokenizer = _fit_tokenizer(splits["train"].targets, config, markers=True)
    arrays = {name: _arrays(pairs, source_tokenizer, target_tokenizer, config.level)
              for name, pairs in splits.items()}
    longest = max(len(text_tokens(t, config.level)) for t in splits["train"].targets)
    max_length = max(2 * longest, longest + 10) + 1  # decoding limit, <end> included
    say(f"vocabularies: {source_tokenizer.vocab_size:,} source and "
        f"{target_tokenizer.vocab_size:,} target {config.level} indices (with padding, "
        f"<unk>, <start>, <end>); longest training target {longest} tokens, decoding "
        f"stops after {max_length}")
    model = build_seq2seq(source_tokenizer.vocab_size, target_tokenizer.vocab_size,
                          config.cell, config.units, config.embedding_dim,
                          config.bidirectional, config.dropout)
    model.compile(optimizer=optimizer_for(config), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], clipnorm=config.clipnorm)
    if verbose:
        model.summary()
    watch = []
    if len(splits["val"]):
        # Exact match of greedy decoding on the validation pairs after every epoch, and the
        # weights of the best epoch kept (the first one, when several tie).
        watch = [ExactMatch(splits["val"], source_tokenizer, target_tokenizer, config.level,
                            max_length),
                 callbacks.EarlyStopping(monitor="val_exact_match", mode="max",
                                         patience=config.epochs, restore_best_weights=True)]
    started = time.perf_counter()
    history = model.fit(list(arrays["train"][:2]), arrays["train"][2],
                        batch_size=config.batch_size, epochs=config.epochs,
                        validation_data=(list(arrays["val"][:2]), arrays["val"][2])
                        if len(splits["val"]) else None,
                        callbacks=watch, verbose=verbose)
    seconds = time.perf_counter() - started
    ended = how_it_ended(history)
    decoder = Decoder(model)
    metrics = score(decoder, model, splits["test"], source_tokenizer, target_tokenizer,
                    config.level, max_length, config.beam_width, config.length_penalty)
    exact = history.history.get("val_exact_match")
    metrics.update(training_seconds=round(seconds, 1), history=history.history, **ended,
                   best_epoch=int(np.argmax(exact)) + 1 if exact else len(history.epoch),
                   train_pairs=len(splits["train"]), validation_pairs=len(splits["val"]),
                   parameters=model.count_params())
    say(f"test exact match: greedy {metrics['exact_match']['greedy']:.4f}, beam "
        f"(width {config.beam_width}) {metrics['exact_match']['beam']:.4f}")
    with run_folder(config.output, config.overwrite) as folder:
        model.save(folder / "model.safetensors")
        (folder / "source_tokenizer.json").write_text(source_tokenizer.to_json(),
                                                      encoding="utf-8")
        (folder / "target_tokenizer.json").write_text(target_tokenizer.to_json(),
                                                      encoding="utf-8")
        write_json(folder / "config.json", {**config_record(config), "max_length": max_length})
        write_json(folder / "metrics.json", metrics)
        history.plot(folder / "curves.png", kept_epoch=metrics["best_epoch"])
    return metrics


def translate(run, texts, beam_width=None, length_penalty=None, max_length=None) -> list:
    """The translation of each text by a trained run.

    ``beam_width`` 1 decodes greedily; None uses the run's ``beam_width`` (as does
    ``length_penalty``). ``max_length`` caps the output tokens (default: the run's limit,
    ``max(2 n, n + 10) + 1`` for its longest training target of ``n`` tokens).
    """
    if isinstance(texts, (str, bytes)):
        raise TypeError("translate takes a list of texts; for one text pass [text]")
    model, config, extra, source_tokenizer, target_tokenizer = _load_run(run)
    texts = [str(text) for text in texts]
    if not texts:
        raise ValueError("translate got no texts")
    for number, text in enumerate(texts, start=1):
        if not text_tokens(text, config.level):
            raise ValueError(f"text {number} ({text!r}) has no {config.level} tokens to "
                             "translate")
    width = config.beam_width if beam_width is None else beam_width
    penalty = config.length_penalty if length_penalty is None else length_penalty
    _check_decoding(width, penalty, max_length)
    with torch_threads(config.threads):
        return decode(Decoder(model), texts, source_tokenizer, target_tokenizer, config.level,
                      max_length or extra["max_length"], width, penalty)[0]


def evaluate(run, data=None, beam_width=None, length_penalty=None) -> dict:
    """Exact match (greedy and beam) and per-token accuracy of a trained run on its own
    test pairs, or on every pair of `data` (a TSV file of source<TAB>target lines)."""
    model, config, extra, source_tokenizer, target_tokenizer = _load_run(run)
    if data is None:
        pairs = split_pairs(load_pairs(config), config)["test"]
    else:
        pairs = read_pairs(data)
    width = config.beam_width if beam_width is None else beam_width
    penalty = config.length_penalty if length_penalty is None else length_penalty
    _check_decoding(width, penalty, None)
    with torch_threads(config.threads):
        return score(Decoder(model), model, pairs, source_tokenizer, target_tokenizer,
                     config.level, extra["max_length"], width, penalty)


# ------------------------------------------------------------------------------ data

def load_pairs(config) -> TextPairs:
    """The configured pairs: a generated task, or a TSV file (a seeded sample of `limit`)."""
    if config.data in PAIR_TASKS and not Path(config.data).exists():
        return generated_pairs(config.data, config.samples, config.seed)
    pairs = read_pairs(config.data)
    if config.limit and config.limit < len(pairs):
        chosen = np.random.default_rng(config.seed).permutation(len(pairs))[:config.limit]
        pairs = pairs.subset(np.sort(chosen))
    return pairs


def split_pairs(pairs: TextPairs, config) -> dict:
    """``{"train", "val", "test"}``: a seeded shuffle, the test pairs last."""
    n = len(pairs)
    n_test = int(round(n * config.test_fraction))
    n_val = int(round(n * config.validation_fraction))
    if n - n_test - n_val < 1 or n_test < 1:
        raise ValueError(f"{pairs.source}: {n} pairs are too few to train on and test with "
                         f"test_fraction={config.test_fraction} and validation_fraction="
                         f"{config.validation_fraction}")
    order = np.random.default_rng(config.seed).permutation(n)
    cut_val, cut_test = n - n_test - n_val, n - n_test
    return {"train": pairs.subset(order[:cut_val]), "val": pairs.subset(order[cut_val:cut_test]),
            "test": pairs.subset(order[cut_test:])}


def text_tokens(text: str, level: str) -> list:
    """The tokens of a text: its characters (case kept), or its lowercased words and
    punctuation marks."""
    return list(text) if level == "char" else _WORD.findall(text.lower())


def _fit_tokenizer(texts, config, markers=False) -> Tokenizer:
    """A tokenizer over the texts' tokens (given as lists, so Keras's filters do not
    apply); the target side also learns <start> and <end>, once per text."""
    tokenizer = Tokenizer(num_words=config.num_words, lower=False, oov_token=UNKNOWN)
    wrap = (lambda tokens: [START, *tokens, END]) if markers else (lambda tokens: tokens)
    tokenizer.fit_on_texts([wrap(text_tokens(text, config.level)) for text in texts])
    return tokenizer


def _source_ids(texts, tokenizer, level) -> np.ndarray:
    """Padded source indices ``(n, longest)``; padding after the text (masked anyway)."""
    sequences = tokenizer.texts_to_sequences([text_tokens(t, level) for t in texts])
    return pad_sequences(sequences, padding="post", dtype="int64")


def _arrays(pairs, source_tokenizer, target_tokenizer, level):
    """``(source (n, S), target_in (n, T), target_out (n, T))`` for teacher forcing:
    ``target_in = <start> y_1 .. y_n`` and ``target_out = y_1 .. y_n <end>``."""
    if not len(pairs):
        return None, None, None
    source = _source_ids(pairs.sources, source_tokenizer, level)
    targets = target_tokenizer.texts_to_sequences(
        [[START, *text_tokens(t, level), END] for t in pairs.targets])
    target_in = pad_sequences([t[:-1] for t in targets], padding="post", dtype="int64")
    target_out = pad_sequences([t[1:] for t in targets], padding="post", dtype="int64")
    return source, target_in, target_out


# ----------------------------------------------------------------------- decoding

def decode(decoder, texts, source_tokenizer, target_tokenizer, level, max_length,
           beam_width=1, length_penalty=0.0):
    """``(output texts, log-probabilities)``: greedy for width 1, else a beam search."""
    start, end = target_tokenizer.word_index[START], target_tokenizer.word_index[END]
    words = target_tokenizer.index_word
    outputs, scores = [], []
    for first in range(0, len(texts), DECODE_BATCH):
        source = _source_ids(texts[first:first + DECODE_BATCH], source_tokenizer, level)
        states = decoder.encode(source)
        if beam_width == 1:
            sequences, batch_scores = greedy_search(decoder.step, states, start, end,
                                                    max_length)
        else:
            sequences, batch_scores = beam_search(decoder.step, states, start, end,
                                                  max_length, beam_width, length_penalty)
        joiner = "" if level == "char" else " "
        outputs += [joiner.join(words.get(i, UNKNOWN) for i in sequence)
                    for sequence in sequences]
        scores += batch_scores
    return outputs, scores


def score(decoder, model, pairs, source_tokenizer, target_tokenizer, level, max_length,
          beam_width, length_penalty) -> dict:
    """Exact match of greedy and beam decoding on `pairs`, with decoding times, per-token
    accuracy (teacher forced) and a few examples."""
    source, target_in, target_out = _arrays(pairs, source_tokenizer, target_tokenizer, level)
    loss, accuracy = model.evaluate([source, target_in], target_out, batch_size=256,
                                    verbose=0)
    wanted = [text_tokens(t, level) for t in pairs.targets]
    results, seconds = {}, {}
    for name, width in (("greedy", 1), ("beam", beam_width)):
        started = time.perf_counter()
        results[name], _ = decode(decoder, pairs.sources, source_tokenizer, target_tokenizer,
                                  level, max_length, width, length_penalty)
        seconds[name] = round(time.perf_counter() - started, 2)
    right = {name: [text_tokens(o, level) == w for o, w in zip(outputs, wanted)]
             for name, outputs in results.items()}
    examples = [{"source": pairs.sources[i], "target": pairs.targets[i],
                 **{name: results[name][i] for name in results},
                 **{f"{name}_exact": right[name][i] for name in results}}
                for i in range(min(10, len(pairs)))]
    return {"test_pairs": len(pairs),
            "exact_match": {name: float(np.mean(flags)) for name, flags in right.items()},
            "token_accuracy": accuracy, "test_loss": loss, "beam_width": beam_width,
            "length_penalty": length_penalty, "decoding_seconds": seconds,
            "examples": examples}


class ExactMatch(callbacks.Callback):
    """Adds ``val_exact_match`` to the epoch logs: the share of validation pairs whose
    greedy decoding equals the target exactly."""

    def __init__(self, pairs, source_tokenizer, target_tokenizer, level, max_length):
        super().__init__()
        self.pairs, self.level, self.max_length = pairs, level, max_length
        self.tokenizers = (source_tokenizer, target_tokenizer)
        self.wanted = [text_tokens(t, level) for t in pairs.targets]

    def on_epoch_end(self, epoch, logs=None):
        was_training = self.model.training
        outputs, _ = decode(Decoder(self.model), self.pairs.sources, *self.tokenizers,
                            self.level, self.max_length)
        self.model.train(was_training)
        if logs is not None:
            logs["val_exact_match"] = float(np.mean([text_tokens(o, self.level) == w
                                                     for o, w in zip(outputs, self.wanted)]))


# ------------------------------------------------------------------------- checks

def _check(config):
    check_settings(config, counts=("samples", "units", "embedding_dim", "epochs", "batch_size",
                                   "beam_width"),
                   fractions=("dropout", "validation_fraction"),
                   positive=("learning_rate", "clipnorm"),
                   choices={"level": LEVELS, "cell": list(CELLS)})
    for name in ("limit", "num_words", "threads"):
        if getattr(config, name) is not None:
            check_settings(config, counts=(name,))
    if config.num_words is not None and config.num_words < 5:
        raise ValueError(f"num_words must be at least 5 (padding, <unk>, <start>, <end> and "
                         f"one token), got num_words={config.num_words}")
    if not 0 < config.test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {config.test_fraction!r}")
    if config.test_fraction + config.validation_fraction >= 1:
        raise ValueError(f"test_fraction={config.test_fraction} + validation_fraction="
                         f"{config.validation_fraction} leaves no pairs to train on")
    _check_decoding(config.beam_width, config.length_penalty, None)
    optimizer_for(config)  # an unknown name fails here, not after loading data
    if config.data not in PAIR_TASKS and not Path(config.data).is_file():
        raise FileNotFoundError(f"{config.data}: no such file, and not one of the generated "
                                f"tasks {', '.join(PAIR_TASKS)}")
    check_output(config.output, config.overwrite)


def _check_decoding(beam_width, length_penalty, max_length):
    if isinstance(beam_width, bool) or not isinstance(beam_width, (int, np.integer)) \
            or beam_width < 1:
        raise ValueError(f"beam_width must be a whole number >= 1 (1: greedy), got "
                         f"{beam_width!r}")
    if not isinstance(length_penalty, (int, float)) or not 0 <= length_penalty <= 10:
        raise ValueError(f"length_penalty must be a number in [0, 10] (0: rank beams by "
                         f"log-probability), got {length_penalty!r}")
    if max_length is not None and (isinstance(max_length, bool) or
                                   not isinstance(max_length, (int, np.integer))
                                   or max_length < 1):
        raise ValueError(f"max_length must be a whole number >= 1, got {max_length!r}")


def _load_run(run):
    """``(model, config, extra, source tokenizer, target tokenizer)`` of a run folder."""
    folder = Path(run)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such run folder (train one with `seqlab seq2seq "
                                f"train --output {folder}`)")
    config, extra = read_config(folder, Seq2SeqConfig, "seq2seq", ["max_length"])
    tokenizers = []
    for side in ("source", "target"):
        path = folder / f"{side}_tokenizer.json"
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file (is {folder} a seq2seq run folder?)")
        tokenizers.append(tokenizer_from_json(read_text(path, "tokenizer JSON")))
    model = load_model(folder / "model.safetensors")
    return model, config, extra, *tokenizers
