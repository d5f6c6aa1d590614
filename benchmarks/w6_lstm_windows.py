"""W6 — LSTM(6) on 12-month windows of the cansim series (lecture 115, window as timesteps): input (12, 1),
Dense(1), adam, MSE, batch 32 x 50 epochs (228 windows of the months before 2011, 8 steps an epoch).

Here the time loop (12 steps forward and back) is the work: zerodl runs it as one op, one GEMM for all
the input projections and a loop of the recurrent GEMM and gate math. Sides: zerodl, Keras 3 (TensorFlow
and torch backends), hand-written PyTorch (nn.LSTM) at the same thread count.

Standalone: .bench-venv/bin/python benchmarks/w6_lstm_windows.py [--repeats 3] [--threads 1|default]
            [--sides zerodl,keras-tf,keras-torch,torch]
"""
import os
import sys

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)

from common import n_steps  # noqa: E402
from w5_lstm_online import keras_lstm_model, load_cansim_scaled, standalone, torch_lstm_fit  # noqa: E402

NAME = "W6"
TITLE = "LSTM(6) on 12-step windows of cansim, input (12, 1), adam, batch 32 x 50 epochs"
KIND = "fit"
BATCH, EPOCHS, WINDOW = 32, 50, 12
SIDES = ("zerodl", "keras-tf", "keras-torch", "torch")


def data():
    """Windows of the scaled training months, oldest first: X (228, 12, 1), y (228, 1) the month after."""
    import numpy as np
    train_sc, _ = load_cansim_scaled()
    X = np.stack([train_sc[i - WINDOW:i] for i in range(WINDOW, len(train_sc))])[:, :, None]
    return X, train_sc[WINDOW:, None]


def run(side, warm=True):
    X, y = data()
    if side == "torch":
        res = torch_lstm_fit(X, y, BATCH, EPOCHS, warm)
    else:
        from common import timed_keras_fit
        res = timed_keras_fit(keras_lstm_model(side, WINDOW, 1), X, y, BATCH, EPOCHS, warm)
    res["steps"] = n_steps(len(X), BATCH, EPOCHS)
    return res


if __name__ == "__main__":
    standalone(sys.modules[__name__], os.path.abspath(__file__), sys.argv[1:], SIDES)
