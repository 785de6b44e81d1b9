"""``export_onnx(model, path)``: a seqlab model as an ONNX file for onnxruntime and friends.

The graph is written node by node with the ``onnx`` package (not traced): recurrent
layers become ONNX's own LSTM, GRU and RNN operators. What exports, and how masks,
Bidirectional and padding are handled: ``_onnx_model`` (the walk over the model),
``_onnx_layers`` and ``_onnx_recurrent``. This module is the door: it checks that
``onnx`` is installed (it is an optional extra) and writes the file.
"""
from __future__ import annotations

import os

from .._files import write_atomically

DEFAULT_OPSET = 17  # onnxruntime 1.16 and later run it (1.16 supports up to 19)
MIN_OPSET = 14  # HardSwish (14); Squeeze, Unsqueeze and ReduceSum with axes as inputs (13)


class ExportError(ValueError):
    """A model (or one of its layers) that ONNX cannot express exactly."""


def require_onnx():
    """The ``onnx`` module, or an ImportError naming the extra to install."""
    try:
        import onnx
    except ImportError:
        raise ImportError('ONNX export needs the onnx package: pip install "seqlab[onnx]" '
                          '(onnx and onnxruntime)') from None
    return onnx


def export_onnx(model, path, *, opset=None, check=True):
    """Write `model` (Sequential or functional, built) as an ONNX file at `path`.

    Args:
        model: a built seqlab model (called once on data, or ``build(input_shape)``),
            float32. Inputs keep the batch axis dynamic (``"batch"``) and any axis the
            model left as None (a Sequential known only from data gets a dynamic time
            axis); a length declared with ``Input(shape=(T,))`` or
            ``Embedding(input_length=T)`` stays fixed.
        path: the ``.onnx`` file to write (atomically: a temporary file, renamed).
        opset: the ONNX opset, default 17; 14 up to what the installed ``onnx`` knows.
        check: run ``onnx.checker.check_model(full_check=True)`` on the result first.

    Names: a Sequential reads ``"input"`` and writes ``"output"`` (``"output_1"``,
    ... for the states of ``return_state``); a functional model uses its ``Input``
    names and its output layers' names. Integer inputs (word indices for an
    Embedding) are int64.

    Returns the ``onnx.ModelProto``. Raises ``ExportError`` (a ValueError) naming the
    layer and the option when something cannot be expressed exactly in ONNX, before
    anything is written; see the README's table.
    """
    onnx = require_onnx()
    from ._onnx_model import build  # imports onnx: only after the check above

    opset = DEFAULT_OPSET if opset is None else opset
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, int) or not MIN_OPSET <= opset <= newest:
        raise ValueError(f"export_onnx: opset must be an int from {MIN_OPSET} to {newest} (the "
                         f"newest this onnx {onnx.__version__} knows), got {opset!r}")
    proto = build(model, opset)
    if check:
        onnx.checker.check_model(proto, full_check=True)
    data = proto.SerializeToString()
    write_atomically(os.fspath(path), lambda file: file.write(data))
    return proto
