"""Lecture 38: cross-validation -- a Keras model as a scikit-learn estimator, scored on 3 folds.

Run: python examples/lecture38_cross_validation.py [--data-dir DIR] [--epochs 25]
Data: user_visit_duration.csv (does a visitor buy, given the minutes on the site?) from --data-dir,
else $ZERODL_DATA_DIR, else ../shared/data/course.
"""
import argparse
import os
import pathlib

import pandas as pd
from sklearn.model_selection import KFold, cross_val_score

from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.optimizers import SGD
from zerodl.utils import set_random_seed
from zerodl.wrappers.scikit_learn import KerasClassifier

EXAMPLES = pathlib.Path(__file__).resolve().parent


def read_course_csv(data_dir, name):
    """pandas.read_csv of the course file `name` found in data_dir (or its course/ folder)."""
    data_dir = pathlib.Path(data_dir or os.environ.get("ZERODL_DATA_DIR")
                            or EXAMPLES.parent.parent / "shared" / "data" / "course")
    for path in (data_dir / name, data_dir / "course" / name):
        if path.is_file():
            return pd.read_csv(path)
    raise FileNotFoundError(f"{name} is not in {data_dir}: pass --data-dir or set ZERODL_DATA_DIR.")


def build_logistic_regression_model():
    model = Sequential()
    model.add(Dense(1, input_shape=(1,), activation='sigmoid'))
    model.compile(SGD(lr=0.5), 'binary_crossentropy', metrics=['accuracy'])
    return model


def main(data_dir=None, epochs=25, verbose=1):
    set_random_seed(0)
    df = read_course_csv(data_dir, "user_visit_duration.csv")
    X = df[['Time (min)']].values
    y = df['Buy'].values

    model = KerasClassifier(build_fn=build_logistic_regression_model, epochs=epochs, verbose=0)
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(model, X, y, cv=cv)
    if verbose:
        print(scores)
    print("The cross validation accuracy is {:0.4f} ± {:0.4f}".format(scores.mean(), scores.std()))
    return {"scores": scores}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="folder holding the course CSV files")
    parser.add_argument("--epochs", type=int, default=25)
    args = parser.parse_args()
    main(args.data_dir, args.epochs)
