"""Recipe: train a text classifier, evaluate it, predict with it.

    texts --tokenizer--> indices --pad--> (n, maxlen) --model--> class probabilities

``train(ClassifyConfig(...))`` reads the data, fits a tokenizer (words, subword pieces,
Korean morphemes or characters: ``_classifiers.TOKENIZERS``) on the training texts only,
builds the model by name (``_classifiers.ARCHITECTURES``), optionally starts it from a
language model pretrained on unlabelled text (``_pretrain``), trains it (keeping the
weights of the epoch with the lowest validation loss), scores it on the held-out test
texts beside the majority-class baseline, and writes one run folder:

    model.safetensors   the model with its tokenizer (``seqlab.models.load_model``), which
                        ``evaluate``/``predict`` use as saved (subword model, analyzer)
    config.json         the settings of the run
    metrics.json        test accuracy, per-class precision/recall/F1, baseline, history
    curves.png          learning curves
    confusion.png       the confusion matrix on the test texts

The folder is written under a temporary name and renamed at the end, so a failed run
leaves nothing behind.
"""
from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np

from .. import set_seed
from ..data import LabeledTexts, load_imdb_splits, load_sarcasm, read_labeled, registry
from ..data._synthetic import synthetic_reviews
from ..models import callbacks, load_model
from ..text import pad_sequences
from ..vectors import embedding_matrix, load_vectors
from ..viz import plot_confusion
from ._checks import check_label_column, check_run, check_settings, optimizer_for
from ._classifiers import ARCHITECTURES, TOKENIZERS, build_classifier, build_tokenizer
from ._pretrain import CELLS, fine_tune, pretrain, transfer
from ._runs import (
    check_output,
    config_record,
    how_it_ended,
    read_config,
    read_json,
    reporter,
    run_folder,
    write_json,
)
from ._scores import classification_report
from ._threads import config_threads, torch_threads
from .configs import ClassifyConfig

STANDARD = ("synthetic", "imdb", "sarcasm")  # data names that need no path
SARCASM_COURSE_TRAIN = 20000  # the TensorFlow course trains on the first 20,000 headlines
PATH_FIELDS = ("data", "test_data", "vectors", "pretrain")  # made absolute in config.json


@config_threads
def train(config: ClassifyConfig, verbose=1) -> dict:
    """Run the recipe; returns the metrics written to ``metrics.json``."""
    _check(config)
    say = reporter(verbose)
    set_seed(config.seed)
    train_set, test_set = load_data(config)
    _check_classes(train_set)
    check_label_column(train_set, config.text_column, config.label_column)
    say(f"data: {train_set.source}: {len(train_set):,} training texts {train_set.counts()}, "
        f"{len(test_set):,} test texts")
    tokenizer = build_tokenizer(config.tokenizer, config.num_words, config.subword_vocab,
                                config.seed)
    tokenizer.fit_on_texts(train_set.texts)
    sequences = tokenizer.texts_to_sequences(train_set.texts)
    say(_described(tokenizer, sequences, config, train_set.source))
    # Shuffled once, so that validation_split (the last texts) is not one class of a file
    # sorted by label, as IMDB's reader returns them.
    order = np.random.default_rng(config.seed).permutation(len(train_set))
    x_train, y_train = _padded(sequences, config)[order], train_set.labels[order]
    x_test = _pad(tokenizer, test_set.texts, config)
    weights, coverage = None, None
    if config.vectors:
        weights, coverage = embedding_matrix(tokenizer, load_vectors(config.vectors))
        say(f"vectors: {coverage['found']:,} of {coverage['words']:,} words found in "
            f"{config.vectors} ({coverage['coverage']:.0%})")
    model = build_classifier(config.model, tokenizer.vocab_size, len(train_set.label_names),
                             weights.shape[1] if weights is not None else config.embedding_dim,
                             config.units, config.dropout, config.recurrent_dropout,
                             weights, config.trainable_vectors if weights is not None else True,
                             maxlen=config.maxlen)
    binary = len(train_set.label_names) == 2

    def compile_model(model):
        model.compile(optimizer=optimizer_for(config), metrics=["accuracy"],
                      loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy")
    pretraining = None
    if config.pretrain:
        language_models, pretraining = pretrain(config, tokenizer, train_set.texts, say)
        transfer(language_models, model, config.pretrain_transfer)
    compile_model(model)
    if verbose:
        model.summary()
    started = time.perf_counter()
    if config.pretrain:
        history = fine_tune(model, x_train, y_train, config, compile_model, verbose)
    else:
        history = _fit(model, x_train, y_train, config, verbose)
    seconds = time.perf_counter() - started
    ended = how_it_ended(history)
    majority = int(np.bincount(train_set.labels).argmax())
    metrics = _score(model, x_test, test_set, majority)
    losses = history.history.get("val_loss")
    metrics.update(training_seconds=round(seconds, 1), history=history.history,
                   best_epoch=int(np.argmin(losses)) + 1 if losses else len(history.epoch),
                   train_samples=len(train_set), test_samples=len(test_set),
                   parameters=model.count_params(), embedding_coverage=coverage, **ended)
    model.preprocessing = {"maxlen": config.maxlen, "padding": config.padding,
                           "label_names": train_set.label_names}  # checked against config.json
    if pretraining:
        metrics.update(language_model_perplexity=pretraining["perplexity"],
                       pretraining=pretraining)
    with run_folder(config.output, config.overwrite) as folder:
        model.save(folder / "model.safetensors", tokenizer=tokenizer)
        write_json(folder / "config.json", {**config_record(config, PATH_FIELDS),
                                            "label_names": train_set.label_names})
        write_json(folder / "metrics.json", metrics)
        history.plot(folder / "curves.png", kept_epoch=metrics["best_epoch"])
        plot_confusion(metrics["confusion_matrix"], train_set.label_names,
                       folder / "confusion.png",
                       title=f"{config.model} on {Path(config.data).name}: test texts")
    return metrics


def _fit(model, x, y, config, verbose):
    """``model.fit``; with validation texts, the weights of the epoch with the lowest
    validation loss are kept (Keras's ModelCheckpoint(save_best_only=True) habit), else
    the last epoch's."""
    best = [callbacks.EarlyStopping(monitor="val_loss", patience=config.epochs,
                                    restore_best_weights=True)] if config.validation_split else []
    return model.fit(x, y, epochs=config.epochs, batch_size=config.batch_size,
                     validation_split=config.validation_split, callbacks=best, verbose=verbose)


def _described(tokenizer, sequences, config, source) -> str:
    """The tokenizer's stage line; ValueError when every training text is empty after
    tokenization (nothing to learn from)."""
    lengths = np.array([len(s) for s in sequences])
    if not lengths.any():
        raise ValueError(f"{source}: every training text is empty after tokenization with "
                         f"--tokenizer {config.tokenizer} (no token kept); check the text "
                         "column, or choose another tokenizer (subword and chars keep every "
                         "character)")
    if config.tokenizer == "subword":
        kind = f"{tokenizer.vocab_size:,} SentencePiece pieces (padding, <unk>, 256 bytes included)"
    else:
        unit = {"morph": "morphemes", "chars": "characters"}.get(config.tokenizer, "words")
        kind = (f"{len(tokenizer.word_index) - 1:,} distinct {unit} in the training texts, the "
                f"{tokenizer.vocab_size - 2:,} most frequent kept (with padding and <OOV>)")
    return (f"tokenizer: {config.tokenizer}: {kind}; Embedding input_dim "
            f"{tokenizer.vocab_size:,}; {np.mean(lengths):.0f} tokens per text on average, "
            f"{np.mean(lengths == 0):.1%} empty; maxlen {config.maxlen} truncates "
            f"{np.mean(lengths > config.maxlen):.0%}")


@torch_threads(1)
def evaluate(run, data=None, text_column="text", label_column="label") -> dict:
    """Score a trained run on its own test split, or on `data` (a dataset or a file)."""
    model, config, label_names = _load_run(run)
    if data is None:
        _, test_set = load_data(config)
    else:
        table = ClassifyConfig(text_column=text_column, label_column=label_column)
        test_set = _aligned(_read_any(data, table)[0], label_names)
    x = _pad(model.tokenizer, test_set.texts, config)
    majority = label_names.index(read_json(Path(run) / "metrics.json")["majority_label"])
    return _score(model, x, test_set, majority)


class Prediction(tuple):
    """``(label, {label: probability})`` of one text, plus how much of the text the model
    could read: ``known_tokens`` of its ``tokens`` are in the tokenizer's vocabulary (the
    rest became the OOV token). With no known token the label is the model's answer to
    padding alone, whatever the text says."""

    def __new__(cls, label, probabilities, known_tokens, tokens):
        prediction = super().__new__(cls, (label, probabilities))
        prediction.known_tokens, prediction.tokens = known_tokens, tokens
        return prediction

    label = property(lambda self: self[0])
    probabilities = property(lambda self: self[1])


@torch_threads(1)
def predict(run, texts) -> list:
    """``[Prediction(label, {label: probability})]`` for each text (each unpacks as the
    pair; ``.known_tokens`` and ``.tokens`` count the words the model knew). Warns when a
    text has no known token: its label says nothing about it."""
    if isinstance(texts, (str, bytes)):
        raise TypeError("predict takes a list of texts; for one text pass [text]")
    model, config, names = _load_run(run)
    texts = [str(t) for t in texts]
    if not texts:
        raise ValueError("predict got no texts")
    sequences = model.tokenizer.texts_to_sequences(texts)
    oov = model.tokenizer.word_index.get(model.tokenizer.oov_token)
    probabilities = _probabilities(model, _padded(sequences, config))
    predictions = [Prediction(names[int(row.argmax())], {n: float(p) for n, p in zip(names, row)},
                              sum(token != oov for token in sequence), len(sequence))
                   for row, sequence in zip(probabilities, sequences)]
    blind = [i + 1 for i, p in enumerate(predictions) if p.known_tokens == 0]
    if blind:
        warnings.warn(f"{len(blind)} of {len(texts)} texts have no word the model knows "
                      f"(text{'s' * (len(blind) > 1)} {_numbers(blind)}): their labels are "
                      "its answer to an empty text", UnknownWordsWarning,
                      stacklevel=3)  # the caller, past the torch_threads decorator
    return predictions


class UnknownWordsWarning(UserWarning):
    """Texts given to ``predict`` with no word of the model's vocabulary."""


def _numbers(items, shown=10) -> str:
    return ", ".join(map(str, items[:shown])) + (", ..." if len(items) > shown else "")


# ------------------------------------------------------------------------------ data

def _check(config):
    check_settings(config, counts=("num_words", "maxlen", "embedding_dim", "units", "epochs",
                                   "batch_size"),
                   fractions=("dropout", "recurrent_dropout", "validation_split"),
                   positive=("learning_rate",),
                   choices={"model": list(ARCHITECTURES), "padding": ["pre", "post"],
                            "tokenizer": list(TOKENIZERS), "fine_tune": ["gradual", "all"],
                            "pretrain_transfer": ["all", "embedding"]})
    _check_tokenizer(config)
    if not 0 < config.test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {config.test_fraction!r}")
    for name in ("limit", "train_size"):
        if getattr(config, name) is not None:
            check_settings(config, counts=(name,))
    optimizer_for(config)  # an unknown name fails here, not after loading data
    if config.vectors and not Path(config.vectors).is_file():
        raise FileNotFoundError(f"{config.vectors}: no such vectors file")
    check_output(config.output, config.overwrite)


def _check_tokenizer(config):
    """The tokenizer and pretraining settings, checked before reading data."""
    check_settings(config, counts=("subword_vocab", "pretrain_epochs", "pretrain_vocab",
                                   "pretrain_context"), positive=("pretrain_learning_rate",))
    if config.tokenizer == "subword" and config.subword_vocab < 300:
        raise ValueError(f"subword_vocab must be >= 300 (it includes padding, <unk> and the 256 "
                         f"byte pieces), got {config.subword_vocab}")
    build_tokenizer(config.tokenizer, config.num_words, config.subword_vocab)  # the extras
    if config.vectors and config.tokenizer == "subword":
        raise ValueError("--vectors holds word vectors: use them with --tokenizer words (or "
                         "morph), not subword pieces")
    if config.pretrain_limit is not None:
        check_settings(config, counts=("pretrain_limit",))
    if config.pretrain:
        if config.model not in CELLS:
            raise ValueError(f"--pretrain starts a recurrent classifier from a language model: "
                             f"use --model {', '.join(CELLS)}, got {config.model!r}")
        if config.vectors:
            raise ValueError("--pretrain and --vectors both set the Embedding: choose one")
        if config.pretrain != "imdb-unsup" and not Path(config.pretrain).is_file():
            raise FileNotFoundError(f"--pretrain {config.pretrain}: no such text file (give a "
                                    "UTF-8 text file, one text per line, or imdb-unsup)")


def load_data(config) -> tuple[LabeledTexts, LabeledTexts]:
    """(train, test) texts for the configured data."""
    name = config.data
    if name == "synthetic":
        texts, labels = synthetic_reviews(12000, seed=config.seed)
        data = LabeledTexts(texts, labels, ["negative", "positive"], "synthetic reviews")
        train_set, test_set = data.subset(range(10000)), data.subset(range(10000, 12000))
    elif name in ("imdb", "sarcasm") and not Path(name).exists():
        train_set, test_set = _standard(name)
    else:
        train_set, test_set = _read_any(name, config)
        if config.test_data:
            test_set = _aligned(_read_any(config.test_data, config)[0], train_set.label_names)
        elif config.train_size:
            if test_set is not None:
                raise ValueError(f"{name} has its own test split: train_size applies to a "
                                 "single file of texts")
            train_set, test_set = _first(train_set, config.train_size)
        elif test_set is None:
            train_set, test_set = _split(train_set, config.test_fraction, config.seed)
    if config.limit:
        rng = np.random.default_rng(config.seed)
        chosen = np.sort(rng.permutation(len(train_set))[:config.limit])
        train_set = train_set.subset(chosen)
    if len(train_set) == 0 or len(test_set) == 0:
        raise ValueError(f"{config.data}: no texts to train or test on "
                         f"({len(train_set)} training, {len(test_set)} test)")
    return train_set, test_set


def _standard(name):
    """The standard splits: IMDB's train/test; sarcasm's course split (first 20,000)."""
    path = registry.fetch(name)
    if name == "imdb":
        splits = load_imdb_splits(path, clean=True)
        return splits["train"], splits["test"]
    return _first(load_sarcasm(path), SARCASM_COURSE_TRAIN)


def _first(data, count):
    """The first `count` texts, and the rest."""
    if count >= len(data):
        raise ValueError(f"train_size={count} leaves no texts to test on: {data.source} has "
                         f"{len(data):,}")
    return data.subset(range(count)), data.subset(range(count, len(data)))


def _read_any(spec, config):
    """``(texts, its test split or None)`` from a path: an IMDB folder or tarball (which
    has a test split), the sarcasm JSON, or a table of texts and labels."""
    path = Path(spec)
    if not path.exists():
        raise FileNotFoundError(f"{spec}: no such file or folder, and not one of the dataset "
                                f"names {', '.join(STANDARD)}")
    if path.is_dir() or path.name.endswith((".tar.gz", ".tgz")):
        splits = load_imdb_splits(path, clean=True)
        return splits["train"], splits["test"]
    if path.suffix == ".json":
        return load_sarcasm(path), None
    return read_labeled(path, config.text_column, config.label_column), None


def _split(data, fraction, seed):
    order = np.random.default_rng(seed).permutation(len(data))
    cut = int(round(len(data) * (1 - fraction)))
    return data.subset(np.sort(order[:cut])), data.subset(np.sort(order[cut:]))


def _aligned(data, label_names):
    """`data` with its labels renumbered to a trained run's label names."""
    unknown = sorted(set(data.label_names) - set(label_names))
    if unknown:
        raise ValueError(f"{data.source}: labels {unknown} were not in the training data "
                         f"({label_names})")
    mapping = np.array([label_names.index(n) for n in data.label_names])
    return LabeledTexts(data.texts, mapping[data.labels], list(label_names), data.source)


def _check_classes(data):
    present = [name for name, count in data.counts().items() if count > 0]
    if len(present) < 2:
        raise ValueError(f"{data.source}: every training text has the label {present}; a "
                         "classifier needs at least two classes")


def _pad(tokenizer, texts, config):
    return _padded(tokenizer.texts_to_sequences(texts), config)


def _padded(sequences, config):
    return pad_sequences(sequences, maxlen=config.maxlen, padding=config.padding,
                         truncating=config.padding)


# --------------------------------------------------------------------------- scoring

def _probabilities(model, x):
    output = model.predict(x, batch_size=256, verbose=0)
    if output.shape[-1] == 1:  # one sigmoid: the probability of class 1
        return np.concatenate([1 - output, output], axis=-1)
    return output


def _score(model, x, data, majority):
    predicted = _probabilities(model, x).argmax(axis=-1)
    return classification_report(data.labels, predicted, data.label_names, majority)


def _load_run(run):
    """``(model, config, label names)`` of a run folder."""
    folder = Path(run)
    config, extra = read_config(folder, ClassifyConfig, "classification", ["label_names"])
    model = load_model(folder / "model.safetensors")
    if getattr(model, "tokenizer", None) is None:
        raise ValueError(f"{folder}: the saved model has no tokenizer")
    return model, config, check_run(folder, config, extra["label_names"], model)
