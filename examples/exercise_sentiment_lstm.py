"""Sentiment of short reviews with Embedding -> LSTM -> Dense(sigmoid), the Keras IMDB recipe.

Texts are tokenized (Tokenizer), padded to a fixed length (pad_sequences, index 0 = padding and
masked with mask_zero=True), embedded, read by an LSTM, and classified positive (1) / negative (0).
By default the reviews are generated here: sentiment phrases among filler words, where "not" flips
the word after it, so word order matters. With --imdb the Keras IMDB reviews are used (zerodl.datasets.imdb,
from the Keras cache or a download).
Run: python examples/exercise_sentiment_lstm.py [--epochs 10] [--imdb]
"""
import numpy as np

from _course_data import example_parser
from zerodl.layers import LSTM, Dense, Embedding
from zerodl.models import Sequential
from zerodl.preprocessing.sequence import pad_sequences
from zerodl.preprocessing.text import Tokenizer
from zerodl.utils import set_random_seed

POSITIVE = "good great excellent wonderful superb enjoyable brilliant moving".split()
NEGATIVE = "bad awful boring terrible dull poor weak painful".split()
FILLER = ("the movie film plot actors story was is it this and a with of scenes director music ending "
          "characters camera script").split()


def make_reviews(n=2000, seed=0):
    """n reviews of filler words and 2-4 sentiment phrases that agree with the label: a word of the
    label's polarity, or (one time in three) "not" before a word of the opposite one ("not bad" is
    positive), so a bag of words is not enough."""
    rng = np.random.default_rng(seed)
    texts, labels = [], rng.integers(0, 2, n)
    for label in labels:
        words = list(rng.choice(FILLER, rng.integers(6, 15)))
        for _ in range(rng.integers(2, 5)):
            negated = rng.random() < 1 / 3
            positive = bool(label) != negated
            phrase = [rng.choice(POSITIVE if positive else NEGATIVE)]
            if negated:
                phrase.insert(0, "not")
            at = rng.integers(0, len(words) + 1)
            words[at:at] = phrase
        texts.append(" ".join(words))
    return texts, labels


def main(texts=None, labels=None, epochs=10, verbose=1, maxlen=24, imdb=False):
    set_random_seed(0)
    if imdb:
        from zerodl.datasets import imdb as imdb_data
        max_features, maxlen = 20000, 80
        (x_train, y_train), (x_test, y_test) = imdb_data.load_data(num_words=max_features)
        x_train = pad_sequences(x_train, maxlen=maxlen)
        x_test = pad_sequences(x_test, maxlen=maxlen)
        units, dims = 128, 128
    else:
        if texts is None:
            texts, labels = make_reviews()
        split = int(0.8 * len(texts))
        tokenizer = Tokenizer(oov_token="<unk>")
        tokenizer.fit_on_texts(texts[:split])
        sequences = tokenizer.texts_to_sequences(texts)
        data = pad_sequences(sequences, maxlen=maxlen)
        x_train, x_test = data[:split], data[split:]
        y_train, y_test = np.asarray(labels[:split]), np.asarray(labels[split:])
        max_features = len(tokenizer.word_index) + 1
        units, dims = 32, 16

    model = Sequential()
    model.add(Embedding(max_features, dims, mask_zero=True))
    model.add(LSTM(units))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_data=(x_test, y_test),
                        verbose=verbose)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print("Test accuracy: {:0.3f}".format(accuracy))
    return {"test_accuracy": accuracy, "train_accuracy": history.history['acc'][-1],
            "vocabulary": max_features, "n_train": len(x_train), "n_test": len(x_test)}


if __name__ == "__main__":
    parser = example_parser(__doc__, epochs=10, data_dir=None)
    parser.add_argument("--imdb", action="store_true", help="the Keras IMDB reviews instead of generated ones")
    args = parser.parse_args()
    main(epochs=args.epochs, imdb=args.imdb)
