"""Classification scores: accuracy, per-class precision/recall/F1, the confusion matrix and
the majority-class baseline, from labels and predicted labels."""
from __future__ import annotations

import numpy as np


def classification_report(truth, predicted, label_names, majority_label):
    """A dict of scores (plain Python values, ready for JSON)."""
    truth, predicted = np.asarray(truth), np.asarray(predicted)
    classes = len(label_names)
    confusion = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(confusion, (truth, predicted), 1)
    per_class = {}
    for index, name in enumerate(label_names):
        true_positive = confusion[index, index]
        predicted_count, actual_count = confusion[:, index].sum(), confusion[index].sum()
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / actual_count if actual_count else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = {"precision": float(precision), "recall": float(recall),
                           "f1": float(f1), "support": int(actual_count)}
    return {
        "samples": int(len(truth)),
        "accuracy": float((truth == predicted).mean()) if len(truth) else 0.0,
        "macro_f1": float(np.mean([c["f1"] for c in per_class.values()])),
        "majority_baseline_accuracy": float((truth == majority_label).mean()),
        "majority_label": label_names[majority_label],
        "per_class": per_class,
        "confusion_matrix": confusion.tolist(),
        "labels": list(label_names),
    }
