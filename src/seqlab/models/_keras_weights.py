"""Keras weight arrays into seqlab layers: Keras's own conversions, every shape checked
before anything is assigned.

The arrays of a layer come in Keras's order (trainable then non-trainable, which for
these layers is ``get_weights()`` order; a Bidirectional's forward layer then its
backward one). Before they are set, ``convert`` applies what Keras's
``preprocess_weights_for_loading`` applies (tf-keras ``saving/legacy/hdf5_format.py``):

* Keras 1 files: an LSTM of 12 arrays (gates ``i, c, f, o`` apart) and a GRU of 9
  (``z, r, h``) are joined into kernel / recurrent_kernel / bias; a Conv1D kernel of shape
  ``(k, 1, in, filters)`` (or Keras 1.1's ``(filters, in, k, 1)``) becomes ``(k, in, filters)``;
* CuDNN weights (recognised by their bias, as Keras does: ``8u`` for CuDNNLSTM, ``6u`` for
  CuDNNGRU): each gate's input kernel is read in cuDNN's (Fortran) layout,
  ``k.T.reshape(k.shape, order="F")``, each recurrent kernel is transposed, the LSTM's two
  biases are summed and the GRU's become the ``(2, 3u)`` bias of ``reset_after=True``.
"""
from __future__ import annotations

import numpy as np

from ..layers import Bidirectional, TimeDistributed
from ..layers.cells import GRUCell, LSTMCell
from ..layers.recurrent import RNN
from ._keras_values import KerasConfigError

_FLOATS = ("f", "i", "u")


def has_weights(layer) -> bool:
    return any(True for _ in layer.parameters())


def convert(layer, arrays, major):
    """The arrays of one Keras layer in the layout of seqlab `layer` (see module doc)."""
    arrays = list(arrays)
    if isinstance(layer, Bidirectional):
        half = len(arrays) // 2
        return (convert(layer.forward_layer, arrays[:half], major)
                + convert(layer.backward_layer, arrays[half:], major))
    if isinstance(layer, TimeDistributed):
        return convert(layer.layer, arrays, major)
    if major == 1:
        arrays = _from_keras1(layer, arrays)
    if isinstance(layer, RNN) and len(arrays) == 3:
        arrays = _from_cudnn(layer, arrays)
    return arrays


def check_and_set(pairs, source):
    """Set ``[(layer, arrays), ...]``: every count and shape is checked first, so a bad file
    changes nothing."""
    ready = []
    for layer, arrays in pairs:
        parameters = list(layer.named_parameters())
        if len(arrays) != len(parameters):
            raise ValueError(f"{source}: layer {layer.name!r} ({type(layer).__name__}) has "
                             f"{len(parameters)} weights ({', '.join(n for n, _ in parameters)}), "
                             f"the file gives {len(arrays)}")
        values = []
        for (name, parameter), array in zip(parameters, arrays):
            array = np.asarray(array)
            if array.dtype.kind not in _FLOATS:
                raise ValueError(f"{source}: layer {layer.name!r} weight {name!r} is stored as "
                                 f"{array.dtype}, not numbers")
            if tuple(array.shape) != tuple(parameter.shape):
                raise ValueError(f"{source}: layer {layer.name!r} ({type(layer).__name__}) "
                                 f"weight {name!r} should have shape {tuple(parameter.shape)}, "
                                 f"the file has {tuple(array.shape)}")
            if not np.isfinite(array).all():
                raise ValueError(f"{source}: layer {layer.name!r} weight {name!r} holds "
                                 "NaN or infinite values")
            values.append(array)
        ready.append((layer, values))
    for layer, values in ready:
        layer.set_weights(values)


def read_datasets(datasets, budget, source, layer, files=()):
    """NumPy arrays of HDF5 datasets, refusing one larger than `budget` elements, of a
    non-numeric type, or held in another file (`files`: the name of the file it must be in)
    before reading it."""
    arrays = []
    for dataset in datasets:
        if not hasattr(dataset, "shape") or not hasattr(dataset, "dtype"):
            raise ValueError(f"{source}: layer {layer.name!r}: a weight entry is a "
                             f"{type(dataset).__name__}, not a dataset")
        if getattr(dataset, "is_virtual", False) or (
                getattr(dataset, "file", None) is not None and files and
                dataset.file.filename != files[0]):
            raise ValueError(f"{source}: layer {layer.name!r}: a weight lives in another file "
                             "(an external link or virtual dataset), which seqlab does not follow")
        if dataset.dtype.kind not in _FLOATS:
            raise ValueError(f"{source}: layer {layer.name!r}: a weight is stored as "
                             f"{dataset.dtype}, not numbers")
        size = int(np.prod(dataset.shape, dtype=np.int64)) if dataset.shape else 1
        if size > budget:
            raise ValueError(f"{source}: layer {layer.name!r}: a stored weight of shape "
                             f"{tuple(dataset.shape)} is larger than the whole layer "
                             f"({budget:,} weights)")
        try:
            arrays.append(np.asarray(dataset[()]))
        except (OSError, KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{source}: layer {layer.name!r}: a weight cannot be read "
                             f"(truncated or corrupted file?): {error}") from None
    return arrays


def layer_budget(layer) -> int:
    """The most elements one stored array of `layer` may have (a CuDNN bias is 2x)."""
    return 2 * sum(p.numel() for p in layer.parameters()) + 16


# ----------------------------------------------------------------- conversions

def _from_keras1(layer, arrays):
    cell = getattr(layer, "cell", None)
    if isinstance(cell, LSTMCell) and len(arrays) == 12:  # i, c, f, o -> i, f, c, o
        order = (0, 6, 3, 9)
        return [np.concatenate([arrays[g + part] for g in order], axis=-1) for part in range(3)]
    if isinstance(cell, GRUCell) and len(arrays) == 9:  # z, r, h
        return [np.concatenate([arrays[g + part] for g in (0, 3, 6)], axis=-1)
                for part in range(3)]
    if type(layer).__name__ == "Conv1D" and arrays and np.ndim(arrays[0]) == 4:
        kernel = np.asarray(arrays[0])
        if kernel.shape[:2] != (layer.kernel_size, 1) or kernel.shape[3] != layer.filters:
            if not (kernel.shape[0] == layer.filters and
                    kernel.shape[2:] == (layer.kernel_size, 1)):
                raise ValueError(f"layer {layer.name!r}: a Keras 1 Conv1D kernel of shape "
                                 f"{kernel.shape} fits neither known layout")
            kernel = np.transpose(kernel, (2, 3, 1, 0))  # Keras 1.1: (filters, in, k, 1)
        return [kernel[:, 0, :, :], *arrays[1:]]
    return arrays


def _from_cudnn(layer, arrays):
    cell = layer.cell
    kernel, recurrent, bias = (np.asarray(a) for a in arrays)
    if recurrent.ndim != 2:
        return arrays
    units = recurrent.shape[0]
    if isinstance(cell, LSTMCell) and bias.shape == (8 * units,):
        return [_per_gate(kernel, 4, _cudnn_input), _per_gate(recurrent, 4, np.transpose),
                bias[:4 * units] + bias[4 * units:]]
    if isinstance(cell, GRUCell):
        if bias.shape == (6 * units,):
            if not cell.reset_after:
                raise KerasConfigError(f"layer {layer.name!r}: CuDNNGRU weights fit only "
                                       "GRU(reset_after=True), this GRU has reset_after=False")
            return [_per_gate(kernel, 3, _cudnn_input), _per_gate(recurrent, 3, np.transpose),
                    bias.reshape(2, -1)]
        if bias.shape == (3 * units,) and cell.reset_after or \
                bias.shape == (2, 3 * units) and not cell.reset_after:
            raise KerasConfigError(f"layer {layer.name!r}: GRU weights with a bias of shape "
                                   f"{bias.shape} do not fit GRU(reset_after={cell.reset_after})")
    return arrays


def _per_gate(kernel, gates, transform):
    return np.hstack([transform(block) for block in np.hsplit(kernel, gates)])


def _cudnn_input(block):
    return block.T.reshape(block.shape, order="F")
