"""``keras.callbacks``: seqlab's callbacks (``seqlab.models.callbacks``)."""
from ._lazy import namespace

_MISSING = {
    "TensorBoard": "CSVLogger('log.csv') and history.plot('curves.png')",
    "BackupAndRestore": "ModelCheckpoint (writes atomically) and fit(initial_epoch=...)",
    "TerminateOnNaN": "nothing: fit stops with a FloatingPointError when the loss is NaN",
    "RemoteMonitor": "CSVLogger or LambdaCallback",
}

__getattr__, __dir__ = namespace(__name__, ("seqlab.models.callbacks",), missing=_MISSING)
