"""The time loop with hand-derived backpropagation through time, for the standard cells.

Autograd records a dozen small operations per step and replays them backwards, which
costs more than the arithmetic at the sizes of this field (batch 128, 32 units). Here
one ``autograd.Function`` per cell runs the forward loop without recording, keeps the
gate activations, and runs the backward loop by the chain rule written out below; the
recurrent-kernel gradient is one matrix product over all steps at the end. It is used
where torch's kernel cannot be (recurrent dropout, GRU ``reset_after=False``, masks
with gaps) and is checked against autograd through the reference loop in the tests.

Every function takes the projected inputs ``xp (B, T, G u)`` (``cell.project``, whose
own gradient autograd handles), the initial states, the recurrent kernel
``U (u, G u)``, an optional recurrent-dropout mask ``m (B, u)`` (``h_in = h * m``
enters the matmul) and an optional time mask ``M (B, T)``: at a masked step every
state keeps its previous value, so its gradient passes straight back and the cell
receives none. It returns every step's ``h`` as ``H (B, T, u)`` (and the final ``c``
for LSTM); ``run`` turns ``H`` into Keras's outputs.

Notation for the backward pass: ``dX`` is the gradient of the loss with respect to X,
``s = sigmoid``, ``s' = s (1 - s)``, ``tanh' = 1 - tanh^2``.
"""
from __future__ import annotations

import torch

from .cells import GRUCell, LSTMCell, SimpleRNNCell

_DERIVATIVES = {  # activation -> its derivative written with its output y
    torch.tanh: lambda y: 1 - y * y,
    torch.sigmoid: lambda y: y * (1 - y),
    torch.relu: lambda y: (y > 0).to(y.dtype),
}


def reason(cell) -> str | None:
    """Why the hand-derived loop cannot run this cell (None when it can)."""
    if isinstance(cell, SimpleRNNCell):
        ok = cell.activation in _DERIVATIVES
    elif isinstance(cell, (LSTMCell, GRUCell)):
        ok = cell.activation is torch.tanh and cell.recurrent_activation is torch.sigmoid
    else:
        ok = False
    return None if ok else "its activations have no hand-derived backward pass"


def run(cell, xp, states, recurrent_mask=None, mask=None, return_sequences=False,
        zero_output_for_mask=False):
    """Same contract as ``rnn.rnn_loop`` on projected inputs (forward direction)."""
    U = cell.recurrent_kernel
    if isinstance(cell, LSTMCell):
        H, c = _LSTM.apply(xp, states[0], states[1], U, recurrent_mask, mask)
        final_extra = [c]
    elif isinstance(cell, GRUCell):
        recurrent_bias = cell.bias[1] if cell.reset_after and cell.use_bias else None
        function = _GRU if cell.reset_after else _GRUResetBefore
        H = function.apply(xp, states[0], U, recurrent_bias, recurrent_mask, mask)
        final_extra = []
    else:
        H = _SimpleRNN.apply(xp, states[0], U, recurrent_mask, mask, cell.activation)
        final_extra = []
    final = [H[:, -1]] + final_extra
    if mask is None:
        outputs = H
    else:  # Keras's outputs: 0 before the first real step (or at every masked step)
        shown = mask if zero_output_for_mask else mask.cummax(dim=1).values
        outputs = H * shown.unsqueeze(-1).to(H.dtype)
    return outputs[:, -1], (outputs if return_sequences else None), final


def _previous(H, h0):
    """``h_{t-1}`` for every step: ``[h0, h_0, ..., h_{T-2}]``, shape (B, T, u)."""
    return torch.cat([h0.unsqueeze(1), H[:, :-1]], dim=1)


def _masked(m, h):
    return h if m is None else h * m


def _carry(M, t, new, old):
    """The step's new state where the step is real, the previous one where it is masked."""
    return new if M is None else torch.where(M[:, t].unsqueeze(-1), new, old)


def _gradient_carry(M, t, dz, d_prev, d_state):
    """At masked steps the cell gets no gradient and the state's passes straight back."""
    if M is None:
        return d_prev
    real = M[:, t].unsqueeze(-1)
    dz.mul_(real)
    return torch.where(real, d_prev, d_state)


def _recurrent_kernel_gradient(H, h0, m, dZ):
    """``sum_t h_in_t^T dz_t`` as one product over all steps."""
    h_in = _previous(H, h0)
    if m is not None:
        h_in = h_in * m.unsqueeze(1)
    return h_in.reshape(-1, h_in.shape[-1]).T @ dZ.reshape(-1, dZ.shape[-1])


class _LSTM(torch.autograd.Function):
    """Forward, per step (gate blocks i, f, g, o)::

        z = xp_t + h_in @ U,  i, f, o = s(z_i), s(z_f), s(z_o),  g = tanh(z_g)
        c_t = f c_{t-1} + i g,  h_t = o tanh(c_t)

    computed as one sigmoid over all four blocks, the g block's inputs doubled
    (``tanh(x) = 2 s(2x) - 1``). Backward, per step, from dh (output and next step)
    and dc (next step)::

        dc += dh o tanh'(c_t)
        dz = [dc g s'(z_i), dc c_{t-1} s'(z_f), dc i tanh'(z_g), dh tanh(c_t) s'(z_o)]
        dh_{t-1} = (dz @ U^T) * m,   dc_{t-1} = dc f,   dU = sum_t h_in^T dz

    where every factor multiplying dc or dh is computed for all steps at once before
    the backward loop, which then costs a handful of operations per step.
    """

    @staticmethod
    def forward(ctx, xp, h0, c0, U, m, M):
        B, T, _ = xp.shape
        u = h0.shape[-1]
        # Time-major buffers, so that every step reads and writes contiguous memory.
        gates = xp.new_empty(T, B, 4 * u)
        C, H = xp.new_empty(T, B, u), xp.new_empty(T, B, u)
        h, c = h0, c0
        for t in range(T):
            a = torch.addmm(xp[:, t], _masked(m, h), U, out=gates[t])
            a[:, 2 * u:3 * u].mul_(2.0)
            a.sigmoid_()
            a[:, 2 * u:3 * u].mul_(2.0).sub_(1.0)  # tanh(x) = 2 s(2x) - 1
            i, f, g, o = a.chunk(4, dim=-1)
            c = _carry(M, t, torch.addcmul(f * c, i, g, out=C[t]), c)
            h = _carry(M, t, torch.mul(o, torch.tanh(c), out=H[t]), h)
            if M is not None:
                C[t], H[t] = c, h
        ctx.save_for_backward(h0, c0, U, m, M, gates, C, H)
        return H.transpose(0, 1), c

    @staticmethod
    def backward(ctx, dH, dc_last):
        h0, c0, U, m, M, gates, C, H = ctx.saved_tensors
        T, B, _ = gates.shape
        u = h0.shape[-1]
        I, F, G, O = gates.chunk(4, dim=-1)
        tanh_C = torch.tanh(C)
        # dz = [dc, dc, dc, dh] * P and dc_t = dc + dh * Q, with the factors for all steps
        P = torch.empty_like(gates)
        torch.mul(G, I * (1 - I), out=P[..., :u])
        forget = F * (1 - F)
        torch.mul(forget[0], c0, out=P[0, :, u:2 * u])
        torch.mul(forget[1:], C[:-1], out=P[1:, :, u:2 * u])
        torch.mul(I, 1 - G * G, out=P[..., 2 * u:3 * u])
        torch.mul(tanh_C, O * (1 - O), out=P[..., 3 * u:])
        Q = O * (1 - tanh_C * tanh_C)
        dZ = torch.empty_like(gates)
        dh = torch.zeros_like(h0)
        dc = torch.zeros_like(c0) if dc_last is None else dc_last
        U_T = U.T
        for t in range(T - 1, -1, -1):
            dh = dh + dH[:, t]
            dc_t = torch.addcmul(dc, dh, Q[t])
            dz = dZ[t]
            torch.mul(dc_t.unsqueeze(1), P[t, :, :3 * u].view(B, 3, u),
                      out=dz[:, :3 * u].view(B, 3, u))  # the i, f, g blocks all scale dc
            torch.mul(dh, P[t, :, 3 * u:], out=dz[:, 3 * u:])
            dh_prev = _masked(m, dz @ U_T)
            dc_prev = dc_t * F[t]
            if M is not None:
                real = M[:, t].unsqueeze(-1)
                dc_prev = torch.where(real, dc_prev, dc)
            dh, dc = _gradient_carry(M, t, dz, dh_prev, dh), dc_prev
        h_in = torch.cat([h0.unsqueeze(0), H[:-1]])
        if m is not None:
            h_in = h_in * m
        dU = h_in.reshape(-1, u).T @ dZ.reshape(-1, 4 * u)
        return dZ.transpose(0, 1), dh, dc, dU, None, None


class _GRU(torch.autograd.Function):
    """``reset_after=True``. Forward, per step (blocks z, r, h; b: the recurrent bias)::

        [q_z, q_r, q_h] = h_in @ U + b
        z = s(xp_z + q_z),  r = s(xp_r + q_r),  n = tanh(xp_h + r q_h)
        h_t = z h_{t-1} + (1 - z) n

    Backward, per step::

        dn = dh (1 - z) tanh'(n),  dz = dh (h_{t-1} - n) s'(z),  dr = dn q_h s'(r)
        dxp = [dz, dr, dn],  dq = [dz, dr, dn r]
        dh_{t-1} = dh z + (dq @ U^T) * m,  dU = sum_t h_in^T dq,  db = sum_t dq
    """

    @staticmethod
    def forward(ctx, xp, h0, U, b, m, M):
        u = h0.shape[-1]
        h = h0
        zs, rs, ns, qs, hs = [], [], [], [], []
        for t in range(xp.shape[1]):
            q = _masked(m, h) @ U if b is None else torch.addmm(b, _masked(m, h), U)
            x = xp[:, t]
            z = torch.sigmoid(x[:, :u] + q[:, :u])
            r = torch.sigmoid(x[:, u:2 * u] + q[:, u:2 * u])
            n = torch.tanh(torch.addcmul(x[:, 2 * u:], r, q[:, 2 * u:]))
            h = _carry(M, t, n + z * (h - n), h)
            for store, value in ((zs, z), (rs, r), (ns, n), (qs, q[:, 2 * u:]), (hs, h)):
                store.append(value)
        Z, R, N, Q, H = (torch.stack(v, dim=1) for v in (zs, rs, ns, qs, hs))
        ctx.save_for_backward(h0, U, b, m, M, Z, R, N, Q, H)
        return H

    @staticmethod
    def backward(ctx, dH):
        h0, U, b, m, M, Z, R, N, Q, H = ctx.saved_tensors
        B, T, u = H.shape
        dXp = torch.empty(B, T, 3 * u, dtype=H.dtype, device=H.device)
        dQ = torch.empty_like(dXp)
        dh = torch.zeros_like(h0)
        U_T = U.T
        for t in range(T - 1, -1, -1):
            dh = dh + dH[:, t]
            z, r, n = Z[:, t], R[:, t], N[:, t]
            h_prev = H[:, t - 1] if t else h0
            dx, dq = dXp[:, t], dQ[:, t]
            dn = torch.mul(dh * (1 - z), 1 - n * n, out=dx[:, 2 * u:])
            torch.mul(dh * (h_prev - n), z * (1 - z), out=dx[:, :u])
            torch.mul(dn * Q[:, t], r * (1 - r), out=dx[:, u:2 * u])
            dq[:, :2 * u] = dx[:, :2 * u]
            torch.mul(dn, r, out=dq[:, 2 * u:])
            dh_prev = torch.addcmul(_masked(m, dq @ U_T), dh, z)
            if M is not None:
                dx.mul_(M[:, t].unsqueeze(-1))
            dh = _gradient_carry(M, t, dq, dh_prev, dh)
        db = None if b is None else dQ.sum(dim=(0, 1))
        return dXp, dh, _recurrent_kernel_gradient(H, h0, m, dQ), db, None, None


class _GRUResetBefore(torch.autograd.Function):
    """``reset_after=False``. Forward, per step (U = [U_zr | U_h])::

        [q_z, q_r] = h_in @ U_zr,  z = s(xp_z + q_z),  r = s(xp_r + q_r)
        n = tanh(xp_h + (r h_in) @ U_h),  h_t = z h_{t-1} + (1 - z) n

    Backward, per step::

        dn = dh (1 - z) tanh'(n),  dz = dh (h_{t-1} - n) s'(z)
        d(r h_in) = dn @ U_h^T,  dr = d(r h_in) h_in s'(r)
        dh_in = d(r h_in) r + [dz, dr] @ U_zr^T,  dh_{t-1} = dh z + dh_in * m
        dU_zr = sum_t h_in^T [dz, dr],  dU_h = sum_t (r h_in)^T dn
    """

    @staticmethod
    def forward(ctx, xp, h0, U, b, m, M):
        u = h0.shape[-1]
        h = h0
        zs, rs, ns, hs = [], [], [], []
        for t in range(xp.shape[1]):
            h_in = _masked(m, h)
            x = xp[:, t]
            q = h_in @ U[:, :2 * u]
            z = torch.sigmoid(x[:, :u] + q[:, :u])
            r = torch.sigmoid(x[:, u:2 * u] + q[:, u:])
            n = torch.tanh(torch.addmm(x[:, 2 * u:], r * h_in, U[:, 2 * u:]))
            h = _carry(M, t, n + z * (h - n), h)
            for store, value in ((zs, z), (rs, r), (ns, n), (hs, h)):
                store.append(value)
        Z, R, N, H = (torch.stack(v, dim=1) for v in (zs, rs, ns, hs))
        ctx.save_for_backward(h0, U, m, M, Z, R, N, H)
        return H

    @staticmethod
    def backward(ctx, dH):
        h0, U, m, M, Z, R, N, H = ctx.saved_tensors
        B, T, u = H.shape
        dXp = torch.empty(B, T, 3 * u, dtype=H.dtype, device=H.device)
        dh = torch.zeros_like(h0)
        U_zr_T, U_h_T = U[:, :2 * u].T, U[:, 2 * u:].T
        H_in = _previous(H, h0)
        if m is not None:
            H_in = H_in * m.unsqueeze(1)
        for t in range(T - 1, -1, -1):
            dh = dh + dH[:, t]
            z, r, n, h_in = Z[:, t], R[:, t], N[:, t], H_in[:, t]
            h_prev = H[:, t - 1] if t else h0
            dx = dXp[:, t]
            dn = torch.mul(dh * (1 - z), 1 - n * n, out=dx[:, 2 * u:])
            torch.mul(dh * (h_prev - n), z * (1 - z), out=dx[:, :u])
            d_rh = dn @ U_h_T
            torch.mul(d_rh * h_in, r * (1 - r), out=dx[:, u:2 * u])
            dh_in = torch.addmm(d_rh * r, dx[:, :2 * u], U_zr_T)
            dh_prev = torch.addcmul(_masked(m, dh_in), dh, z)
            dh = _gradient_carry(M, t, dx, dh_prev, dh)
        dU = torch.cat([H_in.reshape(-1, u).T @ dXp[..., :2 * u].reshape(-1, 2 * u),
                        (R * H_in).reshape(-1, u).T @ dXp[..., 2 * u:].reshape(-1, u)], dim=1)
        return dXp, dh, dU, None, None, None


class _SimpleRNN(torch.autograd.Function):
    """Forward ``h_t = a(xp_t + h_in @ U)``; backward ``dz = dh a'(h_t)``,
    ``dh_{t-1} = (dz @ U^T) * m``, ``dU = sum_t h_in^T dz``."""

    @staticmethod
    def forward(ctx, xp, h0, U, m, M, activation):
        h, hs = h0, []
        for t in range(xp.shape[1]):
            h = _carry(M, t, activation(torch.addmm(xp[:, t], _masked(m, h), U)), h)
            hs.append(h)
        H = torch.stack(hs, dim=1)
        ctx.derivative = _DERIVATIVES[activation]
        ctx.save_for_backward(h0, U, m, M, H)
        return H

    @staticmethod
    def backward(ctx, dH):
        h0, U, m, M, H = ctx.saved_tensors
        dZ = torch.empty_like(H)
        dh = torch.zeros_like(h0)
        U_T = U.T
        for t in range(H.shape[1] - 1, -1, -1):
            dh = dh + dH[:, t]
            dz = torch.mul(dh, ctx.derivative(H[:, t]), out=dZ[:, t])
            dh = _gradient_carry(M, t, dz, _masked(m, dz @ U_T), dh)
        return dZ, dh, _recurrent_kernel_gradient(H, h0, m, dZ), None, None, None
