"""The recurrent section's code-alongs (lectures 112-115) and the sentiment exercise run and reach their figures.

The yardstick for the forecasts is "repeat last value" (next month = this month) on the same scaled test
months. With one month as input (lectures 112, 113) a model can at best learn about that rule -- even the
least-squares line scores 1.01x its MSE -- and the course notes these forecasts are "not good", one step
behind; they must land within 20% of it. Keras 3.15 runs of the same course code, seeds 0-9, score 0.98x-1.30x
(mean 1.10x) on lecture 112 and 0.97x-1.37x (mean 1.16x) on lecture 113; zerodl from Keras's initial weights
tracks Keras to 1e-6. With a 12-month window (lecture 115) they must beat it.
"""
import pathlib
import sys

import numpy as np
import pytest

pytest.importorskip("pandas")
pytest.importorskip("sklearn")

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))


def test_lecture112_forecast_dense(data_dir):
    from lecture112_forecast_dense import main
    result = main(data_dir, verbose=0)
    assert (result["n_train"], result["n_test"]) == (239, 72)  # months before / after 2011-01-01, minus one
    assert 2 <= result["epochs_run"] < 200  # EarlyStopping(monitor='loss', patience=1) ends it
    assert result["test_mse"] <= 1.2 * result["baseline_mse"]


def test_one_month_of_input_cannot_beat_repeat_last_value(data_dir):
    """Why lectures 112 and 113 are held to 'within 20%' rather than 'at least as good': their input is this
    month alone, and the best such forecaster the training months support -- the least-squares line, which a
    trained network can at most approach -- scores worse than repeating the last value on the test months;
    curves fitted harder to the training months extrapolate worse still."""
    from lecture112_forecast_dense import load_retail_sales, split_and_scale
    _, _, train_sc, test_sc = split_and_scale(load_retail_sales(data_dir))
    x_train, y_train, x_test, y_test = train_sc[:-1, 0], train_sc[1:, 0], test_sc[:-1, 0], test_sc[1:, 0]
    baseline = np.mean((y_test - x_test) ** 2)
    slope, intercept = np.polyfit(x_train, y_train, 1)
    assert np.mean((y_train - (slope * x_train + intercept)) ** 2) < np.mean((y_train - x_train) ** 2)  # wins on train
    assert np.mean((y_test - (slope * x_test + intercept)) ** 2) > 1.01 * baseline  # loses on test
    for degree in (2, 3):
        curve = np.polyval(np.polyfit(x_train, y_train, degree), x_test)
        assert np.mean((y_test - curve) ** 2) > 1.1 * baseline


def test_lecture113_forecast_lstm(data_dir):
    from lecture113_forecast_lstm import main
    result = main(data_dir, verbose=0)
    assert result["input_shape"] == (239, 1, 1)
    assert 2 <= result["epochs_run"] < 100
    assert result["test_mse"] <= 1.2 * result["baseline_mse"]


def test_lecture115_rolling_windows(data_dir):
    from lecture115_rolling_windows import main
    result = main(data_dir, verbose=0)
    assert (result["n_train"], result["n_test"]) == (228, 61)  # 12 months of each part fill the window
    baseline = result["baseline_mse"]
    assert result["dense_mse"] < 0.5 * baseline
    assert result["lstm_features_mse"] < 0.5 * baseline  # window as 12 features of one timestep
    assert result["lstm_timesteps_mse"] < baseline  # window as 12 timesteps of one feature


def test_sentiment_lstm_on_generated_reviews():
    from exercise_sentiment_lstm import main, make_reviews
    texts, labels = make_reviews(2000, seed=0)
    assert set(np.unique(labels)) == {0, 1} and any(" not " in t for t in texts)
    result = main(texts, labels, epochs=10, verbose=0)
    assert result["test_accuracy"] >= 0.85
    assert result["n_train"] == 1600 and result["n_test"] == 400


def test_sentiment_lstm_on_imdb_when_present():
    from zerodl.datasets import imdb
    from zerodl.datasets._files import DatasetNotFoundError
    try:
        imdb.load_data(num_words=100)
    except (DatasetNotFoundError, OSError) as error:
        pytest.skip(f"IMDB reviews not available: {error}")
    from exercise_sentiment_lstm import main
    result = main(epochs=1, verbose=0, imdb=True)
    assert result["test_accuracy"] >= 0.75
