"""A Keras-shaped namespace over seqlab: Keras course and book code runs with one import
line changed (``import keras`` -> ``import seqlab.keras as keras``, ``from keras import
layers`` -> ``from seqlab.keras import layers``).

``keras.Model``, ``keras.Sequential``, ``keras.Input`` and the modules ``layers``,
``models``, ``callbacks``, ``optimizers``, ``losses``, ``metrics``, ``utils``,
``backend``, ``preprocessing`` (``text``, ``sequence``), ``datasets`` (``imdb``),
``initializers``, ``activations``, ``regularizers``. Each module finds its names in
seqlab when they are used (``seqlab.keras._lazy``); a Keras name seqlab lacks raises
``MissingKerasFeature`` (an ``AttributeError``; ``MissingKerasImport``, an ``ImportError``,
for ``from ... import``) naming the nearest seqlab equivalent.
"""
from .. import __version__ as _seqlab_version
from ..layers import Input, Layer
from ..models import Model, Sequential
from . import (  # noqa: F401 (the Keras modules)
    activations,
    backend,
    callbacks,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    preprocessing,
    regularizers,
    utils,
)
from ._lazy import MissingKerasFeature, MissingKerasImport, namespace

__version__ = f"seqlab-{_seqlab_version}"

_MISSING = {
    "mixed_precision": "model building in float32 (seqlab's CPU kernels are float32/float64)",
    "applications": "seqlab has no pretrained image models; seqlab.vectors loads GloVe vectors",
    "ops": "torch functions on tensors (torch.mean, torch.matmul, ...)",
    "random": "seqlab.set_seed(n) (or keras.utils.set_random_seed(n))",
    "saving": "model.save(path) and keras.models.load_model(path)",
    "export": "model.save(path), or torch.onnx.export(model, example, 'model.onnx')",
    "config": "keras.backend (floatx, epsilon)",
    "wrappers": "the model itself (a torch module) inside your own scikit-learn estimator",
    "distribution": "fit(..., distributed=True) under torchrun",
}

__all__ = ["Input", "Layer", "MissingKerasFeature", "MissingKerasImport", "Model", "Sequential",
           "activations", "backend", "callbacks", "datasets", "initializers", "layers", "losses",
           "metrics", "models", "optimizers", "preprocessing", "regularizers", "utils"]
__getattr__, __dir__ = namespace(__name__, missing=_MISSING)
