"""Callbacks: hooks the training engine calls around epochs and batches (Keras names and logs)."""
import csv
import inspect
import math
import numbers
import os
import warnings

import numpy as np

from .utils.progbar import Progbar, interactive

# Keras 2 logged metrics=['accuracy'] as 'acc' and the learning rate as 'lr'; Keras 3 as 'accuracy' and
# 'learning_rate'. Either spelling finds the other.
KERAS2_ALIASES = {"accuracy": "acc", "acc": "accuracy", "val_accuracy": "val_acc", "val_acc": "val_accuracy",
                  "learning_rate": "lr", "lr": "learning_rate"}


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


def _overrides(callback, hook):
    """Whether `callback` does something in `hook`: a subclass method or a function set on the instance."""
    method = getattr(callback, hook)
    return getattr(method, "__func__", method) is not getattr(Callback, hook)


class CallbackList:
    """Calls a hook on every callback. `wants_batch_logs(mode)` lets the engine skip per-batch
    work when no callback overrides a batch hook (the common case, and the fast one)."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)

    def wants_batch_logs(self, mode):
        return any(_overrides(c, hook) for c in self.callbacks for hook in _BATCH_HOOKS[mode])

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
        # Only a bar redrawn in place (terminal, notebook) shows batches; elsewhere Progbar writes the
        # epoch's last line alone, so no batch hook is set and the engine keeps its fast path.
        if verbose == 1 and interactive():
            self.on_train_batch_end = self._on_train_batch_end

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            print(f"Epoch {epoch + 1}/{self.params['epochs']}")
        self.bar = Progbar(self.params.get("steps"), verbose=self.verbose)

    def _on_train_batch_end(self, batch, logs=None):
        self.bar.update(batch + 1, logs, finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        self.bar.update(self.params.get("steps") or 0, logs, finalize=True)


# --- monitoring a logged quantity --------------------------------------------------------------
_RISING = ("acc", "auc", "precision", "recall", "f1_score", "fbeta_score", "r2_score", "iou", "fmeasure")


def _rises(monitor, mode, owner):
    """True when larger values of `monitor` are better: mode 'max'/'min', or for 'auto' from the name
    (accuracies, AUC, precision, recall... rise; losses and errors fall, as Keras 2 assumed)."""
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{owner} mode {mode} is unknown, fallback to auto mode.", stacklevel=3)
        mode = "auto"
    if mode != "auto":
        return mode == "max"
    name = monitor[4:] if monitor.startswith("val_") else monitor
    return "loss" not in name and any(word in name for word in _RISING)


class _Monitor:
    """What EarlyStopping, ModelCheckpoint and ReduceLROnPlateau share: the direction of improvement."""

    def _set_direction(self, monitor, mode, min_delta=0.0):
        self.monitor = monitor
        self._max = _rises(monitor, mode, type(self).__name__)
        self.mode = mode if mode in ("min", "max") else "auto"
        self.min_delta = abs(min_delta)

    def _worst(self):
        return -math.inf if self._max else math.inf

    def _improved(self, current, reference):
        if reference is None:
            return True
        if self._max:
            return current - self.min_delta > reference
        return current + self.min_delta < reference


class EarlyStopping(_Monitor, Callback):
    """Stop training when `monitor` has stopped improving for `patience` epochs.

    `baseline`: training stops unless the monitored value beats it within `patience` epochs.
    `restore_best_weights`: at the end, put back the weights of the best epoch.
    `start_from_epoch`: epochs of warm-up before monitoring begins.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self._set_direction(monitor, mode, min_delta)
        self.patience, self.verbose, self.baseline = patience, verbose, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self.on_train_begin()

    def on_train_begin(self, logs=None):
        self.wait = self.stopped_epoch = self.best_epoch = 0
        self.best_weights = None
        self.best = self._worst()

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._improved(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improved(current, self.baseline):
                self.wait = 0  # only beating both the best so far and the baseline restarts the count
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        logs = logs or {}
        value = get_logged(logs, self.monitor)
        if value is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                          f"Available metrics are: {','.join(logs)}", stacklevel=3)
        return value


def _format_logs(logs):
    """Epoch logs under both spellings, so a path template may say {val_acc} or {val_accuracy}."""
    logs = dict(logs or {})
    for name, alias in KERAS2_ALIASES.items():
        if name in logs and alias not in logs:
            logs[alias] = logs[name]
    return logs


class ModelCheckpoint(_Monitor, Callback):
    """Save the model (`model.save(path)`) or its weights (`model.save_weights(path)`) during training.

    `filepath` may hold a template filled from the epoch (counted from 1) and the logs, e.g.
    'weights.{epoch:02d}-{val_loss:.2f}.hdf5'. '.keras', '.h5', '.hdf5' and '.weights.h5' choose their
    format; any other extension gets HDF5, as in Keras 2. `save_best_only`
    saves only when `monitor` improves. `save_freq`: 'epoch', or an integer number of batches.
    `period` (Keras 2): save every `period` epochs.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None, period=None, options=None,
                 **kwargs):
        super().__init__()
        if kwargs:
            raise TypeError(f"ModelCheckpoint got unexpected keyword argument(s) {sorted(kwargs)}.")
        self._set_direction(monitor, mode)
        self.filepath = os.fspath(filepath)
        self.verbose, self.save_best_only, self.save_weights_only = verbose, save_best_only, save_weights_only
        self.initial_value_threshold = initial_value_threshold
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool) or save_freq < 1):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or integer values")
        if period is not None and (not isinstance(period, int) or period < 1):
            raise ValueError(f"period must be a positive integer, received period={period!r}.")
        self.save_freq, self.period = save_freq, period or 1
        if save_freq != "epoch":  # a batch hook only when needed keeps the engine's fast path otherwise
            self.on_train_batch_end = self._on_train_batch_end
        # As in Keras, the best value is kept across fit() calls.
        self.best = self._worst() if initial_value_threshold is None else initial_value_threshold
        self._epoch = 0
        self._batches_since_save = 0

    def on_train_begin(self, logs=None):
        self._batches_since_save = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _on_train_batch_end(self, batch, logs=None):
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch" and (epoch + 1) % self.period == 0:
            self._save(epoch, None, logs)

    def _filepath(self, epoch, batch, logs):
        values = _format_logs(logs)
        values["epoch"] = epoch + 1
        if batch is not None:
            values["batch"] = batch + 1
        try:
            return self.filepath.format(**values)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}') from None

    def _should_save(self, epoch, logs, filepath):
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = get_logged(logs or {}, self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=3)
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._improved(current, self.best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to {current:.5f}, "
                      f"saving model to {filepath}")
            self.best = current
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save(self, epoch, batch, logs):
        filepath = self._filepath(epoch, batch, logs)
        if not self._should_save(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise IOError("Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an "
                          f"existing directory: {filepath}")
        directory = os.path.dirname(filepath)
        if directory:
            os.makedirs(directory, exist_ok=True)
        # Keras 2 wrote HDF5 whatever the file was called; known extensions choose their own format.
        options = {} if filepath.endswith((".keras", ".h5", ".hdf5")) else {"save_format": "h5"}
        if self.save_weights_only:
            self.model.save_weights(filepath, **options)
        else:
            self.model.save(filepath, **options)


class CSVLogger(Callback):
    """Stream each epoch's logs to a CSV file: a column 'epoch' (from 0), then the log names sorted.
    `append=True` continues an existing file (its header is kept)."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self.keys = self.writer = self.csv_file = None
        self.append_header = True

    def on_train_begin(self, logs=None):
        self.append_header = True
        if self.append and os.path.exists(self.filename):
            with open(self.filename) as f:
                self.append_header = not f.readline()
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, "a" if self.append else "w", newline="")
        self.keys = self.writer = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
        if self.writer is None:
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys, delimiter=self.sep)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _csv_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


def _csv_value(value):
    if isinstance(value, str) or getattr(value, "ndim", None) == 0 or not hasattr(value, "__iter__"):
        return value
    return f'"[{", ".join(map(str, value))}]"'


class LambdaCallback(Callback):
    """A callback from functions: `LambdaCallback(on_epoch_end=lambda epoch, logs: print(logs['loss']))`.

    Epoch hooks take (epoch, logs), batch hooks (batch, logs), train hooks (logs). Both the Keras 3
    `on_train_batch_*` and Keras 2 `on_batch_*` names work, as does any other hook passed by name.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None, on_batch_begin=None, on_batch_end=None,
                 **kwargs):
        super().__init__()
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end, on_train_begin=on_train_begin,
                     on_train_end=on_train_end, on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end, on_batch_begin=on_batch_begin,
                     on_batch_end=on_batch_end, **kwargs)
        for name, fn in hooks.items():
            if not (name.startswith("on_") and callable(getattr(Callback, name, None))):
                raise TypeError(f"LambdaCallback: {name!r} is not a callback hook.")
            if fn is not None:
                setattr(self, name, fn)


def _number(value, what):
    if isinstance(value, bool) or not (isinstance(value, numbers.Real) or getattr(value, "ndim", None) == 0):
        raise ValueError(f"The output of the `{what}` function should be a float. Got: {value}")
    return float(value)


class LearningRateScheduler(Callback):
    """At each epoch start, set the learning rate to `schedule(epoch, lr)` (or Keras 2 `schedule(epoch)`);
    epochs count from 0. The rate used is logged as 'learning_rate' ('lr' in Keras 2 spelling)."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose
        self._takes_lr = _positional_count(schedule) >= 2

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        if self._takes_lr is None:
            try:
                lr = self.schedule(epoch, float(optimizer.learning_rate))
            except TypeError:
                lr = self.schedule(epoch)
        else:
            lr = self.schedule(epoch, float(optimizer.learning_rate)) if self._takes_lr else self.schedule(epoch)
        optimizer.learning_rate = _number(lr, "schedule")
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(lr)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


def _positional_count(fn):
    """How many positional arguments `fn` takes (a large number for *args); None if unknown."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return 2
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


class ReduceLROnPlateau(_Monitor, Callback):
    """Multiply the learning rate by `factor` when `monitor` has not improved by `min_delta` for `patience`
    epochs; then wait `cooldown` epochs; never go below `min_lr`. `epsilon` is the Keras 2 name of
    `min_delta`."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0, **kwargs):
        super().__init__()
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
            warnings.warn("`epsilon` argument is deprecated and will be removed, use `min_delta` instead.",
                          stacklevel=2)
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau got unexpected keyword argument(s) {sorted(kwargs)}.")
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"Learning rate reduction mode {mode} is unknown, fallback to auto mode.", stacklevel=2)
            mode = "auto"
        self._set_direction(monitor, mode, min_delta)
        self.factor, self.patience, self.verbose = factor, patience, verbose
        self.cooldown, self.min_lr = cooldown, min_lr
        self.on_train_begin()

    def on_train_begin(self, logs=None):
        self.best, self.wait, self.cooldown_counter = self._worst(), 0, 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = get_logged(logs, self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs)}.", stacklevel=3)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current, self.best):
            self.best, self.wait = current, 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(optimizer.learning_rate)
                if old_lr > float(np.float32(self.min_lr)):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


class TerminateOnNaN(Callback):
    """Stop training at the first batch whose loss is NaN or infinite (`raise_error=True`: raise instead)."""

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                                   "Terminating training immediately.")
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


# --- TensorBoard -------------------------------------------------------------------------------
class _EventWriter:
    """One TensorBoard run directory, written with the `tensorboard` package's own event file writer."""

    def __init__(self, logdir):
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
        self._event, self._summary = event_pb2.Event, summary_pb2
        self._writer = EventFileWriter(logdir)

    def _add(self, values, step):
        self._writer.add_event(self._event(step=int(step), summary=self._summary.Summary(value=values)))

    def scalars(self, values, step):
        self._add([self._summary.Summary.Value(tag=tag, simple_value=float(v)) for tag, v in values], step)

    def histogram(self, tag, values, step, bins=30):
        from tensorboard.compat.proto.histogram_pb2 import HistogramProto
        values = np.asarray(values, dtype=np.float64).ravel()
        counts, edges = np.histogram(values, bins=bins)
        proto = HistogramProto(min=values.min(), max=values.max(), num=values.size, sum=values.sum(),
                               sum_squares=float(values @ values), bucket_limit=edges[1:].tolist(),
                               bucket=counts.tolist())
        self._add([self._summary.Summary.Value(tag=tag, histo=proto)], step)

    def keras_model(self, tag, json_string, step=0):
        """The model config as TensorBoard's 'graph_keras_model' summary: the Graphs tab draws it."""
        from tensorboard.compat.proto.tensor_pb2 import TensorProto
        from tensorboard.compat.proto.types_pb2 import DT_STRING
        metadata = self._summary.SummaryMetadata(
            plugin_data=self._summary.SummaryMetadata.PluginData(plugin_name="graph_keras_model", content=b"1"))
        tensor = TensorProto(dtype=DT_STRING, string_val=[json_string.encode()])
        self._add([self._summary.Summary.Value(tag=tag, metadata=metadata, tensor=tensor)], step)

    def flush(self):
        self._writer.flush()

    def close(self):
        self._writer.close()


class TensorBoard(Callback):
    """Write logs TensorBoard reads (`tensorboard --logdir logs`); needs `pip install 'zerodl[tensorboard]'`.

    As Keras lays them out: `log_dir/train` holds 'epoch_loss', 'epoch_<metric>', 'epoch_learning_rate'
    and, with `update_freq='batch'` or an integer n, 'batch_<name>' every n batches; `log_dir/validation`
    holds the validation values under the same tags. `histogram_freq=n`: weight histograms
    ('<layer>/<weight>/histogram') every n epochs. `write_graph`: the layer graph (TensorBoard's Keras
    conceptual graph, tag 'keras'). Images, profiling and embeddings are not written.
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0, embeddings_freq=0,
                 embeddings_metadata=None, **kwargs):
        super().__init__()
        import importlib.util
        if importlib.util.find_spec("tensorboard") is None:
            raise ImportError("The TensorBoard callback writes event files with the `tensorboard` package: "
                              "pip install 'zerodl[tensorboard]' (or pip install tensorboard).")
        unknown = set(kwargs) - {"batch_size", "write_grads", "embeddings_layer_names", "embeddings_data"}
        if unknown:
            raise TypeError(f"TensorBoard got unexpected keyword argument(s) {sorted(unknown)}.")
        for name, value in (("write_images", write_images), ("profile_batch", profile_batch),
                            ("embeddings_freq", embeddings_freq), ("write_grads", kwargs.get("write_grads"))):
            if value:
                warnings.warn(f"TensorBoard({name}={value!r}) is not supported by zerodl and is ignored.",
                              stacklevel=2)
        if update_freq != "epoch" and update_freq != "batch" and not (
                isinstance(update_freq, int) and update_freq > 0):
            raise ValueError(f"update_freq must be 'epoch', 'batch' or a positive integer, received {update_freq!r}.")
        self.log_dir, self.histogram_freq, self.write_graph = os.fspath(log_dir), histogram_freq, write_graph
        self.update_freq = 1 if update_freq == "batch" else update_freq
        if self.update_freq != "epoch":
            self.on_train_batch_end = self._on_train_batch_end
        self._writers = {}
        self._global_train_batch = 0

    def _writer(self, run):
        if run not in self._writers:
            self._writers[run] = _EventWriter(os.path.join(self.log_dir, run))
        return self._writers[run]

    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        if self.write_graph and getattr(self.model, "built_graph", False):
            try:
                json_string = self.model.to_json()
            except Exception as exc:  # a graph we cannot describe must not stop training
                warnings.warn(f"Model failed to serialize as JSON. Ignoring... {exc}", stacklevel=2)
            else:
                self._writer("train").keras_model("keras", json_string, step=0)

    def _on_train_batch_end(self, batch, logs=None):
        self._global_train_batch += 1
        if logs and self._global_train_batch % self.update_freq == 0:
            self._writer("train").scalars([("batch_" + k, v) for k, v in logs.items()], self._global_train_batch)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = [("epoch_" + k, v) for k, v in logs.items() if not k.startswith("val_")]
        if "learning_rate" not in logs and hasattr(self.model.optimizer, "learning_rate"):
            train.append(("epoch_learning_rate", float(self.model.optimizer.learning_rate)))
        self._writer("train").scalars(train, epoch)
        val = [(k[4:], v) for k, v in logs.items() if k.startswith("val_")]
        if val:
            writer = self._writer("validation")
            writer.scalars([("epoch_" + k, v) for k, v in val], epoch)
            writer.scalars([(f"evaluation_{k}_vs_iterations", v) for k, v in val],
                           getattr(self.model.optimizer, "iterations", epoch))
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            writer = self._writer("train")
            for layer in self.model.layers:
                for weight in layer.weights:
                    writer.histogram(f"{weight.name.replace(':', '_')}/histogram", weight.value, epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
