"""KerasClassifier / KerasRegressor with scikit-learn: Keras 2 (build_fn=) and scikeras (model=) forms,
cross-validation, grid search, pipelines, joblib workers, clone and pickle."""
import pickle
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn")
pd = pytest.importorskip("pandas")

from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.metrics import r2_score  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from zerodl.layers import Dense  # noqa: E402
from zerodl.models import Model, Sequential  # noqa: E402
from zerodl.optimizers import SGD, Adam  # noqa: E402
from zerodl.wrappers.scikit_learn import KerasClassifier, KerasRegressor  # noqa: E402


@pytest.fixture
def banknotes(data_dir):
    df = pd.read_csv(data_dir / "course" / "banknotes.csv")
    return df.drop("class", axis=1).values, df["class"].values


# Module-level build functions, so joblib workers and pickle find them by name.
def build_logistic_regression_model():
    model = Sequential()
    model.add(Dense(1, input_shape=(4,), activation="sigmoid"))
    model.compile(Adam(lr=0.1), "binary_crossentropy", metrics=["accuracy"])
    return model


def build_hidden(units=4, optimizer="adam", lr=0.05):
    model = Sequential([Dense(units, input_shape=(4,), activation="relu"), Dense(1, activation="sigmoid")])
    model.compile({"adam": Adam, "sgd": SGD}[optimizer](lr=lr), "binary_crossentropy", metrics=["accuracy"])
    return model


def get_model(hidden=8, meta=None):
    """scikeras style: uncompiled, sized from the data."""
    return Sequential([Dense(hidden, input_shape=(meta["n_features_in_"],), activation="relu"),
                       Dense(meta["n_classes_"], activation="softmax")])


def build_regressor():
    model = Sequential([Dense(1, input_shape=(4,))])
    model.compile(SGD(lr=0.01), "mse")
    return model


# --- Keras 2 form: build_fn= -------------------------------------------------------------------
def test_lecture38_cross_val_score_kfold(banknotes):
    X, y = banknotes
    model = KerasClassifier(build_fn=build_logistic_regression_model, epochs=10, verbose=0)
    scores = cross_val_score(model, X, y, cv=KFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,) and scores.mean() >= 0.95


def test_stratified_kfold_and_string_labels(banknotes):
    X, y = banknotes
    labels = np.where(y == 1, "forged", "genuine")
    model = KerasClassifier(build_fn=build_hidden, units=8, epochs=5, batch_size=16, verbose=0)
    scores = cross_val_score(model, X, labels, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    assert scores.mean() >= 0.95
    model.fit(X, labels)
    assert list(model.classes_) == ["forged", "genuine"] and model.n_classes_ == 2
    assert set(model.predict(X[:50])) <= {"forged", "genuine"}
    proba = model.predict_proba(X[:50])
    assert proba.shape == (50, 2) and np.allclose(proba.sum(axis=1), 1)
    # classes_ are sorted: column 1 is 'genuine', which the sigmoid unit learned as y == 1 ('genuine' -> 1)
    np.testing.assert_array_equal(model.predict(X[:50]), model.classes_[proba.argmax(axis=1)])


def test_build_fn_arguments_routed_by_name(banknotes):
    X, y = banknotes
    clf = KerasClassifier(build_fn=build_hidden, units=3, optimizer="sgd", epochs=2, batch_size=64, verbose=0)
    history = clf.fit(X, y).history  # fit returns the estimator; .history is the Keras 2 dict
    assert isinstance(clf.model, Model) and clf.model is clf.model_  # Keras 2: clf.model is the trained one
    assert clf.model.layers[0].units == 3 and type(clf.model.optimizer).__name__ == "SGD"
    assert len(history["loss"]) == 2 and history["acc"] is history["accuracy"]
    with pytest.raises(ValueError, match="unit is not a legal parameter"):
        KerasClassifier(build_fn=build_hidden, unit=3, verbose=0).fit(X, y)
    with pytest.raises(ValueError, match="not a legal parameter: prefixes"):
        KerasClassifier(build_fn=build_hidden, hidden__units=3, verbose=0).fit(X, y)


def test_grid_search_pipeline_with_joblib_workers(banknotes):
    X, y = banknotes
    pipe = Pipeline([("scale", StandardScaler()),
                     ("clf", KerasClassifier(build_fn=build_hidden, epochs=2, verbose=0))])
    grid = GridSearchCV(pipe, {"clf__units": [2, 8], "clf__optimizer": ["sgd", "adam"]}, cv=3, n_jobs=2)
    grid.fit(X, y)
    assert set(grid.best_params_) == {"clf__units", "clf__optimizer"}
    assert grid.cv_results_["mean_test_score"].shape == (4,) and grid.best_score_ >= 0.9
    assert grid.score(X, y) >= 0.9
    assert grid.best_estimator_.named_steps["clf"].model_.layers[0].units == grid.best_params_["clf__units"]


def test_clone_get_params_set_params():
    clf = KerasClassifier(build_fn=build_hidden, units=3, epochs=2, verbose=0)
    params = clf.get_params()
    assert params["build_fn"] is build_hidden and params["units"] == 3 and "model" not in params
    copy = clone(clf)
    assert copy is not clf and copy.get_params() == params
    assert clf.set_params(epochs=7, model__units=5) is clf
    assert clf.epochs == 7 and clf.get_params()["model__units"] == 5
    modern = KerasClassifier(model=get_model, loss="sparse_categorical_crossentropy", model__hidden=4)
    assert clone(modern).get_params() == modern.get_params()
    assert "KerasClassifier(" in repr(modern) and "model__hidden=4" in repr(modern)


def test_pickle_fitted_and_unfitted(banknotes):
    X, y = banknotes
    clf = KerasClassifier(build_fn=build_hidden, epochs=2, verbose=0)
    assert pickle.loads(pickle.dumps(clf)).get_params() == clf.get_params()
    clf.fit(X, y)
    data = pickle.dumps(clf)
    again = pickle.loads(data)
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert again.model is again.model_ and again.model_ is not clf.model_
    assert clf.predict(X[:1]).shape == (1,)  # pickling left the original intact
    with pytest.raises(NotFittedError):
        KerasClassifier(build_fn=build_hidden).predict(X)


# --- scikeras form: model= ---------------------------------------------------------------------
def test_model_callable_with_meta_and_routed_parameters(banknotes):
    X, y = banknotes
    labels = np.array(["a", "b"])[y]
    clf = KerasClassifier(model=get_model, loss="categorical_crossentropy", optimizer="adam",
                          optimizer__learning_rate=0.05, model__hidden=6, epochs=4, verbose=0,
                          fit__validation_split=0.2, metrics=["accuracy"])
    pipe = Pipeline([("scale", StandardScaler()), ("clf", clf)]).fit(X, labels)
    model = clf.model_
    assert clf.model is get_model  # the parameter stays the function
    assert model.layers[0].units == 6 and model.outputs[0].shape[-1] == 2
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    assert len(clf.history_["val_loss"]) == 4
    assert pipe.score(X, labels) >= 0.95
    # A loss-less, uncompiled model gets a sparse loss for several output units.
    clf = KerasClassifier(model=get_model, epochs=3, verbose=0, optimizer="adam")
    clf.fit(StandardScaler().fit_transform(X), y)
    assert clf.model_.loss == "sparse_categorical_crossentropy"


def test_model_instance_is_copied_for_every_fit(banknotes):
    X, y = banknotes
    model = build_hidden(units=4)
    before = model.get_weights()
    clf = KerasClassifier(model=model, epochs=2, verbose=0)
    scores = cross_val_score(clf, X, y, cv=KFold(2, shuffle=True, random_state=0))
    assert scores.shape == (2,)
    for w, w0 in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, w0)
    clf.fit(X, y)
    assert clf.model_ is not model and clf.model is model


def test_multiclass_one_hot_targets_and_class_weight():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4)).astype("float32")
    y = np.array(["low", "mid", "high"])[np.digitize(X[:, 0] + X[:, 1], [-0.7, 0.7])]
    clf = KerasClassifier(model=get_model, loss="categorical_crossentropy", optimizer="adam",
                          optimizer__learning_rate=0.05, epochs=20, verbose=0, class_weight="balanced")
    clf.fit(X, y)
    assert list(clf.classes_) == ["high", "low", "mid"]
    assert clf.predict_proba(X).shape == (300, 3) and clf.score(X, y) >= 0.8
    weighted = KerasClassifier(model=get_model, epochs=1, verbose=0, class_weight={"low": 2.0, "mid": 1.0,
                                                                                     "high": 1.0})
    assert weighted.fit(X, y).predict(X[:3]).dtype == y.dtype


def test_warm_start_and_partial_fit(banknotes):
    X, y = banknotes
    clf = KerasClassifier(build_fn=build_hidden, epochs=2, verbose=0, warm_start=True).fit(X, y)
    model = clf.model_
    clf.fit(X, y)
    assert clf.model_ is model
    clf.partial_fit(X, y)
    assert clf.model_ is model and len(clf.history_["loss"]) == 1 and model.optimizer.iterations == 5 * 43


# --- regressor ---------------------------------------------------------------------------------
def test_regressor_scores_in_both_forms(banknotes):
    X, _ = banknotes
    X = StandardScaler().fit_transform(X)
    target = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 1.0
    keras2 = KerasRegressor(build_fn=build_regressor, epochs=10, verbose=0).fit(X, target)
    loss = keras2.model.evaluate(X, target, verbose=0)
    assert keras2.score(X, target) == pytest.approx(-loss, rel=1e-5) and loss < 0.1
    modern = KerasRegressor(model=build_regressor, epochs=10, verbose=0).fit(X, target)
    assert modern.predict(X).shape == (len(X),)
    assert modern.score(X, target) == pytest.approx(r2_score(target, modern.predict(X)))
    assert cross_val_score(modern, X, target, cv=3).mean() >= 0.95


def test_sklearn_loaded_only_with_the_wrapper_module():
    code = ("import sys, zerodl, zerodl.wrappers; a = 'sklearn' in sys.modules; "
            "from zerodl.wrappers import KerasClassifier; print(a, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]
