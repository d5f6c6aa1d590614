"""Lecture 70: learning rates -- one logistic regression on the banknotes, trained with four SGD rates.

Run: python examples/lecture70_learning_rates.py [--data-dir DIR] [--epochs 10] [--plot]
Data: banknotes.csv from --data-dir, else $ZERODL_DATA_DIR, else ../shared/data/course.
"""
import argparse
import os
import pathlib

import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import scale

import zerodl.backend as K
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


def main(data_dir=None, epochs=10, verbose=1, plot=False):
    set_random_seed(0)
    df = read_course_csv(data_dir, "banknotes.csv")
    X = scale(df.drop('class', axis=1).values)
    y = df['class'].values
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=42)

    dflist = []
    learning_rates = [0.01, 0.05, 0.1, 0.5]
    for lr in learning_rates:
        K.clear_session()
        model = Sequential()
        model.add(Dense(1, input_shape=(4,), activation='sigmoid'))
        model.compile(loss='binary_crossentropy', optimizer=SGD(lr=lr), metrics=['accuracy'])
        h = model.fit(X_train, y_train, batch_size=16, epochs=epochs, verbose=0)
        dflist.append(pd.DataFrame(h.history, index=h.epoch))

    historydf = pd.concat(dflist, axis=1)
    metrics_reported = dflist[0].columns
    idx = pd.MultiIndex.from_product([learning_rates, metrics_reported], names=['learning_rate', 'metric'])
    historydf.columns = idx

    final_acc = historydf.xs('acc', axis=1, level='metric').iloc[-1]
    if verbose:
        print(historydf.xs('acc', axis=1, level='metric').round(3))
    print("Final accuracy by learning rate:", final_acc.round(3).to_dict())
    if plot:
        save_plot(historydf, "lecture70_learning_rates.png")
    return {"historydf": historydf, "final_acc": final_acc.to_dict()}


def save_plot(historydf, name):
    try:
        import matplotlib
    except ImportError:
        print("--plot needs matplotlib")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.figure()
    ax = plt.subplot(211)
    historydf.xs('loss', axis=1, level='metric').plot(ylim=(0, 1), ax=ax)
    plt.title("Loss")
    ax = plt.subplot(212)
    historydf.xs('acc', axis=1, level='metric').plot(ylim=(0, 1), ax=ax)
    plt.title("Accuracy")
    plt.xlabel("Epochs")
    plt.tight_layout()
    path = EXAMPLES / "output" / name
    path.parent.mkdir(exist_ok=True)
    plt.savefig(path)
    print(f"Saved {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", help="folder holding the course CSV files")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--plot", action="store_true", help="save a figure under examples/output/ (matplotlib)")
    args = parser.parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
