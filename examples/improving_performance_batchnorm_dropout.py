"""Improving performance: Batch Normalization and Dropout on a dense network (the course's digits notebook).

Run: python examples/improving_performance_batchnorm_dropout.py [--epochs 10] [--repeats 3] [--plot out.png]
Data: scikit-learn's bundled 8x8 digits (1,797 images, no download). The same three-layer sigmoid network
is trained `repeats` times with and without BatchNormalization after each hidden layer; with it, it
learns in the first epochs what plain SGD on sigmoids takes much longer to find. Then a Dropout + L2
version of a one-hidden-layer network.
"""
import argparse

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import zerodl.backend as K
from zerodl.layers import BatchNormalization, Dense, Dropout
from zerodl.models import Sequential
from zerodl.utils import set_random_seed
from zerodl.utils.np_utils import to_categorical


def repeated_training(X_train, y_train, X_test, y_test, units=512, activation='sigmoid', optimizer='sgd',
                      do_bn=False, epochs=10, repeats=3):
    histories = []
    for repeat in range(repeats):
        K.clear_session()
        model = Sequential()
        # first fully connected layer
        model.add(Dense(units, input_shape=X_train.shape[1:], kernel_initializer='normal', activation=activation))
        if do_bn:
            model.add(BatchNormalization())
        # second fully connected layer
        model.add(Dense(units, kernel_initializer='normal', activation=activation))
        if do_bn:
            model.add(BatchNormalization())
        # third fully connected layer
        model.add(Dense(units, kernel_initializer='normal', activation=activation))
        if do_bn:
            model.add(BatchNormalization())
        # output layer
        model.add(Dense(10, activation='softmax'))
        model.compile(optimizer, 'categorical_crossentropy', metrics=['accuracy'])
        h = model.fit(X_train, y_train, validation_data=(X_test, y_test), epochs=epochs, verbose=0)
        histories.append([h.history['acc'], h.history['val_acc']])
        print(repeat, end=' ')
    histories = np.array(histories)
    # mean and standard deviation across repeats
    mean_acc = histories.mean(axis=0)
    std_acc = histories.std(axis=0)
    print()
    return mean_acc[0], std_acc[0], mean_acc[1], std_acc[1]


def main(epochs=10, repeats=3, units=512, plot=None):
    set_random_seed(0)
    digits = load_digits()
    X, y = digits.data, digits.target
    y_cat = to_categorical(y, 10)
    X_train, X_test, y_train, y_test = train_test_split(X, y_cat, test_size=0.3, random_state=0)

    mean_acc, std_acc, mean_acc_val, std_acc_val = repeated_training(
        X_train, y_train, X_test, y_test, units=units, do_bn=False, epochs=epochs, repeats=repeats)
    mean_acc_bn, std_acc_bn, mean_acc_val_bn, std_acc_val_bn = repeated_training(
        X_train, y_train, X_test, y_test, units=units, do_bn=True, epochs=epochs, repeats=repeats)
    print(f"final validation accuracy without BN {mean_acc_val[-1]:.3f}, with BN {mean_acc_val_bn[-1]:.3f}")

    # Weight regularization & Dropout
    K.clear_session()
    model = Sequential()
    model.add(Dropout(0.2, input_shape=X_train.shape[1:]))
    model.add(Dense(units, kernel_initializer='normal', kernel_regularizer='l2', activation='sigmoid'))
    model.add(Dropout(0.4))
    model.add(Dense(10, activation='softmax'))
    model.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    h = model.fit(X_train, y_train, validation_data=(X_test, y_test), epochs=epochs, verbose=0)
    dropout_train = model.evaluate(X_train, y_train, verbose=0)[1]
    dropout_test = model.evaluate(X_test, y_test, verbose=0)[1]
    print(f"dropout + l2: train accuracy {dropout_train:.3f}, test accuracy {dropout_test:.3f}")
    if plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        for mean, std, label in [(mean_acc, std_acc, "Train"), (mean_acc_val, std_acc_val, "Test"),
                                 (mean_acc_bn, std_acc_bn, "Train with Batch Normalization"),
                                 (mean_acc_val_bn, std_acc_val_bn, "Test with Batch Normalization")]:
            plt.plot(mean, label=label)
            plt.fill_between(range(len(mean)), mean - std, mean + std, alpha=0.1)
        plt.ylim(0, 1.01)
        plt.title("Batch Normalization Accuracy")
        plt.xlabel('Epochs')
        plt.legend(loc='best')
        plt.savefig(plot)
    return {"val_acc": float(mean_acc_val[-1]), "val_acc_bn": float(mean_acc_val_bn[-1]),
            "train_acc": float(mean_acc[-1]), "train_acc_bn": float(mean_acc_bn[-1]),
            "dropout_train_accuracy": dropout_train, "dropout_test_accuracy": dropout_test,
            "dropout_val_acc": h.history['val_acc'][-1]}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--plot", help="save the accuracy curves to this file (needs matplotlib)")
    args = parser.parse_args()
    print(main(args.epochs, args.repeats, plot=args.plot))
