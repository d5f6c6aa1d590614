"""Shared pieces of the benchmark harness: sides, data, thread set-up, Keras-style API and a PyTorch loop.

Everything here runs inside a child process started by `run.py` (see `_child.py`), one child per
(workload, side, threads, repeat), so peak memory (maxrss) and import state are per run.
"""
import gzip
import os
import struct
import sys
import time
import types

import numpy as np

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
SHARED = os.environ.get("ZERODL_SHARED", os.path.join(os.path.dirname(REPO_ROOT), "shared"))
DATA_DIR = os.environ.get("ZERODL_BENCH_DATA", os.path.join(SHARED, "data"))

# The four sides, in the order they are interleaved.
SIDES = ("zerodl", "keras-tf", "keras-torch", "torch")

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
               "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


# --------------------------------------------------------------------------- data

def load_banknotes():
    """banknotes.csv: 4 float features, last column `class` (0/1). Returns float32 X (n,4), y (n,1)."""
    path = os.path.join(DATA_DIR, "course", "banknotes.csv")
    with open(path) as f:
        header = f.readline().strip().split(",")
    if header[-1] != "class":
        raise ValueError(f"{path}: expected last column 'class', got {header[-1]!r}")
    raw = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    X = raw[:, :-1].astype(np.float32)
    y = raw[:, -1:].astype(np.float32)
    return X, y


def make_moons(n_samples=1000, noise=0.1, seed=0):
    """Two interleaving half circles (the scikit-learn `make_moons` recipe, written out in NumPy)."""
    rng = np.random.RandomState(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.vstack([np.column_stack([np.cos(t_out), np.sin(t_out)]),
                   np.column_stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5])])
    y = np.hstack([np.zeros(n_out), np.ones(n_in)])
    perm = rng.permutation(n_samples)
    X, y = X[perm], y[perm]
    X = X + rng.normal(scale=noise, size=X.shape)
    return X.astype(np.float32), y.reshape(-1, 1).astype(np.float32)


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    if (magic >> 8) != 0x08:  # 0x08 = unsigned byte
        raise ValueError(f"{path}: unsupported IDX type in magic {magic:#x}")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims)


def load_mnist(n=8000):
    """First n digits of the MNIST t10k IDX files: X float32 (n, 784) scaled /255, y one-hot float32 (n, 10)."""
    d = os.path.join(DATA_DIR, "mnist")
    images = _read_idx(os.path.join(d, "t10k-images-idx3-ubyte.gz"))[:n]
    labels = _read_idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz"))[:n]
    X = images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0)
    y = np.zeros((len(labels), 10), dtype=np.float32)
    y[np.arange(len(labels)), labels] = 1.0
    return X, y


def n_steps(n, batch, epochs):
    return -(-n // batch) * epochs


# --------------------------------------------------------------------------- threads

def child_env(side, threads, base=None):
    """Environment for a child process. threads: '1' pins every BLAS/OpenMP pool to one thread,
    'default' removes those variables so each library picks its own default."""
    env = dict(os.environ if base is None else base)
    for var in THREAD_VARS:
        env.pop(var, None)
    if threads == "1":
        for var in THREAD_VARS:
            env[var] = "1"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONWARNINGS"] = "ignore"
    env["BENCH_SIDE"] = side
    env["BENCH_THREADS"] = threads
    # zerodl is not pip-installed into the venv: it is found on PYTHONPATH, for its side only.
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and os.path.abspath(p) != REPO_ROOT]
    if side == "zerodl":
        paths.insert(0, REPO_ROOT)
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths)
    else:
        env.pop("PYTHONPATH", None)
    if side == "keras-tf":
        env["KERAS_BACKEND"] = "tensorflow"
    elif side == "keras-torch":
        env["KERAS_BACKEND"] = "torch"
    else:
        env.pop("KERAS_BACKEND", None)
    return env


def setup_child_threads(side, threads):
    """In the child, before any model is built: pin framework thread pools where an API exists.
    Returns a dict describing the thread settings actually in force."""
    info = {"threads_mode": threads}
    if side in ("torch", "keras-torch"):
        import torch
        if threads == "1":
            torch.set_num_threads(1)
            try:
                torch.set_num_interop_threads(1)
            except RuntimeError:
                pass
        info["torch_threads"] = torch.get_num_threads()
    if side == "keras-tf":
        import tensorflow as tf
        if threads == "1":
            tf.config.threading.set_intra_op_parallelism_threads(1)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        info["tf_intra_op"] = tf.config.threading.get_intra_op_parallelism_threads()
    if threads == "1":  # the env vars already did this; threadpoolctl makes sure for numpy's BLAS
        try:
            import threadpoolctl
            threadpoolctl.threadpool_limits(limits=1)
        except Exception:
            pass
    try:  # which BLAS numpy runs, and with how many threads (optional: threadpoolctl)
        import threadpoolctl
        info["blas"] = [f"{i.get('internal_api')}:{i.get('architecture', '?')}:{i.get('num_threads')}"
                        for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    except Exception:
        pass
    return info


# --------------------------------------------------------------------------- sides

def keras_api(side):
    """The names a Keras user imports, from zerodl or from Keras 3, exactly as they would type them."""
    if side == "zerodl":
        from zerodl.models import Sequential
        from zerodl.layers import Dense
        from zerodl.optimizers import SGD, Adam, RMSprop
    elif side in ("keras-tf", "keras-torch"):
        from keras.models import Sequential
        from keras.layers import Dense
        from keras.optimizers import SGD, Adam, RMSprop
    else:
        raise ValueError(f"{side} is not a Keras-API side")
    return types.SimpleNamespace(Sequential=Sequential, Dense=Dense, SGD=SGD, Adam=Adam, RMSprop=RMSprop)


def seed_everything(side, seed=0):
    np.random.seed(seed)
    if side == "zerodl":
        try:
            import zerodl.utils as zu
            if hasattr(zu, "set_random_seed"):
                zu.set_random_seed(seed)
        except Exception:
            pass
    elif side in ("keras-tf", "keras-torch"):
        import keras
        keras.utils.set_random_seed(seed)
    elif side == "torch":
        import torch
        torch.manual_seed(seed)


def framework_versions(side):
    v = {"python": sys.version.split()[0], "numpy": np.__version__}
    if side in ("keras-tf", "keras-torch"):
        import keras
        v["keras"] = keras.__version__
        v["keras_backend"] = keras.backend.backend()
    if side == "keras-tf":
        import tensorflow as tf
        v["tensorflow"] = tf.__version__
    if side in ("torch", "keras-torch"):
        import torch
        v["torch"] = torch.__version__
    if side == "zerodl":
        import zerodl
        v["zerodl"] = getattr(zerodl, "__version__", "?")
    return v


def timed_keras_fit(model, X, y, batch_size, epochs, warm=True):
    """fit() as a user calls it; timed cold (first call: includes any tracing/graph building) and,
    if warm, once more on the same compiled model. Returns a dict of seconds and final history values."""
    t0 = time.perf_counter()
    hist = model.fit(X, y, batch_size=batch_size, epochs=epochs, verbose=0)
    fit_s = time.perf_counter() - t0
    out = {"fit_s": fit_s, "history": _last_history(hist)}
    if warm:
        t0 = time.perf_counter()
        hist2 = model.fit(X, y, batch_size=batch_size, epochs=epochs, verbose=0)
        out["warm_fit_s"] = time.perf_counter() - t0
        out["history_warm"] = _last_history(hist2)
    return out


def _last_history(hist):
    h = getattr(hist, "history", None) or {}
    res = {}
    for k, v in h.items():
        try:
            res[k] = float(v[-1])
        except Exception:
            pass
    return res


# --------------------------------------------------------------------------- PyTorch

def torch_train(model, loss_fn, opt, X, y, batch_size, epochs, accuracy, seed=0):
    """Idiomatic hand-written PyTorch: no DataLoader, each epoch a fresh permutation sliced into
    batches; loss and accuracy accumulated per epoch the way a tutorial loop does."""
    import torch
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y)
    n = Xt.shape[0]
    g = torch.Generator().manual_seed(seed)
    model.train()
    epoch_loss = epoch_acc = float("nan")
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g)
        running, correct = 0.0, 0
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            xb, yb = Xt[idx], yt[idx]
            opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            running += loss.item() * len(idx)
            correct += accuracy(out.detach(), yb)
        epoch_loss, epoch_acc = running / n, correct / n
    return {"loss": epoch_loss, "accuracy": epoch_acc}


def torch_glorot_(model):
    """Keras' default initialisation (glorot_uniform kernels, zero biases) for nn.Linear layers,
    so the PyTorch side trains the same model as the Keras-API sides."""
    import torch.nn as nn
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def timed_torch_fit(make, X, y, batch_size, epochs, accuracy, warm=True):
    """make() -> (model, loss_fn, opt). Same cold/warm protocol as `timed_keras_fit`."""
    model, loss_fn, opt = make()
    t0 = time.perf_counter()
    hist = torch_train(model, loss_fn, opt, X, y, batch_size, epochs, accuracy)
    out = {"fit_s": time.perf_counter() - t0, "history": hist}
    if warm:
        t0 = time.perf_counter()
        hist2 = torch_train(model, loss_fn, opt, X, y, batch_size, epochs, accuracy, seed=1)
        out["warm_fit_s"] = time.perf_counter() - t0
        out["history_warm"] = hist2
    return out


def binary_accuracy_torch(out, yb):
    return int(((out > 0.5) == (yb > 0.5)).sum().item())


def categorical_accuracy_torch(out, yb):
    return int((out.argmax(1) == yb).sum().item())
