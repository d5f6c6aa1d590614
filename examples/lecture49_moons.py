"""Lecture 49: the moons -- a shallow model draws a line (about 85%), a deep one bends it (above 98%).

Run: python examples/lecture49_moons.py [--epochs 100] [--plot]
The data is sklearn's make_moons(n_samples=1000, noise=0.1, random_state=0), as in the course.
"""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from _course_data import example_parser, pyplot, save_figure
from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.optimizers import Adam
from zerodl.utils import set_random_seed


def main(data_dir=None, epochs=100, verbose=1, plot=False, shallow_epochs=200):
    """`data_dir` is unused (the data is generated); kept so every example is called alike."""
    set_random_seed(0)
    X, y = make_moons(n_samples=1000, noise=0.1, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=.3, random_state=42)

    # Shallow model: logistic regression, a straight boundary
    model = Sequential()
    model.add(Dense(1, input_shape=(2,), activation='sigmoid'))
    model.compile(Adam(lr=0.05), 'binary_crossentropy', metrics=['accuracy'])
    model.fit(X_train, y_train, epochs=shallow_epochs, verbose=0)
    results = model.evaluate(X_test, y_test, verbose=0)
    shallow_accuracy = results[1]
    print("The Accuracy score on the Test set is:\t{:0.3f}".format(shallow_accuracy))
    if plot:
        save_plot(model, X, y, "lecture49_moons_shallow.png")

    # Deep model: two tanh hidden layers
    model = Sequential()
    model.add(Dense(4, input_shape=(2,), activation='tanh'))
    model.add(Dense(2, activation='tanh'))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(Adam(lr=0.05), 'binary_crossentropy', metrics=['accuracy'])
    model.fit(X_train, y_train, epochs=epochs, verbose=verbose)
    model.evaluate(X_test, y_test, verbose=0)

    y_train_pred = model.predict_classes(X_train)
    y_test_pred = model.predict_classes(X_test)
    train_accuracy = accuracy_score(y_train, y_train_pred)
    test_accuracy = accuracy_score(y_test, y_test_pred)
    print("The Accuracy score on the Train set is:\t{:0.3f}".format(train_accuracy))
    print("The Accuracy score on the Test set is:\t{:0.3f}".format(test_accuracy))
    if plot:
        save_plot(model, X, y, "lecture49_moons_deep.png")
    return {"shallow_test_accuracy": shallow_accuracy, "train_accuracy": train_accuracy,
            "test_accuracy": test_accuracy}


def save_plot(model, X, y, name):
    plt = pyplot()
    if plt is None:
        return
    plt.figure()
    hticks = np.linspace(-1.5, 2.5, 101)
    vticks = np.linspace(-1.0, 1.5, 101)
    aa, bb = np.meshgrid(hticks, vticks)
    c = model.predict(np.c_[aa.ravel(), bb.ravel()]).reshape(aa.shape)
    plt.contourf(aa, bb, c, cmap='bwr', alpha=0.2)
    plt.plot(X[y == 0, 0], X[y == 0, 1], 'ob', alpha=0.5)
    plt.plot(X[y == 1, 0], X[y == 1, 1], 'xr', alpha=0.5)
    plt.legend(['0', '1'])
    save_figure(plt, name)


if __name__ == "__main__":
    args = example_parser(__doc__, epochs=100, plot="figures",
                          data_dir="unused: the data is generated with scikit-learn",
                          epochs_help="epochs of the deep model (the shallow one: 200)").parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
