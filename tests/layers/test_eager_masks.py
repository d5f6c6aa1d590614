"""Masks through layers called by hand, as Keras 3 attaches them to tensors: the mask of
Embedding(mask_zero=True) or Masking rides on the output Tensor to the next layer, as it does in a model."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from zerodl.autodiff import Tensor
from zerodl.layers import (GRU, LSTM, RNN, Bidirectional, Dense, Dropout, Embedding, GRUCell, Input, LSTMCell,
                           Masking, SimpleRNN)
from zerodl.layers.base import get_keras_mask
from zerodl.models import Sequential

rng = np.random.default_rng(5)
TOKENS = np.array([[3, 1, 4, 1, 5, 0, 0], [2, 7, 1, 8, 2, 8, 1], [0, 0, 9, 2, 6, 0, 0]])
RECURRENT = {
    "lstm": lambda: LSTM(4), "gru": lambda: GRU(4), "simple_rnn": lambda: SimpleRNN(4),
    "bidirectional_lstm": lambda: Bidirectional(LSTM(3)),
    "lstm_sequences": lambda: LSTM(4, return_sequences=True),
    "stacked_cells": lambda: RNN([LSTMCell(3), GRUCell(2)]),
}


@pytest.mark.parametrize("make", RECURRENT.values(), ids=RECURRENT.keys())
def test_embedding_then_rnn_by_hand_equals_the_model(make):
    embedding, rnn = Embedding(10, 3, mask_zero=True), make()
    x = embedding(TOKENS)
    np.testing.assert_array_equal(get_keras_mask(x), TOKENS != 0)
    by_hand = rnn(x).value
    model = Sequential([Input((None,)), embedding, rnn])
    np.testing.assert_allclose(by_hand, model.predict(TOKENS), atol=1e-6)
    np.testing.assert_allclose(by_hand, rnn(embedding(TOKENS), mask=TOKENS != 0).value, atol=0)
    unmasked = rnn(Tensor(x.value)).value  # the same values without the mask: the padding counts
    assert np.abs(unmasked - by_hand).max() > 1e-4


def test_masking_then_lstm_by_hand_equals_the_model():
    x = rng.standard_normal((3, 6, 2)).astype(np.float32)
    x[0, 4:] = 0
    x[2, :2] = 0
    masking, lstm = Masking(0.0), LSTM(3, return_sequences=True)
    masked = masking(x)
    np.testing.assert_array_equal(get_keras_mask(masked), np.any(x != 0, axis=-1))
    by_hand = lstm(masked).value
    np.testing.assert_allclose(by_hand, Sequential([Input((6, 2)), masking, lstm]).predict(x), atol=1e-6)
    np.testing.assert_allclose(by_hand, lstm(x, mask=np.any(x != 0, axis=-1)).value, atol=0)


def test_a_padded_batch_gives_the_last_output_of_each_sequence_alone():
    sequences = [[3, 1, 4], [1, 5, 9, 2, 6, 5], [3, 5]]
    padded = np.array([s + [0] * (6 - len(s)) for s in sequences])
    embedding, lstm, gru = Embedding(10, 4, mask_zero=True), LSTM(5, return_sequences=True), GRU(3)
    batch = gru(lstm(embedding(padded))).value
    for row, sequence in zip(batch, sequences):
        alone = gru(lstm(embedding(np.array([sequence])))).value[0]
        np.testing.assert_allclose(row, alone, atol=1e-6)


def test_the_mask_passes_through_layers_that_support_it_and_ends_where_keras_ends_it():
    embedding = Embedding(10, 4, mask_zero=True)
    x = embedding(TOKENS)
    dropped = Dropout(0.5)(x)
    dense = Dense(4)(dropped)
    np.testing.assert_array_equal(get_keras_mask(dense), TOKENS != 0)
    sequences, h, c = LSTM(3, return_sequences=True, return_state=True)(dense)
    np.testing.assert_array_equal(get_keras_mask(sequences), TOKENS != 0)
    assert get_keras_mask(h) is None and get_keras_mask(c) is None
    last = LSTM(2)(sequences)
    assert get_keras_mask(last) is None
    assert get_keras_mask(Dense(2)(last)) is None


def test_explicit_mask_wins_and_initial_states_keep_the_mask():
    embedding, lstm = Embedding(10, 3, mask_zero=True), LSTM(4)
    x = embedding(TOKENS)
    everything = np.ones(TOKENS.shape, bool)
    np.testing.assert_allclose(lstm(x, mask=everything).value, lstm(Tensor(x.value)).value, atol=0)
    h, c = (rng.standard_normal((3, 4)).astype(np.float32) for _ in range(2))
    np.testing.assert_allclose(lstm(x, initial_state=[h, c]).value,
                               lstm(x, initial_state=[h, c], mask=TOKENS != 0).value, atol=0)


def test_without_masks_calls_take_the_plain_path_and_a_given_mask_rides_on():
    """In a fresh process: no mask anywhere keeps the eager path mask-free (one flag check per call); a mask
    given by hand is attached to the output and reaches the next layer."""
    script = textwrap.dedent("""
        import numpy as np
        from zerodl.layers import LSTM, Dense, base
        from zerodl.models import Sequential
        model = Sequential([Dense(4, input_shape=(3,)), Dense(1)])
        model.compile("sgd", "mse")
        model.fit(np.ones((8, 3)), np.ones((8, 1)), verbose=0)
        LSTM(2)(np.ones((2, 3, 1), np.float32))
        assert not base._masks_about and not base._KERAS_MASKS
        x = np.random.default_rng(0).standard_normal((2, 4, 1)).astype(np.float32)
        mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
        first, second = LSTM(3, return_sequences=True), LSTM(2)
        out = first(x, mask=mask)
        assert base._masks_about and (base.get_keras_mask(out) == mask).all()
        np.testing.assert_array_equal(second(out).value, second(out, mask=mask).value)
        print("ok")
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ))
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-3000:]
