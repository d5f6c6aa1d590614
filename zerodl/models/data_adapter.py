"""fit / evaluate / predict on batches from Python generators, iterators and `Sequence`s.

A batch is `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`, as Keras takes them. A `Sequence`
(anything with `__len__` and `__getitem__`, such as `ImageDataGenerator.flow(...)`) gives
`len(seq)` steps per epoch by default and `on_epoch_end()` is called after each; a generator gives
`steps_per_epoch` batches per epoch, or runs until it is exhausted when no steps are given.
The Keras 2 names `fit_generator`, `evaluate_generator` and `predict_generator` are here too.
"""
import math
import warnings

from ..autodiff import Tensor, no_grad
from ..config import xp
from ..utils.sequence import Sequence


def is_batch_source(data):
    """True for generators, iterators and Sequences; False for arrays, lists, dicts, DataFrames, tensors."""
    if data is None or isinstance(data, (list, tuple, dict, str, bytes, xp.ndarray)):
        return False
    if hasattr(data, "__array__") or hasattr(data, "to_numpy") or hasattr(data, "shape"):
        return False
    if isinstance(data, Sequence) or hasattr(data, "__next__"):
        return True
    return hasattr(data, "__getitem__") and hasattr(data, "__len__")


def unpack_batch(batch):
    """(x, y, sample_weight) from a batch given as x, (x,), (x, y) or (x, y, w)."""
    if isinstance(batch, tuple):
        if not 1 <= len(batch) <= 3:
            raise ValueError(f"A generator must yield x, (x,), (x, y) or (x, y, sample_weight); it yielded a tuple of "
                             f"length {len(batch)}.")
        return tuple(batch) + (None,) * (3 - len(batch))
    return batch, None, None


class BatchSource:
    """The batches of one epoch at a time from a generator, iterator or Sequence."""

    def __init__(self, data, steps=None):
        self.data = data
        self.indexed = hasattr(data, "__getitem__") and hasattr(data, "__len__")
        if steps is None and self.indexed:
            steps = len(data)
        self.steps = steps
        self.iterator = None if self.indexed else iter(data)
        self.exhausted = False

    def epoch(self):
        """Yields the batches of one epoch; `exhausted` tells afterwards whether the data ran out."""
        if self.indexed:
            n = len(self.data)
            for i in range(self.steps):
                yield self.data[i % n] if n else self.data[i]
            if hasattr(self.data, "on_epoch_end"):
                self.data.on_epoch_end()
            return
        step = 0
        while self.steps is None or step < self.steps:
            try:
                batch = next(self.iterator)
            except StopIteration:
                self.exhausted = True
                return
            yield batch
            step += 1


def _ran_out_warning(steps, epochs):
    warnings.warn(f"Your input ran out of data; interrupting training. Make sure that your dataset or generator can "
                  f"generate at least `steps_per_epoch * epochs` batches ({steps} * {epochs} here).",
                  UserWarning, stacklevel=4)


def fit(model, data, epochs=1, verbose="auto", callbacks=None, validation_data=None, steps_per_epoch=None,
        validation_steps=None, validation_batch_size=None, validation_freq=1, class_weight=None, initial_epoch=0,
        y=None, validation_split=0.0, sample_weight=None):
    """`model.fit` on a generator/Sequence: one training step per batch it yields."""
    if y is not None:
        raise ValueError("`y` argument is not supported when using a generator or Sequence as input: "
                         "yield (x, y) batches instead.")
    if validation_split:
        raise ValueError("`validation_split` is only supported for NumPy arrays, not for generators; "
                         "pass validation_data instead.")
    if sample_weight is not None:
        raise ValueError("`sample_weight` is not supported with a generator: yield (x, y, sample_weight) batches.")
    model._require_compiled()
    source = BatchSource(data, steps_per_epoch)
    val_source, val_arrays = None, None
    if validation_data is not None:
        if is_batch_source(validation_data):
            val_source = BatchSource(validation_data, validation_steps)
        else:
            val_arrays = model._prepare(*model._unpack_validation(validation_data))
    callback_list = model._fit_callbacks(callbacks, verbose, epochs, source.steps)
    batch_logs = callback_list.wants_batch_logs("train")
    model.stop_training = False
    callback_list.call("on_train_begin", None)
    cached, nan_reported = False, False
    for epoch in range(initial_epoch, epochs):
        if cached:
            model._reset_metrics()
        callback_list.call("on_epoch_begin", epoch, None)
        seen = 0
        for step, batch in enumerate(source.epoch()):
            x, y_batch, w = unpack_batch(batch)
            xs, ys, weights = model._prepare(x, y_batch, w, class_weight)
            if not cached:  # the first batch builds the model, so the step state is known from here on
                model._cache_step_state()
                model._reset_metrics()
                cached = True
            if batch_logs:
                callback_list.call("on_train_batch_begin", step, {"batch": step, "size": len(xs[0])})
            loss = model._train_step(xs, ys, weights)
            seen += 1
            if not nan_reported and not math.isfinite(loss):
                nan_reported = model._warn_diverged(epoch, step, loss, stacklevel=3)
            if batch_logs:
                callback_list.call("on_train_batch_end", step, model._logs())
            if model.stop_training:
                break
        if seen == 0:
            _ran_out_warning(source.steps, epochs)
            break
        logs = model._logs()
        if (epoch + 1) % validation_freq == 0 and (val_source is not None or val_arrays is not None):
            if val_source is not None:
                val_logs = _evaluate_source(model, val_source)
            else:
                val_logs = model._evaluate_arrays(*val_arrays, batch_size=validation_batch_size or 32)
            logs.update((f"val_{name}", value) for name, value in val_logs.items())
        callback_list.call("on_epoch_end", epoch, logs)
        if model.stop_training or (source.exhausted and source.steps is not None):
            if source.exhausted and not model.stop_training:
                _ran_out_warning(source.steps, epochs)
            break
    callback_list.call("on_train_end", None)
    return model.history


def _evaluate_source(model, source):
    cached = False
    for batch in source.epoch():
        x, y, w = unpack_batch(batch)
        xs, ys, weights = model._prepare(x, y, w)
        if not cached:
            model._cache_step_state()
            model._reset_metrics()
            cached = True
        model._test_step(xs, ys, weights)
    if not cached:
        raise ValueError("The generator gave no batches to evaluate on.")
    return model._logs()


def evaluate(model, data, steps=None, verbose="auto", return_dict=False, y=None):
    """`model.evaluate` on a generator/Sequence: loss (and metrics) over its batches."""
    if y is not None:
        raise ValueError("`y` argument is not supported when using a generator or Sequence as input.")
    model._require_compiled()
    source = BatchSource(data, steps)
    logs = _evaluate_source(model, source)
    if verbose not in (0, False):
        from ..utils.progbar import Progbar
        Progbar(source.steps, verbose=1).update(source.steps or 0, logs, finalize=True)
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def predict(model, data, steps=None):
    """`model.predict` on a generator/Sequence: the outputs for every batch, concatenated."""
    results = []
    for batch in BatchSource(data, steps).epoch():
        x = unpack_batch(batch)[0]
        xs = model._inputs_from(x)
        with no_grad():
            results.append([t.value for t in model._forward([Tensor(a) for a in xs], training=False)])
    if not results:
        raise ValueError("The generator gave no batches to predict on.")
    outputs = [xp.concatenate(r) for r in zip(*results)]
    return outputs[0] if len(outputs) == 1 else outputs


class GeneratorMethods:
    """The Keras 2 generator methods, mixed into the training engine."""

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1, class_weight=None,
                      max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Keras 2: `fit` on a generator yielding (x, y) batches."""
        if steps_per_epoch is None and not (hasattr(generator, "__len__") and hasattr(generator, "__getitem__")):
            raise ValueError("`steps_per_epoch=None` is only valid for a generator based on the `keras.utils.Sequence`"
                             " class. Please specify `steps_per_epoch` or use the `keras.utils.Sequence` class.")
        return fit(self, generator, epochs, verbose, callbacks, validation_data, steps_per_epoch, validation_steps,
                   None, validation_freq, class_weight, initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0):
        """Keras 2: `evaluate` on a generator."""
        return evaluate(self, generator, steps, verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0):
        """Keras 2: `predict` on a generator."""
        return predict(self, generator, steps)
