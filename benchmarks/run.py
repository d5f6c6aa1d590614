"""zerodl benchmark runner.

    .bench-venv/bin/python benchmarks/run.py [W1 W2 W3 W7 IMPORT] [--repeats N] [--threads 1|default|both]
                                             [--sides zerodl,keras-tf,keras-torch,torch] [--no-warm]

Every (workload, side, threads, repeat) runs in a fresh child interpreter (`_child.py`), so each
child's getrusage maxrss is that side's own peak memory and each Keras backend gets its own
KERAS_BACKEND. Sides are interleaved (A, B, C, D, A, B, C, D, ...) so drift on the machine hits them
alike; medians are printed with ratios against zerodl, and everything is written to
benchmarks/results/ (ignored by git).
"""
import argparse
import datetime
import importlib.util
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)

from common import REPO_ROOT, SIDES, child_env  # noqa: E402  (numpy only)
import import_time  # noqa: E402

CHILD = os.path.join(BENCH_DIR, "_child.py")
RESULTS_DIR = os.path.join(BENCH_DIR, "results")
from _child import MODULES  # noqa: E402  {"W1": "w1_banknotes", ...}: every w<N>_*.py, plus IMPORT

# Run when no workload is named; any other wN_*.py module with the same interface (NAME, TITLE, KIND,
# run(side, warm) -> dict) runs when named on the command line.
DEFAULT_WORKLOADS = ("W1", "W2", "W3", "W7", "IMPORT")
WORKLOADS = tuple(sorted((w for w in MODULES if w != "IMPORT"), key=lambda w: int(w[1:]))) + ("IMPORT",)
TITLES = {}


def title(wl):
    if wl not in TITLES:
        try:
            TITLES[wl] = __import__(MODULES[wl]).TITLE
        except Exception as e:  # a workload module still being written must not stop the others
            TITLES[wl] = f"({MODULES[wl]}.py: {type(e).__name__}: {e})"
    return TITLES[wl]

# Targets for zerodl (see README.md).
TARGET_STEP_US = {"W1": 40.0, "W2": 120.0}
TARGET_W7_MS = 0.07
TARGET_IMPORT_S = 0.3
TARGET_PEAK_MB = 200.0

MARKER = "@@RESULT@@"


# --------------------------------------------------------------------------- availability

def _has(mod):
    try:
        return importlib.util.find_spec(mod) is not None
    except (ImportError, ValueError):
        return False


def side_skip_reason(side):
    """None when the side can run with this interpreter, else the reason it is skipped."""
    if not _has("numpy"):
        return "numpy is not installed"
    if side == "zerodl":
        if not os.path.isdir(os.path.join(REPO_ROOT, "zerodl")):
            return f"no zerodl package at {REPO_ROOT}/zerodl"
        return None
    if side in ("keras-tf", "keras-torch") and not _has("keras"):
        return "keras is not installed"
    if side == "keras-tf" and not _has("tensorflow"):
        return "tensorflow is not installed (pip install tensorflow-cpu)"
    if side in ("keras-torch", "torch") and not _has("torch"):
        return "torch is not installed"
    return None


# --------------------------------------------------------------------------- running

def run_child(workload, side, threads, warm, timeout, extra_env=None):
    env = child_env(side, threads)
    if extra_env:
        env.update(extra_env)
    cmd = [sys.executable, CHILD, workload, side] + ([] if warm else ["--no-warm"])
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"workload": workload, "side": side, "threads": threads,
                "error": f"timed out after {timeout} s", "traceback": ""}
    res = None
    for line in p.stdout.splitlines():
        if line.startswith(MARKER):
            res = json.loads(line[len(MARKER):])
    if res is None:
        tail = (p.stderr or p.stdout or "")[-3000:]
        res = {"workload": workload, "side": side, "threads": threads,
               "error": f"child exited {p.returncode} without a result", "traceback": tail}
    res["process_wall_s"] = time.perf_counter() - t0
    return res


def importtime_detail(timeout):
    """One `python -X importtime -c 'import zerodl'` run: the modules with the largest cumulative time."""
    env = child_env("zerodl", "default")
    base = subprocess.run([sys.executable, "-X", "importtime", "-c", "pass"], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout)
    p = subprocess.run([sys.executable, "-X", "importtime", "-c", "import zerodl"], env=env, cwd=REPO_ROOT,
                       capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        return None
    return import_time.importtime_detail(p.stderr, base.stderr)


def headline(res):
    """The figure a run is ranked by, and its unit."""
    if "error" in res:
        return None
    if "fit_s" in res and "steps" in res:
        return res["fit_s"] / res["steps"] * 1e6
    if res["workload"] == "W7":
        return res["ms_per_call"]
    if res["workload"] == "IMPORT":
        return res["import_s"]
    return None


def short_error(res):
    err = res.get("error", "")
    tb = (res.get("traceback") or "").strip().splitlines()
    where = ""
    for line in reversed(tb):
        s = line.strip()
        if s.startswith("File "):
            where = s
            break
    return err + (f"  [{where}]" if where else "")


# --------------------------------------------------------------------------- summarising

def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise(runs):
    """runs: list of child results for one (workload, threads). Returns {side: summary}."""
    by_side = {}
    for r in runs:
        by_side.setdefault(r["side"], []).append(r)
    summary = {}
    for side, rs in by_side.items():
        ok = [r for r in rs if "error" not in r]
        s = {"ok": len(ok), "n": len(rs), "maxrss_mb": med([r.get("maxrss_mb") for r in ok])}
        if not ok:
            s["error"] = short_error(rs[-1])
            s["traceback"] = rs[-1].get("traceback", "")
            summary[side] = s
            continue
        wl = ok[0]["workload"]
        s["headline"] = med([headline(r) for r in ok])
        s["all"] = [headline(r) for r in ok]
        if "fit_s" in ok[0]:
            s["steps"] = ok[0]["steps"]
            s["fit_s"] = med([r["fit_s"] for r in ok])
            s["step_us"] = s["headline"]
            if all("warm_fit_s" in r for r in ok):
                s["warm_step_us"] = med([r["warm_fit_s"] / r["steps"] * 1e6 for r in ok])
            s["loss"] = med([r["history"].get("loss") for r in ok])
            s["accuracy"] = med([r["history"].get("accuracy", r["history"].get("acc")) for r in ok])
            s["rss_after_import_mb"] = med([r.get("rss_after_import_mb") for r in ok])
        elif wl == "W7":
            s["ms_per_call"] = s["headline"]
            s["median_ms"] = med([r["median_ms"] for r in ok])
            s["p99_ms"] = med([r["p99_ms"] for r in ok])
            s["first_call_ms"] = med([r["first_call_ms"] for r in ok])
        elif wl == "IMPORT":
            s["import_s"] = s["headline"]
            s["user_import_s"] = med([r.get("user_import_s") for r in ok])
            notes = {r.get(k) for r in ok for k in ("note", "user_import_error")} - {None}
            if notes:
                s["note"] = "; ".join(sorted(notes))
        s["versions"] = ok[-1].get("versions")
        s["thread_info"] = ok[-1].get("thread_info")
        summary[side] = s
    return summary


def fmt(v, spec=".1f", none="—"):
    return none if v is None else format(v, spec)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    r = a / b
    return f"{r:.2f}x" if r < 100 else f"{r:.3g}x"


def table(workload, summary, sides):
    """The medians table of one workload: a header, then one row per side (or why it failed)."""
    ref = summary.get("zerodl", {}).get("headline")
    tref = summary.get("torch", {}).get("headline")
    if workload not in ("W7", "IMPORT"):
        header = (f"  {'side':<12}{'ok':>6}{'fit s':>9}{'µs/step':>10}{'warm µs/step':>14}{'peak MB':>9}"
                  f"{'loss':>8}{'acc':>7}{'÷zerodl':>10}{'÷torch':>9}")

        def row(s):
            return (f"{fmt(s['fit_s'], '.3f'):>9}{fmt(s['step_us']):>10}{fmt(s.get('warm_step_us')):>14}"
                    f"{fmt(s['maxrss_mb'], '.0f'):>9}{fmt(s['loss'], '.4f'):>8}{fmt(s['accuracy'], '.3f'):>7}"
                    f"{ratio(s['headline'], ref):>10}{ratio(s['headline'], tref):>9}")
    elif workload == "W7":
        header = (f"  {'side':<12}{'ok':>6}{'ms/call':>10}{'median':>9}{'p99':>9}{'first ms':>10}"
                  f"{'peak MB':>9}{'÷zerodl':>10}{'÷torch':>9}")

        def row(s):
            return (f"{fmt(s['ms_per_call'], '.4f'):>10}{fmt(s['median_ms'], '.4f'):>9}{fmt(s['p99_ms'], '.3f'):>9}"
                    f"{fmt(s['first_call_ms'], '.1f'):>10}{fmt(s['maxrss_mb'], '.0f'):>9}"
                    f"{ratio(s['headline'], ref):>10}{ratio(s['headline'], tref):>9}")
    else:
        header = f"  {'side':<12}{'ok':>6}{'import s':>10}{'+user imports s':>17}{'peak MB':>9}{'÷zerodl':>10}"

        def row(s):
            return (f"{fmt(s['import_s'], '.3f'):>10}{fmt(s.get('user_import_s'), '.3f'):>17}"
                    f"{fmt(s['maxrss_mb'], '.0f'):>9}{ratio(s['headline'], ref):>10}"
                    + (f"   note: {s['note']}" if s.get("note") else ""))
    lines = [header]
    for side in sides:
        s = summary.get(side)
        if s is None:
            continue
        done = f"  {side:<12}{s['ok']:>3}/{s['n']:<2}"
        lines.append(done + (row(s) if "headline" in s else f" FAILED: {s['error']}"))
    return lines


def target_lines(all_summaries):
    """PASS/FAIL of zerodl against the targets, per threads mode."""
    lines = []
    for threads, per_wl in all_summaries.items():
        for wl, summary in per_wl.items():
            z = summary.get("zerodl")
            if not z:
                continue
            tag = f"[threads={threads}] {wl}"
            if "headline" not in z:
                lines.append(f"  {tag}: zerodl failed — {z['error']}")
                continue
            checks = []
            if wl in TARGET_STEP_US:
                checks.append((f"{z['step_us']:.1f} µs/step ≤ {TARGET_STEP_US[wl]:.0f}", z["step_us"] <= TARGET_STEP_US[wl]))
            if wl == "W3":
                t = summary.get("torch", {}).get("headline")
                if t is not None:
                    checks.append((f"{z['step_us']:.0f} µs/step ≤ torch {t:.0f}", z["step_us"] <= t))
                else:
                    checks.append(("torch side missing: cannot compare", None))
            if wl == "W7":
                checks.append((f"{z['ms_per_call']:.4f} ms/call < {TARGET_W7_MS}", z["ms_per_call"] < TARGET_W7_MS))
            if wl == "IMPORT":
                if z.get("note"):
                    checks.append((f"import zerodl: {z['note']}", None))
                else:
                    checks.append((f"import zerodl {z['import_s']:.3f} s < {TARGET_IMPORT_S}", z["import_s"] < TARGET_IMPORT_S))
                if z.get("user_import_s") is not None:
                    checks.append((f"import zerodl + models/layers/optimizers {z['user_import_s']:.3f} s < {TARGET_IMPORT_S}",
                                   z["user_import_s"] < TARGET_IMPORT_S))
            if z.get("maxrss_mb") is not None:
                checks.append((f"peak {z['maxrss_mb']:.0f} MB < {TARGET_PEAK_MB:.0f}", z["maxrss_mb"] < TARGET_PEAK_MB))
            for text, ok in checks:
                verdict = "PASS" if ok else ("FAIL" if ok is not None else "n/a ")
                lines.append(f"  {verdict}  {tag}: {text}")
    return lines


# --------------------------------------------------------------------------- main

def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def load_line():
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return None, ""
    cpus = os.cpu_count() or 1
    warn = "  !! the machine is busy: figures will be noisy, and multi-threaded ones worst" if one > 0.5 * cpus else ""
    return one, f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {cpus} CPUs{warn}"


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workloads", nargs="*",
                    help=f"any of {' '.join(WORKLOADS)} (default: {' '.join(DEFAULT_WORKLOADS)})")
    ap.add_argument("--repeats", type=int, default=5, help="runs per side (default 5)")
    ap.add_argument("--threads", choices=("1", "default", "both"), default="both",
                    help="'1' pins BLAS/OpenMP/torch/TF to one thread, 'default' leaves them alone (default: both)")
    ap.add_argument("--sides", default=",".join(SIDES), help=f"comma-separated subset of {','.join(SIDES)}")
    ap.add_argument("--no-warm", action="store_true", help="skip the second (warm) fit() per run")
    ap.add_argument("--timeout", type=float, default=900, help="seconds before a child run is abandoned")
    ap.add_argument("--w7-calls", type=int, default=1000, help="predict calls in W7 (default 1000)")
    ap.add_argument("--out", default=None, help="results file stem (default results/bench-<timestamp>)")
    args = ap.parse_args(argv)
    wls = [w.upper() for w in args.workloads] or [w for w in DEFAULT_WORKLOADS if w in MODULES]
    bad = [w for w in wls if w not in WORKLOADS]
    if bad:
        ap.error(f"unknown workload(s) {bad}; choose from {list(WORKLOADS)}")
    sides = [s.strip() for s in args.sides.split(",") if s.strip()]
    bad = [s for s in sides if s not in SIDES]
    if bad:
        ap.error(f"unknown side(s) {bad}; choose from {list(SIDES)}")
    args.workloads, args.sides = wls, sides
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    modes = ["1", "default"] if args.threads == "both" else [args.threads]
    out_lines = []

    def say(line=""):
        print(line, flush=True)
        out_lines.append(line)

    say(f"zerodl benchmarks  {datetime.datetime.now().isoformat(timespec='seconds')}")
    say(f"python {platform.python_version()} ({sys.executable}); {platform.machine()}, {os.cpu_count()} CPUs")
    say(f"workloads {' '.join(args.workloads)}; repeats {args.repeats}; threads {' & '.join(modes)}; "
        f"warm fit {'off' if args.no_warm else 'on'}")
    sides = []
    for side in args.sides:
        reason = side_skip_reason(side)
        if reason:
            say(f"SKIP side {side}: {reason}")
        else:
            sides.append(side)
    say(f"sides: {', '.join(sides) or 'none'}")
    load_start, text = load_line()
    if text:
        say(text)
    if not sides:
        return 1

    extra_env = {"BENCH_W7_CALLS": str(args.w7_calls)}
    all_runs, all_summaries = [], {}
    current_runs = [[], None, None]
    t_all = time.perf_counter()
    interrupted = False
    signal.signal(signal.SIGTERM, _raise_interrupt)  # subprocess.run kills the running child on the way out
    try:
        for threads in modes:
            for wl in args.workloads:
                if wl == "IMPORT" and threads != modes[-1]:
                    continue  # threads do not matter for an import: run it once, in the last mode
                say()
                t = title(wl).replace("1,000", f"{args.w7_calls:,}") if wl == "W7" else title(wl)
                say(f"== {wl}: {t}  [threads={threads}]")
                failed = set()
                runs = []
                current_runs[:] = [runs, threads, wl]
                for rep in range(args.repeats):
                    for side in sides:
                        if side in failed:
                            continue
                        res = run_child(wl, side, threads, not args.no_warm, args.timeout, extra_env)
                        res["repeat"] = rep
                        runs.append(res)
                        h = headline(res)
                        if h is None:
                            failed.add(side)
                            say(f"   rep {rep + 1} {side:<12} ERROR {short_error(res)}")
                            tb = (res.get("traceback") or "").strip().splitlines()
                            for line in tb[-6:]:
                                say(f"      | {line}")
                            say(f"      (not repeating {side} for {wl} at threads={threads})")
                        else:
                            unit = {"W7": "ms/call", "IMPORT": "s"}.get(wl, "µs/step")
                            say(f"   rep {rep + 1} {side:<12} {h:10.4g} {unit:<8} peak {res.get('maxrss_mb', 0):6.0f} MB"
                                f"  ({res.get('process_wall_s', 0):.1f} s in child)")
                summary = summarise(runs)
                all_summaries.setdefault(threads, {})[wl] = summary
                all_runs.extend(runs)
                say(f"-- {wl} medians [threads={threads}]  (÷zerodl, ÷torch: this side's time over theirs; <1 is faster)")
                for line in table(wl, summary, sides):
                    say(line)

    except KeyboardInterrupt:
        interrupted = True
        say()
        say("!! interrupted: summarising what finished")
        runs, threads, wl = current_runs
        if runs and wl not in all_summaries.get(threads, {}):
            all_summaries.setdefault(threads, {})[wl] = summarise(runs)
            all_runs.extend(runs)
            for line in table(wl, all_summaries[threads][wl], sides):
                say(line)

    detail = None
    if "IMPORT" in args.workloads and "zerodl" in sides:
        try:
            detail = importtime_detail(args.timeout)
        except Exception:
            detail = None
        if detail:
            say()
            say("-- python -X importtime -c 'import zerodl': largest cumulative imports")
            for cum, self_us, name in detail:
                say(f"   {cum / 1e3:8.1f} ms cumulative {self_us / 1e3:7.1f} ms self  {name}")

    say()
    say("== zerodl targets")
    tl = target_lines(all_summaries)
    for line in tl or ["  (no zerodl results)"]:
        say(line)
    say()
    load_end, text = load_line()
    if text:
        say("at the end: " + text)
    say(f"total {time.perf_counter() - t_all:.0f} s" + ("  (INTERRUPTED: partial results)" if interrupted else ""))

    os.makedirs(RESULTS_DIR, exist_ok=True)
    stem = args.out or os.path.join(RESULTS_DIR, "bench-" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    payload = {"args": vars(args), "python": sys.executable, "cpus": os.cpu_count(), "interrupted": interrupted,
               "loadavg_start": load_start, "loadavg_end": load_end,
               "summaries": all_summaries, "runs": all_runs, "importtime_zerodl": detail}
    with open(stem + ".json", "w") as f:
        json.dump(payload, f, indent=1, default=str)
    with open(stem + ".txt", "w") as f:
        f.write("\n".join(out_lines) + "\n")
    print(f"results: {stem}.json, {stem}.txt")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
