"""Losses: golden values from the published formulas in NumPy, Keras's documented examples,
the sum_over_batch_size reduction, rank alignment, float64 gradients, errors and ``get``."""
import numpy as np
import pytest
import torch

from seqlab.models import losses
from seqlab.models.losses import (BinaryCrossentropy, CategoricalCrossentropy, CosineSimilarity,
                                  Hinge, Huber, KLDivergence, LogCosh, MeanAbsoluteError,
                                  MeanAbsolutePercentageError, MeanSquaredError,
                                  MeanSquaredLogarithmicError, Poisson,
                                  SparseCategoricalCrossentropy)

EPS = 1e-7
rng = np.random.default_rng(0)


def close(actual, expected, tol=1e-6):
    np.testing.assert_allclose(np.asarray(torch.as_tensor(actual).detach(), dtype=np.float64),
                               expected, rtol=tol, atol=tol)


def t64(x):
    return torch.tensor(np.asarray(x, dtype=np.float64))


# ---------------------------------------------------------------- NumPy references

def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def np_bce(y, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def np_cce(y, p):
    q = np.clip(p / p.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    return -(y * np.log(q)).sum(axis=-1)


def probabilities(*shape):
    return np_softmax(rng.normal(size=shape))


# ------------------------------------------------------------------ binary crossentropy

def test_bce_by_hand():
    # (-ln 0.9 - ln 0.8) / 2
    close(BinaryCrossentropy()([1, 0], [0.9, 0.2]), (-np.log(0.9) - np.log(0.8)) / 2)


def test_bce_probabilities_and_logits_match_the_formula():
    y = rng.integers(0, 2, size=(6, 3)).astype(float)
    x = rng.normal(size=(6, 3))
    close(BinaryCrossentropy().elementwise(y, t64(np_sigmoid(x))),
          np_bce(y, np_sigmoid(x)).mean(axis=-1))
    close(BinaryCrossentropy(from_logits=True).elementwise(y, t64(x)),
          np_bce(y, np_sigmoid(x)).mean(axis=-1))
    close(BinaryCrossentropy(from_logits=True)(y, t64(x)), np_bce(y, np_sigmoid(x)).mean())


def test_bce_clips_probabilities_but_not_logits():
    # p = 0 for a positive label is clipped to 1e-7: -ln(1e-7) = 16.118
    close(BinaryCrossentropy()(t64([[1.0]]), t64([[0.0]])), -np.log(EPS))
    # a logit of -30 for a positive label: log(1 + e^30), no clipping
    close(BinaryCrossentropy(from_logits=True)(t64([[1.0]]), t64([[-30.0]])),
          np.log1p(np.exp(30.0)), tol=1e-9)


def test_bce_label_smoothing_squeezes_labels_towards_one_half():
    y, p, s = np.array([[1.0, 0.0]]), np.array([[0.7, 0.4]]), 0.2
    smoothed = y * (1 - s) + s / 2  # [0.9, 0.1]
    close(BinaryCrossentropy(label_smoothing=s)(y, t64(p)), np_bce(smoothed, p).mean())
    x = np.log(p / (1 - p))
    close(BinaryCrossentropy(from_logits=True, label_smoothing=s)(y, t64(x)),
          np_bce(smoothed, p).mean())


def test_bce_sequence_outputs():
    y = rng.integers(0, 2, size=(4, 5, 1)).astype(float)
    p = rng.uniform(0.05, 0.95, size=(4, 5, 1))
    elementwise = BinaryCrossentropy().elementwise(y, t64(p))
    assert elementwise.shape == (4, 5)
    close(elementwise, np_bce(y, p)[..., 0])


# ---------------------------------------------------------------- categorical crossentropy

def test_cce_normalises_probabilities_before_clipping():
    # [2, 1, 1] is read as [0.5, 0.25, 0.25]; [0.5, 0.5, 0] clips 0 to 1e-7
    y = np.array([[1.0, 0, 0], [0, 0, 1.0]])
    p = np.array([[2.0, 1.0, 1.0], [0.5, 0.5, 0.0]])
    close(CategoricalCrossentropy().elementwise(y, t64(p)), [-np.log(0.5), -np.log(EPS)])


def test_cce_probabilities_logits_and_smoothing():
    y = np.eye(4)[rng.integers(0, 4, size=7)]
    x = rng.normal(size=(7, 4))
    close(CategoricalCrossentropy()(y, t64(np_softmax(x))), np_cce(y, np_softmax(x)).mean())
    close(CategoricalCrossentropy(from_logits=True)(y, t64(x)), np_cce(y, np_softmax(x)).mean())
    s = 0.1
    smoothed = y * (1 - s) + s / 4
    close(CategoricalCrossentropy(label_smoothing=s)(y, t64(np_softmax(x))),
          np_cce(smoothed, np_softmax(x)).mean())
    close(CategoricalCrossentropy(from_logits=True, label_smoothing=s)(y, t64(x)),
          np_cce(smoothed, np_softmax(x)).mean())


def test_cce_logits_are_not_clipped():
    # softmax([0, 40]) gives class 0 probability e^-40, far below 1e-7
    close(CategoricalCrossentropy(from_logits=True)(t64([[1.0, 0.0]]), t64([[0.0, 40.0]])),
          40.0 + np.log1p(np.exp(-40.0)), tol=1e-9)


def test_cce_class_axis_first():
    y = np.eye(3)[[0, 2]]            # (2, 3)
    p = probabilities(2, 3)
    moved = CategoricalCrossentropy(axis=0).elementwise(y.T, t64(p.T))
    close(moved, np_cce(y, p))


def test_cce_gradient_of_logits_is_softmax_minus_labels():
    y = np.eye(3)[[0, 2, 1, 1]]
    x = t64(rng.normal(size=(4, 3))).requires_grad_()
    CategoricalCrossentropy(from_logits=True)(y, x).backward()
    close(x.grad, (np_softmax(x.detach().numpy()) - y) / 4, tol=1e-12)


def test_cce_with_one_class_warns():
    with pytest.warns(UserWarning, match=r"shape \(2, 1\), one class.*binary_crossentropy"):
        CategoricalCrossentropy()([[1.0], [1.0]], [[0.3], [0.8]])


# ------------------------------------------------------------ sparse categorical crossentropy

@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_equals_categorical_on_one_hot_labels(from_logits):
    labels = rng.integers(0, 5, size=8)
    x = rng.normal(size=(8, 5))
    y_pred = t64(x if from_logits else np_softmax(x))
    expected = np_cce(np.eye(5)[labels], np_softmax(x))
    sparse = SparseCategoricalCrossentropy(from_logits=from_logits)
    close(sparse.elementwise(labels, y_pred), expected)
    close(sparse(labels[:, None], y_pred), expected.mean())          # labels (N, 1)
    close(sparse(torch.tensor(labels, dtype=torch.int32), y_pred), expected.mean())
    close(sparse(labels.astype(np.float32), y_pred), expected.mean())  # float labels


def test_sparse_sequence_outputs():
    p = probabilities(3, 4, 6)                      # (batch, time, classes)
    labels = rng.integers(0, 6, size=(3, 4))
    expected = -np.log(np.take_along_axis(p, labels[..., None], axis=-1))[..., 0]
    loss = SparseCategoricalCrossentropy()
    assert loss.elementwise(labels, t64(p)).shape == (3, 4)
    close(loss.elementwise(labels, t64(p)), expected)
    close(loss(labels, t64(p)), expected.mean())
    close(loss(labels[..., None], t64(p)), expected.mean())  # labels (batch, time, 1)


def test_sparse_ignore_class_averages_over_the_kept_entries():
    p = probabilities(2, 3, 4)
    labels = np.array([[1, 2, -1], [3, -1, -1]])
    kept = labels != -1
    picked = np.take_along_axis(p, np.where(kept, labels, 0)[..., None], axis=-1)[..., 0]
    per_step = np.where(kept, -np.log(picked), 0.0)
    loss = SparseCategoricalCrossentropy(ignore_class=-1)
    close(loss.elementwise(labels, t64(p)), per_step)
    close(loss(labels, t64(p)), per_step.sum() / kept.sum())      # 3 kept entries, not 6
    weights = np.array([2.0, 1.0])
    close(loss(labels, t64(p), sample_weight=weights),
          (per_step * weights[:, None]).sum() / kept.sum())


# --------------------------------------------------------------------- regression losses

Y_TRUE = np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0]])
Y_PRED = np.array([[1.5, 0.0, 0.2], [0.5, 2.0, 2.0]])
ERROR = Y_PRED - Y_TRUE


def _huber(e, delta):
    return np.where(np.abs(e) <= delta, 0.5 * e ** 2, delta * np.abs(e) - 0.5 * delta ** 2)


REGRESSION = [
    (MeanSquaredError(), (ERROR ** 2).mean(axis=-1)),
    (MeanAbsoluteError(), np.abs(ERROR).mean(axis=-1)),
    (MeanAbsolutePercentageError(),
     100 * (np.abs(ERROR) / np.maximum(np.abs(Y_TRUE), EPS)).mean(axis=-1)),
    (MeanSquaredLogarithmicError(),
     ((np.log(np.maximum(Y_PRED, EPS) + 1) - np.log(np.maximum(Y_TRUE, EPS) + 1)) ** 2)
     .mean(axis=-1)),
    (Huber(), _huber(ERROR, 1.0).mean(axis=-1)),
    (Huber(delta=0.5), _huber(ERROR, 0.5).mean(axis=-1)),
    (LogCosh(), np.log(np.cosh(ERROR)).mean(axis=-1)),
    (Hinge(), np.maximum(1 - Y_TRUE * Y_PRED, 0).mean(axis=-1)),   # labels not in {0, 1}
    (Poisson(), (Y_PRED - Y_TRUE * np.log(Y_PRED + EPS)).mean(axis=-1)),
]


@pytest.mark.parametrize("loss, expected", REGRESSION, ids=lambda v: getattr(v, "name", ""))
def test_regression_losses_match_the_formulas(loss, expected):
    close(loss.elementwise(Y_TRUE, t64(Y_PRED)), expected)
    close(loss(Y_TRUE, t64(Y_PRED)), expected.mean())


def test_huber_uses_both_branches():
    errors = np.abs(ERROR)
    assert (errors <= 1.0).any() and (errors > 1.0).any()


def test_hinge_maps_binary_labels_to_plus_minus_one():
    y, p = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[0.3, 0.8], [-0.4, -2.0]])
    close(Hinge()(y, t64(p)), np.maximum(1 - (2 * y - 1) * p, 0).mean())


def test_log_cosh_is_stable_for_large_errors():
    close(LogCosh()(t64([[0.0]]), t64([[200.0]])), 200.0 - np.log(2.0), tol=1e-9)


def test_kl_divergence_clips_both_sides():
    y = np.array([[0.0, 0.3, 0.7], [1.0, 0.0, 0.0]])
    p = probabilities(2, 3)
    yc, pc = np.clip(y, EPS, 1), np.clip(p, EPS, 1)
    close(KLDivergence().elementwise(y, t64(p)), (yc * np.log(yc / pc)).sum(axis=-1))


def test_cosine_similarity():
    y_true = [[0.0, 1.0], [1.0, 1.0], [1.0, 1.0], [0.0, 0.0]]
    y_pred = [[1.0, 0.0], [2.0, 2.0], [-1.0, -1.0], [3.0, 4.0]]
    # orthogonal, parallel, opposite, and a zero vector (0 by definition)
    close(CosineSimilarity().elementwise(y_true, t64(y_pred)), [0.0, -1.0, 1.0, 0.0])
    a, b = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    cosine = (a * b).sum(-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)
    close(CosineSimilarity()(a, t64(b)), -cosine.mean())


# ---------------------------------------------------- Keras's documented example values

def test_keras_documented_examples():
    y, x = np.array([[0, 1], [0, 0]]), np.array([[-18.6, 0.51], [2.94, -12.8]])
    bce = BinaryCrossentropy(from_logits=True)
    close(bce(y, x), 0.8654, tol=1e-3)
    close(bce(y, x, sample_weight=[0.8, 0.2]), 0.243, tol=1e-3)
    close(BinaryCrossentropy(from_logits=True, reduction="sum")(y, x), 1.730, tol=1e-3)
    close(BinaryCrossentropy(from_logits=True, reduction=None)(y, x), [0.235, 1.496],
          tol=1e-3)
    y, p = np.array([[0, 1, 0], [0, 0, 1]]), np.array([[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    close(CategoricalCrossentropy()(y, p), 1.177, tol=1e-3)
    close(CategoricalCrossentropy()(y, p, sample_weight=np.array([0.3, 0.7])), 0.814,
          tol=1e-3)
    close(SparseCategoricalCrossentropy()([1, 2], p), 1.177, tol=1e-3)
    close(Huber()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]), 0.155, tol=1e-3)
    close(LogCosh()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]), 0.108, tol=1e-3)


# ------------------------------------------------------------ reduction and sample weights

def test_weights_one_zero_halve_a_two_sample_loss():
    y, p = [[1.0], [0.0]], t64([[0.6], [0.3]])
    first, second = -np.log(0.6), -np.log(0.7)
    close(BinaryCrossentropy()(y, p), (first + second) / 2)
    close(BinaryCrossentropy()(y, p, sample_weight=[1, 0]), first / 2)   # not `first`
    close(BinaryCrossentropy()(y, p, sample_weight=np.array([[2.0], [1.0]])),
          (2 * first + second) / 2)
    close(BinaryCrossentropy()(y, p, sample_weight=torch.tensor(0.5)), (first + second) / 4)


def test_other_reductions():
    y, p = [[1.0], [0.0]], t64([[0.6], [0.3]])
    first, second = -np.log(0.6), -np.log(0.7)
    weights = [3.0, 1.0]
    close(BinaryCrossentropy(reduction="sum")(y, p, weights), 3 * first + second)
    close(BinaryCrossentropy(reduction="mean")(y, p, weights), (3 * first + second) / 2)
    close(BinaryCrossentropy(reduction="mean_with_sample_weight")(y, p, weights),
          (3 * first + second) / 4)
    close(BinaryCrossentropy(reduction="none")(y, p, weights), [3 * first, second])


def test_weights_per_sample_and_per_step_on_sequence_losses():
    p = probabilities(2, 3, 4)
    labels = rng.integers(0, 4, size=(2, 3))
    per_step = -np.log(np.take_along_axis(p, labels[..., None], axis=-1))[..., 0]
    loss = SparseCategoricalCrossentropy()
    per_sample = np.array([1.0, 0.0])
    close(loss(labels, t64(p), per_sample), (per_step * per_sample[:, None]).sum() / 6)
    per_time = rng.uniform(size=(2, 3))
    close(loss(labels, t64(p), per_time), (per_step * per_time).sum() / 6)


# ------------------------------------------------------------------------ rank alignment

def test_labels_of_rank_one_fit_predictions_of_shape_n_by_1():
    p = t64([[0.9], [0.2], [0.6]])
    reference = BinaryCrossentropy()(t64([[1.0], [0.0], [1.0]]), p)
    for y in ([1, 0, 1], np.array([1, 0, 1]), torch.tensor([1, 0, 1]),
              torch.tensor([True, False, True]), np.array([1.0, 0.0, 1.0], dtype=np.float32)):
        close(BinaryCrossentropy()(y, p), reference)
        assert BinaryCrossentropy().elementwise(y, p).shape == (3,)


def test_sequence_labels_fit_predictions_with_a_trailing_one():
    y = rng.integers(0, 2, size=(2, 5)).astype(float)
    p = rng.uniform(0.1, 0.9, size=(2, 5, 1))
    # Keras squeezes y_pred to (2, 5), then averages the last (time) axis
    assert BinaryCrossentropy().elementwise(y, t64(p)).shape == (2,)
    close(BinaryCrossentropy()(y, t64(p)), np_bce(y, p[..., 0]).mean())


def test_one_dimensional_predictions_are_one_value_per_sample():
    y, p = np.array([1.0, 0.0, 1.0]), np.array([0.9, 0.2, 0.3])
    elementwise = MeanSquaredError().elementwise(y, t64(p))
    close(elementwise, (y - p) ** 2)
    close(MeanSquaredError()(y, t64(p), sample_weight=[1, 1, 0]), ((y - p) ** 2)[:2].sum() / 3)


def test_result_dtype_follows_predictions():
    assert BinaryCrossentropy()([1, 0], t64([0.9, 0.2])).dtype == torch.float64
    assert BinaryCrossentropy()(np.array([1, 0]), [0.9, 0.2]).dtype == torch.float32


# -------------------------------------------------------------------- float64 gradients

def _interior_probabilities(*shape):
    return t64(rng.uniform(0.1, 0.9, size=shape)).requires_grad_()


def test_gradcheck_binary_crossentropy():
    y = t64(rng.integers(0, 2, size=(4, 3)))
    p = _interior_probabilities(4, 3)
    assert torch.autograd.gradcheck(lambda q: BinaryCrossentropy(label_smoothing=0.1)(y, q), p)
    x = t64(rng.normal(size=(4, 3))).requires_grad_()
    assert torch.autograd.gradcheck(lambda z: BinaryCrossentropy(from_logits=True)(y, z), x)
    w = t64([1.0, 0.5, 0.0, 2.0])
    assert torch.autograd.gradcheck(lambda z: BinaryCrossentropy(from_logits=True)(y, z, w), x)


def test_gradcheck_categorical_crossentropies():
    y = t64(np.eye(4)[[0, 3, 1]])
    p = _interior_probabilities(3, 4)   # unnormalised: the normalisation is differentiated too
    x = t64(rng.normal(size=(3, 4))).requires_grad_()
    assert torch.autograd.gradcheck(lambda q: CategoricalCrossentropy()(y, q), p)
    assert torch.autograd.gradcheck(
        lambda z: CategoricalCrossentropy(from_logits=True, label_smoothing=0.2)(y, z), x)
    labels = torch.tensor([[0, 3], [1, 2]])
    p3 = _interior_probabilities(2, 2, 4)
    x3 = t64(rng.normal(size=(2, 2, 4))).requires_grad_()
    assert torch.autograd.gradcheck(lambda q: SparseCategoricalCrossentropy()(labels, q), p3)
    assert torch.autograd.gradcheck(
        lambda z: SparseCategoricalCrossentropy(from_logits=True, ignore_class=3)(labels, z), x3)


# ---------------------------------------------------------------------------- errors

def test_sparse_with_one_hot_labels():
    with pytest.raises(ValueError, match=r"labels of shape \(32, 10\) look one-hot: use "
                       r"categorical_crossentropy, or pass class indices of shape \(32,\)"):
        SparseCategoricalCrossentropy()(np.eye(10)[np.arange(32) % 10], probabilities(32, 10))


def test_categorical_with_class_indices():
    with pytest.raises(ValueError, match=r"y_true \(32,\) and y_pred \(32, 10\).*class "
                       r"indices.*use sparse_categorical_crossentropy"):
        CategoricalCrossentropy()(np.arange(32) % 10, probabilities(32, 10))
    with pytest.raises(ValueError, match=r"\(32, 1\).*use sparse_categorical_crossentropy"):
        CategoricalCrossentropy()((np.arange(32) % 10)[:, None], probabilities(32, 10))


def test_binary_with_class_indices_for_many_classes():
    with pytest.raises(ValueError, match=r"binary_crossentropy.*\(8,\).*\(8, 3\).*sparse_"):
        BinaryCrossentropy()(np.zeros(8), probabilities(8, 3))


@pytest.mark.parametrize("label, fix", [(10, r"max\(label\) \+ 1 units"),
                                        (-1, "ignore_class")])
def test_sparse_label_out_of_range(label, fix):
    with pytest.raises(ValueError, match=rf"got labels {label} but y_pred has 10 classes: "
                       rf"labels must be in \[0, 9\]; .*{fix}"):
        SparseCategoricalCrossentropy()([0, label, 3], probabilities(3, 10))


def test_sparse_fractional_labels_and_wrong_sequence_shape():
    with pytest.raises(ValueError, match="integer class indices, got labels 1.5"):
        SparseCategoricalCrossentropy()([0.0, 1.5], probabilities(2, 3))
    with pytest.raises(ValueError, match=r"class indices of shape \(2, 4\).*\(2, 5\)"):
        SparseCategoricalCrossentropy()(np.zeros((2, 5)), probabilities(2, 4, 3))


def test_mismatched_batch_sizes():
    with pytest.raises(ValueError, match=r"y_true has 30 samples but y_pred has 32 "
                       r"\(shapes \(30,\) and \(32, 1\)\)"):
        BinaryCrossentropy()(np.zeros(30), np.full((32, 1), 0.5))
    with pytest.raises(ValueError, match="y_true has 3 samples but y_pred has 4"):
        SparseCategoricalCrossentropy()([0, 1, 2], probabilities(4, 3))


def test_regression_shape_mismatch_is_not_broadcast():
    with pytest.raises(ValueError, match=r"mean_squared_error needs y_true and y_pred of the "
                       r"same shape, got y_true \(4, 1\) and y_pred \(4, 3\)"):
        MeanSquaredError()(np.zeros((4, 1)), np.zeros((4, 3)))


def test_sample_weight_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"sample_weight of shape \(3,\) does not fit losses "
                       r"of shape \(4,\): pass one weight per sample, shape \(4,\)"):
        MeanSquaredError()(np.zeros((4, 1)), np.zeros((4, 1)), sample_weight=[1, 2, 3])


def test_unknown_reduction():
    with pytest.raises(ValueError, match="reduction='avg'"):
        MeanSquaredError(reduction="avg")


# -------------------------------------------------------------------------------- get

NAMES = [
    ("binary_crossentropy", BinaryCrossentropy), ("bce", BinaryCrossentropy),
    ("BCE", BinaryCrossentropy), ("categorical_crossentropy", CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", SparseCategoricalCrossentropy),
    ("mean_squared_error", MeanSquaredError), ("mse", MeanSquaredError),
    ("MSE", MeanSquaredError), ("mean_absolute_error", MeanAbsoluteError),
    ("mae", MeanAbsoluteError), ("MAE", MeanAbsoluteError),
    ("mean_absolute_percentage_error", MeanAbsolutePercentageError),
    ("mape", MeanAbsolutePercentageError), ("MAPE", MeanAbsolutePercentageError),
    ("mean_squared_logarithmic_error", MeanSquaredLogarithmicError),
    ("msle", MeanSquaredLogarithmicError), ("MSLE", MeanSquaredLogarithmicError),
    ("huber", Huber), ("kl_divergence", KLDivergence), ("kld", KLDivergence),
    ("KLD", KLDivergence), ("hinge", Hinge), ("poisson", Poisson),
    ("cosine_similarity", CosineSimilarity), ("log_cosh", LogCosh),
]
CLASSES = [BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
           MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
           MeanSquaredLogarithmicError, Huber, KLDivergence, Hinge, Poisson, CosineSimilarity,
           LogCosh]
DEFAULT_NAMES = ["binary_crossentropy", "categorical_crossentropy",
                 "sparse_categorical_crossentropy", "mean_squared_error", "mean_absolute_error",
                 "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "huber_loss",
                 "kl_divergence", "hinge", "poisson", "cosine_similarity", "log_cosh"]


@pytest.mark.parametrize("name, cls", NAMES)
def test_get_names_and_aliases(name, cls):
    loss = losses.get(name)
    assert type(loss) is cls and loss.name == name


@pytest.mark.parametrize("cls, default_name", list(zip(CLASSES, DEFAULT_NAMES)))
def test_get_class_names_and_default_names(cls, default_name):
    assert cls().name == default_name
    loss = losses.get(cls.__name__)
    assert type(loss) is cls and loss.name == default_name
    assert type(losses.get(cls)) is cls
    instance = cls()
    assert losses.get(instance) is instance


def test_get_wraps_a_function_with_the_reduction():
    def squared(y_true, y_pred):
        return ((y_true - y_pred) ** 2).mean(dim=-1)

    loss = losses.get(squared)
    assert loss.name == "squared"
    y, p = np.array([1.0, 2.0]), t64([[0.0], [0.0]])   # y (2,) aligned to (2, 1)
    close(loss(y, p), 2.5)
    close(loss(y, p, sample_weight=[1, 0]), 0.5)       # divided by 2 samples, not by 1
    close(loss.elementwise(y, p), [1.0, 4.0])
    scalar = losses.get(lambda y_true, y_pred: (y_true - y_pred).abs().sum())
    close(scalar(y, p), 3.0)


def test_get_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown loss 'msq'.*binary_crossentropy.*mse"):
        losses.get("msq")
    with pytest.raises(ValueError, match="Could not interpret loss 3"):
        losses.get(3)


def test_config_round_trip():
    loss = CategoricalCrossentropy(from_logits=True, label_smoothing=0.1, name="cce")
    config = loss.get_config()
    assert config == {"name": "cce", "reduction": "sum_over_batch_size", "from_logits": True,
                      "label_smoothing": 0.1, "axis": -1}
    assert CategoricalCrossentropy.from_config(config).get_config() == config
    assert Huber(delta=2.0).get_config()["delta"] == 2.0
    assert SparseCategoricalCrossentropy(ignore_class=0).get_config()["ignore_class"] == 0


@pytest.mark.parametrize("cls", CLASSES)
def test_every_loss_rebuilds_from_its_config(cls):
    loss = cls(reduction="sum", name="custom")
    rebuilt = cls(**loss.get_config())
    assert rebuilt.get_config() == loss.get_config()
    assert rebuilt.reduction == "sum" and rebuilt.name == "custom"
