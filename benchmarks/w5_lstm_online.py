"""W5 — the course's online LSTM (lecture 113): LSTM(6) on input (1, 1), Dense(1), adam, MSE, batch 1 x 10
epochs on the cansim retail-sales series (MinMax-scaled on the months before 2011-01-01, 239 samples).

At batch 1 a step is a handful of tiny arrays, so the cost is per-step overhead. Sides: zerodl, a
hand-written NumPy LSTM loop (forward, backprop and Adam written out, the floor for NumPy), Keras 3
(TensorFlow and torch backends) and hand-written PyTorch (nn.LSTM).

Standalone: .bench-venv/bin/python benchmarks/w5_lstm_online.py [--repeats 3] [--threads 1|default]
            [--sides zerodl,numpy,keras-tf,keras-torch,torch]
Each (side, repeat) runs in a fresh interpreter, sides interleaved; medians of the warm fit (a second
fit() on the same model) in µs per step, with ratios. Also a run.py workload module (NAME, run(side)).
"""
import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)

from common import DATA_DIR, REPO_ROOT, child_env, n_steps  # noqa: E402  (numpy only)

NAME = "W5"
TITLE = "LSTM(6) online on cansim, input (1, 1), adam, batch 1 x 10 epochs"
KIND = "fit"
BATCH, EPOCHS, UNITS = 1, 10, 6
SIDES = ("zerodl", "numpy", "keras-tf", "keras-torch", "torch")
MARKER = "@@RESULT@@"
CANSIM = "cansim-0800020-eng-6674700030567901031.csv"


# --------------------------------------------------------------------------- data

def load_cansim_scaled():
    """The unadjusted monthly series split at 2011-01-01 and MinMax-scaled on the first part:
    (train_sc, test_sc), float32 1-D arrays (NumPy only, no pandas)."""
    import numpy as np
    path = os.path.join(DATA_DIR, "course", CANSIM)
    train, test = [], []
    with open(path) as f:
        for line in f.read().splitlines()[7:]:
            parts = line.split(",")
            if len(parts) != 3 or not parts[0][-4:].isdigit():
                break
            (train if int(parts[0][-4:]) < 2011 else test).append(float(parts[1]))
    train, test = np.array(train), np.array(test)
    low, high = train.min(), train.max()
    return ((train - low) / (high - low)).astype(np.float32), ((test - low) / (high - low)).astype(np.float32)


def data():
    train_sc, _ = load_cansim_scaled()
    return train_sc[:-1, None, None], train_sc[1:, None]  # X_train[:, None]: (239, 1, 1), y (239, 1)


# --------------------------------------------------------------------------- sides

def keras_lstm_model(side, timesteps, features):
    """Sequential([Input, LSTM(6), Dense(1)]) compiled with adam and MSE, from zerodl or Keras 3."""
    if side == "zerodl":
        from zerodl.layers import LSTM, Dense, Input
        from zerodl.models import Sequential
    else:
        from keras.layers import LSTM, Dense, Input
        from keras.models import Sequential
    model = Sequential([Input((timesteps, features)), LSTM(UNITS), Dense(1)])
    model.compile(loss="mean_squared_error", optimizer="adam")
    return model


def torch_lstm_fit(X, y, batch_size, epochs, warm):
    """Hand-written PyTorch: nn.LSTM + nn.Linear on the last step, Adam (Keras's eps), MSELoss."""
    import torch
    import torch.nn as nn
    from common import timed_torch_fit

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(X.shape[-1], UNITS, batch_first=True)
            self.fc = nn.Linear(UNITS, 1)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.fc(out[:, -1])

    def make():
        model = Net()
        return model, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    return timed_torch_fit(make, X, y, batch_size, epochs, lambda out, yb: 0, warm)


def numpy_lstm_fit(X, y, epochs, seed=0, lr=1e-3):
    """Hand-written NumPy, batch 1: LSTM(6) (gates i, f, c, o; Keras init) -> Dense(1), MSE, Adam; shuffled.
    X (n, 1, features). Returns the last epoch's mean loss."""
    import numpy as np
    rng = np.random.default_rng(seed)
    f32, n, features = np.float32, UNITS, X.shape[-1]
    limit = np.sqrt(6 / (features + 4 * n))
    W = rng.uniform(-limit, limit, (features, 4 * n)).astype(f32)
    q, _ = np.linalg.qr(rng.standard_normal((4 * n, n)))
    U = q.T.astype(f32)
    b = np.zeros(4 * n, f32)
    b[n:2 * n] = 1
    limit = np.sqrt(6 / (n + 1))
    Wd, bd = rng.uniform(-limit, limit, (n, 1)).astype(f32), np.zeros(1, f32)
    params = [W, U, b, Wd, bd]
    ms, vs = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
    b1, b2, eps, t = 0.9, 0.999, 1e-7, 0
    h0 = np.zeros((1, n), f32)
    c0 = np.zeros((1, n), f32)
    total = 0.0
    for _ in range(epochs):
        total = 0.0
        for k in rng.permutation(len(X)):
            xb, yb = X[k], y[k:k + 1]
            z = xb @ W + h0 @ U + b
            i = 1 / (1 + np.exp(-z[:, :n]))
            fg = 1 / (1 + np.exp(-z[:, n:2 * n]))
            g = np.tanh(z[:, 2 * n:3 * n])
            o = 1 / (1 + np.exp(-z[:, 3 * n:]))
            c = fg * c0 + i * g
            tc = np.tanh(c)
            h = o * tc
            diff = h @ Wd + bd - yb
            total += float((diff * diff).mean())
            dy = 2 * diff / diff.size
            dWd, dbd = h.T @ dy, dy.sum(0)
            dh = dy @ Wd.T
            dc = dh * o * (1 - tc * tc)
            dz = np.concatenate([dc * g * i * (1 - i), dc * c0 * fg * (1 - fg), dc * i * (1 - g * g),
                                 dh * tc * o * (1 - o)], axis=1)
            grads = (xb.T @ dz, h0.T @ dz, dz.sum(0), dWd, dbd)
            t += 1
            step = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            for p, gr, m, v in zip(params, grads, ms, vs):
                m += (gr - m) * (1 - b1)
                v += (gr * gr - v) * (1 - b2)
                p -= step * m / (np.sqrt(v) + eps)
    return total / len(X)


def timed_numpy_fit(X, y, epochs, warm=True):
    t0 = time.perf_counter()
    loss = numpy_lstm_fit(X, y, epochs)
    out = {"fit_s": time.perf_counter() - t0, "history": {"loss": loss}}
    if warm:
        t0 = time.perf_counter()
        loss = numpy_lstm_fit(X, y, epochs, seed=1)
        out["warm_fit_s"] = time.perf_counter() - t0
        out["history_warm"] = {"loss": loss}
    return out


def run(side, warm=True):
    X, y = data()
    if side == "numpy":
        res = timed_numpy_fit(X, y, EPOCHS, warm)
    elif side == "torch":
        res = torch_lstm_fit(X, y, BATCH, EPOCHS, warm)
    else:
        from common import timed_keras_fit
        res = timed_keras_fit(keras_lstm_model(side, 1, 1), X, y, BATCH, EPOCHS, warm)
    res["steps"] = n_steps(len(X), BATCH, EPOCHS)
    return res


# --------------------------------------------------------------------------- standalone runner

def side_missing(side):
    needs = {"zerodl": [], "numpy": [], "keras-tf": ["keras", "tensorflow"], "keras-torch": ["keras", "torch"],
             "torch": ["torch"]}[side]
    missing = [m for m in needs if importlib.util.find_spec(m) is None]
    return f"{', '.join(missing)} not installed" if missing else None


def child(module, side):
    import common
    threads = os.environ.get("BENCH_THREADS", "default")
    out = {"side": side, "threads": threads}
    try:
        out["thread_info"] = common.setup_child_threads(side if side != "numpy" else "zerodl", threads)
        common.seed_everything(side if side != "numpy" else "zerodl", 0)
        out.update(module.run(side))
    except BaseException as error:  # report, never hang
        import traceback
        out["error"] = f"{type(error).__name__}: {error}"
        out["traceback"] = traceback.format_exc()
    sys.stdout.write("\n" + MARKER + " " + json.dumps(out) + "\n")


def standalone(module, script, argv, sides=SIDES):
    parser = argparse.ArgumentParser(description=module.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", choices=["1", "default"], default="1")
    parser.add_argument("--sides", default=",".join(sides))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(module, args.child)
    chosen = [s for s in args.sides.split(",") if s]
    runs = {s: [] for s in chosen}
    for side in chosen:
        reason = side_missing(side)
        if reason:
            print(f"skip {side}: {reason}")
            runs.pop(side)
    print(f"{module.NAME}: {module.TITLE}  [threads={args.threads}, {args.repeats} repeats, interleaved]")
    for rep in range(args.repeats):
        for side in runs:
            p = subprocess.run([sys.executable, script, "--child", side], env=child_env(side, args.threads),
                               cwd=REPO_ROOT, capture_output=True, text=True, timeout=3600)
            res = next((json.loads(line[len(MARKER):]) for line in p.stdout.splitlines()
                        if line.startswith(MARKER)), {"error": f"exit {p.returncode}: {p.stderr[-800:]}"})
            if "error" in res:
                print(f"   rep {rep + 1} {side:12s} ERROR {res['error']}")
                continue
            res["warm_us"] = res["warm_fit_s"] / res["steps"] * 1e6
            res["cold_us"] = res["fit_s"] / res["steps"] * 1e6
            runs[side].append(res)
            print(f"   rep {rep + 1} {side:12s} {res['warm_us']:9.1f} µs/step warm  {res['cold_us']:9.1f} cold  "
                  f"loss {res['history_warm']['loss']:.4f}", flush=True)
    medians = {s: statistics.median(r["warm_us"] for r in rs) for s, rs in runs.items() if rs}
    print(f"-- {module.NAME} medians, warm fit µs/step (÷zerodl: this side's time over zerodl's; >1 is slower)")
    for side, value in medians.items():
        ratio = f"{value / medians['zerodl']:.2f}x" if "zerodl" in medians else "—"
        cold = statistics.median(r["cold_us"] for r in runs[side])
        print(f"  {side:12s} {value:9.1f} µs/step  cold {cold:9.1f}  ÷zerodl {ratio}")
    return medians


if __name__ == "__main__":
    standalone(sys.modules[__name__], os.path.abspath(__file__), sys.argv[1:])
