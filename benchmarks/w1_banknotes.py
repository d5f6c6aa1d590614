"""W1 — banknotes logistic regression: Dense(1, sigmoid, input_shape=(4,)), SGD lr 0.01,
binary_crossentropy, metrics accuracy, batch 16 x 20 epochs on all 1,372 rows (features as in the CSV)."""
from common import (keras_api, load_banknotes, n_steps, timed_keras_fit, timed_torch_fit,
                    torch_glorot_, binary_accuracy_torch)

NAME = "W1"
TITLE = "banknotes Dense(1) SGD, batch 16 x 20 epochs"
KIND = "fit"
BATCH, EPOCHS = 16, 20


def data():
    return load_banknotes()


def run(side, warm=True):
    X, y = data()
    steps = n_steps(len(X), BATCH, EPOCHS)
    if side == "torch":
        import torch
        import torch.nn as nn

        def make():
            model = torch_glorot_(nn.Sequential(nn.Linear(4, 1), nn.Sigmoid()))
            return model, nn.BCELoss(), torch.optim.SGD(model.parameters(), lr=0.01)
        res = timed_torch_fit(make, X, y, BATCH, EPOCHS, binary_accuracy_torch, warm)
    else:
        k = keras_api(side)
        Sequential, Dense, SGD = k.Sequential, k.Dense, k.SGD
        # --- what a Keras user writes ---
        model = Sequential()
        model.add(Dense(1, input_shape=(4,), activation="sigmoid"))
        model.compile(optimizer=SGD(learning_rate=0.01), loss="binary_crossentropy", metrics=["accuracy"])
        res = timed_keras_fit(model, X, y, BATCH, EPOCHS, warm)
    res["steps"] = steps
    return res
