"""Keras's optimizers on torch: every update is checked against a NumPy transcription of
the published Keras update rules, step by step, in float64."""
import copy
import pickle

import numpy as np
import pytest
import torch

from seqlab.models.optimizers import (SGD, Adagrad, Adam, AdamW, Optimizer,
                                      OptimizerNotBoundError, RMSprop, clip_gradients, get)

W0 = np.array([[0.5, -1.0, 2.0], [0.0, 1.5, -0.25]])
# Six steps of gradients that change sign and shrink, so that AMSGrad's running maximum,
# the centered mean and the momentum buffers all change the trajectory.
GRADS = [scale * g for scale, g in zip(
    [2.0, 1.5, 1.0, 0.5, 0.3, 0.2],
    np.random.default_rng(7).normal(size=(6, 2, 3)))]


def run(opt, grads=GRADS, w0=W0):
    """Bind ``opt`` to one float64 weight, feed it ``grads``; the weights after each step."""
    w = torch.nn.Parameter(torch.tensor(w0))
    opt.bind([w])
    history = []
    for g in grads:
        w.grad = torch.tensor(g)
        opt.step()
        history.append(w.detach().numpy().copy())
    return np.array(history)


# ----------------------------------------------- NumPy transcriptions of Keras's rules

def ref_adam(lr, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=None, grads=GRADS):
    w, m, v, v_max = W0.copy(), np.zeros_like(W0), np.zeros_like(W0), np.zeros_like(W0)
    out = []
    for t, g in enumerate(grads, start=1):
        if wd is not None:
            w = w - w * wd * lr
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_max = np.maximum(v_max, v)
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        w = w - alpha * m / (np.sqrt(v_max if amsgrad else v) + eps)
        out.append(w)
    return np.array(out)


def ref_rmsprop(lr, rho=0.9, momentum=0.0, eps=1e-7, centered=False, wd=None):
    w, v, a, mom = W0.copy(), np.zeros_like(W0), np.zeros_like(W0), np.zeros_like(W0)
    out = []
    for g in GRADS:
        if wd is not None:
            w = w - w * wd * lr
        v = rho * v + (1 - rho) * g * g
        a = rho * a + (1 - rho) * g
        denominator = v - a * a + eps if centered else v + eps
        increment = lr * g / np.sqrt(denominator)
        if momentum > 0:
            mom = momentum * mom + increment
            w = w - mom
        else:
            w = w - increment
        out.append(w)
    return np.array(out)


def ref_sgd(lr, momentum=0.0, nesterov=False, wd=None):
    w, m = W0.copy(), np.zeros_like(W0)
    out = []
    for g in GRADS:
        if wd is not None:
            w = w - w * wd * lr
        if momentum == 0:
            w = w - lr * g
        else:
            m = momentum * m - lr * g
            w = w + (momentum * m - lr * g if nesterov else m)
        out.append(w)
    return np.array(out)


def ref_adagrad(lr, initial=0.1, eps=1e-7, wd=None):
    w, s = W0.copy(), np.full_like(W0, initial)
    out = []
    for g in GRADS:
        if wd is not None:
            w = w - w * wd * lr
        s = s + g * g
        w = w - lr * g / np.sqrt(s + eps)
        out.append(w)
    return np.array(out)


CASES = {
    "adam": (lambda: Adam(0.1), lambda: ref_adam(0.1)),
    "adam_defaults": (lambda: Adam(), lambda: ref_adam(0.001)),
    # AMSGrad's maximum only matters once v decreases: a short beta_2 lets it.
    "adam_beta_2": (lambda: Adam(0.1, beta_2=0.5), lambda: ref_adam(0.1, b2=0.5)),
    "adam_amsgrad": (lambda: Adam(0.1, beta_2=0.5, amsgrad=True),
                     lambda: ref_adam(0.1, b2=0.5, amsgrad=True)),
    "adam_betas_eps": (lambda: Adam(0.05, beta_1=0.5, beta_2=0.8, epsilon=0.3),
                       lambda: ref_adam(0.05, b1=0.5, b2=0.8, eps=0.3)),
    "adam_weight_decay": (lambda: Adam(0.1, weight_decay=0.2),
                          lambda: ref_adam(0.1, wd=0.2)),
    "adamw": (lambda: AdamW(0.1), lambda: ref_adam(0.1, wd=0.004)),
    "adamw_amsgrad": (lambda: AdamW(0.1, weight_decay=0.3, beta_2=0.5, amsgrad=True),
                      lambda: ref_adam(0.1, wd=0.3, b2=0.5, amsgrad=True)),
    "rmsprop": (lambda: RMSprop(0.1), lambda: ref_rmsprop(0.1)),
    "rmsprop_momentum": (lambda: RMSprop(0.1, momentum=0.8),
                         lambda: ref_rmsprop(0.1, momentum=0.8)),
    "rmsprop_centered": (lambda: RMSprop(0.1, centered=True),
                         lambda: ref_rmsprop(0.1, centered=True)),
    "rmsprop_all": (lambda: RMSprop(0.05, rho=0.7, momentum=0.5, epsilon=0.01, centered=True,
                                    weight_decay=0.1),
                    lambda: ref_rmsprop(0.05, rho=0.7, momentum=0.5, eps=0.01, centered=True,
                                        wd=0.1)),
    "sgd": (lambda: SGD(0.1), lambda: ref_sgd(0.1)),
    "sgd_momentum": (lambda: SGD(0.1, momentum=0.9), lambda: ref_sgd(0.1, momentum=0.9)),
    "sgd_nesterov": (lambda: SGD(0.1, momentum=0.9, nesterov=True),
                     lambda: ref_sgd(0.1, momentum=0.9, nesterov=True)),
    "sgd_weight_decay": (lambda: SGD(0.1, momentum=0.5, weight_decay=0.3),
                         lambda: ref_sgd(0.1, momentum=0.5, wd=0.3)),
    "adagrad": (lambda: Adagrad(0.1), lambda: ref_adagrad(0.1)),
    "adagrad_options": (lambda: Adagrad(0.2, initial_accumulator_value=0.5, epsilon=0.05,
                                        weight_decay=0.1),
                        lambda: ref_adagrad(0.2, initial=0.5, eps=0.05, wd=0.1)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_update_matches_keras_rule_step_by_step(case):
    make, reference = CASES[case]
    np.testing.assert_allclose(run(make()), reference(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("with_option, without", [
    ("adam_amsgrad", "adam_beta_2"), ("adam_weight_decay", "adam"), ("adamw", "adam"),
    ("rmsprop_momentum", "rmsprop"), ("rmsprop_centered", "rmsprop"),
    ("sgd_momentum", "sgd"), ("sgd_nesterov", "sgd_momentum"),
])
def test_each_option_changes_the_trajectory(with_option, without):
    # Guards the test above: an option that were ignored would fail here.
    a, b = run(CASES[with_option][0]()), run(CASES[without][0]())
    assert np.abs(a - b).max() > 1e-4


def test_rmsprop_matches_the_keras_docstring_example():
    # keras.optimizers.RMSprop docstring: lr 0.1, var 10, loss var**2/2 -> 9.683772.
    var = torch.nn.Parameter(torch.tensor(10.0))
    opt = RMSprop(learning_rate=0.1, params=[var])
    (var ** 2 / 2).backward()
    opt.step()
    assert var.item() == pytest.approx(9.683772, abs=1e-6)


def test_first_adam_step_moves_each_weight_by_about_lr_against_the_gradient():
    # At t = 1, m = (1-b1) g and v = (1-b2) g^2 so alpha m / sqrt(v) = lr sign(g).
    w = torch.nn.Parameter(torch.tensor([1.0, 1.0, 1.0], dtype=torch.float64))
    opt = Adam(learning_rate=0.1, params=[w])
    w.grad = torch.tensor([3.0, -0.5, 40.0], dtype=torch.float64)
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [0.9, 1.1, 0.9], atol=1e-5)


def test_sgd_weight_decay_by_hand():
    # w = 2 * (1 - 0.1 * 0.5) - 0.1 * 1 = 1.8
    w = torch.nn.Parameter(torch.tensor([2.0], dtype=torch.float64))
    opt = SGD(learning_rate=0.1, weight_decay=0.5, params=[w])
    w.grad = torch.tensor([1.0], dtype=torch.float64)
    opt.step()
    assert w.item() == pytest.approx(1.8, abs=1e-15)


def test_adam_differs_from_torch_adam_exactly_in_epsilon_placement():
    lr, b2, eps = 0.01, 0.999, 0.1
    keras = run(Adam(lr, epsilon=eps))

    def run_torch(eps_at_step):
        w = torch.nn.Parameter(torch.tensor(W0))
        opt = torch.optim.Adam([w], lr=lr, betas=(0.9, b2), eps=eps)
        history = []
        for t, g in enumerate(GRADS, start=1):
            opt.param_groups[0]["eps"] = eps_at_step(t)
            w.grad = torch.tensor(g)
            opt.step()
            history.append(w.detach().numpy().copy())
        return np.array(history)

    # torch adds eps to sqrt(v / (1 - b2^t)); Keras adds it to sqrt(v): same as torch with
    # eps / sqrt(1 - b2^t) at step t, and visibly different with the same eps.
    np.testing.assert_allclose(keras, run_torch(lambda t: eps / np.sqrt(1 - b2 ** t)),
                               rtol=1e-12, atol=1e-14)
    assert np.abs(keras - run_torch(lambda t: eps)).max() > 1e-3


# ------------------------------------------------------------------------- clipping

def two_params():
    a = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    b = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    a.grad = torch.tensor([3.0, 4.0], dtype=torch.float64)    # norm 5
    b.grad = torch.tensor([0.0, -12.0], dtype=torch.float64)  # norm 12, global norm 13
    return a, b


@pytest.mark.parametrize("options, expected_a, expected_b", [
    (dict(clipnorm=2.0), [1.2, 1.6], [0.0, -2.0]),
    (dict(clipnorm=10.0), [3.0, 4.0], [0.0, -10.0]),
    (dict(global_clipnorm=6.5), [1.5, 2.0], [0.0, -6.0]),
    (dict(global_clipnorm=20.0), [3.0, 4.0], [0.0, -12.0]),
    (dict(clipvalue=3.5), [3.0, 3.5], [0.0, -3.5]),
    (dict(), [3.0, 4.0], [0.0, -12.0]),
])
def test_clip_gradients_golden_values(options, expected_a, expected_b):
    a, b = two_params()
    frozen = torch.nn.Parameter(torch.ones(2))  # no gradient: skipped, not an error
    clip_gradients([a, frozen, b], **options)
    np.testing.assert_allclose(a.grad.numpy(), expected_a, rtol=1e-15)
    np.testing.assert_allclose(b.grad.numpy(), expected_b, rtol=1e-15)
    assert frozen.grad is None


def test_clipnorm_leaves_a_zero_gradient_zero():
    w = torch.nn.Parameter(torch.zeros(3))
    w.grad = torch.zeros(3)
    clip_gradients([w], clipnorm=1.0)
    assert torch.equal(w.grad, torch.zeros(3))


def test_global_clipnorm_of_a_non_finite_norm_gives_nan_as_keras():
    a, b = two_params()
    a.grad[0] = float("inf")
    clip_gradients([a, b], global_clipnorm=1.0)
    assert torch.isnan(a.grad).all() and torch.isnan(b.grad).all()


@pytest.mark.parametrize("options, expected", [
    (dict(clipnorm=2.0), [[-1.2, -1.6], [0.0, 2.0]]),
    (dict(global_clipnorm=6.5), [[-1.5, -2.0], [0.0, 6.0]]),
    (dict(clipvalue=3.5), [[-3.0, -3.5], [0.0, 3.5]]),
])
def test_optimizer_clips_before_updating_without_touching_grad(options, expected):
    a, b = two_params()
    SGD(learning_rate=1.0, params=[a, b], **options).step()
    np.testing.assert_allclose([a.detach().numpy(), b.detach().numpy()], expected, rtol=1e-15)
    assert a.grad.tolist() == [3.0, 4.0]  # the caller's gradients are left as they were


@pytest.mark.parametrize("options", [dict(clipnorm=1.0, global_clipnorm=1.0),
                                     dict(clipnorm=1.0, clipvalue=1.0),
                                     dict(clipvalue=1.0, global_clipnorm=1.0)])
def test_at_most_one_clipping_option(options):
    with pytest.raises(ValueError, match="only one of"):
        Adam(**options)
    with pytest.raises(ValueError, match="only one of"):
        clip_gradients([], **options)


@pytest.mark.parametrize("name", ["clipnorm", "clipvalue", "global_clipnorm"])
@pytest.mark.parametrize("value", [0, -1.0, "1"])
def test_clipping_values_must_be_positive_numbers(name, value):
    with pytest.raises(ValueError, match=f"{name}="):
        SGD(**{name: value})


# ------------------------------------------------------------- binding and properties

def test_unbound_step_raises_then_bind_and_step_work():
    opt = Adam(learning_rate=0.5)
    assert not opt.is_bound and not hasattr(opt, "param_groups")
    with pytest.raises(RuntimeError, match=r"compile the model.*bind"):
        opt.step()
    with pytest.raises(OptimizerNotBoundError, match="bind"):
        opt.zero_grad()
    w = torch.nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
    assert opt.bind([w]) is opt and opt.is_bound
    w.grad = torch.tensor([2.0], dtype=torch.float64)
    opt.step()
    assert w.item() == pytest.approx(0.5, abs=1e-6)  # first Adam step: lr * sign(g)
    with pytest.raises(RuntimeError, match="already bound"):
        opt.bind([w])


def test_bind_with_params_argument_module_and_errors():
    model = torch.nn.Linear(3, 2)
    model.bias.requires_grad_(False)
    opt = SGD(params=model)
    assert opt.is_bound and opt.param_groups[0]["params"] == [model.weight]
    assert Adam(params=model.parameters()).is_bound
    with pytest.raises(ValueError, match="no parameters"):
        Adam().bind([])


def test_step_without_any_gradient_raises():
    opt = SGD(params=[torch.nn.Parameter(torch.ones(2))])
    with pytest.raises(ValueError, match="backward"):
        opt.step()


def test_parameters_without_gradient_are_neither_updated_nor_decayed():
    used, unused = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    opt = AdamW(learning_rate=0.1, weight_decay=0.5, params=[used, unused])
    used.grad = torch.ones(2)
    opt.step()
    assert unused.tolist() == [1.0, 1.0] and used[0].item() < 0.95
    assert len(opt.state[unused]) == 0


def test_learning_rate_property_reads_and_writes_every_group():
    opt = SGD(learning_rate=0.1)
    assert opt.learning_rate == 0.1
    opt.learning_rate = 0.2  # before binding: becomes the default of the groups
    a, b = torch.nn.Parameter(torch.ones(1)), torch.nn.Parameter(torch.ones(1))
    opt.bind([a])
    opt.add_param_group({"params": [b]})
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.2]
    opt.learning_rate = 0.5
    assert [g["lr"] for g in opt.param_groups] == [0.5, 0.5] and opt.learning_rate == 0.5
    a.grad, b.grad = torch.ones(1), torch.full((1,), 2.0)
    opt.step()
    assert (a.item(), b.item()) == pytest.approx((0.5, 0.0))
    assert opt.get_config()["learning_rate"] == 0.5
    with pytest.raises(ValueError, match="learning_rate=-1"):
        opt.learning_rate = -1


def test_torch_lr_scheduler_drives_the_learning_rate():
    w = torch.nn.Parameter(torch.ones(1))
    opt = SGD(learning_rate=1.0, params=[w])
    scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(2):
        w.grad = torch.ones(1)
        opt.step()
        scheduler.step()
    assert opt.learning_rate == 0.25 and w.item() == pytest.approx(1 - 1.0 - 0.5)


def test_iterations_count_steps():
    w = torch.nn.Parameter(torch.ones(2))
    opt = RMSprop(params=[w])
    assert opt.iterations == 0
    for expected in (1, 2, 3):
        w.grad = torch.ones(2)
        opt.step()
        assert opt.iterations == expected


def test_closure_is_evaluated_with_gradients():
    w = torch.nn.Parameter(torch.tensor([3.0]))
    opt = SGD(learning_rate=0.1, params=[w])

    def closure():
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 9.0
    assert w.item() == pytest.approx(3.0 - 0.1 * 6.0)


@pytest.mark.parametrize("case", ["adam_amsgrad", "adamw", "rmsprop_all", "sgd_nesterov",
                                  "adagrad_options"])
def test_state_dict_round_trip_continues_identically(case):
    make = CASES[case][0]
    w_a = torch.nn.Parameter(torch.tensor(W0))
    a = make().bind([w_a])
    for g in GRADS[:3]:
        w_a.grad = torch.tensor(g)
        a.step()
    saved = copy.deepcopy(a.state_dict())
    assert saved["iterations"] == 3

    w_b, w_fresh = (torch.nn.Parameter(w_a.detach().clone()) for _ in range(2))
    b, fresh = make().bind([w_b]), make().bind([w_fresh])
    b.load_state_dict(saved)
    for g in GRADS[3:]:
        for w, opt in ((w_a, a), (w_b, b), (w_fresh, fresh)):
            w.grad = torch.tensor(g)
            opt.step()
    assert torch.equal(w_a, w_b) and b.iterations == a.iterations == 6
    assert not torch.allclose(w_a, w_fresh)  # the loaded state mattered


def test_load_state_dict_rejects_a_foreign_state_dict():
    w = torch.nn.Parameter(torch.ones(1))
    foreign = torch.optim.Adam([w]).state_dict()
    with pytest.raises(ValueError, match="iterations"):
        Adam(params=[w]).load_state_dict(foreign)


@pytest.mark.parametrize("bound", [False, True])
def test_deepcopy_and_pickle_keep_the_settings(bound):
    opt = RMSprop(0.05, momentum=0.5, clipnorm=1.0)
    if bound:
        w = torch.nn.Parameter(torch.ones(2))
        opt.bind([w])
        w.grad = torch.ones(2)
        opt.step()
    for clone in (copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))):
        assert clone.get_config() == opt.get_config() and clone.is_bound == bound
        assert clone.iterations == opt.iterations


# ------------------------------------------------------------------ config and get()

KERAS_DEFAULTS = {
    Adam: dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
               weight_decay=None),
    AdamW: dict(learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                epsilon=1e-7, amsgrad=False),
    RMSprop: dict(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                  weight_decay=None),
    SGD: dict(learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None),
    Adagrad: dict(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                  weight_decay=None),
}
CLIP_DEFAULTS = dict(clipnorm=None, clipvalue=None, global_clipnorm=None)


@pytest.mark.parametrize("name, cls", [
    ("adam", Adam), ("Adam", Adam), ("ADAM", Adam), ("adamw", AdamW), ("AdamW", AdamW),
    ("rmsprop", RMSprop), ("RMSprop", RMSprop), ("sgd", SGD), ("SGD", SGD),
    ("adagrad", Adagrad), ("Adagrad", Adagrad),
])
def test_get_by_name_gives_keras_defaults_unbound(name, cls):
    opt = get(name)
    assert type(opt) is cls and isinstance(opt, torch.optim.Optimizer)
    assert not opt.is_bound
    assert opt.get_config() == {**KERAS_DEFAULTS[cls], **CLIP_DEFAULTS}


def test_get_returns_instances_as_they_are():
    ours = SGD(momentum=0.9)
    theirs = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1)
    assert get(ours) is ours and get(theirs) is theirs


def test_get_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"'nadam'.*'adagrad', 'adam', 'adamw', 'rmsprop', "
                                         r"'sgd'"):
        get("nadam")
    with pytest.raises(TypeError, match="int 3"):
        get(3)


@pytest.mark.parametrize("cls", sorted(KERAS_DEFAULTS, key=lambda c: c.__name__))
def test_get_config_returns_constructor_arguments_and_rebuilds(cls):
    opt = get(cls.__name__)
    opt.bind([torch.nn.Parameter(torch.ones(1))])
    config = {**opt.get_config(), "learning_rate": 0.25, "clipvalue": 2.0}
    rebuilt = cls(**config)
    assert rebuilt.get_config() == config
    assert "unbound" in repr(rebuilt) and cls.__name__ in repr(rebuilt)


@pytest.mark.parametrize("make, match", [
    (lambda: AdamW(weight_decay=None), "weight_decay=None"),
    (lambda: Adam(beta_1=1.0), "beta_1=1.0"),
    (lambda: Adam(learning_rate="fast"), "learning_rate='fast'"),
    (lambda: RMSprop(rho=1.5), "rho=1.5"),
    (lambda: SGD(momentum=-0.1), "momentum=-0.1"),
    (lambda: Adagrad(initial_accumulator_value=-1), "initial_accumulator_value=-1"),
    (lambda: SGD(weight_decay=-0.5), "weight_decay=-0.5"),
])
def test_bad_arguments_name_the_value(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_subclasses_share_the_base():
    assert all(issubclass(cls, Optimizer) for cls in KERAS_DEFAULTS)


# ---------------------------------------------------------------------- end to end

@pytest.mark.parametrize("name", ["adam", "adamw", "rmsprop", "sgd", "adagrad"])
def test_minimising_a_quadratic_decreases_the_loss(name):
    target = torch.tensor([1.0, -2.0, 0.5])
    curvature = torch.tensor([1.0, 4.0, 0.5])
    w = torch.nn.Parameter(torch.zeros(3))

    def loss():
        return (curvature * (w - target) ** 2).sum()

    opt = get(name)
    opt.learning_rate = 0.5 if name == "adagrad" else 0.05  # Adagrad's steps shrink fast
    opt.bind([w])
    start = loss().item()
    for _ in range(200):
        opt.zero_grad()
        loss().backward()
        opt.step()
    assert loss().item() < 0.05 * start
