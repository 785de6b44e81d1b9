"""LayerNormalization, Attention, AdditiveAttention, MultiHeadAttention: golden values from
independent computations (torch.nn.MultiheadAttention, NumPy formulas), Keras's weight
shapes and parameter counts, masks, and float64 gradient checks."""
import numpy as np
import pytest
import torch

from seqlab.layers import (AdditiveAttention, Attention, Embedding, Input, LayerNormalization,
                           MultiHeadAttention)
from seqlab.models import Model


def softmax(a):
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ----------------------------------------------------------------- LayerNormalization


def test_layer_normalization_formula_weights_and_axes():
    layer = LayerNormalization()
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) ** 1.5
    layer.build((None, 3, 4))
    assert [tuple(w.shape) for w in layer.get_weights()] == [(4,), (4,)]  # gamma, beta
    gamma, beta = np.linspace(0.5, 2, 4), np.linspace(-1, 1, 4)
    layer.set_weights([gamma, beta])
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-3) * gamma + beta
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-5, atol=1e-5)
    both = LayerNormalization(axis=[1, 2], center=False)
    out = both(torch.tensor(x)).detach().numpy()
    assert [tuple(w.shape) for w in both.get_weights()] == [(3, 4)]
    m, v = x.mean((1, 2), keepdims=True), x.var((1, 2), keepdims=True)
    np.testing.assert_allclose(out, (x - m) / np.sqrt(v + 1e-3), rtol=1e-5, atol=1e-5)
    rms = LayerNormalization(rms_scaling=True)
    np.testing.assert_allclose(rms(x).detach().numpy(), x / np.sqrt((x ** 2).mean(-1, keepdims=True)
                                                           + 1e-3), rtol=1e-5)


def test_layer_normalization_gradcheck_float64():
    layer = LayerNormalization(dtype="float64")
    x = torch.randn(2, 3, 5, dtype=torch.float64, requires_grad=True)
    layer(x)
    with torch.no_grad():
        layer.gamma.uniform_(0.5, 1.5)
        layer.beta.uniform_(-0.5, 0.5)
    assert torch.autograd.gradcheck(lambda x, g, b: layer(x), (x, layer.gamma, layer.beta))


# ----------------------------------------------------------------- dense attention


def test_attention_dot_scale_masks_and_scores():
    rng = np.random.default_rng(0)
    q, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    layer = Attention(dtype="float64")
    value_mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
    query_mask = np.array([[1, 1, 0], [1, 1, 1]], dtype=bool)
    out, scores = layer([torch.tensor(q), torch.tensor(v)], return_attention_scores=True,
                        mask=[torch.tensor(query_mask), torch.tensor(value_mask)])
    logits = q @ v.transpose(0, 2, 1) - 1e9 * ~value_mask[:, None, :]
    weights = softmax(logits)
    np.testing.assert_allclose(scores.detach().numpy(), weights, atol=1e-12)
    np.testing.assert_allclose(out.detach().numpy(), weights @ v * query_mask[..., None],
                               atol=1e-12)
    causal = Attention(dtype="float64")([torch.tensor(q), torch.tensor(v)], use_causal_mask=True,
                                        return_attention_scores=True)[1].detach().numpy()
    assert np.all(causal[:, 0, 1:] == 0) and np.all(causal[:, 2, 3:] == 0)
    old = Attention(causal=True, dtype="float64")  # Keras 2's spelling
    np.testing.assert_allclose(old([torch.tensor(q), torch.tensor(v)],
                                   return_attention_scores=True)[1].detach().numpy(), causal)
    scaled = Attention(use_scale=True, dtype="float64")
    scaled([torch.tensor(q), torch.tensor(v)])
    assert [w.shape for w in scaled.get_weights()] == [()]
    scaled.set_weights([np.array(2.0)])
    np.testing.assert_allclose(scaled([torch.tensor(q), torch.tensor(v)]).detach().numpy(),
                               softmax(2 * q @ v.transpose(0, 2, 1)) @ v, atol=1e-12)


def test_attention_concat_and_additive_scores_with_a_key():
    rng = np.random.default_rng(1)
    q, v, k = (rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)),
               rng.normal(size=(2, 5, 4)))
    concat = Attention(score_mode="concat", use_scale=True, dtype="float64")
    concat([torch.tensor(q), torch.tensor(v), torch.tensor(k)])
    concat.set_weights([np.array(0.5), np.array(1.5)])  # scale, concat_score_weight
    logits = 1.5 * np.tanh(0.5 * (q[:, :, None, :] + k[:, None, :, :])).sum(-1)
    np.testing.assert_allclose(concat([torch.tensor(q), torch.tensor(v), torch.tensor(k)])
                               .detach().numpy(), softmax(logits) @ v, atol=1e-12)
    additive = AdditiveAttention(dtype="float64")
    additive([torch.tensor(q), torch.tensor(v), torch.tensor(k)])
    assert [w.shape for w in additive.get_weights()] == [(4,)]
    scale = np.array([0.1, -0.2, 0.3, 0.4])
    additive.set_weights([scale])
    logits = (scale * np.tanh(q[:, :, None, :] + k[:, None, :, :])).sum(-1)
    np.testing.assert_allclose(additive([torch.tensor(q), torch.tensor(v), torch.tensor(k)])
                               .detach().numpy(), softmax(logits) @ v, atol=1e-12)


def test_dense_attention_gradcheck_float64():
    q = torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True)
    v = torch.randn(2, 4, 4, dtype=torch.float64, requires_grad=True)
    for layer in (AdditiveAttention(dtype="float64"),
                  Attention(use_scale=True, score_mode="concat", dtype="float64")):
        layer([q, v])
        weights = tuple(layer.parameters())
        assert torch.autograd.gradcheck(lambda q, v, *w: layer([q, v]), (q, v, *weights))


# ----------------------------------------------------------------- MultiHeadAttention


def _random_weights(layer, rng):
    layer.set_weights([rng.normal(size=w.shape) * 0.5 for w in layer.get_weights()])


def test_multi_head_attention_equals_torch_multihead_attention():
    rng = np.random.default_rng(0)
    layer = MultiHeadAttention(num_heads=2, key_dim=4, dtype="float64")
    query = torch.tensor(rng.normal(size=(3, 5, 8)))
    value = torch.tensor(rng.normal(size=(3, 6, 8)))
    layer(query, value)
    shapes = [w.shape for w in layer.get_weights()]
    assert shapes == [(8, 2, 4), (2, 4), (8, 2, 4), (2, 4), (8, 2, 4), (2, 4), (2, 4, 8), (8,)]
    assert [n for n, _ in layer.named_parameters()][::2] == [
        "query.kernel", "key.kernel", "value.kernel", "attention_output.kernel"]
    _random_weights(layer, rng)
    w = [torch.tensor(a) for a in layer.get_weights()]
    reference = torch.nn.MultiheadAttention(8, 2, batch_first=True, dtype=torch.float64)
    with torch.no_grad():  # Keras (dim, heads, key_dim) kernels are torch's W^T, heads in order
        reference.in_proj_weight.copy_(torch.cat([w[i].reshape(8, 8).T for i in (0, 2, 4)]))
        reference.in_proj_bias.copy_(torch.cat([w[i].reshape(8) for i in (1, 3, 5)]))
        reference.out_proj.weight.copy_(w[6].reshape(8, 8).T)
        reference.out_proj.bias.copy_(w[7])
    padding = torch.zeros(3, 6, dtype=torch.bool)
    padding[0, 4:] = True
    expected, expected_scores = reference(query, value, value, key_padding_mask=padding,
                                          average_attn_weights=False)
    out, scores = layer(query, value, value_mask=~padding, return_attention_scores=True)
    torch.testing.assert_close(out, expected)
    torch.testing.assert_close(scores, expected_scores)
    # the same through attention_mask (B, T, S), and causal masking
    out2 = layer(query, value, attention_mask=(~padding)[:, None, :].expand(3, 5, 6))
    torch.testing.assert_close(out2, expected)
    causal = layer(query, query, use_causal_mask=True, return_attention_scores=True)[1]
    assert torch.all(causal[:, :, 0, 1:] == 0) and torch.all(causal[:, :, 3, 4:] == 0)


def test_multi_head_attention_masks_from_embedding_and_fully_masked_rows():
    embedding = Embedding(10, 8, mask_zero=True)
    tokens = torch.tensor([[3, 4, 0, 0], [5, 6, 7, 8]])
    x = embedding(tokens)
    layer = MultiHeadAttention(num_heads=2, key_dim=3)
    out, scores = layer(x, x, return_attention_scores=True)
    assert out._keras_mask.tolist() == (tokens != 0).tolist()  # the query's mask
    assert torch.all(scores[0, :, :, 2:] == 0)  # padded keys get no weight
    assert torch.all(scores[0, :, 2:, :] == 0)  # padded queries, scores returned: zeros
    torch.testing.assert_close(scores[0, :, :2, :].sum(-1), torch.ones(2, 2))
    # without scores (Keras 3's fused path, and Keras 2) a padded query attends uniformly
    fused = layer(x, x)
    v = layer.value(x)[0]  # (S, N, H): the padded query's context is the mean over keys
    expected = layer.attention_output(v.mean(dim=0, keepdim=True)[None])[0, 0]
    torch.testing.assert_close(fused[0, 2], expected)
    torch.testing.assert_close(fused[0, :2], out[0, :2])  # real queries: the same either way


def test_multi_head_attention_value_dim_output_shape_no_bias_and_gradcheck():
    layer = MultiHeadAttention(num_heads=3, key_dim=2, value_dim=5, output_shape=7,
                               use_bias=False, dtype="float64")
    query = torch.randn(2, 4, 6, dtype=torch.float64, requires_grad=True)
    value = torch.randn(2, 3, 9, dtype=torch.float64, requires_grad=True)
    assert layer(query, value).shape == (2, 4, 7)
    assert [w.shape for w in layer.get_weights()] == [(6, 3, 2), (9, 3, 2), (9, 3, 5),
                                                      (3, 5, 7)]
    assert layer.compute_output_shape((None, None, 6), (None, None, 9)) == (None, None, 7)
    weights = tuple(layer.parameters())
    assert torch.autograd.gradcheck(lambda q, v, *w: layer(q, v), (query, value, *weights))
    with pytest.raises(ValueError, match="num_heads"):
        MultiHeadAttention(num_heads=0, key_dim=2)
    with pytest.raises(NotImplementedError, match="attention_axes"):
        MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=(1, 2))
    with pytest.raises(ValueError, match="3-D"):
        MultiHeadAttention(num_heads=2, key_dim=2)(torch.zeros(2, 3, 4, 5), torch.zeros(2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"\[query, value\]"):
        Attention()(torch.zeros(2, 3, 4))


def test_multi_head_attention_parameter_count_in_a_functional_model():
    inputs = Input(shape=(None, 256))
    outputs = MultiHeadAttention(num_heads=2, key_dim=256)(inputs, inputs)
    model = Model(inputs, outputs)
    assert outputs.shape == (None, None, 256)
    # 3 projections of 256*2*256 + 2*256, output 2*256*256 + 256 (the Keras book's layer)
    assert model.count_params() == 3 * (256 * 2 * 256 + 512) + 2 * 256 * 256 + 256 == 526080
