"""Language-model pretraining for the recurrent classifiers (Dai & Le 2015; ULMFiT, Howard &
Ruder 2018).

    unlabelled texts + training texts --the run's tokenizer--> one token stream
        --> windows of `pretrain_context` tokens
        --> Embedding -> LSTM(return_sequences) -> Dense(softmax): the next token at each step

``transfer`` then copies the language model's Embedding and recurrent layer into the
classifier (``pretrain_transfer="embedding"``: the Embedding only), and ``fine_tune`` trains the classifier with ULMFiT's gradual unfreezing: the
first epoch trains the head only (Embedding and recurrent layer frozen), the second also the
recurrent layer, later epochs everything; the optimizer is made anew at each stage (Keras's
rule: compile again after changing ``trainable``). For ``bilstm`` a second language model
reads the stream backwards, with the forward model's Embedding frozen (the classifier shares
one Embedding), and initialises the backward layer.

The language model trains with the run's optimizer at ``pretrain_learning_rate`` (0.01 by
default: ten times Adam's default, as ULMFiT trains its language model fast; at 0.001 a
small model on 20,000 reviews stays near the unigram perplexity for several epochs).
The output layer predicts the `pretrain_vocab` most frequent tokens and all others as the
unknown id 1 (every token still has its input embedding): a softmax over the whole
vocabulary would cost tens of times the recurrent layer on a CPU. The held-out perplexity in
metrics.json is over those classes, on a seeded 5 % of the texts held out from training
(texts that occur twice, e.g. a file holding the training texts, are used once).
"""
from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from ..data import load_imdb, registry
from ..layers import GRU, LSTM, Bidirectional, Dense, Embedding, Input, SimpleRNN
from ..models import Sequential, callbacks
from ._checks import optimizer_for
from .generate import read_text

CELLS = {"rnn": SimpleRNN, "lstm": LSTM, "gru": GRU, "bilstm": LSTM}
IMDB_UNSUP = "imdb-unsup"
HELD_OUT = 0.05
UNKNOWN_ID = 1  # the <OOV> / <unk> index of every tokenizer of the recipe


def unlabelled_texts(spec, limit=None, seed=0, data=None) -> list[str]:
    """The IMDB ``unsup`` reviews (``"imdb-unsup"``: from `data` when it is an aclImdb
    folder or tarball, else the downloaded dataset) or the lines of a UTF-8 text file, at
    most `limit` of them (a seeded sample, in file order)."""
    if spec == IMDB_UNSUP:
        local = data and Path(data).exists() and (Path(data).is_dir() or
                                                  str(data).endswith((".tar.gz", ".tgz")))
        texts = load_imdb(data if local else registry.fetch("imdb"), "unsup", clean=True).texts
    else:
        texts = [line for line in read_text(spec) if line.strip()]
    if limit and limit < len(texts):
        chosen = np.sort(np.random.default_rng(seed).permutation(len(texts))[:limit])
        texts = [texts[i] for i in chosen]
    return list(texts)


def token_windows(sequences, context, outputs, reverse=False):
    """``(x, y)``, each ``(n, context)``: consecutive windows of the concatenated
    `sequences` (read backwards with `reverse`) and the next token of each position, ids
    ``>= outputs`` replaced by the unknown id in `y`."""
    parts = [np.asarray(s, dtype=np.int64) for s in sequences if len(s)]
    stream = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    stream = np.ascontiguousarray(stream[::-1]) if reverse else stream
    count = (len(stream) - 1) // context
    x = stream[:count * context].reshape(count, context)
    y = stream[1:count * context + 1].reshape(count, context).copy()
    y[y >= outputs] = UNKNOWN_ID
    return x, y


def language_model(vocab_size, outputs, config, embedding=None) -> Sequential:
    """``Embedding -> recurrent(return_sequences) -> Dense(outputs, softmax)``, with the
    classifier's sizes; `embedding` (weights) given: copied and frozen."""
    layer = Embedding(vocab_size, config.embedding_dim, trainable=embedding is None,
                      weights=None if embedding is None else [embedding])
    cell = CELLS[config.model](config.units, return_sequences=True)
    return Sequential([Input(shape=(config.pretrain_context,), dtype="int32"), layer, cell,
                       Dense(outputs, activation="softmax")], name="language_model")


def pretrain(config, tokenizer, train_texts, say) -> tuple[list, dict]:
    """Train the language model(s) on the unlabelled texts plus `train_texts`; returns
    ``([forward model, backward model (bilstm only)], metrics)``."""
    started = time.perf_counter()
    unlabelled = unlabelled_texts(config.pretrain, config.pretrain_limit, config.seed,
                                  config.data)
    texts = list(dict.fromkeys(unlabelled + list(train_texts)))  # each text once
    order = np.random.default_rng(config.seed).permutation(len(texts))
    cut = len(texts) - max(1, int(round(len(texts) * HELD_OUT)))
    sequences = tokenizer.texts_to_sequences(texts)
    train_part = [sequences[i] for i in order[:cut]]
    held_part = [sequences[i] for i in order[cut:]]
    outputs = min(config.pretrain_vocab, tokenizer.vocab_size)
    say(f"pretraining: {len(texts):,} texts ({sum(map(len, train_part)):,} tokens, "
        f"{HELD_OUT:.0%} held out), next-token softmax over the {outputs:,} most frequent ids")
    models, records = [], []
    backward = config.model == "bilstm" and config.pretrain_transfer == "all"
    for reverse in ([False, True] if backward else [False]):
        embedding = models[0].layers[0].get_weights()[0] if reverse else None
        model = language_model(tokenizer.vocab_size, outputs, config, embedding)
        record = _train_language_model(model, train_part, held_part, outputs, reverse, config)
        models.append(model)
        records.append(record)
        say(f"language model ({'backward' if reverse else 'forward'}): held-out perplexity "
            f"{record['perplexity']:.1f}")
    metrics = {"source": config.pretrain, "texts": len(texts), "outputs": outputs,
               "tokens": int(sum(map(len, train_part))), "perplexity": records[0]["perplexity"],
               "language_models": records, "seconds": round(time.perf_counter() - started, 1)}
    return models, metrics


def _train_language_model(model, train_part, held_part, outputs, reverse, config) -> dict:
    x, y = token_windows(train_part, config.pretrain_context, outputs, reverse)
    x_val, y_val = token_windows(held_part, config.pretrain_context, outputs, reverse)
    if len(x) == 0 or len(x_val) == 0:
        raise ValueError(f"--pretrain {config.pretrain}: too little text for one window of "
                         f"{config.pretrain_context + 1} tokens in the training or held-out "
                         "part; give more text or lower --pretrain-context")
    optimizer = optimizer_for(config)
    optimizer.learning_rate = config.pretrain_learning_rate
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    best = callbacks.EarlyStopping(monitor="val_loss", patience=config.pretrain_epochs,
                                   restore_best_weights=True)
    history = model.fit(x, y, batch_size=config.batch_size, epochs=config.pretrain_epochs,
                        validation_data=(x_val, y_val), callbacks=[best], verbose=0)
    loss = min(history.history["val_loss"])
    return {"direction": "backward" if reverse else "forward", "windows": int(len(x)),
            "perplexity": round(math.exp(min(loss, 700)), 3),
            "history": history.history}


def transfer(language_models, classifier, layers="all") -> None:
    """Copy the language model(s)' Embedding and (``layers="all"``) recurrent weights into
    `classifier` (``build_classifier`` order: Embedding, recurrent layer, ..., head)."""
    embedding, recurrent = classifier.layers[0], classifier.layers[1]
    embedding.set_weights(language_models[0].layers[0].get_weights())
    if layers == "embedding":
        return
    if isinstance(recurrent, Bidirectional):
        recurrent.forward_layer.set_weights(language_models[0].layers[1].get_weights())
        recurrent.backward_layer.set_weights(language_models[1].layers[1].get_weights())
    else:
        recurrent.set_weights(language_models[0].layers[1].get_weights())


def fine_tune(model, x, y, config, compile_model, verbose):
    """``fine_tune="gradual"``: epoch 1 trains the head only, epoch 2 also the recurrent
    layer, then everything; ``"all"``: everything from the start. Keeps the weights of the
    epoch with the lowest validation loss (with a validation split) and returns the
    ``History`` of all epochs."""
    embedding, recurrent = model.layers[0], model.layers[1]
    history, best = callbacks.History(), (math.inf, None)
    stages = 3 if config.fine_tune == "gradual" else 1
    for epoch in range(config.epochs):
        if epoch < stages:  # a new stage: set what trains and make a new optimizer
            thawed = epoch + 3 - stages  # 0: head, 1: + recurrent, 2: + embedding
            embedding.trainable, recurrent.trainable = thawed >= 2, thawed >= 1
            compile_model(model)
        step = model.fit(x, y, batch_size=config.batch_size, epochs=epoch + 1,
                         initial_epoch=epoch, validation_split=config.validation_split,
                         verbose=verbose)
        for key, values in step.history.items():
            history.history.setdefault(key, []).extend(values)
        history.epoch.append(epoch)
        loss = step.history.get("val_loss", [math.inf])[-1]
        if loss < best[0]:
            best = (loss, {k: v.detach().clone() for k, v in model.state_dict().items()})
    embedding.trainable = recurrent.trainable = True
    if best[1] is not None:
        model.load_state_dict(best[1])
    return history
