"""W3 — MNIST MLP 784-512-256-128-32-10 (relu, softmax), rmsprop, categorical_crossentropy,
metrics accuracy, batch 128 x 3 epochs on the first 8,000 t10k digits (scaled /255, one-hot labels)."""
from common import (keras_api, load_mnist, n_steps, timed_keras_fit, timed_torch_fit,
                    torch_glorot_, categorical_accuracy_torch)

NAME = "W3"
TITLE = "MNIST MLP 784-512-256-128-32-10 rmsprop, batch 128 x 3 epochs, 8,000 digits"
KIND = "fit"
BATCH, EPOCHS = 128, 3
N = 8000
UNITS = (512, 256, 128, 32)


def data():
    return load_mnist(N)


def build_keras(side):
    """The W3 model as a Keras user writes it (also used by W7)."""
    k = keras_api(side)
    Sequential, Dense = k.Sequential, k.Dense
    model = Sequential()
    model.add(Dense(512, input_shape=(784,), activation="relu"))
    model.add(Dense(256, activation="relu"))
    model.add(Dense(128, activation="relu"))
    model.add(Dense(32, activation="relu"))
    model.add(Dense(10, activation="softmax"))
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def build_torch():
    """The same network in idiomatic PyTorch: logits out, softmax fused into CrossEntropyLoss."""
    import torch.nn as nn
    layers, prev = [], 784
    for u in UNITS:
        layers += [nn.Linear(prev, u), nn.ReLU()]
        prev = u
    layers.append(nn.Linear(prev, 10))
    return torch_glorot_(nn.Sequential(*layers))


def run(side, warm=True):
    X, y = data()
    steps = n_steps(len(X), BATCH, EPOCHS)
    if side == "torch":
        import torch
        import torch.nn as nn
        labels = y.argmax(1)  # class indices, as CrossEntropyLoss takes them

        def make():
            model = build_torch()
            # Keras' RMSprop defaults: rho 0.9, epsilon 1e-7, lr 0.001
            opt = torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
            return model, nn.CrossEntropyLoss(), opt
        res = timed_torch_fit(make, X, labels, BATCH, EPOCHS, categorical_accuracy_torch, warm)
    else:
        model = build_keras(side)
        res = timed_keras_fit(model, X, y, BATCH, EPOCHS, warm)
    res["steps"] = steps
    return res
