"""Lecture 7: the course's first model -- two concentric circles, 2 -> 4 tanh -> 1 sigmoid.

Run: python examples/lecture07_circles.py [--epochs 20] [--plot out.png]
The data is generated here with NumPy (the same shape as sklearn's make_circles(noise=0.1, factor=0.2)).
"""
import argparse

import numpy as np

from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.optimizers import SGD
from zerodl.utils import set_random_seed


def make_circles(n_samples=1000, noise=0.1, factor=0.2, seed=0):
    """Points on an outer unit circle (label 0) and an inner circle of radius `factor` (label 1)."""
    rng = np.random.default_rng(seed)
    n_outer = n_samples // 2
    angles = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    outer = np.c_[np.cos(angles), np.sin(angles)]
    angles = np.linspace(0, 2 * np.pi, n_samples - n_outer, endpoint=False)
    inner = factor * np.c_[np.cos(angles), np.sin(angles)]
    X = np.vstack([outer, inner]) + rng.normal(scale=noise, size=(n_samples, 2))
    y = np.r_[np.zeros(n_outer, int), np.ones(n_samples - n_outer, int)]
    order = rng.permutation(n_samples)
    return X[order], y[order]


def main(epochs=20, verbose=1, plot=None):
    set_random_seed(0)
    X, y = make_circles()
    model = Sequential()
    model.add(Dense(4, input_shape=(2,), activation="tanh"))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(SGD(lr=0.5), "binary_crossentropy", metrics=["accuracy"])
    model.fit(X, y, epochs=epochs, verbose=verbose)
    loss, accuracy = model.evaluate(X, y, verbose=0)
    print(f"Accuracy: {accuracy:.3f}")
    if plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        hticks = np.linspace(-1.5, 1.5, 101)
        aa, bb = np.meshgrid(hticks, hticks)
        c = model.predict(np.c_[aa.ravel(), bb.ravel()]).reshape(aa.shape)
        plt.contourf(aa, bb, c, cmap="bwr", alpha=0.2)
        plt.plot(X[y == 0, 0], X[y == 0, 1], "ob", alpha=0.5)
        plt.plot(X[y == 1, 0], X[y == 1, 1], "xr", alpha=0.5)
        plt.legend(["0", "1"])
        plt.title("Blue circles and Red crosses")
        plt.savefig(plot)
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--plot", help="save the decision boundary to this image (needs matplotlib)")
    args = parser.parse_args()
    main(args.epochs, plot=args.plot)
