"""Lecture 35: logistic regression -- does a visitor buy, given the minutes spent on the site?

Run: python examples/lecture35_logistic_regression.py [--data-dir DIR] [--epochs 25] [--plot]
Data: user_visit_duration.csv from --data-dir, else $ZERODL_DATA_DIR, else ../shared/data/course.
"""
import numpy as np
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from _course_data import course_data_dir, example_parser, pyplot, save_figure
from zerodl.datasets import course
from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.optimizers import SGD
from zerodl.utils import set_random_seed


def main(data_dir=None, epochs=25, verbose=1, plot=False):
    set_random_seed(0)
    df = course.load("user_visit_duration", data_dir=course_data_dir(data_dir))

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
    plt = pyplot()
    if plt is None:
        return
    ax = df.plot(kind='scatter', x='Time (min)', y='Buy', title='Purchase behavior VS time spent on site')
    ax.plot(temp, model.predict(temp), color='orange')
    plt.legend(['model', 'data'])
    save_figure(plt, "lecture35_logistic_regression.png")


if __name__ == "__main__":
    args = example_parser(__doc__, epochs=25, plot="a figure").parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
