"""seqlab.tensorflow's ops (tf.shape, tf.range, tf.cast, ...) on TensorFlow's documented
examples, and the Keras book's (2nd ed., chapter 11) transformer layers written with them,
exactly as the book writes them, with only the imports changed."""
import numpy as np
import pytest
import torch

import seqlab.tensorflow as tf
from seqlab import keras, set_seed
from seqlab.data import Dataset
from seqlab.keras import layers


def values(x):
    assert isinstance(x, torch.Tensor)
    return x.tolist()


def test_shape_range_cast_feed_each_other():
    t = tf.constant([[[1, 1, 1], [2, 2, 2]], [[3, 3, 3], [4, 4, 4]]])
    assert values(tf.shape(t)) == [2, 2, 3] and tf.shape(t).dtype == torch.int32
    assert values(tf.shape(torch.zeros(4, 7))[-1]) == 7
    assert values(tf.range(3, 18, 3)) == [3, 6, 9, 12, 15]
    assert tf.range(3, 18, 3).dtype == torch.int32
    assert values(tf.range(3, 1, -0.5)) == [3.0, 2.5, 2.0, 1.5]
    assert tf.range(3, 1, -0.5).dtype == torch.float32
    assert values(tf.range(5)) == [0, 1, 2, 3, 4]
    assert values(tf.range(start=0, limit=tf.shape(torch.zeros(2, 4))[-1], delta=1)) == [0, 1, 2, 3]
    assert tf.range(4, dtype="int64").dtype == torch.int64
    with pytest.raises(ValueError, match="delta"):
        tf.range(0, 3, 0)
    assert values(tf.cast(tf.constant([1.8, 2.2, -1.8], dtype=tf.float32), tf.int32)) == [1, 2, -1]
    assert values(tf.cast(torch.tensor([True, False]), "int32")) == [1, 0]
    assert values(tf.cast([0.0, 2.5], "bool")) == [False, True]
    for dtype in ("int32", np.int32, np.dtype("int32"), tf.int32, torch.int32):
        assert tf.cast([1], dtype).dtype == torch.int32
    assert tf.cast([1], tf.bool).dtype == torch.bool and tf.newaxis is None
    with pytest.raises(TypeError, match="string type"):
        tf.cast([1], tf.string)
    with pytest.raises(TypeError, match="unknown dtype='int33'"):
        tf.cast([1], "int33")


def test_rearranging_ops_on_the_documented_examples():
    t1, t2 = [[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]
    assert values(tf.reshape(t1, [6])) == [1, 2, 3, 4, 5, 6]
    assert values(tf.reshape(t1, [3, -1])) == [[1, 2], [3, 4], [5, 6]]
    assert values(tf.concat([t1, t2], 0)) == [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]
    assert values(tf.concat([t1, t2], 1)) == [[1, 2, 3, 7, 8, 9], [4, 5, 6, 10, 11, 12]]
    mixed = tf.concat([torch.tensor([3], dtype=torch.int32), tf.constant([1, 1])], axis=0)
    assert values(mixed) == [3, 1, 1] and mixed.dtype == torch.int32
    floats = tf.concat([torch.zeros(1, 2), [[1, 2]]], axis=0)  # a list takes the tensor's dtype
    assert floats.dtype == torch.float32 and values(floats) == [[0, 0], [1, 2]]
    assert values(tf.stack([[1, 4], [2, 5], [3, 6]])) == [[1, 4], [2, 5], [3, 6]]
    assert values(tf.stack([[1, 4], [2, 5], [3, 6]], axis=1)) == [[1, 2, 3], [4, 5, 6]]
    image = tf.zeros([10, 10, 3])
    assert image.dtype == torch.float32
    assert tf.expand_dims(image, axis=0).shape == (1, 10, 10, 3)
    assert tf.expand_dims(image, axis=1).shape == (10, 1, 10, 3)
    assert tf.expand_dims(image, -1).shape == (10, 10, 3, 1)
    assert values(tf.expand_dims(tf.shape(image)[0], -1)) == [10]
    t = tf.zeros([1, 2, 1, 3, 1, 1])
    assert tf.squeeze(t).shape == (2, 3) and tf.squeeze(t, [2, 4]).shape == (1, 2, 3, 1)
    with pytest.raises(ValueError, match="cannot squeeze axis 1 of size 2"):
        tf.squeeze(t, 1)
    a = tf.constant([[1, 2, 3], [4, 5, 6]], tf.int32)
    assert values(tf.tile(a, tf.constant([1, 2], tf.int32))) == [[1, 2, 3, 1, 2, 3],
                                                                 [4, 5, 6, 4, 5, 6]]
    assert values(tf.tile(a, [2, 1])) == [[1, 2, 3], [4, 5, 6], [1, 2, 3], [4, 5, 6]]
    with pytest.raises(ValueError, match=r"multiples=\[2\] has 1 values for an input of 2"):
        tf.tile(a, [2])
    assert values(tf.transpose(t1)) == [[1, 4], [2, 5], [3, 6]]
    assert values(tf.transpose(t1, perm=[1, 0])) == [[1, 4], [2, 5], [3, 6]]
    x = [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]
    assert values(tf.transpose(x, perm=[0, 2, 1])) == [[[1, 4], [2, 5], [3, 6]],
                                                       [[7, 10], [8, 11], [9, 12]]]


def test_matmul_where_gather_one_hot_sequence_mask():
    a, b = [[1, 2, 3], [4, 5, 6]], [[7, 8], [9, 10], [11, 12]]
    assert values(tf.matmul(a, b)) == [[58, 64], [139, 154]]
    assert values(tf.matmul(b, a, transpose_a=True, transpose_b=True)) == [[58, 139],
                                                                           [64, 154]]
    a3 = tf.reshape(tf.range(1, 13), [2, 2, 3])
    b3 = tf.reshape(tf.range(13, 25), [2, 3, 2])
    assert values(tf.matmul(a3, b3)) == [[[94, 100], [229, 244]], [[508, 532], [697, 730]]]
    with pytest.raises(ValueError, match="rank 2 or more"):
        tf.matmul([1, 2], [[1], [2]])
    assert values(tf.where([True, False, False, True], [1, 2, 3, 4], [100, 200, 300, 400])) == \
        [1, 200, 300, 4]
    assert values(tf.where([True, False, False, True], [1, 2, 3, 4], [100])) == [1, 100, 100, 4]
    assert values(tf.where([True, False, False, True])) == [[0], [3]]
    params = [[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]]
    assert values(tf.gather([0, 10, 20, 30, 40, 50], [3, 1])) == [30, 10]
    assert values(tf.gather(params, [2, 0])) == [[20, 21, 22, 23], [0, 1, 2, 3]]
    assert values(tf.gather(params, [3, 1], axis=1)) == [[3, 1], [13, 11], [23, 21]]
    assert tf.gather(params, [[2, 0], [1, 1]]).shape == (2, 2, 4)
    with pytest.raises(IndexError, match=r"indices must be in \[0, 3\)"):
        tf.gather(params, [3])
    assert values(tf.one_hot([0, 1, 2], 3)) == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert tf.one_hot([0, 1, 2], 3).dtype == torch.float32
    assert values(tf.one_hot([0, 2, -1, 1], 3, on_value=5.0, off_value=0.0, axis=-1)) == \
        [[5, 0, 0], [0, 0, 5], [0, 0, 0], [0, 5, 0]]
    assert values(tf.one_hot([[0, 2], [1, -1]], 3)) == [[[1, 0, 0], [0, 0, 1]],
                                                       [[0, 1, 0], [0, 0, 0]]]
    assert values(tf.one_hot([0, 2], 3, axis=0)) == [[1, 0], [0, 0], [0, 1]]
    assert values(tf.sequence_mask([1, 3, 2], 5)) == [[True, False, False, False, False],
                                                      [True, True, True, False, False],
                                                      [True, True, False, False, False]]
    assert values(tf.sequence_mask([[1, 3], [2, 0]])) == [[[True, False, False],
                                                           [True, True, True]],
                                                          [[True, True, False],
                                                           [False, False, False]]]
    assert tf.sequence_mask([2], 3, dtype="float32").tolist() == [[1.0, 1.0, 0.0]]


def test_making_reducing_and_element_by_element():
    tensor = tf.constant([[1, 2, 3], [4, 5, 6]])
    assert values(tf.zeros_like(tensor)) == [[0, 0, 0], [0, 0, 0]]
    assert tf.zeros_like(tensor).dtype == torch.int32 and tf.ones_like(tensor).sum() == 6
    assert tf.zeros([3, 4], tf.int32).dtype == torch.int32 and tf.ones((2,)).tolist() == [1, 1]
    ones = tf.constant([[1, 1, 1], [1, 1, 1]])
    assert values(tf.reduce_sum(ones)) == 6 and tf.reduce_sum(ones).dtype == torch.int32
    assert values(tf.reduce_sum(ones, 0)) == [2, 2, 2]
    assert values(tf.reduce_sum(ones, 1, keepdims=True)) == [[3], [3]]
    assert values(tf.reduce_sum(ones, [0, 1])) == 6
    x = tf.constant([[1.0, 1.0], [2.0, 2.0]])
    assert values(tf.reduce_mean(x)) == 1.5 and values(tf.reduce_mean(x, 0)) == [1.5, 1.5]
    assert values(tf.reduce_mean(x, 1)) == [1.0, 2.0]
    assert values(tf.reduce_mean([1, 0, 1, 0])) == 0  # TensorFlow's integer mean
    assert values(tf.reduce_max([5, 1, 2, 4])) == 5 and values(tf.reduce_min([[1, 2], [3, 4]])) == 1
    flags = [[True, True], [False, False]]
    assert values(tf.reduce_any(flags)) is True and values(tf.reduce_all(flags)) is False
    assert values(tf.reduce_any(flags, 0)) == [True, True]
    assert values(tf.reduce_any(flags, 1)) == [True, False]
    assert values(tf.reduce_all(flags, 0)) == [False, False]
    assert values(tf.reduce_all(flags, 1)) == [True, False]
    assert values(tf.math.reduce_prod([[1, 2], [3, 4]], axis=1)) == [2, 12]
    assert values(tf.math.argmax([2, 20, 30, 3, 6])) == 2
    B = [[2, 20, 30, 3, 6], [3, 11, 16, 1, 8], [14, 45, 23, 5, 27]]  # noqa: N806
    assert values(tf.math.argmax(B, 0)) == [2, 2, 0, 2, 2]
    assert values(tf.argmax(B, 1)) == [2, 2, 1] and tf.argmax(B, 1).dtype == torch.int64
    assert values(tf.abs([-2.25, 3.25])) == [2.25, 3.25] and values(tf.square([3])) == [9]
    assert values(tf.sqrt([[4.0], [16.0]])) == [[2.0], [4.0]]
    assert values(tf.math.exp(0.0)) == 1.0 and values(tf.math.log([1.0])) == [0.0]
    assert values(tf.math.tanh(0.0)) == 0.0 and values(tf.math.sigmoid(0.0)) == 0.5
    assert values(tf.math.not_equal([2, 4], 2)) == [False, True]
    assert values(tf.math.not_equal([2, 4], [2, 4])) == [False, False]
    assert values(tf.equal([2, 4], 2)) == [True, False]
    assert values(tf.math.greater([5, 4, 6], [5, 2, 5])) == [False, True, True]
    assert values(tf.math.greater([5, 4, 6], 5)) == [False, False, True]
    assert values(tf.math.less([5, 4, 6], [5])) == [False, True, False]
    assert values(tf.math.less([5, 4, 6], [5, 6, 7])) == [False, True, True]
    a, b = [True, False, True, False], [True, True, False, False]
    assert values(tf.math.logical_and(a, b)) == [True, False, False, False]
    assert values(tf.math.logical_or(a, b)) == [True, True, True, False]
    assert values(tf.math.logical_not([True, False])) == [False, True]
    assert values(tf.math.minimum([0.0, 0.0, 0.0, 0.0], [-5.0, -2.0, 0.0, 3.0])) == \
        [-5, -2, 0, 0]
    assert values(tf.maximum([0.0, 0.0, 0.0, 0.0], [-5.0, -2.0, 0.0, 3.0])) == [0, 0, 0, 3]
    small = tf.minimum(torch.tensor([[0, 1, 1]], dtype=torch.int32), 1)
    assert small.dtype == torch.int32  # a Python number takes the tensor's dtype
    np.testing.assert_allclose(tf.nn.softmax([-1, 0.0, 1.0]).numpy(),
                               [0.09003057, 0.24472848, 0.66524094], rtol=1e-6)
    assert values(tf.nn.relu([-2.0, 0.0, 3.0])) == [0.0, 0.0, 3.0]


def test_gradients_flow_and_errors_name_what_to_do():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    tf.reduce_sum(tf.square(tf.reshape(x, (3, 1))), axis=0)[0].backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    with pytest.raises(TypeError, match=r"tf.shape got <SymbolicTensor.*call\(\)"):
        tf.shape(keras.Input(shape=(None,)))
    with pytest.raises(AttributeError, match=r"tf.math.cumsum .*torch.cumsum"):
        tf.math.cumsum  # noqa: B018
    with pytest.raises(AttributeError, match=r"tf.nn.gelu .*torch.nn.functional.gelu"):
        tf.nn.gelu  # noqa: B018
    with pytest.raises(ImportError, match=r"tf.math.top_k .*torch.topk"):
        from seqlab.tensorflow.math import top_k  # noqa: F401
    with pytest.raises(TypeError, match="cannot make a tensor of 'abc'"):
        tf.reduce_sum("abc")


# ---- the book's layers, as chapter 11 writes them (only the imports changed) ----

class PositionalEmbedding(layers.Layer):
    def __init__(self, sequence_length, input_dim, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_embeddings = layers.Embedding(
            input_dim=input_dim, output_dim=output_dim)
        self.position_embeddings = layers.Embedding(
            input_dim=sequence_length, output_dim=output_dim)
        self.sequence_length = sequence_length
        self.input_dim = input_dim
        self.output_dim = output_dim

    def call(self, inputs):
        length = tf.shape(inputs)[-1]
        positions = tf.range(start=0, limit=length, delta=1)
        embedded_tokens = self.token_embeddings(inputs)
        embedded_positions = self.position_embeddings(positions)
        return embedded_tokens + embedded_positions

    def compute_mask(self, inputs, mask=None):
        return tf.math.not_equal(inputs, 0)

    def get_config(self):
        config = super().get_config()
        config.update({
            "output_dim": self.output_dim,
            "sequence_length": self.sequence_length,
            "input_dim": self.input_dim,
        })
        return config


class TransformerEncoder(layers.Layer):
    def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim = embed_dim
        self.dense_dim = dense_dim
        self.num_heads = num_heads
        self.attention = layers.MultiHeadAttention(
            num_heads=num_heads, key_dim=embed_dim)
        self.dense_proj = keras.Sequential(
            [layers.Dense(dense_dim, activation="relu"),
             layers.Dense(embed_dim),]
        )
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = mask[:, tf.newaxis, :]
        attention_output = self.attention(
            inputs, inputs, attention_mask=mask)
        proj_input = self.layernorm_1(inputs + attention_output)
        proj_output = self.dense_proj(proj_input)
        return self.layernorm_2(proj_input + proj_output)

    def get_config(self):
        config = super().get_config()
        config.update({
            "embed_dim": self.embed_dim,
            "num_heads": self.num_heads,
            "dense_dim": self.dense_dim,
        })
        return config


class TransformerDecoder(layers.Layer):
    def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim = embed_dim
        self.dense_dim = dense_dim
        self.num_heads = num_heads
        self.attention_1 = layers.MultiHeadAttention(
            num_heads=num_heads, key_dim=embed_dim)
        self.attention_2 = layers.MultiHeadAttention(
            num_heads=num_heads, key_dim=embed_dim)
        self.dense_proj = keras.Sequential(
            [layers.Dense(dense_dim, activation="relu"),
             layers.Dense(embed_dim),]
        )
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()
        self.layernorm_3 = layers.LayerNormalization()
        self.supports_masking = True

    def get_config(self):
        config = super().get_config()
        config.update({
            "embed_dim": self.embed_dim,
            "num_heads": self.num_heads,
            "dense_dim": self.dense_dim,
        })
        return config

    def get_causal_attention_mask(self, inputs):
        input_shape = tf.shape(inputs)
        batch_size, sequence_length = input_shape[0], input_shape[1]
        i = tf.range(sequence_length)[:, tf.newaxis]
        j = tf.range(sequence_length)
        mask = tf.cast(i >= j, dtype="int32")
        mask = tf.reshape(mask, (1, input_shape[1], input_shape[1]))
        mult = tf.concat(
            [tf.expand_dims(batch_size, -1),
             tf.constant([1, 1], dtype=tf.int32)], axis=0)
        return tf.tile(mask, mult)

    def call(self, inputs, encoder_outputs, mask=None):
        causal_mask = self.get_causal_attention_mask(inputs)
        if mask is not None:
            padding_mask = tf.cast(
                mask[:, tf.newaxis, :], dtype="int32")
            padding_mask = tf.minimum(padding_mask, causal_mask)
        attention_output_1 = self.attention_1(
            query=inputs,
            value=inputs,
            key=inputs,
            attention_mask=causal_mask)
        attention_output_1 = self.layernorm_1(inputs + attention_output_1)
        attention_output_2 = self.attention_2(
            query=attention_output_1,
            value=encoder_outputs,
            key=encoder_outputs,
            attention_mask=padding_mask,
        )
        attention_output_2 = self.layernorm_2(
            attention_output_1 + attention_output_2)
        proj_output = self.dense_proj(attention_output_2)
        return self.layernorm_3(attention_output_2 + proj_output)


def _token_rule_data():
    """As tests/models/test_keras_book_text_scripts.py: label 1 when token 3 occurs in the
    zero-padded sequence."""
    rng = np.random.default_rng(0)
    sequence_length, vocab_size = 12, 30
    lengths = rng.integers(4, sequence_length + 1, size=384)
    tokens = np.zeros((384, sequence_length), dtype=np.int64)
    for row, length in zip(tokens, lengths):
        row[:length] = rng.integers(4, vocab_size, size=length)
    labels = rng.integers(0, 2, size=384)
    for row, length, label in zip(tokens, lengths, labels):
        if label:
            row[rng.integers(0, length)] = 3
    return tokens, labels


def _book_classifier(sequence_length=12, vocab_size=30, embed_dim=16, dense_dim=16,
                     num_heads=2):
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(inputs)
    x = TransformerEncoder(embed_dim, dense_dim, num_heads)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_book_transformer_classifier_written_with_tf_ops_trains_and_masks():
    set_seed(0)
    tokens, labels = _token_rule_data()
    model = _book_classifier()
    train = Dataset.from_tensor_slices((tokens[:320], labels[:320])).shuffle(320, seed=0).batch(32)
    test = Dataset.from_tensor_slices((tokens[320:], labels[320:])).batch(32)
    history = model.fit(train, validation_data=test, epochs=2, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    # the steps' encodings do not depend on the padding after them: compute_mask's
    # tf.math.not_equal and the encoder's mask[:, tf.newaxis, :] hide it
    embed, encode = model.layers[1], model.layers[2]
    padded = np.zeros((1, 12), dtype=np.int64)
    padded[0, :4] = [5, 3, 7, 9]
    model.eval()
    with torch.no_grad():
        full = encode(embed(torch.tensor(padded)), mask=embed.compute_mask(padded))
        short = encode(embed(torch.tensor(padded[:, :4])))
        assert values(embed.compute_mask(padded))[0] == [True] * 4 + [False] * 8
    torch.testing.assert_close(full[:, :4], short)


def test_book_layers_with_tf_ops_equal_the_torch_written_ones():
    from tests.models import test_keras_book_text_scripts as torch_written

    tokens, _ = _token_rule_data()
    set_seed(3)
    model = _book_classifier()
    set_seed(3)
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = torch_written.PositionalEmbedding(12, 30, 16)(inputs)
    x = torch_written.TransformerEncoder(16, 16, 2)(x)
    x = layers.Dropout(0.5)(layers.GlobalMaxPooling1D()(x))
    reference = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x))
    reference.load_state_dict(model.state_dict())
    np.testing.assert_allclose(model.predict(tokens[:64], verbose=0),
                               reference.predict(tokens[:64], verbose=0), rtol=1e-6)


def test_book_decoder_causal_mask_is_lower_triangular_and_the_decoder_trains():
    decoder = TransformerDecoder(8, 16, 2)
    mask = decoder.get_causal_attention_mask(torch.zeros(3, 5, 8))
    by_hand = torch.tensor([[1, 0, 0, 0, 0], [1, 1, 0, 0, 0], [1, 1, 1, 0, 0],
                            [1, 1, 1, 1, 0], [1, 1, 1, 1, 1]], dtype=torch.int32)
    assert mask.dtype == torch.int32 and mask.shape == (3, 5, 5)
    assert all(torch.equal(m, by_hand) for m in mask)

    set_seed(0)
    sequence_length, vocab_size, embed_dim, dense_dim, num_heads = 6, 20, 16, 32, 2
    encoder_inputs = keras.Input(shape=(None,), dtype="int64", name="english")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(encoder_inputs)
    encoder_outputs = TransformerEncoder(embed_dim, dense_dim, num_heads)(x)
    decoder_inputs = keras.Input(shape=(None,), dtype="int64", name="spanish")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(decoder_inputs)
    x = TransformerDecoder(embed_dim, dense_dim, num_heads)(x, encoder_outputs)
    x = layers.Dropout(0.5)(x)
    decoder_outputs = layers.Dense(vocab_size, activation="softmax")(x)
    transformer = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)
    transformer.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                        metrics=["accuracy"])
    rng = np.random.default_rng(0)
    source = rng.integers(1, vocab_size, size=(64, sequence_length))
    target = np.concatenate([np.ones((64, 1), dtype=np.int64), source[:, :-1]], axis=1)
    data = Dataset.from_tensor_slices(({"english": source, "spanish": target},
                                       source)).batch(16)
    history = transformer.fit(data, epochs=2, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    transformer.eval()
    with torch.no_grad():  # step t does not see the target steps after t
        changed = target.copy()
        changed[:, 4:] = 7
        a = transformer({"english": torch.tensor(source), "spanish": torch.tensor(target)})
        b = transformer({"english": torch.tensor(source), "spanish": torch.tensor(changed)})
    torch.testing.assert_close(a[:, :4], b[:, :4])


class NeedsMask(layers.Layer):
    """Like the book's decoder: its call cannot run without the mask (no shape rule, so
    building a model traces it)."""

    def call(self, inputs, mask=None):
        padding = tf.cast(mask[:, tf.newaxis, :], dtype="int32")
        return inputs * tf.cast(tf.reduce_max(padding, axis=1), "float32")[:, :, tf.newaxis]


@pytest.mark.parametrize("masked", ["embedding", "masking", "traced"])
def test_layers_traced_after_a_masking_layer_get_a_mask(masked):
    tokens = np.array([[1, 2, 0]])
    inputs = keras.Input(shape=(None,), dtype="int64")
    if masked == "embedding":
        x = layers.Dropout(0.1)(layers.Embedding(10, 4, mask_zero=True)(inputs))
    elif masked == "masking":
        inputs = keras.Input(shape=(None, 4))
        x = layers.Masking()(inputs)
        tokens = np.ones((1, 3, 4), dtype="float32")
        tokens[0, 2] = 0.0
    else:
        x = PositionalEmbedding(6, 10, 4)(inputs)
    outputs = NeedsMask()(x)
    assert outputs.shape == (None, None, 4)
    out = keras.Model(inputs, outputs).predict(tokens, verbose=0)
    assert out.shape == (1, 3, 4) and not out[0, 2].any() and out[0, :2].all()
