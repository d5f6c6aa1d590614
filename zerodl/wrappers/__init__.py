"""Wrappers for other libraries: `zerodl.wrappers.scikit_learn` (KerasClassifier, KerasRegressor).

The submodule imports scikit-learn, so it is loaded only when asked for.
"""
import importlib


def __getattr__(name):
    if name in ("KerasClassifier", "KerasRegressor", "scikit_learn"):
        module = importlib.import_module(f"{__name__}.scikit_learn")
        return module if name == "scikit_learn" else getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
