"""scikit-learn cross-validation of a Keras-API classifier: zerodl against Keras 3.

    .bench-venv/bin/python benchmarks/sklearn_cv.py [--repeats 3] [--sides zerodl,keras-tf,keras-torch,scikeras]
                                                    [--epochs 20] [--threads 1|default]

The workload (lecture 38 on the banknotes): `cross_val_score(clf, X, y, cv=KFold(3, shuffle=True))`
where clf wraps a softmax logistic regression, Dense(2, softmax) on the 4 raw features, SGD lr 0.01,
categorical cross-entropy, batch 16 x 20 epochs per fold (3 folds: 3 model builds, ~3,600 steps).

- zerodl: `zerodl.wrappers.scikit_learn.KerasClassifier(build_fn=..., epochs=, batch_size=, verbose=0)`.
- keras-tf / keras-torch: Keras 3's own `keras.wrappers.SKLearnClassifier(model=...)`, which one-hot
  encodes y, hence the 2-unit softmax on every side. Its `fit_kwargs=` is lost when scikit-learn clones
  the estimator (Keras 3.15: a clone has fit_kwargs=None, so each fold would train 1 epoch with batch
  32), so epochs and batch size reach its fit through `cross_val_score(..., params=...)` instead.
- scikeras: `scikeras.wrappers.KerasClassifier` on Keras 3 (TensorFlow), when it is installed.

Every (side, repeat) runs in a fresh interpreter, sides interleaved; each child times cross_val_score
twice (the first includes one-off costs such as graph tracing). Medians and ratios against zerodl are
printed and written to benchmarks/results/sklearn_cv-<stamp>.json. Run it on an idle machine.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)

from common import child_env, load_banknotes  # noqa: E402  (numpy only)

SIDES = ("zerodl", "keras-tf", "keras-torch", "scikeras")
MARKER = "@@RESULT@@"


def make_classifier(side, epochs, batch_size):
    """The estimator as a user of each library writes it, and the fit parameters cross_val_score passes."""
    if side == "zerodl":
        return zerodl_classifier(epochs, batch_size), None
    from keras.layers import Dense, Input
    from keras.models import Sequential
    from keras.optimizers import SGD

    def build_model(X=None, y=None, **kwargs):
        model = Sequential([Input(shape=(4,)), Dense(2, activation="softmax")])
        model.compile(SGD(learning_rate=0.01), "categorical_crossentropy", metrics=["accuracy"])
        return model
    if side == "scikeras":
        from scikeras.wrappers import KerasClassifier
        return KerasClassifier(model=build_model, epochs=epochs, batch_size=batch_size, verbose=0), None
    from keras.wrappers import SKLearnClassifier
    return SKLearnClassifier(model=build_model), {"epochs": epochs, "batch_size": batch_size, "verbose": 0}


def zerodl_classifier(epochs, batch_size):
    from zerodl.layers import Dense
    from zerodl.models import Sequential
    from zerodl.optimizers import SGD
    from zerodl.wrappers.scikit_learn import KerasClassifier

    def build_fn():
        model = Sequential()
        model.add(Dense(2, input_shape=(4,), activation="softmax"))
        model.compile(SGD(learning_rate=0.01), "categorical_crossentropy", metrics=["accuracy"])
        return model
    return KerasClassifier(build_fn=build_fn, epochs=epochs, batch_size=batch_size, verbose=0)


def child(side, epochs, batch_size):
    """Runs in the child interpreter: import, then time cross_val_score twice."""
    import numpy as np
    from sklearn.model_selection import KFold, cross_val_score
    X, y = load_banknotes()
    y = y.ravel().astype(int)
    start = time.perf_counter()
    clf, params = make_classifier(side, epochs, batch_size)
    import_s = time.perf_counter() - start
    times, scores = [], None
    for _ in range(2):
        start = time.perf_counter()
        scores = cross_val_score(clf, X, y, cv=KFold(3, shuffle=True, random_state=0), params=params)
        times.append(time.perf_counter() - start)
    print(MARKER + json.dumps({"first_s": times[0], "second_s": times[1], "import_s": import_s,
                               "accuracy": float(np.mean(scores))}))


def skip_reason(side):
    import importlib.util
    needs = {"zerodl": ("sklearn",), "keras-tf": ("sklearn", "keras", "tensorflow"),
             "keras-torch": ("sklearn", "keras", "torch"), "scikeras": ("sklearn", "keras", "tensorflow",
                                                                         "scikeras")}[side]
    missing = [m for m in needs if importlib.util.find_spec(m) is None]
    return f"not installed: {', '.join(missing)}" if missing else None


def run_child(side, args):
    env = child_env("keras-tf" if side == "scikeras" else side, args.threads)  # zerodl found on PYTHONPATH
    command = [sys.executable, os.path.abspath(__file__), "--child", side, "--epochs", str(args.epochs),
               "--batch-size", str(args.batch_size)]
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=args.timeout)
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-6:])
    raise RuntimeError(f"{side} failed (exit {proc.returncode}):\n{tail}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sides", default=",".join(SIDES))
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", choices=("1", "default"), default="1")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.epochs, args.batch_size)

    sides = []
    for side in args.sides.split(","):
        reason = skip_reason(side)
        if reason:
            print(f"skip {side}: {reason}")
        else:
            sides.append(side)
    runs = {side: [] for side in sides}
    for repeat in range(args.repeats):
        for side in list(sides):
            try:
                result = run_child(side, args)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                print(f"{side}: {exc}")
                sides.remove(side)
                continue
            runs[side].append(result)
            print(f"repeat {repeat + 1} {side:12s} first {result['first_s']:7.3f} s  second "
                  f"{result['second_s']:7.3f} s  accuracy {result['accuracy']:.3f}", flush=True)

    print(f"\ncross_val_score, 3 folds, banknotes, Dense(2, softmax), SGD 0.01, batch {args.batch_size} x "
          f"{args.epochs} epochs, threads={args.threads}, medians of {args.repeats}")
    print(f"{'side':12s} {'first s':>9s} {'second s':>9s} {'÷zerodl':>9s} {'accuracy':>9s}")
    medians = {side: {k: statistics.median(r[k] for r in results) for k in results[0]}
               for side, results in runs.items() if results}
    base = medians.get("zerodl", {}).get("second_s")
    for side, m in medians.items():
        ratio = f"{m['second_s'] / base:8.1f}x" if base else "       -"
        print(f"{side:12s} {m['first_s']:9.3f} {m['second_s']:9.3f} {ratio:>9s} {m['accuracy']:9.3f}")
    os.makedirs(os.path.join(BENCH_DIR, "results"), exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = os.path.join(BENCH_DIR, "results", f"sklearn_cv-{stamp}.json")
    with open(path, "w") as f:
        json.dump({"args": vars(args), "runs": runs, "medians": medians}, f, indent=2)
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()
