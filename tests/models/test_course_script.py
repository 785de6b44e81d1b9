"""A Keras course script (the sarcasm classifier), with only its imports changed:
tokenize -> pad -> Sequential -> compile -> fit -> evaluate -> predict -> save -> load."""
import json

import numpy as np

# was: import tensorflow as tf; from tensorflow.keras.preprocessing.text import Tokenizer ...
from seqlab import set_seed
from seqlab.layers import Dense, Embedding, GlobalAveragePooling1D
from seqlab.models import Sequential, load_model
from seqlab.text import Tokenizer, pad_sequences
from tests.helpers import shared_data


def test_sarcasm_course_script(tmp_path):
    set_seed(0)
    with open(shared_data("sarcasm/Sarcasm_Headlines_Dataset.json"), encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    sentences = [r["headline"] for r in records][:6000]
    labels = np.array([r["is_sarcastic"] for r in records][:6000])

    vocab_size, embedding_dim, max_length, training_size = 2000, 16, 32, 5000
    training_sentences, testing_sentences = sentences[:training_size], sentences[training_size:]
    training_labels, testing_labels = labels[:training_size], labels[training_size:]

    tokenizer = Tokenizer(num_words=vocab_size, oov_token="<OOV>")
    tokenizer.fit_on_texts(training_sentences)
    training_padded = pad_sequences(tokenizer.texts_to_sequences(training_sentences),
                                    maxlen=max_length, padding="post", truncating="post")
    testing_padded = pad_sequences(tokenizer.texts_to_sequences(testing_sentences),
                                   maxlen=max_length, padding="post", truncating="post")

    model = Sequential([
        Embedding(vocab_size, embedding_dim, input_length=max_length),
        GlobalAveragePooling1D(),
        Dense(24, activation="relu"),
        Dense(1, activation="sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(training_padded, training_labels, epochs=12,
                        validation_data=(testing_padded, testing_labels), verbose=0)

    assert history.history["accuracy"][-1] > 0.85
    assert history.history["val_accuracy"][-1] > 0.72  # majority class: ~0.56
    loss, accuracy = model.evaluate(testing_padded, testing_labels, verbose=0)
    assert accuracy == history.history["val_accuracy"][-1]
    sentence = ["granny starting to fear spiders in the garden might be real",
                "game of thrones season finale showing this sunday night"]
    padded = pad_sequences(tokenizer.texts_to_sequences(sentence), maxlen=max_length,
                           padding="post", truncating="post")
    predictions = model.predict(padded, verbose=0)
    assert predictions.shape == (2, 1) and ((0 <= predictions) & (predictions <= 1)).all()

    model.save(tmp_path / "sarcasm.safetensors", tokenizer=tokenizer)
    restored = load_model(tmp_path / "sarcasm.safetensors")
    np.testing.assert_array_equal(restored.predict(padded, verbose=0), predictions)
    again = pad_sequences(restored.tokenizer.texts_to_sequences(sentence), maxlen=max_length,
                          padding="post", truncating="post")
    np.testing.assert_array_equal(again, padded)
