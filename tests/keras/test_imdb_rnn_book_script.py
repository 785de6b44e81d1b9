"""The Keras book's (1st edition, section 6.2) first recurrent model on IMDB, as the book
writes it, with only the imports changed, the data path given (seqlab reads the aclImdb
tarball; Keras downloads imdb.npz) and the sizes cut for a test: 4,000 reviews of up to
200 words (the book: 25,000 of up to 500) and 4 epochs (the book: 10)."""
from seqlab import set_seed
from tests.helpers import shared_data


def test_simple_rnn_on_imdb_as_the_book_writes_it(capsys):
    # was: from keras.datasets import imdb; from keras.preprocessing import sequence ...
    from seqlab.keras.datasets import imdb
    from seqlab.keras.layers import Dense, Embedding, SimpleRNN
    from seqlab.keras.models import Sequential
    from seqlab.keras.preprocessing import sequence

    set_seed(0)  # (not in the book: a test must repeat)
    max_features = 10000
    maxlen = 200
    batch_size = 128

    print('Loading data...')
    (input_train, y_train), (input_test, y_test) = imdb.load_data(
        shared_data("imdb/aclImdb_v1.tar.gz"), num_words=max_features)
    print(len(input_train), 'train sequences')
    print(len(input_test), 'test sequences')
    input_train, y_train = input_train[:4000], y_train[:4000]

    print('Pad sequences (samples x time)')
    input_train = sequence.pad_sequences(input_train, maxlen=maxlen)
    print('input_train shape:', input_train.shape)

    model = Sequential()
    model.add(Embedding(max_features, 32))
    model.add(SimpleRNN(32))
    model.add(Dense(1, activation='sigmoid'))
    model.summary()
    model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['acc'])
    history = model.fit(input_train, y_train, epochs=4, batch_size=batch_size,
                        validation_split=0.2, verbose=0)

    text = capsys.readouterr().out
    assert "25000 train sequences" in text and "input_train shape: (4000, 200)" in text
    assert "Total params: 322,113" in text  # 320,000 + 2,080 + 33, as Keras 2 printed
    acc, val_acc = history.history['acc'], history.history['val_acc']
    loss, val_loss = history.history['loss'], history.history['val_loss']
    assert len(acc) == len(val_acc) == len(loss) == len(val_loss) == 4
    # it learns its training reviews (the validation curve needs the book's 20,000)
    assert acc[-1] > 0.75 and loss[-1] < loss[0]
