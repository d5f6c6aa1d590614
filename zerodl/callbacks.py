"""Callbacks: hooks the training engine calls around epochs and batches (Keras names and logs)."""
from .utils.progbar import Progbar

# Keras 2 logged metrics=['accuracy'] as 'acc'; Keras 3 as 'accuracy'. Either spelling finds the other.
KERAS2_ALIASES = {"accuracy": "acc", "acc": "accuracy", "val_accuracy": "val_acc", "val_acc": "val_accuracy"}


def get_logged(logs, name):
    """logs[name], also under its Keras 2 / Keras 3 spelling ('acc' <-> 'accuracy'); None if absent."""
    if name in logs:
        return logs[name]
    return logs.get(KERAS2_ALIASES.get(name))


class Callback:
    """Base class: override the hooks you need. `self.model` and `self.params` are set by fit."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): self.on_batch_begin(batch, logs)
    def on_train_batch_end(self, batch, logs=None): self.on_batch_end(batch, logs)
    def on_batch_begin(self, batch, logs=None): pass  # Keras 2 names of the train batch hooks
    def on_batch_end(self, batch, logs=None): pass
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass


_BATCH_HOOKS = {
    "train": ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"),
    "test": ("on_test_batch_begin", "on_test_batch_end"),
    "predict": ("on_predict_batch_begin", "on_predict_batch_end"),
}


class CallbackList:
    """Calls a hook on every callback. `wants_batch_logs(mode)` lets the engine skip per-batch
    work when no callback overrides a batch hook (the common case, and the fast one)."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)

    def wants_batch_logs(self, mode):
        return any(getattr(type(c), hook) is not getattr(Callback, hook)
                   for c in self.callbacks for hook in _BATCH_HOOKS[mode])

    def call(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)


class History(Callback):
    """Records the epoch logs: `history.history['loss']`, `.epoch`, `.params`.

    After metrics=['accuracy'] the dict holds both 'accuracy' (Keras 3) and 'acc' (Keras 2),
    the same list under two keys, so code from either Keras era runs unchanged.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        for name, alias in KERAS2_ALIASES.items():
            if name in self.history and alias not in self.history and name in (logs or {}):
                self.history[alias] = self.history[name]


class ProgbarLogger(Callback):
    """Prints 'Epoch i/n' and a progress bar (verbose=1) or one line per epoch (verbose=2)."""

    def __init__(self, verbose=1):
        super().__init__()
        self.verbose = verbose
        self.bar = None

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            print(f"Epoch {epoch + 1}/{self.params['epochs']}")
        self.bar = Progbar(self.params.get("steps"), verbose=self.verbose)

    def on_train_batch_end(self, batch, logs=None):
        if self.verbose == 1:
            self.bar.update(batch + 1, logs, finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        self.bar.update(self.params.get("steps") or 0, logs, finalize=True)
