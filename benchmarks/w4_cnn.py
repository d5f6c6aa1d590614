"""W4 — MNIST CNN: Conv2D(32, 3x3) -> MaxPool2D(2) -> ReLU -> Flatten -> Dense(128, relu) -> Dense(10, softmax),
rmsprop, categorical_crossentropy, batch 128 x 2 epochs on the first 8,000 MNIST t10k digits (28x28x1, /255).

Standalone:  .bench-venv/bin/python benchmarks/w4_cnn.py [--threads 1 2] [--repeats 3] [--sides zerodl,torch]
Each (side, threads, repeat) runs in a fresh child process (this file with --child), sides interleaved;
it prints median wall and CPU seconds of a warm 2-epoch fit, the time as a multiple of the FLOP lower
bound (79 GFLOP at the measured float32 GEMM peak of the same thread count), and peak memory (maxrss).
The module also has the harness interface of run.py (NAME, TITLE, KIND, data, build_keras, build_torch, run).

FLOPs per sample (multiply-adds x 2): conv 26*26*32*9*2 = 0.39 M, dense 5408*128*2 = 1.38 M, 128*10*2;
training is 3x the forward pass except the conv, which needs no input gradient (2x):
(0.39 * 2 + 1.39 * 3) M * 8,000 * 2 epochs = 79 GFLOP.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)

NAME = "W4"
TITLE = "MNIST CNN Conv2D(32,3x3)-MaxPool-ReLU-Dense(128)-Dense(10) rmsprop, batch 128 x 2 epochs, 8,000 digits"
KIND = "fit"
BATCH, EPOCHS, N = 128, 2, 8000
GFLOP = 79.0


def data():
    from common import load_mnist
    X, y = load_mnist(N)
    return X.reshape(-1, 28, 28, 1), y


def build_keras(side):
    """The W4 model as a Keras user writes it (zerodl or Keras 3)."""
    if side == "zerodl":
        from zerodl.layers import Activation, Conv2D, Dense, Flatten, MaxPool2D
        from zerodl.models import Sequential
    else:
        from keras.layers import Activation, Conv2D, Dense, Flatten, MaxPool2D
        from keras.models import Sequential
    model = Sequential()
    model.add(Conv2D(32, (3, 3), input_shape=(28, 28, 1)))
    model.add(MaxPool2D(pool_size=(2, 2)))
    model.add(Activation("relu"))
    model.add(Flatten())
    model.add(Dense(128, activation="relu"))
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    return model


def build_torch():
    """The same network in idiomatic PyTorch (NCHW, logits out, softmax fused into CrossEntropyLoss)."""
    import torch.nn as nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.MaxPool2d(2), nn.ReLU(), nn.Flatten(),
                          nn.Linear(13 * 13 * 32, 128), nn.ReLU(), nn.Linear(128, 10))
    for m in model.modules():  # Keras' initialisation: glorot_uniform kernels, zero biases
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def run(side, warm=True):
    """One cold and one warm 2-epoch fit; seconds of wall and CPU time for each."""
    from common import n_steps, timed_keras_fit, timed_torch_fit, categorical_accuracy_torch
    X, y = data()
    cpu0 = time.process_time()
    if side == "torch":
        import torch
        import torch.nn as nn

        def make():
            model = build_torch()
            opt = torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)  # Keras' defaults
            return model, nn.CrossEntropyLoss(), opt
        Xt = X.transpose(0, 3, 1, 2).copy()
        res = _cpu_timed(lambda: timed_torch_fit(make, Xt, y.argmax(1), BATCH, EPOCHS, categorical_accuracy_torch,
                                                 warm))
    else:
        model = build_keras(side)
        res = _cpu_timed(lambda: timed_keras_fit(model, X, y, BATCH, EPOCHS, warm))
    res["steps"] = n_steps(len(X), BATCH, EPOCHS)
    res["cpu_total_s"] = time.process_time() - cpu0
    return res


def _cpu_timed(fn):
    """fn() (a timed_*_fit) with the CPU seconds of the warm fit added, measured as total minus cold share."""
    t0 = time.process_time()
    res = fn()
    total = time.process_time() - t0
    if "warm_fit_s" in res:  # split the CPU time between the two fits in proportion to their wall times
        res["warm_cpu_s"] = total * res["warm_fit_s"] / (res["fit_s"] + res["warm_fit_s"])
    return res


def gemm_peak_gflops(size=2048, repeats=5):
    """float32 GEMM rate of numpy's BLAS at the current thread count: the machine's reachable peak."""
    import numpy as np
    a = np.random.default_rng(0).random((size, size), dtype=np.float32)
    b = a.copy()
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * size ** 3 / best / 1e9


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# --------------------------------------------------------------------------- standalone driver

def child(side, threads):
    import common
    out = {"side": side, "threads": threads}
    out["thread_info"] = common.setup_child_threads(side, threads)
    if side == "torch" and threads != "1":
        import torch
        torch.set_num_threads(int(threads))
        out["thread_info"]["torch_threads"] = torch.get_num_threads()
    common.seed_everything(side, 0)
    out.update(run(side))
    out["gemm_peak_gflops"] = gemm_peak_gflops()
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("@@W4@@ " + json.dumps(out))


def child_env(side, threads):
    import common
    env = common.child_env(side, "1" if threads == "1" else "default")
    if threads != "1":  # a fixed count: the same for numpy's BLAS, OpenMP and torch
        for var in common.THREAD_VARS[:5]:
            env[var] = threads
    env["PYTHONPATH"] = os.pathsep.join([common.REPO_ROOT, BENCH_DIR] + [p for p in env.get("PYTHONPATH", "").split(
        os.pathsep) if p])
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", nargs="+", default=["1", "2"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sides", default="zerodl,torch")
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    sides = args.sides.split(",")
    results = {}
    for threads in args.threads:
        for _ in range(args.repeats):
            for side in sides:  # interleaved, so drift on the machine hits every side alike
                p = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", side, threads],
                                   env=child_env(side, threads), capture_output=True, text=True, timeout=1800)
                lines = [l for l in p.stdout.splitlines() if l.startswith("@@W4@@ ")]
                if not lines:
                    print(f"{side} threads={threads}: failed\n{p.stderr[-2000:]}")
                    continue
                results.setdefault((threads, side), []).append(json.loads(lines[-1][7:]))
    print(f"\n{TITLE}\nlower bound {GFLOP:.0f} GFLOP; 'x bound' = warm wall time / (79 GFLOP / GEMM peak)\n")
    print(f"{'threads':>7} {'side':>8} {'warm s':>7} {'cold s':>7} {'cpu s':>7} {'GFLOP/s':>8} {'peak':>7} "
          f"{'x bound':>7} {'maxrss MB':>9} {'final acc':>9}")
    for (threads, side), runs in results.items():
        warm = statistics.median(r["warm_fit_s"] for r in runs)
        cold = statistics.median(r["fit_s"] for r in runs)
        cpu = statistics.median(r["warm_cpu_s"] for r in runs)
        peak = statistics.median(r["gemm_peak_gflops"] for r in runs)
        rss = statistics.median(r["maxrss_mb"] for r in runs)
        acc = runs[-1].get("history_warm", {}).get("accuracy", float("nan"))
        print(f"{threads:>7} {side:>8} {warm:7.2f} {cold:7.2f} {cpu:7.2f} {GFLOP / warm:8.1f} {peak:7.1f} "
              f"{warm / (GFLOP / peak):7.2f} {rss:9.0f} {acc:9.3f}")
    for threads in args.threads:  # below 1: zerodl is faster; warm = steady state, first = the first fit
        for other in ("torch", "keras-tf", "keras-torch"):
            if (threads, "zerodl") in results and (threads, other) in results:
                ratios = [statistics.median(r[key] for r in results[(threads, "zerodl")])
                          / statistics.median(r[key] for r in results[(threads, other)])
                          for key in ("warm_fit_s", "fit_s")]
                print(f"threads={threads}: zerodl / {other} time = {ratios[0]:.2f} warm, {ratios[1]:.2f} first fit")


if __name__ == "__main__":
    main()
