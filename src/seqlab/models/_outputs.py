"""Pairing a model's outputs with targets, losses, metrics and weights (for ``Trainer``).

Several outputs are keyed by their names (one output: the key None); a loss, weight or
metric list given once, as a list or as a dict by name becomes one entry per key. Time
masks on outputs become weights the way Keras makes them, and ``class_weight`` becomes
per-sample weights.
"""
from __future__ import annotations

import torch

from . import metrics as metrics_module


def per_output(spec, keys, make, label):
    """One entry per output key from a single value, a list or a dict."""
    if keys == [None]:
        if isinstance(spec, (list, tuple)) and len(spec) == 1:
            spec = spec[0]
        if isinstance(spec, dict):
            raise ValueError(f"{label}: the model has one output; give one {label}, not a dict")
        return {None: make(spec)}
    if isinstance(spec, dict):
        unknown = set(spec) - set(keys)
        if unknown:
            raise ValueError(f"{label}: no outputs named {sorted(unknown)}; outputs are {keys}")
        return {k: make(spec[k]) for k in keys if k in spec}
    if isinstance(spec, (list, tuple)):
        if len(spec) != len(keys):
            raise ValueError(f"{label}: {len(spec)} given for {len(keys)} outputs ({keys})")
        return {k: make(v) for k, v in zip(keys, spec)}
    return {k: make(spec) for k in keys}


def make_metrics(requests, outputs, output_losses):
    keys = list(outputs)
    if requests is None:
        return {k: [] for k in keys}
    if isinstance(requests, dict):
        per_key = {k: requests.get(k, []) for k in keys}
    elif keys == [None]:
        per_key = {None: requests}
    elif requests and all(isinstance(r, (list, tuple)) for r in requests):
        per_key = dict(zip(keys, requests))
    else:
        per_key = {k: requests for k in keys}
    made = {}
    for key, wanted in per_key.items():
        wanted = wanted if isinstance(wanted, (list, tuple)) else [wanted]
        group = []
        for request in wanted:
            metric = metrics_module.get(request, loss=output_losses.get(key))
            group.append((metric.name, metric))
        made[key] = group
    return made


def mask_weights(sample_weight, prediction):
    """Sample weights times the output's time mask, scaled as Keras scales it so that the
    mean over the batch becomes the mean over the real steps."""
    mask = getattr(prediction, "_keras_mask", None)
    if mask is None or prediction.dim() < 3:
        return sample_weight
    mask = mask.to(prediction.dtype)
    mask = mask * (mask.numel() / (mask.sum() + 1e-7))
    if sample_weight is None:
        return mask
    weight = torch.as_tensor(sample_weight, dtype=prediction.dtype)
    while weight.dim() < mask.dim():
        weight = weight.unsqueeze(-1)
    return weight * mask


def with_class_weight(sample_weight, y, class_weight):
    """Keras's class_weight: each sample weighted by its class (its label, or the argmax
    of a one-hot row), times any sample weight."""
    if class_weight is None:
        return sample_weight
    if isinstance(y, (dict, list)):
        raise ValueError("class_weight works for models with one output; use sample_weight")
    if y.dim() > 2:
        raise ValueError(f"class_weight needs one label per sample, got targets of shape "
                         f"{tuple(y.shape)}; weight sequences with sample_weight instead")
    labels = y
    if labels.dim() > 1 and labels.shape[-1] > 1:
        labels = labels.argmax(dim=-1)
    labels = labels.reshape(labels.shape[0], -1)[:, 0].round().long()
    table = torch.ones(int(max(max(class_weight), int(labels.max()))) + 1)
    for label, weight in class_weight.items():
        table[int(label)] = float(weight)
    weights = table[labels]
    if sample_weight is not None:
        weights = weights * torch.as_tensor(sample_weight, dtype=weights.dtype)
    return weights


def concatenate(batches):
    first = batches[0]
    if isinstance(first, torch.Tensor):
        return torch.cat(batches)
    if isinstance(first, dict):
        return {k: torch.cat([b[k] for b in batches]) for k in first}
    return type(first)(torch.cat(parts) for parts in zip(*batches))


def to_numpy(outputs):
    if isinstance(outputs, torch.Tensor):
        return outputs.detach().cpu().numpy()
    if isinstance(outputs, dict):
        return {k: to_numpy(v) for k, v in outputs.items()}
    return [to_numpy(v) for v in outputs]
