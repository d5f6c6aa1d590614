"""Lecture 115: rolling windows -- the last 12 months as inputs, fed to a Dense network and to LSTMs.

The scaled series gets 12 shifted copies (shift_1 = last month, ..., shift_12 = a year ago); rows
with a gap are dropped. The same window goes to: a Dense(12) network (12 features); an LSTM seeing
it as one timestep of 12 features, input (1, 12), as in the lecture; and an LSTM seeing it as 12
timesteps of one feature, input (12, 1). The yardstick is "repeat last value" (shift_1).
Run: python examples/lecture115_rolling_windows.py [--data-dir DIR] [--epochs 200] [--plot]
"""
import pandas as pd
from sklearn.metrics import mean_squared_error

import zerodl.backend as K
from _course_data import example_parser
from lecture112_forecast_dense import load_retail_sales, save_plot, split_and_scale
from zerodl.callbacks import EarlyStopping
from zerodl.layers import LSTM, Dense
from zerodl.models import Sequential
from zerodl.utils import set_random_seed


def windows(train, test, train_sc, test_sc):
    train_sc_df = pd.DataFrame(train_sc, columns=['Scaled'], index=train.index)
    test_sc_df = pd.DataFrame(test_sc, columns=['Scaled'], index=test.index)
    for s in range(1, 13):
        train_sc_df['shift_{}'.format(s)] = train_sc_df['Scaled'].shift(s)
        test_sc_df['shift_{}'.format(s)] = test_sc_df['Scaled'].shift(s)
    X_train = train_sc_df.dropna().drop('Scaled', axis=1)
    y_train = train_sc_df.dropna()[['Scaled']]
    X_test = test_sc_df.dropna().drop('Scaled', axis=1)
    y_test = test_sc_df.dropna()[['Scaled']]
    return X_train.values, y_train.values, X_test.values, y_test.values


def main(data_dir=None, epochs=200, verbose=1, plot=False):
    train, test, train_sc, test_sc = split_and_scale(load_retail_sales(data_dir))
    X_train, y_train, X_test, y_test = windows(train, test, train_sc, test_sc)
    baseline_mse = mean_squared_error(y_test, X_test[:, :1])  # shift_1: repeat last value
    print("Repeat-last-value test MSE: {:0.4f}".format(baseline_mse))
    early_stop = EarlyStopping(monitor='loss', patience=1, verbose=1 if verbose else 0)
    results = {"baseline_mse": baseline_mse, "n_train": len(X_train), "n_test": len(X_test)}

    # Fully connected on windows
    set_random_seed(0)
    K.clear_session()
    model = Sequential()
    model.add(Dense(12, input_dim=12, activation='relu'))
    model.add(Dense(1))
    model.compile(loss='mean_squared_error', optimizer='adam')
    model.fit(X_train, y_train, epochs=epochs, batch_size=1, verbose=verbose, callbacks=[early_stop])
    y_pred = model.predict(X_test)
    results["dense_mse"] = mean_squared_error(y_test, y_pred)
    print("Dense on windows test MSE: {:0.4f}".format(results["dense_mse"]))
    if plot:
        save_plot(y_test, y_pred, "lecture115_dense_windows.png")

    # LSTM on windows: one timestep of 12 features, as in the lecture
    X_train_t = X_train.reshape(X_train.shape[0], 1, 12)
    X_test_t = X_test.reshape(X_test.shape[0], 1, 12)
    set_random_seed(0)
    K.clear_session()
    model = Sequential()
    model.add(LSTM(6, input_shape=(1, 12)))
    model.add(Dense(1))
    model.compile(loss='mean_squared_error', optimizer='adam')
    model.fit(X_train_t, y_train, epochs=min(epochs, 100), batch_size=1, verbose=verbose, callbacks=[early_stop])
    y_pred = model.predict(X_test_t)
    results["lstm_features_mse"] = mean_squared_error(y_test, y_pred)
    print("LSTM, window as features, test MSE: {:0.4f}".format(results["lstm_features_mse"]))
    if plot:
        save_plot(y_test, y_pred, "lecture115_lstm_windows.png")

    # LSTM on windows: 12 timesteps of one feature, in column order (shift_1 first, so the month a year
    # back is the last step the LSTM reads)
    X_train_t = X_train.reshape(X_train.shape[0], 12, 1)
    X_test_t = X_test.reshape(X_test.shape[0], 12, 1)
    set_random_seed(0)
    K.clear_session()
    model = Sequential()
    model.add(LSTM(6, input_shape=(12, 1)))
    model.add(Dense(1))
    model.compile(loss='mean_squared_error', optimizer='adam')
    model.fit(X_train_t, y_train, epochs=min(epochs, 100), batch_size=1, verbose=verbose, callbacks=[early_stop])
    y_pred = model.predict(X_test_t)
    results["lstm_timesteps_mse"] = mean_squared_error(y_test, y_pred)
    print("LSTM, window as timesteps, test MSE: {:0.4f}".format(results["lstm_timesteps_mse"]))
    return results


if __name__ == "__main__":
    args = example_parser(__doc__, epochs=200, plot="figures").parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
