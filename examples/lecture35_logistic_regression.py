"""Lecture 35: logistic regression -- does a visitor buy, given the minutes spent on the site?

Run: python examples/lecture35_logistic_regression.py [--data-dir DIR] [--epochs 25] [--plot]
Data: user_visit_duration.csv from --data-dir, else $ZERODL_DATA_DIR, else ../shared/data/course.
"""
import argparse
import os
import pathlib

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.optimizers import SGD
from zerodl.utils import set_random_seed

EXAMPLES = pathlib.Path(__file__).resolve().parent


def read_course_csv(data_dir, name):
    """pandas.read_csv of the course file `name` found in data_dir (or its course/ folder)."""
    data_dir = pathlib.Path(data_dir or os.environ.get("ZERODL_DATA_DIR")
                            or EXAMPLES.parent.parent / "shared" / "data" / "course")
    for path in (data_dir / name, data_dir / "course" / name):
        if path.is_file():
            return pd.read_csv(path)
    raise FileNotFoundError(f"{name} is not in {data_dir}: pass --data-dir or set ZERODL_DATA_DIR.")


def main(data_dir=None, epochs=25, verbose=1, plot=False):
    set_random_seed(0)
    df = read_course_csv(data_dir, "user_visit_duration.csv")

    model = Sequential()
    model.add(Dense(1, input_shape=(1,), activation='sigmoid'))
    model.compile(SGD(lr=0.5), 'binary_crossentropy', metrics=['accuracy'])

    X = df[['Time (min)']].values
    y = df['Buy'].values
    model.fit(X, y, epochs=epochs, verbose=verbose)

    temp = np.linspace(0, 4)  # 1-D minutes, fed to a model with input_shape=(1,)
    temp_class = model.predict(temp) > 0.5
    y_pred = model.predict(X)
    y_class_pred = y_pred > 0.5
    accuracy = accuracy_score(y, y_class_pred)
    print("The accuracy score is {:0.3f}".format(accuracy))

    # Train/test split: reset the parameters to zero, train on 80%, check both parts
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    params = model.get_weights()
    params = [np.zeros(w.shape) for w in params]
    model.set_weights(params)
    accuracy_reset = accuracy_score(y, model.predict(X) > 0.5)
    print("The accuracy score is {:0.3f}".format(accuracy_reset))

    model.fit(X_train, y_train, epochs=epochs, verbose=0)
    train_accuracy = accuracy_score(y_train, model.predict_classes(X_train))
    test_accuracy = accuracy_score(y_test, model.predict_classes(X_test))
    print("The train accuracy score is {:0.3f}".format(train_accuracy))
    print("The test accuracy score is {:0.3f}".format(test_accuracy))

    if plot:
        save_plot(df, model, temp)
    return {"accuracy": accuracy, "accuracy_after_reset": accuracy_reset, "train_accuracy": train_accuracy,
            "test_accuracy": test_accuracy, "buy_threshold_minutes": float(temp[temp_class.ravel()].min())}


def save_plot(df, model, temp):
    try:
        import matplotlib
    except ImportError:
        print("--plot needs matplotlib")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ax = df.plot(kind='scatter', x='Time (min)', y='Buy', title='Purchase behavior VS time spent on site')
    ax.plot(temp, model.predict(temp), color='orange')
    plt.legend(['model', 'data'])
    path = EXAMPLES / "output" / "lecture35_logistic_regression.png"
    path.parent.mkdir(exist_ok=True)
    plt.savefig(path)
    print(f"Saved {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="folder holding the course CSV files")
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--plot", action="store_true", help="save a figure under examples/output/ (matplotlib)")
    args = parser.parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
