"""The one training engine: compile, fit, evaluate, predict, and their *_on_batch forms.

A training step is: forward pass (ops record the graph) -> weighted loss + regularization
-> `gradients` (reverse pass) -> optimizer update in place -> metric accumulation on arrays.
"""
import math
import warnings

from .. import losses as losses_module
from .. import metrics as metrics_module
from .. import ops, optimizers
from ..autodiff import Tensor, gradients, no_grad
from ..callbacks import CallbackList, History, ProgbarLogger
from ..config import rng, xp
from ..layers.base import shape_str
from ..utils.data import as_list, to_array, to_float
from . import data_adapter, inference
from ..utils.progbar import Progbar


class Trainer(data_adapter.GeneratorMethods):
    """Mixed into Model. Expects `inputs`/`outputs` (KerasTensors) and `_forward(tensors, training)`."""

    compiled = False
    optimizer = None
    stop_training = False
    history = None

    # --- compile ---------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, weighted_metrics=None,
                run_eagerly=None, jit_compile=None, **kwargs):
        """Choose optimizer, loss(es) and metrics by name or object, as in Keras."""
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        self._loss_spec, self._metric_spec = loss, metrics
        self._loss_weights_spec = loss_weights
        self._weighted_metrics_spec = weighted_metrics
        self.compiled = True
        self._compiled_for = None  # per-output losses and metrics are resolved once outputs are known
        if self.built_graph:
            self._resolve_compile()

    def _resolve_compile(self):
        names = self.output_names
        self._loss_fns = [losses_module.get(spec) if spec is not None else None
                        for spec in self._per_output(self._loss_spec, "loss")]
        if any(loss is None for loss in self._loss_fns):
            missing = [n for n, loss in zip(names, self._loss_fns) if loss is None]
            raise ValueError(f"compile() needs a loss for every output; none given for {missing}.")
        weights = self._loss_weights_spec
        self._loss_weights = [1.0] * len(names) if weights is None else [float(w) for w in self._per_output(
            weights, "loss_weights")]
        self._metrics = []  # (output index, Metric, weighted): as Keras, only weighted_metrics see sample weights
        for weighted, metric_spec in ((False, self._metric_spec), (True, self._weighted_metrics_spec)):
            for i, spec in enumerate(self._per_output(metric_spec, "metrics", broadcast_list=True)):
                for item in spec if isinstance(spec, (list, tuple)) else [spec] if spec is not None else []:
                    metric = metrics_module.get(item, self._loss_name(i), self.outputs[i].shape)
                    if len(names) > 1:
                        metric.name = f"{names[i]}_{metric.name}"
                    if weighted and any(m.name == metric.name for _, m, _ in self._metrics):
                        metric.name = f"weighted_{metric.name}"
                    self._metrics.append((i, metric, weighted))
        self._loss_tracker = metrics_module.Mean("loss")
        self._output_loss_trackers = [metrics_module.Mean(f"{n}_loss") for n in names] if len(names) > 1 else []
        self._compiled_for = (id(self.outputs[0]), len(names))

    def _loss_name(self, i):
        fn = self._loss_fns[i].fn
        for name, f in losses_module._FUNCTIONS.items():
            if f is fn:
                return name
        return self._loss_fns[i].name

    def _per_output(self, spec, what, broadcast_list=False):
        """A compile argument as one entry per output (a dict keyed by output name, a list, or one value)."""
        names = self.output_names
        if isinstance(spec, dict):
            unknown = set(spec) - set(names)
            if unknown:
                raise ValueError(f"compile({what}=...) names unknown outputs {sorted(unknown)}; outputs are {names}.")
            return [spec.get(n) for n in names]
        if isinstance(spec, (list, tuple)) and len(names) > 1 and (not broadcast_list or all(
                isinstance(s, (list, tuple)) or s is None for s in spec)):
            if len(spec) != len(names):
                raise ValueError(f"compile({what}=...) has {len(spec)} entries for {len(names)} outputs {names}.")
            return list(spec)
        return [spec] * len(names)

    # --- data ------------------------------------------------------------------------------
    def _by_name(self, data, names, what):
        """A dict of arrays keyed by input/output names, in the model's order (Keras matches names, not order)."""
        if not isinstance(data, dict) or not self.built_graph:
            return data
        unknown = sorted(set(data) - set(names))
        if unknown or len(data) != len(names):
            raise ValueError(f"{what} is a dict with keys {sorted(data)}, but the model's {what} names are {names}.")
        return [data[name] for name in names]

    def _inputs_from(self, x):
        if isinstance(x, dict):
            x = self._by_name(x, self.input_names, "input")
        xs = [to_float(to_array(v, "x")) for v in as_list(x)]
        if not xs:
            raise ValueError("No input data: pass x to fit/evaluate/predict.")
        self._ensure_built(xs)
        if len(xs) != len(self.inputs):
            raise ValueError(f'Model "{self.name}" expects {len(self.inputs)} input(s), but received {len(xs)} '
                             f"input array(s).")
        for i, (array, tensor) in enumerate(zip(xs, self.inputs)):
            expected = tensor.shape
            if array.ndim == len(expected) - 1 and expected[-1] == 1:  # (n,) for input_shape=(1,), as Keras 2
                array = xs[i] = array.reshape(array.shape + (1,))
            if array.shape[1:] != expected[1:] and (array.ndim != len(expected) or any(
                    e is not None and e != a for e, a in zip(expected[1:], array.shape[1:]))):
                raise ValueError(f'Input {i} of layer "{self._consumer_name(i)}" is incompatible with the layer: '
                                 f"expected shape={shape_str(expected)}, found shape={shape_str(array.shape)}")
            if array.shape[0] == 0:
                raise ValueError(f'Input {i} of layer "{self._consumer_name(i)}" is empty (shape '
                                 f"{shape_str(array.shape)}): there is nothing to compute.")
        return xs

    def _targets_from(self, y):
        ys = [to_array(v, "y") for v in as_list(self._by_name(y, self.output_names, "output"))]
        if len(ys) != len(self.outputs):
            raise ValueError(f'Model "{self.name}" has {len(self.outputs)} output(s) {self.output_names}, but '
                             f"received {len(ys)} target array(s).")
        for i, (array, tensor) in enumerate(zip(ys, self.outputs)):
            ys[i] = self._fit_target(array, tensor.shape, i)
        return ys

    def _fit_target(self, y, out_shape, i):
        """Check y against the output shape (reshaping (n,) to (n, 1) as Keras does)."""
        loss_name = self._loss_name(i)
        sparse = loss_name == "sparse_categorical_crossentropy"
        if y.ndim == len(out_shape) - 1 and not sparse:
            if out_shape[-1] == 1:
                y = y.reshape(y.shape + (1,))
        expected = out_shape[1:-1] if sparse else out_shape[1:]
        received = y.shape[1:-1] if sparse and y.ndim == len(out_shape) else y.shape[1:]
        compatible = len(expected) == len(received) and all(e is None or e == r for e, r in zip(expected, received))
        if sparse and y.ndim == len(out_shape) and y.shape[-1] != 1:
            compatible = False
        if not compatible:
            hint = ""
            if loss_name == "categorical_crossentropy" and y.ndim == 1:
                hint = (" The targets look like class labels: one-hot encode them with to_categorical, or use "
                        "loss='sparse_categorical_crossentropy'.")
            raise ValueError(f"Target y{'' if len(self.outputs) == 1 else f'[{i}]'} has shape {shape_str(y.shape)}"
                             f", which cannot match the output of layer \"{self._producer_name(i)}\" of shape "
                             f"{shape_str(out_shape)} with loss '{loss_name}'.{hint}")
        if y.shape[0] == 0:
            raise ValueError("Target y is empty: there is nothing to train on.")
        classes = out_shape[-1]
        if sparse and classes is not None and (y.min() < 0 or y.max() >= classes):
            raise ValueError(f"Target y holds class labels from {y.min():g} to {y.max():g}, but the output of layer "
                             f"\"{self._producer_name(i)}\" of shape {shape_str(out_shape)} has {classes} classes: "
                             f"labels must lie in [0, {classes}).")
        return to_float(y) if not sparse else y

    def _consumer_name(self, i):
        for node in self._nodes:
            if any(t is self.inputs[i] for t in node.inputs):
                return node.layer.name
        return self.name

    def _producer_name(self, i):
        return self.outputs[i].history[0].name

    @staticmethod
    def _check_cardinality(*arrays_lists):
        sizes = {len(a) for arrays in arrays_lists for a in arrays if a is not None}
        if len(sizes) > 1:
            described = ", ".join(f"{len(a)}" for arrays in arrays_lists for a in arrays if a is not None)
            raise ValueError(f"Data cardinality is ambiguous: x, y (and sample weights) have different numbers of "
                             f"samples ({described}). Make sure all arrays contain the same number of samples.")

    def _sample_weights(self, sample_weight, class_weight, ys):
        if class_weight is not None:
            y = ys[0]
            labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
            table = xp.ones(int(max(max(class_weight), labels.max())) + 1, dtype=xp.float32)
            for cls, weight in class_weight.items():
                table[int(cls)] = weight
            weights = table[labels.astype(xp.intp)]
            if sample_weight is not None:
                weights = weights * to_array(sample_weight, "sample_weight").reshape(len(y))
            return weights
        if sample_weight is not None:
            return to_float(to_array(sample_weight, "sample_weight"))
        return None

    def _require_compiled(self):
        if not self.compiled:
            raise RuntimeError("You must compile your model before training/testing. "
                               "Use `model.compile(optimizer, loss)`.")

    def _prepare(self, x, y, sample_weight=None, class_weight=None):
        self._require_compiled()
        xs = self._inputs_from(x)
        if self._compiled_for != (id(self.outputs[0]), len(self.outputs)):
            self._resolve_compile()
        if y is None:
            raise ValueError("Training and evaluation need targets y.")
        ys = self._targets_from(y)
        weights = self._sample_weights(sample_weight, class_weight, ys)
        self._check_cardinality(xs, ys, [weights])
        return xs, ys, weights

    @staticmethod
    def _batch_size(batch_size):
        """The Keras default 32 for None; anything but a positive integer is refused."""
        if batch_size is None:
            return 32
        if not isinstance(batch_size, (int, xp.integer)) or batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, received batch_size={batch_size!r}.")
        return batch_size

    # --- one step --------------------------------------------------------------------------
    def _cache_step_state(self):
        """What every step needs, looked up once per fit/evaluate rather than once per batch."""
        self._trainable_variables = self.trainable_weights
        self._penalized_layers = [layer for layer in self._all_layers()
                                  if layer._regularized or layer.activity_regularizer is not None]

    def _total_loss(self, outputs, ys, weights):
        total, per_output = None, []
        for loss_fn, weight, out, y in zip(self._loss_fns, self._loss_weights, outputs, ys):
            value = loss_fn(y, out, weights)
            per_output.append(value)
            value = value if weight == 1.0 else ops.multiply(value, weight)
            total = value if total is None else ops.add(total, value)
        for layer in self._penalized_layers:
            for penalty in layer.losses:
                total = ops.add(total, penalty)
        return total, per_output

    def _update_metrics(self, total, per_output, outputs, ys, weights):
        n = len(ys[0])
        self._loss_tracker.total += float(total.value) * n
        self._loss_tracker.count += n
        for tracker, value in zip(self._output_loss_trackers, per_output):
            tracker.total += float(value.value) * n
            tracker.count += n
        for i, metric, weighted in self._metrics:
            metric.update_state(ys[i], outputs[i].value, weights if weighted else None)

    def _train_step(self, xs, ys, weights):
        outputs = self._forward([Tensor(x) for x in xs], training=True)
        total, per_output = self._total_loss(outputs, ys, weights)
        variables = self._trainable_variables
        grads = gradients(total, variables)
        self.optimizer.apply(grads, variables)
        self._update_metrics(total, per_output, outputs, ys, weights)
        return total.value

    def _test_step(self, xs, ys, weights):
        with no_grad():
            outputs = self._forward([Tensor(x) for x in xs], training=False)
            total, per_output = self._total_loss(outputs, ys, weights)
        self._update_metrics(total, per_output, outputs, ys, weights)

    def _reset_metrics(self):
        self._loss_tracker.reset_state()
        for tracker in self._output_loss_trackers:
            tracker.reset_state()
        for _, metric, _ in self._metrics:
            metric.reset_state()

    def _logs(self):
        logs = {"loss": self._loss_tracker.result()}
        logs.update((t.name, t.result()) for t in self._output_loss_trackers)
        logs.update((m.name, m.result()) for _, m, _ in self._metrics)
        return logs

    @property
    def metrics_names(self):
        return list(self._logs()) if self.compiled and getattr(self, "_compiled_for", None) else []

    # --- fit -------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1, **kwargs):
        """Train for `epochs` passes over (x, y) in mini-batches; returns a History."""
        if kwargs.pop("nb_epoch", None) is not None:
            raise TypeError("fit(nb_epoch=...) is Keras 1 spelling: use epochs=.")
        if kwargs:
            raise TypeError(f"fit() got unexpected keyword argument(s) {sorted(kwargs)}.")
        if data_adapter.is_batch_source(x):  # a generator, iterator or Sequence of batches
            return data_adapter.fit(self, x, epochs, verbose, callbacks, validation_data, steps_per_epoch,
                                    validation_steps, validation_batch_size, validation_freq, class_weight,
                                    initial_epoch, y, validation_split, sample_weight)
        batch_size = self._batch_size(batch_size)
        if not 0 <= validation_split < 1:
            raise ValueError(f"validation_split must be in [0, 1), received validation_split={validation_split}.")
        xs, ys, weights = self._prepare(x, y, sample_weight, class_weight)
        val = None
        if validation_data is not None:
            val = self._prepare(*self._unpack_validation(validation_data))
        elif validation_split:
            split = int(len(xs[0]) * (1 - validation_split))
            if split == 0 or split == len(xs[0]):
                raise ValueError(f"validation_split={validation_split} leaves no samples for training or validation"
                                 f" out of {len(xs[0])}.")
            cut = lambda arrays: ([a[:split] for a in arrays], [a[split:] for a in arrays])  # noqa: E731
            (xs, val_xs), (ys, val_ys) = cut(xs), cut(ys)
            val_w = None
            if weights is not None:
                weights, val_w = weights[:split], weights[split:]
            val = (val_xs, val_ys, val_w)
        n = len(xs[0])
        steps = steps_per_epoch or math.ceil(n / batch_size)
        callback_list = self._fit_callbacks(callbacks, verbose, epochs, steps)
        batch_logs = callback_list.wants_batch_logs("train")
        self._cache_step_state()
        self.stop_training = False
        callback_list.call("on_train_begin", None)
        nan_reported = False
        for epoch in range(initial_epoch, epochs):
            self._reset_metrics()
            callback_list.call("on_epoch_begin", epoch, None)
            order = rng().permutation(n) if shuffle else None
            if order is not None:  # one gather per epoch; batches are then contiguous views
                xs_epoch, ys_epoch = [a[order] for a in xs], [a[order] for a in ys]
                w_epoch = weights[order] if weights is not None else None
            else:
                xs_epoch, ys_epoch, w_epoch = xs, ys, weights
            for step in range(steps):
                start = (step * batch_size) % n
                stop = start + batch_size
                if batch_logs:
                    callback_list.call("on_train_batch_begin", step, {"batch": step, "size": min(stop, n) - start})
                loss = self._train_step([a[start:stop] for a in xs_epoch], [a[start:stop] for a in ys_epoch],
                                        None if w_epoch is None else w_epoch[start:stop])
                if not nan_reported and not math.isfinite(loss):
                    nan_reported = self._warn_diverged(epoch, step, loss, stacklevel=2)
                if batch_logs:
                    callback_list.call("on_train_batch_end", step, self._logs())
                if self.stop_training:
                    break
            logs = self._logs()
            if val is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._evaluate_arrays(*val, batch_size=validation_batch_size or batch_size,
                                                 callback_list=callback_list)
                logs.update((f"val_{name}", value) for name, value in val_logs.items())
            callback_list.call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        callback_list.call("on_train_end", None)
        return self.history

    def _fit_callbacks(self, callbacks, verbose, epochs, steps):
        """The callbacks of one fit: the progress bar (unless verbose=0), the user's, and a fresh History."""
        verbose = 1 if verbose == "auto" else verbose
        self.history = History()
        return CallbackList(([ProgbarLogger(verbose)] if verbose else []) + list(callbacks or []) + [self.history],
                            self, {"verbose": verbose, "epochs": epochs, "steps": steps})

    @staticmethod
    def _warn_diverged(epoch, step, loss, stacklevel):
        """Warn (once per fit: the caller keeps the returned True) that the loss is no longer finite;
        `stacklevel` counts from the caller, so the warning points at the user's fit call."""
        warnings.warn(f"Epoch {epoch + 1}, batch {step}: the loss is {loss}. Training diverged: try a smaller "
                      "learning rate, scaled inputs, or clipnorm.", RuntimeWarning, stacklevel=stacklevel + 1)
        return True

    @staticmethod
    def _unpack_validation(data):
        if not isinstance(data, (list, tuple)) or len(data) not in (2, 3):
            raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight).")
        return tuple(data) if len(data) == 3 else (data[0], data[1], None)

    # --- evaluate / predict ----------------------------------------------------------------
    def _evaluate_arrays(self, xs, ys, weights, batch_size=32, callback_list=None):
        """Loss and metrics over the data; the callbacks' on_test_* hooks are called around it."""
        self._cache_step_state()
        self._reset_metrics()
        if callback_list is not None:
            callback_list.call("on_test_begin", None)
        batch_hooks = callback_list is not None and callback_list.wants_batch_logs("test")
        n = len(xs[0])
        for step, start in enumerate(range(0, n, batch_size)):
            stop = start + batch_size
            if batch_hooks:
                callback_list.call("on_test_batch_begin", step, {"batch": step, "size": min(stop, n) - start})
            self._test_step([a[start:stop] for a in xs], [a[start:stop] for a in ys],
                            None if weights is None else weights[start:stop])
            if batch_hooks:
                callback_list.call("on_test_batch_end", step, self._logs())
        logs = self._logs()
        if callback_list is not None:
            callback_list.call("on_test_end", logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False, **kwargs):
        """Loss (and metrics) on (x, y): a scalar if there are no metrics, else [loss, *metrics]."""
        if data_adapter.is_batch_source(x):
            return data_adapter.evaluate(self, x, steps, verbose, return_dict, y)
        batch_size = self._batch_size(batch_size)
        xs, ys, weights = self._prepare(x, y, sample_weight)
        steps = math.ceil(len(xs[0]) / batch_size)
        bar = Progbar(steps, verbose=1) if verbose not in (0, False) else None
        callback_list = CallbackList(callbacks, self, {"verbose": verbose, "epochs": 1, "steps": steps}) \
            if callbacks else None
        logs = self._evaluate_arrays(xs, ys, weights, batch_size, callback_list)
        if bar is not None:
            bar.update(steps, logs, finalize=True)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None, **kwargs):
        """Model outputs for x, computed in batches (inference mode: no dropout, no graph)."""
        if type(x) is xp.ndarray and callbacks is None:  # an array like one seen before: replay its plan
            plan = self._plans.get(((x.shape, x.dtype),))
            outputs = plan([x]) if plan is not None and len(x) <= self._batch_size(batch_size) else None
            if outputs is not None:
                return outputs[0] if len(outputs) == 1 else outputs
        if data_adapter.is_batch_source(x):
            return data_adapter.predict(self, x, steps)
        batch_size = self._batch_size(batch_size)
        xs = self._inputs_from(x)
        n = len(xs[0])
        if callbacks:
            return self._predict_with_callbacks(xs, batch_size, callbacks, verbose)
        with no_grad():
            if n <= batch_size:  # one batch: no slicing, no concatenation
                outputs = self._predict_batch(xs)
            else:
                results = [self._predict_batch([a[start:start + batch_size] for a in xs])
                           for start in range(0, n, batch_size)]
                outputs = [xp.concatenate(r) for r in zip(*results)]
        return outputs[0] if len(outputs) == 1 else outputs

    def _predict_batch(self, arrays):
        """The model's output arrays for one batch of input arrays, in inference mode: replayed from the
        plan recorded for inputs of these shapes and dtypes when the model allows it (inference.py).
        Only batches of up to 32 rows (predict's default) get a plan: it is Python overhead that replay
        saves, which only small batches notice, and a plan's ops hold on to their latest arrays."""
        signature = tuple((a.shape, a.dtype) for a in arrays)
        plan = self._plans.get(signature)
        outputs = None if plan is None else plan(arrays)
        if outputs is not None:
            return outputs
        if plan is not None or len(arrays[0]) > 32:  # the plan is busy in another thread, or none is wanted
            return inference.run(self, arrays)
        outputs, plan = inference.run_and_record(self, arrays)
        if plan is not None:
            if len(self._plans) >= 8:  # a few batch sizes are usual; any more, start afresh
                self._plans.clear()
            self._plans[signature] = plan
        return outputs

    def _predict_with_callbacks(self, xs, batch_size, callbacks, verbose):
        """predict, calling on_predict_* hooks; batch-end logs hold the batch's {'outputs': ...}."""
        n = len(xs[0])
        callback_list = CallbackList(callbacks, self, {"verbose": verbose, "epochs": 1,
                                                       "steps": math.ceil(n / batch_size)})
        callback_list.call("on_predict_begin", None)
        results = []
        for step, start in enumerate(range(0, n, batch_size)):
            callback_list.call("on_predict_batch_begin", step, {"batch": step})
            with no_grad():
                outputs = self._predict_batch([a[start:start + batch_size] for a in xs])
            results.append(outputs)
            callback_list.call("on_predict_batch_end", step, {"outputs": outputs[0] if len(outputs) == 1 else outputs})
        callback_list.call("on_predict_end", None)
        outputs = [xp.concatenate(r) for r in zip(*results)]
        return outputs[0] if len(outputs) == 1 else outputs

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Keras 2: argmax of the outputs, or (probability > 0.5) as int32 (n, 1) for one sigmoid unit."""
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Keras 2: the predicted probabilities, i.e. predict(x)."""
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=len(as_list(x)[0]) or 1)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True,
                       return_dict=False):
        xs, ys, weights = self._prepare(x, y, sample_weight, class_weight)
        self._cache_step_state()
        if reset_metrics:
            self._reset_metrics()
        self._train_step(xs, ys, weights)
        return self._batch_result(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        xs, ys, weights = self._prepare(x, y, sample_weight)
        self._cache_step_state()
        if reset_metrics:
            self._reset_metrics()
        self._test_step(xs, ys, weights)
        return self._batch_result(return_dict)

    def _batch_result(self, return_dict):
        logs = self._logs()
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values
