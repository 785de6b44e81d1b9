"""seqlab layers inside plain PyTorch code: nn.Sequential, a hand-written training loop,
state_dict, train()/eval(), and the once-only log line about the path taken."""
import logging

import torch
from torch import nn

from seqlab import _log
from seqlab import layers as L


def test_trains_in_a_plain_torch_loop():
    """Learn whether a sequence contains token 3 (it can be anywhere, padding first)."""
    generator = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    x = torch.randint(4, 20, (256, 12), generator=generator)
    lengths = torch.randint(4, 13, (256,), generator=generator)
    x[torch.arange(12) < (12 - lengths)[:, None]] = 0  # left padding
    has = torch.rand(256, generator=generator) < 0.5
    where = (12 - lengths + (torch.rand(256, generator=generator) * lengths).long()).clamp(max=11)
    x[has, where[has]] = 3
    y = has.float().unsqueeze(1)
    model = nn.Sequential(L.Embedding(20, 8, mask_zero=True), L.LSTM(16), L.Dense(1))
    model(x)  # build before handing the parameters to the optimizer
    optimizer = torch.optim.Adam(model.parameters(), lr=0.03)
    losses = []
    for _ in range(60):
        optimizer.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.2 < losses[0]
    accuracy = ((model(x) > 0).float() == y).float().mean().item()
    assert accuracy > 0.95


def test_state_dict_round_trip_and_modes():
    model = nn.Sequential(L.Embedding(10, 4), L.Bidirectional(L.GRU(3)), L.Dense(2))
    x = torch.randint(0, 10, (2, 5))
    model.eval()
    expected = model(x)
    copy = nn.Sequential(L.Embedding(10, 4), L.Bidirectional(L.GRU(3)), L.Dense(2))
    copy(x)
    copy.load_state_dict(model.state_dict())
    copy.eval()
    torch.testing.assert_close(copy(x), expected)
    assert "1.forward_layer.cell.recurrent_kernel" in model.state_dict()
    dropout = nn.Sequential(L.Dropout(0.5))
    assert dropout.training  # torch's default: modules start in training mode
    assert not torch.equal(dropout(torch.ones(100)), torch.ones(100))
    dropout.eval()
    assert torch.equal(dropout(torch.ones(100)), torch.ones(100))


def test_the_path_reason_is_logged_once(monkeypatch, caplog):
    monkeypatch.setattr(_log, "_said", set())
    with caplog.at_level(logging.INFO, logger="seqlab"):
        layer = L.LSTM(3, activation="relu")
        for _ in range(3):
            layer(torch.randn(2, 4, 2))
        L.LSTM(3, activation="relu")(torch.randn(2, 4, 2))
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["LSTM runs without seqlab's compiled loop: activation is not tanh or "
                        "recurrent_activation is not sigmoid"]
