"""W2 — moons: Dense(4, tanh, input_shape=(2,)) -> Dense(2, tanh) -> Dense(1, sigmoid), Adam lr 0.05,
binary_crossentropy, metrics accuracy, batch 32 x 100 epochs on 1,000 points (noise 0.1, seed 0)."""
from common import (keras_api, make_moons, n_steps, timed_keras_fit, timed_torch_fit,
                    torch_glorot_, binary_accuracy_torch)

NAME = "W2"
TITLE = "moons 2-4-2-1 tanh Adam, batch 32 x 100 epochs"
KIND = "fit"
BATCH, EPOCHS = 32, 100


def data():
    return make_moons(1000, noise=0.1, seed=0)


def run(side, warm=True):
    X, y = data()
    steps = n_steps(len(X), BATCH, EPOCHS)
    if side == "torch":
        import torch
        import torch.nn as nn

        def make():
            model = torch_glorot_(nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2), nn.Tanh(),
                                                nn.Linear(2, 1), nn.Sigmoid()))
            # Keras' Adam epsilon is 1e-7 (PyTorch's default is 1e-8)
            return model, nn.BCELoss(), torch.optim.Adam(model.parameters(), lr=0.05, eps=1e-7)
        res = timed_torch_fit(make, X, y, BATCH, EPOCHS, binary_accuracy_torch, warm)
    else:
        k = keras_api(side)
        Sequential, Dense, Adam = k.Sequential, k.Dense, k.Adam
        # --- what a Keras user writes ---
        model = Sequential()
        model.add(Dense(4, input_shape=(2,), activation="tanh"))
        model.add(Dense(2, activation="tanh"))
        model.add(Dense(1, activation="sigmoid"))
        model.compile(optimizer=Adam(learning_rate=0.05), loss="binary_crossentropy", metrics=["accuracy"])
        res = timed_keras_fit(model, X, y, BATCH, EPOCHS, warm)
    res["steps"] = steps
    return res
