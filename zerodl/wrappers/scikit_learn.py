"""scikit-learn estimators around zerodl models: `KerasClassifier` and `KerasRegressor`.

Both Keras-era spellings work:

- Keras 2: `KerasClassifier(build_fn=create_model, epochs=10, batch_size=5, verbose=0)`. Each parameter
  goes where its name fits: `build_fn`'s own arguments (e.g. `optimizer='adam'` for
  `create_model(optimizer='rmsprop')`), `fit` (epochs, batch_size, verbose, callbacks, ...) and `predict`.
  After `fit`, `clf.model` is the trained model, as in Keras 2.
- scikeras: `KerasClassifier(model=get_model, loss=..., optimizer='adam', epochs=10, model__units=8,
  fit__validation_split=0.1, optimizer__learning_rate=0.01)`, where `model` is a function returning a
  model (compiled or not) or a model instance (copied for every fit). Prefixed parameters are routed
  to the model function (`model__`), `fit` (`fit__`), `predict` (`predict__`), `compile` (`compile__`)
  and the optimizer's constructor (`optimizer__`). A model function may also ask for `meta` (what the
  data looked like: n_features_in_, classes_, n_classes_, ...) and `compile_kwargs`.

`fit` builds a fresh model each time (unless `warm_start=True`) and returns the estimator; the training
history is in `history_` (and `history`, the Keras 2 name). Fitted estimators pickle as their weights,
the model being rebuilt from the same build function and parameters on loading.
"""
import copy
import inspect

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("zerodl.wrappers.scikit_learn needs scikit-learn: pip install 'zerodl[sklearn]'") from exc

from .. import optimizers
from ..models import Model

_OWN = ("model", "build_fn", "warm_start", "random_state")
_PREFIXES = ("model__", "fit__", "predict__", "compile__", "optimizer__")
_COMPILE_ARGS = ("optimizer", "loss", "metrics", "loss_weights", "weighted_metrics", "run_eagerly", "jit_compile")
_PREDICT_ARGS = ("batch_size", "verbose")


def _named_args(fn):
    """The names `fn` takes, and whether it also takes **kwargs."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return set(), True
    names = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return names, any(p.kind is p.VAR_KEYWORD for p in parameters)


_FIT_ARGS = _named_args(Model.fit)[0] - {"self", "x", "y"}


class BaseWrapper(BaseEstimator):
    """Shared by KerasClassifier and KerasRegressor: parameters, routing, building, fitting, pickling."""

    def __init__(self, model=None, build_fn=None, warm_start=False, random_state=None, **sk_params):
        self.model = model
        self.build_fn = build_fn
        self.warm_start = warm_start
        self.random_state = random_state
        self.sk_params = sk_params

    # --- parameters (sklearn's get_params/set_params, so clone and GridSearchCV work) ----------
    def get_params(self, deep=True):
        params = {} if self.build_fn is not None else {"model": self.model}  # Keras 2: model is the fitted one
        params.update(build_fn=self.build_fn, warm_start=self.warm_start, random_state=self.random_state)
        params.update(self.sk_params)
        return params

    def set_params(self, **params):
        for name, value in params.items():
            if name in _OWN:
                setattr(self, name, value)
            else:
                self.sk_params[name] = value
        return self

    def __getattr__(self, name):  # clf.epochs reads the sk_param, as scikeras' attributes do
        sk_params = self.__dict__.get("sk_params", {})
        if name in sk_params:
            return sk_params[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    # --- routing -------------------------------------------------------------------------------
    def _build_function(self):
        if self.build_fn is not None:
            return self.build_fn
        if isinstance(self.model, Model):
            return None
        if self.model is not None:
            if not callable(self.model):
                raise TypeError(f"model= must be a function returning a model, or a model; got {self.model!r}.")
            return self.model
        if type(self).__call__ is not BaseWrapper.__call__:
            return self.__call__  # Keras 2: a subclass defining __call__ builds the model
        raise ValueError(f"{type(self).__name__} needs build_fn= (Keras 2) or model= (scikeras): a function "
                         "returning a model, or a model.")

    def __call__(self, *args, **kwargs):  # overridden by Keras 2-style subclasses
        raise NotImplementedError

    def _routed(self, prefix):
        return {k[len(prefix):]: v for k, v in self.sk_params.items() if k.startswith(prefix)}

    def _plain(self):
        return {k: v for k, v in self.sk_params.items() if "__" not in k}

    def _check_params(self, build):
        names, any_kwargs = _named_args(build) if build is not None else (set(), False)
        legal = names | _FIT_ARGS | set(_PREDICT_ARGS) | set(_COMPILE_ARGS) | {"nb_epoch"}
        for name in self.sk_params:
            if "__" in name:
                if not name.startswith(_PREFIXES):
                    raise ValueError(f"{name} is not a legal parameter: prefixes are {', '.join(_PREFIXES)}")
            elif name not in legal and not any_kwargs:
                raise ValueError(f"{name} is not a legal parameter")

    def _build_args(self, build, meta):
        names, any_kwargs = _named_args(build)
        plain, routed = self._plain(), self._routed("model__")
        args = {k: v for k, v in plain.items() if k in names}
        if any_kwargs:  # a **kwargs build function also gets the names nothing else takes
            args.update((k, v) for k, v in plain.items()
                        if k not in _FIT_ARGS and k not in _PREDICT_ARGS and k not in _COMPILE_ARGS)
        args.update(routed)
        if "meta" in names:
            args["meta"] = dict(meta)
        if "compile_kwargs" in names:
            args["compile_kwargs"] = self._compile_args(None)
        return args

    def _fit_args(self, **overrides):
        args = {k: v for k, v in self._plain().items() if k in _FIT_ARGS}
        if "nb_epoch" in self.sk_params:  # Keras 1 spelling of epochs
            args.setdefault("epochs", self.sk_params["nb_epoch"])
        args.update(self._routed("fit__"))
        args.update(overrides)
        return args

    def _predict_args(self):
        args = {k: v for k, v in self._plain().items() if k in _PREDICT_ARGS}
        args.setdefault("verbose", 0)
        args.update(self._routed("predict__"))
        return args

    def _optimizer(self):
        spec = self.sk_params.get("optimizer", "rmsprop")
        options = self._routed("optimizer__")
        if isinstance(spec, type):
            return spec(**options)
        if isinstance(spec, str):
            return type(optimizers.get(spec))(**options) if options else spec
        spec = copy.deepcopy(spec)  # an instance: a fresh copy per fit, so no state leaks between folds
        for name, value in options.items():
            setattr(spec, name, value)
        return spec

    def _compile_args(self, model):
        args = {k: v for k, v in self._plain().items() if k in _COMPILE_ARGS}
        args.update(self._routed("compile__"))
        args["optimizer"] = self._optimizer()
        if args.get("loss") is None and model is not None:
            args["loss"] = self._default_loss(model)
        return args

    # --- building and fitting ------------------------------------------------------------------
    def _build_keras_model(self, meta):
        build = self._build_function()
        if build is None:
            model = copy.deepcopy(self.model)
        else:
            model = build(**self._build_args(build, meta))
        if not isinstance(model, Model):
            raise TypeError(f"The model function must return a zerodl model, got {type(model).__name__}.")
        if not model.built_graph:
            model.build((None,) + tuple(meta["X_shape"][1:]))
        if not model.compiled:
            model.compile(**self._compile_args(model))
        return model

    @staticmethod
    def _inputs(X):
        if isinstance(X, (list, tuple)) and X and hasattr(X[0], "shape"):
            return [np.asarray(x) for x in X]
        return np.asarray(X)

    def fit(self, X, y, sample_weight=None, **kwargs):
        """Build a model (a fresh one unless warm_start) and train it on (X, y); returns self."""
        return self._fit(X, y, sample_weight, warm=self.warm_start, **kwargs)

    def partial_fit(self, X, y, sample_weight=None, **kwargs):
        """One more epoch on (X, y), keeping the model already trained."""
        kwargs["epochs"] = 1
        return self._fit(X, y, sample_weight, warm=True, **kwargs)

    def _fit(self, X, y, sample_weight, warm, **kwargs):
        if self.random_state is not None:
            from ..utils import set_random_seed
            set_random_seed(self.random_state)
        X = self._inputs(X)
        reuse = warm and getattr(self, "model_", None) is not None
        y = encoded = self._encode_targets(y, reuse)
        first = X[0] if isinstance(X, list) else X
        self.n_features_in_ = first.shape[1] if first.ndim == 2 else None
        self._meta = self._metadata(first)
        if not reuse:
            self._check_params(self._build_function())
            self.model_ = self._build_keras_model(self._meta)
        y = self._model_targets(y, self.model_)
        args = self._fit_options(self._fit_args(**kwargs), encoded)
        if sample_weight is not None:
            args["sample_weight"] = np.asarray(sample_weight)
        history = self.model_.fit(X, y, **args)
        self.history_ = self.history = history.history
        if self.build_fn is not None:
            self.model = self.model_  # Keras 2: clf.model is the trained model
        return self

    def _metadata(self, X):
        return {"X_shape": X.shape, "n_features_in_": self.n_features_in_}

    def _fit_options(self, args, encoded):
        return args

    def _encode_targets(self, y, reuse):
        return np.asarray(y)

    def _model_targets(self, y, model):
        return y

    def _predict_raw(self, X):
        if getattr(self, "model_", None) is None:
            from sklearn.exceptions import NotFittedError
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet. Call 'fit' first.")
        return self.model_.predict(self._inputs(X), **self._predict_args())

    # --- pickling: weights, not the live model -------------------------------------------------
    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: object.__getstate__ hands back __dict__ itself
        model = state.get("model_")
        if model is not None:
            state["model_"] = None
            state["_weights"] = model.get_weights()
            if state.get("model") is model:
                state["model"] = None
        return state

    def __setstate__(self, state):
        weights = state.pop("_weights", None)
        super().__setstate__(state)
        if weights is not None:
            self.model_ = self._build_keras_model(self._meta)
            self.model_.set_weights(weights)
            if self.build_fn is not None:
                self.model = self.model_


class KerasClassifier(ClassifierMixin, BaseWrapper):
    """A scikit-learn classifier. Labels may be any values (strings too): `classes_` holds them in
    sorted order. A one-unit (sigmoid) output learns 0/1 targets; a k-unit output one-hot targets, or
    integer ones with a sparse loss. Without a compiled model or a `loss`, the loss is
    binary_crossentropy for one unit and sparse_categorical_crossentropy otherwise."""

    def _encode_targets(self, y, reuse):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:  # already one-hot (Keras 2 allowed it)
            if not reuse:
                self.classes_ = np.arange(y.shape[1])
            self._one_hot_input = True
            return y
        self._one_hot_input = False
        y = y.reshape(-1)
        if reuse:
            encoded = np.searchsorted(self.classes_, y)
            if np.any(encoded >= len(self.classes_)) or np.any(self.classes_[np.minimum(
                    encoded, len(self.classes_) - 1)] != y):
                raise ValueError("warm_start/partial_fit: y has labels not seen in the first fit.")
            return encoded
        self.classes_, encoded = np.unique(y, return_inverse=True)
        return encoded

    @property
    def n_classes_(self):
        return len(self.classes_)

    def _metadata(self, X):
        meta = super()._metadata(X)
        meta.update(classes_=self.classes_, n_classes_=len(self.classes_),
                    n_outputs_expected_=1 if len(self.classes_) <= 2 else len(self.classes_),
                    target_type_="binary" if len(self.classes_) <= 2 else "multiclass")
        return meta

    def _default_loss(self, model):
        return "binary_crossentropy" if model.outputs[0].shape[-1] == 1 else "sparse_categorical_crossentropy"

    def _model_targets(self, y, model):
        units = model.outputs[0].shape[-1]
        if self._one_hot_input:
            return y
        if units == 1:
            if len(self.classes_) > 2:
                raise ValueError(f"The model has one output unit, which cannot separate {len(self.classes_)} "
                                 "classes: end it with Dense(n_classes, activation='softmax').")
            return y.astype("float32")
        if "sparse" in _loss_name(model):
            return y
        from ..utils import to_categorical
        return to_categorical(y, units)

    def _fit_options(self, args, encoded):
        """class_weight keyed by the labels as given (or 'balanced'), turned into class indices."""
        weights = args.get("class_weight")
        labels = encoded.argmax(axis=1) if self._one_hot_input else encoded
        if isinstance(weights, str) and weights == "balanced":
            from sklearn.utils.class_weight import compute_class_weight
            classes = np.arange(len(self.classes_))
            args["class_weight"] = dict(enumerate(compute_class_weight("balanced", classes=classes, y=labels)))
        elif isinstance(weights, dict) and not self._one_hot_input:
            index = {c: i for i, c in enumerate(self.classes_.tolist())}
            args["class_weight"] = {index.get(k, k): v for k, v in weights.items()}
        return args

    def predict_proba(self, X):
        """Class probabilities, shape (n, n_classes): [1 - p, p] for a one-unit sigmoid output."""
        proba = self._predict_raw(X)
        if proba.ndim == 1 or proba.shape[1] == 1:
            proba = proba.reshape(-1, 1)
            return np.hstack([1 - proba, proba])
        return proba

    def predict(self, X):
        """The predicted labels, as the values given in y (classes_)."""
        proba = self._predict_raw(X)
        if proba.ndim == 1 or proba.shape[1] == 1:
            index = (proba.reshape(-1) > 0.5).astype(int)
        else:
            index = proba.argmax(axis=-1)
        return self.classes_[index]

    def score(self, X, y, sample_weight=None):
        """Accuracy of predict(X) against y."""
        from sklearn.metrics import accuracy_score
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            y = y.argmax(axis=1)
        return accuracy_score(y.reshape(-1), self.predict(X), sample_weight=sample_weight)


class KerasRegressor(RegressorMixin, BaseWrapper):
    """A scikit-learn regressor. `score` is R² in the scikeras form (model=) and minus the loss in the
    Keras 2 form (build_fn=), as each returned. Without a compiled model or a `loss`, the loss is mse."""

    def _default_loss(self, model):
        return "mse"

    def _encode_targets(self, y, reuse):
        return np.asarray(y, dtype="float32")

    def predict(self, X):
        out = self._predict_raw(X)
        return out.reshape(-1) if out.ndim == 2 and out.shape[1] == 1 else out

    def score(self, X, y, sample_weight=None):
        if self.build_fn is None:
            from sklearn.metrics import r2_score
            return r2_score(np.asarray(y, dtype="float32"), self.predict(X), sample_weight=sample_weight)
        loss = self.model_.evaluate(self._inputs(X), np.asarray(y, dtype="float32"), verbose=0,
                                    sample_weight=sample_weight, batch_size=self.sk_params.get("batch_size"))
        return -(loss[0] if isinstance(loss, list) else loss)


def _loss_name(model):
    """The compiled loss of the first output as a snake_case name ('' when unknown)."""
    loss = model.loss
    if isinstance(loss, dict):
        loss = next(iter(loss.values()), None)
    elif isinstance(loss, (list, tuple)):
        loss = loss[0] if loss else None
    if isinstance(loss, str):
        return loss.lower()
    name = getattr(loss, "__name__", None) or getattr(getattr(loss, "fn", None), "__name__", None) \
        or getattr(loss, "name", None) or type(loss).__name__
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
