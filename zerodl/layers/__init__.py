"""Keras layers: `from zerodl.layers import Dense, Dropout, Input`."""
from .base import Layer
from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Lambda, Permute, Reshape
from .merging import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add, average,
                      concatenate, dot, maximum, minimum, multiply, subtract)
from .convolutional import (Conv1D, Conv2D, Conv2DTranspose, Convolution1D, Convolution2D, Convolution2DTranspose,
                            Deconvolution2D, DepthwiseConv2D, SeparableConv2D, SeparableConvolution2D)
from .noise import GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D
from .normalization import BatchNormalization
from .pooling import (AveragePooling1D, AveragePooling2D, AvgPool1D, AvgPool2D, GlobalAveragePooling1D,
                      GlobalAveragePooling2D, GlobalAvgPool1D, GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D,
                      GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPool1D, MaxPool2D, MaxPooling1D, MaxPooling2D)
from .reshaping import Cropping1D, Cropping2D, UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D
from .embedding import Embedding
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell, StackedRNNCells
from .reshaping_seq import Masking, RepeatVector
from .symbolic import KerasTensor
from .wrappers import Bidirectional, TimeDistributed
