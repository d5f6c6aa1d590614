"""Lecture 77: inner layer representation -- what a 2-unit hidden layer makes of the banknotes.

Run: python examples/lecture77_inner_layer.py [--data-dir DIR] [--epochs 20] [--plot]
Data: banknotes.csv from --data-dir, else $ZERODL_DATA_DIR, else ../shared/data/course.
"""
import argparse
import os
import pathlib

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import scale

import zerodl.backend as K
from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.optimizers import RMSprop
from zerodl.utils import set_random_seed

EXAMPLES = pathlib.Path(__file__).resolve().parent


def read_course_csv(data_dir, name):
    """pandas.read_csv of the course file `name` found in data_dir (or its course/ folder)."""
    data_dir = pathlib.Path(data_dir or os.environ.get("ZERODL_DATA_DIR")
                            or EXAMPLES.parent.parent / "shared" / "data" / "course")
    for path in (data_dir / name, data_dir / "course" / name):
        if path.is_file():
            return pd.read_csv(path)
    raise FileNotFoundError(f"{name} is not in {data_dir}: pass --data-dir or set ZERODL_DATA_DIR.")


def main(data_dir=None, epochs=20, verbose=1, plot=False):
    set_random_seed(0)
    df = read_course_csv(data_dir, "banknotes.csv")
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


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        print("--plot needs matplotlib")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _save(plt, name):
    path = EXAMPLES / "output" / name
    path.parent.mkdir(exist_ok=True)
    plt.savefig(path)
    print(f"Saved {path}")


def save_scatter(features, y_test, accuracy):
    plt = _pyplot()
    if plt is None:
        return
    plt.figure()
    plt.scatter(features[:, 0], features[:, 1], c=y_test, cmap='coolwarm')
    plt.title('Hidden layer features, Test Acc: {:3.1f} %'.format(accuracy * 100.0))
    _save(plt, "lecture77_inner_layer.png")


def save_grid(snapshots, y_test):
    plt = _pyplot()
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
    _save(plt, "lecture77_inner_layer_epochs.png")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="folder holding the course CSV files")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--plot", action="store_true", help="save figures under examples/output/ (matplotlib)")
    args = parser.parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
