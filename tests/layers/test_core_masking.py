"""Core layers pass an Embedding's mask on to the recurrent layer after them, as Keras does."""
import numpy as np

from zerodl.layers import LSTM, Activation, Dense, Dropout, Embedding
from zerodl.models import Sequential


def test_dropout_and_activation_keep_the_mask():
    x = np.array([[3, 5, 2, 0, 0], [1, 4, 0, 0, 0]])
    plain = Sequential([Embedding(8, 4, mask_zero=True), LSTM(3)])
    plain.build((None, 5))
    wrapped = Sequential([Embedding(8, 4, mask_zero=True), Dropout(0.5), Activation("linear"), Dense(4), LSTM(3)])
    wrapped.build((None, 5))
    wrapped.layers[0].set_weights(plain.layers[0].get_weights())
    wrapped.layers[3].set_weights([np.eye(4, dtype="float32"), np.zeros(4, "float32")])
    wrapped.layers[4].set_weights(plain.layers[1].get_weights())
    expected = plain.predict(x)
    np.testing.assert_allclose(wrapped.predict(x), expected, rtol=1e-6)
    # Without the mask the padded steps would change the final state.
    unmasked = Sequential([Embedding(8, 4), LSTM(3)])
    unmasked.build((None, 5))
    unmasked.set_weights(plain.get_weights())
    assert not np.allclose(unmasked.predict(x), expected)
