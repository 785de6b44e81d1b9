"""The compiled time loops (``_crnn.c``) behind the recurrent layers: the default on a CPU.

The same mathematics as ``bptt.py`` (read its docstrings for the equations of each
cell's forward and backward step), with the time loop itself in C: one
``autograd.Function`` per cell whose forward calls the C forward loop and whose
backward calls the C backward loop. Each step is one product ``[x_t | h_in] @ [W; U]``
(GRU: ``x_t @ W`` and ``h_in @ U`` apart, as its candidate needs them apart), so the
projected inputs are never stored. The backward loop of LSTM and SimpleRNN also computes
``dx`` and adds every step into ``[dW; dU; db]`` while those stay in cache (see
``_fused_gradients``); otherwise, and for GRU, the weight gradients are single torch
products after the loop. The C code splits the batch across ``torch.get_num_threads()``
threads (torch's OpenMP pool), each running the whole loop for its rows.

Buffers are time-major, ``(T, B, width)``: one step of every row is one contiguous
block. ``go_backwards`` is not a flipped copy of the inputs: the loop reads the steps
from the last, and every buffer stays at the steps' original time positions (so
``H[p]`` is the state after reading input ``p`` whichever the direction); only the
returned sequence is put in processing order, as Keras returns it. Masks may have any
pattern (gaps included); recurrent dropout is the ``(B, u)`` mask ``m`` of ``bptt.py``.

Without gradients (inference) the loops keep only what the next step reads: the gates
of one step and the states of two (the whole ``H`` only for a returned sequence), so
the working set stays in cache instead of streaming ``(T, B, G u)`` buffers to memory.

The backward loops are not differentiable themselves: a second derivative through a
compiled layer raises torch's "once_differentiable" error instead of coming out wrong.

``reason`` says why a layer cannot use this path (None when it can): the extension is
not built, the tensors are not on the CPU or not float32/float64, or the activations
have no compiled form.

Importing this module also asks glibc's allocator to keep freed memory
(``_crnn.keep_freed_memory``): a training step allocates the same large buffers every
time, and returning them to the OS only to fault them in again costs as much as the
arithmetic. ``SEQLAB_MALLOC_DEFAULTS=1`` in the environment leaves the allocator alone.
"""
from __future__ import annotations

import os

import torch
from torch.autograd.function import once_differentiable

from .._extensions import optional_extension
from .cells import GRUCell, LSTMCell, SimpleRNNCell

_crnn, _unavailable = optional_extension("seqlab.layers._crnn", "the compiled recurrent kernel")

if _crnn is not None and os.environ.get("SEQLAB_MALLOC_DEFAULTS") != "1":
    _crnn.keep_freed_memory()

_ACTIVATION_CODES = {torch.tanh: 0, torch.relu: 1, torch.sigmoid: 2}  # as in _crnn_kernels.h


def reason(cell, inputs) -> str | None:
    """Why the compiled loop cannot run this cell on these inputs (None when it can)."""
    if _crnn is None:
        return _unavailable
    if inputs.device.type != "cpu":
        return f"the inputs are on {inputs.device.type}, and the compiled loop runs on the CPU"
    if cell.compute_dtype not in (torch.float32, torch.float64):
        return f"dtype {cell.compute_dtype} has no compiled loop (float32 and float64 do)"
    if isinstance(cell, SimpleRNNCell):
        if cell.activation not in _ACTIVATION_CODES:
            return "SimpleRNN's activation is not tanh, relu or sigmoid"
    elif isinstance(cell, (LSTMCell, GRUCell)):
        if cell.activation is not torch.tanh or cell.recurrent_activation is not torch.sigmoid:
            return "activation is not tanh or recurrent_activation is not sigmoid"
    else:
        return f"{type(cell).__name__} has no compiled loop"
    return None


def run(cell, inputs, states, recurrent_mask=None, mask=None, go_backwards=False,
        return_sequences=False, zero_output_for_mask=False):
    """Same contract as ``rnn.rnn_loop`` (inputs in their original order)."""
    steps = inputs.transpose(0, 1)  # (T, B, F)
    if mask is not None and bool(mask.all()):
        mask = None
    M = None if mask is None else mask.T.contiguous()
    dtype = cell.recurrent_kernel.dtype
    m = None if recurrent_mask is None else recurrent_mask.to(dtype).contiguous()
    h0 = states[0].to(dtype)
    x = steps.to(dtype).contiguous()  # (T, B, F): one step of every row is one block
    if not (torch.is_grad_enabled() and any(
            t is not None and t.requires_grad for t in (inputs, *states, *cell.parameters()))):
        H, h_last, extra = _infer(cell, x, h0, states, m, M, go_backwards, return_sequences)
        return _outputs(H, h_last, extra, mask, go_backwards, return_sequences,
                        zero_output_for_mask)
    W, x_bias, U = cell.kernel, cell._input_bias(), cell.recurrent_kernel
    if isinstance(cell, LSTMCell):
        H, h_last, c = _LSTM.apply(x, W, x_bias, h0, states[1].to(dtype), U, m, M,
                                   go_backwards)
        extra = [c]
    elif isinstance(cell, GRUCell):
        recurrent_bias = cell.bias[1] if cell.reset_after and cell.use_bias else None
        H, h_last = _GRU.apply(x, W, x_bias, h0, U, recurrent_bias, m, M, go_backwards,
                               cell.reset_after)
        extra = []
    else:
        H, h_last = _SimpleRNN.apply(x, W, x_bias, h0, U, m, M, go_backwards,
                                     _ACTIVATION_CODES[cell.activation])
        extra = []
    return _outputs(H, h_last, extra, mask, go_backwards, return_sequences, zero_output_for_mask)


def _outputs(H, h_last, extra, mask, go_backwards, return_sequences, zero_output_for_mask):
    """``(last output, sequence or None, final states)`` as ``rnn.rnn_loop`` returns them."""
    ordered = None
    if return_sequences:  # (B, T, u) in processing order
        ordered = (H.flip(0) if go_backwards else H).transpose(0, 1)
    if mask is None:
        return h_last, ordered, [h_last] + extra
    # Keras's outputs: 0 before the first real step (or at every masked step); elsewhere
    # the carried state, which is the last real step's output
    in_order = mask.flip(1) if go_backwards else mask
    shown = (in_order if zero_output_for_mask else in_order.cummax(dim=1).values).to(H.dtype)
    last = h_last * shown[:, -1:]
    sequence = ordered * shown.unsqueeze(-1) if return_sequences else None
    return last, sequence, [h_last] + extra


def step(cell, x_t, states, mask=None):
    """One step (T = 1) of the forward loop without gradients, for step-by-step decoding:
    ``x_t (B, F)`` from ``states`` gives ``(h (B, u), new states)``. A row whose `mask`
    ``(B,)`` is False keeps its states (and outputs its carried ``h``).

    The same C loop as ``_infer``, with as little Python around it as a token's budget
    allows (the C step of a small layer takes a few microseconds): the weights and their
    addresses come from ``_frozen_weights``, a ``(B, F)`` step is already the
    ``(1, B, F)`` buffer the loop reads, and every buffer the loop writes is a slot of one
    ``(slots, B, u)`` allocation: the two state slots ``H`` (the step writes slot 0),
    LSTM's two cell slots and ``tanh(c)``, and the gates ``A`` (``G`` slots)."""
    (W, x_bias, U, b, WU), (pW, p_bias, pU, pb, pWU) = _frozen_weights(cell, True)
    dtype = U.dtype
    if x_t.dtype != dtype or not x_t.is_contiguous():
        x_t = x_t.to(dtype).contiguous()
    h0 = states[0]
    if h0.dtype != dtype or not h0.is_contiguous():
        h0 = h0.to(dtype).contiguous()
    batch, units = h0.shape
    if mask is not None:
        mask = mask.contiguous()  # kept alive (a temporary's address would dangle)
    pM = 0 if mask is None else mask.data_ptr()
    head = (dtype == torch.float64, batch, 1, units, False, torch.get_num_threads())
    tail = (1, 2, 2, x_t.shape[-1], 0, h0.data_ptr())
    if isinstance(cell, LSTMCell):
        c0 = states[1]
        if c0.dtype != dtype or not c0.is_contiguous():
            c0 = c0.to(dtype).contiguous()
        buffer = x_t.new_empty(9, batch, units)  # H H C C tanh(c) A A A A
        slot = _slots(buffer)
        _crnn.lstm_forward(*head, 0, *tail, c0.data_ptr(), pU, 0, pM, slot(5), slot(2),
                           slot(4), slot(0), x_t.data_ptr(), pW, p_bias, pWU)
        return buffer[0], [buffer[0], buffer[2]]
    if isinstance(cell, GRUCell):
        buffer = x_t.new_empty(6, batch, units)  # H H A A A Q
        slot = _slots(buffer)
        _crnn.gru_forward(*head, int(cell.reset_after), *tail, pU, pb, 0, pM, slot(2),
                          slot(5) if cell.reset_after else 0, slot(0), x_t.data_ptr(), pW,
                          p_bias)
    else:
        buffer = x_t.new_empty(2, batch, units)  # H H
        _crnn.rnn_forward(*head, _ACTIVATION_CODES[cell.activation], *tail, pU, 0, pM,
                          buffer.data_ptr(), x_t.data_ptr(), pW, p_bias, pWU)
    return buffer[0], [buffer[0]]


def _slots(buffer):
    """The address of slot k of a ``(slots, B, u)`` buffer."""
    base, size = buffer.data_ptr(), buffer[0].numel() * buffer.element_size()
    return lambda k: base + k * size


def _infer(cell, x, h0, states, m, M, reverse, return_sequences):
    """The forward loop alone on the raw inputs ``x (T, B, F)``, projected step by step
    inside the loop, keeping one step of gates and two of states (all of ``H`` when the
    sequence is returned). Returns ``(H, h after the last step, [c] or [])``."""
    time, batch, _ = x.shape
    units = h0.shape[-1]
    width = cell.kernel.shape[-1]
    last = 0 if reverse else time - 1
    state_slots = time if return_sequences else 2
    H = x.new_empty(state_slots, batch, units)
    A = x.new_empty(1, batch, width)
    W, x_bias, U, b, WU = _frozen_weights(cell)
    h0 = h0.detach().contiguous()
    slots = (1, 2, state_slots, x.shape[-1])
    raw = (x, W, x_bias)
    if isinstance(cell, LSTMCell):
        C, TC = x.new_empty(2, batch, units), x.new_empty(1, batch, units)
        c0 = states[1].detach().to(x.dtype).contiguous()
        _call(_crnn.lstm_forward, x, units, reverse, 0, slots, None, h0, c0, U, m, M, A, C, TC,
              H, *raw, WU)
        return H, H[last % state_slots], [C[last % 2]]
    if isinstance(cell, GRUCell):
        Q = x.new_empty(1, batch, units) if cell.reset_after else None
        _call(_crnn.gru_forward, x, units, reverse, cell.reset_after, slots, None, h0, U, b, m,
              M, A, Q, H, *raw)
    else:
        _call(_crnn.rnn_forward, x, units, reverse, _ACTIVATION_CODES[cell.activation], slots,
              None, h0, U, m, M, H, *raw, WU)
    return H, H[last % state_slots], []


def _frozen_weights(cell, addresses=False):
    """``(W, input bias, U, GRU recurrent bias, [W; U])`` as the inference loop reads them
    (detached, contiguous; absent ones None), made once per version of the parameters
    (an optimizer step or ``set_weights`` makes new ones), so that a one-token step does
    not copy ``[W; U]`` again. With `addresses`, also their data pointers (0 if absent).
    The version counter is torch's: an in-place edit through ``parameter.data`` bypasses
    it (torch does not count those), so edit weights under ``torch.no_grad()`` instead."""
    parameters = [p for p in (cell.kernel, cell.recurrent_kernel, getattr(cell, "bias", None))
                  if p is not None]
    key = tuple((p.data_ptr(), p._version, p.dtype) for p in parameters)
    cached = cell.__dict__.get("_frozen_weights")
    if cached is None or cached[0] != key:
        W, U = cell.kernel.detach().contiguous(), cell.recurrent_kernel.detach().contiguous()
        x_bias = cell._input_bias()
        x_bias = None if x_bias is None else x_bias.detach().contiguous()
        gru = isinstance(cell, GRUCell)
        b = cell.bias[1].detach().contiguous() if gru and cell.reset_after and cell.use_bias \
            else None
        weights = (W, x_bias, U, b, None if gru else _stacked(W, U))
        cached = (key, weights, tuple(map(_pointer, weights)))
        cell.__dict__["_frozen_weights"] = cached
    return (cached[1], cached[2]) if addresses else cached[1]


def _stacked(W, U):
    """``[W; U] (F + u, G u)``: one product ``[x_t | h_in] @ [W; U]`` per step."""
    return torch.cat([W, U]).contiguous()


def _pointer(tensor):
    return 0 if tensor is None else tensor.data_ptr()


def _call(kernel, like, units, reverse, option, slots, *tensors, threads=None):
    """Runs a C loop on `tensors` (contiguous, of `like`'s dtype, or None). `slots` are
    the time slots kept of the gate, cell and state buffers and the raw inputs' width, or
    None: every step kept and no raw inputs read."""
    time, batch = like.shape[:2]
    kernel(like.dtype == torch.float64, batch, time, units, bool(reverse),
           threads or torch.get_num_threads(), int(option), *(slots or (time, time, time, 0)),
           *map(_pointer, tensors))


def _contiguous(*tensors):
    return [None if t is None else t.contiguous() for t in tensors]


def _inputs_to_cell(H, h0, m, reverse):
    """``h_in`` at every original position: the state before reading that input,
    times the recurrent-dropout mask."""
    first = h0.unsqueeze(0)
    h_in = torch.cat([H[1:], first]) if reverse else torch.cat([first, H[:-1]])
    return h_in if m is None else h_in * m


def _outer_sum(a, b):
    """``sum over (time, batch) of a^T b``: one matrix product."""
    return a.reshape(-1, a.shape[-1]).T @ b.reshape(-1, b.shape[-1])


FUSED_SUMS_LIMIT = 65536  # floats of [dW; dU; db] per thread that stay in cache (256 KiB)


def _projection_gradients(ctx, x, W, dXp):
    """``dx = dXp @ W^T``, ``dW = sum x^T dXp`` and the input bias's ``sum dXp``, as
    products after the loop."""
    dx = (dXp.view(-1, dXp.shape[-1]) @ W.T).view_as(x) if ctx.needs_input_grad[0] else None
    db = dXp.sum(dim=(0, 1)) if ctx.has_bias else None
    return dx, _outer_sum(x, dXp), db


def _fused_gradients(ctx, kernel, option, head, dh_last, x, W, U, H, h0, m):
    """LSTM and SimpleRNN, whose input and recurrent matmuls see the same ``dz``: the C
    backward loop (`kernel` on ``head`` + the tensors below) also computes ``dx`` and,
    when ``[dW; dU; db]`` is small enough to stay in cache, adds each step into one block
    per thread chunk, summed here in a fixed order, so that ``dz`` is never stored. For
    larger layers (LSTM(256): ~6x too big) it stores ``dz`` and the gradients are products
    after the loop, as for GRU. Returns ``(dx, dW, db, dU)``."""
    threads = torch.get_num_threads()
    time, batch, features = x.shape
    units, width = U.shape
    in_loop = (features + units + 1) * width <= FUSED_SUMS_LIMIT
    sums = x.new_zeros(threads, features + units + 1, width) if in_loop else None
    dz = None if in_loop else x.new_empty(time, batch, width)
    dx = torch.empty_like(x) if ctx.needs_input_grad[0] and in_loop else None
    VT = torch.cat([U.T, W.T], dim=1).contiguous() if in_loop else None  # [U^T | W^T]
    _call(kernel, x, units, ctx.reverse, option, (time, time, time, features), *head, x, VT,
          dx, sums, dz, dh_last, threads=threads)
    if in_loop:
        total = sums.sum(dim=0)
        return dx, total[:features], total[-1] if ctx.has_bias else None, total[features:-1]
    dx, dW, db = _projection_gradients(ctx, x, W, dz)
    return dx, dW, db, _outer_sum(_inputs_to_cell(H, h0, m, ctx.reverse), dz)


class _LSTM(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, W, x_bias, h0, c0, U, m, M, reverse):
        W, x_bias, h0, c0, U = _contiguous(W, x_bias, h0, c0, U)
        time, batch, features = x.shape
        units = U.shape[0]
        A = x.new_empty(time, batch, 4 * units)
        C, TC, H = (x.new_empty(time, batch, units) for _ in range(3))
        _call(_crnn.lstm_forward, x, units, reverse, 0, (time, time, time, features), None, h0,
              c0, U, m, M, A, C, TC, H, x, W, x_bias, _stacked(W, U))
        ctx.reverse, ctx.has_bias = reverse, x_bias is not None
        ctx.save_for_backward(x, W, h0, c0, U, m, M, A, C, TC, H)
        ctx.set_materialize_grads(False)  # unused outputs: None, not zeros to add
        last = 0 if reverse else time - 1
        return H, H[last].clone(), C[last].clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, dH, dh_last, dc_last):
        x, W, h0, c0, U, m, M, A, C, TC, H = ctx.saved_tensors
        dH, dh_last, dc_last, UT = _contiguous(dH, dh_last, dc_last, U.T)
        dh0, dc0 = torch.empty_like(h0), torch.empty_like(c0)
        head = (dH, dc_last, c0, UT, m, M, A, C, TC, dh0, dc0, h0, H)
        dx, dW, db, dU = _fused_gradients(ctx, _crnn.lstm_backward, 0, head, dh_last, x, W, U,
                                          H, h0, m)
        return dx, dW, db, dh0, dc0, dU, None, None, None


class _GRU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, W, x_bias, h0, U, b, m, M, reverse, reset_after):
        W, x_bias, h0, U, b = _contiguous(W, x_bias, h0, U, b)
        time, batch, features = x.shape
        units = U.shape[0]
        A = x.new_empty(time, batch, 3 * units)
        Q = x.new_empty(time, batch, units) if reset_after else None
        H = x.new_empty(time, batch, units)
        _call(_crnn.gru_forward, x, units, reverse, reset_after, (time, time, time, features),
              None, h0, U, b, m, M, A, Q, H, x, W, x_bias)
        ctx.reverse, ctx.reset_after = reverse, reset_after
        ctx.has_bias, ctx.has_recurrent_bias = x_bias is not None, b is not None
        ctx.save_for_backward(x, W, h0, U, m, M, A, Q, H)
        ctx.set_materialize_grads(False)
        return H, H[0 if reverse else time - 1].clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, dH, dh_last):
        x, W, h0, U, m, M, A, Q, H = ctx.saved_tensors
        dH, dh_last, UT = _contiguous(dH, dh_last, U.T)
        dXp, dh0 = torch.empty_like(A), torch.empty_like(h0)
        dQ = torch.empty_like(A) if ctx.reset_after else None
        _call(_crnn.gru_backward, A, h0.shape[-1], ctx.reverse, ctx.reset_after, None, dH, h0, UT,
              m, M, A, Q, H, dXp, dQ, dh0, dh_last)
        dx, dW, dx_bias = _projection_gradients(ctx, x, W, dXp)
        h_in = _inputs_to_cell(H, h0, m, ctx.reverse)
        units = h0.shape[-1]
        if ctx.reset_after:
            dU = _outer_sum(h_in, dQ)
            db = dQ.sum(dim=(0, 1)) if ctx.has_recurrent_bias else None
        else:  # [z, r] see h_in; the candidate sees r * h_in
            reset = A[..., units:2 * units]
            dU = torch.cat([_outer_sum(h_in, dXp[..., :2 * units]),
                            _outer_sum(reset * h_in, dXp[..., 2 * units:])], dim=1)
            db = None
        return dx, dW, dx_bias, dh0, dU, db, None, None, None, None


class _SimpleRNN(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, W, x_bias, h0, U, m, M, reverse, activation):
        W, x_bias, h0, U = _contiguous(W, x_bias, h0, U)
        time, batch, features = x.shape
        units = U.shape[0]
        H = x.new_empty(time, batch, units)
        _call(_crnn.rnn_forward, x, units, reverse, activation, (time, time, time, features),
              None, h0, U, m, M, H, x, W, x_bias, _stacked(W, U))
        ctx.reverse, ctx.activation, ctx.has_bias = reverse, activation, x_bias is not None
        ctx.save_for_backward(x, W, h0, U, m, M, H)
        ctx.set_materialize_grads(False)
        return H, H[0 if reverse else time - 1].clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, dH, dh_last):
        x, W, h0, U, m, M, H = ctx.saved_tensors
        dH, dh_last, UT = _contiguous(dH, dh_last, U.T)
        dh0 = torch.empty_like(h0)
        head = (dH, UT, m, M, H, dh0, h0)
        dx, dW, db, dU = _fused_gradients(ctx, _crnn.rnn_backward, ctx.activation, head, dh_last,
                                          x, W, U, H, h0, m)
        return dx, dW, db, dh0, dU, None, None, None, None
