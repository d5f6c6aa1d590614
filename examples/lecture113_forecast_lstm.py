"""Lecture 113: forecast next month's Canadian retail sales with an LSTM.

Same data and split as lecture 112; the LSTM sees each month as a sequence of one timestep,
X_train[:, None] of shape (239, 1, 1), and is trained online (batch_size=1).
Run: python examples/lecture113_forecast_lstm.py [--data-dir DIR] [--epochs 100] [--plot]
"""
from sklearn.metrics import mean_squared_error

import zerodl.backend as K
from _course_data import example_parser
from lecture112_forecast_dense import load_retail_sales, save_plot, split_and_scale
from zerodl.callbacks import EarlyStopping
from zerodl.layers import LSTM, Dense
from zerodl.models import Sequential
from zerodl.utils import set_random_seed


def main(data_dir=None, epochs=100, verbose=1, plot=False):
    set_random_seed(0)
    train, test, train_sc, test_sc = split_and_scale(load_retail_sales(data_dir))
    X_train = train_sc[:-1]
    y_train = train_sc[1:]
    X_test = test_sc[:-1]
    y_test = test_sc[1:]
    baseline_mse = mean_squared_error(y_test, X_test)  # repeat last value

    # 3D tensor with shape (batch_size, timesteps, input_dim)
    X_train_t = X_train[:, None]
    X_test_t = X_test[:, None]

    K.clear_session()
    model = Sequential()
    model.add(LSTM(6, input_shape=(1, 1)))
    model.add(Dense(1))
    model.compile(loss='mean_squared_error', optimizer='adam')
    early_stop = EarlyStopping(monitor='loss', patience=1, verbose=1 if verbose else 0)
    history = model.fit(X_train_t, y_train, epochs=epochs, batch_size=1, verbose=verbose, callbacks=[early_stop])

    y_pred = model.predict(X_test_t)
    test_mse = mean_squared_error(y_test, y_pred)
    print("Repeat-last-value test MSE: {:0.4f}".format(baseline_mse))
    print("LSTM test MSE: {:0.4f}".format(test_mse))
    if plot:
        save_plot(y_test, y_pred, "lecture113_forecast_lstm.png")
    return {"test_mse": test_mse, "baseline_mse": baseline_mse, "epochs_run": len(history.history['loss']),
            "input_shape": X_train_t.shape}


if __name__ == "__main__":
    args = example_parser(__doc__, epochs=100, plot="a figure").parse_args()
    main(args.data_dir, args.epochs, plot=args.plot)
