"""Recipe: see inside recurrent networks and word vectors.

Three questions, each one Python call that returns plain data (the CLI prints and plots it):

* **Does the gradient reach the start of a long sequence?** ``gradient_flow(config)``
  builds SimpleRNN, LSTM and GRU models of the same size, untrained (Keras's
  initialisers), on the long-range task of ``long_range_task`` and returns the norm of
  ``∂loss/∂h_t`` for every step t. ``accuracy_race(config)`` then trains each cell
  briefly at several lengths T and returns its test accuracy: which cell learns the
  dependency as T grows.
* **What does a trained model do with a text?** ``describe_model(run)`` lists the
  recurrent layers with their weights split by gate; ``gate_activations(run, text)``
  recomputes every gate at every step of the text (see ``_gates``).
* **Where do words sit?** ``vector_neighbours(vectors, words)`` and
  ``project_words(vectors, words)`` (PCA to 2-D).

The gradient is computed by running the layer's own cell step by step, each ``h_t`` kept
in the autograd graph (``retain_grad``)::

    h_t, states_t = cell.step(x_t @ kernel + bias, states_{t-1})      t = 1 .. T
    loss = Σ_b BCE(sigmoid(h_T @ w + b), y_b)                          summed over the batch
    g_t  = ∂loss/∂h_t = (∂loss/∂h_T) (∂h_T/∂h_{T-1}) ... (∂h_{t+1}/∂h_t)   (total derivative)

Reading ``∂loss/∂h_t`` off a ``return_sequences`` output instead would give zeros for
t < T: the loss reads only the last output and the recurrence runs through the layer's
internal state, not through that output tensor. For the LSTM, ``h_t`` is one of its two
states; ``g_t`` is the derivative with ``c_t`` held (the path through ``c_t`` reaches the
loss through later steps and is counted there). The norm reported for step t is the mean
over the batch of ``||g_t||``, averaged over `seeds` initialisations.
"""
from __future__ import annotations

import time

import numpy as np
import torch

from .. import set_seed
from ..layers import GRU, LSTM, Dense, Embedding, SimpleRNN
from ..models import Sequential, optimizers
from ..vectors import load_vectors
from ._checks import check_settings
from ._gates import describe_model, gate_activations, split_gates
from ._runs import reporter
from ._threads import torch_threads
from .configs import LongRangeConfig

CELLS = {"simplernn": SimpleRNN, "lstm": LSTM, "gru": GRU}
SIGNAL_TOKENS = (1, 2)  # the first token: 1 means label 0, 2 means label 1

__all__ = ["CELLS", "LongRangeConfig", "accuracy_race", "describe_model", "gate_activations",
           "gradient_flow", "hidden_state_gradients", "long_range_model", "long_range_task",
           "project_words", "split_gates", "vector_neighbours"]


def long_range_task(count, length, vocabulary=10, seed=0):
    """``(x (count, length) int64, y (count,) float32)``: the label is decided by the first
    token alone (1 → 0, 2 → 1, equally often); the other steps are uniform noise tokens
    ``3 .. vocabulary-1``, so a model must carry the first token through T-1 steps.

    >>> x, y = long_range_task(4, 6, seed=1)
    >>> x.shape, bool(((x[:, 0] == 2) == (y == 1)).all()), bool((x[:, 1:] >= 3).all())
    ((4, 6), True, True)
    """
    rng = np.random.default_rng(seed)
    x = rng.integers(SIGNAL_TOKENS[-1] + 1, vocabulary, size=(count, length))
    first = rng.choice(SIGNAL_TOKENS, size=count)
    x[:, 0] = first
    return x.astype(np.int64), (first == SIGNAL_TOKENS[1]).astype(np.float32)


def long_range_model(cell, config, dtype=None):
    """``Embedding(vocabulary, embedding_dim) → cell(units) → Dense(1, sigmoid)``, built,
    with Keras's initialisers (seeded by the caller)."""
    model = Sequential([Embedding(config.vocabulary, config.embedding_dim, dtype=dtype),
                        CELLS[cell](config.units, dtype=dtype),
                        Dense(1, activation="sigmoid", dtype=dtype)], name=f"long_range_{cell}")
    model.build((None, None))
    return model


def hidden_state_gradients(model, x, y) -> np.ndarray:
    """``∂loss/∂h_t`` for every sequence and step, shape ``(B, T, units)``, for a model of
    ``long_range_model``; the loss is the binary cross-entropy summed over the batch, so
    each row is that sequence's own gradient."""
    embedding, recurrent, head = model.layers
    cell = recurrent.cell
    with torch.enable_grad():
        inputs = embedding(torch.as_tensor(x), training=False).detach()  # (B, T, E)
        states = cell.get_initial_state(inputs.shape[0], dtype=inputs.dtype)
        hidden = []
        for x_t in inputs.unbind(1):
            h, states = cell.step(cell.project(x_t), states)  # the layer's own step math
            h.retain_grad()  # a non-leaf keeps its .grad: the total derivative at this step
            hidden.append(h)
        p = head(hidden[-1], training=False).squeeze(-1)  # (B,)
        target = torch.as_tensor(y, dtype=p.dtype)
        loss = torch.nn.functional.binary_cross_entropy(p, target, reduction="sum")
        loss.backward()
    model.zero_grad(set_to_none=True)
    return torch.stack([h.grad for h in hidden], dim=1).numpy()


def gradient_flow(config: LongRangeConfig | None = None, verbose=0) -> dict:
    """The norm of ``∂loss/∂h_t`` against t for each cell, untrained.

    Returns ``{"steps": [1..T], "norms": {cell: (T,) mean over seeds},
    "low"/"high": {cell: (T,) min/max over seeds}, "ratio": {cell: ||g_1|| / ||g_T||}}``.
    """
    config = config or LongRangeConfig()
    _check(config)
    with torch_threads(1):
        return _gradient_flow(config, reporter(verbose))


def _gradient_flow(config, say):
    per_seed = {cell: [] for cell in config.cells}
    for seed in range(config.seed, config.seed + config.seeds):
        x, y = long_range_task(config.sequences, config.length, config.vocabulary, seed)
        for cell in config.cells:
            set_seed(seed)  # every cell starts from the same seed
            model = long_range_model(cell, config)
            gradients = hidden_state_gradients(model, x, y)  # (B, T, u)
            per_seed[cell].append(np.linalg.norm(gradients, axis=-1).mean(axis=0))
        say(f"gradients: seed {seed} done")
    norms = {cell: np.mean(rows, axis=0) for cell, rows in per_seed.items()}
    return {"length": config.length, "steps": list(range(1, config.length + 1)),
            "norms": norms,
            "low": {cell: np.min(rows, axis=0) for cell, rows in per_seed.items()},
            "high": {cell: np.max(rows, axis=0) for cell, rows in per_seed.items()},
            "ratio": {cell: float(n[0] / n[-1]) for cell, n in norms.items()},
            "seeds": config.seeds, "sequences": config.sequences, "units": config.units}


def accuracy_race(config: LongRangeConfig | None = None, verbose=0) -> dict:
    """Train every cell briefly at every T of ``config.lengths``; test accuracy on fresh
    sequences. Chance is 0.5 (the two first tokens are equally likely).

    Returns ``{"lengths": [...], "accuracy": {cell: [...]}, "seconds": {cell: [...]},
    "chance": majority share of the test labels}``.
    """
    config = config or LongRangeConfig()
    _check(config)
    with torch_threads(1):
        return _accuracy_race(config, reporter(verbose))


def _accuracy_race(config, say):
    accuracy = {cell: [] for cell in config.cells}
    seconds = {cell: [] for cell in config.cells}
    chance = []
    for length in config.lengths:
        x, y = long_range_task(config.train_size, length, config.vocabulary, config.seed)
        x_test, y_test = long_range_task(config.test_size, length, config.vocabulary,
                                         config.seed + 10_000)  # other sequences
        chance.append(float(max(y_test.mean(), 1 - y_test.mean())))
        for cell in config.cells:
            set_seed(config.seed)
            model = long_range_model(cell, config)
            model.compile(optimizer=optimizers.Adam(learning_rate=config.learning_rate),
                          loss="binary_crossentropy", metrics=["accuracy"])
            started = time.perf_counter()
            model.fit(x, y, epochs=config.epochs, batch_size=config.batch_size, verbose=0)
            seconds[cell].append(time.perf_counter() - started)
            predicted = model.predict(x_test, batch_size=256, verbose=0)[:, 0] > 0.5
            accuracy[cell].append(float((predicted == (y_test > 0.5)).mean()))
            say(f"race: T={length} {cell}: test accuracy {accuracy[cell][-1]:.3f} "
                f"({seconds[cell][-1]:.1f} s)")
    return {"lengths": list(config.lengths), "accuracy": accuracy, "seconds": seconds,
            "chance": max(chance), "epochs": config.epochs, "train_size": config.train_size,
            "test_size": config.test_size}


def _check(config):
    check_settings(config, counts=("units", "embedding_dim", "sequences", "seeds", "train_size",
                                   "test_size", "epochs", "batch_size"),
                   positive=("learning_rate",))
    for name, values in (("length", [config.length]), ("lengths", config.lengths)):
        bad = [v for v in values if isinstance(v, bool) or not isinstance(v, (int, np.integer))
               or v < 2]
        if bad or not values:
            raise ValueError(f"{name} must be whole numbers >= 2 (T, the steps from the first "
                             f"token to the label), got {name}={bad[0] if bad else values!r}")
    if len(set(config.lengths)) != len(config.lengths):
        raise ValueError(f"lengths has repeated values: {list(config.lengths)}; give each T once")
    unknown = [c for c in config.cells if c not in CELLS]
    if unknown or not config.cells:
        raise ValueError(f"cells must be among {', '.join(CELLS)}, got "
                         f"{unknown[0] if unknown else config.cells!r}")
    if isinstance(config.vocabulary, bool) or not isinstance(config.vocabulary, int) or \
            config.vocabulary < 4:
        raise ValueError(f"vocabulary must be a whole number >= 4 (two label tokens, padding and "
                         f"at least one noise token), got vocabulary={config.vocabulary!r}")


# ------------------------------------------------------------------------- vectors

def read_vectors(path, limit=None):
    """``load_vectors`` with a check of `limit` (None reads every word)."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 2):
        raise ValueError(f"limit must be a whole number >= 2 (words to read), got {limit!r}")
    return load_vectors(path, limit=limit)


def vector_neighbours(vectors, words, topn=5) -> dict:
    """``{word: [(neighbour, cosine), ...]}``, the `topn` nearest words of each (cosine)."""
    _known(vectors, words)
    if isinstance(topn, bool) or not isinstance(topn, int) or topn < 1:
        raise ValueError(f"topn must be a whole number >= 1, got {topn!r}")
    return {word: vectors.most_similar(word, topn=topn) for word in words}


def project_words(vectors, words, neighbours=0) -> dict:
    """The words (and, with `neighbours` > 0, that many nearest words of each) projected on
    the first two principal components of their own vectors::

        X = rows - mean(rows)            (n, d)
        X = U S Vᵀ                       (SVD)
        points = X V[:, :2] = U[:, :2] S[:2]

    Each component's sign is fixed so that its largest-magnitude loading is positive (the
    plot does not flip between runs). Returns ``{"words", "groups" (the chosen word each
    point belongs to), "points" (n, 2), "explained" (share of the variance on each axis)}``.
    """
    _known(vectors, words)
    if isinstance(neighbours, bool) or not isinstance(neighbours, int) or neighbours < 0:
        raise ValueError(f"neighbours must be a whole number >= 0, got {neighbours!r}")
    shown, groups = list(words), list(words)
    for word in words:
        for other, _ in (vectors.most_similar(word, topn=neighbours) if neighbours else []):
            if other not in shown:
                shown.append(other)
                groups.append(word)
    if len(shown) < 2:
        raise ValueError("a projection needs at least 2 distinct words, got "
                         f"{list(words)!r}: name more words or add --neighbours")
    rows = np.stack([np.asarray(vectors[w], dtype=np.float64) for w in shown])
    centred = rows - rows.mean(axis=0)
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    components = components[:2]
    flip = np.sign(components[np.arange(len(components)),
                              np.abs(components).argmax(axis=1)])
    components = components * flip[:, None]
    points = centred @ components.T
    if points.shape[1] == 1:  # two words: one axis holds everything
        points = np.hstack([points, np.zeros_like(points)])
    variance = singular ** 2
    explained = variance[:2] / variance.sum() if variance.sum() else np.zeros(2)
    return {"words": shown, "groups": groups, "points": points,
            "explained": np.pad(explained, (0, 2 - len(explained)))}


def _known(vectors, words):
    words = list(words)
    if not words:
        raise ValueError("no words given: name the words to inspect (e.g. --words king queen)")
    missing = [w for w in words if w not in vectors]
    if missing:
        raise KeyError(f"{', '.join(map(repr, missing))} not among the {len(vectors):,} words "
                       "of the vectors: check the spelling and case (GloVe is lowercase), or "
                       "read more of the file (a larger --limit)")
