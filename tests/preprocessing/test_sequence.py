"""pad_sequences, TimeseriesGenerator and timeseries_dataset_from_array, as Keras defines them."""
import numpy as np
import pytest

from zerodl.layers import LSTM, Dense
from zerodl.models import Sequential
from zerodl.optimizers import Adam
from zerodl.preprocessing.sequence import TimeseriesGenerator, pad_sequences
from zerodl.utils import timeseries_dataset_from_array


def test_pad_sequences_defaults_pre():
    out = pad_sequences([[1, 2, 3], [4], [5, 6]])
    np.testing.assert_array_equal(out, [[1, 2, 3], [0, 0, 4], [0, 5, 6]])
    assert out.dtype == np.int32


def test_pad_sequences_options():
    seqs = [[1, 2, 3, 4], [5]]
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2), [[3, 4], [0, 5]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2, truncating="post"), [[1, 2], [0, 5]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=3, padding="post", value=-1), [[2, 3, 4], [5, -1, -1]])
    floats = pad_sequences([[0.5, 1.5], [2.5]], dtype="float32", padding="post")
    assert floats.dtype == np.float32 and floats[1, 1] == 0 and floats[0, 0] == 0.5
    np.testing.assert_array_equal(pad_sequences([[], [1]]), [[0], [1]])
    assert pad_sequences([[1, 2]], maxlen=0).shape == (1, 0)
    vectors = pad_sequences([[[1, 1], [2, 2]], [[3, 3]]], maxlen=2)
    np.testing.assert_array_equal(vectors, [[[1, 1], [2, 2]], [[0, 0], [3, 3]]])
    strings = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert strings.tolist() == [["a", "b"], ["<pad>", "c"]]


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match='Padding type "middle" not understood'):
        pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match='Truncating type "x" not understood'):
        pad_sequences([[1]], truncating="x")
    with pytest.raises(ValueError, match="dtype=object"):
        pad_sequences([["a"]], value="pad")


def test_timeseries_generator_as_keras():
    data = np.arange(50).reshape(-1, 1)
    targets = np.arange(50)
    gen = TimeseriesGenerator(data, targets, length=10, sampling_rate=2, batch_size=2)
    assert len(gen) == 20
    x, y = gen[0]
    np.testing.assert_array_equal(x, [[[0], [2], [4], [6], [8]], [[1], [3], [5], [7], [9]]])
    np.testing.assert_array_equal(y, [10, 11])
    x, y = gen[-1]
    np.testing.assert_array_equal(y, [48, 49])
    reverse = TimeseriesGenerator(data, targets, length=3, reverse=True, batch_size=1)
    np.testing.assert_array_equal(reverse[0][0], [[[2], [1], [0]]])
    strided = TimeseriesGenerator(data, targets, length=5, stride=3, start_index=2, end_index=20, batch_size=4)
    np.testing.assert_array_equal(strided[0][1], [7, 10, 13, 16])
    assert len(strided) == 2 and list(strided[1][1]) == [19]
    with pytest.raises(ValueError, match="start_index"):
        TimeseriesGenerator(data, targets, length=60)
    with pytest.raises(ValueError, match="same length"):
        TimeseriesGenerator(data, targets[:10], length=3)


def test_timeseries_generator_feeds_fit():
    series = np.sin(np.arange(200) / 4).astype(np.float32)[:, None]
    gen = TimeseriesGenerator(series, series, length=8, batch_size=16)
    model = Sequential([LSTM(8, input_shape=(8, 1)), Dense(1)])
    model.compile(Adam(learning_rate=0.01), "mse")
    history = model.fit(gen, epochs=15, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]


def test_timeseries_dataset_from_array():
    data = np.arange(100)
    dataset = timeseries_dataset_from_array(data[:-10], data[10:], sequence_length=10, batch_size=32)
    batches = list(dataset)
    assert len(dataset) == len(batches) == 3  # 90 - 10 + 1 = 81 windows
    assert [len(x) for x, _ in batches] == [32, 32, 17]
    x, y = batches[0]
    np.testing.assert_array_equal(x[0], np.arange(10))
    assert y[0] == 10 and y[5] == 15  # the value right after each window
    sampled = timeseries_dataset_from_array(data, None, sequence_length=3, sampling_rate=2, sequence_stride=5,
                                            batch_size=None, start_index=10, end_index=40)
    first = next(iter(sampled))
    np.testing.assert_array_equal(first, [10, 12, 14])
    assert len(sampled) == len(range(0, 30 - 4, 5))
    shuffled = timeseries_dataset_from_array(data, data, 4, shuffle=True, seed=1, batch_size=200)
    x, y = shuffled[0]
    np.testing.assert_array_equal(x[:, 0], y)  # windows stay with their targets
    assert not np.array_equal(y, np.sort(y)) and np.array_equal(np.sort(y), np.arange(97))
    with pytest.raises(ValueError, match="sequence_length"):
        timeseries_dataset_from_array(data, None, 0)
