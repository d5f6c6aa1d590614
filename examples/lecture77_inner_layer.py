"""Lecture 77: inner layer representation -- what a 2-unit hidden layer makes of the banknotes.

Run: python examples/lecture77_inner_layer.py [--data-dir DIR] [--epochs 20] [--plot]
Data: banknotes.csv from --data-dir, else $ZERODL_DATA_DIR, else ../shared/data/course.
"""
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import scale

import zerodl.backend as K
from _course_data import course_data_dir, example_parser, pyplot, save_figure
from zerodl.datasets import course
from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.optimizers import RMSprop
from zerodl.utils import set_random_seed


def main(data_dir=None, epochs=20, verbose=1, plot=False):
    set_random_seed(0)
    df = course.load("banknotes", data_dir=course_data_dir(data_dir))
    X = scale(df.drop('class', axis=1).values)
    y = df['class'].values
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=42)

    K.clear_session()
    model = Sequential()
    model.add(Dense(2, input_shape=(4,), activation='relu'))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer=RMSprop(lr=0.01), metrics=['accuracy'])
    h = model.fit(X_train, y_train, batch_size=16, epochs=epochs, verbose=verbose, validation_split=0.3)
    result = model.evaluate(X_test, y_test, verbose=0)
    print("Test loss and accuracy:", np.round(result, 3))
    if verbose:
        model.summary()

    # The output of the first layer, as a function of the model's input
    inp = model.layers[0].input
    out = model.layers[0].output
    features_function = K.function([inp], [out])
    features = features_function([X_test])[0]
    print("Features shape:", features.shape)

    # The same by hand: relu(X @ W + b) with the trained weights
    W, b = model.layers[0].get_weights()
    by_hand = np.maximum(X_test @ W + b, 0)
    # Keras 2 spelling: the learning phase as an extra input, 0 = test
    features_function_k2 = K.function([inp, K.learning_phase()], [out])
    features_k2 = features_function_k2([X_test, 0])[0]
    if plot:
        save_scatter(features, y_test, result[1])

    # Deeper: 3 relu -> 2 relu -> 1, the 2-D features of the second layer after each epoch
    K.clear_session()
    model = Sequential()
    model.add(Dense(3, input_shape=(4,), activation='relu'))
    model.add(Dense(2, activation='relu'))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer=RMSprop(lr=0.01), metrics=['accuracy'])
    inp = model.layers[0].input
    out = model.layers[1].output
    features_function = K.function([inp], [out])
    snapshots = []
    for i in range(1, 26):
        model.fit(X_train, y_train, batch_size=16, epochs=1, verbose=0)
        test_accuracy = model.evaluate(X_test, y_test, verbose=0)[1]
        snapshots.append((i, test_accuracy, features_function([X_test])[0]))
    print("Deeper model test accuracy after 25 epochs: {:3.1f} %".format(test_accuracy * 100.0))
    (W1, b1), (W2, b2) = model.layers[0].get_weights(), model.layers[1].get_weights()
    deep_by_hand = np.maximum(np.maximum(X_test @ W1 + b1, 0) @ W2 + b2, 0)
    if plot:
        save_grid(snapshots, y_test)
    return {"test_accuracy": result[1], "val_acc": h.history['val_acc'][-1], "features": features,
            "features_by_hand": by_hand, "features_k2": features_k2, "deep_test_accuracy": test_accuracy,
            "deep_features": snapshots[-1][2], "deep_features_by_hand": deep_by_hand}


def save_scatter(features, y_test, accuracy):
    plt = pyplot()
    if plt is None:
        return
    plt.figure()
    plt.scatter(features[:, 0], features[:, 1], c=y_test, cmap='coolwarm')
    plt.title('Hidden layer features, Test Acc: {:3.1f} %'.format(accuracy * 100.0))
    save_figure(plt, "lecture77_inner_layer.png")


def save_grid(snapshots, y_test):
    plt = pyplot()
    if plt is None:
        return
    plt.figure(figsize=(15, 10))
    for i, test_accuracy, features in snapshots:
        plt.subplot(5, 5, i)
        plt.scatter(features[:, 0], features[:, 1], c=y_test, cmap='coolwarm')
        plt.xlim(-0.5, 3.5)
        plt.ylim(-0.5, 4.0)
        plt.title('Epoch: {}, Test Acc: {:3.1f} %'.format(i, test_accuracy * 100.0))
    plt.tight_layout()
    save_figure(plt, "lecture77_inner_layer_epochs.png")


if __name__ == "__main__":
    args = example_parser(__doc__, epochs=20, plot="figures").parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
