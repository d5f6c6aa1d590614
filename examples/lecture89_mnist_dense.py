"""Lecture 89: MNIST with a fully connected network -- 784 -> 512 -> 256 -> 128 -> 32 -> 10, rmsprop.

Run: python examples/lecture89_mnist_dense.py [--data-dir DIR] [--epochs 10] [--plot out.png]
Data: the MNIST IDX files (t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in DIR/mnist, DIR
defaulting to $ZERODL_DATA_DIR, else ../shared/data. Only the 10,000-digit test set is there, so its
first 8,000 digits play the course's training set and its last 2,000 the test set.
"""
import argparse
import os
import pathlib
import warnings

import zerodl.backend as K
from zerodl.datasets import mnist
from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.utils import set_random_seed
from zerodl.utils.np_utils import to_categorical

from _course_data import course_data_dir


def load_mnist(data_dir=None, n_train=8000):
    """((X_train, y_train), (X_test, y_test)) as mnist.load_data() gives them: uint8 images (n, 28, 28), labels,
    here the real test set's first n_train digits and the rest, read by zerodl's own MNIST loader."""
    folder = pathlib.Path(course_data_dir(data_dir) or os.environ["ZERODL_DATA_DIR"])
    folder = folder / "mnist" if (folder / "mnist").is_dir() else folder
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the folder holds the test set only: the empty training split is expected
        _, (X, y) = mnist.load_data(path=str(folder))
    return (X[:n_train], y[:n_train]), (X[n_train:], y[n_train:])


def main(data_dir=None, epochs=10, verbose=1, plot=None):
    set_random_seed(0)
    (X_train, y_train), (X_test, y_test) = load_mnist(data_dir)
    print("Training images:", X_train.shape, "test images:", X_test.shape)

    # Flatten the images, scale them to [0, 1] and one-hot encode the labels
    X_train = X_train.reshape(-1, 28 * 28).astype('float32') / 255.0
    X_test = X_test.reshape(-1, 28 * 28).astype('float32') / 255.0
    y_train_cat = to_categorical(y_train)
    y_test_cat = to_categorical(y_test)

    K.clear_session()
    model = Sequential()
    model.add(Dense(512, input_dim=28 * 28, activation='relu'))
    model.add(Dense(256, activation='relu'))
    model.add(Dense(128, activation='relu'))
    model.add(Dense(32, activation='relu'))
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    h = model.fit(X_train, y_train_cat, batch_size=128, epochs=epochs, verbose=verbose, validation_split=0.3)

    test_accuracy = model.evaluate(X_test, y_test_cat, verbose=0)[1]
    train_accuracy = model.evaluate(X_train, y_train_cat, verbose=0)[1]
    print(f"Train accuracy: {train_accuracy:.4f}  Test accuracy: {test_accuracy:.4f}")
    if plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        plt.plot(h.history['acc'])
        plt.plot(h.history['val_acc'])
        plt.legend(['Training', 'Validation'])
        plt.title('Accuracy')
        plt.xlabel('Epochs')
        plt.savefig(plot)
    return {"train_accuracy": train_accuracy, "test_accuracy": test_accuracy, "val_acc": h.history['val_acc'][-1],
            "params": model.count_params()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--plot", help="save the accuracy curves to this image (needs matplotlib)")
    args = parser.parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
