"""One benchmark run in a fresh interpreter: `python benchmarks/_child.py WORKLOAD SIDE [--no-warm]`.

Started by run.py with the side's environment (threads, KERAS_BACKEND, PYTHONPATH). Prints one line
`@@RESULT@@ {json}` with the workload's figures, or with "error" and the traceback, plus the process's
peak resident memory (getrusage maxrss). Nothing heavy is imported before the workload asks for it, so
the IMPORT workload times a cold import.
"""
import json
import os
import resource
import sys
import time
import traceback

MARKER = "@@RESULT@@"


def workload_modules():
    """{"W1": "w1_banknotes", ...}: every benchmarks/w<N>_*.py by file name (nothing imported), plus IMPORT."""
    here = os.path.dirname(os.path.abspath(__file__))
    mods = {}
    for fn in sorted(os.listdir(here)):
        head = fn.split("_", 1)[0]
        if fn.endswith(".py") and "_" in fn and head[:1] == "w" and head[1:].isdigit():
            mods["W" + head[1:]] = fn[:-3]
    mods["IMPORT"] = "import_time"
    return mods


MODULES = workload_modules()


def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def main(argv):
    workload, side = argv[0], argv[1]
    warm = "--no-warm" not in argv
    threads = os.environ.get("BENCH_THREADS", "default")
    out = {"workload": workload, "side": side, "threads": threads, "pid": os.getpid()}
    t_start = time.perf_counter()
    try:
        import importlib
        mod = importlib.import_module(MODULES[workload])
        if workload != "IMPORT":
            import common
            out["thread_info"] = common.setup_child_threads(side, threads)
            common.seed_everything(side, 0)
            out["rss_after_import_mb"] = maxrss_mb()
        out.update(mod.run(side, warm=warm))
        if workload != "IMPORT":
            out["versions"] = common.framework_versions(side)
    except BaseException as e:  # report, never hang or crash silently
        out["error"] = f"{type(e).__name__}: {e}"
        out["traceback"] = traceback.format_exc()
    out["child_wall_s"] = time.perf_counter() - t_start
    out["maxrss_mb"] = maxrss_mb()
    sys.stdout.write("\n" + MARKER + " " + json.dumps(out) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
