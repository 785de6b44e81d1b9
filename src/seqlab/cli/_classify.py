"""``seqlab classify train|evaluate|predict``: the text-classification recipe."""
from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table

from ..tasks.configs import CLASSIFIERS, TOKENIZERS, ClassifyConfig
from ._options import (
    THREADS_HELP,
    add_config_options,
    config_from,
    input_texts,
    say_if_interrupted,
)

HELP = {
    "data": "'synthetic' (built in), 'imdb' or 'sarcasm' (downloaded), an aclImdb folder or "
            ".tar.gz, a sarcasm .json, or a CSV/TSV/JSON-lines table of texts and labels",
    "test_data": "a separate table to test on (default: the dataset's own test split, or "
                 "--test-fraction of a single table)",
    "text_column": "the texts' column in a table",
    "label_column": "the labels' column in a table",
    "test_fraction": "share of a single table held out for testing",
    "train_size": "the first N texts train and the rest test, in file order (e.g. 20000 for "
                  "the sarcasm course split of a local file)",
    "limit": "train on at most this many texts (a seeded sample)",
    "model": "architecture: " + ", ".join(CLASSIFIERS),
    "tokenizer": "how texts become tokens: " + "; ".join(f"{k}: {v}" for k, v in
                                                          TOKENIZERS.items()),
    "num_words": "vocabulary size: the num_words-1 most frequent training words (words, "
                 "morph, chars)",
    "subword_vocab": "ids of the subword tokenizer, padding, <unk> and 256 bytes included",
    "maxlen": "tokens per text after padding/truncating",
    "padding": "'pre' or 'post' (also the truncating side)",
    "embedding_dim": "embedding size (ignored with --vectors: their size is used)",
    "units": "recurrent units / convolution filter scale",
    "dropout": "input dropout of recurrent layers (and a Dropout layer in bow/cnn/stacked)",
    "recurrent_dropout": "dropout on the recurrent state",
    "vectors": "pretrained word vectors (GloVe or word2vec text) for the Embedding",
    "trainable_vectors": "fine-tune the pretrained vectors (default: frozen)",
    "epochs": "passes over the training texts",
    "batch_size": "texts per gradient step",
    "optimizer": "adam, rmsprop, sgd, adagrad or adamw",
    "learning_rate": "the optimizer's learning rate (default: Keras's for that optimizer)",
    "validation_split": "share of the training texts (the last ones) watched during training",
    "pretrain": "pretrain a language model on this UTF-8 text file (one text per line) or "
                "on 'imdb-unsup' (IMDB's 50,000 unlabelled reviews), plus the training texts, "
                "and start the classifier's Embedding and recurrent layer from it "
                "(rnn, lstm, gru, bilstm; fine-tuned with gradual unfreezing)",
    "pretrain_epochs": "language-model passes over its texts",
    "pretrain_limit": "use at most this many unlabelled texts (a seeded sample)",
    "pretrain_vocab": "the language model predicts the most frequent N ids (the rest as "
                      "unknown)",
    "pretrain_context": "tokens per language-model training window",
    "pretrain_learning_rate": "the language model's learning rate (the optimizer is "
                              "--optimizer's)",
    "pretrain_transfer": "after --pretrain: start the Embedding and the recurrent layer "
                         "('all') or only the Embedding ('embedding') from the language model",
    "fine_tune": "after --pretrain: 'gradual' (epoch 1 the head only, epoch 2 also the "
                 "recurrent layer, then all) or 'all' layers from the start",
    "seed": "seed for sampling, splitting, initialisation and shuffling",
    "threads": THREADS_HELP,
    "output": "the run folder to write (must not exist unless --overwrite)",
    "overwrite": "replace an existing run folder (only once the new run has succeeded)",
}


def add(commands):
    classify_parser = commands.add_parser(
        "classify", help="train, evaluate and use text classifiers",
        description="Text classification: texts -> Tokenizer -> padded sequences -> model.")
    classify_parser.set_defaults(command_parser=classify_parser)
    actions = classify_parser.add_subparsers(dest="action", metavar="ACTION")

    train = actions.add_parser(
        "train", help="train a classifier and write a run folder",
        description="Train a classifier and write one run folder: model.safetensors (with its "
                    "tokenizer), config.json, metrics.json, curves.png, confusion.png. The "
                    "folder appears only when the run succeeds.")
    add_config_options(train, ClassifyConfig, HELP)
    train.add_argument("--quiet", action="store_true", help="no progress bars or summaries")
    train.set_defaults(run=_train)

    evaluate = actions.add_parser(
        "evaluate", help="score a run folder on its test split or on another table",
        description="Accuracy, per-class precision/recall/F1 and the majority-class baseline.")
    evaluate.add_argument("run_folder", metavar="RUN")
    evaluate.add_argument("--data", help="a table (or dataset) to score instead of the run's "
                                         "own test split")
    evaluate.add_argument("--text-column", default="text")
    evaluate.add_argument("--label-column", default="label")
    evaluate.set_defaults(run=_evaluate)

    predict = actions.add_parser(
        "predict", help="label texts with a trained run",
        description="Prints one line per text: label, its probability, known/all "
                    "tokens (words in the model's vocabulary), the text (tab separated); a "
                    "warning names the texts with no or few known words. Texts come from "
                    "the arguments, from --file (one per line), or from standard input when "
                    "neither is given.")
    predict.add_argument("run_folder", metavar="RUN")
    predict.add_argument("texts", nargs="*", metavar="TEXT")
    predict.add_argument("--file", help="a UTF-8 file with one text per line ('-': stdin)")
    predict.add_argument("--all", action="store_true",
                         help="print every label's probability, not just the chosen one's")
    predict.set_defaults(run=_predict)


def _train(args) -> int:
    from ..tasks import classify

    config = config_from(args, ClassifyConfig)
    metrics = classify.train(config, verbose=0 if args.quiet else 1)
    console = Console()
    console.print(scores_table(metrics, f"{config.model} on {config.data}: "
                                        f"{metrics['samples']:,} test texts"))
    console.print(f"trained in {metrics['training_seconds']:.0f} s; run folder: "
                  f"{config.output} (model.safetensors, metrics.json, curves.png, "
                  "confusion.png)")
    say_if_interrupted("classify train", metrics, config.epochs, metrics["best_epoch"])
    return 0


def _evaluate(args) -> int:
    from ..tasks import classify

    metrics = classify.evaluate(args.run_folder, args.data, args.text_column, args.label_column)
    Console().print(scores_table(metrics, f"{args.run_folder} on "
                                          f"{args.data or 'its test split'}: "
                                          f"{metrics['samples']:,} texts"))
    return 0


def _predict(args) -> int:
    import warnings

    from ..tasks import classify

    texts = input_texts(args.texts, args.file, "label")
    with warnings.catch_warnings():  # said below, with the texts that read little
        warnings.simplefilter("ignore", classify.UnknownWordsWarning)
        predictions = classify.predict(args.run_folder, texts)
    for text, prediction in zip(texts, predictions):
        label, probabilities = prediction
        shown = (" ".join(f"{name}={p:.4f}" for name, p in probabilities.items()) if args.all
                 else f"{probabilities[label]:.4f}")
        print(f"{label}\t{shown}\t{prediction.known_tokens}/{prediction.tokens}\t{text}")
    _warn_unknown(predictions)
    return 0


def _warn_unknown(predictions):
    """On stderr: the texts with no known word, and those with fewer than half known."""
    none = [i for i, p in enumerate(predictions, 1) if p.known_tokens == 0]
    few = [i for i, p in enumerate(predictions, 1) if 0 < p.known_tokens < p.tokens / 2]
    for numbers, what in ((none, "no word the model knows: its label is the model's answer "
                                 "to an empty text"),
                          (few, "fewer than half of its words known: its label rests on "
                                "those few")):
        if numbers:
            shown = ", ".join(map(str, numbers[:10])) + (", ..." if len(numbers) > 10 else "")
            print(f"seqlab classify predict: warning: {len(numbers)} of {len(predictions)} "
                  f"texts (line{'s' * (len(numbers) > 1)} {shown}) with {what}",
                  file=sys.stderr)


def scores_table(metrics, title) -> Table:
    """Per-class precision/recall/F1, then accuracy beside the majority baseline."""
    table = Table(title=title, show_header=True, header_style="bold")
    for column in ("label", "precision", "recall", "F1", "texts"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for name, scores in metrics["per_class"].items():
        table.add_row(name, f"{scores['precision']:.3f}", f"{scores['recall']:.3f}",
                      f"{scores['f1']:.3f}", f"{scores['support']:,}")
    table.add_section()
    table.add_row("accuracy", "", "", f"{metrics['accuracy']:.4f}", f"{metrics['samples']:,}")
    table.add_row("macro F1", "", "", f"{metrics['macro_f1']:.4f}", "")
    table.add_row(f"baseline: always '{metrics['majority_label']}'", "", "",
                  f"{metrics['majority_baseline_accuracy']:.4f}", "")
    return table
