"""torch's native recurrent kernels behind seqlab's layers, where the semantics match exactly.

Keras and torch compute the same SimpleRNN (tanh/relu), LSTM (tanh, sigmoid) and
GRU (``reset_after=True``, tanh, sigmoid); only the weight layouts differ, and
``torch_weights`` converts them (differentiably, so gradients reach the Keras-layout
parameters):

    Keras                                   torch
    kernel (in, G u), blocks [b1|b2|...]    weight_ih (G u, in) = kernel.T
    recurrent_kernel (u, G u)               weight_hh (G u, u) = recurrent_kernel.T
    LSTM gates  i, f, c, o                  i, f, g, o          (same order)
    GRU  gates  z, r, h                     r, z, n             (blocks reordered)
    bias (G u,)                             bias_ih = bias, bias_hh = 0
    GRU bias (2, 3u) = [input; recurrent]   bias_ih = bias[0], bias_hh = bias[1]

Masks: when every row's real steps form one contiguous run (left padding, right
padding, none, or all padding), the runs are moved to the front of each row and fed
as a packed sequence; outputs are moved back and the masked steps filled the way the
reference loop fills them. Input dropout (one mask per sequence) is applied to the
inputs before the kernel. Everything else (recurrent dropout, other activations,
``reset_after=False``, masks with gaps) runs in the loop instead: see ``reason``.
"""
from __future__ import annotations

import torch
from torch import _VF
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from .cells import GRUCell, LSTMCell, SimpleRNNCell


def reason(cell, mask, recurrent_dropout_on: bool) -> str | None:
    """Why these settings cannot use torch's kernel (None when they can)."""
    tanh, sigmoid = torch.tanh, torch.sigmoid
    if isinstance(cell, SimpleRNNCell):
        if cell.activation not in (tanh, torch.relu):
            return "SimpleRNN activation is neither tanh nor relu"
    elif isinstance(cell, (LSTMCell, GRUCell)):
        if cell.activation is not tanh or cell.recurrent_activation is not sigmoid:
            return "activation is not tanh or recurrent_activation is not sigmoid"
        if isinstance(cell, GRUCell) and not cell.reset_after:
            return "GRU reset_after=False has no native kernel"
    else:
        return f"{type(cell).__name__} has no native kernel"
    if cell.compute_dtype not in (torch.float32, torch.float64):
        return f"dtype {cell.compute_dtype} has no native kernel"
    if recurrent_dropout_on:
        return "recurrent_dropout draws on h at every step, inside the loop"
    if mask is not None and runs(mask) is None:
        return "the mask has gaps (masked steps between real steps)"
    return None


def torch_weights(cell) -> list:
    """``[weight_ih, weight_hh, bias_ih, bias_hh]`` in torch's layout (see the module doc)."""
    kernel, recurrent = cell.kernel, cell.recurrent_kernel
    if isinstance(cell, GRUCell):
        u = cell.units
        order = torch.cat([torch.arange(u, 2 * u), torch.arange(0, u), torch.arange(2 * u, 3 * u)])
        kernel, recurrent = kernel[:, order], recurrent[:, order]
        weights = [kernel.T, recurrent.T]
        if cell.use_bias:
            weights += [cell.bias[0, order], cell.bias[1, order]]
        return weights
    weights = [kernel.T, recurrent.T]
    if cell.use_bias:
        weights += [cell.bias, torch.zeros_like(cell.bias)]
    return weights


def runs(mask):
    """``(starts, lengths)`` of each row's one run of real steps, or None if a row has gaps."""
    lengths = mask.sum(dim=1)
    starts = mask.to(torch.int8).argmax(dim=1)
    positions = torch.arange(mask.shape[1], device=mask.device)
    expected = (positions >= starts[:, None]) & (positions < (starts + lengths)[:, None])
    return (starts, lengths) if torch.equal(expected, mask) else None


def run(cell, inputs, states, mask=None, return_sequences=False, zero_output_for_mask=False,
        training=False, need_states=True):
    """Same contract as ``rnn.rnn_loop`` (forward direction; flip inputs for go_backwards).

    ``need_states=False`` says the final states will not be used, so a masked LSTM
    may skip computing its final ``c`` (returned as None).
    """
    if mask is not None and bool(mask.all()):
        mask = None
    if mask is None:
        sequence, final = _kernel(cell, inputs, states, training)
        return sequence[:, -1] if sequence.shape[1] else states[0], sequence, final
    batch, time = mask.shape
    starts, lengths = runs(mask)
    positions = torch.arange(time, device=inputs.device)
    # Move each row's run of real steps to the front: right padding, which the kernel
    # handles by running on and ignoring what comes after each row's run.
    front = (starts[:, None] + positions).clamp(max=time - 1)
    moved = inputs.gather(1, front.unsqueeze(-1).expand(-1, -1, inputs.shape[-1]))
    if need_states and isinstance(cell, LSTMCell):
        sequence, last, final = _packed(cell, moved, states, lengths, training)
    else:  # h at each row's last real step is all that is needed: read it off the outputs
        sequence, _ = _kernel(cell, moved, states, training)
        at_end = (lengths - 1).clamp(min=0).view(-1, 1, 1).expand(-1, 1, cell.units)
        h_end = sequence.gather(1, at_end).squeeze(1)
        real = (lengths > 0).unsqueeze(-1)
        last = torch.where(real, h_end, torch.zeros_like(h_end))
        final = [torch.where(real, h_end, states[0])] + [None] * (len(states) - 1)
    if zero_output_for_mask:  # the last output is that of the last step, zero if masked
        last = torch.where(mask[:, -1:], last, torch.zeros_like(last))
    if not return_sequences:
        return last, None, final
    # Back to the original positions: step t of the row is step t - start of its run;
    # masked steps repeat the last real output after the run (zeros before it).
    offset = positions - starts[:, None]
    inside = (offset >= 0) & (offset < lengths[:, None])
    back = sequence.gather(1, offset.clamp(0, time - 1).unsqueeze(-1).expand_as(sequence))
    after = (offset >= lengths[:, None]).unsqueeze(-1)
    filler = torch.zeros_like(back) if zero_output_for_mask else torch.where(
        after, last.unsqueeze(1).expand_as(back), torch.zeros_like(back))
    return last, torch.where(inside.unsqueeze(-1), back, filler), final


def _kernel(cell, inputs, states, training, batch_sizes=None):
    """One call of torch's kernel; ``batch_sizes`` given means `inputs` is packed data."""
    weights, has_bias = torch_weights(cell), cell.use_bias
    hx = [s.unsqueeze(0).contiguous() for s in states]
    packed = () if batch_sizes is None else (batch_sizes,)
    flags = (has_bias, 1, 0.0, training, False) + (() if packed else (True,))
    if isinstance(cell, LSTMCell):
        output, h, c = _VF.lstm(inputs, *packed, tuple(hx), weights, *flags)
        return output, [h[0], c[0]]
    kernel = _VF.gru if isinstance(cell, GRUCell) else (
        _VF.rnn_tanh if cell.activation is torch.tanh else _VF.rnn_relu)
    output, h = kernel(inputs, *packed, hx[0], weights, *flags)
    return output, [h[0]]


def _packed(cell, moved, states, lengths, training):
    """The front-aligned runs as a packed sequence: exact final states (an LSTM's c
    included), slow to train on a CPU (torch's backward zero-fills a full-size
    gradient per step), so the layer uses it at inference only."""
    batch, time = moved.shape[:2]
    live = (lengths > 0).nonzero().squeeze(1)  # packing needs at least one step per row
    final = [s.clone() for s in states]
    last = torch.zeros_like(states[0])
    sequence = torch.zeros(batch, time, cell.units, dtype=moved.dtype, device=moved.device)
    if len(live):
        packed = pack_padded_sequence(moved[live], lengths[live].cpu(), batch_first=True,
                                      enforce_sorted=False)
        live_states = [s[live][packed.sorted_indices] for s in states]
        data, live_final = _kernel(cell, packed.data, live_states, training, packed.batch_sizes)
        live_final = [s[packed.unsorted_indices] for s in live_final]
        for whole, part in zip(final, live_final):
            whole[live] = part
        last = last.index_put((live,), live_final[0])
        padded, _ = pad_packed_sequence(
            PackedSequence(data, packed.batch_sizes, packed.sorted_indices,
                           packed.unsorted_indices), batch_first=True, total_length=time)
        sequence = sequence.index_put((live,), padded)
    return sequence, last, final
