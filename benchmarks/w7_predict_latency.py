"""W7 — single-sample inference latency: 1,000 calls of model.predict(x[i:i+1], verbose=0) on the W3
model (zerodl / Keras), `with torch.no_grad(): model(x)` for PyTorch. The model is built (and, for the
Keras-API sides, compiled) as in W3 but not trained: weights do not change the cost of a forward pass."""
import os
import time

import numpy as np

import w3_mnist_mlp as w3

NAME = "W7"
TITLE = "W3 model, 1,000 single-sample predict calls"
KIND = "predict"
CALLS = int(os.environ.get("BENCH_W7_CALLS", "1000"))


def run(side, warm=True):
    X, _ = w3.data()
    X = X[:CALLS]
    if side == "torch":
        import torch
        model = w3.build_torch().eval()

        def predict(x):
            with torch.no_grad():
                return model(torch.from_numpy(x)).numpy()
    else:
        model = w3.build_keras(side)

        def predict(x):
            return model.predict(x, verbose=0)

    t0 = time.perf_counter()
    first = predict(X[0:1])
    first_s = time.perf_counter() - t0
    assert np.asarray(first).shape == (1, 10), np.asarray(first).shape
    times = np.empty(len(X))
    for i in range(len(X)):
        t0 = time.perf_counter()
        predict(X[i:i + 1])
        times[i] = time.perf_counter() - t0
    return {
        "calls": len(X),
        "ms_per_call": float(times.mean() * 1e3),
        "median_ms": float(np.median(times) * 1e3),
        "p99_ms": float(np.percentile(times, 99) * 1e3),
        "first_call_ms": first_s * 1e3,
        "total_s": float(times.sum()),
    }
