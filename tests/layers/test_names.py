"""Default layer names follow Keras: snake case of the class, numbered from the second on."""
from zerodl import backend as K
from zerodl.layers import (LSTM, BatchNormalization, Conv2D, Conv2DTranspose, Dense, GlobalAveragePooling2D,
                           MaxPooling2D, SimpleRNN, UpSampling2D)


def test_keras_default_names():
    layers = [Dense(1), Dense(1), Conv2D(1, 3), Conv2DTranspose(1, 3), MaxPooling2D(), GlobalAveragePooling2D(),
              BatchNormalization(), SimpleRNN(1), LSTM(1), UpSampling2D()]
    assert [layer.name for layer in layers] == [
        "dense", "dense_1", "conv2d", "conv2d_transpose", "max_pooling2d", "global_average_pooling2d",
        "batch_normalization", "simple_rnn", "lstm", "up_sampling2d"]
    K.clear_session()
    assert Dense(1).name == "dense"
