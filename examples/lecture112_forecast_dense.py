"""Lectures 111-112: forecast next month's Canadian retail sales with a fully-connected network.

The cansim series (monthly, unadjusted) is split at 2011-01-01, MinMax-scaled on the training part,
and each month predicts the next. The yardstick is "repeat last value": predict y[t+1] = y[t].
Run: python examples/lecture112_forecast_dense.py [--data-dir DIR] [--epochs 200] [--plot]
Data: cansim-0800020-eng-6674700030567901031.csv from --data-dir, else $ZERODL_DATA_DIR, else
../shared/data/course.
"""
import pandas as pd
from pandas.tseries.offsets import MonthEnd
from sklearn.metrics import mean_squared_error
from sklearn.preprocessing import MinMaxScaler

import zerodl.backend as K
from _course_data import course_data_dir, example_parser, pyplot, save_figure
from zerodl.callbacks import EarlyStopping
from zerodl.datasets import course
from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.utils import set_random_seed


def load_retail_sales(data_dir=None):
    """The course's DataFrame: month-end DatetimeIndex, columns 'Unadjusted' and 'Seasonally adjusted'."""
    df = course.load("cansim", data_dir=course_data_dir(data_dir))  # read_csv(skiprows=6, skipfooter=9)
    df['Adjustments'] = pd.to_datetime(df['Adjustments'], format='%b-%Y') + MonthEnd(1)
    return df.set_index('Adjustments')


def split_and_scale(df):
    """Train before 2011-01-01, test after; MinMaxScaler fit on train. Returns train, test, train_sc, test_sc."""
    split_date = pd.Timestamp('01-01-2011')
    train = df.loc[:split_date, ['Unadjusted']]
    test = df.loc[split_date:, ['Unadjusted']]
    sc = MinMaxScaler()
    train_sc = sc.fit_transform(train)
    test_sc = sc.transform(test)
    return train, test, train_sc, test_sc


def main(data_dir=None, epochs=200, verbose=1, plot=False):
    set_random_seed(0)
    df = load_retail_sales(data_dir)
    train, test, train_sc, test_sc = split_and_scale(df)

    X_train = train_sc[:-1]
    y_train = train_sc[1:]
    X_test = test_sc[:-1]
    y_test = test_sc[1:]
    baseline_mse = mean_squared_error(y_test, X_test)  # repeat last value
    print("Repeat-last-value test MSE: {:0.4f}".format(baseline_mse))

    # Fully connected predictor
    K.clear_session()
    model = Sequential()
    model.add(Dense(12, input_dim=1, activation='relu'))
    model.add(Dense(1))
    model.compile(loss='mean_squared_error', optimizer='adam')
    early_stop = EarlyStopping(monitor='loss', patience=1, verbose=1 if verbose else 0)
    history = model.fit(X_train, y_train, epochs=epochs, batch_size=2, verbose=verbose, callbacks=[early_stop])

    y_pred = model.predict(X_test)
    test_mse = mean_squared_error(y_test, y_pred)
    print("Fully connected test MSE: {:0.4f}".format(test_mse))
    if plot:
        save_plot(y_test, y_pred, "lecture112_forecast_dense.png")
    return {"test_mse": test_mse, "baseline_mse": baseline_mse, "epochs_run": len(history.history['loss']),
            "n_train": len(X_train), "n_test": len(X_test)}


def save_plot(y_test, y_pred, name):
    plt = pyplot()
    if plt is None:
        return
    plt.figure()
    plt.plot(y_test)
    plt.plot(y_pred)
    plt.legend(['test', 'prediction'])
    save_figure(plt, name)


if __name__ == "__main__":
    args = example_parser(__doc__, epochs=200, plot="a figure").parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
