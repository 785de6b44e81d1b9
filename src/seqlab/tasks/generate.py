"""Recipe: train a language model on a UTF-8 text file, then generate text with it.

Three ways to turn a text into training examples (``mode``):

* ``lines``, the course's next-word model: every line's token prefixes of length >= 2,
  pre-padded to the longest line; the last token is the label of the others. The model
  reads at most ``context`` = longest line − 1 tokens.
* ``windows``: the text as one stream; every ``step``-th window of ``context`` tokens is
  an example, the token after it the label (Keras's character-level example: 40 characters,
  step 3).
* ``stateful``: truncated backpropagation through time for long texts. The stream is cut
  into ``batch_size`` equal parts read side by side; each batch is the next ``context``
  tokens of every part, the recurrent layers are ``stateful`` (batch row i continues row i
  of the previous batch), every position predicts the next token, and the states are reset
  at each epoch's start. There is no context limit when generating.

``level`` is ``word`` (Keras's Tokenizer: lowercased, punctuation removed) or ``char``.
The model is ``Embedding → recurrent layers (stacked, or one Bidirectional) → Dropout →
Dense(softmax over the vocabulary)``; the held-out part (a random share of the lines, or
the end of the stream) gives the perplexity ``exp(mean cross-entropy)`` after every epoch,
and the weights of the epoch with the lowest held-out perplexity are kept (training stops
after ``patience`` epochs without a new lowest), or with ``keep="last"`` the last epoch's
(the course trains 100 epochs and keeps the last: a model that recites its training lines).

``sample(run, seed_text, ...)`` continues a seed text, carrying the recurrent states so
that every new token costs the same (``_decoding``), choosing tokens with
``_sampling.choose_next``. A run folder holds:

    model.safetensors   the model and its tokenizer (``seqlab.models.load_model``)
    config.json         the settings of the run
    metrics.json        perplexity per epoch, the best epoch, samples with their repetition
    curves.png          loss and perplexity curves
"""
from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .. import set_seed
from .._log import say_once
from ..data import text_lines
from ..layers import GRU, LSTM, Bidirectional, Dense, Dropout, Embedding, SimpleRNN
from ..models import Sequential, callbacks, load_model
from ..text import Tokenizer, pad_sequences
from ._checks import check_settings, optimizer_for
from ._decoding import RerunDecoder, decoder_for
from ._runs import (
    check_output,
    config_record,
    how_it_ended,
    read_config,
    reporter,
    run_folder,
    write_json,
)
from ._sampling import choose_next
from ._threads import config_threads, torch_threads
from .configs import GenerateConfig, SamplingSettings

CELLS = {"lstm": LSTM, "gru": GRU, "simplernn": SimpleRNN}
MODES = ("lines", "windows", "stateful")
DEFAULT_CONTEXT = {"windows": 40, "stateful": 50}  # lines: the longest line − 1


# ---------------------------------------------------------------------------- training

@config_threads
def train(config: GenerateConfig, verbose=1) -> dict:
    """Run the recipe; returns the metrics written to ``metrics.json``."""
    _check(config)
    say = reporter(verbose)
    set_seed(config.seed)
    lines = read_text(config.data)
    tokenizer = _tokenizer(config)
    train_part, held_out = _split(lines, config)
    tokenizer.fit_on_texts(train_part)
    vocab = _vocab_size(tokenizer, config)
    examples = _examples(tokenizer, train_part, held_out, config)
    say(f"data: {config.data}: {len(lines):,} lines, {examples['tokens']:,} {config.level} "
        f"tokens, vocabulary {vocab:,} (with padding); {config.mode}: "
        f"{len(examples['x']):,} training and {len(examples['x_val']):,} held-out examples, "
        f"context {examples['context']}")
    model = build_model(config, vocab, examples["context"])
    model.compile(optimizer=optimizer_for(config), loss="sparse_categorical_crossentropy")
    if verbose:
        model.summary()
    tracker = _Perplexity(model, config, examples)
    started = time.perf_counter()
    history = model.fit(examples["x"], examples["y"], epochs=config.epochs,
                        batch_size=config.batch_size, shuffle=config.mode != "stateful",
                        validation_data=None if config.mode == "stateful" else
                        (examples["x_val"], examples["y_val"]),
                        callbacks=[tracker, *_keeper(config)], verbose=verbose)
    seconds = time.perf_counter() - started
    ended = how_it_ended(history)
    perplexities = history.history["val_perplexity"]
    kept = int(np.argmin(perplexities)) if config.keep == "best" else len(perplexities) - 1
    metrics = {"context": examples["context"], "vocabulary": vocab,
               "train_examples": len(examples["x"]), "held_out_examples": len(examples["x_val"]),
               "kept_epoch": kept + 1, "held_out_perplexity": perplexities[kept],
               "training_seconds": round(seconds, 1), "parameters": model.count_params(),
               "history": history.history, **ended}
    model.tokenizer = tokenizer
    seed_text = _default_seed(tokenizer, held_out or train_part, config, examples["context"])
    metrics["samples"] = {name: _sample_record(model, config, examples["context"], seed_text,
                                               settings)
                          for name, settings in (("default", SamplingSettings()),
                                                 ("greedy", SamplingSettings(
                                                     temperature=0, repetition_penalty=1,
                                                     top_p=None, no_repeat_ngram_size=None)))}
    with run_folder(config.output, config.overwrite) as folder:
        model.save(folder / "model.safetensors", tokenizer=tokenizer)
        write_json(folder / "config.json", {**config_record(config),
                                            "context": examples["context"]})
        write_json(folder / "metrics.json", metrics)
        history.plot(folder / "curves.png", kept_epoch=metrics["kept_epoch"])
    return metrics


def build_model(config: GenerateConfig, vocab: int, context: int):
    """``Embedding → recurrent layers → Dropout → Dense(vocab, softmax)``."""
    stateful = config.mode == "stateful"
    layer_class = CELLS[config.cell]
    model = Sequential([Embedding(vocab, config.embedding_dim, mask_zero=config.mode == "lines")])
    if config.bidirectional:
        model.add(Bidirectional(layer_class(config.units)))
    for index in range(0 if config.bidirectional else config.layers):
        last = index == config.layers - 1
        model.add(layer_class(config.units, return_sequences=stateful or not last,
                              stateful=stateful))
    if config.dropout:
        model.add(Dropout(config.dropout))
    model.add(Dense(vocab, activation="softmax"))
    model.build((None, context))
    _reset_states(model)  # building ran a dummy batch through the stateful layers
    return model


def _keeper(config):
    """keep="best": restore the epoch of lowest held-out perplexity, stop after `patience`
    epochs without a new lowest; keep="last": train every epoch, keep the last."""
    if config.keep == "last":
        return []
    return [callbacks.EarlyStopping(monitor="val_perplexity", mode="min",
                                    patience=config.patience or config.epochs,
                                    restore_best_weights=True)]


class _Perplexity(callbacks.Callback):
    """Adds ``perplexity`` and ``val_perplexity`` (exp of the mean cross-entropy) to the
    epoch's logs; in stateful mode it also resets the states at each epoch's start and
    measures the held-out stream itself (side by side, like training)."""

    def __init__(self, model, config, examples):
        super().__init__()
        self.language_model = model
        self.stateful = config.mode == "stateful"
        self.batch = config.batch_size
        self.examples = examples

    def on_epoch_begin(self, epoch, logs=None):
        if self.stateful:
            _reset_states(self.language_model)

    def on_epoch_end(self, epoch, logs=None):
        if self.stateful:
            logs["val_loss"] = self._stateful_loss()
        logs["perplexity"] = math.exp(min(logs["loss"], 700))
        logs["val_perplexity"] = math.exp(min(logs["val_loss"], 700))

    @torch.no_grad()
    def _stateful_loss(self):
        model, x, y = self.language_model, self.examples["x_val"], self.examples["y_val"]
        _reset_states(model)
        total, count = 0.0, 0
        for start in range(0, len(x), self.batch):
            probabilities = model(torch.as_tensor(x[start:start + self.batch]), training=False)
            target = torch.as_tensor(y[start:start + self.batch], dtype=torch.long)
            picked = probabilities.gather(-1, target.unsqueeze(-1)).clamp_min(1e-30)
            total -= float(torch.log(picked).sum())
            count += target.numel()
        _reset_states(model)
        return total / count


def _reset_states(model):
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_states()


# ---------------------------------------------------------------------------- sampling

def sample(run, seed_text: str, length=100, samples=1, settings: SamplingSettings | None = None,
           seed=None, verbose=0) -> list[str]:
    """Continue `seed_text` by `length` tokens, `samples` times (one batch); returns the
    texts (seed included). `settings` default to ``SamplingSettings()``; `seed` makes the
    draws repeatable."""
    settings = (settings or SamplingSettings()).check()
    check_settings(_Count(length=length, samples=samples), counts=("length", "samples"))
    model, config, context = load_run(run)
    return generate(model, config, context, seed_text, length, samples, settings, seed,
                    warn=_to_stderr if verbose else None)


def _to_stderr(message):
    print(message, file=sys.stderr)


def load_run(run):
    """``(model, config, context)`` of a run folder."""
    folder = Path(run)
    config, extra = read_config(folder, GenerateConfig, "generation", ["context"])
    model = load_model(folder / "model.safetensors", compile=False)
    if getattr(model, "tokenizer", None) is None:
        raise ValueError(f"{folder}: the saved model has no tokenizer")
    return model, config, extra["context"]


def generate(model, config, context, seed_text, length, samples, settings, seed=None, warn=None):
    """The generation loop itself (see ``sample``); `model` has its ``tokenizer``."""
    tokenizer = model.tokenizer
    tokens = encode_seed(tokenizer, config, context, seed_text, warn)
    generator = torch.Generator().manual_seed(seed if seed is not None else
                                              int(torch.randint(2 ** 62, ())))
    decoder = decoder_for(model, context, stateful=config.mode == "stateful")
    if isinstance(decoder, RerunDecoder):
        say_once("generate: the model is bidirectional, so every token re-runs the whole "
                 "context (the course's loop); a unidirectional model samples faster")
    banned = {0} | ({tokenizer.word_index[tokenizer.oov_token]} if tokenizer.oov_token else set())
    banned |= set(range(_vocab_size(tokenizer, config), model.layers[-1].units))
    history = torch.zeros(samples, len(tokens) + length, dtype=torch.long)  # (samples, L)
    history[:, :len(tokens)] = torch.tensor(tokens)
    with torch_threads(1):  # a token's operations are too small to split
        scores = decoder.start(history[:, :len(tokens)])
        for filled in range(len(tokens), len(tokens) + length):
            history[:, filled] = choose_next(scores, history[:, :filled], settings, generator,
                                             banned)
            scores = decoder.push(history[:, filled])
    joiner = "" if config.level == "char" else " "
    return [seed_text + joiner + joiner.join(tokenizer.index_word[t] for t in row[len(tokens):])
            for row in history.tolist()]


def encode_seed(tokenizer, config, context, seed_text, warn=None) -> list[int]:
    """The seed's token ids. Unknown words are left out (named through `warn`); a seed with
    no known token, or longer than the model's context, is a ValueError."""
    if not isinstance(seed_text, str):
        raise TypeError(f"the seed text must be a str, got {type(seed_text).__name__}")
    vocab = _vocab_size(tokenizer, config)
    units = _units(tokenizer, seed_text)
    unknown = [u for u in units if tokenizer.word_index.get(u, vocab) >= vocab]
    tokens = [tokenizer.word_index[u] for u in units if u not in unknown]
    kind = "character" if config.level == "char" else "word"
    if unknown and warn:
        warn(f"left out of the seed, not in the model's vocabulary: "
             f"{', '.join(map(repr, dict.fromkeys(unknown)))}")
    if not tokens:
        examples = ", ".join(repr(tokenizer.index_word[i]) for i in range(1, min(vocab, 9)))
        raise ValueError(f"the seed text {seed_text!r} has no {kind} the model knows; start "
                         f"with known {kind}s, e.g. {examples}")
    if config.mode != "stateful" and len(tokens) > context:
        raise ValueError(f"the seed text has {len(tokens)} known {kind}s but this model reads "
                         f"at most {context} (its training context): shorten the seed")
    return tokens


def repetition(tokens) -> dict:
    """``distinct_2`` (distinct bigrams / bigrams) and ``longest_run`` (the length of the
    longest run of one token repeated back to back; 1 if none) of a token sequence."""
    pairs = list(zip(tokens, tokens[1:]))
    run = longest = 1 if tokens else 0
    for before, after in pairs:
        run = run + 1 if after == before else 1
        longest = max(longest, run)
    return {"distinct_2": len(set(pairs)) / len(pairs) if pairs else 0.0, "longest_run": longest}


def _sample_record(model, config, context, seed_text, settings, length=100):
    text = generate(model, config, context, seed_text, length, 1, settings, seed=config.seed)[0]
    generated = _units(model.tokenizer, text)[-length:]
    return {"seed_text": seed_text, "text": text, **repetition(generated)}


def _default_seed(tokenizer, lines, config, context):
    """The first 3 words (or 20 characters) of the first usable line, at most `context`."""
    for line in lines:
        units = [u for u in _units(tokenizer, line)
                 if 0 < tokenizer.word_index.get(u, 0) < _vocab_size(tokenizer, config)]
        if units:
            cut = min(20 if config.level == "char" else 3, context)
            return ("" if config.level == "char" else " ").join(units[:cut])
    raise ValueError(f"{config.data}: no line has a known token to start a sample from")


def _units(tokenizer, text):
    """The tokens (words or characters) of `text` as the tokenizer sees them."""
    from ..text import text_to_word_sequence

    if tokenizer.char_level:
        return list(text.lower() if tokenizer.lower else text)
    return text_to_word_sequence(text, tokenizer.filters, tokenizer.lower, tokenizer.split)


# -------------------------------------------------------------------------------- data

def read_text(path) -> list[str]:
    """The lines of a UTF-8 text file; errors name the file and the fix."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such text file (give a UTF-8 text file with "
                                "--data)")
    with path.open("rb") as file:
        lines = list(text_lines(file, str(path)))
    if not any(line.strip() for line in lines):
        raise ValueError(f"{path}: the file has no text to learn from")
    return lines


def _tokenizer(config):
    if config.level == "char":
        return Tokenizer(char_level=True, lower=False)
    return Tokenizer(num_words=config.num_words)


def _vocab_size(tokenizer, config) -> int:
    size = len(tokenizer.word_index) + 1
    return min(size, config.num_words) if config.num_words else size


def _split(lines, config):
    """(training lines, held-out lines): a seeded random share of the lines (lines mode)
    or the last share of the text (a stream)."""
    lines = [line for line in lines if line.strip()] if config.mode == "lines" else lines
    count = int(round(len(lines) * config.validation_fraction))
    if config.mode == "lines":
        held = set(np.random.default_rng(config.seed).permutation(len(lines))[:count].tolist())
        return ([line for i, line in enumerate(lines) if i not in held],
                [line for i, line in enumerate(lines) if i in held])
    text = "\n".join(lines)
    cut = int(round(len(text) * (1 - config.validation_fraction)))
    if config.level == "word":  # cut between words
        cut = text.rfind(" ", 0, cut) + 1 if " " in text[:cut] else cut
    return [text[:cut]], [text[cut:]]


def _examples(tokenizer, train_part, held_out, config) -> dict:
    vocab = _vocab_size(tokenizer, config)
    if config.mode == "lines":
        sequences = tokenizer.texts_to_sequences(train_part)
        longest = max((len(s) for s in sequences), default=0)
        if longest < 2:
            raise ValueError(f"{config.data}: no line has two {config.level}s; the lines mode "
                             "predicts each next token of a line (try --mode windows)")
        context = min(config.context or longest - 1, longest - 1)
        x, y = _prefixes(sequences, context)
        x_val, y_val = _prefixes(tokenizer.texts_to_sequences(held_out), context)
        tokens = sum(map(len, sequences))
    else:
        stream = _stream(tokenizer, train_part, vocab)
        held = _stream(tokenizer, held_out, vocab)
        context = config.context or DEFAULT_CONTEXT[config.mode]
        tokens = len(stream)
        if config.mode == "windows":
            x, y = _windows(stream, context, config.step)
            x_val, y_val = _windows(held, context, 1)
        else:
            x, y = _side_by_side(stream, context, config.batch_size, "training text")
            x_val, y_val = _side_by_side(held, context, config.batch_size, "held-out text")
    if len(x) == 0:
        raise ValueError(f"{config.data}: too little text for one training example "
                         f"(context {context})")
    if len(x_val) == 0:
        raise ValueError(f"{config.data}: the held-out share ({config.validation_fraction}) "
                         "holds no example; raise --validation-fraction or give more text")
    return {"x": x, "y": y, "x_val": x_val, "y_val": y_val, "context": context,
            "tokens": tokens}


def _stream(tokenizer, parts, vocab):
    stream = np.concatenate([np.asarray(s, dtype=np.int64) for s in
                             tokenizer.texts_to_sequences(parts)] or [np.zeros(0, np.int64)])
    return stream[stream < vocab]


def _prefixes(sequences, context):
    """The course's n-grams: every prefix of length >= 2 of every line, the last
    ``context + 1`` tokens kept, pre-padded; ``(x, y)`` = (all but last, last)."""
    grams = [s[max(0, end - context - 1):end] for s in sequences for end in range(2, len(s) + 1)]
    if not grams:
        return np.zeros((0, context), np.int64), np.zeros(0, np.int64)
    padded = pad_sequences(grams, maxlen=context + 1, padding="pre")
    return padded[:, :-1], padded[:, -1]


def _windows(stream, context, step):
    starts = np.arange(0, len(stream) - context, step)
    if len(starts) == 0:
        return np.zeros((0, context), np.int64), np.zeros(0, np.int64)
    return stream[starts[:, None] + np.arange(context)], stream[starts + context]


def _side_by_side(stream, context, batch, what):
    """Truncated BPTT layout: the stream in `batch` parts read in parallel; sample
    ``k * batch + i`` is the k-th chunk of part i, its targets the tokens one later."""
    part = (len(stream) - 1) // batch
    chunks = part // context
    if chunks < 1:
        raise ValueError(f"the {what} has {len(stream):,} tokens: too few for {batch} parallel "
                         f"parts of at least {context + 1} (lower --batch-size or --context)")
    usable = chunks * context
    inputs = stream[:batch * part].reshape(batch, part)[:, :usable]
    targets = stream[1:batch * part + 1].reshape(batch, part)[:, :usable]

    def arrange(array):  # (batch, chunks, context) → (chunks * batch, context)
        return array.reshape(batch, chunks, context).transpose(1, 0, 2).reshape(-1, context)
    return arrange(inputs), arrange(targets)


# ------------------------------------------------------------------------------ checks

@dataclass
class _Count:
    length: int
    samples: int


def _check(config):
    check_settings(config, counts=("step", "layers", "units", "embedding_dim", "epochs",
                                   "batch_size"),
                   fractions=("dropout", "validation_fraction"), positive=("learning_rate",),
                   choices={"level": ["word", "char"], "mode": list(MODES),
                            "cell": list(CELLS), "keep": ["best", "last"]})
    for name in ("context", "num_words", "patience"):
        if getattr(config, name) is not None:
            check_settings(config, counts=(name,))
    if not config.validation_fraction > 0:
        raise ValueError("validation_fraction must be > 0: the held-out text measures the "
                         "perplexity and picks the epoch to keep")
    if config.bidirectional and config.mode == "stateful":
        raise ValueError("a stateful model cannot be bidirectional (the backward direction "
                         "would need the future text); drop --bidirectional")
    if not config.data:
        raise ValueError("no training text: give a UTF-8 text file with --data FILE")
    optimizer_for(config)
    check_output(config.output, config.overwrite)


__all__ = ["GenerateConfig", "SamplingSettings", "build_model", "generate", "load_run",
           "repetition", "sample", "train"]
