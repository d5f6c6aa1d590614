"""Lectures 31 and 33: linear regression of Weight on Height, then its R^2 on a train/test split.

Run: python examples/lecture31_linear_regression.py [--data-dir DIR] [--epochs 40] [--plot]
Data: weight-height.csv from --data-dir, else $ZERODL_DATA_DIR, else ../shared/data/course.
"""
import numpy as np
from sklearn.metrics import mean_squared_error as mse
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

from _course_data import course_data_dir, example_parser, pyplot, save_figure
from zerodl.datasets import course
from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.optimizers import Adam
from zerodl.utils import set_random_seed


def main(data_dir=None, epochs=40, verbose=1, plot=False):
    set_random_seed(0)
    df = course.load("weight_height", data_dir=course_data_dir(data_dir))

    # Lecture 31: fit a line through all the data
    X = df[['Height']].values
    y_true = df['Weight'].values

    model = Sequential()
    model.add(Dense(1, input_shape=(1,)))
    model.compile(Adam(lr=0.8), 'mean_squared_error')
    model.fit(X, y_true, epochs=epochs, verbose=verbose)

    y_pred = model.predict(X)
    W, B = model.get_weights()
    print("W = {:0.3f}, B = {:0.3f}".format(W[0, 0], B[0]))
    r2 = r2_score(y_true, y_pred)
    print("The R2 score is {:0.3f}".format(r2))

    # Lecture 33: reset the weights, train on 80% of the data, score on both parts
    X_train, X_test, y_train, y_test = train_test_split(X, y_true, test_size=0.2, random_state=0)
    W[0, 0] = 0.0
    B[0] = 0.0
    model.set_weights((W, B))
    reset_max_abs = abs(model.predict(X_test)).max()  # the line y = 0 now

    model.fit(X_train, y_train, epochs=epochs, verbose=0)
    y_train_pred = model.predict(X_train).ravel()
    y_test_pred = model.predict(X_test).ravel()
    print("The Mean Squared Error on the Train set is:\t{:0.1f}".format(mse(y_train, y_train_pred)))
    print("The Mean Squared Error on the Test set is:\t{:0.1f}".format(mse(y_test, y_test_pred)))
    r2_train, r2_test = r2_score(y_train, y_train_pred), r2_score(y_test, y_test_pred)
    print("The R2 score on the Train set is:\t{:0.3f}".format(r2_train))
    print("The R2 score on the Test set is:\t{:0.3f}".format(r2_test))

    # 1-D inputs of shape (n,) work too for input_shape=(1,), as in Keras 2
    X_1d = df['Height'].values
    same_1d = np.array_equal(model.predict(X_1d), model.predict(X))
    W, B = model.get_weights()
    model.set_weights([W * 0, B * 0])
    model.fit(X_1d, y_true, epochs=epochs, verbose=0)
    r2_1d = r2_score(y_true, model.predict(X_1d))
    print("The R2 score with 1-D inputs is {:0.3f}".format(r2_1d))

    if plot:
        save_plot(df, X, y_pred)
    return {"r2": r2, "r2_train": r2_train, "r2_test": r2_test, "r2_1d": r2_1d, "same_1d_predictions": same_1d,
            "reset_max_abs_prediction": float(reset_max_abs)}


def save_plot(df, X, y_pred):
    plt = pyplot()
    if plt is None:
        return
    df.plot(kind='scatter', x='Height', y='Weight', title='Weight and Height in adults')
    plt.plot(X, y_pred, color='red')
    save_figure(plt, "lecture31_linear_regression.png")


if __name__ == "__main__":
    args = example_parser(__doc__, epochs=40, plot="a figure").parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
