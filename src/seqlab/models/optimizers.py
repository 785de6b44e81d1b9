"""Keras 3's optimizers as ``torch.optim.Optimizer`` subclasses, with Keras's update rules.

The updates are Keras's, not torch's variants of the same names: Keras's Adam adds
epsilon to the un-corrected ``√v`` and folds the bias correction into the step size;
Keras's RMSprop and Adagrad put epsilon inside the square root; Keras's SGD keeps a
velocity ``m = μ·m − lr·g`` and adds it. Each class docstring gives its update; every
step first applies Keras's base-optimizer pipeline:

1. gradient clipping (at most one of ``clipnorm``, ``global_clipnorm``, ``clipvalue``);
2. decoupled weight decay ``w ← w·(1 − lr·weight_decay)`` when ``weight_decay`` is set;
3. the optimizer's update with the clipped gradient, at step ``t = iterations + 1``;
4. ``iterations ← iterations + 1``.

Keras creates an optimizer before the model's weights exist, so these do too: without
``params`` an optimizer only holds its settings until ``bind(params)`` (``compile`` does
that); with ``params`` it is bound at once, like any torch optimizer:

>>> import torch
>>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
>>> opt = SGD(learning_rate=0.1)
>>> opt.is_bound
False
>>> _ = opt.bind([w])
>>> w.grad = torch.tensor([0.5, 1.0])
>>> opt.step()
>>> w.data, opt.iterations
(tensor([ 0.9500, -2.1000]), 1)

Verified against keras-team/keras ``keras/src/optimizers/{adam,adamw,rmsprop,sgd,
adagrad,base_optimizer}.py`` and the torch backend's ``backend/torch/optimizers/``.
"""
from __future__ import annotations

import torch

from ._optimizer_base import (  # noqa: F401 (re-exported: part of this module's API)
    Optimizer,
    OptimizerNotBoundError,
    _check_number,
    clip_gradients,
)

__all__ = ["Optimizer", "Adam", "AdamW", "RMSprop", "SGD", "Adagrad", "OptimizerNotBoundError",
           "get", "clip_gradients"]


class Adam(Optimizer):
    """Adam (Kingma & Ba) as Keras computes it, at step ``t`` with clipped gradient ``g``::

        m ← β₁·m + (1 − β₁)·g                      m₀ = 0  (state "momentum")
        v ← β₂·v + (1 − β₂)·g²                     v₀ = 0  (state "velocity")
        v̂ ← max(v̂, v);  v ← v̂                     amsgrad only (state "velocity_hat")
        α = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)
        w ← w − α·m / (√v + ε)

    ε is added to the un-corrected ``√v``: this equals torch.optim.Adam with
    ``eps = ε/√(1 − β₂ᵗ)``, so the two differ when ε is not negligible.
    ``weight_decay`` (None by default) is decoupled: ``w ← w·(1 − lr·weight_decay)`` first.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, *, params=None):
        owner = type(self).__name__
        hyper = {"lr": learning_rate,
                 "beta_1": _check_number(owner, "beta_1", beta_1, 0, 1, high_open=True),
                 "beta_2": _check_number(owner, "beta_2", beta_2, 0, 1, high_open=True),
                 "epsilon": _check_number(owner, "epsilon", epsilon, low=0),
                 "amsgrad": bool(amsgrad), "weight_decay": weight_decay}
        super().__init__(hyper, clipnorm, clipvalue, global_clipnorm, params)

    def _init_state(self, param, group):
        names = ["momentum", "velocity"] + (["velocity_hat"] if group["amsgrad"] else [])
        return {name: torch.zeros_like(param) for name in names}

    def _update(self, param, grad, state, group, t):
        beta_1, beta_2 = group["beta_1"], group["beta_2"]
        m, v = state["momentum"], state["velocity"]
        m.lerp_(grad, 1 - beta_1)
        v.lerp_(grad.square(), 1 - beta_2)
        if group["amsgrad"]:
            v = torch.maximum(state["velocity_hat"], v, out=state["velocity_hat"])
        alpha = group["lr"] * (1 - beta_2 ** t) ** 0.5 / (1 - beta_1 ** t)
        param.addcdiv_(m, v.sqrt().add_(group["epsilon"]), value=-alpha)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as Keras: each step first
    ``w ← w·(1 − lr·weight_decay)``, then exactly :class:`Adam`'s update (whose
    docstring has the equations). ``weight_decay`` is required (default 0.004)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, *, params=None):
        if weight_decay is None:
            raise ValueError("AdamW: weight_decay must be a number, got weight_decay=None: "
                             "use Adam for no weight decay")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay,
                         clipnorm, clipvalue, global_clipnorm, params=params)


class RMSprop(Optimizer):
    """RMSprop (Hinton) as Keras computes it, with clipped gradient ``g``::

        v ← ρ·v + (1 − ρ)·g²                       v₀ = 0  (state "velocity")
        a ← ρ·a + (1 − ρ)·g                        centered only (state "average_gradient")
        d = v − a² + ε  if centered,  else  d = v + ε
        Δ = lr·g / √d                              (ε inside the square root)
        m ← μ·m + Δ;  w ← w − m                    if momentum μ > 0 (state "momentum")
        w ← w − Δ                                  otherwise

    ``weight_decay`` (None by default) is decoupled: ``w ← w·(1 − lr·weight_decay)`` first.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, *, params=None):
        owner = type(self).__name__
        hyper = {"lr": learning_rate,
                 "rho": _check_number(owner, "rho", rho, 0, 1),
                 "momentum": _check_number(owner, "momentum", momentum, 0, 1),
                 "epsilon": _check_number(owner, "epsilon", epsilon, low=0),
                 "centered": bool(centered), "weight_decay": weight_decay}
        super().__init__(hyper, clipnorm, clipvalue, global_clipnorm, params)

    def _init_state(self, param, group):
        names = (["velocity"] + (["momentum"] if group["momentum"] > 0 else [])
                 + (["average_gradient"] if group["centered"] else []))
        return {name: torch.zeros_like(param) for name in names}

    def _update(self, param, grad, state, group, t):
        rho = group["rho"]
        v = state["velocity"].lerp_(grad.square(), 1 - rho)
        if group["centered"]:
            a = state["average_gradient"].lerp_(grad, 1 - rho)
            denominator = v - a.square() + group["epsilon"]
        else:
            denominator = v + group["epsilon"]
        increment = grad.mul(group["lr"]).div_(denominator.sqrt_())
        if group["momentum"] > 0:
            param.sub_(state["momentum"].mul_(group["momentum"]).add_(increment))
        else:
            param.sub_(increment)


class SGD(Optimizer):
    """Gradient descent with Keras's momentum, with clipped gradient ``g``::

        w ← w − lr·g                               momentum μ = 0
        m ← μ·m − lr·g                             μ > 0, m₀ = 0  (state "momentum")
        w ← w + m                                  (plain momentum)
        w ← w + μ·m − lr·g                         (nesterov=True, with the new m)

    Keras's velocity already contains ``lr`` (torch's buffer does not), so changing the
    learning rate mid-training acts differently from torch.optim.SGD.
    ``weight_decay`` (None by default) is decoupled: ``w ← w·(1 − lr·weight_decay)`` first.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, *, params=None):
        owner = type(self).__name__
        hyper = {"lr": learning_rate,
                 "momentum": _check_number(owner, "momentum", momentum, 0, 1),
                 "nesterov": bool(nesterov), "weight_decay": weight_decay}
        super().__init__(hyper, clipnorm, clipvalue, global_clipnorm, params)

    def _init_state(self, param, group):
        return {"momentum": torch.zeros_like(param)} if group["momentum"] != 0 else {}

    def _update(self, param, grad, state, group, t):
        lr, mu = group["lr"], group["momentum"]
        if mu == 0:
            param.add_(grad, alpha=-lr)
            return
        m = state["momentum"].mul_(mu).add_(grad, alpha=-lr)
        if group["nesterov"]:
            param.add_(m, alpha=mu).add_(grad, alpha=-lr)
        else:
            param.add_(m)


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.) as Keras computes it, with clipped gradient ``g``::

        s ← s + g²                  s₀ = initial_accumulator_value  (state "accumulator")
        w ← w − lr·g / √(s + ε)     (ε inside the square root)

    ``weight_decay`` (None by default) is decoupled: ``w ← w·(1 − lr·weight_decay)`` first.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, *,
                 params=None):
        owner = type(self).__name__
        hyper = {"lr": learning_rate,
                 "initial_accumulator_value": _check_number(
                     owner, "initial_accumulator_value", initial_accumulator_value, low=0),
                 "epsilon": _check_number(owner, "epsilon", epsilon, low=0),
                 "weight_decay": weight_decay}
        super().__init__(hyper, clipnorm, clipvalue, global_clipnorm, params)

    def _init_state(self, param, group):
        return {"accumulator": torch.full_like(param, group["initial_accumulator_value"])}

    def _update(self, param, grad, state, group, t):
        s = state["accumulator"].addcmul_(grad, grad)
        param.addcdiv_(grad, (s + group["epsilon"]).sqrt_(), value=-group["lr"])


# ------------------------------------------------------------------------------ get

_BY_NAME = {cls.__name__.lower(): cls for cls in (Adam, AdamW, RMSprop, SGD, Adagrad)}


def get(identifier):
    """An optimizer from a Keras name (``'adam'``, ``'adamw'``, ``'rmsprop'``, ``'sgd'``,
    ``'adagrad'``, or the class names, in any case) with Keras's defaults, unbound; an
    optimizer instance (seqlab's, or any ``torch.optim.Optimizer``) is returned as is.

    >>> get("rmsprop")
    RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07, centered=False, \
weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, unbound)
    """
    if isinstance(identifier, torch.optim.Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            known = ", ".join(repr(name) for name in sorted(_BY_NAME))
            raise ValueError(f"Unknown optimizer {identifier!r}: known names are {known} (or "
                             "pass an optimizer instance, e.g. torch.optim.NAdam(...))")
        return cls()
    raise TypeError(f"optimizer must be a name or an optimizer instance, got "
                    f"{type(identifier).__name__} {identifier!r}")
