"""Course-style scripts, written as the Keras book (second edition, chapter 11) and the
TensorFlow course write them, with only the imports changed: an IMDB TextVectorization +
Dataset pipeline on real reviews, and a one-block transformer classifier built from a
subclassed ``Layer`` (the book's ``TransformerEncoder`` and ``PositionalEmbedding``)."""
import re
import tarfile

import numpy as np
import pytest
import torch

from seqlab import layers, set_seed
from seqlab.data import Dataset, text_dataset_from_directory
from seqlab.models import Model, Sequential
from tests.helpers import shared_data

@pytest.fixture(scope="module")
def small_acl(tmp_path_factory):
    """An aclImdb-shaped folder from the real tarball: the first 1,000 neg and 1,000 pos
    reviews of the archive (its test split comes first, so only that part is read), 600
    of each as train/ and 400 as test/, plus an unsup folder to delete."""
    wanted = re.compile(r"aclImdb/test/(neg|pos)/(\d+_\d+\.txt)")
    root = tmp_path_factory.mktemp("imdb") / "aclImdb"
    seen = {"neg": 0, "pos": 0}
    with tarfile.open(shared_data("imdb/aclImdb_v1.tar.gz"), "r:gz") as archive:
        for member in archive:
            match = wanted.fullmatch(member.name)
            if not match or seen[match.group(1)] >= 1000:
                if min(seen.values()) >= 1000:
                    break
                continue
            label, name = match.groups()
            split = "train" if seen[label] < 600 else "test"
            seen[label] += 1
            target = root / split / label / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.extractfile(member).read())
    (root / "train" / "unsup").mkdir()
    (root / "train" / "unsup" / "0_0.txt").write_text("unlabelled", encoding="utf-8")
    return root


def test_imdb_bag_of_bigrams_pipeline(small_acl):
    import shutil
    shutil.rmtree(small_acl / "train" / "unsup")  # as the book: !rm -r aclImdb/train/unsup
    set_seed(0)
    batch_size = 32
    train_ds = text_dataset_from_directory(small_acl / "train", batch_size=batch_size,
                                           validation_split=0.2, subset="training", seed=1337)
    val_ds = text_dataset_from_directory(small_acl / "train", batch_size=batch_size,
                                         validation_split=0.2, subset="validation", seed=1337)
    test_ds = text_dataset_from_directory(small_acl / "test", batch_size=batch_size)
    assert train_ds.class_names == ["neg", "pos"]
    for inputs, targets in train_ds:
        assert inputs.shape == (32,) and inputs.dtype == object
        assert targets.shape == (32,) and targets.dtype == np.int32
        assert isinstance(inputs.numpy()[0], str)
        break

    text_vectorization = layers.TextVectorization(ngrams=2, max_tokens=20000,
                                                  output_mode="multi_hot")
    text_only_train_ds = train_ds.map(lambda x, y: x)
    text_vectorization.adapt(text_only_train_ds)
    binary_2gram_train_ds = train_ds.map(lambda x, y: (text_vectorization(x), y),
                                         num_parallel_calls=4)
    binary_2gram_val_ds = val_ds.map(lambda x, y: (text_vectorization(x), y))
    binary_2gram_test_ds = test_ds.map(lambda x, y: (text_vectorization(x), y))
    assert text_vectorization.vocabulary_size() == 20000

    inputs = layers.Input(shape=(20000,))
    x = layers.Dense(16, activation="relu")(inputs)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(binary_2gram_train_ds.cache(), validation_data=binary_2gram_val_ds.cache(),
              epochs=4, verbose=0)
    loss, accuracy = model.evaluate(binary_2gram_test_ds, verbose=0)
    assert accuracy > 0.8  # seeded: 0.87 on these 800 test reviews

    # the book's inference model: raw strings in, probabilities out
    raw = layers.Input(shape=(1,), dtype="string")
    inference_model = Model(raw, model(text_vectorization(raw)))
    raw_text_data = np.array([["That was an excellent movie, I loved it."]], dtype=object)
    probability = inference_model(raw_text_data)
    assert probability.shape == (1, 1) and 0 <= float(probability.detach()) <= 1


class PositionalEmbedding(layers.Layer):
    def __init__(self, sequence_length, input_dim, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_embeddings = layers.Embedding(input_dim=input_dim, output_dim=output_dim)
        self.position_embeddings = layers.Embedding(input_dim=sequence_length,
                                                    output_dim=output_dim)
        self.sequence_length = sequence_length
        self.input_dim = input_dim
        self.output_dim = output_dim

    def call(self, inputs):
        length = inputs.shape[-1]
        positions = torch.arange(0, length)
        embedded_tokens = self.token_embeddings(inputs)
        embedded_positions = self.position_embeddings(positions)
        return embedded_tokens + embedded_positions

    def compute_mask(self, inputs, mask=None):
        return inputs != 0

    def get_config(self):
        config = super().get_config()
        config.update({"output_dim": self.output_dim, "sequence_length": self.sequence_length,
                       "input_dim": self.input_dim})
        return config


class TransformerEncoder(layers.Layer):
    def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim = embed_dim
        self.dense_dim = dense_dim
        self.num_heads = num_heads
        self.attention = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.dense_proj = Sequential([layers.Dense(dense_dim, activation="relu"),
                                      layers.Dense(embed_dim)])
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = mask[:, None, :]
        attention_output = self.attention(inputs, inputs, attention_mask=mask)
        proj_input = self.layernorm_1(inputs + attention_output)
        proj_output = self.dense_proj(proj_input)
        return self.layernorm_2(proj_input + proj_output)

    def get_config(self):
        config = super().get_config()
        config.update({"embed_dim": self.embed_dim, "num_heads": self.num_heads,
                       "dense_dim": self.dense_dim})
        return config


def test_book_transformer_parameter_counts():
    vocab_size, embed_dim, num_heads, dense_dim = 20000, 256, 2, 32
    inputs = layers.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(vocab_size, embed_dim)(inputs)
    encoder = TransformerEncoder(embed_dim, dense_dim, num_heads)
    x = encoder(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    assert encoder.count_params() == 543776  # the book's summary()
    assert model.count_params() == 5664033
    assert encoder.get_config()["embed_dim"] == 256


def test_book_transformer_with_positional_embedding_learns_a_token_rule():
    """Label 1 when token 3 occurs in the (zero-padded) sequence: attention over the real
    tokens, masks from PositionalEmbedding.compute_mask."""
    set_seed(0)
    rng = np.random.default_rng(0)
    sequence_length, vocab_size, embed_dim = 12, 30, 16
    lengths = rng.integers(4, sequence_length + 1, size=384)
    tokens = np.zeros((384, sequence_length), dtype=np.int64)
    for row, length in zip(tokens, lengths):
        row[:length] = rng.integers(4, vocab_size, size=length)
    labels = rng.integers(0, 2, size=384)
    for row, length, label in zip(tokens, lengths, labels):
        if label:
            row[rng.integers(0, length)] = 3
    inputs = layers.Input(shape=(None,), dtype="int64")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(inputs)
    x = TransformerEncoder(embed_dim, 16, 2)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    train = Dataset.from_tensor_slices((tokens[:320], labels[:320])).shuffle(320, seed=0).batch(32)
    test = Dataset.from_tensor_slices((tokens[320:], labels[320:])).batch(32)
    model.fit(train, validation_data=test, epochs=12, verbose=0)
    assert model.evaluate(test, verbose=0)[1] > 0.9  # seeded: 1.0
    # the real steps' encodings do not depend on the padding after them: the masks hide it
    embed, encode = model.layers[1], model.layers[2]
    padded = np.zeros((1, sequence_length), dtype=np.int64)
    padded[0, :4] = [5, 3, 7, 9]
    with torch.no_grad():
        model.eval()
        full = encode(embed(torch.tensor(padded)))
        short = encode(embed(torch.tensor(padded[:, :4])))
    torch.testing.assert_close(full[:, :4], short)


class SimpleDense(layers.Layer):
    """The Keras book's (2nd ed., chapter 3) layer: Keras 3's add_weight(shape=...)."""

    def __init__(self, units, activation=None):
        super().__init__()
        self.units = units
        self.activation = activation

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.W = self.add_weight(shape=(input_dim, self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        y = inputs @ self.W + self.b
        if self.activation is not None:
            y = self.activation(y)
        return y


def test_book_simple_dense_subclass_builds_names_and_trains():
    my_dense = SimpleDense(units=32, activation=torch.relu)
    output_tensor = my_dense(torch.ones(2, 784))
    assert output_tensor.shape == (2, 32)
    assert [name for name, _ in my_dense.named_parameters()] == ["W", "b"]
    assert my_dense.count_params() == 784 * 32 + 32
    assert float(my_dense.W.detach().std()) == pytest.approx(0.05, rel=0.1)  # random_normal
    model = Sequential([SimpleDense(8, activation=torch.relu), SimpleDense(1)])
    model.compile("rmsprop", "mse")
    x = np.random.default_rng(0).random((64, 5)).astype("float32")
    history = model.fit(x, x.sum(axis=1, keepdims=True), epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert list(model.state_dict()) == ["_stack.0.W", "_stack.0.b", "_stack.1.W", "_stack.1.b"]


def test_string_model_with_attention_saves_and_loads(tmp_path):
    from seqlab.models import load_model
    texts = np.array(["good movie", "bad film", "good good", "awful bad"])
    vectorize = layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    vectorize.adapt(texts)
    raw = layers.Input(shape=(1,), dtype="string")
    x = layers.Embedding(20, 8, mask_zero=True)(vectorize(raw))
    x = layers.LayerNormalization()(layers.MultiHeadAttention(2, 4)(x, x))
    outputs = layers.Dense(1, activation="sigmoid")(layers.GlobalAveragePooling1D()(x))
    model = Model(raw, outputs)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(Dataset.from_tensor_slices((texts[:, None], np.array([1, 0, 1, 0]))).batch(2),
              epochs=1, verbose=0)
    model.save(tmp_path / "model.keras")
    loaded = load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(loaded.predict(texts[:, None], verbose=0),
                               model.predict(texts[:, None], verbose=0), rtol=1e-6)
    assert loaded.layers[1].get_vocabulary() == vectorize.get_vocabulary()


def test_book_translation_pipeline_dict_inputs_from_a_mapped_dataset():
    """The book's English-to-Spanish data pipeline (format_dataset returns a dict of inputs)
    feeding its GRU sequence-to-sequence model."""
    import string

    from seqlab.text import strings as tfs
    set_seed(0)
    text_pairs = [("I like cats.", "[start] Me gustan los gatos. [end]"),
                  ("We run!", "[start] ¡Corremos! [end]"),
                  ("You eat bread.", "[start] Comes pan. [end]")] * 10
    strip_chars = string.punctuation + "¿"
    strip_chars = strip_chars.replace("[", "")
    strip_chars = strip_chars.replace("]", "")

    def custom_standardization(input_string):
        lowercase = tfs.lower(input_string)
        return tfs.regex_replace(lowercase, f"[{re.escape(strip_chars)}]", "")

    vocab_size, sequence_length, batch_size = 50, 8, 4
    source_vectorization = layers.TextVectorization(
        max_tokens=vocab_size, output_mode="int", output_sequence_length=sequence_length)
    target_vectorization = layers.TextVectorization(
        max_tokens=vocab_size, output_mode="int", output_sequence_length=sequence_length + 1,
        standardize=custom_standardization)
    train_english_texts = [pair[0] for pair in text_pairs]
    train_spanish_texts = [pair[1] for pair in text_pairs]
    source_vectorization.adapt(train_english_texts)
    target_vectorization.adapt(train_spanish_texts)
    assert target_vectorization.get_vocabulary()[:4] == ["", "[UNK]", "[start]", "[end]"]
    assert "¡corremos" in target_vectorization.get_vocabulary()  # only ¿ is stripped

    def format_dataset(eng, spa):
        eng = source_vectorization(eng)
        spa = target_vectorization(spa)
        return ({"english": eng, "spanish": spa[:, :-1]}, spa[:, 1:])

    def make_dataset(pairs):
        eng_texts, spa_texts = zip(*pairs)
        dataset = Dataset.from_tensor_slices((list(eng_texts), list(spa_texts)))
        dataset = dataset.batch(batch_size)
        dataset = dataset.map(format_dataset, num_parallel_calls=4)
        return dataset.shuffle(2048).prefetch(16).cache()

    train_ds = make_dataset(text_pairs)
    for inputs, targets in train_ds.take(1):
        assert inputs["english"].shape[1] == inputs["spanish"].shape[1] == targets.shape[1] == 8

    embed_dim, latent_dim = 16, 32
    source = layers.Input(shape=(None,), dtype="int64", name="english")
    x = layers.Embedding(vocab_size, embed_dim, mask_zero=True)(source)
    encoded_source = layers.Bidirectional(layers.GRU(latent_dim), merge_mode="sum")(x)
    past_target = layers.Input(shape=(None,), dtype="int64", name="spanish")
    x = layers.Embedding(vocab_size, embed_dim, mask_zero=True)(past_target)
    decoder_gru = layers.GRU(latent_dim, return_sequences=True)
    x = decoder_gru(x, initial_state=encoded_source)
    x = layers.Dropout(0.5)(x)
    target_next_step = layers.Dense(vocab_size, activation="softmax")(x)
    seq2seq_rnn = Model([source, past_target], target_next_step)
    seq2seq_rnn.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                        metrics=["accuracy"])
    history = seq2seq_rnn.fit(train_ds, epochs=3, validation_data=train_ds, verbose=0)
    assert history.history["accuracy"][-1] > history.history["accuracy"][0]


def test_sequential_starting_with_tf_idf_vectorization_saves_and_loads(tmp_path):
    from seqlab.models import load_model
    texts = np.array(["good movie", "bad film", "good good", "awful bad"])
    bag = layers.TextVectorization(output_mode="tf_idf")
    bag.adapt(texts)
    model = Sequential([bag, layers.Dense(1, activation="sigmoid")])
    model.compile("rmsprop", "binary_crossentropy")
    model.fit(Dataset.from_tensor_slices((texts, np.array([1, 0, 1, 0]))).batch(2), epochs=1,
              verbose=0)
    model.save(tmp_path / "bag.keras")
    loaded = load_model(tmp_path / "bag.keras")
    np.testing.assert_allclose(loaded.predict(Dataset.from_tensor_slices(texts).batch(3),
                                              verbose=0),
                               model.predict(list(texts), verbose=0), rtol=1e-6)


def test_book_transformer_saves_and_loads_with_custom_objects(tmp_path):
    from seqlab.models import load_model
    inputs = layers.Input(shape=(None,), dtype="int64")
    x = PositionalEmbedding(12, 30, 16)(inputs)
    x = TransformerEncoder(16, 16, 2)(x)
    outputs = layers.Dense(1, activation="sigmoid")(layers.GlobalMaxPooling1D()(x))
    model = Model(inputs, outputs)
    model.compile("rmsprop", "binary_crossentropy")
    model.save(tmp_path / "transformer.keras")
    loaded = load_model(tmp_path / "transformer.keras",
                        custom_objects={"TransformerEncoder": TransformerEncoder,
                                        "PositionalEmbedding": PositionalEmbedding})
    tokens = np.random.default_rng(0).integers(1, 30, size=(3, 12))
    np.testing.assert_allclose(loaded.predict(tokens, verbose=0), model.predict(tokens, verbose=0),
                               rtol=1e-6)


class TransformerDecoder(layers.Layer):
    """The book's decoder, its TensorFlow ops written with torch (tf.shape -> .shape,
    tf.range -> torch.arange, tf.cast/tf.minimum -> .int()/torch.minimum)."""

    def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim = embed_dim
        self.dense_dim = dense_dim
        self.num_heads = num_heads
        self.attention_1 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.attention_2 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.dense_proj = Sequential([layers.Dense(dense_dim, activation="relu"),
                                      layers.Dense(embed_dim)])
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()
        self.layernorm_3 = layers.LayerNormalization()
        self.supports_masking = True

    def get_causal_attention_mask(self, inputs):
        batch_size, sequence_length = inputs.shape[0], inputs.shape[1]
        i = torch.arange(sequence_length)[:, None]
        j = torch.arange(sequence_length)
        mask = (i >= j).int()
        return mask[None].expand(batch_size, sequence_length, sequence_length)

    def call(self, inputs, encoder_outputs, mask=None):
        causal_mask = self.get_causal_attention_mask(inputs)
        padding_mask = None
        if mask is not None:
            padding_mask = mask[:, None, :].int()
            padding_mask = torch.minimum(padding_mask, causal_mask)
        attention_output_1 = self.attention_1(query=inputs, value=inputs, key=inputs,
                                              attention_mask=causal_mask)
        attention_output_1 = self.layernorm_1(inputs + attention_output_1)
        attention_output_2 = self.attention_2(query=attention_output_1, value=encoder_outputs,
                                              key=encoder_outputs, attention_mask=padding_mask)
        attention_output_2 = self.layernorm_2(attention_output_1 + attention_output_2)
        proj_output = self.dense_proj(attention_output_2)
        return self.layernorm_3(attention_output_2 + proj_output)


def test_book_end_to_end_transformer_translation_model_builds_and_trains():
    set_seed(0)
    sequence_length, vocab_size, embed_dim, dense_dim, num_heads = 6, 20, 16, 32, 2
    encoder_inputs = layers.Input(shape=(None,), dtype="int64", name="english")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(encoder_inputs)
    encoder_outputs = TransformerEncoder(embed_dim, dense_dim, num_heads)(x)
    decoder_inputs = layers.Input(shape=(None,), dtype="int64", name="spanish")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(decoder_inputs)
    x = TransformerDecoder(embed_dim, dense_dim, num_heads)(x, encoder_outputs)
    x = layers.Dropout(0.5)(x)
    decoder_outputs = layers.Dense(vocab_size, activation="softmax")(x)
    transformer = Model([encoder_inputs, decoder_inputs], decoder_outputs)
    transformer.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                        metrics=["accuracy"])
    assert decoder_outputs.shape == (None, None, vocab_size)
    rng = np.random.default_rng(0)
    source = rng.integers(1, vocab_size, size=(64, sequence_length))
    target = np.concatenate([np.ones((64, 1), dtype=np.int64), source[:, :-1]], axis=1)
    data = Dataset.from_tensor_slices(({"english": source, "spanish": target},
                                       source)).batch(16)
    history = transformer.fit(data, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    # causal: the decoder's step t does not see target steps after t
    transformer.eval()
    with torch.no_grad():
        changed = target.copy()
        changed[:, 4:] = 7
        a = transformer({"english": torch.tensor(source), "spanish": torch.tensor(target)})
        b = transformer({"english": torch.tensor(source), "spanish": torch.tensor(changed)})
    torch.testing.assert_close(a[:, :4], b[:, :4])
