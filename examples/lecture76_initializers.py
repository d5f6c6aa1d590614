"""Lecture 76: initialization -- the banknotes model started from five kernel initializers.

Run: python examples/lecture76_initializers.py [--data-dir DIR] [--epochs 5] [--plot]
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


def main(data_dir=None, epochs=5, verbose=1, plot=False):
    set_random_seed(0)
    df = read_course_csv(data_dir, "banknotes.csv")
    X = scale(df.drop('class', axis=1).values)
    y = df['class'].values
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=42)

    dflist = []
    initializers = ['zeros', 'uniform', 'normal',
                    'he_normal', 'lecun_uniform']
    for init in initializers:
        K.clear_session()
        model = Sequential()
        model.add(Dense(1, input_shape=(4,),
                        kernel_initializer=init,
                        activation='sigmoid'))
        model.compile(loss='binary_crossentropy',
                      optimizer='rmsprop',
                      metrics=['accuracy'])
        h = model.fit(X_train, y_train, batch_size=16, epochs=epochs, verbose=0)
        dflist.append(pd.DataFrame(h.history, index=h.epoch))

    historydf = pd.concat(dflist, axis=1)
    metrics_reported = dflist[0].columns
    idx = pd.MultiIndex.from_product([initializers, metrics_reported], names=['initializers', 'metric'])
    historydf.columns = idx

    acc = historydf.xs('acc', axis=1, level='metric')
    if verbose:
        print(acc.round(3))
    print("First and final accuracy by initializer:", acc.iloc[[0, -1]].round(3).to_dict())
    if plot:
        save_plot(historydf, "lecture76_initializers.png")
    return {"historydf": historydf, "first_acc": acc.iloc[0].to_dict(), "final_acc": acc.iloc[-1].to_dict()}


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
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--plot", action="store_true", help="save a figure under examples/output/ (matplotlib)")
    args = parser.parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
