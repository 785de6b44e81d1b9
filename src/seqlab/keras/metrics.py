"""``keras.metrics``: seqlab's metrics (``seqlab.models.metrics``)."""
from ._lazy import namespace

_MISSING = {
    "AUC": "Precision and Recall, or sklearn.metrics.roc_auc_score on model.predict(x)",
    "F1Score": "Precision and Recall (F1 = 2PR / (P + R))",
    "TopKCategoricalAccuracy": "CategoricalAccuracy, or numpy's argsort on model.predict(x)",
    "mae": "compile(metrics=['mae']) (by name), or MeanAbsoluteError()",
    "mse": "compile(metrics=['mse']) (by name), or MeanSquaredError()",
}

__getattr__, __dir__ = namespace(__name__, ("seqlab.models.metrics",), missing=_MISSING)
