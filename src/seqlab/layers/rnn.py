"""The time loop: one function owns masks, reversal, sequences and states (Keras's ``rnn``).

``step(x_t, states) -> (y_t, new_states)`` is applied over the time axis of
``inputs (B, T, ...)``. With ``go_backwards`` the steps run from the last to the
first and the returned sequence is in that processing order, as Keras returns it.
With a ``mask (B, T)``, at a masked step every state keeps its previous value and
the output repeats the previous step's output (zeros before the first real step),
or is zero when ``zero_output_for_mask`` (Bidirectional uses that). A row with no
real step keeps its initial states and outputs zeros.

Returns ``(last_output (B, u), outputs (B, T, u) or None, final_states)``.
"""
from __future__ import annotations

import torch


def rnn_loop(step, inputs, states, mask=None, go_backwards=False, return_sequences=False,
             zero_output_for_mask=False):
    batch, time = inputs.shape[:2]
    states = list(states)
    previous = torch.zeros_like(states[0])  # the output before the first step
    outputs = []
    # unbind, not inputs[:, t]: its backward stacks the step gradients once, where indexing
    # would add a zero-filled (B, T, ...) gradient per step (quadratic in T)
    steps = inputs.unbind(1)
    for t in (range(time - 1, -1, -1) if go_backwards else range(time)):
        output, new_states = step(steps[t], states)
        if mask is not None:
            real = mask[:, t].unsqueeze(-1)
            new_states = [torch.where(real, new, old) for new, old in zip(new_states, states)]
            output = torch.where(real, output, torch.zeros_like(output) if zero_output_for_mask
                                 else previous)
        states, previous = list(new_states), output
        if return_sequences:
            outputs.append(output)
    sequence = None
    if return_sequences:
        sequence = (torch.stack(outputs, dim=1) if outputs
                    else previous.new_zeros((batch, 0) + tuple(previous.shape[1:])))
    return previous, sequence, states
