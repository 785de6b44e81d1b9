"""Metrics: epoch accumulation equals the value on the concatenated data, Keras's weighted
count, AutoAccuracy's resolution, Precision/Recall on a hand-counted confusion matrix."""
import numpy as np
import pytest
import torch

from seqlab.models import losses, metrics
from seqlab.models.metrics import (Accuracy, AutoAccuracy, BinaryAccuracy, CategoricalAccuracy,
                                   Mean, MeanAbsoluteError, MeanMetricWrapper, MeanSquaredError,
                                   Precision, Recall, SparseCategoricalAccuracy)

rng = np.random.default_rng(1)
SPLITS = [0, 3, 4, 11, 20]   # uneven batches: 3, 1, 7, 9 samples


def batches(*arrays):
    for start, stop in zip(SPLITS[:-1], SPLITS[1:]):
        yield tuple(a[start:stop] for a in arrays)


def run(metric, *arrays):
    for batch in batches(*arrays):
        metric.update_state(*batch)
    return metric.result()


def close(actual, expected, tol=1e-12):
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


# -------------------------------------------------- epoch value = value on all the data

def test_binary_accuracy_over_batches():
    y = rng.integers(0, 2, size=(20, 1))
    p = rng.uniform(size=(20, 1))
    result = run(BinaryAccuracy(), y, p)
    assert isinstance(result, float)
    close(result, np.mean((p > 0.5) == y))
    close(run(BinaryAccuracy(threshold=0.3), y, p), np.mean((p > 0.3) == y))


def test_categorical_and_sparse_accuracy_over_batches():
    labels = rng.integers(0, 4, size=20)
    p = rng.uniform(size=(20, 4))
    expected = np.mean(p.argmax(-1) == labels)
    close(run(CategoricalAccuracy(), np.eye(4)[labels], p), expected)
    close(run(SparseCategoricalAccuracy(), labels, p), expected)
    close(run(SparseCategoricalAccuracy(), labels[:, None], torch.tensor(p)), expected)


def test_sequence_accuracy_over_batches():
    labels = rng.integers(0, 3, size=(20, 5))
    p = rng.uniform(size=(20, 5, 3))
    close(run(SparseCategoricalAccuracy(), labels, p), np.mean(p.argmax(-1) == labels))


def test_exact_accuracy_and_errors_over_batches():
    y = rng.integers(0, 3, size=(20, 1)).astype(float)
    p = rng.integers(0, 3, size=(20, 1)).astype(float)
    close(run(Accuracy(), y, p), np.mean(y == p))
    y, p = rng.normal(size=(20, 3)), rng.normal(size=(20, 3))
    # NumPy inputs are computed in float32, as Keras does; float64 tensors stay float64
    close(run(MeanSquaredError(), y, p), np.mean((y - p) ** 2), tol=1e-6)
    close(run(MeanSquaredError(), y, torch.tensor(p)), np.mean((y - p) ** 2))
    close(run(MeanAbsoluteError(), y, torch.tensor(p)), np.mean(np.abs(y - p)))


def test_one_dimensional_predictions_count_every_sample():
    # Keras would count each batch once; per sample, uneven batches do not skew the mean
    y = rng.integers(0, 2, size=20)
    p = rng.uniform(size=20)
    close(run(BinaryAccuracy(), y, p), np.mean((p > 0.5) == y))


# ----------------------------------------------------------------------- sample weights

def test_mean_divides_by_the_sum_of_weights():
    m = Mean()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert m.result() == 2.0
    m.update_state(np.array([10.0]), sample_weight=[2.0])
    close(m.result(), (1 + 3 + 20) / 4)


def test_mean_of_batch_losses_weighted_by_batch_size():
    m = Mean("loss")
    m.update_state(torch.tensor(0.5), sample_weight=32)
    m.update_state(torch.tensor(2.0), sample_weight=8)
    close(m.result(), (0.5 * 32 + 2.0 * 8) / 40)
    m.update_state(3.0)
    close(m.result(), (0.5 * 32 + 2.0 * 8 + 3.0) / 41)


def test_weighted_accuracy_is_a_weighted_mean_over_all_batches():
    labels = rng.integers(0, 4, size=20)
    p = rng.uniform(size=(20, 4))
    w = rng.uniform(size=20)
    hits = p.argmax(-1) == labels
    close(run(SparseCategoricalAccuracy(), labels, p, w), np.sum(w * hits) / np.sum(w))
    # weights [1, 0] give the first sample's value (a loss would halve it instead)
    m = BinaryAccuracy()
    m.update_state([[1], [0]], [[0.9], [0.8]], sample_weight=[1, 0])
    assert m.result() == 1.0


def test_per_step_weights_on_sequences():
    labels = rng.integers(0, 3, size=(20, 5))
    p = rng.uniform(size=(20, 5, 3))
    w = rng.integers(0, 2, size=(20, 5)).astype(float)   # a padding mask
    hits = p.argmax(-1) == labels
    close(run(SparseCategoricalAccuracy(), labels, p, w), np.sum(w * hits) / np.sum(w))
    per_sample = rng.uniform(size=20)
    close(run(SparseCategoricalAccuracy(), labels, p, per_sample),
          np.sum(per_sample * hits.mean(-1)) / np.sum(per_sample))


def test_wrong_weight_shape():
    with pytest.raises(ValueError, match=r"sample_weight of shape \(3,\) does not fit metric "
                       r"values of shape \(4,\): pass one weight per sample, shape \(4,\)"):
        BinaryAccuracy().update_state(np.ones((4, 1)), np.ones((4, 1)), sample_weight=[1, 1, 1])


# ------------------------------------------------------------------ Keras's documentation

def test_keras_documented_examples():
    m = BinaryAccuracy()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    assert m.result() == 0.75
    m.reset_state()
    m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], sample_weight=[1, 0, 0, 1])
    assert m.result() == 0.5
    m = CategoricalAccuracy()
    close(m([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]), 0.5)
    m.reset_state()
    close(m([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], [0.7, 0.3]), 0.3)
    m = SparseCategoricalAccuracy()
    close(m([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]], sample_weight=[0.7, 0.3]), 0.3)
    m = Accuracy()
    close(m([[1], [2], [3], [4]], [[0], [2], [3], [4]]), 0.75)
    m = Precision()
    close(m([0, 1, 1, 1], [1, 0, 1, 1]), 2 / 3)
    m.reset_state()
    close(m([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0]), 1.0)


# ----------------------------------------------------------------------- auto accuracy

@pytest.mark.parametrize("true_shape, pred_shape, expected", [
    ((8, 1), (8, 1), BinaryAccuracy),
    ((8,), (8, 1), BinaryAccuracy),
    ((8, 5, 1), (8, 5, 1), BinaryAccuracy),
    ((8,), (8,), BinaryAccuracy),                           # seqlab: 1-D y_pred is binary
    ((8,), (8, 4), SparseCategoricalAccuracy),              # lower rank
    ((8, 1), (8, 4), SparseCategoricalAccuracy),            # last dim 1 against 4
    ((8, 5), (8, 5, 4), SparseCategoricalAccuracy),         # sequence labels
    ((8, 4), (8, 4), CategoricalAccuracy),
    ((8, 5, 4), (8, 5, 4), CategoricalAccuracy),
])
def test_auto_accuracy_resolution(true_shape, pred_shape, expected):
    metric = metrics.resolve_accuracy(true_shape, pred_shape, "acc")
    assert type(metric) is expected and metric.name == "acc"


def test_auto_accuracy_resolves_on_the_first_update_and_keeps_the_name():
    labels = rng.integers(0, 4, size=20)
    p = rng.uniform(size=(20, 4))
    for name in ("accuracy", "acc"):
        metric = metrics.get(name)
        assert type(metric) is AutoAccuracy and metric.metric is None
        assert metric.result() == 0.0
        close(run(metric, labels, p), np.mean(p.argmax(-1) == labels))
        assert type(metric.metric) is SparseCategoricalAccuracy and metric.name == name
        metric.reset_state()
        assert metric.result() == 0.0 and type(metric.metric) is SparseCategoricalAccuracy
    one_hot = metrics.get("accuracy")
    one_hot.update_state(np.eye(4)[labels], p)
    assert type(one_hot.metric) is CategoricalAccuracy
    binary = metrics.get("accuracy")
    binary.update_state(np.array([1, 0]), np.array([[0.7], [0.6]]))
    assert type(binary.metric) is BinaryAccuracy and binary.result() == 0.5


def test_auto_accuracy_on_logits_thresholds_at_zero():
    labels = np.array([[1], [0], [0], [1]])
    logits = np.array([[0.2], [-0.3], [0.4], [-2.0]])   # > 0: [1, 0, 1, 0]; > 0.5: all 0
    from_logits = metrics.get("accuracy", loss=losses.BinaryCrossentropy(from_logits=True))
    assert from_logits(labels, logits) == 0.5            # hits: 1, 1, 0, 0
    for loss in (None, "binary_crossentropy", losses.BinaryCrossentropy()):
        keras_like = metrics.get("accuracy", loss=loss)
        assert keras_like(labels, logits) == 0.5         # hits: 0, 1, 1, 0
        assert keras_like.metric.threshold == 0.5
    assert from_logits.metric.threshold == 0.0
    probabilities = np.array([[0.9], [0.2], [0.6], [0.7]])
    assert metrics.get("acc")(labels, probabilities) == 0.75
    logit_loss = losses.BinaryCrossentropy(from_logits=True)
    assert metrics.get("binary_accuracy", logit_loss).threshold == 0.0
    assert metrics.get("precision", logit_loss)(labels, logits) == 0.5   # TP 1, FP 1


# ------------------------------------------------------------------- precision, recall

def test_precision_and_recall_on_a_hand_counted_confusion_matrix():
    #          TP TP TP FP FP FN TN TN TN TN
    y = np.array([1, 1, 1, 0, 0, 1, 0, 0, 0, 0])
    p = np.array([0.9, 0.6, 0.51, 0.7, 0.55, 0.5, 0.1, 0.2, 0.49, 0.0])
    precision, recall = Precision(), Recall()
    for start, stop in ((0, 4), (4, 5), (5, 10)):
        precision.update_state(y[start:stop], p[start:stop])
        recall.update_state(y[start:stop, None], p[start:stop, None])
    close(precision.result(), 3 / 5)
    close(recall.result(), 3 / 4)
    assert precision.true_positives.tolist() == [3.0]
    assert precision.false_positives.tolist() == [2.0]
    assert recall.false_negatives.tolist() == [1.0]


def test_precision_recall_weights_and_thresholds():
    y = np.array([1, 1, 1, 0, 0, 1, 0, 0, 0, 0])
    p = np.array([0.9, 0.6, 0.51, 0.7, 0.55, 0.5, 0.1, 0.2, 0.49, 0.0])
    w = np.array([2, 1, 1, 3, 1, 4, 1, 1, 1, 1], dtype=float)
    close(Precision()(y, p, w), (2 + 1 + 1) / (2 + 1 + 1 + 3 + 1))
    close(Recall()(y, p, w), (2 + 1 + 1) / (2 + 1 + 1 + 4))
    # thresholds 0.0 (everything positive but p = 0) and 0.8 (only 0.9)
    close(Precision(thresholds=[0.0, 0.8])(y, p), [4 / 9, 1.0])
    close(Recall(thresholds=[0.0, 0.8])(y, p), [1.0, 1 / 4])


def test_precision_recall_without_positives_are_zero():
    assert Precision()([0, 0], [0.1, 0.2]) == 0.0
    assert Recall()([0, 0], [0.9, 0.2]) == 0.0


# ------------------------------------------------------------------------- reset_state

@pytest.mark.parametrize("make, y, p, perfect", [
    (BinaryAccuracy, [[1], [0]], [[0.9], [0.8]], [[1.0], [0.0]]),
    (CategoricalAccuracy, [[1, 0], [0, 1]], [[0.9, 0.1], [0.8, 0.2]], [[1, 0], [0, 1]]),
    (SparseCategoricalAccuracy, [0, 1], [[0.9, 0.1], [0.8, 0.2]], [[1, 0], [0, 1]]),
    (Accuracy, [[1], [2]], [[1], [3]], [[1], [2]]),
    (MeanSquaredError, [[1.0], [2.0]], [[0.0], [2.0]], [[1.0], [2.0]]),
    (MeanAbsoluteError, [[1.0], [2.0]], [[0.0], [2.0]], [[1.0], [2.0]]),
    (Precision, [1, 0], [0.9, 0.8], [1.0, 0.0]),
    (Recall, [1, 1], [0.9, 0.2], [1.0, 1.0]),
])
def test_reset_state_forgets_earlier_batches(make, y, p, perfect):
    metric = make()
    metric.update_state(y, p)
    assert metric.result() == 0.5
    metric.update_state(y, perfect)   # a second batch moves the running value
    assert metric.result() != 0.5
    metric.reset_state()
    assert metric.result() == 0.0
    metric.update_state(y, p)
    assert metric.result() == 0.5


# ------------------------------------------------------------------------------ errors

def test_sparse_accuracy_with_one_hot_labels():
    with pytest.raises(ValueError, match=r"labels of shape \(6, 3\) look one-hot: use "
                       r"categorical_accuracy, or pass class indices of shape \(6,\)"):
        SparseCategoricalAccuracy().update_state(np.eye(3)[[0, 1, 2, 0, 1, 2]], np.ones((6, 3)))


def test_categorical_accuracy_with_class_indices():
    with pytest.raises(ValueError, match=r"categorical_accuracy.*\(6,\).*\(6, 3\).*use "
                       r"sparse_categorical_accuracy"):
        CategoricalAccuracy().update_state([0, 1, 2, 0, 1, 2], np.ones((6, 3)))


def test_mismatched_batches():
    with pytest.raises(ValueError, match="y_true has 5 samples but y_pred has 4"):
        BinaryAccuracy().update_state(np.ones(5), np.ones((4, 1)))


# -------------------------------------------------------------------------------- get

@pytest.mark.parametrize("name, cls", [
    ("binary_accuracy", BinaryAccuracy), ("BinaryAccuracy", BinaryAccuracy),
    ("categorical_accuracy", CategoricalAccuracy), ("CategoricalAccuracy", CategoricalAccuracy),
    ("sparse_categorical_accuracy", SparseCategoricalAccuracy),
    ("SparseCategoricalAccuracy", SparseCategoricalAccuracy),
    ("mse", MeanSquaredError), ("MSE", MeanSquaredError),
    ("mean_squared_error", MeanSquaredError), ("MeanSquaredError", MeanSquaredError),
    ("mae", MeanAbsoluteError), ("MAE", MeanAbsoluteError),
    ("mean_absolute_error", MeanAbsoluteError), ("MeanAbsoluteError", MeanAbsoluteError),
    ("precision", Precision), ("Precision", Precision), ("recall", Recall), ("Recall", Recall),
    ("accuracy", AutoAccuracy), ("acc", AutoAccuracy), ("Accuracy", AutoAccuracy),
])
def test_get_names(name, cls):
    metric = metrics.get(name)
    assert type(metric) is cls and metric.name == name


def test_get_loss_names_average_the_per_sample_loss():
    y, p = np.array([[1.0], [0.0]]), np.array([[0.6], [0.3]])
    metric = metrics.get("binary_crossentropy")
    assert type(metric) is MeanMetricWrapper and metric.name == "binary_crossentropy"
    metric.update_state(y, p, sample_weight=[1, 0])
    close(metric.result(), -np.log(0.6), tol=1e-6)
    close(metrics.get("msle")([[1.0]], [[3.0]]), (np.log(2) - np.log(4)) ** 2, tol=1e-6)


def test_get_instances_functions_and_losses():
    instance = Precision()
    assert metrics.get(instance) is instance
    assert metrics.get(None) is None

    def hit(y_true, y_pred):
        return (torch.as_tensor(y_true) == torch.as_tensor(y_pred)).double()

    wrapped = metrics.get(hit)
    assert type(wrapped) is MeanMetricWrapper and wrapped.name == "hit"
    wrapped.update_state([1, 2, 3], [1, 0, 3])
    wrapped.update_state([4], [4])
    close(wrapped.result(), 3 / 4)
    from_loss = metrics.get(losses.MeanAbsoluteError(name="l1"))
    assert from_loss.name == "l1"
    close(from_loss([[1.0], [3.0]], [[0.0], [0.0]]), 2.0, tol=1e-6)


def test_get_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown metric 'f1'.*accuracy.*binary_accuracy"):
        metrics.get("f1")
    with pytest.raises(ValueError, match="Could not interpret metric 3.5"):
        metrics.get(3.5)


def test_metrics_do_not_track_gradients():
    p = torch.tensor([[0.2, 0.8], [0.6, 0.4]], requires_grad=True)
    metric = SparseCategoricalAccuracy()
    metric.update_state([1, 1], p)
    assert metric.result() == 0.5 and p.grad is None


@pytest.mark.parametrize("metric", [
    Mean("loss"), Accuracy(), BinaryAccuracy(threshold=0.0), CategoricalAccuracy(),
    SparseCategoricalAccuracy(name="sca"), MeanSquaredError(), MeanAbsoluteError(),
    Precision(thresholds=[0.3, 0.6]), Recall(), AutoAccuracy("acc", threshold=0.0),
], ids=lambda m: type(m).__name__)
def test_config_rebuilds_the_metric(metric):
    rebuilt = type(metric)(**metric.get_config())
    assert rebuilt.get_config() == metric.get_config() and rebuilt.name == metric.name
