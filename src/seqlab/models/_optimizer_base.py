"""The base of seqlab's Keras optimizers: lazy binding to parameters, the learning rate
and step count, Keras's gradient clipping and weight decay, state saving. The update
rules themselves are in ``optimizers``."""
from __future__ import annotations

import functools
import numbers

import torch

class OptimizerNotBoundError(RuntimeError, AttributeError):
    """An optimizer was used before ``bind(params)``. Also an ``AttributeError``, so that
    ``hasattr(opt, "param_groups")`` is simply False on an unbound optimizer."""


# ---------------------------------------------------------------------------- checks

def _check_number(owner, name, value, low=None, high=None, high_open=False, allow_none=False):
    """Return ``float(value)`` after checking ``low <= value <= high`` (``< high`` if open)."""
    if value is None and allow_none:
        return None
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        ok = (low is None or value >= low) and (
            high is None or (value < high if high_open else value <= high))
    if not ok:
        bounds = (f"a number >= {low}" if high is None
                  else f"a number in [{low}, {high}{')' if high_open else ']'}")
        extra = " or None" if allow_none else ""
        raise ValueError(f"{owner}: {name} must be {bounds}{extra}, got {name}={value!r}")
    return float(value)


def _check_clipping(owner, clipnorm, clipvalue, global_clipnorm):
    """Keras allows at most one clipping option; each must be a positive number."""
    given = {k: v for k, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                               ("global_clipnorm", global_clipnorm)) if v is not None}
    if len(given) > 1:
        raise ValueError(f"{owner}: only one of clipnorm, clipvalue and global_clipnorm can be "
                         f"set (as in Keras), got {given}: keep one of them")
    for name, value in given.items():
        _check_number(owner, name, value, low=0)
        if value == 0:
            raise ValueError(f"{owner}: {name} must be > 0, got {name}=0: use None for no "
                             "clipping")
    return {k: (None if v is None else float(v)) for k, v in (
        ("clipnorm", clipnorm), ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm))}


# -------------------------------------------------------------------------- clipping

def _clipped(grads, clipnorm=None, clipvalue=None, global_clipnorm=None):
    """New gradient tensors clipped by Keras's rules (the inputs are not modified).

    * ``clipnorm = c``: each tensor on its own, ``g ← g·c / max(‖g‖₂, c)``;
    * ``global_clipnorm = c``: with ``N = √(Σ_tensors ‖g‖₂²)``, every
      ``g ← g·c / max(N, c)``, and NaN everywhere when ``N`` is not finite (as Keras);
    * ``clipvalue = c``: elementwise ``g ← min(max(g, −c), c)``.
    """
    if clipnorm:
        return [g * clipnorm / torch.clamp(g.square().sum().sqrt(), min=clipnorm) for g in grads]
    if global_clipnorm:
        norm = sum(g.square().sum() for g in grads).sqrt()
        scale = global_clipnorm / torch.clamp(norm, min=global_clipnorm) + (norm - norm)
        return [g * scale for g in grads]
    if clipvalue:
        return [g.clamp(-clipvalue, clipvalue) for g in grads]
    return list(grads)


def clip_gradients(parameters, clipnorm=None, clipvalue=None, global_clipnorm=None):
    """Clip the ``.grad`` of ``parameters`` in place by Keras's rules (see the module
    docstring); parameters without a gradient are skipped. For a plain torch optimizer
    combined with Keras's clipping options: call it between ``backward()`` and ``step()``.
    """
    _check_clipping("clip_gradients", clipnorm, clipvalue, global_clipnorm)
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    params = [p for p in parameters if p.grad is not None]
    if not params:
        return
    with torch.no_grad():
        for p, g in zip(params, _clipped([p.grad for p in params], clipnorm, clipvalue,
                                         global_clipnorm)):
            p.grad.copy_(g)


# ----------------------------------------------------------------------- base class

class LearningRate(float):
    """The learning rate as read from ``optimizer.learning_rate`` (or Keras 2's
    ``optimizer.lr``): a float that remembers its optimizer, so that Keras 2's
    ``K.set_value(model.optimizer.lr, 1e-4)`` and Keras 3's
    ``optimizer.learning_rate.assign(1e-4)`` change the optimizer's rate."""

    def __new__(cls, value, optimizer):
        number = super().__new__(cls, value)
        number._optimizer = optimizer
        return number

    def assign(self, value):
        self._optimizer.learning_rate = float(value)

    def numpy(self):
        return float(self)


def _keras2_arguments(init):
    """Wrap an optimizer's ``__init__`` to take Keras 2's spellings as well:
    ``lr`` for ``learning_rate``, ``decay`` (the learning rate at step ``t`` is
    ``lr / (1 + decay * t)``, ``t`` counting the steps taken before it, as Keras 2) and
    ``epsilon=None`` (Keras 2's "use ``K.epsilon()``", 1e-7)."""

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        owner = type(self).__name__
        if "lr" in kwargs:
            if "learning_rate" in kwargs or args:
                raise TypeError(f"{owner} got both lr (Keras 2's name) and learning_rate: give "
                                "one of them")
            kwargs["learning_rate"] = kwargs.pop("lr")
        if "decay" in kwargs:
            decay = _check_number(owner, "decay", kwargs.pop("decay"), low=0)
            if decay:
                self.__dict__["_keras2_decay"] = decay  # read by Optimizer.__init__
        if "epsilon" in kwargs and kwargs["epsilon"] is None:
            kwargs["epsilon"] = 1e-7
        init(self, *args, **kwargs)

    return __init__


class Optimizer(torch.optim.Optimizer):
    """The shared machinery: lazy binding, clipping, weight decay, ``iterations``.

    Subclasses pass their hyperparameters (``lr`` first, Keras's names for the rest)
    and implement ``_init_state(param, group)`` and
    ``_update(param, grad, state, group, t)``. Hyperparameters live in the param group,
    as in torch, so torch's LR schedulers and ``state_dict()`` see them.

    Every subclass also takes Keras 2's ``lr=`` and ``decay=`` (see
    ``_keras2_arguments``); ``decay`` appears in ``get_config()`` only when it is set.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _keras2_arguments(cls.__init__)

    def __init__(self, hyper, clipnorm, clipvalue, global_clipnorm, params):
        owner = type(self).__name__
        hyper["lr"] = _check_number(owner, "learning_rate", hyper["lr"], low=0)
        hyper["weight_decay"] = _check_number(owner, "weight_decay", hyper["weight_decay"],
                                              low=0, allow_none=True)
        decay = self.__dict__.pop("_keras2_decay", None)
        if decay:
            hyper["decay"] = decay
        self._hyper = hyper  # becomes torch's self.defaults (which torch may extend)
        self._hyper_names = tuple(hyper)
        self._clipping = _check_clipping(owner, clipnorm, clipvalue, global_clipnorm)
        self._iterations = 0
        if params is not None:
            self.bind(params)

    # -- binding
    @property
    def is_bound(self):
        """Whether ``bind(params)`` has been called (``params`` given or model compiled)."""
        return "param_groups" in self.__dict__

    def bind(self, params):
        """Attach the parameters to update (an iterable of tensors or of torch param-group
        dicts, or a ``torch.nn.Module`` whose trainable parameters are used). Returns self."""
        owner = type(self).__name__
        if self.is_bound:
            raise RuntimeError(f"{owner} is already bound to parameters; create a new "
                               "optimizer for a new set of parameters (as in Keras)")
        if isinstance(params, torch.nn.Module):
            params = [p for p in params.parameters() if p.requires_grad]
        params = [params] if isinstance(params, torch.Tensor) else list(params)
        if not params:
            raise ValueError(f"{owner}.bind() got no parameters: build the model (call it "
                             "once on data) before compiling, or pass model.parameters()")
        torch.optim.Optimizer.__init__(self, params, self._hyper)
        return self

    def __getattr__(self, name):
        # Only reached for missing attributes: torch's own ones are missing until bind().
        if not self.is_bound and not name.startswith("__"):
            raise OptimizerNotBoundError(self._unbound_message(f"no {name!r} before binding"))
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _unbound_message(self, detail):
        return (f"{type(self).__name__} is not bound to any parameters yet ({detail}): compile "
                "the model with it (model.compile(optimizer=...)) or call "
                "optimizer.bind(model.parameters()) first")

    # -- Keras's properties
    @property
    def learning_rate(self):
        """The learning rate (of the first param group once bound). Setting it sets every
        group's ``lr``, as Keras callbacks such as ReduceLROnPlateau expect."""
        value = self.param_groups[0]["lr"] if self.is_bound else self._hyper["lr"]
        return LearningRate(value, self)

    @learning_rate.setter
    def learning_rate(self, value):
        value = _check_number(type(self).__name__, "learning_rate", value, low=0)
        self._hyper["lr"] = value
        for group in self.param_groups if self.is_bound else ():
            group["lr"] = value

    lr = learning_rate  # Keras 2's name

    @property
    def decay(self):
        """Keras 2's inverse-time decay of the learning rate (0: none)."""
        return self._hyper.get("decay", 0.0)

    @property
    def iterations(self):
        """The number of steps taken (Keras's ``optimizer.iterations``)."""
        return self._iterations

    @property
    def clipnorm(self):
        return self._clipping["clipnorm"]

    @property
    def clipvalue(self):
        return self._clipping["clipvalue"]

    @property
    def global_clipnorm(self):
        return self._clipping["global_clipnorm"]

    def get_config(self):
        """The constructor arguments (current values; ``params`` excluded)."""
        source = self.param_groups[0] if self.is_bound else self._hyper
        config = {("learning_rate" if k == "lr" else k): source[k] for k in self._hyper_names}
        config.update(self._clipping)
        return config

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args}{'' if self.is_bound else ', unbound'})"

    # -- state
    def state_dict(self):
        """torch's state dict (per-parameter state and param groups) plus ``iterations``."""
        return {**super().state_dict(), "iterations": self._iterations}

    def load_state_dict(self, state_dict):
        if "iterations" not in state_dict:
            raise ValueError(f"{type(self).__name__}.load_state_dict: no 'iterations' entry "
                             f"(keys: {sorted(state_dict)}); it was not saved by a seqlab "
                             "optimizer: load a state dict from the same optimizer class")
        state_dict = dict(state_dict)
        iterations = int(state_dict.pop("iterations"))
        super().load_state_dict(state_dict)
        self._iterations = iterations

    def __getstate__(self):
        # torch pickles only defaults/state/param_groups; the Keras settings must survive
        # too. Hooks are dropped as torch does (torch's __setstate__ recreates them).
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_optimizer_")}

    def __setstate__(self, state):
        if "param_groups" in state:
            super().__setstate__(state)
        else:
            self.__dict__.update(state)

    # -- the step
    @torch.no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient (steps 1-4 of the module
        docstring). ``closure`` re-evaluates the model and returns the loss, as in torch."""
        if not self.is_bound:
            raise OptimizerNotBoundError(self._unbound_message("step() needs them"))
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        groups = [(g, [p for p in g["params"] if p.grad is not None]) for g in self.param_groups]
        params = [p for _, group_params in groups for p in group_params]
        if not params:
            raise ValueError(f"{type(self).__name__}.step(): no parameter has a gradient: "
                             "call loss.backward() before step()")
        if any(p.grad.is_sparse for p in params):
            raise ValueError(f"{type(self).__name__} does not support sparse gradients: use "
                             "dense embeddings (sparse=False)")
        grads = iter(_clipped([p.grad for p in params], **self._clipping))
        t = self._iterations + 1
        if self.decay:  # Keras 2: lr / (1 + decay * iterations), iterations before this step
            groups = [(dict(group, lr=group["lr"] / (1 + self.decay * self._iterations)), ps)
                      for group, ps in groups]
        for group, group_params in groups:
            decay = group["weight_decay"]
            for param in group_params:
                grad = next(grads).to(param.dtype)
                if decay:
                    param.mul_(1 - group["lr"] * decay)
                state = self.state[param]
                if not state:
                    state.update(self._init_state(param, group))
                self._update(param, grad, state, group, t)
        self._iterations = t
        return loss

    def _init_state(self, param, group):
        raise NotImplementedError

    def _update(self, param, grad, state, group, t):
        raise NotImplementedError


# ----------------------------------------------------------------------- optimizers
