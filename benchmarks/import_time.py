"""IMPORT — wall time of imports in a fresh interpreter per repeat.

`import_s`: the bare package import (`import zerodl`, `import keras` — which imports its backend
framework itself —, `import torch`).  `user_import_s`: that plus the imports a script of the course
starts with (`from zerodl.models import Sequential`, `from zerodl.layers import Dense`,
`from zerodl.optimizers import ...`; the same from keras; `torch.nn`/`torch.optim` for torch).
The target (< 0.3 s) is for `import zerodl`; a zerodl that is still a namespace package (no
__init__.py) imports nothing, so that is flagged.
"""
import sys
import time

NAME = "IMPORT"
TITLE = "import time in a fresh interpreter"
KIND = "import"

STATEMENT = {
    "zerodl": "import zerodl",
    "keras-tf": "import keras",
    "keras-torch": "import keras",
    "torch": "import torch",
}
USER_STATEMENT = {
    "zerodl": "from zerodl.models import Sequential\nfrom zerodl.layers import Dense\n"
              "from zerodl.optimizers import SGD, Adam, RMSprop",
    "keras-tf": "from keras.models import Sequential\nfrom keras.layers import Dense\n"
                "from keras.optimizers import SGD, Adam, RMSprop",
    "torch": "import torch.nn as nn\nimport torch.optim",
}
USER_STATEMENT["keras-torch"] = USER_STATEMENT["keras-tf"]


def run(side, warm=True):
    stmt = STATEMENT[side]
    t0 = time.perf_counter()
    exec(stmt, {})
    import_s = time.perf_counter() - t0
    out = {"import_s": import_s, "statement": stmt}
    pkg = sys.modules[stmt.split()[1]]
    if getattr(pkg, "__file__", None) is None:
        out["note"] = f"{stmt.split()[1]} has no __init__.py (namespace package): the bare import is empty"
    t0 = time.perf_counter()
    try:
        exec(USER_STATEMENT[side], {})
        out["user_import_s"] = import_s + time.perf_counter() - t0
    except Exception as e:
        out["user_import_error"] = f"{type(e).__name__}: {e}"
    return out


def importtime_detail(stderr_text, baseline_text="", top=15):
    """Parse `python -X importtime` output into the modules with the largest cumulative time,
    leaving out those the interpreter imports at start-up anyway (found in baseline_text)."""
    def parse(text):
        rows = []
        for line in text.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            try:
                _, rest = line.split(":", 1)
                self_us, cum_us, name = rest.split("|", 2)
                rows.append((int(cum_us), int(self_us), name.rstrip()))
            except ValueError:
                continue
        return rows
    startup = {name.strip() for _, _, name in parse(baseline_text)}
    rows = [r for r in parse(stderr_text) if r[2].strip() not in startup]
    rows.sort(reverse=True)
    return rows[:top]
